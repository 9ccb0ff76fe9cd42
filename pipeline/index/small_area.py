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

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.linalg
import scipy.optimize
import scipy.stats

from samenspel.pipeline.methodology import SMALL_AREA_VARIANCES, Methodology

VARIANCE_METHODS = SMALL_AREA_VARIANCES
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
    "direct_se": "standard error of the direct estimate the model uses (see variance_source; "
    "empty where suppressed)",
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
    """The observations padded to (areas, slots): every area's cells side by side, with
    the dense covariates ``x`` and the area-level factor ``level`` (one fixed effect per
    level, kept as codes so that hundreds of municipalities cost no dense products)."""

    def __init__(self, y, psi, x, group, level) -> None:
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
        self.level = np.zeros(self.m, dtype=np.int64)
        self.levels = 0
        if level is not None:
            level_codes, names = pd.factorize(pd.Series(level), sort=True)
            self.level[codes] = level_codes
            self.levels = len(names)

    def by_level(self, values: np.ndarray) -> np.ndarray:
        """Sums of per-area values (m,) or (m, q) per level: (levels,) or (levels, q)."""
        if values.ndim == 1:
            return np.bincount(self.level, weights=values, minlength=self.levels)
        out = np.zeros((self.levels, values.shape[1]))
        for j in range(values.shape[1]):
            out[:, j] = np.bincount(self.level, weights=values[:, j], minlength=self.levels)
        return out

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


@dataclass(frozen=True)
class _Information:
    """X'V^-1X as the Schur complement of its diagonal level block, that block's diagonal
    and the cross block (levels, q)."""

    schur: np.ndarray
    cross: np.ndarray
    diagonal: np.ndarray

    def log_det(self) -> float:
        schur = np.linalg.slogdet(self.schur)[1] if len(self.schur) else 0.0
        return float(schur + np.log(self.diagonal).sum())

    def inverse(self) -> np.ndarray:
        """The dense inverse (for the MSE, once per fit)."""
        s_inv = np.linalg.inv(self.schur) if len(self.schur) else self.schur
        scaled = self.cross / self.diagonal[:, None]  # D^-1 C
        off = -s_inv @ scaled.T
        lower = np.diag(1.0 / self.diagonal) + scaled @ s_inv @ scaled.T
        return np.block([[s_inv, off], [off.T, lower]])


def _gls(blocks: _Blocks, s_area: float, s_wave: float):
    """beta (dense covariates, then the levels), X'V^-1X, V^-1 r, r, log|V|, dinv, c."""
    dinv, c, log_det = blocks.inverse(s_area, s_wave)
    x, y = blocks.x, blocks.y
    total = dinv.sum(axis=1)
    xd = np.einsum("itp,it->ip", x, dinv)
    yd = (dinv * y).sum(axis=1)
    xvx = np.einsum("itp,it,itq->pq", x, dinv, x) - np.einsum("i,ip,iq->pq", c, xd, xd)
    xvy = np.einsum("itp,it->p", x, dinv * y) - (c * yd) @ xd
    q = x.shape[2]
    if blocks.levels:
        # V_i^-1 1 = dinv / (1 + s_area * total): the level columns are constant in an area,
        # so their block of X'V^-1X is diagonal; solved through its Schur complement.
        spread = 1.0 / (1.0 + s_area * total)
        cross = blocks.by_level(xd * spread[:, None])  # (levels, q)
        diagonal = blocks.by_level(total * spread)
        xvy_level = blocks.by_level(yd * spread)
        scaled = cross / diagonal[:, None]
        schur = xvx - cross.T @ scaled
        first = np.zeros(0)
        if q:
            first = scipy.linalg.solve(schur, xvy - scaled.T @ xvy_level, assume_a="pos")
        beta = np.concatenate([first, (xvy_level - cross @ first) / diagonal])
        xvx = _Information(schur, cross, diagonal)
    else:
        beta = scipy.linalg.solve(xvx, xvy, assume_a="pos")
        xvx = _Information(xvx, np.zeros((0, q)), np.zeros(0))
    fitted = np.einsum("itp,p->it", x, beta[:q])
    if blocks.levels:
        fitted = fitted + beta[q:][blocks.level][:, None]
    r = np.where(blocks.mask, y - fitted, 0.0)
    w = dinv * r - c[:, None] * dinv * (dinv * r).sum(axis=1)[:, None]
    return beta, xvx, w, r, log_det, dinv, c


