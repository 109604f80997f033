# Reference values for issue 15's defaults, from R survey (Lumley), on R's api data.
# Run from the repository root: Rscript Fixtures/reference/shares/make_defaults.R
# Writes defaults.json (and apistrat_scaled.csv) next to this script. Covers:
#  - design effects with replacement (deff = "replace") and without (deff = TRUE), with and
#    without an fpc, and with weights scaled to sum to n (R: NA + "Sample size greater than
#    population size" warning);
#  - svyciprop with every method (logit, likelihood, asin, beta, mean, xlogit) on the whole
#    sample and on domains, under the stratified, one-stage cluster and JK1 designs;
#  - for "likelihood", also the exact root of R's own profile (uniroot on the quasi-binomial
#    deviance of the svyglm fitted to full convergence), which svyciprop approximates by a
#    spline through 10 profile steps of a fit converged to glm's default 1e-8;
#  - JK1 and JKn replicate designs built by as.svrepdesign() from designs with an fpc.
suppressMessages(library(survey))
here <- "Fixtures/reference/shares"
design_dir <- "Fixtures/reference/design"
num <- function(x) ifelse(is.na(x), "null", ifelse(is.infinite(x), ifelse(x > 0, "\"Inf\"", "\"-Inf\""), formatC(as.numeric(x), digits = 17, format = "g")))
enc <- function(x) {
  if (is.list(x)) paste0("{", paste0('"', names(x), '": ', sapply(x, enc), collapse = ", "), "}")
  else if (is.character(x)) paste0('"', x, '"')
  else if (length(x) == 1) num(x) else paste0("[", paste(num(x), collapse = ", "), "]")
}
J <- list()

st <- read.csv(file.path(design_dir, "apistrat.csv"))
c1 <- read.csv(file.path(design_dir, "apiclus1.csv"))
jkn_data <- read.csv(file.path(design_dir, "apistrat_jkn.csv"))
# Weights scaled to sum to the sample size (how opinion surveys ship them).
sc <- st; sc$pw_n <- st$pw * nrow(st) / sum(st$pw)
# ... and to 90% of it (Σw < n: R's without-replacement deff is NA with a warning).
sc$pw_low <- 0.9 * sc$pw_n
write.csv(sc[, c("snum", "stype", "pw", "pw_n", "pw_low", "fpc", "api00", "enroll", "sch_wide", "awards")],
          file.path(here, "apistrat_scaled.csv"), row.names = FALSE)

dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = st, fpc = ~fpc)
nofpc <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = st)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = c1, fpc = ~fpc)
scaled_fpc <- svydesign(id = ~1, strata = ~stype, weights = ~pw_n, data = sc, fpc = ~fpc)
scaled <- svydesign(id = ~1, strata = ~stype, weights = ~pw_n, data = sc)
low_fpc <- svydesign(id = ~1, strata = ~stype, weights = ~pw_low, data = sc, fpc = ~fpc)
rclus1 <- as.svrepdesign(dclus1)                        # JK1 with the fpc folded into the scale
designs <- list(strat = dstrat, nofpc = nofpc, clus1 = dclus1, scaled_fpc = scaled_fpc, scaled = scaled, low_fpc = low_fpc,
                jk1 = rclus1)

# 1. Design effects.
deffs <- function(f, d, total = FALSE) {
  est <- if (total) svytotal else svymean
  with <- attr(est(f, d, deff = "replace"), "deff")
  without <- withCallingHandlers(attr(est(f, d, deff = TRUE), "deff"),
                                 warning = function(w) { J$warnings <<- c(J$warnings, conditionMessage(w)); invokeRestart("muffleWarning") })
  m <- est(f, d)
  list(estimate = as.numeric(coef(m)), se = as.numeric(SE(m)),
       deff_replace = as.numeric(diag(as.matrix(with))), deff = as.numeric(diag(as.matrix(without))))
}
J$warnings <- character(0)
for (k in names(designs)) {
  d <- designs[[k]]
  J[[paste0("deff_", k, "_mean_api00")]] <- deffs(~api00, d)
  J[[paste0("deff_", k, "_total_enroll")]] <- deffs(~enroll, d, total = TRUE)
  J[[paste0("deff_", k, "_share_schwide")]] <- deffs(~I(sch_wide == 1), d)
  J[[paste0("deff_", k, "_share_schwide_stype1")]] <- deffs(~I(sch_wide == 1), subset(d, stype == 1))
}
J$warnings <- unique(J$warnings)
# The issue's example: the synthetic fixture survey, weights scaled to n (codes 8, 9 user-missing).
kz <- read.csv("Fixtures/surveys/kz2019-synthetic.csv")
for (v in c("q_russia_opinion", "q_us_opinion")) kz[[v]][kz[[v]] %in% c(8, 9)] <- NA
dkz <- svydesign(id = ~1, weights = ~wt, data = kz)
for (v in c("q_russia_opinion", "q_us_opinion")) {
  f <- as.formula(paste0("~", v))
  J[[paste0("deff_kz2019_mean_", v)]] <- list(
    estimate = as.numeric(coef(svymean(f, dkz, na.rm = TRUE))), se = as.numeric(SE(svymean(f, dkz, na.rm = TRUE))),
    deff_replace = as.numeric(attr(svymean(f, dkz, na.rm = TRUE, deff = "replace"), "deff")),
    weight_sum = sum(weights(dkz)[!is.na(kz[[v]])]), n = sum(!is.na(kz[[v]])))
}

