# Polychoric joint ML, thresholds with standard errors and the bivariate-normality
# test: references for Tests/BarometerTests/PolychoricMLTests.swift.
#
# Run from the repository root:  Rscript Fixtures/reference/correlation/make_polychoric_ml.R
# Writes polychoric_ml.json next to this script. Needs polycor, mvtnorm, numDeriv, jsonlite.
#
# For every table:
#  * R polycor::polychor(ML = TRUE, std.err = TRUE) with optim's tight reltol (1e-14) is
#    recorded as is ("polycor"), together with the gradient norm at its answer: optim's
#    Nelder-Mead can stop short of the maximum (NOTES.md), so it is not used as the answer.
#  * The verified maximum ("ml"): from polycor's answer, BFGS with the analytic gradient,
#    then Newton steps with a Richardson-extrapolated Hessian (numDeriv::jacobian of the
#    analytic gradient) until the step is below 1e-13. Accepted only if the gradient's
#    largest component is below 1e-8, -H is positive definite, and no point of 2,000
#    random perturbations (scales 1e-2 .. 1e-6) has a higher log-likelihood.
#    Cell probabilities are mvtnorm::pmvnorm through polycor's binBvn (Genz's TVPACK).
#    SEs: sqrt(diag(solve(-H))), H the Hessian of the log-likelihood (observed information,
#    as polycor's var = solve(optim's hessian of -loglik)).
#  * The two-step estimate ("twoStep"): thresholds qnorm of cumulative margins, rho by
#    optimize (tol 1e-12) polished by uniroot on the analytic score (tol 1e-15); SE from the
#    second derivative (numDeriv of the score). polycor's own two-step (BFGS) is recorded.
#  * Bivariate-normality test at each estimate: G2 = 2 sum n log(n / (N pi)) (0 log 0 = 0),
#    Pearson X2 = sum (n - N pi)^2 / (N pi), df = r c - r - c, upper-tail chi-square p.
#    polycor's printed chisq adds 1e-6 to every cell inside the log; it is recorded
#    ("polycorChisq") and differs from G2 by about 2e-6 per non-empty cell.
suppressPackageStartupMessages({ library(polycor); library(mvtnorm); library(numDeriv); library(jsonlite) })

here <- "Fixtures/reference/correlation"
binBvn <- polycor:::binBvn

loglik <- function(theta, tab) {
  r <- nrow(tab); c <- ncol(tab)
  rho <- theta[1]; a <- theta[2:r]; b <- theta[(r + 1):(r + c - 1)]
  if (abs(rho) >= 1 || any(diff(a) <= 0) || any(diff(b) <= 0)) return(-Inf)
  P <- binBvn(rho, a, b)
  m <- tab > 0
  sum(tab[m] * log(P[m]))
}

# analytic gradient: dPhi2(h,k)/drho = phi2(h,k); dPhi2/dh = phi(h) Phi((k - rho h)/s)
grad <- function(theta, tab) {
  r <- nrow(tab); c <- ncol(tab)
  rho <- theta[1]; a <- c(-Inf, theta[2:r], Inf); b <- c(-Inf, theta[(r + 1):(r + c - 1)], Inf)
  s <- sqrt(1 - rho^2)
  P <- binBvn(rho, a[2:r], b[2:c])
  phi2 <- function(h, k) if (is.finite(h) && is.finite(k)) exp(-(h^2 - 2 * rho * h * k + k^2) / (2 * s^2)) / (2 * pi * s) else 0
  dA <- function(h, k) if (!is.finite(h)) 0 else if (k == Inf) dnorm(h) else if (k == -Inf) 0 else dnorm(h) * pnorm((k - rho * h) / s)
  dB <- function(h, k) dA(k, h)
  W <- ifelse(tab > 0, tab / P, 0)
  g <- numeric(r + c - 1)
  for (i in 1:r) for (j in 1:c) {
    g[1] <- g[1] + W[i, j] * (phi2(a[i + 1], b[j + 1]) - phi2(a[i], b[j + 1]) - phi2(a[i + 1], b[j]) + phi2(a[i], b[j]))
  }
  for (k in 1:(r - 1)) {         # threshold a_k = a[k + 1] bounds row k (upper) and row k + 1 (lower)
    for (j in 1:c) {
      d <- dA(a[k + 1], b[j + 1]) - dA(a[k + 1], b[j])
      g[1 + k] <- g[1 + k] + (W[k, j] - W[k + 1, j]) * d
    }
  }
  for (k in 1:(c - 1)) {
    for (i in 1:r) {
      d <- dB(a[i + 1], b[k + 1]) - dB(a[i], b[k + 1])
      g[r + k] <- g[r + k] + (W[i, k] - W[i, k + 1]) * d
    }
  }
  g
}

