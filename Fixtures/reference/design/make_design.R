# Reference values for design-based inference, from R survey (Lumley).
# Run from the repository root: Rscript Fixtures/reference/design/make_design.R
# Writes the api data extracts (CSV) and expected.json next to this script.
suppressMessages(library(survey))
here <- "Fixtures/reference/design"
data(api)
data(scd)
source(file.path(here, "json.R"))
J <- list()
put <- function(key, est) {
  # est: an svystat/svrepstat; stores estimate, SE, and (if present) deff
  v <- list(estimate = as.numeric(coef(est)), se = as.numeric(SE(est)))
  d <- attr(est, "deff")
  if (!is.null(d)) v$deff <- as.numeric(diag(as.matrix(d)))
  J[[key]] <<- v
}
cols <- c("snum", "dnum", "stype", "pw", "fpc", "api00", "api99", "enroll", "api.stu", "sch.wide", "awards")
st <- apistrat[, cols]; st$stype <- as.integer(st$stype); st$sch.wide <- as.integer(st$sch.wide == "Yes")
st$awards <- as.integer(st$awards == "Yes"); names(st) <- gsub(".", "_", names(st), fixed = TRUE)
write.csv(st, file.path(here, "apistrat.csv"), row.names = FALSE)

# 1. Stratified SRS without replacement (fpc): svymean(api00) = 662.2874, SE 9.4089.
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = st, fpc = ~fpc)
put("strat_mean_api00", svymean(~api00, dstrat, deff = TRUE))
put("strat_mean_api00_deff_replace", svymean(~api00, dstrat, deff = "replace"))
put("strat_total_enroll", svytotal(~enroll, dstrat, deff = TRUE))
put("strat_ratio_apistu_enroll", svyratio(~api_stu, ~enroll, dstrat))
put("strat_mean_schwide", svymean(~sch_wide, dstrat))
put("strat_domain_mean_api00_schwide1", svymean(~api00, subset(dstrat, sch_wide == 1)))
put("strat_domain_total_enroll_schwide1", svytotal(~enroll, subset(dstrat, sch_wide == 1)))
J$strat_degf <- degf(dstrat)
ci <- confint(svymean(~api00, dstrat), df = degf(dstrat))
J$strat_mean_api00_ci_t <- as.numeric(ci)
nofpc <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = st)
put("strat_nofpc_mean_api00", svymean(~api00, nofpc, deff = TRUE))

# 2. One-stage cluster sample of districts (fpc): 644.17, SE 23.542.
c1 <- apiclus1[, cols]; c1$stype <- as.integer(c1$stype); c1$sch.wide <- as.integer(c1$sch.wide == "Yes")
c1$awards <- as.integer(c1$awards == "Yes"); names(c1) <- gsub(".", "_", names(c1), fixed = TRUE)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = c1, fpc = ~fpc)
put("clus1_mean_api00", svymean(~api00, dclus1, deff = TRUE))
put("clus1_total_enroll", svytotal(~enroll, dclus1))
put("clus1_ratio_apistu_enroll", svyratio(~api_stu, ~enroll, dclus1))
put("clus1_domain_mean_api00_stype1", svymean(~api00, subset(dclus1, stype == 1)))
J$clus1_degf <- degf(dclus1)

# 3. Replicate designs from the one-stage cluster sample.
rclus1 <- as.svrepdesign(dclus1)                       # JK1: SE 26.33
put("jk1_mean_api00", svymean(~api00, rclus1))
put("jk1_total_enroll", svytotal(~enroll, rclus1))
put("jk1_ratio_apistu_enroll", svyratio(~api_stu, ~enroll, rclus1))
J$jk1_scale <- rclus1$scale; J$jk1_rscales <- as.numeric(rclus1$rscales); J$jk1_degf <- degf(rclus1)
set.seed(20261122)
bclus1 <- as.svrepdesign(dclus1, type = "bootstrap", replicates = 50)
put("boot_mean_api00", svymean(~api00, bclus1))
put("boot_total_enroll", svytotal(~enroll, bclus1))
J$boot_scale <- bclus1$scale; J$boot_rscales <- as.numeric(bclus1$rscales)
rep1 <- cbind(c1, setNames(as.data.frame(weights(rclus1, "analysis")), paste0("jk1_", 1:ncol(weights(rclus1, "analysis")))),
              setNames(as.data.frame(weights(bclus1, "analysis")), paste0("boot_", 1:50)))