# 2. svyciprop, every method.
methods <- c("logit", "likelihood", "asin", "beta", "mean", "xlogit")
exact_likelihood <- function(f, d, level) {
  # The root that confint.svyglm(method = "likelihood") interpolates: signed root of the
  # scaled deviance difference equal to qt((1 - level)/2, df) * sqrt(lambda).
  # Fitted to full convergence: glm's default epsilon (1e-8 on the deviance) leaves the
  # Pearson dispersion, and so the root, off by up to ~1e-6 relative.
  m <- eval(bquote(svyglm(.(f[[2]]) ~ 1, design = d, family = quasibinomial,
                          control = glm.control(epsilon = 1e-15, maxit = 100))))
  df <- degf(d)
  lambda <- m$cov.unscaled[1, 1] / m$naive.cov[1, 1]
  cut <- qt((1 - level) / 2, df) * sqrt(lambda)
  fit <- m; y <- fit$y; w <- fit$prior.weights; disp <- summary(fit)$dispersion
  dev0 <- fit$deviance; b0 <- coef(fit)[1]
  dev <- function(b) glm.fit(x = matrix(0, length(y), 0), y = y, weights = w, offset = rep(b, length(y)),
                             family = quasibinomial())$deviance
  z <- function(b) sign(b - b0) * sqrt(max((dev(b) - dev0) / disp, 0))
  lo <- uniroot(function(b) z(b) - cut, c(b0 - 50, b0), tol = 1e-13)$root
  hi <- uniroot(function(b) z(b) + cut, c(b0, b0 + 50), tol = 1e-13)$root
  plogis(c(lo, hi))
}
ciprop <- function(f, d, level = 0.95) {
  out <- list()
  for (m in methods) {
    r <- svyciprop(f, d, method = m, level = level)
    out[[m]] <- as.numeric(attr(r, "ci"))
  }
  out$estimate <- as.numeric(svyciprop(f, d))
  out$se <- as.numeric(SE(svymean(f, d)))[2]
  out$degf <- degf(d)
  out$level <- level
  # (R's likelihood interval is NA on a replicate design: no exact root there.)
  out$likelihood_exact <- if (inherits(d, "svyrep.design")) c(NA, NA) else exact_likelihood(f, d, level)
  out
}
J$ciprop_strat_schwide <- ciprop(~I(sch_wide == 1), dstrat)
J$ciprop_strat_awards_90 <- ciprop(~I(awards == 1), dstrat, level = 0.90)
J$ciprop_strat_schwide_stype1 <- ciprop(~I(sch_wide == 1), subset(dstrat, stype == 1))
J$ciprop_strat_schwide_stype3 <- ciprop(~I(sch_wide == 1), subset(dstrat, stype == 3))
J$ciprop_clus1_schwide <- ciprop(~I(sch_wide == 1), dclus1)
J$ciprop_clus1_awards_stype1 <- ciprop(~I(awards == 1), subset(dclus1, stype == 1))
J$ciprop_jk1_awards <- ciprop(~I(awards == 1), rclus1)
J$ciprop_jk1_awards_stype1 <- ciprop(~I(awards == 1), subset(rclus1, stype == 1))

# 3. Replicate designs built from designs with an fpc.
J$jk1fpc_scale <- rclus1$scale
J$jk1fpc_mean_api00 <- list(estimate = as.numeric(coef(svymean(~api00, rclus1))), se = as.numeric(SE(svymean(~api00, rclus1))))
J$jk1fpc_total_enroll <- list(estimate = as.numeric(coef(svytotal(~enroll, rclus1))), se = as.numeric(SE(svytotal(~enroll, rclus1))))
jknfpc <- as.svrepdesign(dstrat, type = "JKn")
# The replicate weights equal those of the design without fpc (apistrat_jkn.csv); only rscales change.
stopifnot(max(abs(weights(jknfpc, "analysis") - as.matrix(jkn_data[, paste0("jkn_", 1:200)]))) < 1e-9)
J$jknfpc_rscales <- as.numeric(jknfpc$rscales)
J$jknfpc_scale <- jknfpc$scale
J$jknfpc_mean_api00 <- list(estimate = as.numeric(coef(svymean(~api00, jknfpc))), se = as.numeric(SE(svymean(~api00, jknfpc))))

lines <- paste0('  "', names(J), '": ', sapply(J, enc))
writeLines(c("{", paste0('  "generator": "R survey ', packageDescription("survey")$Version, '",'),
             paste(lines, collapse = ",\n"), "}"), file.path(here, "defaults.json"))
