# Golden values for tests/pipeline: run from the repository root with
#     Rscript tests/r/golden.R
# Writes the public input data sets to samenspel/datasets/ (shipped with the package, see its
# README.md) and R's results to
# tests/fixtures/r/*.json. Needs lavaan, psych, semTools, jsonlite (Debian: r-cran-*).
suppressPackageStartupMessages({
  library(lavaan); library(psych); library(semTools); library(jsonlite)
})
data_dir <- "tests/fixtures/datasets"  # simulated data sets
public_dir <- "samenspel/datasets"  # public data sets
out_dir <- "tests/fixtures/r"
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)
save_json <- function(x, name) {
  write_json(x, file.path(out_dir, paste0(name, ".json")), digits = NA, auto_unbox = TRUE,
             pretty = TRUE, na = "null")
}
versions <- list(R = R.version.string, lavaan = as.character(packageVersion("lavaan")),
                 psych = as.character(packageVersion("psych")),
                 semTools = as.character(packageVersion("semTools")))

# ---- input data sets -------------------------------------------------------------------
hs <- lavaan::HolzingerSwineford1939[, c("id", "school", paste0("x", 1:9))]
write.csv(hs, file.path(public_dir, "holzinger_swineford.csv"), row.names = FALSE)
set.seed(4)  # missing-data version: 12% of the x answers deleted completely at random
hs_missing <- hs
for (v in paste0("x", 1:9)) hs_missing[runif(nrow(hs)) < 0.12, v] <- NA
write.csv(hs_missing, file.path(public_dir, "holzinger_swineford_missing.csv"),
          row.names = FALSE, na = "")
write.csv(lavaan::PoliticalDemocracy, file.path(public_dir, "political_democracy.csv"),
          row.names = FALSE)
bfi <- psych::bfi[1:800, c(1:25, 26)]
write.csv(bfi, file.path(public_dir, "bfi.csv"), row.names = TRUE, na = "")
likert <- read.csv(file.path(data_dir, "likert.csv"))

# ---- reliability: psych::alpha on reverse-recoded items ----------------------------------
recode <- function(d, items, lo, hi) {
  out <- d[, sub("^-", "", items), drop = FALSE]
  for (it in items[startsWith(items, "-")]) {
    v <- sub("^-", "", it); out[[v]] <- lo + hi - out[[v]]
  }
  out
}
alpha_case <- function(x) {
  a <- suppressWarnings(psych::alpha(x, check.keys = FALSE))
  list(raw_alpha = a$total$raw_alpha, std_alpha = a$total$std.alpha,
       average_r = a$total$average_r, n_obs = nrow(x),
       feldt_lower = a$feldt$lower.ci[[1]], feldt_upper = a$feldt$upper.ci[[1]],
       items = data.frame(item = rownames(a$alpha.drop),
                          alpha_if_deleted = a$alpha.drop$raw_alpha,
                          std_alpha_if_deleted = a$alpha.drop$std.alpha,
                          item_rest_r = a$item.stats$r.drop,
                          mean = a$item.stats$mean, sd = a$item.stats$sd,
                          n = a$item.stats$n,
                          skew = apply(x, 2, psych::skew)))
}
omega_case <- function(x) {  # omega total from a one-factor ML CFA (congeneric)
  items <- colnames(x)
  fit <- cfa(paste("f =~", paste(items, collapse = " + ")), data = x, missing = "listwise")
  as.numeric(compRelSEM(fit, obs.var = FALSE))
}
bfi_scales <- list(A = c("-A1", "A2", "A3", "A4", "A5"), C = c("C1", "C2", "C3", "-C4", "-C5"),
                   E = c("-E1", "-E2", "E3", "E4", "E5"), N = c("N1", "N2", "N3", "N4", "N5"),
                   O = c("O1", "-O2", "O3", "O4", "-O5"))
likert_scales <- list(TRU = c("tru1", "tru2", "tru3", "-tru4", "tru5"),
                      UNF = c("unf1", "unf2", "-unf3", "unf4", "unf5"),
                      DIS = c("dis1", "dis2", "dis3", "dis4", "dis5"))
