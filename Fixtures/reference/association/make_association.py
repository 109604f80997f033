"""Reference values for tests of independence and SPSS CROSSTABS association
measures (issue 3, items 4-5).

Written straight from the published closed forms (IBM SPSS Statistics
Algorithms, CROSSTABS chapter; Goodman & Kruskal 1963/1972 for lambda; the
SAS PROC FREQ "Measures of Association" closed forms, which coincide with
SPSS's ASE1), NOT from Barometer's Swift code (which uses a generic
influence-function / delta-method path). Cross-checked here against
scipy.stats.chi2_contingency / fisher_exact / contingency.association.

Run: python3 Fixtures/reference/association/make_association.py
     Rscript Fixtures/reference/association/make_raoscott.R
Writes association.json and weighted_data.csv next to this script.
Deterministic (fixed seed).
"""
import json, os, math
import numpy as np
import sympy as sp
from scipy import stats
from scipy.stats import contingency

HERE = os.path.dirname(os.path.abspath(__file__))


def spss_measures(f):
    f = np.asarray(f, dtype=float)
    R, C = f.shape
    W = f.sum(); r = f.sum(1); c = f.sum(0)
    E = np.outer(r, c) / W
    chi2 = float(((f - E) ** 2 / E).sum())
    lr = float(2 * sum(f[i, j] * math.log(f[i, j] / E[i, j]) for i in range(R) for j in range(C) if f[i, j] > 0))
    df = (R - 1) * (C - 1)
    p_chi2 = float(stats.chi2.sf(chi2, df))
    p_lr = float(stats.chi2.sf(lr, df))
    # scipy cross-checks
    sc = stats.chi2_contingency(f, correction=False)
    assert abs(sc[0] - chi2) <= 1e-12 * chi2 and sc[2] == df
    sl = stats.chi2_contingency(f, correction=False, lambda_="log-likelihood")
    assert abs(sl[0] - lr) <= 1e-12 * lr
    out = {"counts": f.tolist(), "total": W,
           "pearson": {"statistic": chi2, "df": df, "p": p_chi2},
           "likelihoodRatio": {"statistic": lr, "df": df, "p": p_lr},
           "expected": E.tolist(),
           "expectedBelow5": int((E < 5).sum()), "minimumExpected": float(E.min())}
    # adjusted standardized residuals
    out["adjustedResiduals"] = ((f - E) / np.sqrt(E * np.outer(1 - r / W, 1 - c / W))).tolist()
    q = min(R, C)
    # nominal: phi (signed for 2x2), Cramer's V, contingency coefficient; sig = Pearson p
    if R == 2 and C == 2:
        phi = (f[0, 0] * f[1, 1] - f[0, 1] * f[1, 0]) / math.sqrt(r[0] * r[1] * c[0] * c[1])
    else:
        phi = math.sqrt(chi2 / W)
    V = math.sqrt(chi2 / (W * (q - 1)))
    CC = math.sqrt(chi2 / (chi2 + W))
    if np.all(f == np.round(f)):
        assert abs(V - contingency.association(f.astype(int), method="cramer")) < 1e-12
    out["phi"] = {"value": phi, "p": p_chi2}
    out["cramersV"] = {"value": V, "p": p_chi2}
    out["contingencyCoefficient"] = {"value": CC, "p": p_chi2}

    def two_sided(t):
        return float(2 * stats.norm.sf(abs(t)))

    # ---- Goodman-Kruskal lambda (SPSS / Goodman-Kruskal closed forms) ----
    fim = f.max(1); li = f.argmax(1)          # row maxima and their columns
    fmj = f.max(0); kj = f.argmax(0)          # column maxima and their rows
    cm = c.max(); l = int(c.argmax())         # max column total, its column
    rm = r.max(); k = int(r.argmax())         # max row total, its row
    # require unique maxima so tie rules cannot matter
    for row in f:
        assert (row == row.max()).sum() == 1
    for col in f.T:
        assert (col == col.max()).sum() == 1
    assert (c == cm).sum() == 1 and (r == rm).sum() == 1
    Sr = fim.sum(); Sc = fmj.sum()
    # columns dependent (C|R)
    lam_cr = (Sr - cm) / (W - cm)
    X = sum(fim[i] for i in range(R) if li[i] == l)
    ase1_cr = math.sqrt((W - Sr) * (Sr + cm - 2 * X) / (W - cm) ** 3)
    ase0_cr = math.sqrt(Sr + cm - 2 * X - (Sr - cm) ** 2 / W) / (W - cm)
    # rows dependent (R|C)
    lam_rc = (Sc - rm) / (W - rm)
    Y = sum(fmj[j] for j in range(C) if kj[j] == k)
    ase1_rc = math.sqrt((W - Sc) * (Sc + rm - 2 * Y) / (W - rm) ** 3)
    ase0_rc = math.sqrt(Sc + rm - 2 * Y - (Sc - rm) ** 2 / W) / (W - rm)
    # symmetric (SAS PROC FREQ closed form, Goodman & Kruskal 1963)
    w = 2 * W - rm - cm
    v = 2 * W - Sr - Sc
    lam_s = (Sr + Sc - rm - cm) / w
    x = X + Y + f[k, :].max() + f[:, l].max()
    y = 8 * W - w - v - 2 * x
    both = sum(f[i, j] for i in range(R) for j in range(C) if li[i] == j and kj[j] == i)
    var_s = (w * v * y - 2 * w * w * (W - both) - 2 * v * v * (W - f[k, l])) / w ** 4
    ase1_s = math.sqrt(var_s)
    # ASE0 symmetric: null variance of the same estimator (SPSS: ASE0 with lambda = 0)
    a0 = np.zeros((R, C))
    for i in range(R):
        for j in range(C):
            a0[i, j] = int(li[i] == j) + int(kj[j] == i) - int(i == k) - int(j == l)
    ase0_s = math.sqrt((f * a0 ** 2).sum() - (Sr + Sc - rm - cm) ** 2 / W) / w
    out["lambda"] = {
        "symmetric": {"value": lam_s, "ase1": ase1_s, "ase0": ase0_s, "t": lam_s / ase0_s, "p": two_sided(lam_s / ase0_s)},
        "rowDependent": {"value": lam_rc, "ase1": ase1_rc, "ase0": ase0_rc, "t": lam_rc / ase0_rc, "p": two_sided(lam_rc / ase0_rc)},
        "columnDependent": {"value": lam_cr, "ase1": ase1_cr, "ase0": ase0_cr, "t": lam_cr / ase0_cr, "p": two_sided(lam_cr / ase0_cr)},
    }

    # ---- ordinal measures: concordance sums ----
    Cij = np.zeros((R, C)); Dij = np.zeros((R, C))
    for i in range(R):
        for j in range(C):
            Cij[i, j] = f[:i, :j].sum() + f[i + 1:, j + 1:].sum()
            Dij[i, j] = f[:i, j + 1:].sum() + f[i + 1:, :j].sum()
    P = (f * Cij).sum(); Q = (f * Dij).sum()
    Dr = W * W - (r ** 2).sum(); Dc = W * W - (c ** 2).sum()
    d = Cij - Dij
    null_core = math.sqrt((f * d ** 2).sum() - (P - Q) ** 2 / W)
    # gamma
    g = (P - Q) / (P + Q)
    g1 = 4 / (P + Q) ** 2 * math.sqrt((f * (Q * Cij - P * Dij) ** 2).sum())
    g0 = 2 / (P + Q) * null_core
    # tau-b
    tb = (P - Q) / math.sqrt(Dr * Dc)
    vij = np.outer(r * Dc, np.ones(C)) + np.outer(np.ones(R), c * Dr)
    tb1 = math.sqrt((f * (2 * math.sqrt(Dr * Dc) * d + tb * vij) ** 2).sum() - W ** 3 * tb ** 2 * (Dr + Dc) ** 2) / (Dr * Dc)
    tb0 = 2 / math.sqrt(Dr * Dc) * null_core
    # tau-c
    tc = q * (P - Q) / (W * W * (q - 1))
    tc1 = 2 * q / ((q - 1) * W * W) * null_core
    tc0 = tc1
    # Somers' d
    dcr = (P - Q) / Dr    # column variable dependent
    drc = (P - Q) / Dc    # row variable dependent
    dsym = (P - Q) / ((Dr + Dc) / 2)
    dcr1 = 2 / Dr ** 2 * math.sqrt((f * (Dr * d - (P - Q) * np.outer(W - r, np.ones(C))) ** 2).sum())
    drc1 = 2 / Dc ** 2 * math.sqrt((f * (Dc * d - (P - Q) * np.outer(np.ones(R), W - c)) ** 2).sum())
    dsym1 = 4 / (Dr + Dc) ** 2 * math.sqrt((f * ((Dr + Dc) * d - (P - Q) * (2 * W - np.outer(r, np.ones(C)) - np.outer(np.ones(R), c))) ** 2).sum())
    dcr0 = 2 / Dr * null_core
    drc0 = 2 / Dc * null_core
    dsym0 = 4 / (Dr + Dc) * null_core
    # cross-check tau-b with scipy on expanded integer data (when counts are integers)
    if np.all(f == np.round(f)) and W < 5000:
        xs = np.repeat(np.repeat(np.arange(R)[:, None], C, 1).ravel(), f.ravel().astype(int))
        ys = np.repeat(np.repeat(np.arange(C)[None, :], R, 0).ravel(), f.ravel().astype(int))
        assert abs(stats.kendalltau(xs, ys).statistic - tb) < 1e-12
        assert abs(stats.somersd(f).statistic - dcr) < 1e-12 or abs(stats.somersd(f).statistic - drc) < 1e-12

    def m(vv, a1, a0):
        return {"value": vv, "ase1": a1, "ase0": a0, "t": vv / a0, "p": two_sided(vv / a0)}
    # ---- Goodman-Kruskal tau (SPSS: value, ASE1, significance from the
    # chi-square approximation U = (W-1)(C-1) tau_C|R on (R-1)(C-1) df) ----
    tau_cr = (W * (f ** 2 / r[:, None]).sum() - (c ** 2).sum()) / (W * W - (c ** 2).sum())
    tau_rc = (W * (f ** 2 / c[None, :]).sum() - (r ** 2).sum()) / (W * W - (r ** 2).sum())
    # ASE1: multinomial delta method with the gradient taken symbolically (sympy),
    # Var = sum f (dtheta/df)^2 - (sum f dtheta/df)^2 / W.
    F = sp.Matrix(R, C, lambda i, j: sp.Symbol("f_%d_%d" % (i, j)))
    rs = [sum(F[i, j] for j in range(C)) for i in range(R)]
    cs = [sum(F[i, j] for i in range(R)) for j in range(C)]
    Ws = sum(rs)
    subs = {F[i, j]: sp.nsimplify(f[i, j]) if f[i, j] == round(f[i, j]) else sp.Float(f[i, j], 30) for i in range(R) for j in range(C)}

    def delta_ase(expr):
        grads = [[sp.diff(expr, F[i, j]).subs(subs) for j in range(C)] for i in range(R)]
        s1 = sum(subs[F[i, j]] * grads[i][j] for i in range(R) for j in range(C))
        s2 = sum(subs[F[i, j]] * grads[i][j] ** 2 for i in range(R) for j in range(C))
        return float(sp.sqrt(s2 - s1 ** 2 / Ws.subs(subs)).evalf(30))
    e_cr = (Ws * sum(F[i, j] ** 2 / rs[i] for i in range(R) for j in range(C)) - sum(x ** 2 for x in cs)) / (Ws ** 2 - sum(x ** 2 for x in cs))
    e_rc = (Ws * sum(F[i, j] ** 2 / cs[j] for i in range(R) for j in range(C)) - sum(x ** 2 for x in rs)) / (Ws ** 2 - sum(x ** 2 for x in rs))
    out["goodmanKruskalTau"] = {
        "rowDependent": {"value": tau_rc, "ase1": delta_ase(e_rc), "p": float(stats.chi2.sf((W - 1) * (R - 1) * tau_rc, df))},
        "columnDependent": {"value": tau_cr, "ase1": delta_ase(e_cr), "p": float(stats.chi2.sf((W - 1) * (C - 1) * tau_cr, df))},
    }
    # independent check of the closed-form ordinal ASE1s against the symbolic delta method
    Ps = sum(F[i, j] * (sum(F[h, k] for h in range(i) for k in range(j)) + sum(F[h, k] for h in range(i + 1, R) for k in range(j + 1, C))) for i in range(R) for j in range(C))
    Qs = sum(F[i, j] * (sum(F[h, k] for h in range(i) for k in range(j + 1, C)) + sum(F[h, k] for h in range(i + 1, R) for k in range(j))) for i in range(R) for j in range(C))
    Drs = Ws ** 2 - sum(x ** 2 for x in rs); Dcs = Ws ** 2 - sum(x ** 2 for x in cs)
    for expr, want in (((Ps - Qs) / (Ps + Qs), g1), ((Ps - Qs) / sp.sqrt(Drs * Dcs), tb1),
                       ((Ps - Qs) / Drs, dcr1), ((Ps - Qs) / Dcs, drc1), (2 * (Ps - Qs) / (Drs + Dcs), dsym1)):
        got = delta_ase(expr)
        assert abs(got - want) <= 1e-11 * want, (got, want)

    out["gamma"] = m(g, g1, g0)
    out["kendallTauB"] = m(tb, tb1, tb0)
    out["kendallTauC"] = m(tc, tc1, tc0)
    out["somersD"] = {"symmetric": m(dsym, dsym1, dsym0), "rowDependent": m(drc, drc1, drc0),
                      "columnDependent": m(dcr, dcr1, dcr0)}
    return out


