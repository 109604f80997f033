"""Reference values for the cross-tab engine from pandas, statsmodels and scipy.

Run (after make_data.py): python3 Fixtures/reference/crosstab/make_reference.py
Writes reference.json (counts, percentages, shares with Wald / Wilson /
Clopper-Pearson / Agresti-Coull intervals, banners, multiple-response sets)
and share_cases.json (the share definitions, read by make_reference_svy.R).

Formulas (what Barometer implements; see ConditionalShare.swift):
  p = sum(w, numerator) / sum(w, base); Kish n_eff = (sum w)^2 / sum w^2 over the base;
  Wald/Wilson/CP/Agresti-Coull = statsmodels proportion_confint(p * n_eff, n_eff, method);
  Korn-Graubard at p = 0 or 1 (where R's svyciprop returns NaN): Clopper-Pearson with
  n* = n_eff * (t_{N-1, a/2} / t_{df, a/2})^2, N = rows in the base (R nrow(subset(design, base))), df = base rows with w > 0 minus 1.
Category keys: the code as written ("1", "8") or "sys" for system-missing.
"""
import json, os
import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

HERE = os.path.dirname(os.path.abspath(__file__))


def load(name):
    with open(os.path.join(HERE, name + ".json")) as f:
        js = json.load(f)
    df = pd.DataFrame({c: np.array([np.nan if x is None else x for x in js["columns"][c]], dtype=float)
                       for c in js["order"]})
    missing = {c: set(float(m) for m in cb["missing"]) for c, cb in js["codebook"].items()}
    return df, missing, js["weight"]


def key(x):
    if np.isnan(x):
        return "sys"
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def valid(df, missing, v):
    return df[v].notna() & ~df[v].isin(list(missing.get(v, ())))


def crosstab_cells(df, missing, r, c, layers=(), weight=None, exclude=False, mask=None):
    d = df if mask is None else df[mask]
    if exclude:
        ok = np.ones(len(d), dtype=bool)
        for v in (r, c, *layers):
            ok &= valid(d, missing, v).to_numpy()
        d = d[ok]
    w = d[weight] if weight else pd.Series(1.0, index=d.index)
    keys = {v: d[v].map(key) for v in (r, c, *layers)}
    lay = [keys[v] for v in layers]
    frame = pd.DataFrame({"L": ["|".join(t) for t in zip(*lay)] if lay else [""] * len(d),
                          "R": keys[r].to_numpy(), "C": keys[c].to_numpy(), "w": w.to_numpy()}, index=d.index)
    out = []
    for L, g in frame.groupby("L", sort=True):
        cw = pd.crosstab(g["R"], g["C"], values=g["w"], aggfunc="sum").fillna(0.0)
        cn = pd.crosstab(g["R"], g["C"])
        rowp = pd.crosstab(g["R"], g["C"], values=g["w"], aggfunc="sum", normalize="index").fillna(0.0) * 100
        colp = pd.crosstab(g["R"], g["C"], values=g["w"], aggfunc="sum", normalize="columns").fillna(0.0) * 100
        totp = pd.crosstab(g["R"], g["C"], values=g["w"], aggfunc="sum", normalize="all").fillna(0.0) * 100
        for rk in cn.index:
            for ck in cn.columns:
                if cn.loc[rk, ck] == 0:
                    continue
                out.append({"layer": L, "row": rk, "col": ck, "n": int(cn.loc[rk, ck]),
                            "w": float(cw.loc[rk, ck]), "rowpct": float(rowp.loc[rk, ck]),
                            "colpct": float(colp.loc[rk, ck]), "totpct": float(totp.loc[rk, ck])})
    return out


