# Shared by the design reference scripts: full-precision JSON by hand (no jsonlite dependency).
num <- function(x) formatC(as.numeric(x), digits = 17, format = "g")
enc <- function(x) {
  if (is.list(x)) paste0("{", paste0('"', names(x), '": ', sapply(x, enc), collapse = ", "), "}")
  else if (length(x) == 1) num(x) else paste0("[", paste(num(x), collapse = ", "), "]")
}
write_json <- function(J, path) {
  lines <- paste0('  "', names(J), '": ', sapply(J, enc))
  writeLines(c("{", paste0('  "generator": "R survey ', packageDescription("survey")$Version, '",'),
               paste(lines, collapse = ",\n"), "}"), path)
}
