# Reference for the group-difference claim kind (Fixtures/memos/ponars-658-language.claims.json)
# on the SYNTHETIC fixture kz2019-synthetic: R survey svyby(~fav, ~lang, design, svymean,
# covmat = TRUE) + svycontrast(c(1, -1)), t on degf(design); the 95% CI and p, and the
# equivalence verdict by two one-sided t tests (TOST) with the claim's margin: the 90% CI.
# Run from the repository root: Rscript Fixtures/reference/claims/make_group_difference.R
suppressMessages({ library(survey); library(jsonlite) })
d <- read.csv("Fixtures/surveys/kz2019-synthetic.csv")
claim <- fromJSON("Fixtures/memos/ponars-658-language.claims.json", simplifyVector = FALSE)$claims[[1]]
cp <- claim$computation
d$fav <- as.numeric(d[[cp$variable]] %in% unlist(cp$codes))      # base "all": DK/Refused count as not favourable
g <- cp$groups
d$grp <- ifelse(d[[g[[1]]$variable]] %in% unlist(g[[1]]$codes), 1, ifelse(d[[g[[2]]$variable]] %in% unlist(g[[2]]$codes), 2, NA))
des <- svydesign(ids = ~1, weights = ~wt, data = d)
b <- svyby(~fav, ~grp, des, svymean, covmat = TRUE)
sc <- svycontrast(b, c(1, -1))
est <- 100 * as.numeric(coef(sc)); se <- 100 * as.numeric(SE(sc)); df <- degf(des)
margin <- claim$margin
q95 <- qt(0.975, df); q90 <- qt(0.95, df)
tost <- max(pt((est + margin) / se, df, lower.tail = FALSE), pt((est - margin) / se, df))
out <- list(id = claim$id, estimate = est, se = se, df = df, p = 2 * pt(-abs(est / se), df),
            lower = est - q95 * se, upper = est + q95 * se, lower90 = est - q90 * se, upper90 = est + q90 * se,
            margin = margin, tostP = tost, verdict = if (est - q90 * se > -margin && est + q90 * se < margin) "pass" else "fail",
            shares = I(100 * as.numeric(coef(b))), n = sum(!is.na(d$grp)), weightedBase = sum(d$wt[!is.na(d$grp)]))
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "Fixtures/reference/claims/group-difference.json")
print(out[c("estimate", "se", "lower90", "upper90", "tostP", "verdict")])