def share(df, missing, weight, of, codes, among=None, among_codes=None, denominator="validAnswers", level=0.95):
    n_rows = len(df)
    w = df[weight].to_numpy() if weight else np.ones(n_rows)
    base = np.ones(n_rows, dtype=bool)
    if among is not None:
        base &= df[among].isin(among_codes).to_numpy()
    if denominator == "validAnswers":
        base &= valid(df, missing, of).to_numpy()
    y = df[of].isin(codes).to_numpy() & base
    W, Wy = w[base].sum(), w[y].sum()
    p = Wy / W
    neff = W ** 2 / (w[base] ** 2).sum()
    # design-based (linearization) variance of a domain ratio, with-replacement, N/(N-1)
    z = np.where(base, w * (y.astype(float) - p), 0.0) / W
    v = n_rows / (n_rows - 1) * ((z - z.mean()) ** 2).sum()
    df_design = int((base & (w > 0)).sum()) - 1
    alpha = 1 - level
    res = {"numeratorCount": int(y.sum()), "numeratorWeighted": float(Wy), "denominatorCount": int(base.sum()),
           "denominatorWeighted": float(W), "estimate": float(p), "effectiveSize": float(neff),
           "weightingDesignEffect": float(base.sum() / neff), "standardError": float(np.sqrt(p * (1 - p) / neff)),
           "designStandardError": float(np.sqrt(v)), "degreesOfFreedom": df_design, "level": level}
    for m, sm in (("wald", "normal"), ("wilson", "wilson"), ("clopper-pearson", "beta"), ("agresti-coull", "agresti_coull")):
        lo, hi = proportion_confint(p * neff, neff, alpha=alpha, method=sm)
        res[m] = [float(lo), float(hi)]
    if p in (0.0, 1.0):
        ratio = stats.t.ppf(alpha / 2, int(base.sum()) - 1) / stats.t.ppf(alpha / 2, df_design)
        ns = neff * ratio ** 2
        x = p * ns
        lo = 0.0 if p == 0 else stats.beta.ppf(alpha / 2, x, ns - x + 1)
        hi = 1.0 if p == 1 else stats.beta.ppf(1 - alpha / 2, x + 1, ns - x)
        res["korn-graubard-fallback"] = [float(lo), float(hi)]
    return res


def mrset(df, missing, weight, variables, exclude, mask=None):
    d = df if mask is None else df[mask]
    w = d[weight] if weight else pd.Series(1.0, index=d.index)
    stacked = pd.concat([pd.DataFrame({"code": d[v], "w": w}) for v in variables]).dropna(subset=["code"])
    by = stacked.groupby("code")["w"].agg(["sum", "count"])
    cases = d[variables].notna().any(axis=1)
    caseW = float(w[cases].sum())
    total = float(by["sum"].sum())
    sub = by[~by.index.isin(list(exclude))]["sum"].sum()
    rows = []
    for code, r in by.iterrows():
        rows.append({"code": key(code), "n": int(r["count"]), "w": float(r["sum"]),
                     "pctResponses": float(100 * r["sum"] / total), "pctCases": float(100 * r["sum"] / caseW),
                     "pctSubset": None if code in exclude else float(100 * r["sum"] / sub)})
    return {"rows": rows, "responseCount": int(by["count"].sum()), "responseWeighted": total,
            "caseCount": int(cases.sum()), "caseWeighted": caseW, "subsetWeighted": float(sub)}


dw, mw, _ = load("survey_weighted")
du, mu, _ = load("survey_unweighted")

