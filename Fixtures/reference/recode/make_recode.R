# Reference values for the recode tests (issue 23, item 6), independent of Barometer.
#
# apistrat (R survey's api data): api00 banded with R `cut` (right-closed intervals; on whole
# numbers (-Inf,499], (499,699], (699,Inf] equal the closed ranges lo-499, 500-699, 700-hi),
# then under the stratified design (strata = stype, fpc = fpc, weights = pw) the weighted counts
# of the bands (svytotal) and the band shares with their SEs (svymean of the factor), and the
# domain mean of api99 per band (svyby svymean). Pandas' pd.cut on the same bins is checked to
# give the same bands (make_recode_pandas.py writes pandas.json).
#
# Run from the repository root: Rscript Fixtures/reference/recode/make_recode.R
suppressMessages(library(survey))
api <- read.csv("Fixtures/reference/design/apistrat.csv")
api$band <- cut(api$api00, breaks = c(-Inf, 499, 699, Inf), labels = c("low", "mid", "high"))
d <- svydesign(ids = ~1, strata = ~stype, fpc = ~fpc, weights = ~pw, data = api)
tot <- svytotal(~band, d)
m <- svymean(~band, d)
by <- svyby(~api99, ~band, d, svymean)
out <- list(
  bands = as.integer(api$band),
  weightedCounts = unname(coef(tot)),
  shares = unname(coef(m)),
  shareSE = unname(SE(m)),
  meanAPI99 = unname(coef(by)),
  meanAPI99SE = unname(SE(by)),
  r = paste(R.version$major, R.version$minor, sep = "."), survey = as.character(packageVersion("survey"))
)
fmt <- function(x) formatC(x, digits = 17, format = "g")
con <- file("Fixtures/reference/recode/expected.json", "w")
writeLines("{", con)
keys <- names(out)
for (k in seq_along(keys)) {
  v <- out[[keys[k]]]
  val <- if (is.character(v)) paste0("\"", v, "\"") else paste0("[", paste(if (is.integer(v)) v else fmt(v), collapse = ", "), "]")
  writeLines(paste0("  \"", keys[k], "\": ", val, if (k < length(keys)) "," else ""), con)
}
writeLines("}", con)
close(con)
