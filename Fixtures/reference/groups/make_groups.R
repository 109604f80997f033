# Reference values for grouped estimation and tested differences, from R survey
# (svyby(..., covmat = TRUE) + svycontrast), on the api extracts committed under
# Fixtures/reference/design/ (stratified apistrat, one-stage cluster apiclus1 and
# its JK1 replicates from as.svrepdesign).
# Run from the repository root: Rscript Fixtures/reference/groups/make_groups.R
suppressMessages({ library(survey); library(jsonlite) })
here <- "Fixtures/reference/groups"
st <- read.csv("Fixtures/reference/design/apistrat.csv")
c1 <- read.csv("Fixtures/reference/design/apiclus1.csv")
c1 <- c1[, !grepl("^(jk1|boot)_", names(c1))]
c1$one_psu <- as.integer(c1$dnum == 413)     # a group lying in a single PSU
c1$hi <- as.numeric(c1$api00 > 700)           # share --of 'api00 > 700': the mean of the 0/1 answer
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = st, fpc = ~fpc)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = c1, fpc = ~fpc)
rclus1 <- as.svrepdesign(dclus1)                 # JK1, scale (R-1)/R * (1 - f)
designs <- list(strat = dstrat, clus1 = dclus1, jk1 = rclus1)

cases <- list()
add <- function(name, design, kind, y, by, x = NULL, where = NULL, where_r = NULL, contrast = NULL) {
  d <- designs[[design]]
  if (!is.null(where_r)) d <- eval(bquote(subset(d, .(str2lang(where_r)))))
  f <- as.formula(paste("~", paste(by, collapse = "+")))
  fy <- as.formula(paste("~", y))
  b <- switch(kind,
    mean = svyby(fy, f, d, svymean, covmat = TRUE, keep.var = TRUE),
    total = svyby(fy, f, d, svytotal, covmat = TRUE),
    ratio = svyby(fy, f, d, svyratio, denominator = as.formula(paste("~", x)), covmat = TRUE))
  est <- as.numeric(coef(b)); V <- vcov(b); k <- length(est)
  # groups in svyby's order, their degf (R degf of the subset design), n and weighted N
  keys <- b[, by, drop = FALSE]
  mf <- model.frame(d)
  vars <- c(y, x)
  gdf <- numeric(k); n <- numeric(k); N <- numeric(k)
  for (g in 1:k) {
    sel <- rep(TRUE, nrow(mf))
    for (v in by) sel <- sel & mf[[v]] == keys[g, v]
    for (v in vars) sel <- sel & !is.na(mf[[v]])
    sub <- d[sel & weights(d, "sampling") != 0, ]
    gdf[g] <- degf(sub)
    n[g] <- sum(sel & weights(d, "sampling") != 0)
    N[g] <- sum(weights(d, "sampling")[sel])
  }
  ddf <- degf(d)
  se <- sqrt(diag(V))
  qg <- suppressWarnings(qt(0.975, gdf))      # NaN for a group with df 0 (one PSU)
  pairs <- list(); ests <- c(); ses <- c(); ps <- c()
  for (i in 1:(k - 1)) for (j in (i + 1):k) {
    w <- rep(0, k); w[i] <- 1; w[j] <- -1
    sc <- svycontrast(b, w)
    e <- as.numeric(coef(sc)); s <- as.numeric(SE(sc))
    t <- e / s; p <- 2 * pt(-abs(t), ddf)
    pairs[[length(pairs) + 1]] <- list(first = i - 1, second = j - 1, estimate = e, se = s, t = t, p = p,
                                       lower = e - qt(0.975, ddf) * s, upper = e + qt(0.975, ddf) * s)
    ps <- c(ps, p)
  }
  # I(): vectors stay JSON arrays even when of length 1
  adj <- list(holm = I(p.adjust(ps, "holm")), bonferroni = I(p.adjust(ps, "bonferroni")), bh = I(p.adjust(ps, "BH")))
  out <- list(name = name, design = design, kind = kind, y = y, by = I(by), estimates = I(est), se = I(se),
              covariance = I(as.numeric(V)), groupDF = I(gdf), designDF = ddf, n = I(n), weighted = I(N),
              lower = I(est - qg * se), upper = I(est + qg * se),
              lowerDesignDF = I(est - qt(0.975, ddf) * se), upperDesignDF = I(est + qt(0.975, ddf) * se), pairs = pairs, adjusted = adj,
              labels = apply(keys, 1, function(r) paste(r, collapse = ",")))
  if (!is.null(x)) out$x <- x
  if (!is.null(where)) out$where <- where
  if (!is.null(contrast)) {
    sc <- svycontrast(b, contrast)
    e <- as.numeric(coef(sc)); s <- as.numeric(SE(sc))
    out$contrast <- list(weights = I(contrast), estimate = e, se = s, p = 2 * pt(-abs(e / s), ddf))
  }
  cases[[length(cases) + 1]] <<- out
}

add("strat mean api00 by stype", "strat", "mean", "api00", "stype", contrast = c(1, -0.5, -0.5))
add("strat mean api00 by sch_wide", "strat", "mean", "api00", "sch_wide")
add("strat mean api00 by stype+sch_wide", "strat", "mean", "api00", c("stype", "sch_wide"))
add("strat total enroll by sch_wide", "strat", "total", "enroll", "sch_wide")
add("strat ratio api_stu/enroll by awards", "strat", "ratio", "api_stu", "awards", x = "enroll")
add("clus1 mean api00 by stype", "clus1", "mean", "api00", "stype", contrast = c(2, -1, -1))
add("clus1 total enroll by stype", "clus1", "total", "enroll", "stype")
add("clus1 ratio api_stu/enroll by sch_wide", "clus1", "ratio", "api_stu", "sch_wide", x = "enroll")
add("clus1 mean api00 by stype+awards", "clus1", "mean", "api00", c("stype", "awards"))
add("clus1 mean api00 by stype where api99 > 600", "clus1", "mean", "api00", "stype",
    where = "api99 > 600", where_r = "api99 > 600")
add("clus1 mean api00 by one_psu", "clus1", "mean", "api00", "one_psu")
add("jk1 mean api00 by stype", "jk1", "mean", "api00", "stype", contrast = c(1, -0.5, -0.5))
add("jk1 total enroll by stype", "jk1", "total", "enroll", "stype")
add("jk1 ratio api_stu/enroll by sch_wide", "jk1", "ratio", "api_stu", "sch_wide", x = "enroll")
add("clus1 share api00>700 by stype", "clus1", "mean", "hi", "stype")
add("jk1 share api00>700 by stype", "jk1", "mean", "hi", "stype")

writeLines(toJSON(list(generator = paste("R survey", packageDescription("survey")$Version),
                       jk1_scale = rclus1$scale, cases = cases),
                  auto_unbox = TRUE, digits = NA, pretty = TRUE), file.path(here, "expected.json"))
cat(length(cases), "cases\n")