reliability <- list()
for (s in names(bfi_scales)) {
  x <- recode(bfi, bfi_scales[[s]], 1, 6)
  reliability[[paste0("bfi_", s, "_pairwise")]] <- alpha_case(x)
  reliability[[paste0("bfi_", s, "_listwise")]] <- alpha_case(na.omit(x))
  reliability[[paste0("bfi_", s, "_listwise")]]$omega_total <- omega_case(na.omit(x))
}
for (s in names(likert_scales)) {
  x <- recode(likert, likert_scales[[s]], 1, 5)
  reliability[[paste0("likert_", s, "_pairwise")]] <- alpha_case(x)
  reliability[[paste0("likert_", s, "_listwise")]] <- alpha_case(na.omit(x))
  reliability[[paste0("likert_", s, "_listwise")]]$omega_total <- omega_case(na.omit(x))
}
save_json(list(versions = versions, cases = reliability), "reliability")

# ---- EFA diagnostics: psych::KMO, psych::cortest.bartlett, psych::fa ----------------------
efa_case <- function(x, nf) {
  x <- na.omit(x); r <- cor(x); k <- psych::KMO(r); b <- psych::cortest.bartlett(r, n = nrow(x))
  ml <- psych::fa(x, nfactors = nf, fm = "ml", rotate = "varimax")
  obl <- psych::fa(x, nfactors = nf, fm = "minres", rotate = "oblimin")
  pro <- psych::fa(x, nfactors = nf, fm = "minres", rotate = "promax")
  list(kmo = k$MSA, kmo_items = as.list(k$MSAi), bartlett_chisq = b$chisq,
       bartlett_df = b$df, bartlett_pvalue = b$p.value, n_obs = nrow(x),
       ml_varimax_loadings = as.data.frame(unclass(ml$loadings)),
       minres_oblimin_loadings = as.data.frame(unclass(obl$loadings)),
       minres_oblimin_phi = as.data.frame(obl$Phi),
       minres_oblimin_communality = as.list(obl$communality),
       minres_promax_loadings = as.data.frame(unclass(pro$loadings)))
}
pairwise_case <- function(x) {  # from the pairwise covariances, n = smallest pair count
  r <- cov2cor(cov(x, use = "pairwise")); n <- min(crossprod(!is.na(as.matrix(x))))
  k <- psych::KMO(r); b <- psych::cortest.bartlett(r, n = n)
  list(kmo = k$MSA, kmo_items = as.list(k$MSAi), bartlett_chisq = b$chisq,
       bartlett_df = b$df, n_obs = n)
}
save_json(list(versions = versions,
               cases = list(hs = efa_case(hs[, paste0("x", 1:9)], 3),
                            bfi = efa_case(bfi[, 1:25], 5),
                            bfi_pairwise = pairwise_case(bfi[, 1:25]))), "efa")

# ---- CFA, invariance, FIML ----------------------------------------------------------------
fit_measures <- c("npar", "fmin", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df",
                  "baseline.pvalue", "cfi", "tli", "nnfi", "rfi", "nfi", "ifi", "rni", "logl",
                  "unrestricted.logl", "aic", "bic", "ntotal", "bic2", "rmsea",
                  "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.pvalue", "srmr")
model_syntax <- function(model) {
  paste(sapply(names(model), function(f)
    paste(f, "=~", paste(sub("^-", "", model[[f]]), collapse = " + "))), collapse = "\n")
}
cfa_result <- function(fit, model, data, with_mi = FALSE, with_htmt = FALSE) {
  fm <- fitMeasures(fit, fit_measures)
  pe <- parameterEstimates(fit, standardized = TRUE)
  keep <- c("lhs", "op", "rhs", "group", "est", "se", "std.all")
  if (!"group" %in% names(pe)) pe$group <- 1L
  pe <- pe[pe$op %in% c("=~", "~~", "~1"), keep]
  out <- list(fit = as.list(fm), params = pe, n_obs = as.list(lavInspect(fit, "nobs")))
  if (with_mi) {
    mi <- modindices(fit)
    if (!"group" %in% names(mi)) mi$group <- 1L
    out$mi <- mi[, c("lhs", "op", "rhs", "group", "mi", "epc", "sepc.all")]
  }
  if (lavInspect(fit, "ngroups") == 1) {
    # Fornell & Larcker (1981) from standardised loadings; |loading| for reverse-keyed items
    ss <- standardizedSolution(fit)
    l <- ss[ss$op == "=~", ]
    out$validity <- do.call(rbind, lapply(split(l, factor(l$lhs, unique(l$lhs))), function(d)
      data.frame(factor = d$lhs[1], cr = sum(abs(d$est.std))^2 /
                   (sum(abs(d$est.std))^2 + sum(1 - d$est.std^2)),
                 ave = mean(d$est.std^2))))
    out$semtools_ave <- as.list(semTools::AVE(fit))
  }
  if (with_htmt) {
    syn <- model_syntax(model)
    out$htmt <- as.data.frame(unclass(semTools::htmt(syn, data, htmt2 = FALSE)))
    out$htmt2 <- as.data.frame(unclass(semTools::htmt(syn, data, htmt2 = TRUE)))
    out$htmt_pairwise <- as.data.frame(unclass(semTools::htmt(syn, data, htmt2 = FALSE,
                                                              missing = "pairwise")))
  }
  out
}
hs_model <- list(visual = c("x1", "x2", "x3"), textual = c("x4", "x5", "x6"),
                 speed = c("x7", "x8", "x9"))
