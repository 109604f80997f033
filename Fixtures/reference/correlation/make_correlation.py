"""Reference values for the correlation engine (Tests/BarometerTests/Correlation*Tests.swift).

Run from the repository root:  python3 Fixtures/reference/correlation/make_correlation.py
Writes anes96.csv, synthetic.csv and correlation.json next to this script.

Peers: scipy.stats (pearsonr, spearmanr, kendalltau tau-b with asymptotic p),
pandas DataFrame.corr (pairwise-complete), pingouin (partial_corr, pcorr, and
pingouin's own published test cases on its `partial_corr` dataset),
statsmodels multipletests (= R p.adjust: bonferroni, holm, fdr_bh), and an
independent numpy weighted formula (np.cov with aweights) for weighted
correlations. Nothing here calls Barometer.
"""
import json, os
import numpy as np, pandas as pd, scipy, scipy.stats as st
import statsmodels, statsmodels.api as sm
from statsmodels.stats.multitest import multipletests
import pingouin as pg

HERE = os.path.dirname(os.path.abspath(__file__))

def clean(x):
    if isinstance(x, dict): return {k: clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)): return [clean(v) for v in x]
    if isinstance(x, np.ndarray): return clean(x.tolist())
    if isinstance(x, (np.floating, float)):
        x = float(x); return None if np.isnan(x) else x
    if isinstance(x, (np.integer,)): return int(x)
    return x

def fisher_ci(r, n, k=0, level=0.95):
    se = 1 / np.sqrt(n - k - 3); z = np.arctanh(r); q = st.norm.ppf(0.5 + level / 2)
    return float(np.tanh(z - q * se)), float(np.tanh(z + q * se))

out = {"versions": {"numpy": np.__version__, "scipy": scipy.__version__, "pandas": pd.__version__,
                    "pingouin": pg.__version__, "statsmodels": statsmodels.__version__}}

# ---------------------------------------------------------------- ANES 1996 (real survey)
anes = sm.datasets.anes96.load_pandas().data
cols = ["selfLR", "ClinLR", "DoleLR", "PID", "age", "educ", "income", "TVnews"]
anes = anes[cols].astype(float)
anes.to_csv(os.path.join(HERE, "anes96.csv"), index=False)
X = anes.to_numpy(); n, p = X.shape
pairs = []
for i in range(p):
    for j in range(i + 1, p):
        pr = st.pearsonr(X[:, i], X[:, j]); sr = st.spearmanr(X[:, i], X[:, j])
        kt = st.kendalltau(X[:, i], X[:, j], variant="b", method="asymptotic")
        lo, hi = fisher_ci(pr.statistic, n)
        pairs.append({"i": i, "j": j, "pearson": pr.statistic, "pearsonP": pr.pvalue, "pearsonLo": lo, "pearsonHi": hi,
                      "spearman": sr.statistic, "spearmanP": sr.pvalue, "kendall": kt.statistic, "kendallP": kt.pvalue})
praw = [q["pearsonP"] for q in pairs]
adj = {m: multipletests(praw, method=k)[1] for m, k in [("bonferroni", "bonferroni"), ("holm", "holm"), ("bh", "fdr_bh")]}
pc = pg.partial_corr(data=anes, x="ClinLR", y="DoleLR", covar=["selfLR", "PID"])
out["anes96"] = {
    "csv": "Fixtures/reference/correlation/anes96.csv", "columns": cols,
    "data": {c: anes[c].tolist() for c in cols},
    "pairs": pairs, "pearsonAdjusted": adj,
    "pandasPearson": anes.corr().to_numpy(), "pandasSpearman": anes.corr(method="spearman").to_numpy(),
    "pandasKendall": anes.corr(method="kendall").to_numpy(),
    "pcorr": anes.pcorr().to_numpy(),   # pingouin: each pair given all others
    "partialClinDoleGivenSelfPID": {"r": pc["r"].iloc[0], "p": pc["p_val"].iloc[0], "n": int(pc["n"].iloc[0]),
                                     "ciLo": fisher_ci(pc["r"].iloc[0], n, 2)[0], "ciHi": fisher_ci(pc["r"].iloc[0], n, 2)[1]},
    "partialSpearmanClinDoleGivenSelfPID": pg.partial_corr(data=anes, x="ClinLR", y="DoleLR", covar=["selfLR", "PID"], method="spearman")["r"].iloc[0],
}

