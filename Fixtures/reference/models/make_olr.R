# Reference values for design-based proportional-odds models (R survey svyolr).
# Run from the repository root: Rscript Fixtures/reference/models/make_olr.R
# Writes apistrat_olr.csv / apiclus1_olr.csv (the api columns the models use, meals cut into four
# categories as in ?svyolr, JK1 replicate weights of the cluster design) and expected_olr.json.
# optim is run to full convergence (reltol 1e-15) for the linearization fits, and its Hessian (central
# differences of svyolr's analytic gradient, the bread of the sandwich) uses steps of 1e-6 instead of
# optim's default 1e-3, whose truncation error moves the SEs by up to 4e-4 relative (the default-step
# SEs are kept as "seDefaultHessian"). svyolr's replicate refits call polr with its own default
# tolerance, which R does not let us tighten.
suppressMessages(library(survey))
here <- "Fixtures/reference/models"
data(api)
source("Fixtures/reference/models/json_models.R")
prep <- function(d) {
  out <- data.frame(snum = d$snum, dnum = d$dnum, stype = as.integer(d$stype), pw = d$pw, fpc = d$fpc,
                    mealcat = as.integer(cut(d$meals, c(0, 25, 50, 75, 100), include.lowest = TRUE)),
                    avg_ed = d$avg.ed, mobility = d$mobility)
  out
}
st <- prep(apistrat)
c1 <- prep(apiclus1)
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = st, fpc = ~fpc)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = c1, fpc = ~fpc)
rclus1 <- as.svrepdesign(dclus1)
rw <- weights(rclus1, "analysis")
write.csv(st, file.path(here, "apistrat_olr.csv"), row.names = FALSE)
write.csv(cbind(c1, setNames(as.data.frame(rw), paste0("jk1_", 1:ncol(rw)))), file.path(here, "apiclus1_olr.csv"), row.names = FALSE)
J <- list(jk1_scale = rclus1$scale)
ctl <- function(m) list(reltol = 1e-15, maxit = 10000, ndeps = rep(1e-6, m))
put <- function(key, f, design, m, ...) {
  fit <- svyolr(f, design, control = ctl(m), ...)
  v <- sqrt(diag(vcov(fit)))
  J[[key]] <<- list(names = names(fit$coefficients), coef = fit$coefficients, zeta = fit$zeta,
                    zetaNames = names(fit$zeta), se = v, df = fit$df.residual, deviance = fit$deviance)
  if (!inherits(design, "svyrep.design")) {
    J[[key]]$seDefaultHessian <<- sqrt(diag(vcov(svyolr(f, design, control = list(reltol = 1e-15, maxit = 10000), ...))))
  }
}
put("strat_olr", factor(mealcat) ~ avg_ed + mobility + factor(stype), dstrat, 7)
put("clus1_olr", factor(mealcat) ~ avg_ed + mobility + factor(stype), dclus1, 7)
put("clus1_olr_probit", factor(mealcat) ~ avg_ed + mobility, dclus1, 5, method = "probit")
put("jk1_olr", factor(mealcat) ~ avg_ed + mobility, rclus1, 5)
# The same JK1 variance with every replicate refit run to full convergence: svyolr.svyrep.design's
# steps (polr with the replicate weights from the full-sample start, then svrVar) written out.
full <- MASS::polr(factor(mealcat) ~ avg_ed + mobility, data = c1, weights = pw, Hess = FALSE,
                   control = list(reltol = 1e-15, maxit = 10000))
start <- c(full$coefficients, full$zeta)
betas <- t(apply(rw, 2, function(w) {
  m <- MASS::polr(factor(mealcat) ~ avg_ed + mobility, data = c1, weights = w, start = start,
                  control = list(reltol = 1e-15, maxit = 10000))
  c(m$coefficients, m$zeta)
}))
J$jk1_olr_tight <- list(coef = full$coefficients, zeta = full$zeta,
                        se = sqrt(diag(svrVar(betas, rclus1$scale, rclus1$rscales, mse = rclus1$mse, coef = start))))
kz <- read.csv("Fixtures/surveys/kz2019-synthetic.csv")
for (v in c("q_us_opinion", "q_russia_opinion", "q_leader_opinion")) kz[[v]][kz[[v]] %in% c(8, 9)] <- NA
dkz <- svydesign(id = ~1, weights = ~wt, data = kz)
put("kz_olr", factor(q_us_opinion) ~ factor(q_russia_opinion) + q_leader_opinion, dkz, 7)
write_json(J, file.path(here, "expected_olr.json"))
