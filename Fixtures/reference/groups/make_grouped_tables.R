# References for --by on freq, crosstab, corr and pcorr, and for differences of
# correlations between groups, from R (survey, stats) on the api extracts under
# Fixtures/reference/design/:
# - frequencies per group: svytable(~stype + awards [+ sch_wide]) and svyby(~factor(stype), ~g, svymean);
# - crosstab layers: svytable(~stype + sch_wide + awards);
# - correlations per group: cov.wt(cor = TRUE) on the group's rows, partial from the
#   inverse of the group's weighted covariance, Kish n_eff = (sum w)^2 / sum w^2;
# - Fisher z of two groups' correlations computed by hand from those;
# - design-based difference of correlations (linearization): svyby of the five (or
#   nine) moments with covmat = TRUE and svycontrast(quote(r_1 - r_2)) (delta method,
#   nlcon); JK1: the difference recomputed under each replicate weight, svrVar.
# Run from the repository root: Rscript Fixtures/reference/groups/make_grouped_tables.R
suppressMessages({ library(survey); library(jsonlite) })
here <- "Fixtures/reference/groups"
st <- read.csv("Fixtures/reference/design/apistrat.csv")
c1 <- read.csv("Fixtures/reference/design/apiclus1.csv")
c1 <- c1[, !grepl("^(jk1|boot)_", names(c1))]
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = st, fpc = ~fpc)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = c1, fpc = ~fpc)
rclus1 <- as.svrepdesign(dclus1)
J <- list(generator = paste("R survey", packageDescription("survey")$Version))

# 1. frequencies of stype per group of awards, and of awards x sch_wide (crossed, awards fastest)
freq <- function(by) {
  f <- as.formula(paste("~stype +", paste(by, collapse = "+")))
  tw <- svytable(f, dstrat)                         # weighted counts, stype x groups
  tn <- table(st[, c("stype", by)])                 # unweighted
  list(by = I(by), weighted = I(as.numeric(tw)), counts = I(as.numeric(tn)),
       groupWeighted = I(as.numeric(apply(tw, seq_along(by) + 1, sum))))
}
fp <- function(by) {
  out <- freq(by)
  props <- svyby(~factor(stype), as.formula(paste("~", paste(by, collapse = "+"))), dstrat, svymean)
  k <- nrow(props)
  out$proportions <- I(as.numeric(t(matrix(coef(props), nrow = k))))   # per present group (svyby drops empty ones): its 3 shares
  out
}
J$freq_awards <- fp("awards")
J$freq_awards_schwide <- fp(c("awards", "sch_wide"))

# 2. crosstab stype x sch_wide, layers by awards
J$crosstab <- list(weighted = I(as.numeric(svytable(~stype + sch_wide + awards, dstrat))),
                   counts = I(as.numeric(table(st[, c("stype", "sch_wide", "awards")]))))

# 3. correlations per group (weighted, the group's rows)
vars <- c("api00", "api99", "enroll")
pc <- function(S, i, j) { P <- solve(S); -P[i, j] / sqrt(P[i, i] * P[j, j]) }
percor <- list()
for (g in sort(unique(st$stype))) {
  s <- st[st$stype == g, ]
  cw <- cov.wt(s[, vars], wt = s$pw, cor = TRUE)
  S <- cov.wt(s[, vars], wt = s$pw)$cov
  neff <- sum(s$pw)^2 / sum(s$pw^2)
  percor[[length(percor) + 1]] <- list(group = g, r = I(as.numeric(cw$cor)), neff = neff, n = nrow(s), N = sum(s$pw),
                                       partial = pc(S, 1, 2))           # api00, api99 | enroll
}
J$correlations <- percor
# 4. Fisher z of every pair of groups (api00 x enroll zero-order; api00 x api99 | enroll, k = 1)
fz <- function(r1, r2, n1, n2, k) { z <- (atanh(r1) - atanh(r2)) / sqrt(1 / (n1 - 3 - k) + 1 / (n2 - 3 - k)); c(z, 2 * pnorm(-abs(z))) }
fis <- list()
for (a in 1:2) for (b in (a + 1):3) {
  A <- percor[[a]]; B <- percor[[b]]
  z0 <- fz(A$r[3], B$r[3], A$neff, B$neff, 0)     # r[3] = cor(api00, enroll) (column-major 3x3)
  z1 <- fz(A$partial, B$partial, A$neff, B$neff, 1)
  fis[[length(fis) + 1]] <- list(first = a - 1, second = b - 1, z = z0[1], p = z0[2], zPartial = z1[1], pPartial = z1[2])
}
J$fisher <- fis