def _objective(blocks: _Blocks, s_area: float, s_wave: float, method: str, counts) -> float:
    """Minus the (adjusted) residual log-likelihood."""
    _, xvx, w, r, log_det, dinv, c = _gls(blocks, s_area, s_wave)
    log_det_xvx = xvx.log_det()
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
    level: Sequence | None = None,
) -> FayHerriotFit:
    """Fit the Fay-Herriot model and predict every observation (the module docstring).

    ``direct`` (n,) the direct estimates; ``sampling_variance`` (n,) their variances, > 0;
    ``covariates`` (n, p) the design matrix (p may be 0 when ``level`` is given); ``area``
    (n,) labels observations of one area (in several waves), which then share an area
    effect; None: every observation is an area of its own (the classical model).
    ``level`` (n,): a factor constant within an area (a municipality) with a fixed effect
    per level, after the covariates' coefficients in ``coefficients``; the covariates and the
    levels together must have full column rank (no intercept beside the levels).
    ``method``: ``adjusted_reml`` (Yoshimori-Lahiri) or ``reml``.
    """
    if method not in VARIANCE_METHODS:
        raise ValueError(f"method must be one of {VARIANCE_METHODS}, got {method!r}")
    y = np.asarray(direct, dtype=float)
    psi = np.asarray(sampling_variance, dtype=float)
    x = np.asarray(covariates, dtype=float).reshape(len(y), -1)
    if not (np.isfinite(y).all() and np.isfinite(psi).all() and (psi > 0).all()):
        raise ValueError("direct estimates must be finite and sampling variances positive")
    # The covariates within the levels (demeaned per level): their rank and the start's
    # residual, without a dense matrix of hundreds of level columns.
    levels = np.zeros(len(y), dtype=np.int64) if level is None else pd.factorize(level)[0]
    count = np.bincount(levels)
    columns = x.shape[1] + (len(count) if level is not None else 0)

    def within(values: np.ndarray) -> np.ndarray:
        if level is None:
            return values
        sums = np.zeros((len(count), *values.shape[1:]))
        np.add.at(sums, levels, values)
        return values - (sums / count.reshape(-1, *[1] * (values.ndim - 1)))[levels]

    x_within, y_within = within(x), within(y)
    if columns >= len(y) or (x.shape[1] and np.linalg.matrix_rank(x_within) < x.shape[1]):
        raise ValueError("covariates must have full column rank and fewer columns than rows")
    group = np.arange(len(y)) if area is None else np.asarray(area)
    blocks = _Blocks(y, psi, x, group, level)
    counts = {"area": blocks.m if area is not None else 0, "wave": len(y)}
    residual = y_within
    if x.shape[1]:
        residual = y_within - x_within @ np.linalg.lstsq(x_within, y_within, rcond=None)[0]
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
    else:
        start = np.log(max(float(residual.var()) - float(psi.mean()), scale * 0.05) / 2)
        # Nelder-Mead on the log variances: two parameters, no gradient needed (L-BFGS-B's
        # numerical gradient took three times the evaluations).
        found = scipy.optimize.minimize(
            lambda t: _objective(blocks, np.exp(t[0]), np.exp(t[1]), method, counts),
            x0=[start, start],
            bounds=[bounds, bounds],
            method="Nelder-Mead",
            options={"xatol": 1e-7, "fatol": 1e-8, "maxiter": 2000},
        )
        s_area, s_wave = (float(v) for v in np.exp(found.x))
    return _predict(blocks, s_area, s_wave, area is not None, method, -float(found.fun))


def _predict(blocks, s_area, s_wave, with_area, method, value) -> FayHerriotFit:
    """EBLUP and its MSE at the estimated variances."""
    beta, xvx, w, r, _, _, _ = _gls(blocks, s_area, s_wave)
    inverse = xvx.inverse()
    x, mask = blocks.x, blocks.mask
    q = x.shape[2]
    estimate = np.where(mask, blocks.y, 0.0) - r + s_area * w.sum(axis=1)[:, None] + s_wave * w
    b = blocks.weights(s_area, s_wave)
    cov = blocks.covariance_of_random(s_area, s_wave)
    g1 = s_area + s_wave - (cov * b).sum(axis=2)
    # g2: the variance of the estimated fixed effects carried into the prediction; the
    # level part of x_it - sum_s b_ts x_is is (1 - sum_s b_ts) at the area's level.
    d = x - np.einsum("its,isp->itp", b, x)
    g2 = np.einsum("itp,pq,itq->it", d, inverse[:q, :q], d)
    if blocks.levels:
        f = 1.0 - b.sum(axis=2)
        column = inverse[:q, q:][:, blocks.level].T  # (m, q)
        g2 += 2 * f * np.einsum("itp,ip->it", d, column)
        g2 += f**2 * np.diag(inverse)[q:][blocks.level][:, None]
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


