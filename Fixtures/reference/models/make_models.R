# Reference values for design-based GLMs (R survey svyglm / regTermTest / confint).
# Run from the repository root: Rscript Fixtures/reference/models/make_models.R
# Reads the api extracts of Fixtures/reference/design (written by make_design.R) and the synthetic
# fixture survey; writes expected.json next to this script.
# glm.control(epsilon = 1e-13, maxit = 200): IRLS is run to full convergence (also for every
# replicate refit, which inherits the control), so the values are the exact maximisers.
suppressMessages(library(survey))
here <- "Fixtures/reference/models"
dd <- "Fixtures/reference/design"
source("Fixtures/reference/models/json_models.R")
ctl <- glm.control(epsilon = 1e-13, maxit = 200)
J <- list()
st <- read.csv(file.path(dd, "apistrat.csv"))
c1 <- read.csv(file.path(dd, "apiclus1.csv"))
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = st, fpc = ~fpc)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = c1, fpc = ~fpc)
rclus1 <- as.svrepdesign(dclus1)                       # JK1, scale folds in (1 - f)
J$jk1_scale <- rclus1$scale

# Stratified design
put("strat_gauss", svyglm(api00 ~ enroll + factor(stype), dstrat, control = ctl), "factor(stype)")
put("strat_logit", svyglm(awards ~ api00 + factor(stype), dstrat, family = quasibinomial(), control = ctl), "factor(stype)")
put("strat_binomial", svyglm(awards ~ api00 + factor(stype), dstrat, family = binomial(), control = ctl), "factor(stype)")
put("strat_probit", svyglm(awards ~ api00 + factor(stype), dstrat, family = binomial(link = "probit"), control = ctl), "factor(stype)")
put("strat_poisson", svyglm(api_stu ~ api00 + factor(stype), dstrat, family = poisson(), control = ctl), "factor(stype)")
put("strat_quasipoisson", svyglm(api_stu ~ api00 + factor(stype), dstrat, family = quasipoisson(), control = ctl), "factor(stype)")
put("strat_interaction", svyglm(api00 ~ enroll * factor(stype), dstrat, control = ctl), c("factor(stype)", "enroll:factor(stype)"))
put("strat_colon", svyglm(api00 ~ api99 + api99:enroll, dstrat, control = ctl), "api99:enroll")
put("strat_factor_only_interaction", svyglm(api00 ~ enroll:factor(stype), dstrat, control = ctl), "enroll:factor(stype)")
st$stype3 <- relevel(factor(st$stype), ref = "3")
dstrat3 <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = st, fpc = ~fpc)
put("strat_logit_ref3", svyglm(awards ~ api00 + stype3, dstrat3, family = binomial(), control = ctl), "stype3")
put("strat_factor_by_factor", svyglm(api00 ~ factor(stype) * factor(awards), dstrat, control = ctl),
    c("factor(stype)", "factor(stype):factor(awards)"))

# Domains: subset() keeps the design's PSUs (R svyglm on a subset design)
put("strat_domain_gauss", svyglm(api00 ~ enroll + factor(stype), subset(dstrat, sch_wide == 1), control = ctl), "factor(stype)")
put("clus1_domain_logit", svyglm(awards ~ api00 + enroll, subset(dclus1, stype != 2), family = binomial(), control = ctl))

# One-stage cluster design
put("clus1_gauss", svyglm(api00 ~ enroll + factor(stype), dclus1, control = ctl), "factor(stype)")
put("clus1_logit", svyglm(awards ~ api00 + factor(stype), dclus1, family = binomial(), control = ctl), "factor(stype)")
# JK1 replicates of the cluster design (refits per replicate)
put("jk1_gauss", svyglm(api00 ~ enroll + factor(stype), rclus1, control = ctl), "factor(stype)")
put("jk1_logit", svyglm(awards ~ api00 + factor(stype), rclus1, family = binomial(), control = ctl), "factor(stype)")

# Synthetic fixture: favourable to the US (codes 1, 2) on opinion of Russia (factor) and of the
# leadership (numeric 1-4); codes 8, 9 (Don't know, Refused) are missing, rows dropped listwise.
kz <- read.csv("Fixtures/surveys/kz2019-synthetic.csv")
for (v in c("q_us_opinion", "q_russia_opinion", "q_leader_opinion")) kz[[v]][kz[[v]] %in% c(8, 9)] <- NA
kz$us_fav <- as.integer(kz$q_us_opinion %in% c(1, 2)); kz$us_fav[is.na(kz$q_us_opinion)] <- NA
dkz <- svydesign(id = ~1, weights = ~wt, data = kz)
put("kz_logit", svyglm(us_fav ~ factor(q_russia_opinion) + q_leader_opinion, dkz, family = binomial(), control = ctl),
    "factor(q_russia_opinion)")

write_json(J, file.path(here, "expected.json"))
