# Cross-check of the weighted frequencies with R survey (svytable, svymean).
# Run from the repository root: Rscript Fixtures/reference/frequencies/make_weighted_dk.R
suppressMessages(library(survey))
here <- "Fixtures/reference/frequencies"
df <- read.csv(file.path(here, "weighted-dk.csv"))
des <- svydesign(ids = ~1, weights = ~wt, data = df)
fmt <- function(x) formatC(x, digits = 17, format = "g")
lines <- c("{", '  "generator": "R survey svytable/svymean",')
# Weighted counts of each observed code of opinion (all respondents with a code).
tab <- svytable(~opinion, des)
lines <- c(lines, '  "opinion_weighted": {')
lines <- c(lines, paste0('    "', names(tab), '": ', fmt(as.numeric(tab)), c(rep(",", length(tab) - 1), "")))
lines <- c(lines, "  },")
# Valid-answer shares (8, 9 and NA excluded) as a design-based mean of indicators.
valid <- subset(des, !is.na(opinion) & !(opinion %in% c(8, 9)))
m <- svymean(~factor(opinion), valid)
lines <- c(lines, '  "opinion_valid_share": {')
nm <- sub("factor\\(opinion\\)", "", names(coef(m)))
lines <- c(lines, paste0('    "', nm, '": ', fmt(as.numeric(coef(m))), c(rep(",", length(nm) - 1), "")))
lines <- c(lines, "  },")
rt <- svytable(~region, des)
lines <- c(lines, '  "region_weighted": {')
lines <- c(lines, paste0('    "', names(rt), '": ', fmt(as.numeric(rt)), c(rep(",", length(rt) - 1), "")))
lines <- c(lines, "  }", "}")
writeLines(lines, file.path(here, "expected-r-survey.json"))
