"""Reference values for the library-ergonomics tests (issue 23), computed with
pandas/SciPy/hashlib, independent of Barometer.

- crosstab: the pw-weighted stype x sch_wide table of apistrat (R survey's api
  data); Pearson X2 and G2 on the weighted counts (scipy chi2_contingency,
  no continuity correction) and Cramer's V = sqrt(X2 / (W (q - 1))).
- correlation: unweighted Pearson r and two-sided p (scipy.stats.pearsonr)
  of api00, api99, enroll, api_stu on apistrat.
- sha256: hashlib digests of committed files and of short byte strings
  (the empty string, "abc", 1,000,000 x "a", and lengths around the 64-byte
  block boundary) for the SHA-256 implementation.

Run from the repository root: python3 Fixtures/reference/library/make_library.py
"""
import hashlib
import json
import math

import pandas as pd
from scipy import stats

api = pd.read_csv("Fixtures/reference/design/apistrat.csv")
tab = pd.crosstab(api["stype"], api["sch_wide"], values=api["pw"], aggfunc="sum").fillna(0)
chi2, p, dof, _ = stats.chi2_contingency(tab.values, correction=False)
g2, gp, _, _ = stats.chi2_contingency(tab.values, correction=False, lambda_="log-likelihood")
W = tab.values.sum()
q = min(tab.shape)
out = {
    "crosstab": {
        "weighted": tab.values.tolist(),
        "pearson": chi2, "pearsonP": p, "df": dof,
        "likelihoodRatio": g2, "likelihoodRatioP": gp,
        "cramersV": math.sqrt(chi2 / (W * (q - 1))),
    }
}
names = ["api00", "api99", "enroll", "api_stu"]
corr = {}
for a in names:
    for b in names:
        if a < b:
            r, pv = stats.pearsonr(api[a], api[b])
            corr[f"{a},{b}"] = {"r": float(r), "p": float(pv)}
out["correlation"] = {"variables": names, "pairs": corr}

files = ["Fixtures/reference/design/apistrat.csv", "Fixtures/surveys/kz2019-synthetic.csv"]
out["sha256"] = {
    "files": {f: hashlib.sha256(open(f, "rb").read()).hexdigest() for f in files},
    "strings": {
        "": hashlib.sha256(b"").hexdigest(),
        "abc": hashlib.sha256(b"abc").hexdigest(),
        "a*1000000": hashlib.sha256(b"a" * 1000000).hexdigest(),
        **{f"x*{n}": hashlib.sha256(b"x" * n).hexdigest() for n in (55, 56, 63, 64, 65, 119, 120, 128)},
    },
}
with open("Fixtures/reference/library/expected.json", "w") as fh:
    json.dump(out, fh, indent=1, sort_keys=True)
