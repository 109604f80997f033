"""Deterministic benchmark data for the peer comparison (never committed).

python3 gen_data.py OUTDIR [--scale full|small] [--only "TASK ..."]

With --only (run.sh passes its --tasks), only the data those tasks read is written.

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
only = sys.argv[sys.argv.index("--only") + 1].split() if "--only" in sys.argv else None


def want(*kinds):
    return only is None or any(t.split("_")[0] in kinds for t in only)


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
    if want("pearson", "spearman", "pcorrmatrix", "pcorrpairs", "dsyrk", "chunkfloor"):
        write(f"cont_{n}_{p}", continuous(n, p, seed=n + p), [f"x{j + 1}" for j in range(p)])
if want("pairwise"):
    write(f"pairwise_{big}_50", continuous(big, 50, seed=11, missing=0.10), [f"x{j + 1}" for j in range(50)])

# Fifty five-code questions (1..5), correlated through a latent factor, plus a weight.
for n in ((mid, big) if want("table", "alltables") else ()):
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
for n in ((mid, big) if want("banner") else ()):
    rng = np.random.default_rng(n + 19)
    latent = rng.standard_normal(n)
    cols = [rng.integers(1, 5, n).astype(float) for _ in range(5)]
    for j in range(100):
        z = 0.5 * latent + 0.1 * cols[j % 5] + rng.standard_normal(n)
        cols.append(np.digitize(z, [-1.0, -0.3, 0.5, 1.3]).astype(float) + 1)
    cols.append(np.round(rng.uniform(0.3, 3.0, n), 6))
    write(f"banner_{n}", cols, [f"g{j + 1}" for j in range(5)] + [f"q{j + 1}" for j in range(100)] + ["wt"])

# Conditional shares by group: 12 regions, a yes/no outcome, weights.
if want("shares"):
    rng = np.random.default_rng(5)
    region = rng.integers(1, 13, mid).astype(float)
    outcome = (rng.random(mid) < 0.3 + 0.03 * region).astype(float)
    write(f"shares_{mid}", [region, outcome, np.round(rng.uniform(0.3, 3.0, mid), 6)], ["region", "yes", "wt"])

# Replicate design: 50 variables, 200 JK1-style replicate weights.
if want("reps") and not os.path.exists(os.path.join(out, f"reps_{big}.json")):
    reps = 200
    rng = np.random.default_rng(9)
    psu = rng.integers(0, reps, big)
    w = np.round(rng.uniform(0.5, 2.0, big), 6)
    ys = [rng.standard_normal(big) + j for j in range(50)]
    rw = [np.where(psu == r, 0.0, w * reps / (reps - 1)) for r in range(reps)]
    write(f"reps_{big}", ys + [w] + rw, [f"y{j + 1}" for j in range(50)] + ["wt"] + [f"rw{r + 1}" for r in range(reps)])

# Raking (issue 18): 6 margins with 40 categories in all (sex 2, age 6, region 14, education 5,
# urban 2, language 11), correlated through two latent traits so that IPF needs several sweeps;
# targets are the sample shares moved by a random factor (SYNTHETIC), written in Barometer's CSV
# target format (variable,category,target), read by every tool. Base weights are 1 (weightipy's
# Rake always starts from 1).
def raking_data(n, seed):
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal(n), rng.standard_normal(n)
    def cut(z, k):
        return np.digitize(z, np.quantile(z, np.linspace(0, 1, k + 1)[1:-1] + rng.uniform(-0.3, 0.3, k - 1) / k)) + 1.0
    spec = [("sex", 2, 0.3 * a), ("age", 6, 0.8 * a), ("region", 14, 0.5 * b), ("edu", 5, -0.6 * a + 0.4 * b),
            ("urban", 2, 0.7 * b), ("lang", 11, 0.6 * b + 0.3 * a)]
    cols, names, rows = [], [], []
    for name, k, z in spec:
        c = cut(z + rng.standard_normal(n), k)
        cols.append(c); names.append(name)
        share = np.bincount(c.astype(int), minlength=k + 1)[1:] / n
        t = share * np.exp(0.25 * rng.standard_normal(k)); t = t / t.sum()
        rows += [f"{name},{j + 1},{t[j]:.12f}" for j in range(k)]
    # the rounded shares sum to 1 within 1e-11; every tool reads these same numbers
    return cols, names, rows


for n in ((mid, big) if want("rake") else ()):
    if not os.path.exists(os.path.join(out, f"rake_{n}.json")):
        cols, names, rows = raking_data(n, seed=18 + n)
        write(f"rake_{n}", cols, names)
        with open(os.path.join(out, f"rake_{n}_targets.csv"), "w") as f:
            f.write("variable,category,target\n" + "\n".join(rows) + "\n")

# Numeric CSV for ingest (~1 GB at full scale), written in blocks.
csv_path = os.path.join(out, "ingest.csv")
if want("csv") and not os.path.exists(csv_path):
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
