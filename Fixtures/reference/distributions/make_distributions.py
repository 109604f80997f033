"""Reference values for Barometer's distribution functions, from scipy.stats.

Run:  python3 Fixtures/reference/distributions/make_distributions.py
Writes distributions.json next to this script (deterministic: fixed grids).

Every continuous cdf/sf value is cross-checked against mpmath at 40 digits
(where mpmath is fast enough: shape parameters <= 1e6). scipy is the stored
reference; if scipy and mpmath disagree by more than 1e-13 relative the
mpmath value is stored instead and the case is marked "source": "mpmath"
(the script prints how many). Quantiles are checked by the mpmath residual
|F(x) - p| / (f(x) |x|) (relative error in x implied by scipy's answer).

Each case: {"dist", "params", "fn", "x", "value", "source"}; "fn" is one of
cdf, sf, twosided, quantile, isf, pmf, logpmf.
"""
import json, math, os, sys
import numpy as np
import scipy
from scipy import stats
import mpmath as mp

mp.mp.dps = 40
cases = []
replaced = 0
dropped = 0
unverified = 0
worst = {}

def note(name, rel):
    worst[name] = max(worst.get(name, 0.0), rel)

def rel_diff(a, b):
    a, b = mp.mpf(a), mp.mpf(b)
    if a == b:
        return mp.mpf(0)
    return abs(a - b) / max(abs(a), abs(b))

def stable(fn):
    """Evaluate an mpmath expression at 40 and 60 digits; None if the two
    disagree beyond 1e-30 (mpmath itself unreliable there) or mpmath fails."""
    try:
        with mp.workdps(40):
            v1 = fn()
        with mp.workdps(60):
            v2 = fn()
    except (ValueError, ZeroDivisionError, TypeError, mp.libmp.libhyper.NoConvergence):
        return None
    if v1 is None or v2 is None:
        return None
    if rel_diff(v1, v2) > mp.mpf(10) ** -30:
        return None
    return v2

def add(dist, params, fn, x, value, mpfun=None):
    """Store scipy's value; if an mpmath check is available and scipy differs
    from it by more than 1e-13 relative, store the mpmath value instead."""
    global replaced, unverified
    value = float(value)
    source = "scipy"
    if mpfun is not None:
        m = stable(mpfun)
        if m is None:
            unverified += 1
            source = "scipy (mpmath unavailable)"
        else:
            m = float(m)
            if m != 0 or value != 0:
                rel = abs(value - m) / max(abs(m), abs(value), 1e-320)
                note(dist + "." + fn, rel)
                if rel > 1e-13:
                    value, source = m, "mpmath"
                    replaced += 1
    if not math.isfinite(value) or (value != 0 and abs(value) < 1e-300 and fn in ("quantile", "isf")):
        return   # underflowed quantiles carry no information
    cases.append({"dist": dist, "params": [float(p) for p in params], "fn": fn,
                  "x": float(x), "value": value, "source": source})

def add_quantile(dist, params, p, x, cdf_mp, pdf_mp):
    """scipy's quantile, verified (and if needed corrected) by Newton steps in
    mpmath on F(x) = p; dropped if mpmath cannot confirm a root."""
    global replaced, dropped, unverified
    x = float(x)
    if cdf_mp is None or not math.isfinite(x) or x == 0:
        if math.isfinite(x):
            unverified += cdf_mp is not None or 0
            add(dist, params, "quantile", p, x)
        return
    try:
        with mp.workdps(50):
            xm = mp.mpf(x)
            target = mp.mpf(p)
            for _ in range(6):
                err = cdf_mp(xm) - target
                if abs(err) <= abs(target) * mp.mpf(10) ** -35:
                    break
                xm = xm - err / pdf_mp(xm)
            ok = abs(cdf_mp(xm) - target) <= abs(target) * mp.mpf(10) ** -25
    except (ValueError, ZeroDivisionError, TypeError, mp.libmp.libhyper.NoConvergence):
        ok = False
    if not ok:
        dropped += 1
        return
    rel = float(rel_diff(xm, x))
    note(dist + ".quantile", rel)
    value, source = x, "scipy"
    if rel > 1e-13:
        value, source = float(xm), "mpmath"
        replaced += 1
    if value != 0 and abs(value) < 1e-300:
        return
    cases.append({"dist": dist, "params": [float(q) for q in params], "fn": "quantile",
                  "x": float(p), "value": value, "source": source})

