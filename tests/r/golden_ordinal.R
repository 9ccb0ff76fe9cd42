# Golden values for ordinal (WLSMV) and robust (MLR) estimation: run from the repository
# root with
#     Rscript tests/r/golden_ordinal.R
# after tests/r/golden.R (it reads the data sets that script writes). Writes
# samenspel/datasets/holzinger_ordinal*.csv and tests/fixtures/r/{ordinal,robust}.json.
# Needs lavaan, semTools, jsonlite (Debian: r-cran-*).
suppressPackageStartupMessages({
  library(lavaan); library(semTools); library(jsonlite)
})
data_dir <- "tests/fixtures/datasets"  # simulated data sets
public_dir <- "samenspel/datasets"  # public data sets
out_dir <- "tests/fixtures/r"
save_json <- function(x, name) {
  write_json(x, file.path(out_dir, paste0(name, ".json")), digits = NA, auto_unbox = TRUE,
             pretty = TRUE, na = "null")
}
versions <- list(R = R.version.string, lavaan = as.character(packageVersion("lavaan")),
                 semTools = as.character(packageVersion("semTools")))

# ---- input data sets -------------------------------------------------------------------
# HolzingerSwineford1939 cut into four categories at the 30/60/85% quantiles (skewed), and
# the same cut of the missing-data version written by golden.R
hs <- read.csv(file.path(public_dir, "holzinger_swineford.csv"))
hs_missing <- read.csv(file.path(public_dir, "holzinger_swineford_missing.csv"))
items9 <- paste0("x", 1:9)
hs_ord <- hs; hs_ord_missing <- hs_missing
for (v in items9) {
  breaks <- quantile(hs[[v]], c(0, .3, .6, .85, 1))
  hs_ord[[v]] <- cut(hs[[v]], breaks, include.lowest = TRUE, labels = FALSE)
  hs_ord_missing[[v]] <- cut(hs_missing[[v]], breaks, include.lowest = TRUE, labels = FALSE)
}
write.csv(hs_ord, file.path(public_dir, "holzinger_ordinal.csv"), row.names = FALSE)
write.csv(hs_ord_missing, file.path(public_dir, "holzinger_ordinal_missing.csv"),
          row.names = FALSE, na = "")
ordinal <- read.csv(file.path(data_dir, "ordinal.csv"))  # tests/fixtures/make_ordinal.py
bfi <- read.csv(file.path(public_dir, "bfi.csv"), row.names = 1)
likert <- read.csv(file.path(data_dir, "likert.csv"))

syntax <- function(model) {
  paste(sapply(names(model), function(f)
    paste(f, "=~", paste(sub("^-", "", model[[f]]), collapse = " + "))), collapse = "\n")
}
hs_model <- list(visual = c("x1", "x2", "x3"), textual = c("x4", "x5", "x6"),
                 speed = c("x7", "x8", "x9"))
ord_model <- list(A = paste0("a", 1:5), B = paste0("b", 1:5))
bfi_model <- list(A = paste0("A", 1:5), C = paste0("C", 1:5), E = paste0("E", 1:5),
                  N = paste0("N", 1:5), O = paste0("O", 1:5))
likert_model <- list(TRU = paste0("tru", 1:5), UNF = paste0("unf", 1:5),
                     DIS = paste0("dis", 1:5))

result <- function(fit) {
  pe <- parameterEstimates(fit, standardized = TRUE, remove.nonfree = FALSE)
  if (!"group" %in% names(pe)) pe$group <- 1L
  pe <- pe[pe$op %in% c("=~", "~~", "~1", "|", "~*~"), c("lhs", "op", "rhs", "group", "est",
                                                          "se", "std.all")]
  list(fit = as.list(fitMeasures(fit)), params = pe,
       n_obs = as.list(lavInspect(fit, "nobs")))
}
sample_stats <- function(fit) {  # thresholds, polychoric correlations, NACOV diagonal
  ss <- lavInspect(fit, "sampstat")
  if (lavInspect(fit, "ngroups") == 1) ss <- list(ss)
  gamma <- lavInspect(fit, "gamma")
  if (lavInspect(fit, "ngroups") == 1) gamma <- list(gamma)
  lapply(seq_along(ss), function(g) list(
    th = as.list(ss[[g]]$th), cor = unclass(ss[[g]]$cov),
    gamma_diag = as.list(diag(gamma[[g]]))))
}
score_tests <- function(fit) {  # univariate score tests of the equality constraints
  uni <- lavTestScore(fit)$uni
  pt <- parTable(fit)
  where <- function(label) {
    i <- match(label, pt$plabel)
    if (!is.na(i) && pt$op[i] == "==") i <- match(pt$lhs[i], pt$plabel)
    c(pt$lhs[i], pt$op[i], pt$rhs[i], pt$group[i])
  }
  rows <- lapply(seq_len(nrow(uni)), function(r) {
    a <- where(uni$lhs[r]); b <- where(uni$rhs[r])
    data.frame(lhs = b[1], op = b[2], rhs = b[3], group = as.integer(b[4]),
               reference_group = as.integer(a[4]), x2 = uni$X2[r])
  })
  do.call(rbind, rows)
}
lrt <- function(fits) {
  out <- list()
  for (i in 2:length(fits)) {
    a <- lavTestLRT(fits[[i - 1]], fits[[i]])
    out[[names(fits)[i]]] <- list(chisq_diff = a[["Chisq diff"]][2], df_diff = a[["Df diff"]][2],
                                  pvalue = a[["Pr(>Chisq)"]][2])
  }
  out
}

