# Reference values for design-based quantiles (R survey svyquantile, Woodruff intervals with
# interval.type = "mean", the default, under qrule "math" (default) and "hf7").
# Run from the repository root: Rscript Fixtures/reference/quantiles/make_quantiles.R
suppressMessages(library(survey))
here <- "Fixtures/reference/quantiles"
dd <- "Fixtures/reference/design"
source("Fixtures/reference/models/json_models.R")
J <- list()
probs <- c(0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99)
put <- function(key, x, design, qrule, ...) {
  q <- svyquantile(x, design, probs, qrule = qrule, na.rm = TRUE, ...)[[1]]
  J[[key]] <<- list(p = probs, quantile = q[, 1], lower = q[, 2], upper = q[, 3], se = q[, 4],
                    df = degf(design))
}
st <- read.csv(file.path(dd, "apistrat.csv"))
c1 <- read.csv(file.path(dd, "apiclus1.csv"))
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = st, fpc = ~fpc)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = c1, fpc = ~fpc)
rclus1 <- as.svrepdesign(dclus1)
J$jk1_scale <- rclus1$scale
for (rule in c("math", "hf7")) {
  put(paste0("strat_api00_", rule), ~api00, dstrat, rule)
  put(paste0("strat_enroll_", rule), ~enroll, dstrat, rule)
  put(paste0("clus1_api00_", rule), ~api00, dclus1, rule)
  put(paste0("jk1_api00_", rule), ~api00, rclus1, rule)
  put(paste0("strat_domain_api00_", rule), ~api00, subset(dstrat, sch_wide == 1), rule)
  put(paste0("strat_api00_level90_", rule), ~api00, dstrat, rule, alpha = 0.1)
}
kz <- read.csv("Fixtures/surveys/kz2019-synthetic.csv")
kz$q_leader_opinion[kz$q_leader_opinion %in% c(8, 9)] <- NA
dkz <- svydesign(id = ~1, weights = ~wt, data = kz)
for (rule in c("math", "hf7")) put(paste0("kz_leader_", rule), ~q_leader_opinion, subset(dkz, !is.na(q_leader_opinion)), rule)
write_json(J, file.path(here, "expected.json"))
