#!/usr/bin/env python3
"""Exact replicate-weight means and SEs for ReplicatePrecisionTests (issue 22: streamed,
sharded and in-memory replicate SEs to 1e-12 of the exact value).

    python3 Fixtures/reference/replicate_precision/make_replicate_precision.py > \
        Fixtures/reference/replicate_precision/replicate_precision.json

The data are generated here and in the test by the same SplitMix64 stream (seed SEED), in row
order, each value an integer over 10^4 (or 10^5) converted to the nearest double (IEEE division,
the same in Python and Swift):
  w    = (5000 + u % 20001) / 10^4                      weight in [0.5, 2.5]
  y    = (290000 + u % 20001) / 10^4                    mean 30, sd 0.58 (θ/SE ≈ 10^4)
  z    = (297500 + u % 5001) / 10^4                     mean 30, sd 0.14 (θ/SE ≈ 4·10^4)
  rw_r = w4 · f_r / 10^5, f_r = (3, 10, 17)[u % 3]      R = 40 replicate weights (SDR: scale 4/R)
drawn per row in the order w, y, z, rw_1 … rw_R.

The reference is exact: every double is an integer multiple of 2^-60 (all values lie in
[0.15, 31]), so the totals Σ rw_r·y and Σ rw_r of the doubles are computed exactly as Python
integers, the replicate means θ_r = Y_r / X_r as fractions, and the variance
scale · Σ_r (θ_r − c)² (scale 4/R, rscales 1, R survey svrepdesign(type =
"successive-difference")) exactly, c the mean of the θ_r (mse = FALSE, R's default) or the
full-sample mean (mse = TRUE); square roots to 40 digits, printed to 17 significant digits.

For comparison the script also prints (to stderr, and as "naive" in the JSON) what plain double
arithmetic gives when the replicate totals are the correctly rounded sums of SHARDS equal parts
added one after another without carrying the rounding error, as the code did before: the SE's
relative error from the exact value is ≈ 1e-11, above the 1e-12 the tests hold.
"""
import json, sys
from decimal import Decimal, getcontext
from fractions import Fraction
import math

getcontext().prec = 40
MASK = (1 << 64) - 1
SEED, N, R, SHARDS = 22_122_026, 60_000, 40, 400


class SplitMix:
    def __init__(self, seed): self.state = seed & MASK
    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)


def data():
    g = SplitMix(SEED)
    w, y, z, rw = [], [], [], [[] for _ in range(R)]
    for _ in range(N):
        w4 = 5000 + g.next() % 20001
        w.append(w4 / 10_000)
        y.append((290_000 + g.next() % 20_001) / 10_000)
        z.append((297_500 + g.next() % 5_001) / 10_000)
        for r in range(R):
            rw[r].append(w4 * (3, 10, 17)[g.next() % 3] / 100_000)
    return w, {"y": y, "z": z}, rw


def exact_int(v):   # v · 2^60 as an exact integer (v a double in [0.15, 31])
    num, den = v.as_integer_ratio()
    assert (1 << 60) % den == 0
    return num * ((1 << 60) // den)


def sqrt40(f): return (Decimal(f.numerator) / Decimal(f.denominator)).sqrt()


def main():
    w, ys, rw = data()
    wi = [exact_int(v) for v in w]
    rwi = [[exact_int(v) for v in col] for col in rw]
    out = {"seed": SEED, "rows": N, "replicates": R, "scale": 4 / R, "variables": {}}
    for name, y in ys.items():
        yi = [exact_int(v) for v in y]
        # Exact totals (in units of 2^-120 and 2^-60): full sample and each replicate.
        ty, tx = sum(a * b for a, b in zip(wi, yi)), sum(wi)
        rty = [sum(a * b for a, b in zip(col, yi)) for col in rwi]
        rtx = [sum(col) for col in rwi]
        full = Fraction(ty, tx << 60)
        theta = [Fraction(a, b << 60) for a, b in zip(rty, rtx)]
        centre = sum(theta, Fraction(0)) / R
        se = sqrt40(Fraction(4, R) * sum(((t - centre) ** 2 for t in theta), Fraction(0)))
        se_mse = sqrt40(Fraction(4, R) * sum(((t - full) ** 2 for t in theta), Fraction(0)))
        # Plain double arithmetic over SHARDS parts (each part's totals correctly rounded).
        cuts = [N * s // SHARDS for s in range(SHARDS + 1)]
        def naive(values):
            total = 0.0
            for a, b in zip(cuts, cuts[1:]):
                total += math.fsum(values[a:b])
            return total
        th = []
        for r in range(R):
            Y = naive([p * q for p, q in zip(rw[r], y)])   # each product rounded, as in Swift
            th.append(Y / naive(rw[r]))
        c = sum(th) / R
        naive_se = math.sqrt(4 / R * sum((t - c) ** 2 for t in th))
        naive_error = abs(Decimal(naive_se) - se) / se
        print(f"{name}: exact SE {float(se):.17g}, naive over {SHARDS} shards {naive_se:.17g} "
              f"(relative error {float(naive_error):.2e})", file=sys.stderr)
        out["variables"][name] = {
            "mean": float(Decimal(full.numerator) / Decimal(full.denominator)),
            "se": float(se), "seMSE": float(se_mse),
            "naiveShardedSE": naive_se, "naiveRelativeError": float(naive_error),
        }
    json.dump(out, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
