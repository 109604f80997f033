# Reference values for weighting (issue 18), from R survey (Lumley): rake, calibrate (linear,
# raking, logit; bounds), postStratify, trimWeights, and means/shares with their SEs on the
# calibrated designs (linearization and JK1).
# Run from the repository root: Rscript Fixtures/reference/weighting/make_weighting.R
# Writes the api extracts (CSV), the target files (JSON/CSV, the format Barometer reads) and
# expected.json next to this script.
suppressMessages(library(survey))
here <- "Fixtures/reference/weighting"
source("Fixtures/reference/design/json.R")
data(api)
cols <- c("snum", "dnum", "stype", "pw", "fpc", "api00", "enroll", "sch.wide", "awards", "yr.rnd", "comp.imp")
prep <- function(d) {
  d <- d[, cols]
  d$stype <- as.integer(d$stype)                      # 1 = E, 2 = H, 3 = M
  for (v in c("sch.wide", "awards", "yr.rnd", "comp.imp")) d[[v]] <- as.integer(d[[v]] == "Yes")
  names(d) <- gsub(".", "_", names(d), fixed = TRUE)
  d
}
st <- prep(apistrat); c1 <- prep(apiclus1)
write.csv(st, file.path(here, "apistrat_w.csv"), row.names = FALSE)
write.csv(c1, file.path(here, "apiclus1_w.csv"), row.names = FALSE)
pop <- prep(apipop[, c(cols[!cols %in% c("pw", "fpc")])] |> transform(pw = 1, fpc = 1))
N <- nrow(pop)
tab <- function(v) table(factor(pop[[v]], levels = sort(unique(pop[[v]]))))
P <- lapply(c("stype", "sch_wide", "comp_imp", "awards"), tab); names(P) <- c("stype", "sch_wide", "comp_imp", "awards")

# Target files in Barometer's formats (totals in JSON; shares in CSV).
margin_json <- function(v) paste0('{"variable": "', v, '", "targets": {',
  paste0('"', names(P[[v]]), '": ', as.numeric(P[[v]]), collapse = ", "), '}}')
writeLines(c('{"margins": [', paste0("  ", sapply(c("stype", "sch_wide", "comp_imp"), margin_json), collapse = ",\n"), "]}"),
           file.path(here, "api-targets.json"))
csv <- do.call(rbind, lapply(c("stype", "sch_wide", "comp_imp"), function(v)
  data.frame(variable = v, category = names(P[[v]]), target = formatC(as.numeric(P[[v]]) / N, digits = 17, format = "g"))))
write.csv(csv, file.path(here, "api-targets-shares.csv"), row.names = FALSE, quote = FALSE)
joint <- as.data.frame(table(sch_wide = pop$sch_wide, awards = pop$awards))
joint <- joint[joint$Freq > 0, ]
writeLines(c('{"margins": [{"variables": ["sch_wide", "awards"], "cells": [',
  paste0('  {"categories": [', joint$sch_wide, ', ', joint$awards, '], "target": ', joint$Freq, '}', collapse = ",\n"), ']}]}'),
  file.path(here, "api-targets-joint.json"))
c1m <- c("stype", "sch_wide")
writeLines(c('{"margins": [', paste0("  ", sapply(c1m, margin_json), collapse = ",\n"), "]}"), file.path(here, "apiclus1-targets.json"))

J <- list()
ests <- function(key, des) {
  m <- svymean(~api00 + enroll + yr_rnd, des)
  J[[paste0(key, "_mean")]] <<- as.numeric(coef(m))
  J[[paste0(key, "_se")]] <<- as.numeric(SE(m))
}
wts <- function(key, des) J[[paste0(key, "_weights")]] <<- as.numeric(weights(des, "sampling"))

dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = st, fpc = ~fpc)
pm <- function(v) data.frame(x = as.integer(names(P[[v]])), Freq = as.numeric(P[[v]])) |> setNames(c(v, "Freq"))
tight <- list(maxit = 1000, epsilon = 1e-14)

