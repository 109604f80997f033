# Reference values from R survey for the cross-tab engine.
# Run (after make_data.py and make_reference.py):
#   Rscript Fixtures/reference/crosstab/make_reference_svy.R
# Writes svy_reference.json:
#   - svytable weighted counts of rus x us (all categories, DK/Refused/system-missing as -1 kept);
#   - for every case in share_cases.json: svymean estimate and SE on the domain
#     (subset(design, base): domain estimation, weights-only with-replacement design)
#     and svyciprop intervals for methods logit, beta (Korn-Graubard), likelihood, asin, mean;
#   - one share under a stratified design (strata = region).
# Design: svydesign(ids = ~1, weights = ~w) (or weights 1 when unweighted).
suppressMessages({ library(survey); library(jsonlite) })
here <- dirname(normalizePath(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE))))
read <- function(name) {
  d <- read.csv(file.path(here, paste0(name, ".csv")))
  if (!("w" %in% names(d))) d$w <- 1
  d
}
data <- list(survey_weighted = read("survey_weighted"), survey_unweighted = read("survey_unweighted"))
cb <- list(survey_weighted = fromJSON(file.path(here, "survey_weighted.json"))$codebook,
           survey_unweighted = fromJSON(file.path(here, "survey_unweighted.json"))$codebook)
cases <- fromJSON(file.path(here, "share_cases.json"), simplifyVector = FALSE)

out <- list(generator = paste("R", getRversion(), "survey", as.character(packageVersion("survey"))))

# svytable: rus x us with system-missing coded -1 so it appears as a category
d <- data$survey_weighted
d$rusK <- ifelse(is.na(d$rus), -1, d$rus); d$usK <- ifelse(is.na(d$us), -1, d$us)
des <- svydesign(ids = ~1, weights = ~w, data = d)
tab <- as.data.frame(svytable(~rusK + usK, des))
tab <- tab[tab$Freq > 0, ]
out$svytable_rus_us <- lapply(seq_len(nrow(tab)), function(i)
  list(row = ifelse(tab$rusK[i] == "-1", "sys", as.character(tab$rusK[i])),
       col = ifelse(tab$usK[i] == "-1", "sys", as.character(tab$usK[i])), w = tab$Freq[i]))

shares <- list()
for (cs in cases) {
  d <- data[[cs$data]]
  miss <- unlist(cb[[cs$data]][[cs$of]]$missing)
  yv <- d[[cs$of]]
  d$y <- as.numeric(!is.na(yv) & yv %in% unlist(cs$codes))
  base <- rep(TRUE, nrow(d))
  if (!is.null(cs$among)) base <- base & !is.na(d[[cs$among]]) & d[[cs$among]] %in% unlist(cs$amongCodes)
  if (cs$denominator == "validAnswers") base <- base & !is.na(yv) & !(yv %in% miss)
  d$base <- base
  des <- svydesign(ids = ~1, weights = ~w, data = d)
  sub <- subset(des, base)
  m <- svymean(~y, sub)
  r <- list(estimate = unname(coef(m)), designStandardError = unname(SE(m)[1]), degf = degf(sub))
  for (meth in c("logit", "beta", "likelihood", "asin", "mean")) {
    ci <- tryCatch(suppressWarnings(attr(svyciprop(~y, sub, method = meth, level = cs$level), "ci")),
                   error = function(e) c(NA, NA))
    r[[meth]] <- unname(as.numeric(ci))
  }
  shares[[cs$id]] <- r
}
out$shares <- shares

# The same share under a stratified design (strata = region): design SE, degf, logit and beta.
d <- data$survey_weighted
d$y <- as.numeric(!is.na(d$us) & d$us %in% c(1, 2))
d$base <- !is.na(d$rus) & d$rus %in% c(1, 2) & !is.na(d$us) & !(d$us %in% c(8, 9))
sub <- subset(svydesign(ids = ~1, strata = ~region, weights = ~w, data = d), base)
m <- svymean(~y, sub)
out$stratified_us12_among_rus12 <- list(
  estimate = unname(coef(m)), designStandardError = unname(SE(m)[1]), degf = degf(sub),
  logit = unname(as.numeric(attr(svyciprop(~y, sub, method = "logit"), "ci"))),
  beta = unname(as.numeric(attr(svyciprop(~y, sub, method = "beta"), "ci"))))
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, na = "null"), file.path(here, "svy_reference.json"))
