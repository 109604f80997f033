"""A small weighted survey with Don't-know/Refused codes and system-missing,
plus reference weighted frequencies computed with pandas (independent of
Barometer). R survey's svytable/svymean cross-check: make_weighted_dk.R.

Run from the repository root:
    python3 Fixtures/reference/frequencies/make_weighted_dk.py
    Rscript Fixtures/reference/frequencies/make_weighted_dk.R
Writes weighted-dk.csv, weighted-dk.codebook.json, expected-pandas.json.
"""
import json, os
import numpy as np
import pandas as pd

here = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(7)
n = 600
# Opinion of a country: 1 very favorable .. 4 very unfavorable, 8 DK, 9 refused, blank = system-missing
opinion = rng.choice([1, 2, 3, 4, 8, 9], size=n, p=[0.38, 0.47, 0.06, 0.02, 0.05, 0.02]).astype(float)
opinion[rng.choice(n, size=9, replace=False)] = np.nan
# Region, nominal, with a label set that includes an unobserved code (5)
region = rng.choice([1, 2, 3, 4], size=n, p=[0.4, 0.3, 0.2, 0.1]).astype(float)
# Weights: post-stratification-like, a few zeros
wt = np.round(rng.lognormal(mean=0.0, sigma=0.45, size=n), 6)
wt[rng.choice(n, size=5, replace=False)] = 0.0
df = pd.DataFrame({"id": np.arange(1, n + 1), "region": region.astype(int),
                   "opinion": pd.array(opinion, dtype="Float64").astype("Int64"), "wt": wt})
df.to_csv(os.path.join(here, "weighted-dk.csv"), index=False, na_rep="", float_format="%.6f")

codebook = {
    "weight": "wt",
    "variables": [
        {"name": "id", "label": "Respondent id", "level": "nominal"},
        {"name": "region", "label": "Region", "level": "nominal",
         "valueLabels": {"1": "North", "2": "South", "3": "East", "4": "West", "5": "Capital"}},
        {"name": "opinion", "label": "Opinion of Country A", "level": "ordinal",
         "valueLabels": {"1": "Very favorable", "2": "Somewhat favorable", "3": "Somewhat unfavorable",
                         "4": "Very unfavorable", "8": "Don't know", "9": "Refused"},
         "missing": [8, 9]},
        {"name": "wt", "label": "Survey weight", "level": "scale"},
    ],
}
with open(os.path.join(here, "weighted-dk.codebook.json"), "w") as f:
    json.dump(codebook, f, indent=1)

# Re-read the CSV exactly as written, so the reference uses the rounded values.
df = pd.read_csv(os.path.join(here, "weighted-dk.csv"))
out = {"generator": "pandas %s" % pd.__version__, "tables": {}}
full = df
for key, var, missing, dom in (("opinion", "opinion", {8.0, 9.0}, None), ("region", "region", set(), None),
                               ("opinion|region in {1,3}", "opinion", {8.0, 9.0}, [1, 3])):
    df = full if dom is None else full[full["region"].isin(dom)]
    total_w = df["wt"].sum()
    total_n = len(df)
    col = df[var]
    valid_mask = col.notna() & ~col.isin(missing)
    valid_w = df.loc[valid_mask, "wt"].sum()
    rows = []
    cum = 0.0
    codes = sorted(set(col.dropna().unique()))
    labelled = [float(k) for k in next(v for v in codebook["variables"] if v["name"] == var).get("valueLabels", {})]
    valid_codes = sorted({c for c in codes + labelled if c not in missing})
    miss_codes = sorted({c for c in codes + labelled if c in missing})
    for c in valid_codes:
        m = col == c
        w = df.loc[m, "wt"].sum()
        cum += w
        rows.append({"code": float(c), "status": "valid", "count": int(m.sum()), "weighted": float(w),
                     "percent": 100 * w / total_w, "validPercent": 100 * w / valid_w,
                     "cumulativePercent": 100 * cum / valid_w})
    for c in miss_codes:
        m = col == c
        w = df.loc[m, "wt"].sum()
        rows.append({"code": float(c), "status": "userMissing", "count": int(m.sum()), "weighted": float(w),
                     "percent": 100 * w / total_w})
    if col.isna().any():
        m = col.isna()
        w = df.loc[m, "wt"].sum()
        rows.append({"code": None, "status": "systemMissing", "count": int(m.sum()), "weighted": float(w),
                     "percent": 100 * w / total_w})
    out["tables"][key] = {"rows": rows, "totalCount": total_n, "totalWeighted": total_w,
                          "validCount": int(valid_mask.sum()), "validWeighted": valid_w,
                          "kishEffectiveSize": total_w ** 2 / (df["wt"] ** 2).sum()}
with open(os.path.join(here, "expected-pandas.json"), "w") as f:
    json.dump(out, f, indent=1, default=float)
