# Reference for the fixture's round trip (issue 18): the SYNTHETIC design weights `dweight` of
# Fixtures/surveys/kz2019-synthetic.csv raked with R survey (Lumley) to Fixtures/surveys/kz-targets.csv
# (shares scaled to the sum of dweight, as Barometer does when the file gives no total), then the share
# favourable to Russia and the mean opinion of the US on the raked design with their linearized SEs, and
# the same through calibrate(calfun = "raking") (same weights, GREG-residual SEs).
# Run from the repository root: Rscript Fixtures/reference/weighting/make_fixture_rake.R
suppressMessages(library(survey))
here <- "Fixtures/reference/weighting"
source("Fixtures/reference/design/json.R")
num <- function(x) trimws(formatC(as.numeric(x), digits = 17, format = "g"))   # without padding: a smaller file
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
# The other methods on the fixture (issue 18's acceptance: every method on the api data and on the
# fixture): calibrate linear, logit and bounded linear on the same margins, postStratify on the joint
# cells sex x agegroup of kz-targets-joint.json (shares scaled to the sum of dweight), trimWeights of
# the raked weights (plain and strict). Rows with the same margin categories and design weight get
# the same weight from every method, so to keep the file small each method's weights are stored per
# group of such rows (`group_weights_<method>`, `row_group`: the 1-based group of each row).
group <- as.integer(factor(paste(kz$wave, kz$sex, kz$agegroup, kz$lang, formatC(kz$dweight, digits = 17))))
first <- match(seq_len(max(group)), group)
J$row_group <- group
grouped <- function(name, w) {
  w <- as.numeric(w)
  stopifnot(max(abs(w / w[first][group] - 1)) < 1e-14)
  J[[paste0("group_weights_", name)]] <<- w[first]
}
calf <- ~factor(wave) + factor(sex) + factor(agegroup) + factor(lang)
grouped("linear", weights(calibrate(d0, calf, population = popc, calfun = "linear", epsilon = 1e-13, maxit = 200)))
J$bounds_logit <- c(0.4, 2.5)          # the raked g range is 0.546 to 1.932
grouped("logit", weights(calibrate(d0, calf, population = popc, calfun = "logit", bounds = J$bounds_logit,
                                   epsilon = 1e-13, maxit = 200)))
J$bounds_linear <- c(0.5, 1.8)         # binds both ends of the unbounded linear g range
lb <- calibrate(d0, calf, population = popc, calfun = "linear", bounds = J$bounds_linear, epsilon = 1e-13, maxit = 200)
grouped("linear_bounded", weights(lb))
J$linear_bounded_grange <- range(weights(lb) / kz$dweight)
jt <- jsonlite::fromJSON(file.path(here, "kz-targets-joint.json"), simplifyVector = FALSE)$margins[[1]]$cells
jp <- data.frame(sex = sapply(jt, function(c) c$categories[[1]]), agegroup = sapply(jt, function(c) c$categories[[2]]),
                 Freq = sapply(jt, function(c) c$target) * N)
grouped("poststrat", weights(postStratify(d0, ~sex + agegroup, jp)))
J$trim_bounds <- c(0.3, 3.5)           # the raked weights range from 0.181 to 4.584
grouped("trim", weights(trimWeights(rk, lower = J$trim_bounds[1], upper = J$trim_bounds[2])))
grouped("trim_strict", weights(trimWeights(rk, lower = J$trim_bounds[1], upper = J$trim_bounds[2], strict = TRUE)))
write_json(J, file.path(here, "fixture-rake.json"))
