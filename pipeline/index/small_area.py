"""Small-area estimates: a Fay-Herriot model that borrows strength from the other areas of
the municipality and the monitor, and from the area's earlier waves (docs/methodology.md,
section 5.1).

The direct estimate of an area x side x wave (the mean over its respondents) is precise
when the cell has many respondents and thin when it has few. The area-level model of Fay &
Herriot (1979), extended with an area effect that persists over waves (Rao & Yu 1994,
without the autocorrelation), says of every cell ``i, t`` (area ``i``, wave ``t``)::

    direct_it = x_it' beta + v_i + u_it + e_it,
    v_i ~ N(0, s2_area), u_it ~ N(0, s2_wave), e_it ~ N(0, psi_it)

with ``psi_it`` the direct estimate's sampling variance, taken as known; ``x_it`` holds a
level per wave, a level per municipality with enough areas and any area covariates. The
estimand is ``theta_it = x_it' beta + v_i + u_it``; its best linear unbiased predictor
weighs the cell's own direct estimate, the area's other waves and the regression by their
precision. Without an area column every cell is its own area and the model is the classical
Fay-Herriot model (``s2_area`` is then not estimated).

* :func:`fay_herriot` fits the model and predicts every cell: the variances by the residual
  (REML) likelihood, by default adjusted as Yoshimori & Lahiri (2014) so that they stay
  strictly positive with few areas; the mean squared error of Prasad & Rao (1990) / Das,
  Jiang & Rao (2004), ``g1 + g2 + 2 g3``, which is second-order unbiased for REML and for
  the Yoshimori-Lahiri estimator. Checked against R's ``sae::eblupFH`` and ``sae::mseFH``
  (``tests/r/small_area.R``).
* :func:`small_area_estimates` runs it on the index's direct estimates per measure (the
  two side indices and the area index) and wave, with each wave's model fitted on that wave
  and the earlier ones only, so that a published figure does not move when a later wave
  arrives; it smooths the sampling variance of small cells and applies the publication rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.linalg
import scipy.optimize
import scipy.stats

VARIANCE_METHODS = ("adjusted_reml", "reml")
ESTIMATE_TYPES = ("direct", "model-based", "suppressed")
VARIANCE_SOURCES = ("bootstrap", "smoothed")
MEASURES = ("index", "index_professional", "index_informal")

# small_area.csv: per area x wave x measure, the direct and the model-based estimate.
SMALL_AREA_COLUMNS = {
    "area": "area id",
    "wave": "survey wave",
    "measure": "index (the area index), index_professional or index_informal (side indices)",
    "n": "respondents (for the area index: of its smaller side)",
    "status": "published, indicative or suppressed: the small-cell rule for the direct estimate",
    "direct": "the direct estimate (mean over the cell's respondents; empty where suppressed)",
    "direct_se": "standard error of the direct estimate the model uses (see variance_source)",
    "variance_source": "bootstrap (the bootstrap variance of the direct estimate) or smoothed "
    "(n below small_cells.publish: the wave's and measure's variance per respondent over n)",
    "model": "model-based (Fay-Herriot) estimate, 0-100; empty where the cell has fewer than "
    "small_area.min_respondents respondents",
    "model_rmse": "root mean squared error of the model-based estimate (Prasad-Rao)",
    "model_ci_low": "lower bound of model +- z * model_rmse, within 0-100",
    "model_ci_high": "upper bound of that interval",
    "direct_weight": "the weight the model gives the cell's own direct estimate (0-1; the rest "
    "comes from the area's earlier waves and from the municipality and the monitor)",
    "estimate_type": "direct (direct estimate published), model-based (the model's figure is "
    "published: the direct one is indicative or suppressed) or suppressed (neither)",
    "published": "the published figure: direct or model, as estimate_type says",
    "published_ci_low": "lower bound of the published figure's 95% interval",
    "published_ci_high": "upper bound of that interval",
}


@dataclass(frozen=True)
class FayHerriotFit:
    """A fitted Fay-Herriot model; arrays in the order of the observations given.

    ``variances`` maps ``area`` (between areas, persisting over waves; only with an area
    column) and ``wave`` (between cells) to their estimates; ``coefficients`` is beta in the
    order of the covariates' columns; ``estimate`` the predictions (EBLUP), ``mse`` their
    mean squared error ``g1 + g2 + 2 g3`` and ``direct_weight`` the weight of each
    observation's own direct estimate in its prediction.
    """

    variances: dict[str, float]
    coefficients: np.ndarray
    estimate: np.ndarray
    mse: np.ndarray
    g1: np.ndarray
    g2: np.ndarray
    g3: np.ndarray
    direct_weight: np.ndarray
    log_likelihood: float
    method: str


class _Blocks:
    """The observations padded to (areas, slots): every area's cells side by side."""

    def __init__(self, y, psi, x, group) -> None:
        codes, areas = pd.factorize(pd.Series(group), sort=False)
        slot = pd.Series(codes).groupby(codes).cumcount().to_numpy()
        self.m, self.slots = len(areas), int(slot.max()) + 1 if len(slot) else 0
        self.where = (codes, slot)
        self.mask = np.zeros((self.m, self.slots), dtype=bool)
        self.mask[self.where] = True
        self.y = np.zeros((self.m, self.slots))
        self.y[self.where] = y
        self.psi = np.ones((self.m, self.slots))
        self.psi[self.where] = psi
        self.x = np.zeros((self.m, self.slots, x.shape[1]))
        self.x[self.where] = x

    def inverse(self, s_area: float, s_wave: float):
        """Per area the inverse covariance ``diag(dinv) - c dinv dinv'`` (Woodbury)."""
        d = s_wave + self.psi
        dinv = np.where(self.mask, 1.0 / d, 0.0)
        total = dinv.sum(axis=1)
        c = s_area / (1.0 + s_area * total)
        log_det = np.log(d[self.mask]).sum() + np.log1p(s_area * total).sum()
        return dinv, c, log_det

    def dense_inverse(self, s_area: float, s_wave: float) -> np.ndarray:
        dinv, c, _ = self.inverse(s_area, s_wave)
        eye = np.einsum("it,ts->its", dinv, np.eye(self.slots))
        return eye - c[:, None, None] * dinv[:, :, None] * dinv[:, None, :]

    def covariance_of_random(self, s_area: float, s_wave: float) -> np.ndarray:
        """cov(v_i + u_it, y_is) for every t, s: (areas, slots, slots)."""
        both = self.mask[:, :, None] & self.mask[:, None, :]
        eye = np.eye(self.slots, dtype=bool)[None] & both
        return s_area * both + s_wave * eye

    def weights(self, s_area: float, s_wave: float) -> np.ndarray:
        """b[i, t, s]: the weight of y_is in the prediction of v_i + u_it."""
        return np.einsum(
            "its,isr->itr",
            self.covariance_of_random(s_area, s_wave),
            self.dense_inverse(s_area, s_wave),
        )


