"""Reference pairwise-complete correlations over several row chunks
(Tests/BarometerTests/PairwiseChunkTests.swift).

Run from the repository root:  python3 Fixtures/reference/correlation/make_pairwise.py
Writes pairwise.json next to this script. Nothing here calls Barometer.

n = 10000 rows (three 4096-row chunks). Columns: normals with 10 % missing;
"lone" whose first 4096 rows hold a single valid value 1e4 (so a shift taken
from the first chunk is ~80 standard deviations from the column's mean);
a column offset by 1e9; five codes with 20 % missing; a column missing in
60 % of rows. Data are stored as IEEE-754 bit patterns (hex; NaN = missing).

Peers: numpy per pair on the rows valid on both — np.corrcoef (two-pass)
unweighted, np.cov with aweights (= R cov.wt) weighted; counts by numpy.
pandas DataFrame.corr() agrees with np.corrcoef to 1e-14 except on pairs with
the 1e9-offset column, where pandas itself is off by up to 1e-9 relative (its
pairwise algorithm is not shift-robust), so numpy is the reference; the
pandas matrix is stored too ("pandas") for information.
"""
import json, os, struct
import numpy as np, pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(7)
n = 10000
common = rng.standard_normal(n)
cols = {}
cols["a"] = common + rng.standard_normal(n)
cols["lone"] = 0.5 * common + rng.standard_normal(n)
cols["lone"][:4096] = np.nan
cols["lone"][17] = 1e4
cols["offset"] = 1e9 + 0.7 * common + rng.standard_normal(n)
cols["codes"] = np.digitize(0.5 * common + rng.standard_normal(n), [-1.2, -0.4, 0.4, 1.2]).astype(float) + 1
cols["sparse"] = common - rng.standard_normal(n)
for k, frac in (("a", 0.1), ("offset", 0.1), ("codes", 0.2), ("sparse", 0.6)):
    cols[k][rng.random(n) < frac] = np.nan
names = list(cols)
w = np.round(rng.uniform(0.2, 3.0, n), 6)
df = pd.DataFrame(cols)

def hexbits(v):
    return [format(struct.unpack("<Q", struct.pack("<d", float(t)))[0], "016x") for t in v]

p = len(names)
wr = np.full((p, p), np.nan); ur = np.full((p, p), np.nan); cnt = np.zeros((p, p), int)
for i in range(p):
    for j in range(p):
        ok = ~np.isnan(cols[names[i]]) & ~np.isnan(cols[names[j]])
        cnt[i, j] = ok.sum()
        ur[i, j] = np.corrcoef(cols[names[i]][ok], cols[names[j]][ok])[0, 1]
        c = np.cov(np.vstack([cols[names[i]][ok], cols[names[j]][ok]]), aweights=w[ok])
        wr[i, j] = c[0, 1] / np.sqrt(c[0, 0] * c[1, 1])
out = {"versions": {"numpy": np.__version__, "pandas": pd.__version__}, "n": n, "names": names,
       "bits": {k: hexbits(v) for k, v in cols.items()}, "weights": w.tolist(),
       "pandas": df.corr().values.tolist(), "unweighted": ur.tolist(), "weighted": wr.tolist(), "counts": cnt.tolist()}
with open(os.path.join(HERE, "pairwise.json"), "w") as f:
    json.dump(out, f)
