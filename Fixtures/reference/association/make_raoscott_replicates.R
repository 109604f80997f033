# Reference values for the design-based tests of independence (svychisq) under
# replicate designs other than the JK1 of make_raoscott.R: BRR and Fay's BRR
# (rho = 0.3) over a stratified design of 2 PSUs per stratum, each also with
# mse = TRUE, and JK1 with mse = TRUE; a domain (rows whose number is not a
# multiple of 3). Reads weighted_data.csv; writes replicate_brr_data.csv (the
# analysis replicate weights) and raoscott_replicates.json.
#   Rscript Fixtures/reference/association/make_raoscott_replicates.R
suppressMessages(library(survey))
here <- dirname(normalizePath(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE))))
d <- read.csv(file.path(here, "weighted_data.csv"))
d$xr <- ifelse(d$x == 9, NA, d$x)          # Don't know
d$yr <- ifelse(d$y == 8, NA, d$y)          # Refused
d$row <- seq_len(nrow(d))
d$dom <- d$row %% 3 != 0
d$cl <- 1 + (d$row - 1) %/% 10             # 30 clusters of 10 consecutive rows
d$st <- 1 + (d$cl - 1) %/% 2               # 15 strata of 2 clusters
source(file.path(here, "svychisq_run.R"))       # run(des): svychisq F, Chisq, adjWald, Wald, degf
valid <- function(des) subset(des, !is.na(xr) & !is.na(yr))
validDomain <- function(des) subset(des, dom & !is.na(xr) & !is.na(yr))

strat <- svydesign(ids = ~cl, strata = ~st, weights = ~w, data = d)
brr <- as.svrepdesign(strat, type = "BRR")
fay <- as.svrepdesign(strat, type = "Fay", fay.rho = 0.3)
brrMSE <- as.svrepdesign(strat, type = "BRR", mse = TRUE)
fayMSE <- as.svrepdesign(strat, type = "Fay", fay.rho = 0.3, mse = TRUE)
jk1MSE <- as.svrepdesign(svydesign(ids = ~cl, weights = ~w, data = d), type = "JK1", mse = TRUE)
stopifnot(ncol(weights(brr, "analysis")) == ncol(weights(fay, "analysis")))
rb <- weights(brr, "analysis"); colnames(rb) <- paste0("brr", seq_len(ncol(rb)))
rf <- weights(fay, "analysis"); colnames(rf) <- paste0("fay", seq_len(ncol(rf)))
rj <- weights(jk1MSE, "analysis"); colnames(rj) <- paste0("jk", seq_len(ncol(rj)))
write.csv(cbind(d[, c("x", "y", "w", "st", "cl")], rb, rf, rj), file.path(here, "replicate_brr_data.csv"), row.names = FALSE)

out <- list(generator = paste("R", getRversion(), "survey", packageVersion("survey")),
            brrValid = run(valid(brr)), brrDomainValid = run(validDomain(brr)),
            fayValid = run(valid(fay)), fayDomainValid = run(validDomain(fay)),
            brrMSEValid = run(valid(brrMSE)), fayMSEValid = run(valid(fayMSE)),
            jk1MSEValid = run(valid(jk1MSE)), jk1MSEDomainValid = run(validDomain(jk1MSE)),
            brrScale = brr$scale, fayScale = fay$scale, jk1Scale = jk1MSE$scale, replicates = ncol(rb))
writeLines(jsonlite::toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), file.path(here, "raoscott_replicates.json"))
cat("ok\n")
