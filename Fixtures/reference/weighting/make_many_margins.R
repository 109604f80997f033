# Reference for raking with many margins (issue 18): R survey (Lumley) rake on a SYNTHETIC sample of
# 600 respondents with ten margins of nine categories each, so that Barometer's joint-cell table takes
# its two larger paths: 4 margins (9^4 = 6561 possible cells, more than its flat table of 4n + 4096 =
# 6496 entries: a dictionary) and all 10 margins (9^10 > Int32.max: a dictionary on the code tuple).
# Run from the repository root: Rscript Fixtures/reference/weighting/make_many_margins.R
suppressMessages(library(survey))
here <- "Fixtures/reference/weighting"
source("Fixtures/reference/design/json.R")
set.seed(18)
n <- 600; K <- 9
latent <- rnorm(n)
d <- data.frame(id = seq_len(n))
for (j in 1:10) {
  z <- 0.5 * latent + rnorm(n)
  d[[paste0("m", j)]] <- as.integer(cut(z, quantile(z, seq(0, 1, length.out = K + 1)), include.lowest = TRUE))
}
d$d <- round(runif(n, 0.5, 2), 4)
write.csv(d, file.path(here, "many_margins.csv"), row.names = FALSE)
targets <- list()
lines <- "variable,category,target"
for (j in 1:10) {
  v <- paste0("m", j)
  t <- as.numeric(table(d[[v]])) * exp(0.3 * rnorm(K)); t <- t / sum(t)
  targets[[v]] <- t
  lines <- c(lines, sprintf("%s,%d,%.15g", v, 1:K, t))
}
# totals are shares here; the last share absorbs rounding so that each margin sums to 1 within 1e-15
writeLines(lines, file.path(here, "many_margins_targets.csv"))
tg <- read.csv(file.path(here, "many_margins_targets.csv"))
des <- svydesign(ids = ~1, weights = ~d, data = d)
N <- sum(d$d)
rk <- function(vars) {
  pm <- lapply(vars, function(v) { t <- tg[tg$variable == v, ]; setNames(data.frame(t$category, t$target * N), c(v, "Freq")) })
  as.numeric(weights(rake(des, lapply(vars, function(v) as.formula(paste0("~", v))), pm,
                          control = list(maxit = 2000, epsilon = 1e-14))))
}
# Ten margins: R's rake builds the full cross-table (svytable over 9^10 cells: "total number of levels
# >= 2^31"), so the reference is calibrate(calfun = "raking"), which solves the same problem (its
# weights equal rake's to ~1e-15 on the four margins, checked below).
cal <- function(vars) {
  f <- as.formula(paste("~", paste0("factor(", vars, ")", collapse = " + ")))
  pop <- c(`(Intercept)` = N)
  for (v in vars) { t <- tg[tg$variable == v, ]; for (k in 2:K) pop[paste0("factor(", v, ")", k)] <- t$target[k] * N }
  as.numeric(weights(calibrate(des, f, population = pop, calfun = "raking", epsilon = 1e-14, maxit = 500)))
}
J <- list()
J$rake4_weights <- rk(paste0("m", 1:4))
stopifnot(max(abs(cal(paste0("m", 1:4)) / J$rake4_weights - 1)) < 1e-12)
J$raking10_weights <- cal(paste0("m", 1:10))
write_json(J, file.path(here, "many_margins.json"))
