# svychisq's four statistics (and degf) of ~xr + yr on a design, as the JSON the tests read;
# sourced by make_raoscott.R and make_raoscott_replicates.R.
num <- function(x) unname(as.numeric(x))

run <- function(des) {
  f <- svychisq(~xr + yr, des, statistic = "F")
  ch <- svychisq(~xr + yr, des, statistic = "Chisq")
  aw <- svychisq(~xr + yr, des, statistic = "adjWald")
  wd <- svychisq(~xr + yr, des, statistic = "Wald")
  list(
    # NOTE: svychisq prints the UNADJUSTED Pearson X^2 of the weighted table
    # rescaled to N = number of rows of the design (including rows with NA).
    pearsonUnadjusted = num(ch$statistic),
    firstOrderP = num(ch$p.value),             # pchisq(X2 / mean(delta), df)
    df = num(ch$parameter),
    F = num(f$statistic), Fndf = num(f$parameter[1]), Fddf = num(f$parameter[2]), Fp = num(f$p.value),
    adjWaldF = num(aw$statistic), adjWaldNdf = num(aw$parameter[1]), adjWaldDdf = num(aw$parameter[2]), adjWaldP = num(aw$p.value),
    # statistic = "Wald": the unadjusted Wald F = X2_W / d on (d, nu)
    waldF = num(wd$statistic), waldNdf = num(wd$parameter[1]), waldDdf = num(wd$parameter[2]), waldP = num(wd$p.value),
    degf = degf(des),
    designRows = nrow(des$variables)
  )
}