def mp_gamma_series(a, z):
    """Regularized lower incomplete gamma by its power series (z < a + 1)."""
    t = mp.mpf(1); s = mp.mpf(1); n = 1
    eps = mp.mpf(2) ** (-mp.mp.prec - 10)
    while True:
        t *= z / (a + n); s += t; n += 1
        if t < s * eps:
            break
    return mp.exp(a * mp.log(z) - z - mp.loggamma(a + 1)) * s

def mp_betainc(a, b, x, upper=False):
    """Regularized incomplete beta; a small upper tail as I_{1-x}(b, a) (no cancellation)."""
    a, b, x = mp.mpf(a), mp.mpf(b), mp.mpf(x)
    if upper:
        if x < 0.5:   # 1 - x would round away a tiny x; the upper tail is not small here
            return 1 - mp.betainc(a, b, 0, x, regularized=True)
        return mp.betainc(b, a, 0, 1 - x, regularized=True)
    return mp.betainc(a, b, 0, x, regularized=True)

def mp_gammainc(a, x, upper=False):
    a, x = mp.mpf(a), mp.mpf(x)
    if a > 1000 and x < a + 1:
        lower = mp_gamma_series(a, x)
        return 1 - lower if upper else lower
    if upper:
        return mp.gammainc(a, x, mp.inf, regularized=True)
    return mp.gammainc(a, 0, x, regularized=True)

PGRID = [1e-300, 1e-100, 1e-30, 1e-10, 1e-6, 1e-3, 0.01, 0.025, 0.05, 0.1, 0.25, 0.3,
         0.4, 0.49, 0.5, 0.51, 0.6, 0.75, 0.9, 0.95, 0.975, 0.99, 0.999, 1 - 1e-6, 1 - 1e-10]
QGRID = [1e-300, 1e-100, 1e-30, 1e-12, 1e-6, 0.05]   # upper-tail probabilities for isf

# ---------------- Normal ----------------
for x in [-38, -37.5, -30, -20, -10, -8, -5, -3, -2, -1.5, -1, -0.5, -0.1, -1e-3, -1e-9, 0,
          1e-9, 1e-3, 0.1, 0.5, 1, 1.5, 1.959963984540054, 2, 3, 5, 8, 10, 20, 30, 37.5]:
    add("normal", [], "cdf", x, stats.norm.cdf(x), lambda: mp.ncdf(x))
    add("normal", [], "sf", x, stats.norm.sf(x), lambda: mp.ncdf(-x))
for p in PGRID + [1e-200, 1e-20, 0.5 - 1e-12, 0.5 + 1e-12, 1 - 1e-16]:
    add_quantile("normal", [], p, stats.norm.ppf(p), mp.ncdf, mp.npdf)

# ---------------- Student t ----------------
def t_two_sided_mp(nu, t):
    nu_, tt = mp.mpf(nu), mp.mpf(t)
    return mp_betainc(nu_ / 2, mp.mpf(1) / 2, nu_ / (nu_ + tt * tt))
def t_cdf_mp(nu):
    def f(t):
        half = t_two_sided_mp(nu, t) / 2
        return half if t < 0 else 1 - half
    return f