bfi_model <- bfi_scales
cases <- list()
cases$hs <- cfa_result(cfa(model_syntax(hs_model), data = hs), hs_model, hs, TRUE, TRUE)
cases$hs_meanstructure <- cfa_result(cfa(model_syntax(hs_model), data = hs,
                                         meanstructure = TRUE), hs_model, hs)
cases$bfi_listwise <- cfa_result(cfa(model_syntax(bfi_model), data = bfi), bfi_model,
                                 bfi[, 1:25], TRUE, TRUE)
likert_items <- likert[, 4:18]
cases$likert <- cfa_result(cfa(model_syntax(likert_scales), data = likert), likert_scales,
                           na.omit(likert_items), TRUE, TRUE)
pd_model <- list(dem60 = c("y1", "y2", "y3", "y4"), dem65 = c("y5", "y6", "y7", "y8"))
pd_syntax <- paste(model_syntax(pd_model), "y1 ~~ y5", "y2 ~~ y4 + y6", "y3 ~~ y7",
                   "y4 ~~ y8", "y6 ~~ y8", sep = "\n")
cases$political_democracy <- cfa_result(cfa(pd_syntax, data = lavaan::PoliticalDemocracy),
                                        pd_model, lavaan::PoliticalDemocracy, TRUE)
cases$hs_fiml <- cfa_result(cfa(model_syntax(hs_model), data = hs_missing, missing = "fiml"),
                            hs_model, hs_missing)
cases$likert_fiml <- cfa_result(cfa(model_syntax(likert_scales), data = likert,
                                    missing = "fiml"), likert_scales, likert)

invariance <- function(data, model, group, missing = "listwise") {
  syn <- model_syntax(model)
  steps <- list(configural = "", metric = c("loadings"),
                scalar = c("loadings", "intercepts"),
                strict = c("loadings", "intercepts", "residuals"))
  fits <- lapply(steps, function(eq) cfa(syn, data = data, group = group, group.equal = eq,
                                         missing = missing))
  res <- lapply(fits, function(f) cfa_result(f, model, data))
  lrt <- list()
  for (i in 2:4) {
    a <- lavTestLRT(fits[[i - 1]], fits[[i]])
    lrt[[names(steps)[i]]] <- list(chisq_diff = a[["Chisq diff"]][2], df_diff = a[["Df diff"]][2],
                                   pvalue = a[["Pr(>Chisq)"]][2])
  }
  list(steps = res, lrt = lrt)
}
cases$hs_invariance <- invariance(hs, hs_model, "school")
cases$likert_invariance <- invariance(likert, likert_scales, "side")
cases$hs_fiml_invariance <- invariance(hs_missing, hs_model, "school", missing = "fiml")
save_json(list(versions = versions, cases = cases), "cfa")

# ---- aggregation: ICC(1), ICC(2) as multilevel::ICC1 / ICC2 (Bliese 2000), one-way ANOVA ---
icc <- list()
for (s in names(likert_scales)) {
  x <- recode(likert, likert_scales[[s]], 1, 5)
  score <- rowMeans(x, na.rm = TRUE)
  d <- data.frame(score = score, area = factor(likert$area))[!is.na(score), ]
  tab <- summary(aov(score ~ area, data = d))[[1]]
  msb <- tab[1, "Mean Sq"]; msw <- tab[2, "Mean Sq"]
  k <- nrow(d) / nlevels(droplevels(d$area))
  icc[[s]] <- list(icc1 = (msb - msw) / (msb + (k - 1) * msw), icc2 = (msb - msw) / msb,
                   f = tab[1, "F value"], pvalue = tab[1, "Pr(>F)"], n = nrow(d),
                   n_clusters = nlevels(droplevels(d$area)), mean_cluster_size = k)
}
save_json(list(versions = versions, cases = icc), "aggregation")
cat("golden values written to", out_dir, "\n")