write.csv(rep1, file.path(here, "apiclus1.csv"), row.names = FALSE)
# JKn from the stratified design without fpc (rscales (n_h-1)/n_h).
jkn <- as.svrepdesign(nofpc, type = "JKn")
put("jkn_mean_api00", svymean(~api00, jkn))
J$jkn_scale <- jkn$scale; J$jkn_rscales <- as.numeric(jkn$rscales)
write.csv(cbind(st, setNames(as.data.frame(weights(jkn, "analysis")), paste0("jkn_", 1:ncol(weights(jkn, "analysis"))))),
          file.path(here, "apistrat_jkn.csv"), row.names = FALSE)

# 4. Two-stage cluster sample without fpc: ultimate-cluster (first-stage) variance.
c2 <- apiclus2[, c("snum", "dnum", "pw", "api00", "enroll", "api.stu")]; names(c2) <- gsub(".", "_", names(c2), fixed = TRUE)
write.csv(c2, file.path(here, "apiclus2.csv"), row.names = FALSE)
dclus2 <- svydesign(id = ~dnum + snum, weights = ~pw, data = c2)
put("clus2_mean_api00", svymean(~api00, dclus2))
J$clus2_degf <- degf(dclus2)

# 5. Lonely PSU: stratified (no fpc) with stratum "M" cut to one school.
lone <- st[st$stype != 2 | st$snum == st$snum[st$stype == 2][1], ]
write.csv(lone, file.path(here, "apistrat_lonely.csv"), row.names = FALSE)
for (rule in c("remove", "adjust", "average")) {
  options(survey.lonely.psu = rule)
  d <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = lone)
  put(paste0("lonely_", rule, "_mean_api00"), svymean(~api00, d))
}
options(survey.lonely.psu = "fail")

# 6. BRR, Fay's BRR (rho = 0.3) and successive-difference on scd (2 PSUs per stratum).
scd$w <- 1
scdnofpc <- svydesign(data = scd, weights = ~w, id = ~ambulance, strata = ~ESA, nest = TRUE)
brr <- as.svrepdesign(scdnofpc, type = "BRR")
fay <- as.svrepdesign(scdnofpc, type = "Fay", fay.rho = 0.3)
put("brr_mean_arrests", svymean(~arrests, brr))
put("brr_ratio_alive_arrests", svyratio(~alive, ~arrests, brr))
put("fay_mean_arrests", svymean(~arrests, fay))
J$brr_scale <- brr$scale; J$fay_scale <- fay$scale
rw <- weights(brr, "analysis"); fw <- weights(fay, "analysis")
# SDR: replicate factors 1 +/- 0.5*sqrt(2) pattern from a fixed 4-column Hadamard-like layout.
f <- matrix(c(1.7071, 0.2929, 1, 1, 0.2929, 1.7071, 1, 1, 1, 1, 1.7071, 0.2929,
              1, 1, 0.2929, 1.7071, 1.7071, 1, 0.2929, 1, 1, 1.7071, 1, 0.2929), nrow = 6, byrow = TRUE)
sw <- f[rep(1:6, length.out = nrow(scd)), 1:4]
sdr <- svrepdesign(data = scd, repweights = sw, type = "successive-difference", weights = ~w, combined.weights = TRUE)
put("sdr_mean_arrests", svymean(~arrests, sdr))
J$sdr_scale <- sdr$scale
out <- cbind(scd[, c("ESA", "ambulance", "arrests", "alive", "w")],
             setNames(as.data.frame(rw), paste0("brr_", 1:ncol(rw))),
             setNames(as.data.frame(fw), paste0("fay_", 1:ncol(fw))),
             setNames(as.data.frame(sw), paste0("sdr_", 1:ncol(sw))))
write.csv(out, file.path(here, "scd.csv"), row.names = FALSE)

write_json(J, file.path(here, "expected.json"))
