#!/usr/bin/env python3
"""Reference design-based SEs and 95% CIs of the correlation and partial-correlation
claims on the SYNTHETIC fixture surveys (independent of Barometer).

Method (numpy/scipy): weighted Pearson on listwise-complete rows (codes 8/9 and empty
cells excluded), partial correlation as the correlation of the weighted-least-squares
residuals on the controls (with intercept). Linearization through the influence function
of the correlation of residuals,
    IF_i = e_x e_y / sqrt(s_xx s_yy) - r/2 (e_x^2/s_xx + e_y^2/s_yy),
(the estimated means and regression coefficients contribute nothing to first order),
scores z_i = w_i IF_i / sum(w) on the rows used and 0 elsewhere (domain estimation keeps
every row), with-replacement variance n/(n-1) sum (z_i - mean z)^2 over all n rows (R
survey's weights-only design). CI: Fisher z with t quantile, df = n - 1:
    tanh(atanh r +/- t * se / (1 - r^2)).
This derivation (residuals + influence function) differs from Barometer's (delta method on
the precision matrix of ratio-of-totals covariances); both are exact, so they agree to
rounding.

Run from the repository root: python3 Fixtures/reference/verify/make_correlation_ci.py
"""
import json
import numpy as np
import pandas as pd
from scipy import stats

DATASETS = {
    "kz2019-synthetic": ("Fixtures/surveys/kz2019-synthetic.csv", "Fixtures/memos/ponars-658.claims.json"),
    "kz2019-synthetic-perturbed": ("Fixtures/surveys/kz2019-synthetic-perturbed.csv", "Fixtures/memos/ponars-658.claims.json"),
}
MISSING = {8, 9}


def corr_ci(df, x, y, controls, wname="wt"):
    cols = [x, y] + controls
    data = df[cols].astype(float)
    ok = data.notna().all(axis=1) & ~data.isin(MISSING).any(axis=1)
    w_all = df[wname].to_numpy(float)
    n_all = len(df)
    d = data[ok].to_numpy(float)
    w = w_all[ok.to_numpy()]
    sw = w.sum()
    m = (w[:, None] * d).sum(axis=0) / sw
    c = d - m
    ex, ey = c[:, 0], c[:, 1]
    if controls:
        Z = c[:, 2:]
        WZ = Z * w[:, None]
        A = Z.T @ WZ
        ex = ex - Z @ np.linalg.solve(A, WZ.T @ c[:, 0])
        ey = ey - Z @ np.linalg.solve(A, WZ.T @ c[:, 1])
    sxx = (w * ex * ex).sum() / sw
    syy = (w * ey * ey).sum() / sw
    sxy = (w * ex * ey).sum() / sw
    r = sxy / np.sqrt(sxx * syy)
    IF = ex * ey / np.sqrt(sxx * syy) - r / 2 * (ex * ex / sxx + ey * ey / syy)
    z = np.zeros(n_all)
    z[ok.to_numpy()] = w * IF / sw
    var = n_all / (n_all - 1) * ((z - z.mean()) ** 2).sum()
    se = float(np.sqrt(var))
    dfree = n_all - 1
    t = stats.t.ppf(0.975, dfree)
    zc, half = np.arctanh(r), t * se / (1 - r * r)
    return {"value": float(r), "se": se, "ciLower": float(np.tanh(zc - half)),
            "ciUpper": float(np.tanh(zc + half)), "n": int(ok.sum()), "df": dfree}


def main():
    out = {"description": "SYNTHETIC fixtures: design-based (linearization, weights-only with-replacement) SE and "
                          "Fisher-z 95% CI (t, df = n-1) of every correlation / partial-correlation claim; "
                          "made by Fixtures/reference/verify/make_correlation_ci.py (numpy/scipy, influence functions).",
           "datasets": {}}
    for name, (csv, claims) in DATASETS.items():
        df = pd.read_csv(csv)
        figs = {}
        for c in json.load(open(claims))["claims"]:
            comp = c["computation"]
            if comp["kind"] not in ("correlation", "partial-correlation"):
                continue
            ctrl = comp.get("controls", []) if comp["kind"] == "partial-correlation" else []
            figs[c["id"]] = corr_ci(df, comp["variables"][0], comp["variables"][1], ctrl)
        out["datasets"][name] = {"csv": csv, "claims": claims, "figures": figs}
    with open("Fixtures/reference/verify/correlation-ci.json", "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
