# Reference values for the `regression` claims of Fixtures/memos/ponars-658.claims.json on the
# synthetic fixture survey (R survey svyglm, confint.svyglm), and for the claim file
# Fixtures/fuzz/claims/seed-regression.claims.json (its domain and factor-level claims).
# Run from the repository root: Rscript Fixtures/reference/claims/make_regression_claims.R
# Weights-only design (svydesign(id = ~1, weights = ~wt)); codes 8, 9 (Don't know, Refused) are NA,
# rows dropped listwise (na.action on the design keeps them out of the fit but in the design).
suppressMessages(library(survey))
source("Fixtures/reference/models/json_models.R")
here <- "Fixtures/reference/claims"
ctl <- glm.control(epsilon = 1e-13, maxit = 200)
kz <- read.csv("Fixtures/surveys/kz2019-synthetic.csv")
for (v in c("q_us_opinion", "q_russia_opinion", "q_leader_opinion")) kz[[v]][kz[[v]] %in% c(8, 9)] <- NA
kz$us_fav <- as.integer(kz$q_us_opinion %in% c(1, 2)); kz$us_fav[is.na(kz$q_us_opinion)] <- NA
dkz <- svydesign(id = ~1, weights = ~wt, data = kz)
J <- list()
put <- function(key, fit, coef) {
  s <- coef(summary(fit)); ci <- confint(fit)
  J[[key]] <<- list(coefficient = coef, estimate = s[coef, 1], se = s[coef, 2], t = s[coef, 3], p = s[coef, 4],
                    lower = ci[coef, 1], upper = ci[coef, 2], df = fit$df.residual, n = length(fit$y))
}
put("ponars658.p5.regression.us-on-russia",
    svyglm(q_us_opinion ~ q_russia_opinion + q_leader_opinion, dkz, control = ctl), "q_russia_opinion")
put("ponars658.p5.logit.us-favourable-on-russia",
    svyglm(us_fav ~ q_russia_opinion + q_leader_opinion, dkz, family = quasibinomial(), control = ctl), "q_russia_opinion")
# Seed claim file: a domain (wave 2019) and a factor level of a probit model.
put("seed.regression.wave2019",
    svyglm(us_fav ~ q_russia_opinion + q_leader_opinion, subset(dkz, wave == 2019), family = quasibinomial(), control = ctl),
    "q_russia_opinion")
put("seed.regression.probit-factor",
    svyglm(us_fav ~ factor(q_russia_opinion) + q_leader_opinion, dkz, family = quasibinomial(link = "probit"), control = ctl),
    "factor(q_russia_opinion)3")
write_json(J, file.path(here, "regression_claims.json"))