# ---------------------------------------------------------------- pingouin partial_corr dataset
df = pg.read_dataset("partial_corr")
cases = []
def add(kind, cov, pub=None, method="pearson"):
    kw = {"covar": cov} if kind == "partial" else ({"x_covar": cov} if kind == "semiX" else {"y_covar": cov})
    r = pg.partial_corr(data=df, x="x", y="y", method=method, **kw)
    cases.append({"kind": kind, "covar": cov, "method": method, "r": r["r"].iloc[0], "p": r["p_val"].iloc[0],
                  "n": int(r["n"].iloc[0]), "published": pub})
add("partial", ["cv1"], 0.568)
add("partial", ["cv1", "cv2", "cv3"], 0.493)
add("semiX", ["cv1", "cv2", "cv3"], 0.463)
add("semiY", ["cv1", "cv2", "cv3"], 0.421)
add("partial", ["cv1", "cv2", "cv3"], None, "spearman")
out["pingouinPartial"] = {"data": {c: df[c].tolist() for c in df.columns}, "cases": cases,
                          "pcorr": df.pcorr().to_numpy(), "columns": list(df.columns)}

# ---------------------------------------------------------------- synthetic weighted survey with Don't know / Refused
rng = np.random.default_rng(20261122)
N = 240
latent = rng.multivariate_normal([0, 0, 0], [[1, .5, .3], [.5, 1, .4], [.3, .4, 1]], size=N)
def likert(z):
    return np.digitize(z, [-1.0, -0.3, 0.3, 1.0]).astype(float) + 1.0   # 1..5
q1, q2, q3 = likert(latent[:, 0]), likert(latent[:, 1]), latent[:, 2] * 10 + 1e9  # q3 continuous, offset 1e9
q4 = likert(0.6 * latent[:, 0] + 0.8 * rng.standard_normal(N))
for q, dk in [(q1, 0.06), (q2, 0.08), (q4, 0.05)]:
    u = rng.random(N); q[u < dk] = 8.0; q[(u >= dk) & (u < dk + 0.03)] = 9.0   # 8 = Don't know, 9 = Refused
q3[rng.random(N) < 0.07] = np.nan
q2[rng.random(N) < 0.04] = np.nan
w = np.exp(rng.normal(0, 0.5, N)); w[rng.random(N) < 0.02] = 0.0
syn = pd.DataFrame({"q1": q1, "q2": q2, "q3": q3, "q4": q4, "wt": w})
syn.to_csv(os.path.join(HERE, "synthetic.csv"), index=False, float_format="%.17g")
V = ["q1", "q2", "q3", "q4"]
Y = syn[V].to_numpy().copy()
Y[(Y == 8) | (Y == 9)] = np.nan          # user-missing excluded (q3 has no codes but is ~1e9 anyway)
def wcorr(x, y, ww):
    c = np.cov(np.vstack([x, y]), aweights=ww); return c[0, 1] / np.sqrt(c[0, 0] * c[1, 1])
def midranks(x, ww):
    # weighted mid-rank (ridit) score: W(< x_i) + W(= x_i)/2, over the rows used
    r = np.empty_like(x)
    for k in range(len(x)):
        r[k] = ww[x < x[k]].sum() + 0.5 * ww[x == x[k]].sum()
    return r
listwise = ~np.isnan(Y).any(axis=1)
m = len(V)
wl = np.zeros((m, m)); wp = np.zeros((m, m)); np_ = np.zeros((m, m), dtype=int); neff = np.zeros((m, m)); sw = np.zeros((m, m))
wsl = np.zeros((m, m)); wsp = np.zeros((m, m))
for i in range(m):
    for j in range(m):
        ok = ~np.isnan(Y[:, i]) & ~np.isnan(Y[:, j])
        wl[i, j] = wcorr(Y[listwise, i], Y[listwise, j], w[listwise])
        wp[i, j] = wcorr(Y[ok, i], Y[ok, j], w[ok])
        np_[i, j] = ok.sum(); neff[i, j] = w[ok].sum() ** 2 / (w[ok] ** 2).sum(); sw[i, j] = w[ok].sum()
        wsl[i, j] = wcorr(midranks(Y[listwise, i], w[listwise]), midranks(Y[listwise, j], w[listwise]), w[listwise])
        wsp[i, j] = wcorr(midranks(Y[ok, i], w[ok]), midranks(Y[ok, j], w[ok]), w[ok])