cases = [
    {"id": "us12_among_rus12", "data": "survey_weighted", "weight": "w", "of": "us", "codes": [1, 2], "among": "rus", "amongCodes": [1, 2], "denominator": "validAnswers", "level": 0.95},
    {"id": "us12_among_rus12_all", "data": "survey_weighted", "weight": "w", "of": "us", "codes": [1, 2], "among": "rus", "amongCodes": [1, 2], "denominator": "allInDomain", "level": 0.95},
    {"id": "us12_among_rus12_90", "data": "survey_weighted", "weight": "w", "of": "us", "codes": [1, 2], "among": "rus", "amongCodes": [1, 2], "denominator": "validAnswers", "level": 0.90},
    {"id": "us12", "data": "survey_weighted", "weight": "w", "of": "us", "codes": [1, 2], "among": None, "amongCodes": None, "denominator": "validAnswers", "level": 0.95},
    {"id": "rus12_among_region3", "data": "survey_weighted", "weight": "w", "of": "rus", "codes": [1, 2], "among": "region", "amongCodes": [3], "denominator": "validAnswers", "level": 0.95},
    {"id": "us8_among_rus12_all", "data": "survey_weighted", "weight": "w", "of": "us", "codes": [8], "among": "rus", "amongCodes": [1, 2], "denominator": "allInDomain", "level": 0.95},
] + [
    {"id": "us12_by_rus_%d" % k, "data": "survey_weighted", "weight": "w", "of": "us", "codes": [1, 2], "among": "rus", "amongCodes": [k], "denominator": "validAnswers", "level": 0.95}
    for k in (1, 2, 3, 4)
] + [
    {"id": "u_y1_among_a2", "data": "survey_unweighted", "weight": None, "of": "y", "codes": [1], "among": "a", "amongCodes": [2], "denominator": "validAnswers", "level": 0.95},
    {"id": "u_y1_among_a1_p1", "data": "survey_unweighted", "weight": None, "of": "y", "codes": [1], "among": "a", "amongCodes": [1], "denominator": "validAnswers", "level": 0.95},
    {"id": "u_y1_among_a3_p0", "data": "survey_unweighted", "weight": None, "of": "y", "codes": [1], "among": "a", "amongCodes": [3], "denominator": "validAnswers", "level": 0.95},
    {"id": "u_y1_all", "data": "survey_unweighted", "weight": None, "of": "y", "codes": [1], "among": None, "amongCodes": None, "denominator": "allInDomain", "level": 0.99},
]
frames = {"survey_weighted": (dw, mw), "survey_unweighted": (du, mu)}
shares = {}
for c in cases:
    d, m = frames[c["data"]]
    shares[c["id"]] = share(d, m, c["weight"], c["of"], c["codes"], c["among"], c["amongCodes"], c["denominator"], c["level"])

ref = {
    "generator": "pandas %s, statsmodels %s, scipy %s" % (pd.__version__, __import__("statsmodels").__version__, __import__("scipy").__version__),
    "crosstabs": {
        "rus_us_show_w": crosstab_cells(dw, mw, "rus", "us", weight="w"),
        "rus_us_exclude_w": crosstab_cells(dw, mw, "rus", "us", weight="w", exclude=True),
        "rus_us_by_region_show_w": crosstab_cells(dw, mw, "rus", "us", layers=("region",), weight="w"),
        "rus_us_in_region12_exclude_w": crosstab_cells(dw, mw, "rus", "us", weight="w", exclude=True, mask=dw["region"].isin([1, 2])),
        "a_b_show_u": crosstab_cells(du, mu, "a", "b"),
        "a_b_exclude_u": crosstab_cells(du, mu, "a", "b", exclude=True),
        "b_y_by_a_exclude_u": crosstab_cells(du, mu, "b", "y", layers=("a",), exclude=True),
    },
    "banner": {
        "variables": ["rus", "us", "q3", "q4", "q5"],
        "show_w": {}, "show_wint": {}, "exclude_u": {},
    },
    "shares": shares,
    "mrsets": {
        "reasons_w_ex99": mrset(dw, mw, "w", ["reason1", "reason2"], {99.0}),
        "reasons_w_ex99_rus12": mrset(dw, mw, "w", ["reason1", "reason2"], {99.0, 98.0}, mask=dw["rus"].isin([1, 2])),
    },
}
vs = ref["banner"]["variables"]
for a in vs:
    for b in vs:
        ref["banner"]["show_w"][a + "|" + b] = crosstab_cells(dw, mw, a, b, weight="w")
        ref["banner"]["show_wint"][a + "|" + b] = crosstab_cells(dw, mw, a, b, weight="wint")
        ref["banner"]["exclude_u"][a + "|" + b] = crosstab_cells(dw, mw, a, b, exclude=True)

with open(os.path.join(HERE, "reference.json"), "w") as f:
    json.dump(ref, f)
with open(os.path.join(HERE, "share_cases.json"), "w") as f:
    json.dump(cases, f, indent=1)
