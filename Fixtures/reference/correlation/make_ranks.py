"""Reference mid-ranks and Spearman matrices for the radix ranking path
(Tests/BarometerTests/WeightedRanksTests.swift).

Run from the repository root:  python3 Fixtures/reference/correlation/make_ranks.py
Writes ranks.json next to this script. Nothing here calls Barometer.

Columns are adversarial for a sort on order-preserving keys: heavy ties
(five codes), values that share their upper 32 bits and differ only in the
low mantissa bits (in shuffled order, with exact ties), -0.0 beside +0.0,
subnormals and values near +-1e300, a column offset by 1e9, and plain normals.
Data are stored as IEEE-754 bit patterns (hex) so every bit survives JSON.

Peers: scipy.stats.rankdata(method="average") (unit weights; Barometer's
mid-rank is that minus 1/2), an O(n^2) numpy evaluation of the weighted
ridit score R_i = sum_j w_j [x_j < x_i] + 1/2 sum_j w_j [x_j == x_i]
(no sorting), and scipy.stats.spearmanr for the matrix.
"""
import json, os, struct
import numpy as np, scipy, scipy.stats as st

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20261122)
n = 2000

cols = {}
cols["normal"] = rng.standard_normal(n)
cols["codes"] = rng.integers(1, 6, n).astype(float)
base = 1.0 + 2.0 ** -20            # low-bit neighbours of one value: equal upper 32 bits
steps = rng.integers(0, 400, n)
cols["lowbits"] = np.array([np.frombuffer(struct.pack("<q", struct.unpack("<q", struct.pack("<d", base))[0] + int(s)), "<f8")[0] for s in steps])
special = np.array([0.0, -0.0, 5e-324, -5e-324, 1e-310, -1e-310, 1e300, -1e300, 1.0, -1.0, 2.5, -2.5])
cols["signed"] = np.concatenate([special, rng.choice(special, n - len(special))])
rng.shuffle(cols["signed"])
cols["offset"] = 1e9 + rng.standard_normal(n) + 0.3 * cols["normal"]
names = list(cols)
weights = np.round(rng.uniform(0.2, 3.0, n), 6)
subset = np.array([i for i in range(n) if i % 7 != 3])

def ridit(x, w):
    x = np.asarray(x); w = np.asarray(w)
    out = np.empty(len(x))
    for a in range(0, len(x), 500):
        xi = x[a:a + 500, None]
        out[a:a + 500] = (w[None, :] * (x[None, :] < xi)).sum(1) + 0.5 * (w[None, :] * (x[None, :] == xi)).sum(1)
    return out

def hexbits(v):
    return [format(struct.unpack("<Q", struct.pack("<d", float(t)))[0], "016x") for t in v]

out = {"versions": {"numpy": np.__version__, "scipy": scipy.__version__}, "n": n, "names": names,
       "bits": {k: hexbits(v) for k, v in cols.items()}, "weights": weights.tolist(),
       "subset": subset.tolist(), "unit": {}, "weighted": {}, "unitSubset": {}, "weightedSubset": {}}
for k, v in cols.items():
    out["unit"][k] = (st.rankdata(v, method="average") - 0.5).tolist()
    out["weighted"][k] = ridit(v, weights).tolist()
    out["unitSubset"][k] = (st.rankdata(v[subset], method="average") - 0.5).tolist()
    out["weightedSubset"][k] = ridit(v[subset], weights[subset]).tolist()
rho = st.spearmanr(np.column_stack([cols[k] for k in names])).statistic
out["spearman"] = rho.tolist()
with open(os.path.join(HERE, "ranks.json"), "w") as f:
    json.dump(out, f)
