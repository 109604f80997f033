# References for ShareTable (one share with CI per category of a by-variable) on
# clustered, stratified+clustered and replicate designs: R survey, each category's
# share computed on subset(design, by == code) as svyby/svyciprop do.
# Run from the repository root: Rscript Fixtures/reference/shares/make_share_by.R
# Uses the api CSV extracts of Fixtures/reference/design; writes share_by.json.
suppressMessages(library(survey))
src <- "Fixtures/reference/design"
here <- "Fixtures/reference/shares"
source(file.path(src, "json.R"))
# JSON has no NaN: R's NaN (svyciprop "beta" at p = 1) is written as null.
num <- function(x) ifelse(is.finite(as.numeric(x)), formatC(as.numeric(x), digits = 17, format = "g"), "null")
st <- read.csv(file.path(src, "apistrat.csv"))
c1 <- read.csv(file.path(src, "apiclus1.csv"))
designs <- list(
  # Stratified two-stage: districts (PSUs) nested in school types (strata), with replacement.
  stratclus = svydesign(id = ~dnum, strata = ~stype, nest = TRUE, weights = ~pw, data = st),
  # One-stage cluster sample with fpc.
  clus1 = svydesign(id = ~dnum, weights = ~pw, data = c1, fpc = ~fpc),
  # JK1 replicate weights stored in the CSV (as in make_design_extras.R).
  jk1 = svrepdesign(data = c1, repweights = "jk1_[0-9]+", type = "JK1", weights = ~pw,
                    scale = 0.9333333333333333 * (1 - 15 / 757), combined.weights = TRUE))
tables <- list(list(of = "awards", by = "stype"), list(of = "sch_wide", by = "awards"))
J <- list()
for (dn in names(designs)) {
  for (tb in tables) {
    des <- update(designs[[dn]], yy = as.numeric(get(tb$of) == 1), xx = get(tb$by))
    codes <- sort(unique(des$variables$xx))
    rows <- list()
    for (code in codes) {
      sub <- subset(des, xx == code)
      m <- svymean(~yy, sub)
      # Replicate designs: Barometer uses the full design's replicate df for every domain.
      df <- if (inherits(des, "svyrep.design")) degf(des) else degf(sub)
      lo <- svyciprop(~yy, sub, method = "logit", df = df)
      kg <- svyciprop(~yy, sub, method = "beta", df = df)
      rows[[length(rows) + 1]] <- list(code = code, n = nrow(sub$variables), estimate = as.numeric(coef(m)),
                                       se = as.numeric(SE(m)), degf = df,
                                       logit = as.numeric(attr(lo, "ci")), beta = as.numeric(attr(kg, "ci")))
    }
    key <- paste0(dn, "_", tb$of, "_by_", tb$by)
    J[[key]] <- list(codes = sapply(rows, `[[`, "code"), n = sapply(rows, `[[`, "n"),
                     estimate = sapply(rows, `[[`, "estimate"), se = sapply(rows, `[[`, "se"),
                     degf = sapply(rows, `[[`, "degf"),
                     logit_lower = sapply(rows, function(r) r$logit[1]), logit_upper = sapply(rows, function(r) r$logit[2]),
                     beta_lower = sapply(rows, function(r) r$beta[1]), beta_upper = sapply(rows, function(r) r$beta[2]))
  }
}
write_json(J, file.path(here, "share_by.json"))
