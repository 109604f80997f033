"""Reference for the SPSS-style column test on the memo fixture
(Fixtures/surveys/kz2019-synthetic.csv with its codebook, weight wt), banner
specification Fixtures/surveys/kz2019-banner.json (the `make demo` book: four
questions with their 1+2 nets x Total, lang, wave, agegroup), run with
test = spss and adjust = bonferroni.

SPSS Custom Tables' COMPARETEST (TYPE=PROP, ADJUST=BONFERRONI) written out
from its documented formulas, weights entering through the effective base
(the "effective base weight" option), for columns a, b of one banner variable:
  p_x = sum_{x, row} w / sum_{x, base} w,    n_x = (sum w)^2 / sum w^2 over x's base,
  pbar = (n_a p_a + n_b p_b) / (n_a + n_b),
  z = (p_a - p_b) / sqrt(pbar (1 - pbar) (1/n_a + 1/n_b)),   p = 2 (1 - Phi(|z|)),
  Bonferroni: min(1, m p), m = the tested pairs of that banner variable in that row.
Base: valid answers (the codebook's missing codes 8/9 and blanks excluded from
the question; banner columns are the valid codes of each banner variable).
A pair with pbar 0 or 1 is not tested. Letters: the higher column gets the
lower column's letter, upper case at p <= 0.01, lower case at p <= 0.05
(levels [0.05, 0.01]); letters run A, B, ... over the banner columns, Total
has none.
Run: python3 make_banner_spss_kz.py  (numpy/scipy/pandas; writes banner_spss_kz.json)."""
import json
import numpy as np
import pandas as pd
from scipy.stats import norm

d = pd.read_csv("../../surveys/kz2019-synthetic.csv")
book = json.load(open("../../surveys/kz2019-banner.json"))
codebook = {v["name"]: v for v in json.load(open("../../surveys/kz2019-synthetic.codebook.json"))["variables"]}
w = d["wt"].to_numpy()


def valid_codes(name):
    missing = set(codebook[name].get("missing", []))
    return sorted(float(c) for c in d[name].dropna().unique() if c not in missing)


# Banner columns: Total, then the valid codes of each banner variable.
columns, groups = [None], {}
for b in book["banner"]:
    v = b["variable"]
    groups[v] = []
    for c in valid_codes(v):
        groups[v].append(len(columns))
        columns.append((v, c))
letters = [""] + [chr(65 + k) for k in range(len(columns) - 1)]
inCol = [np.ones(len(d), bool) if c is None else (d[c[0]] == c[1]).to_numpy() for c in columns]

out = {}
for stub in book["stubs"]:
    v = stub["variable"]
    codes = valid_codes(v)
    base = d[v].isin(codes).to_numpy()
    wsum = [float(w[base & m].sum()) for m in inCol]
    neff = [float(w[base & m].sum()) ** 2 / (w[base & m] ** 2).sum() for m in inCol]
    unweighted = [int((base & m).sum()) for m in inCol]
    entries = [[c] for c in codes] + [n["codes"] for n in stub.get("nets", [])]
    rows = []
    for entry in entries:
        y = d[v].isin(entry).to_numpy()
        p = [float(w[base & m & y].sum() / w[base & m].sum()) for m in inCol]
        pairs, cellLetters = [], ["" for _ in columns]
        for g, cols in groups.items():
            fam = []
            for i, a in enumerate(cols):
                for b in cols[i + 1:]:
                    pb = (neff[a] * p[a] + neff[b] * p[b]) / (neff[a] + neff[b])
                    if pb <= 0 or pb >= 1:
                        continue
                    se = np.sqrt(pb * (1 - pb) * (1 / neff[a] + 1 / neff[b]))
                    z = (p[a] - p[b]) / se
                    fam.append({"a": a, "b": b, "difference": p[a] - p[b], "se": float(se), "z": float(z), "p": float(2 * norm.sf(abs(z)))})
            m = len(fam)
            for f in fam:
                f["pBonferroni"] = min(1.0, m * f["p"])
                q = f["pBonferroni"]
                hi, lo = (f["a"], f["b"]) if f["difference"] > 0 else (f["b"], f["a"])
                if f["difference"] != 0 and q <= 0.01:
                    cellLetters[hi] += letters[lo]
                elif f["difference"] != 0 and q <= 0.05:
                    cellLetters[hi] += letters[lo].lower()
            pairs += fam
        rows.append({"codes": entry, "p": p, "pairs": pairs, "letters": cellLetters})
    out[v] = {"unweightedBases": unweighted, "weightedBases": wsum, "effectiveBases": neff, "rows": rows}
json.dump({"letters": letters, "tables": out}, open("banner_spss_kz.json", "w"), indent=0)
print(json.dumps(out[book["stubs"][0]["variable"]]["rows"][0]["letters"]))