# ---- WLSMV: single group -------------------------------------------------------------------
ordinal_cases <- list()
wlsmv <- function(model, data, ...) {
  cfa(syntax(model), data = data, ordered = unlist(lapply(model, function(v) sub("^-", "", v))),
      estimator = "WLSMV", ...)
}
f <- wlsmv(hs_model, hs_ord)
ordinal_cases$hs <- c(result(f), list(sample = sample_stats(f)))
ordinal_cases$hs$gamma <- unclass(lavInspect(f, "gamma"))
ordinal_cases$hs$mi <- modindices(f)[, c("lhs", "op", "rhs", "mi", "epc", "sepc.all")]
f <- wlsmv(hs_model, hs_ord, parameterization = "theta")
ordinal_cases$hs_theta <- result(f)
f <- wlsmv(hs_model, hs_ord, std.lv = TRUE)
ordinal_cases$hs_std_lv <- result(f)
f <- wlsmv(hs_model, hs_ord_missing, missing = "pairwise")
ordinal_cases$hs_pairwise <- c(result(f), list(sample = sample_stats(f)))
f <- wlsmv(ord_model, ordinal, missing = "pairwise")
ordinal_cases$sim_pairwise <- c(result(f), list(sample = sample_stats(f)))
f <- wlsmv(bfi_model, bfi, missing = "pairwise")
ordinal_cases$bfi_pairwise <- result(f)
f <- wlsmv(hs_model, hs_ord, missing = "listwise", group = "school")
ordinal_cases$hs_groups <- c(result(f), list(sample = sample_stats(f)))
f <- wlsmv(hs_model, hs_ord, group = "school", parameterization = "theta")
ordinal_cases$hs_groups_theta <- result(f)

# ---- WLSMV: Wu & Estabrook (2016) invariance chains -----------------------------------------
we_chain <- function(model, data, group, parameterization = "delta", partial = character(0),
                     missing = "listwise") {
  steps <- list(configural = "", thresholds = "thresholds",
                metric = c("thresholds", "loadings"),
                scalar = c("thresholds", "loadings", "intercepts"))
  if (parameterization == "theta")
    steps$strict <- c("thresholds", "loadings", "intercepts", "residuals")
  ordered <- unlist(lapply(model, function(v) sub("^-", "", v)))
  fits <- lapply(steps, function(eq) {
    args <- list(syntax(model), data = data, ordered = ordered, group = group,
                 parameterization = parameterization, ID.fac = "std.lv",
                 ID.cat = "Wu.Estabrook.2016", group.equal = eq, missing = missing)
    if (length(partial)) args$group.partial <- partial
    s <- do.call(measEq.syntax, args)
    cfa(as.character(s), data = data, ordered = ordered, group = group,
        parameterization = parameterization, estimator = "WLSMV", missing = missing)
  })
  list(steps = lapply(fits, result), lrt = lrt(fits))
}
ordinal_cases$hs_we <- we_chain(hs_model, hs_ord, "school")
ordinal_cases$hs_we_theta <- we_chain(hs_model, hs_ord, "school", parameterization = "theta")
ordinal_cases$sim_we <- we_chain(ord_model, ordinal, "group", missing = "pairwise")
ordinal_cases$sim_we_partial <- we_chain(ord_model, ordinal, "group", missing = "pairwise",
                                         partial = c("a3~1", "b2|t1"))
