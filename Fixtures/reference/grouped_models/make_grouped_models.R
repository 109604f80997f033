# Reference values for grouped (--by) quantiles, GLMs and proportional-odds models (R survey 4.1):
#   quantiles: svyby(~x, ~g, design, svyquantile, quantiles = p, qrule = rule, ci = TRUE, na.rm = TRUE)
#   GLMs:      svyglm(f, design = subset(design, g == k)) for each group k (subset keeps every PSU)
#   olr:       svyolr(f, design = subset(design, g == k))
# Run from the repository root: Rscript Fixtures/reference/grouped_models/make_grouped_models.R
# Reads the api extracts of Fixtures/reference/design and Fixtures/reference/models (written by
# make_design.R / make_olr.R) and the synthetic fixture survey; writes expected.json next to this script.
suppressMessages(library(survey))
here <- "Fixtures/reference/grouped_models"
dd <- "Fixtures/reference/design"
source("Fixtures/reference/models/json_models.R")
J <- list()
probs <- c(0.25, 0.5, 0.75)
# svyby gives each group's quantiles and SEs (Woodruff: CI width / 2t); its confint() is a Wald
# interval q +- z*SE, not the Woodruff interval, so the intervals come from svyquantile on
# subset(design, g == k), the design svyby hands to svyquantile for group k.
# Replicate designs: R's svyquantile on a subset uses degf(subset) = rank of the replicate weights on
# the subset's rows - 1; Barometer uses the design's df for every group of a replicate design (as its
# grouped means do), so the JK1 intervals here are svyquantile's with df = degf(design) (rdf).
putq <- function(key, x, by, design, rule, rdf = NULL) {
  r <- svyby(x, by, design, svyquantile, quantiles = probs, qrule = rule, ci = TRUE, na.rm = TRUE, keep.var = TRUE)
  g <- r[[1]]
  v <- all.vars(x); b <- all.vars(by)
  qn <- paste0(v, ".", c("0.25", "0.5", "0.75"))
  vals <- list(group = as.numeric(as.character(g)), p = probs)
  for (k in seq_along(g)) {
    sub <- subset(design, design$variables[[b]] == g[k])
    q <- svyquantile(x, sub, probs, qrule = rule, ci = TRUE, na.rm = TRUE, df = rdf)[[1]]
    vals[[paste0("quantile_", g[k])]] <- as.numeric(r[k, qn])
    vals[[paste0("se_", g[k])]] <- if (is.null(rdf)) as.numeric(SE(r)[k, ]) else as.numeric(q[, 4])
    vals[[paste0("svybySE_", g[k])]] <- as.numeric(SE(r)[k, ])
    vals[[paste0("lower_", g[k])]] <- as.numeric(q[, 2])
    vals[[paste0("upper_", g[k])]] <- as.numeric(q[, 3])
    vals[[paste0("subsetQuantile_", g[k])]] <- as.numeric(q[, 1])
  }
  J[[key]] <<- vals
}
ctl <- glm.control(epsilon = 1e-13, maxit = 200)
putglm <- function(key, f, design, by, family = gaussian()) {
  lv <- sort(unique(design$variables[[by]]))
  vals <- list(group = as.numeric(lv))
  for (k in lv) {
    sub <- subset(design, design$variables[[by]] == k)
    # refit from the converged estimate: glm's covariance comes from the QR of the last iteration's
    # start, so one more pass puts it at the maximum (else it is off by up to 1e-7 for logit)
    fit0 <- svyglm(f, design = sub, family = family, control = ctl)
    fit <- eval(bquote(svyglm(.(f), design = sub, family = family, control = ctl, start = .(unname(coef(fit0))))))
    s <- coef(summary(fit)); ci <- confint(fit)
    vals[[paste0("names_", k)]] <- rownames(s)
    vals[[paste0("coef_", k)]] <- s[, 1]; vals[[paste0("se_", k)]] <- s[, 2]; vals[[paste0("p_", k)]] <- s[, 4]
    vals[[paste0("lower_", k)]] <- ci[, 1]; vals[[paste0("upper_", k)]] <- ci[, 2]
    vals[[paste0("df_", k)]] <- fit$df.residual; vals[[paste0("n_", k)]] <- length(fit$y)
  }
  J[[key]] <<- vals
}
st <- read.csv(file.path(dd, "apistrat.csv"))
c1 <- read.csv(file.path(dd, "apiclus1.csv"))
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = st, fpc = ~fpc)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = c1, fpc = ~fpc)
rclus1 <- as.svrepdesign(dclus1)
for (rule in c("math", "hf7")) {
  putq(paste0("strat_api00_by_awards_", rule), ~api00, ~awards, dstrat, rule)
  putq(paste0("clus1_api00_by_stype_", rule), ~api00, ~stype, dclus1, rule)
  putq(paste0("jk1_api00_by_sch_wide_", rule), ~api00, ~sch_wide, rclus1, rule, rdf = degf(rclus1))
}
putglm("strat_gauss_by_awards", api00 ~ enroll + api99, dstrat, "awards")
putglm("clus1_logit_by_stype", sch_wide ~ api99 + enroll, dclus1, "stype", quasibinomial())
putglm("jk1_gauss_by_sch_wide", api00 ~ enroll + api99, rclus1, "sch_wide")
# Proportional odds per group (apistrat_olr.csv of make_olr.R: mealcat 1-4), by stype.
so <- read.csv("Fixtures/reference/models/apistrat_olr.csv")
dso <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = so, fpc = ~fpc)
octl <- list(reltol = 1e-15, maxit = 10000, ndeps = rep(1e-6, 5))
lv <- sort(unique(so$stype)); vals <- list(group = as.numeric(lv))
for (k in lv) {
  fit <- svyolr(factor(mealcat) ~ avg_ed + mobility, subset(dso, stype == k), control = octl)
  vals[[paste0("coef_", k)]] <- fit$coefficients; vals[[paste0("zeta_", k)]] <- fit$zeta
  vals[[paste0("se_", k)]] <- sqrt(diag(vcov(fit))); vals[[paste0("df_", k)]] <- fit$df.residual
}
J$strat_olr_by_stype <- vals
# Fixture: median and quartiles of leadership opinion by language; Don't know/Refused are NA.
kz <- read.csv("Fixtures/surveys/kz2019-synthetic.csv")
kz$q_leader_opinion[kz$q_leader_opinion %in% c(8, 9)] <- NA
dkz <- svydesign(id = ~1, weights = ~wt, data = kz)
putq("kz_leader_by_lang_math", ~q_leader_opinion, ~lang, dkz, "math")
write_json(J, file.path(here, "expected.json"))
