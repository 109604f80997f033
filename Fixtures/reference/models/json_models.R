# Shared by the model and quantile reference scripts: full-precision JSON by hand (no jsonlite),
# NA written as the string "NaN", character vectors as string arrays.
num <- function(x) ifelse(is.na(x), '"NaN"', formatC(as.numeric(x), digits = 17, format = "g"))
enc <- function(x) {
  if (is.list(x)) return(paste0("{", paste0('"', names(x), '": ', sapply(x, enc), collapse = ", "), "}"))
  if (is.character(x)) return(paste0("[", paste0('"', x, '"', collapse = ", "), "]"))
  paste0("[", paste(num(x), collapse = ", "), "]")
}
write_json <- function(J, path) {
  lines <- paste0('  "', names(J), '": ', sapply(J, enc))
  writeLines(c("{", paste0('  "generator": "R survey ', packageDescription("survey")$Version, '",'),
               paste(lines, collapse = ",\n"), "}"), path)
}
# put(key, fit, terms): one svyglm fit (coefficients, SE, t, p, df, Wald CI, deviances, AIC, rows and
# regTermTest per term) into the list J of the calling script.
put <- function(key, fit, terms = character(0)) {
  s <- summary(fit)
  ct <- coef(s)
  ci <- confint(fit)
  v <- list(names = rownames(ct), coef = ct[, 1], se = ct[, 2], t = ct[, 3], p = ct[, 4],
            df = fit$df.residual, lower = ci[, 1], upper = ci[, 2],
            deviance = deviance(fit), nullDeviance = fit$null.deviance,
            aic = if (is.null(fit$aic) || is.na(fit$aic)) NA else fit$aic,
            n = length(fit$y))
  for (tt in terms) {
    r <- regTermTest(fit, tt)
    v[[paste0("F:", tt)]] <- c(as.numeric(r$Ftest), r$df, r$ddf, as.numeric(r$p))
  }
  J[[key]] <<- v
}
