# Golden values of the ordinal reliability figures for tests/pipeline/test_reliability.py: run
# from the repository root with
#     Rscript tests/r/reliability_ordinal.R
# after tests/r/golden.R and tests/r/golden_ordinal.R (it reads the data sets they write).
# Writes tests/fixtures/r/reliability_ordinal.json. Needs lavaan, psych, semTools, jsonlite
# (Debian: r-cran-*).
#
# Per scale, on the respondents who answered every item, after reverse-keyed items are
# recoded:
# - ordinal alpha (Zumbo, Gadermann & Zeisser 2007): psych::alpha on psych::polychoric's
#   correlations; also alpha on lavaan's polychoric correlations (the two-step estimator
#   samenspel shares with lavaan), so a difference between the two estimators of the
#   correlations shows apart from the formula;
# - categorical omega (Green & Yang 2009): semTools::compRelSEM of a one-factor CFA with all
#   items ordered (WLSMV, delta parameterisation), its defaults ord.scale = TRUE and
#   obs.var = TRUE: the reliability of the sum of the items' answers as they were given.
suppressPackageStartupMessages({
  library(lavaan); library(psych); library(semTools); library(jsonlite)
})
data_dir <- "tests/fixtures/datasets"  # simulated data sets
public_dir <- "samenspel/datasets"  # public data sets
out_dir <- "tests/fixtures/r"
versions <- list(R = R.version.string, lavaan = as.character(packageVersion("lavaan")),
                 psych = as.character(packageVersion("psych")),
                 semTools = as.character(packageVersion("semTools")))
recode <- function(d, items, lo, hi) {
  out <- d[, sub("^-", "", items), drop = FALSE]
  for (it in items[startsWith(items, "-")]) {
    v <- sub("^-", "", it); out[[v]] <- lo + hi - out[[v]]
  }
  out
}
ordinal_case <- function(x) {
  x <- na.omit(x)
  items <- colnames(x)
  rho <- psych::polychoric(x)$rho
  fit <- cfa(paste("f =~", paste(items, collapse = " + ")), data = x, ordered = items,
             estimator = "WLSMV")
  lavaan_rho <- unclass(lavInspect(fit, "sampstat")$cov)
  alpha_of <- function(r) {  # quiet: ordinal.csv has items psych would reverse; we do not
    capture.output(a <- suppressWarnings(psych::alpha(r, check.keys = FALSE)))
    a$total$raw_alpha
  }
  list(n_obs = nrow(x), alpha_ordinal = alpha_of(rho),
       alpha_ordinal_lavaan_rho = alpha_of(lavaan_rho),
       omega_ordinal = as.numeric(compRelSEM(fit)),
       max_abs_rho_difference = max(abs(rho - lavaan_rho)))
}
sets <- list(
  holzinger_ordinal = list(file = "holzinger_ordinal.csv", lo = 1, hi = 4, scales = list(
    visual = c("x1", "x2", "x3"), textual = c("x4", "x5", "x6"), speed = c("x7", "x8", "x9"))),
  ordinal = list(file = "ordinal.csv", lo = 1, hi = 5, scales = list(
    A = paste0("a", 1:5), B = paste0("b", 1:5))),
  bfi = list(file = "bfi.csv", lo = 1, hi = 6, scales = list(
    A = c("-A1", "A2", "A3", "A4", "A5"), C = c("C1", "C2", "C3", "-C4", "-C5"),
    E = c("-E1", "-E2", "E3", "E4", "E5"), N = c("N1", "N2", "N3", "N4", "N5"),
    O = c("O1", "-O2", "O3", "O4", "-O5"))),
  likert = list(file = "likert.csv", lo = 1, hi = 5, scales = list(
    TRU = c("tru1", "tru2", "tru3", "-tru4", "tru5"),
    UNF = c("unf1", "unf2", "-unf3", "unf4", "unf5"),
    DIS = c("dis1", "dis2", "dis3", "dis4", "dis5")))
)
cases <- list()
for (name in names(sets)) {
  s <- sets[[name]]
  d <- read.csv(file.path(if (file.exists(file.path(public_dir, s$file))) public_dir else data_dir,
                          s$file))
  for (scale in names(s$scales)) {
    cases[[paste0(name, "_", scale)]] <- ordinal_case(recode(d, s$scales[[scale]], s$lo, s$hi))
  }
}
write_json(list(versions = versions, cases = cases),
           file.path(out_dir, "reliability_ordinal.json"), digits = NA, auto_unbox = TRUE,
           pretty = TRUE, na = "null")
cat("golden values written to", out_dir, "\n")
