# R peers for the benchmark comparison.
#   Rscript peers.R TASK TOOL DATADIR REPEATS  ->  one JSON line {task, tool, times, blas}
# Data loading is outside the timed region. Tools: cor, psych, xtabs, survey, datatable.
args <- commandArgs(trailingOnly = TRUE)
task <- args[1]; tool <- args[2]; data <- args[3]; repeats <- as.integer(args[4])
suppressMessages({ library(survey); library(psych) })
load <- function(name) {
  meta <- readLines(file.path(data, paste0(name, ".json")), warn = FALSE)
  n <- as.integer(sub('.*"n": ([0-9]+).*', "\\1", meta)); p <- as.integer(sub('.*"p": ([0-9]+).*', "\\1", meta))
  names <- strsplit(gsub('"', "", sub('.*"names": \\[(.*)\\].*', "\\1", meta)), ", ")[[1]]
  x <- readBin(file.path(data, paste0(name, ".f64")), "double", n * p, endian = "little")
  m <- matrix(x, nrow = n, ncol = p); colnames(m) <- names; m
}
CPU <- c()  # process CPU time (user + system) of each repetition, beside the wall times
timed <- function(f) sapply(seq_len(repeats), function(i) {
  p0 <- proc.time(); f(); p1 <- proc.time()
  CPU[i] <<- (p1[["user.self"]] + p1[["sys.self"]]) - (p0[["user.self"]] + p0[["sys.self"]])
  p1[["elapsed"]] - p0[["elapsed"]] })
parts <- strsplit(task, "_")[[1]]; kind <- parts[1]
T <- NULL
if (kind == "pearson" && tool == "cor") { m <- load(paste0("cont_", parts[2], "_", parts[3])); T <- timed(function() cor(m)) }
if (kind == "pairwise" && tool == "cor") { m <- load(paste0("pairwise_", parts[2], "_", parts[3]))
  T <- timed(function() cor(m, use = "pairwise.complete.obs")) }
if (kind == "spearman" && tool == "cor") { m <- load(paste0("cont_", parts[2], "_", parts[3])); T <- timed(function() cor(m, method = "spearman")) }
if (kind == "pcorrmatrix" && tool == "psych") { m <- load(paste0("cont_", parts[2], "_", parts[3]))
  T <- timed(function() partial.r(m)) }
if (kind == "pcorrpairs" && tool == "psych") { m <- load(paste0("cont_", parts[2], "_200"))
  T <- timed(function() partial.r(m[, 1:51], 1:50, 51)) }
if (kind == "table" && tool == "xtabs") { d <- as.data.frame(load(paste0("cat_", parts[2], "_50")))
  T <- timed(function() xtabs(wt ~ q1 + q2, d)) }
if (kind == "shares" && tool == "survey") { d <- as.data.frame(load(paste0("shares_", parts[2])))
  des <- svydesign(ids = ~1, weights = ~wt, data = d)
  T <- timed(function() svyby(~yes, ~region, des, svyciprop, method = "logit", vartype = "ci")) }
if (kind == "csv" && tool == "datatable") { suppressMessages(library(data.table))
  T <- timed(function() fread(file.path(data, "ingest.csv"), nThread = 2)) }
if (kind == "reps" && tool == "survey") { m <- load(paste0("reps_", parts[2])); d <- as.data.frame(m)
  rw <- grep("^rw", colnames(d), value = TRUE); ys <- grep("^y", colnames(d), value = TRUE)
  f <- as.formula(paste("~", paste(ys, collapse = "+")))
  T <- timed(function() { des <- svrepdesign(data = d, repweights = d[, rw], weights = ~wt, type = "JK1",
                                            scale = (length(rw) - 1) / length(rw), combined.weights = TRUE)
                          svymean(f, des) }) }
extra <- ""
if (kind == "rake" && tool %in% c("rake", "calibrate")) {
  # IPF of base weights 1 to 6 margins (40 categories) to 1e-7: rake's epsilon < 1 is a fraction of
  # the total weight (max change of a table entry between sweeps); calibrate's is on the totals,
  # relative. rake's epsilon 1e-9 is what reaches 1e-7 on shares here (1e-8 stops at 1.6e-7). The achieved max |share - target share| is reported beside the times.
  d <- as.data.frame(load(paste0("rake_", parts[2]))); d$one <- 1
  tg <- read.csv(file.path(data, paste0("rake_", parts[2], "_targets.csv")))
  vars <- unique(tg$variable); n <- nrow(d)
  des <- svydesign(ids = ~1, weights = ~one, data = d)
  maxdev <- function(w) max(sapply(vars, function(v) { t <- tg[tg$variable == v, ]
    max(abs(tapply(w, factor(d[[v]], levels = t$category), sum) / sum(w) - t$target)) }))
  res <- NULL
  if (tool == "rake") {
    pm <- lapply(vars, function(v) { t <- tg[tg$variable == v, ]; setNames(data.frame(t$category, t$target * n), c(v, "Freq")) })
    sm <- lapply(vars, function(v) as.formula(paste0("~", v)))
    T <- timed(function() res <<- rake(des, sm, pm, control = list(maxit = 1000, epsilon = 1e-9)))
  } else {
    for (v in vars) d[[v]] <- factor(d[[v]])
    des <- svydesign(ids = ~1, weights = ~one, data = d)
    pop <- c(`(Intercept)` = n)
    for (v in vars) { t <- tg[tg$variable == v, ]; for (j in seq_len(nrow(t))[-1]) pop[paste0(v, t$category[j])] <- t$target[j] * n }
    f <- as.formula(paste("~", paste(vars, collapse = " + ")))
    T <- timed(function() res <<- calibrate(des, f, population = pop, calfun = "raking", epsilon = 1e-7, maxit = 1000))
  }
  extra <- sprintf(', "maxDeviation": %.6g', maxdev(weights(res)))
}
if (kind == "banner" && tool == "survey") { d <- as.data.frame(load(paste0("banner_", parts[2]))); Q <- as.integer(parts[3])
  # Design-based column tests: svyby(covmat = TRUE) per question and banner variable, svycontrast per pair.
  for (j in 1:Q) d[[paste0("q", j)]] <- factor(d[[paste0("q", j)]])
  des <- svydesign(ids = ~1, weights = ~wt, data = d)
  T <- timed(function() for (j in 1:Q) for (g in paste0("g", 1:5)) {
    r <- svyby(as.formula(paste0("~q", j)), as.formula(paste0("~", g)), des, svymean, covmat = TRUE)
    k <- nrow(r); nm <- names(coef(r)); cats <- length(nm) / k
    for (cat in 1:cats) for (a in 1:(k - 1)) for (b in (a + 1):k) {
      v <- setNames(rep(0, length(nm)), nm); v[(cat - 1) * k + a] <- 1; v[(cat - 1) * k + b] <- -1
      svycontrast(r, v)
    }
  }) }
blas <- paste(sessionInfo()$BLAS, "/", sessionInfo()$LAPACK)
if (is.null(T)) {
  cat(sprintf('{"task": "%s", "tool": "%s", "error": "not applicable"}\n', task, tool))
} else {
  cat(sprintf('{"task": "%s", "tool": "%s", "times": [%s], "cpu": [%s], "blas": "%s"%s}\n', task, tool, paste(T, collapse = ", "),
              paste(CPU, collapse = ", "), blas, extra))
}
