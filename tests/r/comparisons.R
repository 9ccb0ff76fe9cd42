# Golden values for tests/pipeline/test_compare_golden.py: run from the repository root with
#     Rscript tests/r/comparisons.R
# Writes tests/fixtures/r/comparisons.json from R's own public data sets (sleep, ToothGrowth,
# mtcars, ...); the group values are written beside the results so the tests need no R.
# Needs effectsize, rstatix and jsonlite (Debian: r-cran-effectsize, r-cran-rstatix,
# r-cran-jsonlite).
#
# - hedges_g: effectsize::hedges_g(x, y, pooled_sd = TRUE) and its 95% CI (noncentral t,
#   bounds multiplied by effectsize's exact J). effectsize finds the noncentralities with
#   optim(); the same interval by uniroot() over pt(t, df, ncp) is computed here too and must
#   agree with it, so the fixture does not rest on one optimiser's tolerance.
# - games_howell: rstatix::games_howell_test(detailed = TRUE): per pair of groups the mean
#   difference (group2 minus group1), Welch t and df, and the simultaneous CI from qtukey.
#   rstatix rounds its p (to three decimals, or three digits below .001), so the unrounded
#   p is recomputed here with the same ptukey call rstatix makes
#   (ptukey(t sqrt 2, k, df, lower.tail = FALSE)) and checked against rstatix's rounded one.
suppressPackageStartupMessages({library(effectsize); library(rstatix); library(jsonlite)})
out_dir <- "tests/fixtures/r"
save_json <- function(x, name) {
  write_json(x, file.path(out_dir, paste0(name, ".json")), digits = NA, auto_unbox = TRUE,
             pretty = TRUE, na = "null")
}
versions <- list(R = R.version.string, effectsize = as.character(packageVersion("effectsize")),
                 rstatix = as.character(packageVersion("rstatix")))

# ---- Hedges g with its noncentral-t interval ---------------------------------------------
ncp_interval <- function(x, y, level = 0.95) {  # the inversion written out, for the check
  n1 <- length(x); n2 <- length(y); df <- n1 + n2 - 2
  s <- sqrt(((n1 - 1) * var(x) + (n2 - 1) * var(y)) / df)
  scale <- sqrt(1 / n1 + 1 / n2)
  t <- (mean(x) - mean(y)) / (s * scale)
  tail <- (1 - level) / 2
  bound <- function(p) {  # pt warns of lost precision far out in the bracket, not at the root
    suppressWarnings(uniroot(function(ncp) pt(t, df, ncp) - p, t + c(-1, 1) * (10 + abs(t)),
                             tol = 1e-12)$root)
  }
  j <- exp(lgamma(df / 2) - log(sqrt(df / 2)) - lgamma((df - 1) / 2))
  c(bound(1 - tail), bound(tail)) * scale * j
}
g_case <- function(x, y) {
  es <- effectsize::hedges_g(x, y, pooled_sd = TRUE, ci = 0.95, verbose = FALSE)
  d <- effectsize::cohens_d(x, y, pooled_sd = TRUE, ci = NULL, verbose = FALSE)
  direct <- ncp_interval(x, y)
  stopifnot(max(abs(direct - c(es$CI_low, es$CI_high))) < 1e-4)
  list(x = x, y = y, hedges_g = es$Hedges_g, ci_low = es$CI_low, ci_high = es$CI_high,
       cohens_d = d$Cohens_d, uniroot_ci_low = direct[1], uniroot_ci_high = direct[2])
}
tg <- datasets::ToothGrowth
mt <- datasets::mtcars
sleep <- datasets::sleep
hedges <- list(
  sleep_1_2 = g_case(sleep$extra[sleep$group == 1], sleep$extra[sleep$group == 2]),  # 10, 10
  toothgrowth_oj_vc = g_case(tg$len[tg$supp == "OJ"], tg$len[tg$supp == "VC"]),      # 30, 30
  toothgrowth_dose1_oj_vc = g_case(tg$len[tg$supp == "OJ" & tg$dose == 1],
                                   tg$len[tg$supp == "VC" & tg$dose == 1]),          # 10, 10
  mtcars_gear5_gear4 = g_case(mt$mpg[mt$gear == 5], mt$mpg[mt$gear == 4]),           # 5, 12
  mtcars_manual_auto = g_case(mt$mpg[mt$am == 1], mt$mpg[mt$am == 0]),               # 13, 19
  mtcars_cyl8_cyl4 = g_case(mt$mpg[mt$cyl == 8], mt$mpg[mt$cyl == 4]),               # 14, 11
  mtcars_cyl6_cyl4_hp = g_case(mt$hp[mt$cyl == 6], mt$hp[mt$cyl == 4]),              # 7, 11
  iris_setosa_versicolor_3_4 = g_case(iris$Sepal.Width[iris$Species == "setosa"][1:3],
                                      iris$Sepal.Width[iris$Species == "versicolor"][1:4])
)

# ---- Games-Howell -------------------------------------------------------------------------
gh_case <- function(y, g) {
  d <- data.frame(y = y, g = factor(g))
  r <- as.data.frame(rstatix::games_howell_test(d, y ~ g, detailed = TRUE))
  p <- ptukey(r$statistic * sqrt(2), nlevels(d$g), r$df, lower.tail = FALSE)
  stopifnot(max(abs(p - r$p.adj)) <= 5e-4)  # rstatix rounds to 3 decimals (or 3 digits)
  list(y = y, group = as.character(g),
       pairs = data.frame(group1 = r$group1, group2 = r$group2, n1 = r$n1, n2 = r$n2,
                          estimate = r$estimate, conf_low = r$conf.low,
                          conf_high = r$conf.high, statistic = r$statistic, df = r$df,
                          p = p, p_rstatix = r$p.adj))
}
games_howell <- list(
  plantgrowth = gh_case(PlantGrowth$weight, PlantGrowth$group),                  # 3 x 10
  toothgrowth_dose = gh_case(tg$len, tg$dose),                                   # 3 x 20
  insectsprays = gh_case(InsectSprays$count, InsectSprays$spray),                # 6 x 12
  chickwts = gh_case(chickwts$weight, chickwts$feed),                            # 6, 10-14
  mtcars_cyl = gh_case(mt$mpg, mt$cyl),                                          # 11, 7, 14
  iris_sepal_length = gh_case(iris$Sepal.Length, iris$Species)                   # 3 x 50
)

save_json(list(versions = versions, cases = list(hedges_g = hedges, games_howell = games_howell)),
          "comparisons")
cat("golden values written to", out_dir, "\n")
