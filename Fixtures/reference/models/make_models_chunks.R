# Reference values for design-based GLMs on more rows than one IRLS chunk (GLMFit.chunkRows = 4,096):
# R's api population (6,194 schools, 37 without enrolment, dropped listwise) under a stratified
# cluster design (strata stype, PSUs dnum nested in strata, synthetic weights), so Barometer's
# chunked QR (two chunks, combined) is checked against R svyglm / regTermTest.
# Run from the repository root: Rscript Fixtures/reference/models/make_models_chunks.R
# Writes apipop_glm.csv (the columns used) and expected_chunks.json next to this script.
suppressMessages(library(survey))
here <- "Fixtures/reference/models"
source(file.path(here, "json_models.R"))
data(api)
d <- data.frame(dnum = apipop$dnum, stype = as.integer(apipop$stype), api00 = apipop$api00,
                api99 = apipop$api99, enroll = apipop$enroll, awards = as.integer(apipop$awards == "Yes"))
d$pw <- 1 + (seq_len(nrow(d)) %% 7) / 3
write.csv(d, file.path(here, "apipop_glm.csv"), row.names = FALSE, na = "")
d <- read.csv(file.path(here, "apipop_glm.csv"))
des <- svydesign(id = ~dnum, strata = ~stype, nest = TRUE, weights = ~pw, data = d)
ctl <- glm.control(epsilon = 1e-13, maxit = 200)
J <- list()
put("pop_logit", svyglm(awards ~ api00 + api99 + enroll + factor(stype), des, family = binomial(), control = ctl),
    "factor(stype)")
put("pop_gauss", svyglm(api00 ~ api99 + enroll + factor(stype), des, control = ctl), "factor(stype)")
put("pop_poisson", svyglm(api00 ~ api99 + enroll + factor(stype), des, family = poisson(), control = ctl), "factor(stype)")
write_json(J, file.path(here, "expected_chunks.json"))