# 1. rake (IPF) to stype, sch_wide, comp_imp: weights and SEs (R rake's variance: 10 backfitting sweeps).
raked <- rake(dstrat, list(~stype, ~sch_wide, ~comp_imp), list(pm("stype"), pm("sch_wide"), pm("comp_imp")), control = tight)
wts("strat_rake", raked); ests("strat_rake", raked)
# Calibration model: intercept + treatment dummies (stype H, M; sch_wide 1; comp_imp 1).
popvec <- c(N, P$stype[2:3], P$sch_wide[2], P$comp_imp[2])
f <- ~factor(stype) + factor(sch_wide) + factor(comp_imp)
cal <- function(...) calibrate(dstrat, f, population = unname(popvec), maxit = 200, epsilon = 1e-13, ...)
# 2. calibrate: linear (GREG), raking, logit with bounds, linear with bounds.
lin <- cal(calfun = "linear"); wts("strat_linear", lin); ests("strat_linear", lin)
g <- weights(lin) / weights(dstrat); J$strat_linear_grange <- range(g)
rk <- cal(calfun = "raking"); wts("strat_raking", rk); ests("strat_raking", rk)
J$bounds_logit <- c(0.6, 1.6)       # the unbounded linear g range is 0.647 to 1.432
lg <- cal(calfun = "logit", bounds = J$bounds_logit); wts("strat_logit", lg); ests("strat_logit", lg)
J$bounds_linear <- c(0.6, 1.4)      # binds the largest g
lb <- cal(calfun = "linear", bounds = J$bounds_linear); wts("strat_linear_bounded", lb); ests("strat_linear_bounded", lb)
# Domain means (year-round schools) on calibrated designs: influence is zero outside the domain,
# its calibration residual is not.
for (d in list(list("strat_linear", lin), list("strat_rake", raked), list("strat_logit", lg))) {
  m <- svymean(~api00, subset(d[[2]], yr_rnd == 1))
  J[[paste0(d[[1]], "_domain_yrrnd_mean")]] <- as.numeric(coef(m)); J[[paste0(d[[1]], "_domain_yrrnd_se")]] <- as.numeric(SE(m))
}
# Shares by group (svyby): the share of year-round schools within each school type.
for (d in list(list("strat_linear", lin), list("strat_rake", raked))) {
  b <- svyby(~yr_rnd, ~stype, d[[2]], svymean)
  J[[paste0(d[[1]], "_by_stype_yrrnd_share")]] <- as.numeric(coef(b)); J[[paste0(d[[1]], "_by_stype_yrrnd_se")]] <- as.numeric(SE(b))
}
# 3. postStratify on the joint cells sch_wide x awards.
jp <- data.frame(sch_wide = as.integer(as.character(joint$sch_wide)), awards = as.integer(as.character(joint$awards)), Freq = joint$Freq)
ps <- postStratify(dstrat, ~sch_wide + awards, jp); wts("strat_poststrat", ps); ests("strat_poststrat", ps)
# 4. trimWeights on the raked weights: bounds, and strict.
J$trim_bounds <- c(18, 40)
wts("strat_rake_trim", trimWeights(raked, lower = J$trim_bounds[1], upper = J$trim_bounds[2]))
wts("strat_rake_trim_strict", trimWeights(raked, lower = J$trim_bounds[1], upper = J$trim_bounds[2], strict = TRUE))

# 5. One-stage cluster sample: linearization and JK1, raked and linear-calibrated to stype, sch_wide.
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = c1, fpc = ~fpc)
jk <- as.svrepdesign(svydesign(id = ~dnum, weights = ~pw, data = c1), type = "JK1")
# Replicate weights as columns jk1_1..jk1_15 (JK1 scale (R-1)/R, the default, no fpc).
c1$jk1 <- NULL
write.csv(cbind(c1, setNames(as.data.frame(weights(jk, "analysis")), paste0("jk1_", 1:ncol(weights(jk, "analysis"))))),
          file.path(here, "apiclus1_w.csv"), row.names = FALSE)
popc <- unname(c(N, P$stype[2:3], P$sch_wide[2]))
fc <- ~factor(stype) + factor(sch_wide)
for (d in list(list("clus1", dclus1), list("clus1_jk1", jk))) {
  rk <- rake(d[[2]], list(~stype, ~sch_wide), list(pm("stype"), pm("sch_wide")), control = tight)
  wts(paste0(d[[1]], "_rake"), rk); ests(paste0(d[[1]], "_rake"), rk)
  ln <- calibrate(d[[2]], fc, population = popc, epsilon = 1e-13)
  wts(paste0(d[[1]], "_linear"), ln); ests(paste0(d[[1]], "_linear"), ln)
  lr <- calibrate(d[[2]], fc, population = popc, calfun = "raking", epsilon = 1e-13, maxit = 200)
  ests(paste0(d[[1]], "_raking"), lr)
}
J$population <- N

# 6. The fixture survey raked to its target file (shares scaled to the sum of wt, as Barometer
# does when no total is given), with the linearized SE of the share favourable to Russia.
kz <- read.csv("Fixtures/surveys/kz2019-synthetic.csv")
kz$fav_russia <- as.integer(kz$q_russia_opinion %in% c(1, 2))
tg <- read.csv("Fixtures/surveys/kz2019-synthetic.targets.csv", comment.char = "#")
codes <- list(sex = c(Male = 1, Female = 2), agegroup = c("18-29" = 1, "30-54" = 2, "55+" = 3), lang = c(Kazakh = 1, Russian = 2))
dkz <- svydesign(id = ~1, weights = ~wt, data = kz)
margins <- lapply(names(codes), function(v) {
  t <- tg[tg$variable == v, ]
  setNames(data.frame(codes[[v]][t$category], t$target * sum(kz$wt)), c(v, "Freq"))
})
kzr <- rake(dkz, list(~sex, ~agegroup, ~lang), margins, control = tight)
J$kz_rake_weights <- as.numeric(weights(kzr))
m <- svymean(~fav_russia, kzr)
J$kz_rake_fav_mean <- as.numeric(coef(m)); J$kz_rake_fav_se <- as.numeric(SE(m))
m0 <- svymean(~fav_russia, dkz)
J$kz_base_fav_mean <- as.numeric(coef(m0)); J$kz_base_fav_se <- as.numeric(SE(m0))
write_json(J, file.path(here, "expected.json"))
