"""Deterministic CSV files for the end-to-end peer run (never committed).

python3 gen_e2e.py OUTDIR [--scale full|mid|small] [--tasks "pearson shares strata sdr crosstab glm"]

Full scale is 10^6 respondents (issue 21's table); mid is 200,000; small is 50,000 (a few
minutes for the whole run). Fixed seeds: identical on every machine.

  e2e_pearson.csv   x1..x50, correlated normals, 6 decimals        (~485 MB full)
  e2e_shares.csv    region 1..12, yes 0/1, wt
  e2e_strata.csv    st 1..50, psu (ids restart in each stratum), wt, y1..y5
                    full: 2,000 PSUs in each stratum (100,000 PSUs, 10 respondents each)
  e2e_sdr.csv       wt, y1..y5, rw1..rw80 SDR replicate weights      (~890 MB full)
  e2e_crosstab.csv  st, psu, wt, a 1..5, b 1..5 (same design as e2e_strata)
  e2e_glm.csv       st, psu, wt, y 0/1, x1..x20 (issue 20: logistic regression, same design as
                    e2e_strata; y from a logit model with a PSU effect)          (~210 MB full)
"""
import os, sys
import numpy as np
import polars as pl

out = sys.argv[1]
scale = sys.argv[sys.argv.index("--scale") + 1] if "--scale" in sys.argv else "full"
n = {"full": 1_000_000, "mid": 200_000}.get(scale, 50_000)
tasks = (sys.argv[sys.argv.index("--tasks") + 1] if "--tasks" in sys.argv else "pearson shares strata sdr crosstab").split()
os.makedirs(out, exist_ok=True)
BLOCK = 100_000


def write(name, make):
    """make(rng, start, m) -> dict of columns for rows start..start+m."""
    path = os.path.join(out, name)
    if os.path.exists(path) or name[4:-4] not in tasks:
        return
    rng = np.random.default_rng(sum(map(ord, name)))
    tmp = path + ".part"
    with open(tmp, "w") as f:
        for i, start in enumerate(range(0, n, BLOCK)):
            m = min(BLOCK, n - start)
            df = pl.DataFrame(make(rng, start, m))
            f.write(df.write_csv(include_header=(i == 0), float_precision=6))
    os.replace(tmp, path)


def pearson(rng, start, m):
    common = rng.standard_normal(m)
    return {f"x{j + 1}": np.round(0.6 * common + rng.standard_normal(m), 6) for j in range(50)}


def shares(rng, start, m):
    region = rng.integers(1, 13, m)
    return {"region": region, "yes": (rng.random(m) < 0.3 + 0.03 * region).astype(np.int64),
            "wt": np.round(rng.uniform(0.3, 3.0, m), 6)}


STRATA = 50
PER_PSU = 10                          # respondents per PSU
PSUS = n // STRATA // PER_PSU         # PSUs per stratum: 2,000 full, 100 small


def design(rng, start, m):
    row = np.arange(start, start + m)
    st = row // (n // STRATA) + 1
    psu = (row % (n // STRATA)) // PER_PSU + 1
    effect = rng.standard_normal(STRATA * PSUS + 1)  # a PSU effect makes the design matter
    return st, psu, effect[(st - 1) * PSUS + psu]


def strata(rng, start, m):
    st, psu, eff = design(rng, start, m)
    cols = {"st": st, "psu": psu, "wt": np.round(rng.uniform(0.5, 2.5, m) * (1 + st / 50), 6)}
    for j in range(5):
        cols[f"y{j + 1}"] = np.round(10 * (j + 1) + st / 10 + eff + rng.standard_normal(m), 6)
    return cols


def sdr(rng, start, m):
    w = np.round(rng.uniform(0.5, 2.5, m), 6)
    cols = {"wt": w}
    for j in range(5):
        cols[f"y{j + 1}"] = np.round(10 * (j + 1) + rng.standard_normal(m), 6)
    # successive-difference factors 1 + (h_r(i) - h_r(i+1)) / sqrt(2), h = +-1 (Fay & Train),
    # row i in the sort order; values 1 - sqrt 2, 1, 1 + sqrt 2 scaled by 0.5 to stay >= 0
    h = rng.choice([-1.0, 1.0], size=(80, m + 1))
    for r in range(80):
        f = 1 + 0.5 * (h[r, :-1] - h[r, 1:]) / np.sqrt(2)
        cols[f"rw{r + 1}"] = np.round(w * f, 6)
    return cols


def crosstab(rng, start, m):
    st, psu, eff = design(rng, start, m)
    _, _, eff2 = design(rng, start, m)   # independent PSU effects: a near-null association
    a = np.clip(np.digitize(0.5 * eff + rng.standard_normal(m), [-1.2, -0.4, 0.4, 1.2]) + 1, 1, 5)
    b = np.clip(np.digitize(0.02 * (a - 3) + 0.5 * eff2 + rng.standard_normal(m), [-1.2, -0.4, 0.4, 1.2]) + 1, 1, 5)
    return {"st": st, "psu": psu, "wt": np.round(rng.uniform(0.5, 2.5, m), 6), "a": a, "b": b}


def glm(rng, start, m):
    st, psu, eff = design(rng, start, m)
    cols = {"st": st, "psu": psu, "wt": np.round(rng.uniform(0.5, 2.5, m), 6)}
    eta = -0.3 + 0.3 * eff
    for j in range(20):
        x = np.round(rng.standard_normal(m), 4)
        cols[f"x{j + 1}"] = x
        eta = eta + (0.15 if j % 2 == 0 else -0.1) * x
    cols["y"] = (rng.random(m) < 1 / (1 + np.exp(-eta))).astype(np.int64)
    return cols


write("e2e_pearson.csv", pearson)
write("e2e_shares.csv", shares)
write("e2e_strata.csv", strata)
write("e2e_sdr.csv", sdr)
write("e2e_crosstab.csv", crosstab)
write("e2e_glm.csv", glm)
print(out)
