# R peer for the end-to-end run: one whole process per task, file -> answer.
#   Rscript e2e.R TASK datatable DATADIR  ->  stdout: {"values": [...]} in report.py's order
# data.table::fread (2 threads) reads the CSV; survey 4.x computes the estimate.
args <- commandArgs(trailingOnly = TRUE)
task <- args[1]; data <- args[3]
suppressMessages({ library(data.table); library(survey) })
d <- fread(file.path(data, paste0("e2e_", task, ".csv")), nThread = 2)
done <- function(v) cat(sprintf('{"values": [%s]}\n', paste(sprintf("%.17g", as.numeric(v)), collapse = ", ")))
y5 <- ~y1 + y2 + y3 + y4 + y5
if (task == "pearson") {
  m <- cor(as.matrix(d)); done(t(m)[lower.tri(m)])
} else if (task == "shares") {
  des <- svydesign(ids = ~1, weights = ~wt, data = d)
  r <- svyby(~I(yes == 1), ~region, des, svyciprop, method = "logit", vartype = "ci")
  r <- r[order(r$region), ]
  done(as.vector(t(cbind(r[[2]], r$ci_l, r$ci_u))))
} else if (task == "strata") {
  des <- svydesign(ids = ~psu, strata = ~st, nest = TRUE, weights = ~wt, data = d)
  m <- svymean(y5, des); done(as.vector(rbind(coef(m), SE(m))))
} else if (task == "sdr") {
  des <- svrepdesign(data = d, weights = ~wt, repweights = "rw[0-9]+", type = "successive-difference")
  m <- svymean(y5, des); done(as.vector(rbind(coef(m), SE(m))))
} else if (task == "glm") {
  # svyglm with linearization SEs; quasibinomial gives binomial's estimates and SEs without the
  # non-integer-weights warning
  des <- svydesign(ids = ~psu, strata = ~st, nest = TRUE, weights = ~wt, data = d)
  f <- as.formula(paste("y ~", paste0("x", 1:20, collapse = " + ")))
  s <- coef(summary(svyglm(f, des, family = quasibinomial())))
  done(c(s[, 1], s[, 2]))
} else if (task == "crosstab") {
  des <- svydesign(ids = ~psu, strata = ~st, nest = TRUE, weights = ~wt, data = d)
  r <- svychisq(~a + b, des)   # default statistic "F": Rao-Scott second-order F
  done(c(r$statistic, r$parameter[["ndf"]], r$parameter[["ddf"]], r$p.value))
}
