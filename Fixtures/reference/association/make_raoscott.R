# Reference values for the Rao-Scott corrections (weights-only design) and
# R's fisher.test / chisq.test, for Barometer's independence tests.
# Run after make_association.py (reads weighted_data.csv):
#   Rscript Fixtures/reference/association/make_raoscott.R
# Writes raoscott.json. Uses survey::svychisq (R package 'survey').
suppressMessages(library(survey))
here <- dirname(normalizePath(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE))))
d <- read.csv(file.path(here, "weighted_data.csv"))
# Don't know (x = 9) and Refused (y = 8) are user-missing: NA for R.
d$xr <- ifelse(d$x == 9, NA, d$x)
d$yr <- ifelse(d$y == 8, NA, d$y)
d$dom <- seq_len(nrow(d)) %% 3 != 0          # a domain: rows whose 1-based number is not a multiple of 3
source(file.path(here, "svychisq_run.R"))       # run(des): svychisq F, Chisq, adjWald, Wald, degf
des <- svydesign(ids = ~1, weights = ~w, data = d)
full <- run(des)
dom <- run(subset(des, dom))
# The tests on the valid answers (Barometer's default, as SPSS CROSSTABS and R
# on the non-missing rows): svychisq on subset(design, valid), whose degf is
# that of the respondents with valid answers to both (issue 15.5).
d$valid <- !is.na(d$xr) & !is.na(d$yr)
validSubset <- run(subset(des, !is.na(xr) & !is.na(yr)))
domainValid <- run(subset(des, dom & !is.na(xr) & !is.na(yr)))
# The same under a stratified cluster design built from the row numbers:
# strata = 1 + (row - 1) %% 3, PSUs of 4 consecutive rows within a stratum
# (written to clustered_data.csv with the columns the Swift test reads).
d$row <- seq_len(nrow(d))
d$stratum <- 1 + (d$row - 1) %% 3
d$psu <- d$stratum * 1000 + (d$row - 1) %/% 12
write.csv(d[, c("x", "y", "w", "stratum", "psu")], file.path(here, "clustered_data.csv"), row.names = FALSE)
cdes <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, data = d)
clustered <- run(subset(cdes, valid))
clusteredDomain <- run(subset(cdes, dom & valid))
# A replicate design: JK1 over 12 clusters of 25 consecutive rows; the analysis
# replicate weights go to replicate_data.csv (columns r1..r12).
d$cl <- 1 + (d$row - 1) %/% 25
rdes <- as.svrepdesign(svydesign(ids = ~cl, weights = ~w, data = d), type = "JK1")
rw <- weights(rdes, "analysis")
colnames(rw) <- paste0("r", seq_len(ncol(rw)))
write.csv(cbind(d[, c("x", "y", "w")], rw), file.path(here, "replicate_data.csv"), row.names = FALSE)
replicateValid <- run(subset(rdes, !is.na(xr) & !is.na(yr)))
replicateScale <- rdes$scale
# complete cases only: here N = number of valid respondents
cc <- d[!is.na(d$xr) & !is.na(d$yr), ]
complete <- run(svydesign(ids = ~1, weights = ~w, data = cc))

# classical tests on the unweighted valid table for cross-checks
tab <- table(cc$xr, cc$yr)
classical <- chisq.test(tab, correct = FALSE)

fisher <- lapply(list(c(3,1,1,3), c(10,2,3,15), c(0,5,6,2), c(25,30,40,12), c(12,5,7,19)), function(v) {
  m <- matrix(v, 2, 2, byrow = TRUE)
  list(counts = v, twoSided = fisher.test(m)$p.value,
       less = fisher.test(m, alternative = "less")$p.value,
       greater = fisher.test(m, alternative = "greater")$p.value)
})

out <- list(generator = paste("R", getRversion(), "survey", packageVersion("survey")),
            full = full, domain = dom, completeCases = complete,
            validSubset = validSubset, domainValid = domainValid,
            clusteredValid = clustered, clusteredDomainValid = clusteredDomain,
            replicateValid = replicateValid, replicateScale = replicateScale,
            unweightedValidTable = list(counts = as.vector(t(unclass(tab))), rows = nrow(tab), columns = ncol(tab),
                                        pearson = num(classical$statistic), p = num(classical$p.value)),
            fisher = fisher)
writeLines(jsonlite::toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), file.path(here, "raoscott.json"))
cat("ok\n")
