# Reference for the fixture's round trip (issue 18): the SYNTHETIC design weights `dweight` of
# Fixtures/surveys/kz2019-synthetic.csv raked with R survey (Lumley) to Fixtures/surveys/kz-targets.csv
# (shares scaled to the sum of dweight, as Barometer does when the file gives no total), then the share
# favourable to Russia and the mean opinion of the US on the raked design with their linearized SEs, and
# the same through calibrate(calfun = "raking") (same weights, GREG-residual SEs).
# Run from the repository root: Rscript Fixtures/reference/weighting/make_fixture_rake.R
suppressMessages(library(survey))
here <- "Fixtures/reference/weighting"
source("Fixtures/reference/design/json.R")
kz <- read.csv("Fixtures/surveys/kz2019-synthetic.csv")
kz$fav_russia <- as.integer(kz$q_russia_opinion %in% c(1, 2))
kz$us_valid <- ifelse(kz$q_us_opinion %in% 1:4, kz$q_us_opinion, NA)
tg <- read.csv("Fixtures/surveys/kz-targets.csv", comment.char = "#")
codes <- list(wave = c("Wave 2017" = 2017, "Wave 2018" = 2018, "Wave 2019" = 2019),
              sex = c(Male = 1, Female = 2), agegroup = c("18-29" = 1, "30-54" = 2, "55+" = 3),
              lang = c(Kazakh = 1, Russian = 2))
N <- sum(kz$dweight)
d0 <- svydesign(id = ~1, weights = ~dweight, data = kz)
margins <- lapply(names(codes), function(v) {
  t <- tg[tg$variable == v, ]
  setNames(data.frame(codes[[v]][t$category], t$target * N), c(v, "Freq"))
})
rk <- rake(d0, lapply(names(codes), function(v) as.formula(paste0("~", v))), margins,
           control = list(maxit = 1000, epsilon = 1e-14))
w <- as.numeric(weights(rk))
J <- list()
J$dweight_sum <- N
J$rake_weights <- w
J$rake_kish_efficiency <- sum(w)^2 / (length(w) * sum(w^2))
J$base_kish_efficiency <- sum(kz$dweight)^2 / (length(w) * sum(kz$dweight^2))
m <- svymean(~fav_russia, rk)
J$rake_fav_mean <- as.numeric(coef(m)); J$rake_fav_se <- as.numeric(SE(m))
u <- svymean(~us_valid, rk, na.rm = TRUE)
J$rake_us_mean <- as.numeric(coef(u)); J$rake_us_se <- as.numeric(SE(u))
m0 <- svymean(~fav_russia, d0)
J$base_fav_mean <- as.numeric(coef(m0)); J$base_fav_se <- as.numeric(SE(m0))
# calibrate(calfun = "raking") on the same margins: the same weights (IPF and exponential calibration
# solve the same problem), variances on the GREG residuals.
popc <- c(`(Intercept)` = N)
for (v in names(codes)) {
  t <- tg[tg$variable == v, ]
  k <- codes[[v]][t$category]
  for (j in seq_along(k)[-1]) popc[paste0("factor(", v, ")", k[j])] <- t$target[j] * N
}
cal <- calibrate(d0, ~factor(wave) + factor(sex) + factor(agegroup) + factor(lang), population = popc,
                 calfun = "raking", epsilon = 1e-13, maxit = 200)
J$raking_max_rel_diff_to_rake <- max(abs(as.numeric(weights(cal)) / w - 1))
mc <- svymean(~fav_russia, cal)
J$raking_fav_mean <- as.numeric(coef(mc)); J$raking_fav_se <- as.numeric(SE(mc))
write_json(J, file.path(here, "fixture-rake.json"))