def _gls(blocks: _Blocks, s_area: float, s_wave: float):
    """beta, X'V^-1X, V^-1 r and the log-determinant of V."""
    dinv, c, log_det = blocks.inverse(s_area, s_wave)
    x, y = blocks.x, blocks.y
    xd = np.einsum("itp,it->ip", x, dinv)
    xvx = np.einsum("itp,it,itq->pq", x, dinv, x) - np.einsum("i,ip,iq->pq", c, xd, xd)
    yd = (dinv * y).sum(axis=1)
    xvy = np.einsum("itp,it->p", x, dinv * y) - (c * yd) @ xd
    beta = scipy.linalg.solve(xvx, xvy, assume_a="pos")
    r = np.where(blocks.mask, y - np.einsum("itp,p->it", x, beta), 0.0)
    w = dinv * r - c[:, None] * dinv * (dinv * r).sum(axis=1)[:, None]
    return beta, xvx, w, r, log_det, dinv, c


def _objective(blocks: _Blocks, s_area: float, s_wave: float, method: str, counts) -> float:
    """Minus the (adjusted) residual log-likelihood."""
    _, xvx, w, r, log_det, dinv, c = _gls(blocks, s_area, s_wave)
    sign, log_det_xvx = np.linalg.slogdet(xvx)
    value = -0.5 * (log_det + log_det_xvx + float((r * w).sum()))
    if method == "adjusted_reml":
        # Yoshimori & Lahiri (2014): h = atan(tr(I - B))^(1/m) per variance, with
        # tr(I - B) = s2 tr(Z Z' V^-1), which is 0 only where s2 is.
        total = dinv.sum(axis=1)
        if counts["area"]:
            trace = s_area * (total / (1.0 + s_area * total)).sum()
            value += np.log(np.arctan(trace)) / counts["area"]
        trace = s_wave * (total - c * (dinv**2).sum(axis=1)).sum()
        value += np.log(np.arctan(trace)) / counts["wave"]
    return -value


