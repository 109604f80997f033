# Cross-checks every share claim (value and SE) in fixture-figures.json against R survey::svymean.
# Run from the repository root:  Rscript Fixtures/reference/claims/check_shares_survey.R
# (make_fixtures.py computes the figures with pandas; this confirms them with a second, independent peer.)
suppressMessages({library(survey); library(jsonlite)})
ref <- fromJSON("Fixtures/reference/claims/fixture-figures.json", simplifyVector = FALSE)
worst <- 0; checked <- 0
for (name in names(ref$datasets)) {
  ds <- ref$datasets[[name]]
  d <- read.csv(ds$csv)
  des <- svydesign(ids = ~1, weights = ~wt, data = d)
  claims <- fromJSON(ds$claims, simplifyVector = FALSE)$claims
  for (cl in claims) {
    cp <- cl$computation
    if (!(cp$kind %in% c("marginal-share", "collapsed-share", "conditional-share"))) next
    keep <- rep(TRUE, nrow(d))
    for (sel in list(cp$domain, cp$given)) if (!is.null(sel)) keep <- keep & d[[sel$variable]] %in% unlist(sel$codes)
    d$y__ <- as.numeric(d[[cp$variable]] %in% unlist(cp$codes))
    des <- svydesign(ids = ~1, weights = ~wt, data = d)
    m <- svymean(~y__, subset(des, keep))
    f <- ds$figures[[cl$id]]
    err <- max(abs(100 * coef(m) - f$value) / f$value, abs(100 * SE(m) - f$se) / f$se)
    worst <- max(worst, err); checked <- checked + 1
  }
}
cat(sprintf("%d share claims checked; largest relative difference %.3g\n", checked, worst))
stopifnot(worst < 1e-10)
