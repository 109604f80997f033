# R survey side of the grouped benchmark (Benchmarks/peers/run_groups.sh).
#   Rscript groups_peers.R TASK DATADIR REPEATS -> one JSON line {task, tool, times}
# groupmeans: svyby(~y, ~g, des, svymean); groupdiffs: svyby(covmat = TRUE) + svycontrast of every pair.
args <- commandArgs(trailingOnly = TRUE)
task <- args[1]; data <- args[2]; repeats <- as.integer(args[3])
suppressMessages(library(survey))
parts <- strsplit(task, "_")[[1]]; name <- paste0("groups_", parts[2], "_", parts[3])
n <- as.integer(parts[2])
x <- readBin(file.path(data, paste0(name, ".f64")), "double", n * 5, endian = "little")
d <- as.data.frame(matrix(x, nrow = n, ncol = 5)); names(d) <- c("y", "g", "st", "psu", "wt")
des <- svydesign(ids = ~psu, strata = ~st, weights = ~wt, data = d)
timed <- function(f) sapply(seq_len(repeats), function(i) { t0 <- proc.time()[["elapsed"]]; f(); proc.time()[["elapsed"]] - t0 })
if (parts[1] == "groupmeans") T <- timed(function() svyby(~y, ~g, des, svymean))
if (parts[1] == "groupdiffs") T <- timed(function() {
  b <- svyby(~y, ~g, des, svymean, covmat = TRUE); k <- nrow(b); cs <- list()
  for (i in 1:(k - 1)) for (j in (i + 1):k) { w <- rep(0, k); w[i] <- 1; w[j] <- -1; cs[[paste(i, j)]] <- w }
  svycontrast(b, cs) })
cat(sprintf('{"task": "%s", "tool": "survey", "times": [%s]}\n', task, paste(T, collapse = ", ")))
