# Golden values for the weighted comparisons (tests/pipeline/test_compare_golden.py): run
# from the repository root with
#     Rscript tests/r/weighted_comparisons.R
# Writes tests/fixtures/r/weighted_comparisons.json from the survey package's public `apistrat`
# data (California Academic Performance Index, a stratified sample of schools with its
# sampling weights `pw`); the values and weights are written beside the results, so the
# tests need no R. Needs survey and jsonlite (Debian: r-cran-survey, r-cran-jsonlite).
#
# Each group is a stratum without finite population correction, as samenspel treats a group:
# svyby(~api00, ~group, svydesign(ids = ~1, strata = ~group, weights = ~pw), svymean) gives
# the weighted mean of every group and the linearised standard error of that mean. Cases:
# - school type (E, M, H): three groups, their means and standard errors;
# - elementary schools against the rest (M and H pooled): the mean difference, the standard
#   error of the difference sqrt(se1^2 + se2^2) and the t statistic (estimate / se), as
#   svycontrast computes it on the same design.
suppressPackageStartupMessages({library(survey); library(jsonlite)})
data(api)
rows <- apistrat[, c("api00", "stype", "pw")]
by_type <- svyby(~api00, ~stype, svydesign(ids = ~1, strata = ~stype, weights = ~pw, data = rows),
                 svymean)
rows$elementary <- ifelse(rows$stype == "E", "E", "rest")
pooled <- svydesign(ids = ~1, strata = ~elementary, weights = ~pw, data = rows)
by_rest <- svyby(~api00, ~elementary, pooled, svymean, covmat = TRUE)
contrast <- svycontrast(by_rest, c(E = 1, rest = -1))
out <- list(cases = list(
  versions = list(R = R.version.string, survey = as.character(packageVersion("survey"))),
  api00 = rows$api00, stype = as.character(rows$stype), pw = rows$pw,
  types = list(group = as.character(by_type$stype), mean = by_type$api00, se = SE(by_type)),
  elementary_vs_rest = list(estimate = as.numeric(coef(contrast)), se = as.numeric(SE(contrast)),
                            t = as.numeric(coef(contrast) / SE(contrast))))
)
write_json(out, "tests/fixtures/r/weighted_comparisons.json", digits = NA, auto_unbox = TRUE,
           pretty = TRUE)
