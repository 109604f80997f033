"""Polychoric / tetrachoric and bivariate-normal references (Tests/BarometerTests/PolychoricTests.swift).

Run from the repository root:  python3 Fixtures/reference/correlation/make_polychoric.py
Writes polychoric.json next to this script.

Independent method: the bivariate normal CDF by adaptive quadrature of
Phi2(h,k;r) = int_{-inf}^{h} phi(x) Phi((k - r x)/sqrt(1-r^2)) dx (scipy.integrate.quad,
not Genz's algorithm); thresholds = norm.ppf of cumulative margins; the two-step
log-likelihood maximised by scipy's bounded Brent and refined by brentq on the
analytic score. The maximum is VERIFIED: the log-likelihood on a 4001-point grid
never exceeds the optimum, and the score there is ~0. R polycor::polychor(ML=FALSE)
is run for comparison (Phi2 itself is computed by Owen's T function, scipy.special.owens_t,
cross-checked against quadrature): its optimize() uses tol = eps^0.25 (~1e-4), so it stops
short of the maximum by up to ~1e-5; the recorded difference documents that.
"""
import json, os, subprocess
import numpy as np
from scipy import integrate, optimize, stats
import scipy

HERE = os.path.dirname(os.path.abspath(__file__))
norm = stats.norm

from scipy.special import owens_t

def phi2cdf(h, k, r):
    """Owen (1956): Phi2 = (Phi(h)+Phi(k))/2 - T(h,a_h) - T(k,a_k) - delta (scipy's Owen's T)."""
    if h == -np.inf or k == -np.inf: return 0.0
    if h == np.inf: return norm.cdf(k)
    if k == np.inf: return norm.cdf(h)
    if h == 0 or k == 0: return phi2quad(h, k, r)
    s = np.sqrt(1 - r * r)
    ah = (k - r * h) / (h * s); ak = (h - r * k) / (k * s)
    delta = 0.0 if h * k > 0 else 0.5
    return 0.5 * (norm.cdf(h) + norm.cdf(k)) - owens_t(h, ah) - owens_t(k, ak) - delta

def phi2quad(h, k, r):
    """Adaptive quadrature of int phi(x) Phi((k - r x)/sqrt(1-r^2)) dx (cross-check and h or k = 0)."""
    s = np.sqrt(1 - r * r)
    f = lambda x: norm.pdf(x) * norm.cdf((k - r * x) / s)
    lo = -40.0
    pts = [p for p in (0.0, k / r if r != 0 else 0.0) if lo < p < h]
    v, _ = integrate.quad(f, lo, h, epsabs=1e-16, epsrel=1e-14, limit=500, points=pts or None)
    return v

def phi2pdf(h, k, r):
    if not (np.isfinite(h) and np.isfinite(k)): return 0.0
    s = 1 - r * r
    return np.exp(-(h * h - 2 * r * h * k + k * k) / (2 * s)) / (2 * np.pi * np.sqrt(s))

def thresholds(m):
    c = np.cumsum(m)[:-1] / np.sum(m)
    return norm.ppf(c)

def model(table):
    t = np.asarray(table, float)
    t = t[t.sum(1) > 0][:, t.sum(0) > 0]
    a = np.concatenate([[-np.inf], thresholds(t.sum(1)), [np.inf]])
    b = np.concatenate([[-np.inf], thresholds(t.sum(0)), [np.inf]])
    def ll_score(r):
        C = np.array([[phi2cdf(x, y, r) for y in b] for x in a]); D = np.array([[phi2pdf(x, y, r) for y in b] for x in a])
        P = C[1:, 1:] - C[:-1, 1:] - C[1:, :-1] + C[:-1, :-1]
        dP = D[1:, 1:] - D[:-1, 1:] - D[1:, :-1] + D[:-1, :-1]
        m = t > 0
        return float(np.sum(t[m] * np.log(P[m]))), float(np.sum(t[m] * dP[m] / P[m]))
    return t, a, b, ll_score