tables = {}
# T1: unweighted 4x5 ordinal table (integer counts), no tied maxima.
tables["unweighted4x5"] = spss_measures([[20, 11, 7, 3, 2], [9, 25, 14, 6, 4], [5, 10, 31, 12, 8], [2, 4, 9, 17, 22]])
# T2: a 2x2 table (signed phi).
tables["twoByTwo"] = spss_measures([[12, 5], [7, 19]])
# T3: a 3x3 table with a negative ordinal association.
tables["negative3x3"] = spss_measures([[3, 9, 21], [8, 17, 10], [19, 7, 4]])

# ---- T4: weighted respondent data with Don't-know codes and a zero column ----
rng = np.random.default_rng(20261122)
n = 300
# x: 1..4 valid, 9 = Don't know (user-missing); y: 1..5 valid where code 4 is
# labelled but chosen by nobody (zero column), 8 = Refused (user-missing).
latent = rng.normal(size=n)
x = np.clip(np.round(2.5 + 1.1 * latent + rng.normal(scale=0.8, size=n)), 1, 4)
yv = np.clip(np.round(2.8 + 1.2 * latent + rng.normal(scale=1.0, size=n)), 1, 5)
yv[yv == 4] = 5            # code 4 never chosen
x[rng.random(n) < 0.07] = 9
yv[rng.random(n) < 0.06] = 8
wts = np.round(rng.gamma(4.0, 0.25, size=n), 4)
with open(os.path.join(HERE, "weighted_data.csv"), "w") as fh:
    fh.write("x,y,w\n")
    for a, b, c_ in zip(x, yv, wts):
        fh.write("%d,%d,%.4f\n" % (a, b, c_))