def t_pdf_mp(nu):
    def f(t):
        nu_ = mp.mpf(nu); t = mp.mpf(t)
        return mp.exp(mp.loggamma((nu_ + 1) / 2) - mp.loggamma(nu_ / 2)) / mp.sqrt(nu_ * mp.pi) * (1 + t * t / nu_) ** (-(nu_ + 1) / 2)
    return f

for nu in [0.5, 1, 1.5, 2, 3, 3.7, 5, 10, 29.5, 100, 1e4, 1e6]:
    for t in [-1e5, -100, -30, -10, -5, -3, -2, -1, -0.5, -0.1, -1e-6, 0, 1e-6, 0.1, 0.5, 1,
              1.5, 2, 2.5, 3, 5, 10, 30, 100, 1e5]:
        cdf = stats.t.cdf(t, nu); sf = stats.t.sf(t, nu)
        mcdf = lambda: (t_two_sided_mp(nu, t) / 2 if t < 0 else 1 - t_two_sided_mp(nu, t) / 2)
        msf = lambda: (t_two_sided_mp(nu, t) / 2 if t > 0 else 1 - t_two_sided_mp(nu, t) / 2)
        if cdf > 0: add("t", [nu], "cdf", t, cdf, mcdf)
        if sf > 0: add("t", [nu], "sf", t, sf, msf)
        tw = 2 * stats.t.sf(abs(t), nu)
        if tw > 0: add("t", [nu], "twosided", t, min(tw, 1.0), lambda: t_two_sided_mp(nu, t))
    for p in PGRID:
        add_quantile("t", [nu], p, stats.t.ppf(p, nu), t_cdf_mp(nu), t_pdf_mp(nu))

# ---------------- Chi-squared ----------------
for k in [0.1, 0.5, 1, 1.5, 2, 3, 7.3, 10, 50, 100, 1000, 1e5, 1e7]:
    xs = [k * f for f in [1e-6, 0.01, 0.1, 0.5, 0.9, 0.99, 1, 1.01, 1.1, 2, 5, 10]]
    xs += [stats.chi2.isf(q, k) for q in [1e-10, 1e-30, 1e-100, 1e-300]]
    xs += [k + s * math.sqrt(2 * k) for s in [-3, -1, 1, 3]]
    for x in xs:
        if x <= 0: continue
        cdf = stats.chi2.cdf(x, k); sf = stats.chi2.sf(x, k)
        if cdf > 0: add("chi2", [k], "cdf", x, cdf, lambda: mp_gammainc(k / 2, x / 2))
        if sf > 0: add("chi2", [k], "sf", x, sf, lambda: mp_gammainc(k / 2, x / 2, upper=True))
    chi_cdf = lambda v: mp_gammainc(mp.mpf(k) / 2, mp.mpf(v) / 2)
    chi_pdf = lambda v: mp.exp(-mp.mpf(v) / 2 + (mp.mpf(k) / 2 - 1) * mp.log(mp.mpf(v) / 2) - mp.loggamma(mp.mpf(k) / 2)) / 2
    for p in PGRID:
        add_quantile("chi2", [k], p, stats.chi2.ppf(p, k), chi_cdf, chi_pdf)
    chi_sf = lambda v: mp_gammainc(mp.mpf(k) / 2, mp.mpf(v) / 2, upper=True)
    for q in QGRID:
        # isf(q) is the quantile of the upper tail: verify with sf(x) = q.
        add_quantile("chi2", [k], q, stats.chi2.isf(q, k), chi_sf, lambda v: -chi_pdf(v))
        if cases and cases[-1]["dist"] == "chi2" and cases[-1]["fn"] == "quantile" and cases[-1]["x"] == q:
            cases[-1]["fn"] = "isf"

# ---------------- F ----------------
def f_tails_mp(d1, d2, f, upper):
    d1, d2, f = mp.mpf(d1), mp.mpf(d2), mp.mpf(f)
    x = d1 * f / (d1 * f + d2); y = d2 / (d1 * f + d2)
    if upper:
        return mp.betainc(d2 / 2, d1 / 2, 0, y, regularized=True)
    return mp.betainc(d1 / 2, d2 / 2, 0, x, regularized=True)