def fay_herriot(
    direct: np.ndarray,
    sampling_variance: np.ndarray,
    covariates: np.ndarray,
    area: Sequence | None = None,
    method: str = "adjusted_reml",
) -> FayHerriotFit:
    """Fit the Fay-Herriot model and predict every observation (the module docstring).

    ``direct`` (n,) the direct estimates; ``sampling_variance`` (n,) their variances, > 0;
    ``covariates`` (n, p) the design matrix (with its intercept or levels), of full column
    rank; ``area`` (n,) labels observations of one area (in several waves), which then share
    an area effect; None: every observation is an area of its own (the classical model).
    ``method``: ``adjusted_reml`` (Yoshimori-Lahiri) or ``reml``.
    """
    if method not in VARIANCE_METHODS:
        raise ValueError(f"method must be one of {VARIANCE_METHODS}, got {method!r}")
    y = np.asarray(direct, dtype=float)
    psi = np.asarray(sampling_variance, dtype=float)
    x = np.asarray(covariates, dtype=float).reshape(len(y), -1)
    if not (np.isfinite(y).all() and np.isfinite(psi).all() and (psi > 0).all()):
        raise ValueError("direct estimates must be finite and sampling variances positive")
    if np.linalg.matrix_rank(x) < x.shape[1] or x.shape[1] >= len(y):
        raise ValueError("covariates must have full column rank and fewer columns than rows")
    group = np.arange(len(y)) if area is None else np.asarray(area)
    blocks = _Blocks(y, psi, x, group)
    counts = {"area": blocks.m if area is not None else 0, "wave": len(y)}
    residual = y - x @ np.linalg.lstsq(x, y, rcond=None)[0]
    scale = max(float(residual.var()) + float(psi.mean()), 1e-12)
    bounds = (np.log(scale * 1e-9), np.log(scale * 1e3))
    if area is None:
        found = scipy.optimize.minimize_scalar(
            lambda t: _objective(blocks, 0.0, np.exp(t), method, counts),
            bounds=bounds,
            method="bounded",
            options={"xatol": 1e-10, "maxiter": 500},
        )
        s_area, s_wave = 0.0, float(np.exp(found.x))
        value = -found.fun
    else:
        start = np.log(max(float(residual.var()) - float(psi.mean()), scale * 0.05) / 2)
        found = scipy.optimize.minimize(
            lambda t: _objective(blocks, np.exp(t[0]), np.exp(t[1]), method, counts),
            x0=[start, start],
            bounds=[bounds, bounds],
            method="L-BFGS-B",
            options={"ftol": 1e-15, "gtol": 1e-9, "maxiter": 500},
        )
        s_area, s_wave = (float(v) for v in np.exp(found.x))
        value = -found.fun
    return _predict(blocks, s_area, s_wave, area is not None, method, value)


def _predict(blocks, s_area, s_wave, with_area, method, value) -> FayHerriotFit:
    beta, xvx, w, r, _, _, _ = _gls(blocks, s_area, s_wave)
    q = np.linalg.inv(xvx)
    x, mask = blocks.x, blocks.mask
    estimate = np.einsum("itp,p->it", x, beta) + s_area * w.sum(axis=1)[:, None] + s_wave * w
    b = blocks.weights(s_area, s_wave)
    cov = blocks.covariance_of_random(s_area, s_wave)
    g1 = s_area + s_wave - (cov * b).sum(axis=2)
    d = x - np.einsum("its,isp->itp", b, x)
    g2 = np.einsum("itp,pq,itq->it", d, q, d)
    # g3: the variance of the estimated variances (inverse Fisher information) carried into
    # the weights b, by central differences of b.
    v_inv = blocks.dense_inverse(s_area, s_wave)
    ones = v_inv.sum(axis=2)  # V^-1 1 per area
    info = 0.5 * np.array(
        [
            [(ones.sum(axis=1) ** 2).sum(), (ones**2).sum()],
            [(ones**2).sum(), (v_inv**2).sum()],
        ]
    )
    names = ["area", "wave"] if with_area else ["wave"]
    keep = [0, 1] if with_area else [1]
    inv_info = np.linalg.inv(info[np.ix_(keep, keep)])
    values = {"area": s_area, "wave": s_wave}
    derivatives = []
    for name in names:
        step = values[name] * 1e-4
        up, down = dict(values), dict(values)
        up[name] += step
        down[name] -= step
        derivatives.append(
            (blocks.weights(up["area"], up["wave"]) - blocks.weights(down["area"], down["wave"]))
            / (2 * step)
        )
    both = mask[:, :, None] & mask[:, None, :]
    v = np.where(both, s_area, 0.0) + np.einsum(
        "it,ts->its", np.where(mask, s_wave + blocks.psi, 0.0), np.eye(blocks.slots)
    )
    g3 = np.zeros_like(g1)
    for k, dk in enumerate(derivatives):
        for j, dj in enumerate(derivatives):
            g3 += inv_info[k, j] * np.einsum("its,isr,itr->it", dk, v, dj)
    where = blocks.where
    own = b[where[0], where[1], where[1]]
    mse = g1 + g2 + 2 * g3
    variances = {"area": s_area, "wave": s_wave} if with_area else {"wave": s_wave}
    return FayHerriotFit(
        variances=variances,
        coefficients=beta,
        estimate=estimate[where],
        mse=mse[where],
        g1=g1[where],
        g2=g2[where],
        g3=g3[where],
        direct_weight=own,
        log_likelihood=float(value),
        method=method,
    )
