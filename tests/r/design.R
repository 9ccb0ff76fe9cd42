# Golden values for tests/pipeline/test_design.py: run from the repository root with
#     Rscript tests/r/design.R
# Reads tests/fixtures/datasets/units*.csv (written by tests/fixtures/make_units.py) and
# writes tests/fixtures/r/design.json: for respondents in units nested in strata,
# - unbalanced data: the mean squares between units within strata and within units from
#   aov(y ~ stratum + unit) (sequential sums of squares), for y1, y2 and y1 + y2 (whose
#   between-unit variance gives the covariance), and the ANOVA ICC with
#   n0 = (N - sum n_i^2 / N_stratum) / (U - S);
# - balanced data: lme4's REML variance components of lmer(y ~ stratum + (1 | unit)),
#   which the ANOVA estimator equals there.
suppressPackageStartupMessages({library(lme4); library(jsonlite)})
data_dir <- "tests/fixtures/datasets"
mean_squares <- function(d, y) {
  fit <- aov(d[[y]] ~ factor(d$stratum) + factor(d$unit))
  table <- summary(fit)[[1]]
  list(msb = table[2, "Mean Sq"], msw = table[3, "Mean Sq"],
       df_between = table[2, "Df"], df_within = table[3, "Df"])
}
unbalanced <- read.csv(file.path(data_dir, "units.csv"))
unbalanced$sum <- unbalanced$y1 + unbalanced$y2
sizes <- table(unbalanced$unit)
stratum_of <- tapply(unbalanced$stratum, unbalanced$unit, function(s) s[1])
stratum_sizes <- table(unbalanced$stratum)
n <- nrow(unbalanced); u <- length(sizes); s <- length(stratum_sizes)
n0 <- (n - sum(as.numeric(sizes)^2 / as.numeric(stratum_sizes[stratum_of[names(sizes)]]))) / (u - s)
out <- list(n0 = n0)
for (y in c("y1", "y2", "sum")) {
  ms <- mean_squares(unbalanced, y)
  ms$icc <- max(0, (ms$msb - ms$msw) / (ms$msb + (n0 - 1) * ms$msw))
  ms$between <- (ms$msb - ms$msw) / n0
  out[[y]] <- ms
}
balanced <- read.csv(file.path(data_dir, "units_balanced.csv"))
for (y in c("y1", "y2")) {
  fit <- lmer(as.formula(paste(y, "~ stratum + (1 | unit)")), data = balanced, REML = TRUE)
  vc <- as.data.frame(VarCorr(fit))
  between <- vc$vcov[vc$grp == "unit"]; within <- vc$vcov[vc$grp == "Residual"]
  out[[paste0("reml_", y)]] <- list(between = between, within = within,
                                    icc = between / (between + within))
}
out$versions <- list(R = R.version.string, lme4 = as.character(packageVersion("lme4")))
write_json(out, "tests/fixtures/r/design.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