for d1, d2 in [(1, 1), (0.5, 3.3), (2, 10), (5, 2), (4.5, 17.25), (10, 100), (3, 1e6), (1e6, 3),
               (100, 100), (1e4, 1e4), (1, 1e7)]:
    for f in [1e-8, 1e-3, 0.1, 0.5, 0.9, 1, 1.1, 2, 3.5, 10, 100, 1e4, 1e8]:
        cdf = stats.f.cdf(f, d1, d2); sf = stats.f.sf(f, d1, d2)
        if cdf > 0: add("f", [d1, d2], "cdf", f, cdf, lambda: f_tails_mp(d1, d2, f, False))
        if sf > 0: add("f", [d1, d2], "sf", f, sf, lambda: f_tails_mp(d1, d2, f, True))
    f_pdf = lambda v: mp.exp((mp.mpf(d1) / 2) * mp.log(mp.mpf(d1) / d2) + (mp.mpf(d1) / 2 - 1) * mp.log(v)
                             - ((mp.mpf(d1) + d2) / 2) * mp.log(1 + mp.mpf(d1) * v / d2) - mp.log(mp.beta(mp.mpf(d1) / 2, mp.mpf(d2) / 2)))
    for p in PGRID:
        add_quantile("f", [d1, d2], p, stats.f.ppf(p, d1, d2), lambda v: f_tails_mp(d1, d2, v, False), f_pdf)

# ---------------- Beta ----------------
for a, b in [(0.5, 0.5), (1, 1), (2, 3), (0.1, 10), (10, 0.1), (3.3, 7.1), (50, 60), (1e3, 2e3),
             (0.01, 0.01), (1e5, 0.5), (0.5, 1e5), (1, 30), (12, 1)]:
    for x in [1e-300, 1e-100, 1e-10, 1e-5, 1e-3, 0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.45, 0.5, 0.55,
              0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999, 1 - 1e-6, 1 - 1e-10]:
        cdf = stats.beta.cdf(x, a, b); sf = stats.beta.sf(x, a, b)
        if cdf > 0: add("beta", [a, b], "cdf", x, cdf, lambda: mp_betainc(a, b, x))
        if sf > 0: add("beta", [a, b], "sf", x, sf, lambda: mp_betainc(a, b, x, upper=True))
    b_pdf = lambda v: mp.exp((a - 1) * mp.log(v) + (b - 1) * mp.log(1 - v) - mp.log(mp.beta(a, b)))
    for p in PGRID:
        add_quantile("beta", [a, b], p, stats.beta.ppf(p, a, b), lambda v: mp_betainc(a, b, v), b_pdf)

# ---------------- Binomial ----------------
def log_binom_mp(n, k, p):
    n, k, p = mp.mpf(n), mp.mpf(k), mp.mpf(p)
    return mp.loggamma(n + 1) - mp.loggamma(k + 1) - mp.loggamma(n - k + 1) + k * mp.log(p) + (n - k) * mp.log(1 - p)
