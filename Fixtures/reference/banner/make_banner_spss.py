"""Reference for the SPSS-style banner test (BannerBook, test = spss): SPSS
Custom Tables' column proportions z-test written out from its documented
formulas, with weights entering through the effective base (the "effective
base weight" option): for columns a, b of one banner variable,
  p_x = sum_{x, row} w / sum_{x, base} w,   n_x = (sum w)^2 / sum w^2 over x's base,
  pbar = (n_a p_a + n_b p_b) / (n_a + n_b),
  z = (p_a - p_b) / sqrt(pbar (1 - pbar) (1/n_a + 1/n_b)),  p = 2 (1 - Phi(|z|)),
Bonferroni: min(1, m p) with m the tested pairs of that banner variable in
that row. Base: valid answers (q1 codes 8/9 excluded). Columns as in
make_banner_svy.R (Total; region 1, 2, 3, net {1,2}; sex 1, 2); overlapping
columns (the net and its categories) are not compared.
Letters at levels (0.01, 0.05): upper case p <= 0.01, lower case p <= 0.05.
Run: python3 make_banner_spss.py  (numpy/scipy/pandas; writes banner_spss.json)."""
import json
import numpy as np
import pandas as pd
from scipy.stats import norm

d = pd.read_csv("banner_survey.csv")
w = d["wt"].to_numpy()
columns = [None, ("region", [1]), ("region", [2]), ("region", [3]), ("region", [1, 2]), ("sex", [1]), ("sex", [2])]
letters = ["", "A", "B", "C", "D", "E", "F"]
groups = {"region": [1, 2, 3, 4], "sex": [5, 6]}
rows = {"q1": [[1], [2], [3], [4], [1, 2]], "q2": [[1], [2], [3]], "reasons": [[1], [2], [3], [4], [2, 3]]}
valid = {"q1": d["q1"].isin([1, 2, 3, 4]).to_numpy(), "q2": d["q2"].notna().to_numpy(),
         "reasons": (d["reason1"].notna() | d["reason2"].notna()).to_numpy()}


def indicator(v, codes):
    """Multiple response: named in either column (cases base)."""
    if v == "reasons":
        return (d["reason1"].isin(codes) | d["reason2"].isin(codes)).to_numpy()
    return d[v].isin(codes).to_numpy()

out = {}
for v, entries in rows.items():
    base = valid[v]
    inCol = [np.ones(len(d), bool) if c is None else d[c[0]].isin(c[1]).to_numpy() for c in columns]
    neff = []
    for m in inCol:
        ww = w[base & m]
        neff.append(ww.sum() ** 2 / (ww ** 2).sum())
    tab = []
    for codes in entries:
        y = indicator(v, codes)
        p = [w[base & m & y].sum() / w[base & m].sum() for m in inCol]
        pairs, cellLetters = [], ["" for _ in columns]
        for g, cols in groups.items():
            fam = []
            for i, a in enumerate(cols):
                for b in cols[i + 1:]:
                    if set(columns[a][1]) & set(columns[b][1]):
                        continue
                    pb = (neff[a] * p[a] + neff[b] * p[b]) / (neff[a] + neff[b])
                    se = np.sqrt(pb * (1 - pb) * (1 / neff[a] + 1 / neff[b]))
                    z = (p[a] - p[b]) / se
                    fam.append({"a": a, "b": b, "difference": p[a] - p[b], "se": se, "z": z, "p": 2 * norm.sf(abs(z))})
            m = len(fam)
            for f in fam:
                f["pBonferroni"] = min(1.0, m * f["p"])
                q = f["pBonferroni"]
                hi, lo = (f["a"], f["b"]) if f["difference"] > 0 else (f["b"], f["a"])
                if q <= 0.01:
                    cellLetters[hi] += letters[lo]
                elif q <= 0.05:
                    cellLetters[hi] += letters[lo].lower()
            pairs += fam
        tab.append({"codes": codes, "p": p, "pairs": pairs, "letters": cellLetters})
    out[v] = {"effectiveBases": neff, "rows": tab}
json.dump(out, open("banner_spss.json", "w"), indent=0)
print(json.dumps(out["q1"]["rows"][0]["letters"]))
