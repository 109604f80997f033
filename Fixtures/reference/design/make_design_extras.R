# References for design-based tests of independence, shares and correlations.
# Run from the repository root: Rscript Fixtures/reference/design/make_design_extras.R
# Uses the CSV extracts written by make_design.R; writes expected-extras.json.
suppressMessages(library(survey))
here <- "Fixtures/reference/design"
source(file.path(here, "json.R"))
J <- list()
st <- read.csv(file.path(here, "apistrat.csv"))
c1 <- read.csv(file.path(here, "apiclus1.csv"))
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = st, fpc = ~fpc)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = c1, fpc = ~fpc)
rclus1 <- svrepdesign(data = c1, repweights = "jk1_[0-9]+", type = "JK1", weights = ~pw,
                      scale = 0.9333333333333333 * (1 - 15 / 757), combined.weights = TRUE)

# 1. Rao-Scott tests (svychisq): stype x sch_wide and stype x awards.
chisq <- function(key, formula, des) {
  for (s in c("F", "Chisq", "Wald", "adjWald")) {
    t <- svychisq(formula, des, statistic = s)
    J[[paste0(key, "_", s)]] <<- list(statistic = as.numeric(t$statistic),
                                        parameter = as.numeric(t$parameter), p = as.numeric(t$p.value))
  }
}
chisq("chisq_strat_stype_schwide", ~stype + sch_wide, dstrat)
chisq("chisq_clus1_stype_awards", ~stype + awards, dclus1)

# 2. Design-based shares with intervals (svyciprop), sch_wide == 1.
for (m in c("logit", "likelihood", "asin", "beta", "mean", "xlogit")) {
  for (k in c("strat", "clus1")) {
    des <- if (k == "strat") dstrat else dclus1
    ci <- svyciprop(~I(sch_wide == 1), des, method = m)
    J[[paste0("ciprop_", k, "_", m)]] <- list(estimate = as.numeric(coef(ci)), se = as.numeric(SE(ci)),
                                              ci = as.numeric(attr(ci, "ci")))
  }
}
# Domain share: awards among sch_wide == 1, one-stage cluster design.
ci <- svyciprop(~I(awards == 1), subset(dclus1, sch_wide == 1), method = "logit")
J$ciprop_clus1_domain_logit <- list(estimate = as.numeric(coef(ci)), se = as.numeric(SE(ci)), ci = as.numeric(attr(ci, "ci")))

# Design effects of a share (R svymean deff = TRUE / "replace") on each design.
for (k in c("strat", "clus1")) {
  des <- if (k == "strat") dstrat else dclus1
  a <- svymean(~I(sch_wide == 1), des, deff = TRUE); b <- svymean(~I(sch_wide == 1), des, deff = "replace")
  J[[paste0("share_deff_", k)]] <- list(deff = diag(as.matrix(attr(a, "deff")))[2], deffReplace = diag(as.matrix(attr(b, "deff")))[2])
}

# 3. Design-based correlation of api00 and api99 (and api00, enroll): delta method on
#    the five design-based means (x, y, x^2, y^2, xy), covariance from svymean's vcov,
#    analytic gradient of r = (m5 - m1 m2) / sqrt((m3 - m1^2)(m4 - m2^2)).
corr_delta <- function(des, x, y) {
  f <- as.formula(paste0("~", x, "+", y, "+I(", x, "^2)+I(", y, "^2)+I(", x, "*", y, ")"))
  m <- svymean(f, des)
  u <- as.numeric(coef(m)); V <- vcov(m)
  sxy <- u[5] - u[1] * u[2]; sxx <- u[3] - u[1]^2; syy <- u[4] - u[2]^2
  r <- sxy / sqrt(sxx * syy); k <- 1 / sqrt(sxx * syy)
  g <- c(-u[2] * k + r * u[1] / sxx, -u[1] * k + r * u[2] / syy, -r / (2 * sxx), -r / (2 * syy), k)
  list(estimate = r, se = sqrt(as.numeric(t(g) %*% V %*% g)))
}
J$corr_strat_api00_api99 <- corr_delta(dstrat, "api00", "api99")
J$corr_clus1_api00_enroll <- corr_delta(dclus1, "api00", "enroll")
# Replicate SE of the correlation: the correlation recomputed under each replicate weight.
wcor <- function(w, x, y) { mx <- sum(w * x) / sum(w); my <- sum(w * y) / sum(w)
  sum(w * (x - mx) * (y - my)) / sqrt(sum(w * (x - mx)^2) * sum(w * (y - my)^2)) }
W <- weights(rclus1, "analysis")
th <- apply(W, 2, wcor, x = c1$api00, y = c1$enroll)
full <- wcor(c1$pw, c1$api00, c1$enroll)
J$corr_jk1_api00_enroll <- list(estimate = full, se = sqrt(as.numeric(survey:::svrVar(th, rclus1$scale, rclus1$rscales, coef = full))))
# 4. Partial correlation of api00 and api99 given enroll (stratified design): svyvar's
#    covariance matrix S and the covariance of its elements; rho = -P12/sqrt(P11 P22),
#    P = S^-1, gradient dP = -P dS P (symmetric perturbations), delta method.
pc_delta <- function(des, vars) {
  sv <- svyvar(as.formula(paste0("~", paste(vars, collapse = "+"))), des)
  S <- as.matrix(sv); VV <- attr(sv, "var"); P <- solve(S); p <- length(vars)
  rho <- -P[1, 2] / sqrt(P[1, 1] * P[2, 2])
  dP <- function(i, j, a, b) if (a == b) -P[i, a] * P[a, j] else -(P[i, a] * P[b, j] + P[i, b] * P[a, j])
  # VV is indexed by vec(S) (p^2 entries, both triangles); use the a <= b entries
  idx <- which(upper.tri(S, diag = TRUE), arr.ind = TRUE)
  g <- apply(idx, 1, function(ab) { a <- ab[1]; b <- ab[2]
    -dP(1, 2, a, b) / sqrt(P[1, 1] * P[2, 2]) - rho * (dP(1, 1, a, b) / (2 * P[1, 1]) + dP(2, 2, a, b) / (2 * P[2, 2])) })
  lin <- (idx[, 2] - 1) * p + idx[, 1]
  V <- VV[lin, lin]
  list(estimate = rho, se = sqrt(as.numeric(t(g) %*% V %*% g)))
}
J$pcorr_strat_api00_api99_enroll <- pc_delta(dstrat, c("api00", "api99", "enroll"))
J$pcorr_clus1_api00_api99_enroll <- pc_delta(dclus1, c("api00", "api99", "enroll"))

write_json(J, file.path(here, "expected-extras.json"))