for n, p in [(1, 0.5), (10, 0.3), (100, 0.01), (50, 0.999), (1000, 0.5), (2500, 0.123), (10**6, 0.3)]:
    ks = sorted(set(int(k) for k in [0, 1, 2, n * p - 3 * math.sqrt(n * p * (1 - p)), n * p - 1,
                                      n * p, n * p + 1, n * p + 3 * math.sqrt(n * p * (1 - p)),
                                      n * p + 10 * math.sqrt(n * p * (1 - p)) + 5, n - 1, n] if 0 <= k <= n))
    for k in ks:
        pmf = stats.binom.pmf(k, n, p)
        if pmf > 0: add("binom", [n, p], "pmf", k, pmf, lambda: mp.exp(log_binom_mp(n, k, p)))
        add("binom", [n, p], "logpmf", k, stats.binom.logpmf(k, n, p), lambda: log_binom_mp(n, k, p))
        cdf = stats.binom.cdf(k, n, p); sf = stats.binom.sf(k, n, p)
        if k < n:
            mc = lambda: mp_betainc(n - k, k + 1, 1 - mp.mpf(p))
            ms = lambda: mp_betainc(k + 1, n - k, p)
        else:
            mc, ms = (lambda: mp.mpf(1)), None
        if cdf > 0: add("binom", [n, p], "cdf", k, cdf, mc)
        if sf > 0: add("binom", [n, p], "sf", k, sf, ms)
    for q in PGRID[1:-1]:
        add("binom", [n, p], "quantile", q, stats.binom.ppf(q, n, p))

# ---------------- Hypergeometric (scipy: M total, n successes, N draws) ----------------
def log_hyper_mp(N, K, n, k):
    lb = lambda a, b: mp.loggamma(mp.mpf(a) + 1) - mp.loggamma(mp.mpf(b) + 1) - mp.loggamma(mp.mpf(a) - b + 1)
    return lb(K, k) + lb(N - K, n - k) - lb(N, n)
for N, K, n in [(20, 7, 12), (10, 3, 5), (100, 50, 50), (10**4, 3000, 500), (10**6, 5 * 10**5, 2 * 10**5)]:
    lo, hi = max(0, n + K - N), min(n, K)
    mean = n * K / N
    sd = math.sqrt(n * K / N * (N - K) / N * (N - n) / max(N - 1, 1))
    ks = sorted(set(int(k) for k in [lo, lo + 1, mean - 8 * sd, mean - 3 * sd, mean - 1, mean, mean + 1,
                                      mean + 3 * sd, mean + 8 * sd, hi - 1, hi] if lo <= k <= hi))
    for k in ks:
        pmf = stats.hypergeom.pmf(k, N, K, n)
        if pmf > 0: add("hypergeom", [N, K, n], "pmf", k, pmf, lambda: mp.exp(log_hyper_mp(N, K, n, k)))
        add("hypergeom", [N, K, n], "logpmf", k, stats.hypergeom.logpmf(k, N, K, n), lambda: log_hyper_mp(N, K, n, k))
        cdf = stats.hypergeom.cdf(k, N, K, n); sf = stats.hypergeom.sf(k, N, K, n)
        # Exact tail sums in mpmath (terms summed until negligible, from the end point outwards).
        def tail_sum(js):
            total = mp.mpf(0)
            for j in js:
                term = mp.exp(log_hyper_mp(N, K, n, j))
                total += term
                if term < total * mp.mpf(10) ** -45:
                    break
            return total
        mc = lambda: tail_sum(range(k, lo - 1, -1))
        ms = (lambda: tail_sum(range(k + 1, hi + 1))) if k < hi else None
        if cdf > 0: add("hypergeom", [N, K, n], "cdf", k, min(cdf, 1.0), mc)
        if sf > 0: add("hypergeom", [N, K, n], "sf", k, sf, ms)

out = {"generator": "scipy %s, numpy %s, mpmath %s (python %s)" % (
           scipy.__version__, np.__version__, mp.__version__, sys.version.split()[0]),
       "note": ("values from scipy.stats, each checked against mpmath (40 and 60 digits); "
                "'source: mpmath' marks those where scipy differs from mpmath by > 1e-13 relative "
                "(mostly huge shape parameters, e.g. chi2 k = 1e7, hypergeometric N = 1e6)"),
       "cases": cases}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "distributions.json"), "w") as f:
    json.dump(out, f, indent=0)
print("cases:", len(cases), "replaced by mpmath:", replaced, "unverified:", unverified, "dropped:", dropped)
for k in sorted(worst):
    print("  max rel |scipy - mpmath| %-28s %.2e" % (k, worst[k]))
