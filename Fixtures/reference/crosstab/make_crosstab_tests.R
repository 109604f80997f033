# Reference values for `barometer crosstab --stats ...` under weights: R survey's
# svychisq on the valid answers, the base Barometer tests on by default
# (Don't know = 8 / Refused = 9 / system-missing excluded, as SPSS CROSSTABS
# and R with NA). Design: svydesign(ids = ~1, weights = ~w) on survey_weighted.csv.
# Run: Rscript Fixtures/reference/crosstab/make_crosstab_tests.R  (writes crosstab_tests.json)
suppressMessages({ library(survey); library(jsonlite) })
here <- dirname(normalizePath(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE))))
d <- read.csv(file.path(here, "survey_weighted.csv"))
valid <- function(v) ifelse(is.na(v) | v %in% c(8, 9), NA, v)
d$rusV <- valid(d$rus); d$usV <- valid(d$us)
des <- svydesign(ids = ~1, weights = ~w, data = d)
num <- function(x) unname(as.numeric(x))
tests <- function(sub) {
  f <- svychisq(~rusV + usV, sub, statistic = "F")
  ch <- svychisq(~rusV + usV, sub, statistic = "Chisq")
  aw <- svychisq(~rusV + usV, sub, statistic = "adjWald")
  wd <- svychisq(~rusV + usV, sub, statistic = "Wald")
  list(F = num(f$statistic), Fndf = num(f$parameter[1]), Fddf = num(f$parameter[2]), Fp = num(f$p.value),
       pearsonUnadjusted = num(ch$statistic), firstOrderP = num(ch$p.value),
       adjWaldF = num(aw$statistic), adjWaldNdf = num(aw$parameter[1]), adjWaldDdf = num(aw$parameter[2]), adjWaldP = num(aw$p.value),
       waldF = num(wd$statistic), waldNdf = num(wd$parameter[1]), waldDdf = num(wd$parameter[2]), waldP = num(wd$p.value),
       degf = degf(sub), rows = nrow(sub))
}
out <- list(generator = paste("R", getRversion(), "survey", as.character(packageVersion("survey"))),
            valid = tests(subset(des, !is.na(rusV) & !is.na(usV))),
            layers = lapply(sort(unique(d$region)), function(k)
              c(list(region = k), tests(subset(des, region == k & !is.na(rusV) & !is.na(usV))))))
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), file.path(here, "crosstab_tests.json"))
cat("ok\n")