# 5. design-based difference of correlations between two groups
mom <- function(d, x, y, z = NULL) {
  d <- update(d, X = get(x), Y = get(y))
  if (is.null(z)) return(update(d, XX = X^2, YY = Y^2, XY = X * Y))
  update(d, Z = get(z), XX = X^2, YY = Y^2, ZZ = Z^2, XY = X * Y, XZ = X * Z, YZ = Y * Z)
}
corr_expr <- function(g, partial) {
  m <- function(v) sprintf("`%s:%s`", g, v)
  cv <- function(a, b) sprintf("(%s - %s * %s)", m(paste0(a, b)), m(a), m(b))
  r <- function(a, b) sprintf("(%s / sqrt(%s * %s))", cv(a, b), cv(a, a), cv(b, b))
  if (!partial) return(r("X", "Y"))
  sprintf("((%s - %s * %s) / sqrt((1 - %s^2) * (1 - %s^2)))", r("X", "Y"), r("X", "Z"), r("Y", "Z"), r("X", "Z"), r("Y", "Z"))
}
lin_diff <- function(d, by, ga, gb, x, y, z = NULL) {
  dm <- mom(d, x, y, z)
  f <- if (is.null(z)) ~X + Y + XX + YY + XY else ~X + Y + Z + XX + YY + ZZ + XY + XZ + YZ
  b <- svyby(f, as.formula(paste("~", by)), dm, svymean, covmat = TRUE)
  # squared moments are named XX, YY: cv("X","X") reads `g:XX`
  e <- parse(text = paste(corr_expr(ga, !is.null(z)), "-", corr_expr(gb, !is.null(z))))[[1]]
  sc <- svycontrast(b, e)
  est <- as.numeric(coef(sc)); se <- as.numeric(SE(sc)); df <- degf(d)
  list(design = deparse(substitute(d)), by = by, first = ga, second = gb, x = x, y = y, z = if (is.null(z)) "" else z,
       estimate = est, se = se, df = df, t = est / se, p = 2 * pt(-abs(est / se), df),
       lower = est - qt(0.975, df) * se, upper = est + qt(0.975, df) * se)
}
wcor <- function(w, X, partial = FALSE) {
  S <- cov.wt(X, wt = w / sum(w))$cov       # the scale of the covariance cancels in r
  if (!partial) return(S[1, 2] / sqrt(S[1, 1] * S[2, 2]))
  pc(S, 1, 2)
}
rep_diff <- function(ga, gb, x, y, z = NULL) {
  W <- weights(rclus1, "analysis"); X <- as.matrix(c1[, c(x, y, z)])
  ia <- c1$stype == ga; ib <- c1$stype == gb; p <- !is.null(z)
  full <- wcor(c1$pw[ia], X[ia, ], p) - wcor(c1$pw[ib], X[ib, ], p)
  th <- apply(W, 2, function(w) wcor(w[ia], X[ia, ], p) - wcor(w[ib], X[ib, ], p))
  se <- sqrt(as.numeric(survey:::svrVar(th, rclus1$scale, rclus1$rscales, coef = full))); df <- degf(rclus1)
  list(design = "jk1", by = "stype", first = ga, second = gb, x = x, y = y, z = if (is.null(z)) "" else z, estimate = full, se = se, df = df,
       t = full / se, p = 2 * pt(-abs(full / se), df), lower = full - qt(0.975, df) * se, upper = full + qt(0.975, df) * se)
}
J$designDifferences <- list(
  lin_diff(dstrat, "stype", 1, 3, "api00", "enroll"),
  lin_diff(dclus1, "stype", 1, 3, "api00", "enroll"),
  lin_diff(dclus1, "stype", 1, 2, "api00", "api99", "enroll"),
  rep_diff(1, 3, "api00", "enroll"),
  rep_diff(1, 2, "api00", "api99", "enroll"))
J$designDifferences[[1]]$design <- "strat"
J$designDifferences[[2]]$design <- "clus1"
J$designDifferences[[3]]$design <- "clus1"

# 6. mean --where: R's df for a domain is degf(subset(design, …)) (svyciprop, svyttest and
#    svychisq use the subset design's degf); the CI with that df
sub <- subset(dclus1, api99 > 600)
m <- svymean(~api00, sub)
dfs <- degf(sub)
J$meanWhere <- list(where = "api99 > 600", estimate = as.numeric(coef(m)), se = as.numeric(SE(m)), df = dfs,
                    designDF = degf(dclus1),
                    lower = as.numeric(coef(m)) - qt(0.975, dfs) * as.numeric(SE(m)),
                    upper = as.numeric(coef(m)) + qt(0.975, dfs) * as.numeric(SE(m)),
                    confintDF = I(as.numeric(confint(m, df = dfs))))
writeLines(toJSON(J, auto_unbox = TRUE, digits = NA, pretty = TRUE), file.path(here, "grouped_tables.json"))
cat("written\n")