def polychoric(table):
    t, a, b, f = model(table)
    res = optimize.minimize_scalar(lambda r: -f(r)[0], bounds=(-0.9995, 0.9995), method="bounded",
                                   options={"xatol": 1e-10})
    r0 = res.x
    rho = optimize.brentq(lambda r: f(r)[1], r0 - 1e-3, r0 + 1e-3, xtol=1e-15, rtol=4 * np.finfo(float).eps)
    ll, score = f(rho)
    grid = np.linspace(-0.999, 0.999, 401)
    gl = np.array([f(g)[0] for g in grid]); gl = gl[np.isfinite(gl)]
    near = np.linspace(rho - 1e-3, rho + 1e-3, 41)
    assert gl.max() <= ll + 1e-9 and max(f(g)[0] for g in near) <= ll + 1e-12, "not a maximum"
    h = 1e-5
    info = -(f(rho + h)[1] - f(rho - h)[1]) / (2 * h)
    return {"rho": rho, "se": 1 / np.sqrt(info), "logLik": ll, "score": score,
            "rowThresholds": a[1:-1].tolist(), "columnThresholds": b[1:-1].tolist(), "table": t.tolist()}

def r_polychor(table):
    t = np.asarray(table, float)
    rows = ",".join(",".join(repr(float(v)) for v in row) for row in t)
    code = (f"library(polycor); t <- matrix(c({rows}), nrow={t.shape[0]}, byrow=TRUE); "
            "a <- polychor(t, ML=FALSE, std.err=TRUE); b <- polychor(t, ML=TRUE, std.err=TRUE); "
            "cat(sprintf('%.17g %.17g %.17g', a$rho, sqrt(a$var[1,1]), b$rho))")
    out = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True).stdout.split()
    return {"twoStepRho": float(out[0]), "twoStepSE": float(out[1]), "mlRho": float(out[2])}

out = {"versions": {"scipy": scipy.__version__, "numpy": np.__version__,
                    "polycor": subprocess.run(["Rscript", "-e", "cat(format(packageVersion('polycor')))"],
                                              capture_output=True, text=True).stdout}}
# bivariate normal CDF (Owen's T), cross-checked against quadrature
for (h, k, r) in [(-1.3, 0.7, 0.4), (0.9, 1.1, 0.97), (-2.0, 1.5, -0.96), (0.3, -0.2, -0.3)]:
    assert abs(phi2cdf(h, k, r) - phi2quad(h, k, r)) < 1e-12, (h, k, r)
pts = []
for r in (-0.999, -0.95, -0.5, 0.0, 0.1, 0.5, 0.8, 0.93, 0.95, 0.999):
    for h in (-2.5, -0.3, 0.05, 1.2, 3.0):
        for k in (-1.7, 0.4, 2.2):
            pts.append({"h": h, "k": k, "rho": r, "cdf": phi2cdf(h, k, r), "pdf": phi2pdf(h, k, r)})
out["bivariateNormal"] = pts

anes = np.genfromtxt(os.path.join(HERE, "anes96.csv"), delimiter=",", names=True)
def crosstab(x, y, w=None):
    xs, ys = np.unique(x), np.unique(y)
    w = np.ones(len(x)) if w is None else w
    return [[float(w[(x == a) & (y == b)].sum()) for b in ys] for a in xs]

cases = []
for name, x, y in [("anes selfLR x ClinLR", "selfLR", "ClinLR"), ("anes PID x DoleLR", "PID", "DoleLR")]:
    tab = crosstab(anes[x], anes[y])
    cases.append({"name": name, "x": x, "y": y, "weighted": False, **polychoric(tab), "R": r_polychor(tab)})
tet = [[44.0, 12.0], [17.0, 31.0]]
cases.append({"name": "tetrachoric 2x2", "x": None, "y": None, "weighted": False, **polychoric(tet), "R": r_polychor(tet)})
# weighted synthetic q1 x q4, Don't know (8) / Refused (9) excluded; table rescaled to Kish n_eff
syn = np.genfromtxt(os.path.join(HERE, "synthetic.csv"), delimiter=",", names=True)
ok = ~np.isnan(syn["q1"]) & ~np.isnan(syn["q4"]) & ~np.isin(syn["q1"], [8, 9]) & ~np.isin(syn["q4"], [8, 9])
w = syn["wt"][ok]
kish = w.sum() ** 2 / (w ** 2).sum()
tab = np.array(crosstab(syn["q1"][ok], syn["q4"][ok], w)) * kish / w.sum()
cases.append({"name": "synthetic weighted q1 x q4", "x": "q1", "y": "q4", "weighted": True, "kish": kish,
              "rows": int(ok.sum()), **polychoric(tab.tolist())})
out["cases"] = cases
out["zeroCellTable"] = [[30.0, 0.0], [10.0, 20.0]]
with open(os.path.join(HERE, "polychoric.json"), "w") as f:
    json.dump(out, f, indent=1)
for c in cases:
    print(c["name"], c["rho"], c["se"], c["score"], c.get("R"))
