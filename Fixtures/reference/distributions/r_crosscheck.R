# Independent cross-check of a handful of distribution values against R's stats
# package (Rmath: Wichura AS241, TOMS 708 incomplete beta, Loader's dbinom).
# Run:  Rscript Fixtures/reference/distributions/r_crosscheck.R
# Writes r_crosscheck.json next to this script, same case format as distributions.json.
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
cases <- character(0)
add <- function(dist, params, fn, x, value) {
  cases <<- c(cases, sprintf('{"dist": "%s", "params": [%s], "fn": "%s", "x": %s, "value": %s, "source": "R"}',
    dist, paste(sprintf("%.17g", params), collapse = ", "), fn, sprintf("%.17g", x), sprintf("%.17g", value)))
}
for (x in c(-7.5, -1.96, 0.3, 4)) { add("normal", numeric(0), "cdf", x, pnorm(x)); add("normal", numeric(0), "sf", x, pnorm(x, lower.tail = FALSE)) }
for (p in c(1e-50, 0.025, 0.7)) add("normal", numeric(0), "quantile", p, qnorm(p))
for (nu in c(2.5, 12, 847)) {
  for (t in c(-4.2, 1.3, 25)) { add("t", nu, "cdf", t, pt(t, nu)); add("t", nu, "sf", t, pt(t, nu, lower.tail = FALSE)) }
  for (p in c(1e-8, 0.025, 0.975)) add("t", nu, "quantile", p, qt(p, nu))
}
for (k in c(0.7, 4, 199)) {
  for (x in c(0.05, 3.1, 250, 900)) { add("chi2", k, "cdf", x, pchisq(x, k)); add("chi2", k, "sf", x, pchisq(x, k, lower.tail = FALSE)) }
  for (p in c(1e-6, 0.5, 0.95)) add("chi2", k, "quantile", p, qchisq(p, k))
}
for (d in list(c(3, 27.5), c(12, 4))) {
  for (f in c(0.2, 2.9, 60)) { add("f", d, "cdf", f, pf(f, d[1], d[2])); add("f", d, "sf", f, pf(f, d[1], d[2], lower.tail = FALSE)) }
  for (p in c(0.01, 0.95)) add("f", d, "quantile", p, qf(p, d[1], d[2]))
}
for (ab in list(c(0.5, 0.5), c(14, 3), c(1.5, 250))) {
  for (x in c(0.001, 0.3, 0.97)) { add("beta", ab, "cdf", x, pbeta(x, ab[1], ab[2])); add("beta", ab, "sf", x, pbeta(x, ab[1], ab[2], lower.tail = FALSE)) }
  for (p in c(0.025, 0.5, 0.975)) add("beta", ab, "quantile", p, qbeta(p, ab[1], ab[2]))
}
for (k in c(0, 17, 40)) {
  add("binom", c(60, 0.35), "pmf", k, dbinom(k, 60, 0.35)); add("binom", c(60, 0.35), "cdf", k, pbinom(k, 60, 0.35))
  add("binom", c(60, 0.35), "sf", k, pbinom(k, 60, 0.35, lower.tail = FALSE))
}
for (p in c(0.05, 0.5, 0.99)) add("binom", c(60, 0.35), "quantile", p, qbinom(p, 60, 0.35))
# R's phyper(q, m = successes, n = failures, k = draws)
for (k in c(2, 9, 14)) {
  add("hypergeom", c(50, 18, 25), "pmf", k, dhyper(k, 18, 32, 25)); add("hypergeom", c(50, 18, 25), "cdf", k, phyper(k, 18, 32, 25))
  add("hypergeom", c(50, 18, 25), "sf", k, phyper(k, 18, 32, 25, lower.tail = FALSE))
}
writeLines(c(sprintf('{"generator": "%s", "cases": [', R.version.string), paste(cases, collapse = ",\n"), "]}"),
           file.path(here, "r_crosscheck.json"))
cat("cases:", length(cases), "\n")
