# Golden values of invariance by mode for tests/pipeline/test_language_mode.py: run from the
# repository root with
#     Rscript tests/r/language_mode.R
# after `.venv/bin/python tests/fixtures/make_language_mode.py` (it writes the data set).
# Writes tests/fixtures/r/language_mode.json. Needs lavaan and jsonlite (Debian: r-cran-*).
#
# The trust construct's one-factor model across the three modes (the largest group first,
# as samenspel orders them), ML with FIML (missing = "ml"), marker identification:
# configural, metric (loadings), scalar (+ intercepts), and scalar with tru3's intercept
# free across the modes (group.partial), the model samenspel's search ends with.
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
d <- read.csv("tests/fixtures/datasets/language_mode.csv")
d <- d[!is.na(d$mode), ]
sizes <- sort(table(d$mode), decreasing = TRUE)
model <- paste("TRU =~", paste0("tru", 1:10, collapse = " + "))
fit <- function(equal, partial = character(0)) {
  cfa(model, data = d, group = "mode", group.label = names(sizes), estimator = "ML",
      missing = "ml", group.equal = equal, group.partial = partial)
}
measures <- c("npar", "chisq", "df", "cfi", "tli", "rmsea", "srmr")
steps <- list(
  configural = fit(""),
  metric = fit("loadings"),
  scalar = fit(c("loadings", "intercepts")),
  scalar_partial = fit(c("loadings", "intercepts"), "tru3~1")
)
out <- list(
  versions = list(R = R.version.string, lavaan = as.character(packageVersion("lavaan"))),
  groups = as.list(sizes),
  steps = lapply(steps, function(f) as.list(fitMeasures(f, measures)))
)
write(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE),
      "tests/fixtures/r/language_mode.json")