valid = (x != 9) & (yv != 8)
xcodes = [1, 2, 3, 4]; ycodes = [1, 2, 3, 5]     # zero column (code 4) dropped, as SPSS shows observed values only
tab = np.zeros((4, 4))
for a, b, c_ in zip(x[valid], yv[valid], wts[valid]):
    tab[xcodes.index(int(a)), ycodes.index(int(b))] += c_
wt = spss_measures(tab)
wt["rowCodes"] = xcodes; wt["columnCodes"] = ycodes
wt["note"] = "weighted cell counts used as given (SPSS /COUNT ASIS); y code 4 labelled but empty"
tables["weighted"] = wt

# ---- Fisher's exact test, 2x2 (scipy two-sided uses the same <= rule as R) ----
fisher = []
for t in ([[3, 1], [1, 3]], [[10, 2], [3, 15]], [[0, 5], [6, 2]], [[25, 30], [40, 12]], [[12, 5], [7, 19]]):
    fisher.append({"counts": t,
                   "twoSided": float(stats.fisher_exact(t, alternative="two-sided").pvalue),
                   "less": float(stats.fisher_exact(t, alternative="less").pvalue),
                   "greater": float(stats.fisher_exact(t, alternative="greater").pvalue)})

out = {"generator": "numpy %s, scipy %s" % (np.__version__, __import__("scipy").__version__),
       "tables": tables, "fisher": fisher}
with open(os.path.join(HERE, "association.json"), "w") as fh:
    json.dump(out, fh, indent=1)
print("ok")
