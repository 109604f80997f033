#!/usr/bin/env python3
"""Exact reference for the ACS-scale SDR benchmark (issue 22, streamed vs in-memory precision).

    python3 Benchmarks/peers/acs_exact_check.py FILE.csv RESULT.json [RESULT.json ...]

FILE.csv is a file written by acs_replicate_bench.sh's generator (weight wt, y1..y10, rw1..rw80, every
value printed with 4 decimals). Every value is read as the integer 10^4·v (exact), so the weighted
totals Σ w_r·y and Σ w_r of each replicate are exact integers (int64, no rounding), the replicate means
θ_r = Σ w_r·y / Σ w_r exact fractions, and the SDR variance 4/R · Σ_r (θ_r − θ̄)² (R survey
svrepdesign(type = "successive-difference"), mse = FALSE) an exact fraction; its square root is taken
to 40 digits. The decimal values stand for the parsed doubles: each double is within 2^-53 relative of
its decimal, an error that enters the SEs at about 1e-16 (independent over rows), far below the 1e-12
checked here. Each RESULT.json (barometer mean/merge --format json) is compared, estimate and SE, with
the exact values: the largest relative difference of each is printed.
"""
import json, sys
from decimal import Decimal, getcontext
from fractions import Fraction
import numpy as np
import polars as pl

getcontext().prec = 40


def exact(path, ys, reps, block=200_000):
    cols = ["wt"] + ys + reps
    frame = pl.read_csv(path, columns=cols, infer_schema_length=0).with_columns(
        [pl.col(c).str.replace(r"\.", "").cast(pl.Int64) for c in cols])   # "12.3456" -> 123456: exact
    W = np.column_stack([frame["wt"].to_numpy()] + [frame[c].to_numpy() for c in reps])   # n x (1 + R), 10^4 w
    Y = np.column_stack([frame[c].to_numpy() for c in ys])                              # n x k, 10^4 y
    num = np.zeros((W.shape[1], Y.shape[1]), dtype=object)
    den = np.zeros(W.shape[1], dtype=object)
    for lo in range(0, W.shape[0], block):   # int64 products summed exactly per block, blocks as Python ints
        w, y = W[lo:lo + block], Y[lo:lo + block]
        assert np.abs(w).max() * np.abs(y).max() * w.shape[0] < 2**62
        num += (w.T @ y).astype(object)
        den += w.sum(axis=0).astype(object)
    k, R = Y.shape[1], len(reps)
    out = []
    for j in range(k):
        theta = [Fraction(int(num[r, j]), int(den[r]) * 10_000) for r in range(1 + R)]
        full, rep = theta[0], theta[1:]
        centre = sum(rep, Fraction(0)) / R
        var = Fraction(4, R) * sum(((t - centre) ** 2 for t in rep), Fraction(0))
        se = (Decimal(var.numerator) / Decimal(var.denominator)).sqrt()
        out.append((Decimal(full.numerator) / Decimal(full.denominator), se))
    return out


def main():
    path, results = sys.argv[1], sys.argv[2:]
    ys = [f"y{j}" for j in range(1, 11)]
    reps = [f"rw{r}" for r in range(1, 81)]
    ref = exact(path, ys, reps)
    print("exact SEs:", " ".join(f"{float(se):.17g}" for _, se in ref))
    for name in results:
        est = json.load(open(name))["estimates"]
        de = max(abs(Decimal(repr(e["estimate"])) - m) / m for e, (m, _) in zip(est, ref))
        ds = max(abs(Decimal(repr(e["standardError"])) - s) / s for e, (_, s) in zip(est, ref))
        print(f"{name}: largest relative difference from exact: estimates {float(de):.2e}, SEs {float(ds):.2e}")


if __name__ == "__main__":
    main()