@dataclass(frozen=True)
class SmallAreaSettings:
    """The methodology's ``small_area`` section (docs/methodology.md, section 5.1)."""

    model: str = "fay_herriot"  # or none
    variance: str = "adjusted_reml"
    waves: str = "earlier"  # or current: a model per wave alone
    min_respondents: int = 2
    min_areas: int = 5
    max_rmse: float = 7.5
    publish_min: int = 10
    confidence: float = 0.95

    @classmethod
    def of(cls, method: Methodology) -> SmallAreaSettings:
        """The settings of a loaded methodology."""
        return cls(
            model=method.small_area_model,
            variance=method.small_area_variance,
            waves=method.small_area_waves,
            min_respondents=method.small_area_min_respondents,
            min_areas=method.small_area_min_areas,
            max_rmse=method.small_area_max_rmse,
            publish_min=method.publish_min,
            confidence=method.confidence,
        )


def smoothed_variance(cells: pd.DataFrame, publish_min: int) -> tuple[np.ndarray, np.ndarray]:
    """The sampling variance the model takes as known, and where it came from.

    ``cells`` has wave, n, direct and variance (the bootstrap variance) of one side measure.
    A cell with at least ``publish_min`` respondents keeps its bootstrap variance; a smaller
    one gets ``k / n``, ``k`` the wave's mean of ``variance * n`` over its cells of at least
    ``publish_min`` respondents (a generalised variance function: the variance per
    respondent, design effect included). A bootstrap variance of a handful of respondents
    is too noisy to be taken as known, and too small on average (by (n - 1) / n). Where a
    wave has fewer than three such cells, ``k`` is the mean of
    ``variance * n^2 / (n - 1)`` over its cells of two or more.
    """
    n = cells["n"].to_numpy(dtype=float)
    variance = cells["variance"].to_numpy(dtype=float)
    good = np.isfinite(variance) & (variance > 0)
    large = good & (n >= publish_min)
    psi = np.full(len(cells), np.nan)
    source = np.where(large, "bootstrap", "smoothed").astype(object)
    psi[large] = variance[large]
    for wave in pd.unique(cells["wave"]):
        at = (cells["wave"] == wave).to_numpy()
        if (at & large).sum() >= 3:
            k = float(np.mean(variance[at & large] * n[at & large]))
        else:
            usable = at & good & (n >= 2)
            if not usable.any():
                continue
            k = float(np.mean(variance[usable] * n[usable] ** 2 / (n[usable] - 1)))
        small = at & ~large & (n >= 1)
        psi[small] = k / n[small]
    return psi, source


def _design(rows: pd.DataFrame, settings: SmallAreaSettings, covariates: list[str]):
    """Dense covariates (a level per wave after the first, area covariates) and the level
    (municipality, or 'pooled' for those with fewer than ``min_areas`` areas)."""
    areas = rows.groupby("municipality")["area"].nunique()
    own = set(areas[areas >= settings.min_areas].index)
    level = np.where(rows["municipality"].isin(own), rows["municipality"], "\x00pooled")
    waves = pd.unique(rows["wave"])
    columns = [(rows["wave"] == w).to_numpy(dtype=float) for w in waves[1:]]
    # A covariate that adds nothing within the levels (constant, or a function of the
    # municipality or of the other covariates) is left out of this fit.
    codes = pd.factorize(level)[0]
    kept: list[np.ndarray] = []
    for name in covariates:
        value = rows[name].to_numpy(dtype=float)
        value = (value - value.mean()) / (value.std() or 1.0)
        candidate = np.column_stack([*columns, *kept, value])
        means = np.zeros((codes.max() + 1, candidate.shape[1]))
        np.add.at(means, codes, candidate)
        within = candidate - (means / np.bincount(codes)[:, None])[codes]
        if np.linalg.matrix_rank(within) == candidate.shape[1]:
            kept.append(value)
    columns += kept
    x = np.column_stack(columns) if columns else np.empty((len(rows), 0))
    return x, level


def _fit_measure(
    cells: pd.DataFrame, order: list[str], settings: SmallAreaSettings, covariates: list[str]
) -> pd.DataFrame:
    """Model, MSE and the direct estimate's weight for one measure's cells, wave by wave."""
    out = pd.DataFrame(index=cells.index, columns=["model", "mse", "direct_weight"], dtype=float)
    usable = (
        (cells["n"] >= settings.min_respondents)
        & np.isfinite(cells["direct"])
        & np.isfinite(cells["psi"])
        & (cells["psi"] > 0)
    )
    for k, wave in enumerate(order):
        earlier = order[: k + 1] if settings.waves == "earlier" else [wave]
        rows = cells[usable & cells["wave"].isin(earlier)]
        if not (rows["wave"] == wave).any():
            continue
        x, level = _design(rows, settings, covariates)
        columns = x.shape[1] + len(set(level))
        if len(rows) < columns + 3 or rows["area"].nunique() < 3:
            continue  # too few areas for a model: no model-based figure this wave
        repeated = rows["area"].duplicated().any()
        fit = fay_herriot(
            rows["direct"].to_numpy(dtype=float),
            rows["psi"].to_numpy(dtype=float),
            x,
            area=rows["area"].to_numpy() if repeated else None,
            method=settings.variance,
            level=level,
        )
        now = (rows["wave"] == wave).to_numpy()
        out.loc[rows.index[now], "model"] = fit.estimate[now]
        out.loc[rows.index[now], "mse"] = fit.mse[now]
        out.loc[rows.index[now], "direct_weight"] = fit.direct_weight[now]
    return out


