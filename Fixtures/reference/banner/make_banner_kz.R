# Reference for the banner book on the memo fixture (Fixtures/surveys/kz2019-synthetic.csv, weight wt,
# weights-only design): stub q_russia_opinion (codes 1-4 and the net 1+2; 8/9 and blanks are not valid
# answers) against Total, lang (1, 2) and agegroup (1, 2, 3). Domain proportions and their joint design
# covariance by svyratio(covmat = TRUE) on subset(design, valid), pairwise differences by svycontrast,
# t on degf(subset), two-sided p.  Run: Rscript make_banner_kz.R  (survey 4.1.1; writes banner_kz.json)
suppressMessages({library(survey); library(jsonlite)})
d <- read.csv("../../surveys/kz2019-synthetic.csv")
d$valid <- d$q_russia_opinion %in% 1:4
des <- svydesign(ids = ~1, weights = ~wt, data = d)
columns <- list(list(var = NA, codes = NULL), list(var = "lang", codes = 1), list(var = "lang", codes = 2),
                list(var = "agegroup", codes = 1), list(var = "agegroup", codes = 2), list(var = "agegroup", codes = 3))
groups <- list(lang = 2:3, agegroup = 4:6)
rows <- list(1, 2, 3, 4, c(1, 2))
sub <- subset(des, valid)
df <- degf(sub)
out <- list()
for (codes in rows) {
  y <- as.numeric(d$q_russia_opinion %in% codes)
  for (j in seq_along(columns)) {
    cj <- columns[[j]]
    inCol <- if (is.na(cj$var)) rep(1, nrow(d)) else as.numeric(d[[cj$var]] %in% cj$codes)
    des$variables[[paste0("n", j)]] <- y * inCol
    des$variables[[paste0("d", j)]] <- inCol
  }
  sub <- subset(des, valid)
  rat <- svyratio(as.formula(paste("~", paste0("n", seq_along(columns), collapse = "+"))),
                  as.formula(paste("~", paste0("d", seq_along(columns), collapse = "+"))), sub, covmat = TRUE)
  keys <- paste0("n", seq_along(columns), "/d", seq_along(columns))
  est <- as.numeric(coef(rat)[keys]); V <- vcov(rat)[keys, keys]
  pairs <- list()
  for (g in names(groups)) { cols <- groups[[g]]
    for (a in seq_along(cols)) for (b in seq_along(cols)) if (a < b) {
      w <- rep(0, length(columns)); w[cols[a]] <- 1; w[cols[b]] <- -1; names(w) <- keys
      con <- svycontrast(rat, w); dd <- as.numeric(coef(con)); se <- as.numeric(SE(con)); t <- dd / se
      pairs[[length(pairs) + 1]] <- list(a = cols[a] - 1, b = cols[b] - 1, difference = dd, se = se, t = t, df = df,
                                        p = 2 * pt(-abs(t), df))
    } }
  out[[length(out) + 1]] <- list(label = paste(codes, collapse = "+"), codes = codes, estimates = est, se = sqrt(diag(V)), pairs = pairs)
}
writeLines(toJSON(list(df = df, rows = out), auto_unbox = TRUE, digits = NA), "banner_kz.json")
