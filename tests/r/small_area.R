# Golden values for tests/pipeline/test_small_area.py: run from the repository root with
#     SAE=/path/to/sae Rscript tests/r/small_area.R
# where SAE is a copy of the R package sae's sources (https://github.com/cran/sae; CRAN's
# sae 1.3): its R/eblupFH.R and R/mseFH.R are sourced and its data/milk.rda and
# data/spacetime.rda read. Writes samenspel/datasets/milk.csv and spacetime.csv (the
# public data sets, so the tests need no R) and tests/fixtures/r/small_area.json:
# - milk (Arora & Lahiri 1997; Rao & Molina 2015, example 6.1.3): yi ~ MajorArea with
#   vardir = SD^2, the Fay-Herriot model by REML: sae::eblupFH (variance A, coefficients,
#   EBLUP) and sae::mseFH (Prasad-Rao MSE g1 + g2 + 2 g3);
# - milk again with the adjusted residual likelihood of Yoshimori & Lahiri (2014), which sae
#   does not have: written out here from the published formula (REML log-likelihood plus
#   log(atan(sum(A / (A + D)))) / m), maximised with optimize(), and the Prasad-Rao MSE at
#   that A from the closed-form g1, g2, g3 of Rao & Molina (2015, section 6.2.1);
# - spacetime (sae's example of areas over three periods): the model with an area effect
#   persisting over time, y_it = x_it' beta + v_i + u_it + e_it, by REML and adjusted REML,
#   written here with dense matrices (V, P, numerical derivatives for g3) as an
#   independent implementation of pipeline/index/small_area.py's blockwise one.
suppressPackageStartupMessages(library(jsonlite))
sae <- Sys.getenv("SAE")
if (sae == "") stop("set SAE to a copy of https://github.com/cran/sae")
source(file.path(sae, "R", "eblupFH.R"))
source(file.path(sae, "R", "mseFH.R"))
load(file.path(sae, "data", "milk.rda"))
load(file.path(sae, "data", "spacetime.rda"))
write.csv(milk, "samenspel/datasets/milk.csv", row.names = FALSE)
write.csv(spacetime, "samenspel/datasets/spacetime.csv", row.names = FALSE)

milk$var <- milk$SD^2
milk$major <- factor(milk$MajorArea)
fit <- mseFH(yi ~ major, var, method = "REML", MAXITER = 1000, PRECISION = 1e-13, data = milk)
reml <- list(variance = fit$est$fit$refvar, coefficients = fit$est$fit$estcoef$beta,
             eblup = as.vector(fit$est$eblup), mse = fit$mse)

X <- model.matrix(~ major, milk); y <- milk$yi; D <- milk$var; m <- length(y)
restricted <- function(A, adjust) {
  V <- A + D; XtVX <- t(X / V) %*% X
  beta <- solve(XtVX, t(X / V) %*% y); r <- y - X %*% beta
  value <- -0.5 * (sum(log(V)) + determinant(XtVX)$modulus + sum(r^2 / V))
  if (adjust) value <- value + log(atan(sum(A / (A + D)))) / m
  as.numeric(value)
}
A <- optimize(function(a) restricted(a, TRUE), c(1e-8, 1), maximum = TRUE, tol = 1e-14)$maximum
V <- A + D; XtVX <- t(X / V) %*% X; Q <- solve(XtVX)
beta <- Q %*% t(X / V) %*% y; B <- D / V
g1 <- D * (1 - B); g2 <- B^2 * rowSums((X %*% Q) * X); g3 <- B^2 * (2 / sum(1 / V^2)) / V
adjusted <- list(variance = A, coefficients = as.vector(beta),
                 eblup = as.vector((1 - B) * y + B * (X %*% beta)), mse = g1 + g2 + 2 * g3)

# The model over time, with dense matrices.
st <- spacetime
Xs <- model.matrix(~ X1 + X2, st); ys <- st$Y; Ds <- st$Var; n <- length(ys)
Zarea <- outer(st$Area, st$Area, "==") * 1
areas <- length(unique(st$Area))
cov_of <- function(s) s[1] * Zarea + s[2] * diag(n)
fit_two <- function(adjust) {
  objective <- function(t) {
    s <- exp(t); V <- cov_of(s) + diag(Ds); Vi <- solve(V)
    XtVX <- t(Xs) %*% Vi %*% Xs; beta <- solve(XtVX, t(Xs) %*% Vi %*% ys)
    r <- ys - Xs %*% beta
    value <- -0.5 * (determinant(V)$modulus + determinant(XtVX)$modulus + t(r) %*% Vi %*% r)
    if (adjust) {
      value <- value + log(atan(s[1] * sum(diag(Zarea %*% Vi)))) / areas +
        log(atan(s[2] * sum(diag(Vi)))) / n
    }
    -as.numeric(value)
  }
  start <- log(rep(var(ys) / 4, 2))
  found <- optim(start, objective, method = "Nelder-Mead",
                 control = list(reltol = 1e-16, maxit = 20000))
  found <- optim(found$par, objective, method = "BFGS", control = list(reltol = 1e-16))
  s <- exp(found$par)
  weights <- function(s) { V <- cov_of(s) + diag(Ds); cov_of(s) %*% solve(V) }
  V <- cov_of(s) + diag(Ds); Vi <- solve(V)
  XtVX <- t(Xs) %*% Vi %*% Xs; Q <- solve(XtVX); beta <- Q %*% t(Xs) %*% Vi %*% ys
  W <- weights(s)
  eblup <- Xs %*% beta + W %*% (ys - Xs %*% beta)
  g1 <- diag(cov_of(s) - W %*% cov_of(s))
  Dm <- Xs - W %*% Xs
  g2 <- rowSums((Dm %*% Q) * Dm)
  Z <- list(Zarea, diag(n))
  info <- matrix(0, 2, 2)
  for (k in 1:2) for (l in 1:2) info[k, l] <- 0.5 * sum(diag(Vi %*% Z[[k]] %*% Vi %*% Z[[l]]))
  dW <- lapply(1:2, function(k) {
    h <- s[k] * 1e-5; up <- s; down <- s; up[k] <- s[k] + h; down[k] <- s[k] - h
    (weights(up) - weights(down)) / (2 * h)
  })
  Iinv <- solve(info)
  g3 <- rep(0, n)
  for (k in 1:2) for (l in 1:2) g3 <- g3 + Iinv[k, l] * rowSums((dW[[k]] %*% V) * dW[[l]])
  list(variance_area = s[1], variance_wave = s[2], coefficients = as.vector(beta),
       eblup = as.vector(eblup), mse = g1 + g2 + 2 * g3)
}
out <- list(milk_reml = reml, milk_adjusted = adjusted,
            spacetime_reml = fit_two(FALSE), spacetime_adjusted = fit_two(TRUE))
write(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), "tests/fixtures/r/small_area.json")
