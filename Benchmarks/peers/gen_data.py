"""Deterministic benchmark data for the peer comparison (never committed).

python3 gen_data.py OUTDIR [--scale full|small]

Binary matrices are raw little-endian float64 in column-major order (one
column after another) with a JSON sidecar {n, p, names}; every tool reads the
same bytes. Missing values are NaN. Fixed seeds: identical on every machine.
"""
import json, os, sys
import numpy as np

out = sys.argv[1]
scale = sys.argv[sys.argv.index("--scale") + 1] if "--scale" in sys.argv else "full"
big = 1_000_000 if scale == "full" else 20_000
mid = 100_000 if scale == "full" else 5_000
os.makedirs(out, exist_ok=True)


def write(name, cols, names):
    path = os.path.join(out, name)
    if os.path.exists(path + ".json"):
        return
    n = len(cols[0])
    with open(path + ".f64", "wb") as f:
        for c in cols:
            np.asarray(c, dtype="<f8").tofile(f)
    with open(path + ".json", "w") as f:
        json.dump({"n": n, "p": len(cols), "names": names}, f)


def continuous(n, p, seed, missing=0.0):
    rng = np.random.default_rng(seed)
    common = rng.standard_normal(n)
    cols = []
    for j in range(p):
        c = 0.6 * common + rng.standard_normal(n) + j
        if missing:
            c[rng.random(n) < missing] = np.nan
        cols.append(c)
    return cols


for n, p in ((mid, 50), (mid, 200), (big, 50), (big, 200)):
    write(f"cont_{n}_{p}", continuous(n, p, seed=n + p), [f"x{j + 1}" for j in range(p)])
write(f"pairwise_{big}_50", continuous(big, 50, seed=11, missing=0.10), [f"x{j + 1}" for j in range(50)])

# Fifty five-code questions (1..5), correlated through a latent factor, plus a weight.
for n in (mid, big):
    rng = np.random.default_rng(n)
    latent = rng.standard_normal(n)
    cols = []
    for j in range(50):
        z = 0.5 * latent + rng.standard_normal(n)
        cols.append(np.digitize(z, [-1.2, -0.4, 0.4, 1.2]).astype(float) + 1)
    cols.append(np.round(rng.uniform(0.3, 3.0, n), 6))
    write(f"cat_{n}_50", cols, [f"q{j + 1}" for j in range(50)] + ["wt"])

# Banner book: 100 five-code questions (a latent factor), 5 four-code banner variables
# (20 columns), a weight. Tasks banner_N_Q use the first Q questions.
for n in (mid, big):
    rng = np.random.default_rng(n + 19)
    latent = rng.standard_normal(n)
    cols = [rng.integers(1, 5, n).astype(float) for _ in range(5)]
    for j in range(100):
        z = 0.5 * latent + 0.1 * cols[j % 5] + rng.standard_normal(n)
        cols.append(np.digitize(z, [-1.0, -0.3, 0.5, 1.3]).astype(float) + 1)
    cols.append(np.round(rng.uniform(0.3, 3.0, n), 6))
    write(f"banner_{n}", cols, [f"g{j + 1}" for j in range(5)] + [f"q{j + 1}" for j in range(100)] + ["wt"])

# Conditional shares by group: 12 regions, a yes/no outcome, weights.
rng = np.random.default_rng(5)
region = rng.integers(1, 13, mid).astype(float)
outcome = (rng.random(mid) < 0.3 + 0.03 * region).astype(float)
write(f"shares_{mid}", [region, outcome, np.round(rng.uniform(0.3, 3.0, mid), 6)], ["region", "yes", "wt"])

# Replicate design: 50 variables, 200 JK1-style replicate weights.
reps = 200
rng = np.random.default_rng(9)
psu = rng.integers(0, reps, big)
w = np.round(rng.uniform(0.5, 2.0, big), 6)
ys = [rng.standard_normal(big) + j for j in range(50)]
rw = [np.where(psu == r, 0.0, w * reps / (reps - 1)) for r in range(reps)]
write(f"reps_{big}", ys + [w] + rw, [f"y{j + 1}" for j in range(50)] + ["wt"] + [f"rw{r + 1}" for r in range(reps)])

# Numeric CSV for ingest (~1 GB at full scale), written in blocks.
csv_path = os.path.join(out, "ingest.csv")
if not os.path.exists(csv_path):
    rows = 4_600_000 if scale == "full" else 50_000
    rng = np.random.default_rng(3)
    with open(csv_path, "w") as f:
        f.write(",".join(f"c{j + 1}" for j in range(20)) + "\n")
        import polars as pl
        block = 500_000
        for start in range(0, rows, block):
            m = min(block, rows - start)
            a = np.round(rng.standard_normal((m, 20)) * 100, 6)
            f.write(pl.DataFrame(a, schema=[f"c{j + 1}" for j in range(20)]).write_csv(include_header=False, float_precision=6))
print(out)
