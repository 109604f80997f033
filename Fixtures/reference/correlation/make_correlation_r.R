# R references for the correlation engine (Tests/BarometerTests/CorrelationRTests.swift).
# Run from the repository root:  Rscript Fixtures/reference/correlation/make_correlation_r.R
# Writes correlation_r.json next to this script. Peers: psych::corr.test (r, t-test p,
# Holm-adjusted p, Fisher-z CI), psych::partial.r (partial given a set, and the full
# partial matrix), stats::cov.wt (weighted correlation), polycor::hetcor (two-step
# polychoric; its optimize() tolerance is ~1e-4, so it is compared loosely).
suppressPackageStartupMessages({ library(psych); library(polycor); library(jsonlite) })
here <- "Fixtures/reference/correlation"
anes <- read.csv(file.path(here, "anes96.csv"))
v <- c("selfLR", "ClinLR", "DoleLR", "PID")
ct <- corr.test(anes[, v], adjust = "holm")
ct_s <- corr.test(anes[, v], method = "spearman", adjust = "none")
pr <- partial.r(anes, c("ClinLR", "DoleLR"), c("selfLR", "PID"))
full <- partial.r(anes[, v])
listGivenZ <- partial.r(anes, c("ClinLR", "DoleLR", "educ", "income"), c("selfLR", "PID"))
syn <- read.csv(file.path(here, "synthetic.csv"))
q <- syn[, c("q1", "q2", "q3", "q4")]
q[q == 8 | q == 9] <- NA
ok <- complete.cases(q)
cw <- cov.wt(q[ok, ], wt = syn$wt[ok], cor = TRUE)
hc <- hetcor(data.frame(lapply(anes[, c("selfLR", "ClinLR", "PID")], ordered)), ML = FALSE, std.err = TRUE)
out <- list(
  versions = list(R = R.version.string, psych = format(packageVersion("psych")), polycor = format(packageVersion("polycor"))),
  variables = v,
  corrTest = list(r = unclass(ct$r), p = unclass(ct$p), ciLower = ct$ci$lower, ciUpper = ct$ci$upper,
                  spearman = unclass(ct_s$r), spearmanP = unclass(ct_s$p)),
  # psych corr.test: entries above the diagonal of p are Holm-adjusted, below are raw
  partialClinDoleGivenSelfPID = unclass(pr)[1, 2],
  partialFull = unclass(full),
  partialListGivenSelfPID = list(variables = c("ClinLR", "DoleLR", "educ", "income"), r = unclass(listGivenZ)),
  covWtListwise = unclass(cw$cor),
  hetcor = list(variables = c("selfLR", "ClinLR", "PID"), r = unclass(hc$correlations), se = unclass(hc$std.errors))
)
writeLines(toJSON(out, digits = NA, matrix = "rowmajor", auto_unbox = TRUE, pretty = TRUE), file.path(here, "correlation_r.json"))
cat("ok\n")