tests <- function(tab, P) {
  N <- sum(tab); E <- N * P; m <- tab > 0
  g2 <- 2 * sum(tab[m] * log(tab[m] / E[m]))
  x2 <- sum((tab - E)^2 / E)
  df <- length(tab) - nrow(tab) - ncol(tab)
  list(likelihoodRatio = g2, pearson = x2, df = df,
       likelihoodRatioP = pchisq(g2, df, lower.tail = FALSE), pearsonP = pchisq(x2, df, lower.tail = FALSE))
}

one <- function(name, tab) {
  tab <- unclass(as.matrix(tab)); dimnames(tab) <- NULL
  r <- nrow(tab); c <- ncol(tab); N <- sum(tab)
  # --- polycor as is
  pc <- polychor(tab, ML = TRUE, std.err = TRUE, control = list(reltol = 1e-14, maxit = 1e5))
  pcTheta <- c(pc$rho, pc$row.cuts, pc$col.cuts)
  pc2 <- polychor(tab, ML = FALSE, std.err = TRUE)
  # --- verified ML
  f <- function(t) -loglik(t, tab); gr <- function(t) -grad(t, tab)
  stopifnot(max(abs(grad(pcTheta, tab) - numDeriv::grad(function(t) loglik(t, tab), pcTheta))) < 1e-5 * N)
  th <- optim(pcTheta, f, gr, method = "BFGS", control = list(reltol = 1e-16, maxit = 1e4))$par
  for (it in 1:50) {
    H <- numDeriv::jacobian(function(t) grad(t, tab), th)
    H <- (H + t(H)) / 2
    step <- -solve(H, grad(th, tab))
    th <- th + step
    if (max(abs(step)) < 1e-13) break
  }
  g <- grad(th, tab)
  H <- numDeriv::jacobian(function(t) grad(t, tab), th); H <- (H + t(H)) / 2
  stopifnot(max(abs(g)) < 1e-8, all(eigen(-H, symmetric = TRUE)$values > 0))
  ll <- loglik(th, tab)
  stopifnot(ll >= loglik(pcTheta, tab))
  set.seed(1)
  for (sc in c(1e-2, 1e-3, 1e-4, 1e-5, 1e-6)) for (k in 1:400) {
    stopifnot(loglik(th + rnorm(length(th), sd = sc), tab) <= ll + 1e-12 * abs(ll))
  }
  V <- solve(-H); se <- sqrt(diag(V))
  P <- binBvn(th[1], th[2:r], th[(r + 1):(r + c - 1)])
  ml <- c(list(rho = th[1], rowThresholds = as.list(th[2:r]), columnThresholds = as.list(th[(r + 1):(r + c - 1)]),
               standardError = se[1], rowThresholdSEs = as.list(se[2:r]), columnThresholdSEs = as.list(se[(r + 1):(r + c - 1)]),
               covariance = V, logLik = ll, gradientMax = max(abs(g))), tests(tab, P))
  # --- verified two-step
  a <- qnorm(cumsum(rowSums(tab)) / N)[-r]; b <- qnorm(cumsum(colSums(tab)) / N)[-c]
  l1 <- function(rho) loglik(c(rho, a, b), tab); s1 <- function(rho) grad(c(rho, a, b), tab)[1]
  r0 <- optimize(l1, c(-0.9995, 0.9995), maximum = TRUE, tol = 1e-12)$maximum
  rho2 <- uniroot(s1, c(r0 - 1e-4, r0 + 1e-4), tol = 1e-15)$root
  info <- -numDeriv::grad(s1, rho2)
  P2 <- binBvn(rho2, a, b)
  two <- c(list(rho = rho2, rowThresholds = as.list(a), columnThresholds = as.list(b), standardError = 1 / sqrt(info),
                logLik = l1(rho2), score = s1(rho2)), tests(tab, P2))
  cat(sprintf("%-34s ML rho %.12f (polycor %.12f, |grad| there %.2e)  two-step %.12f  G2 %.6f X2 %.6f df %d\n",
              name, th[1], pc$rho, max(abs(grad(pcTheta, tab))), rho2, ml$likelihoodRatio, ml$pearson, ml$df))
  list(name = name, table = tab, n = N, ml = ml, twoStep = two,
       polycor = list(rho = pc$rho, rowThresholds = as.list(pc$row.cuts), columnThresholds = as.list(pc$col.cuts),
                      standardErrors = as.list(sqrt(diag(pc$var))), chisq = pc$chisq, df = pc$df,
                      gradientMax = max(abs(grad(pcTheta, tab))), logLik = loglik(pcTheta, tab),
                      twoStepRho = pc2$rho, twoStepSE = sqrt(pc2$var[1, 1]), twoStepChisq = pc2$chisq))
}

