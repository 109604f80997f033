# Reference values for the design-based banner test (BannerBook, test = design):
# domain proportions / means per banner column with their joint design
# covariance (svyratio(covmat = TRUE), checked against svyby(covmat = TRUE) for
# the category columns), pairwise differences by svycontrast, t on
# degf(subset(design, valid answers)), two-sided p from pt.
# Run: Rscript make_banner_svy.R   (survey 4.1.1; writes banner_svy.json and
# banner_survey_jk1.csv, the data with R's JK1 replicate weights)
suppressMessages({library(survey); library(jsonlite)})
d <- read.csv("banner_survey.csv", stringsAsFactors = FALSE)
d$regionNet <- as.integer(d$region %in% c(1, 2))
designs <- list(
  weights = svydesign(ids = ~1, weights = ~wt, data = d),
  cluster = svydesign(ids = ~psu, strata = ~stratum, weights = ~wt, data = d, nest = TRUE)
)
jk <- as.svrepdesign(svydesign(ids = ~psu, weights = ~wt, data = d), type = "JK1")
rw <- weights(jk, "analysis")
colnames(rw) <- sprintf("rep%02d", seq_len(ncol(rw)))
write.csv(cbind(d[, setdiff(names(d), "regionNet")], rw), "banner_survey_jk1.csv", row.names = FALSE, quote = FALSE)
designs$jk1 <- jk

# Banner columns: Total; region 1,2,3 and the net {1,2}; sex 1,2.
columns <- list(
  list(var = NA, codes = NULL),
  list(var = "region", codes = 1), list(var = "region", codes = 2), list(var = "region", codes = 3),
  list(var = "region", codes = c(1, 2)),
  list(var = "sex", codes = 1), list(var = "sex", codes = 2))
groups <- list(region = 2:5, sex = 6:7)
rowsOf <- list(q1 = list(list(label = "1", codes = 1), list(label = "2", codes = 2), list(label = "3", codes = 3),
                         list(label = "4", codes = 4), list(label = "Favourable", codes = c(1, 2))),
               q2 = list(list(label = "1", codes = 1), list(label = "2", codes = 2), list(label = "3", codes = 3)),
               score = list(list(label = "Mean", codes = NULL)),
               reasons = list(list(label = "1", codes = 1), list(label = "2", codes = 2), list(label = "3", codes = 3),
                              list(label = "4", codes = 4), list(label = "Economy or security", codes = c(2, 3))))
# Multiple response (reason1, reason2): the base is the cases, respondents with
# at least one answer; a row counts a respondent who named the code in either column.
validOf <- function(data, v) {
  if (v == "q1") return(data$q1 %in% 1:4)
  if (v == "reasons") return(!is.na(data$reason1) | !is.na(data$reason2))
  !is.na(data[[v]])
}
indicator <- function(data, v, codes) {
  if (v == "reasons") return(as.numeric(data$reason1 %in% codes | data$reason2 %in% codes))
  as.numeric(data[[v]] %in% codes)
}

out <- list()
for (dn in names(designs)) {
  des <- designs[[dn]]
  tables <- list()
  for (v in names(rowsOf)) {
    des$variables$valid <- validOf(des$variables, v)
    sub <- subset(des, valid)
    df <- degf(sub)
    rowsOut <- list()
    for (r in rowsOf[[v]]) {
      y <- if (is.null(r$codes)) ifelse(is.na(des$variables[[v]]), 0, des$variables[[v]]) else indicator(des$variables, v, r$codes)
      nums <- c(); dens <- c()
      for (j in seq_along(columns)) {
        cj <- columns[[j]]
        inCol <- if (is.na(cj$var)) rep(1, nrow(des$variables)) else as.numeric(des$variables[[cj$var]] %in% cj$codes)
        des$variables[[paste0("n", j)]] <- y * inCol
        des$variables[[paste0("d", j)]] <- inCol
      }
      sub <- subset(des, valid)
      nf <- as.formula(paste("~", paste0("n", seq_along(columns), collapse = "+")))
      dfm <- as.formula(paste("~", paste0("d", seq_along(columns), collapse = "+")))
      rat <- svyratio(nf, dfm, sub, covmat = TRUE)
      V <- vcov(rat)
      keys <- paste0("n", seq_along(columns), "/d", seq_along(columns))
      est <- as.numeric(coef(rat)[keys])
      cov <- V[keys, keys]
      # Cross-check the category columns with svyby(covmat = TRUE).
      des$variables$yy <- y
      sub <- subset(des, valid)
      by <- svyby(~yy, ~region, sub, svymean, covmat = TRUE)
      dv <- max(abs(vcov(by) - cov[2:4, 2:4])); if (max(abs(coef(by) - est[2:4])) > 1e-12 || dv > 1e-12 * max(abs(cov))) stop(sprintf("svyby and svyratio differ: %g", dv))
      pairs <- list()
      for (g in names(groups)) {
        cols <- groups[[g]]
        for (a in seq_along(cols)) for (b in seq_along(cols)) if (a < b) {
          ca <- cols[a]; cb <- cols[b]
          overlap <- length(intersect(columns[[ca]]$codes, columns[[cb]]$codes)) > 0
          if (overlap) next
          w <- rep(0, length(columns)); w[ca] <- 1; w[cb] <- -1
          names(w) <- keys
          con <- svycontrast(rat, w)
          dd <- as.numeric(coef(con)); se <- as.numeric(SE(con))
          t <- dd / se
          pairs[[length(pairs) + 1]] <- list(a = ca - 1, b = cb - 1, difference = dd, se = se, t = t, df = df,
                                            p = 2 * pt(-abs(t), df))
        }
      }
      rowsOut[[length(rowsOut) + 1]] <- list(label = r$label, estimates = est, se = sqrt(diag(cov)), pairs = pairs)
    }
    tables[[v]] <- list(df = df, rows = rowsOut)
  }
  out[[dn]] <- tables
}
out$replicateCount <- ncol(rw)
out$jk1Scale <- jk$scale
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = FALSE), "banner_svy.json")