Yd = pd.DataFrame(Y, columns=V)
def weighted_kendall(x, y, ww):
    # every pair (i, j) weighted by w_i w_j; O(n^2) definition
    dx = np.sign(x[:, None] - x[None, :]); dy = np.sign(y[:, None] - y[None, :]); W = np.outer(ww, ww)
    iu = np.triu_indices(len(x), 1)
    num = (W * dx * dy)[iu].sum()
    return num / np.sqrt((W * (dx != 0))[iu].sum() * (W * (dy != 0))[iu].sum())
wkl = np.ones((m, m))
for i in range(m):
    for j in range(m):
        if i != j: wkl[i, j] = weighted_kendall(Y[listwise, i], Y[listwise, j], w[listwise])
# Exact rational arithmetic (fractions) for unweighted Pearson: pandas' pairwise
# corr loses ~1e-8 relative on the column offset by 1e9 (q3), so it is used
# as the reference only for the other columns; this is the reference for all.
from fractions import Fraction
def exact_r(x, y):
    fx = [Fraction(v) for v in x]; fy = [Fraction(v) for v in y]
    mx = sum(fx) / len(fx); my = sum(fy) / len(fy)
    sxy = sum((a - mx) * (b - my) for a, b in zip(fx, fy))
    sxx = sum((a - mx) ** 2 for a in fx); syy = sum((b - my) ** 2 for b in fy)
    return float(sxy) / np.sqrt(float(sxx) * float(syy))
exl = np.ones((m, m)); exp_ = np.ones((m, m))
for i in range(m):
    for j in range(m):
        if i == j: continue
        ok = ~np.isnan(Y[:, i]) & ~np.isnan(Y[:, j])
        exl[i, j] = exact_r(Y[listwise, i], Y[listwise, j]); exp_[i, j] = exact_r(Y[ok, i], Y[ok, j])
# weighted partial q1,q2 | q3 (listwise) via the weighted covariance matrix (np.cov aweights) and its inverse
Cw = np.cov(Y[listwise].T, aweights=w[listwise]); P = np.linalg.inv(Cw)
wpcorr = -P / np.sqrt(np.outer(np.diag(P), np.diag(P))); np.fill_diagonal(wpcorr, 1)
S = Cw[np.ix_([0, 1], [0, 1])] - Cw[np.ix_([0, 1], [2])] @ np.linalg.solve(Cw[np.ix_([2], [2])], Cw[np.ix_([2], [0, 1])])
out["synthetic"] = {
    "csv": "Fixtures/reference/correlation/synthetic.csv", "columns": V, "weight": "wt", "userMissing": [8, 9],
    "data": {c: syn[c].tolist() for c in syn.columns},
    "listwiseRows": int(listwise.sum()), "listwiseKish": float(w[listwise].sum() ** 2 / (w[listwise] ** 2).sum()),
    "listwiseSumW": float(w[listwise].sum()),
    "weightedListwise": wl, "weightedPairwise": wp, "pairN": np_, "pairKish": neff, "pairSumW": sw,
    "weightedSpearmanListwise": wsl, "weightedSpearmanPairwise": wsp,
    "unweightedPairwise": Yd.corr().to_numpy(), "exactUnweightedPairwise": exp_, "exactUnweightedListwise": exl,
    "pandasMaxRelErrorOnOffsetColumn": float(np.max(np.abs(Yd.corr().to_numpy() - exp_) / np.abs(exp_))), "unweightedPairwiseSpearman": Yd.corr(method="spearman").to_numpy(),
    "unweightedListwise": Yd.dropna().corr().to_numpy(),
    "unweightedListwiseKendall": Yd.dropna().corr(method="kendall").to_numpy(),
    "weightedKendallListwise": wkl,
    "weightedPcorrListwise": wpcorr, "weightedPartialQ1Q2GivenQ3": S[0, 1] / np.sqrt(S[0, 0] * S[1, 1]),
}
with open(os.path.join(HERE, "correlation.json"), "w") as f:
    json.dump(clean(out), f, indent=1)
print("ok")