def small_area_estimates(
    direct: pd.DataFrame,
    settings: SmallAreaSettings,
    wave_order: Sequence[str] | None = None,
    covariates: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The small-area table (:data:`SMALL_AREA_COLUMNS`).

    ``direct`` has one row per area x wave x measure (:data:`MEASURES`) with area,
    municipality, wave, measure, n, status, direct (unsuppressed), variance (its bootstrap
    variance), ci_low and ci_high (its interval). For the area index ``n`` is its smaller
    side, and a small cell's variance comes from the sides' smoothed variances by the delta
    method (``index^2 / 4 * (psi_p / p^2 + psi_i / i^2)``, the index being the geometric
    mean of the sides). ``covariates``: optional, one row per area (column ``area``) with
    numeric columns, used in every measure's model. Each wave's model is fitted on that
    wave and, with ``waves: earlier``, the earlier waves of ``wave_order``.
    """
    table = direct.copy().reset_index(drop=True)
    order = list(wave_order) if wave_order is not None else sorted(table["wave"].unique())
    order = [w for w in order if w in set(table["wave"])]
    names: list[str] = []
    if covariates is not None and len(covariates.columns) > 1:
        names = [c for c in covariates.columns if c != "area"]
        table = table.merge(covariates, on="area", how="left")
        missing = table[names].isna().any(axis=1)
        if missing.any():
            first = table.loc[missing, "area"].iloc[0]
            raise ValueError(
                f"covariates: area {first!r} has no value for every covariate; give every "
                f"area of the results a row in the covariates file"
            )
    table["psi"] = np.nan
    table["variance_source"] = "bootstrap"
    sides = table["measure"] != "index"
    for measure in ("index_professional", "index_informal"):
        at = table["measure"] == measure
        psi, source = smoothed_variance(table[at], settings.publish_min)
        table.loc[at, "psi"], table.loc[at, "variance_source"] = psi, source
    index = table[~sides].set_index(["area", "wave"])
    side_of = {
        m: table[table["measure"] == m].set_index(["area", "wave"])
        for m in ("index_professional", "index_informal")
    }
    p, i = (side_of[m].reindex(index.index) for m in side_of)
    delta = (
        index["direct"] ** 2
        / 4
        * (p["psi"] / p["direct"].clip(lower=1) ** 2 + i["psi"] / i["direct"].clip(lower=1) ** 2)
    ).to_numpy()
    large = (index["n"] >= settings.publish_min).to_numpy() & (index["variance"] > 0).to_numpy()
    at = np.flatnonzero(~sides)
    table.loc[at, "psi"] = np.where(large, index["variance"].to_numpy(), delta)
    table.loc[at, "variance_source"] = np.where(large, "bootstrap", "smoothed")

    table["model"] = table["mse"] = table["direct_weight"] = np.nan
    if settings.model != "none":
        for measure in MEASURES:
            at = table["measure"] == measure
            fitted = _fit_measure(table[at], order, settings, names)
            table.loc[at, ["model", "mse", "direct_weight"]] = fitted.to_numpy()
    z = scipy.stats.norm.ppf(0.5 + settings.confidence / 2)
    table["model"] = table["model"].clip(0, 100)
    table["model_rmse"] = np.sqrt(table["mse"])
    table["model_ci_low"] = (table["model"] - z * table["model_rmse"]).clip(0, 100)
    table["model_ci_high"] = (table["model"] + z * table["model_rmse"]).clip(0, 100)
    table["direct_se"] = np.sqrt(table["psi"])
    direct_ok = table["status"] == "published"
    model_ok = table["model"].notna() & (table["model_rmse"] <= settings.max_rmse)
    table["estimate_type"] = np.where(
        direct_ok, "direct", np.where(model_ok, "model-based", "suppressed")
    )
    table["published"] = np.where(
        direct_ok, table["direct"], np.where(model_ok, table["model"], np.nan)
    )
    table["published_ci_low"] = np.where(
        direct_ok, table["ci_low"], np.where(model_ok, table["model_ci_low"], np.nan)
    )
    table["published_ci_high"] = np.where(
        direct_ok, table["ci_high"], np.where(model_ok, table["model_ci_high"], np.nan)
    )
    # Small cells: no direct figure, and no model figure under min_respondents.
    hidden = table["status"] == "suppressed"
    table.loc[hidden, ["direct", "direct_se"]] = np.nan
    return table[list(SMALL_AREA_COLUMNS)]