# binary items (median splits) with a residual covariance; three groups
hs_binary <- hs
for (v in items9) hs_binary[[v]] <- as.integer(hs[[v]] > median(hs[[v]])) + 1L
ordinal_cases$hs_binary <- result(cfa(paste(syntax(hs_model), "x7 ~~ x8", sep = "\n"),
                                      data = hs_binary, ordered = items9, estimator = "WLSMV"))
likert3 <- likert
likert3$g3 <- paste0("g", as.integer(factor(likert3$area)) %% 3)  # area A01..A12 -> g1 g2 g0
ordinal_cases$likert_we_3groups <- we_chain(likert_model[c("TRU", "DIS")], likert3, "g3",
                                            missing = "pairwise")
# score tests of the scalar step (the equality constraints written as labels)
s <- measEq.syntax(syntax(ord_model), data = ordinal, ordered = paste0(c("a", "b"), rep(1:5, each = 2)),
                   group = "group", ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016",
                   group.equal = c("thresholds", "loadings", "intercepts"), missing = "pairwise")
f <- cfa(as.character(s), data = ordinal, ordered = paste0(c("a", "b"), rep(1:5, each = 2)),
         group = "group", estimator = "WLSMV", missing = "pairwise")
ordinal_cases$sim_we_scalar_score <- score_tests(f)

# ---- bifactor with orthogonal factors, fixed values --------------------------------------
bifactor <- paste("g =~ x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9", syntax(hs_model), sep = "\n")
bfi_bifactor <- paste("g =~", paste(unlist(bfi_model[c("A", "C", "E")]), collapse = " + "),
                      syntax(bfi_model[c("A", "C", "E")]), sep = "\n")
ordinal_cases$bfi_bifactor <- result(cfa(bfi_bifactor, data = bfi,
                                         ordered = unlist(bfi_model[c("A", "C", "E")]),
                                         estimator = "WLSMV", std.lv = TRUE, orthogonal = TRUE,
                                         missing = "pairwise"))
save_json(list(versions = versions, cases = ordinal_cases), "ordinal")

# ---- MLR, ML extras ---------------------------------------------------------------------
robust_cases <- list()
robust_cases$hs <- result(cfa(syntax(hs_model), data = hs, estimator = "MLR"))
robust_cases$hs_fiml <- result(cfa(syntax(hs_model), data = hs_missing, estimator = "MLR",
                                   missing = "fiml"))
robust_cases$likert_fiml <- result(cfa(syntax(likert_model), data = likert, estimator = "MLR",
                                       missing = "fiml"))
robust_cases$hs_groups <- result(cfa(syntax(hs_model), data = hs, estimator = "MLR",
                                     group = "school"))
mlr_chain <- function(model, data, group, missing = "listwise", partial = character(0)) {
  steps <- list(configural = "", metric = "loadings", scalar = c("loadings", "intercepts"),
                strict = c("loadings", "intercepts", "residuals"))
  fits <- lapply(steps, function(eq) cfa(syntax(model), data = data, group = group,
                                         group.equal = eq, group.partial = partial,
                                         estimator = "MLR", missing = missing))
  list(steps = lapply(fits, result), lrt = lrt(fits))
}
robust_cases$hs_invariance <- mlr_chain(hs_model, hs, "school")
robust_cases$hs_fiml_invariance <- mlr_chain(hs_missing_model <- hs_model, hs_missing, "school",
                                             missing = "fiml")
robust_cases$likert_partial <- mlr_chain(likert_model, likert, "side", missing = "fiml",
                                         partial = c("tru2~1", "unf2~1", "dis2~1"))
# ML: score tests of the scalar model's equality constraints (partial invariance proposals)
f <- cfa(syntax(likert_model), data = likert, group = "side",
         group.equal = c("loadings", "intercepts"))
robust_cases$likert_scalar_score <- score_tests(f)
robust_cases$hs_bifactor <- result(cfa(bifactor, data = hs, std.lv = TRUE, orthogonal = TRUE))
robust_cases$hs_bifactor_mlr <- result(cfa(bifactor, data = hs_missing, std.lv = TRUE,
                                           orthogonal = TRUE, estimator = "MLR",
                                           missing = "fiml"))
fixed <- "visual =~ x1 + 0.6*x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
robust_cases$hs_fixed <- result(cfa(fixed, data = hs))
save_json(list(versions = versions, cases = robust_cases), "robust")
cat("golden values written to", out_dir, "\n")
