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