kish_table <- function(x, y, w) {
  t <- tapply(w, list(factor(x), factor(y)), sum); t[is.na(t)] <- 0
  t * (sum(w)^2 / sum(w^2)) / sum(w)
}

cases <- list()
anes <- read.csv(file.path(here, "anes96.csv"))
cases[[1]] <- one("anes selfLR x ClinLR", table(anes$selfLR, anes$ClinLR))
cases[[2]] <- one("anes PID x DoleLR", table(anes$PID, anes$DoleLR))
cases[[3]] <- one("tetrachoric 2x2", matrix(c(44, 12, 17, 31), 2, byrow = TRUE))
syn <- read.csv(file.path(here, "synthetic.csv"))
ok <- !is.na(syn$q1) & !is.na(syn$q4) & !(syn$q1 %in% c(8, 9)) & !(syn$q4 %in% c(8, 9))
cases[[4]] <- one("synthetic weighted q1 x q4", kish_table(syn$q1[ok], syn$q4[ok], syn$wt[ok]))
kz <- read.csv("Fixtures/surveys/kz2019-synthetic.csv")
ok <- !is.na(kz$q_russia_opinion) & !is.na(kz$q_closer_russia) &
  !(kz$q_russia_opinion %in% c(8, 9)) & !(kz$q_closer_russia %in% c(8, 9))
cases[[5]] <- one("kz2019 q_russia_opinion x q_closer_russia", table(kz$q_russia_opinion[ok], kz$q_closer_russia[ok]))
cases[[6]] <- one("kz2019 weighted q_russia_opinion x q_closer_russia",
                  kish_table(kz$q_russia_opinion[ok], kz$q_closer_russia[ok], kz$wt[ok]))
cases[[6]]$rows <- sum(ok)
cases[[5]]$rows <- sum(ok)

out <- list(versions = list(R = R.version.string, polycor = format(packageVersion("polycor")),
                            mvtnorm = format(packageVersion("mvtnorm")), numDeriv = format(packageVersion("numDeriv"))),
            cases = cases)
# jsonlite writes at most 15 significant digits (relative rounding <= 5e-16)
write_json(out, file.path(here, "polychoric_ml.json"), auto_unbox = TRUE, digits = NA, pretty = TRUE)
