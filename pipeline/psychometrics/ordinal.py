"""Ordinal CFA by diagonally weighted least squares with robust statistics (lavaan's WLSMV).

The model is fitted to each group's thresholds and polychoric correlations
(:mod:`.polychoric`) by DWLS with the diagonal of their asymptotic
covariance matrix Gamma as weights, as lavaan's ``estimator = "WLSMV"``:

* fit function ``F = sum_g (n_g - 1) / (2N) (s_g - sigma_g)' W_g (s_g - sigma_g)``,
  ``W_g = diag(Gamma_g)^-1``, minimised by Gauss-Newton; ``chisq = 2 N F``;
* standard errors from the sandwich ``E^-1 (sum_g f_g Delta_g' W_g Gamma_g W_g Delta_g)
  E^-1 / N`` with ``E = sum_g f_g Delta_g' W_g Delta_g`` (lavaan ``se = "robust.sem"``);
* the mean-and-variance adjusted ("scaled and shifted") test of Asparouhov & Muthén (2010),
  ``a T + b`` with ``a = sqrt(df / tr((U Gamma)^2))``, ``b = df - a tr(U Gamma)``
  (lavaan ``test = "scaled.shifted"``), for the model and the baseline model;
* the ``.robust`` CFI, TLI and RMSEA of Savalei (2021) from the ML discrepancy between the
  polychoric and the implied correlations (lavaan's ``catML`` route); NaN where lavaan gives
  NA: when thresholds or intercepts are constrained across groups, or a polychoric matrix is
  not positive definite;
* SRMR from the correlation residuals (lavaan's ``srmr_bentler_nomean``);
* the delta parameterisation (scale factors Delta, residual variances follow) or the theta
  parameterisation (residual variances, scale factors follow), as lavaan.
"""

from __future__ import annotations

import math
import types
import warnings
from collections.abc import Sequence

import numpy as np
from scipy import linalg

from samenspel.pipeline.psychometrics import fit_indices as fit_indices
from samenspel.pipeline.psychometrics.factor_model import FactorModel, PsychometricsError
from samenspel.pipeline.psychometrics.ml import start_values
from samenspel.pipeline.psychometrics.model_spec import ALPHA, DELTA, NU, TAU, THETA, Spec
from samenspel.pipeline.psychometrics.polychoric import OrdinalSample, lower_pairs

_PD_TOLERANCE = math.sqrt(np.finfo(float).eps)  # lavaan's check.pd of the polychoric matrix


class PolychoricNotPositiveDefinite(UserWarning):
    """A group's polychoric correlation matrix is not positive definite (DWLS still fits, as
    lavaan; the pipeline treats it as a problem of the wave)."""


class OrdinalEngine:
    """Implied statistics, Jacobian, fit function and information of a spec on the groups'
    ordinal sample statistics."""

    def __init__(self, spec: Spec, samples: Sequence[OrdinalSample]):
        self.spec = spec
        self.samples = tuple(samples)
        self.n = np.array([s.n for s in samples], dtype=float)
        self.n_total = int(self.n.sum())
        self.theta = spec.parameterization == "theta"
        self.pairs = lower_pairs(spec.p)
        self.th_item = np.repeat(np.arange(spec.p), spec.n_thresholds)
        self.statistics = [s.statistics for s in samples]
        self.weights = [s.weights for s in samples]
        self.n_th = len(self.th_item)
        self.cached_parts: tuple[bytes, RobustParts] | None = None

    @property
    def n_fit(self) -> int:
        """lavaan's N for standard errors and RMSEA of a least-squares estimator: N - groups."""
        return self.n_total - self.spec.n_groups

    @property
    def n_stats(self) -> int:
        return len(self.th_item) + len(self.pairs)

    def parts(self, x: np.ndarray, g: int):
        """Unscaled covariance S = Lambda Phi Lambda' + Theta, scale factors, mu = nu +
        Lambda alpha and tau of group g."""
        spec = self.spec
        lam, phi, theta, nu, alpha = spec.matrices(x, g)
        s_mat = lam @ phi @ lam.T + theta
        if self.theta:
            with np.errstate(invalid="ignore", divide="ignore"):
                delta = 1.0 / np.sqrt(np.diag(s_mat))
        else:
            delta = spec.scales(x, g)
        return s_mat, delta, nu + lam @ alpha, spec.thresholds(x, g)

    def implied(self, x: np.ndarray, g: int) -> np.ndarray:
        """Implied thresholds then correlations of group g (the order of the statistics)."""
        s_mat, delta, mu, tau = self.parts(x, g)
        i, j = self.pairs[:, 0], self.pairs[:, 1]
        t = delta[self.th_item] * (tau - mu[self.th_item])
        return np.concatenate([t, delta[i] * delta[j] * s_mat[i, j]])

    def implied_correlations(self, x: np.ndarray, g: int) -> np.ndarray:
        s_mat, delta, _, _ = self.parts(x, g)
        out = s_mat * np.outer(delta, delta)
        np.fill_diagonal(out, 1.0)
        return out

    def cell_jacobian(self, x, g, mat, row, col) -> np.ndarray:
        """Derivatives of the implied statistics of group g for cells (mat, row, col)."""
        spec = self.spec
        s_mat, delta, mu, tau = self.parts(x, g)
        u, w, dm = spec.directions(x, g, mat, row, col)
        k = len(mat)
        i, j = self.pairs[:, 0], self.pairs[:, 1]
        ds_pairs = u[i] * w[j] + w[i] * u[j]
        dtau = np.zeros((len(self.th_item), k))
        cells = np.flatnonzero(mat == TAU)
        dtau[spec.threshold_start[row[cells]] + col[cells], cells] = 1.0
        if self.theta:
            ds_diag = 2 * u * w
            d_delta = -0.5 * np.diag(s_mat)[:, None] ** -1.5 * ds_diag
        else:
            d_delta = np.zeros((spec.p, k))
            cells = np.flatnonzero(mat == DELTA)
            d_delta[row[cells], cells] = 1.0
        tm = tau - mu[self.th_item]
        dt = d_delta[self.th_item] * tm[:, None] + delta[self.th_item][:, None] * (
            dtau - dm[self.th_item]
        )
        s_ij = s_mat[i, j]
        dr = (
            d_delta[i] * (delta[j] * s_ij)[:, None]
            + d_delta[j] * (delta[i] * s_ij)[:, None]
            + (delta[i] * delta[j])[:, None] * ds_pairs
        )
        return np.vstack([dt, dr])

    def group_jacobian(self, x: np.ndarray, g: int, extra: Sequence[tuple] = ()):
        """(columns, derivatives): the derivatives of group g's statistics with respect to
        the free parameters of group g and the ``extra`` cells (group, mat, row, col) of
        this group; ``columns`` are their positions among all free parameters then extras
        (within a group each free parameter is one cell: equality is across groups)."""
        spec = self.spec
        sel = np.flatnonzero((spec.grp == g) & (spec.free >= 0))
        mine = [n for n, e in enumerate(extra) if e[0] == g]
        mat = np.concatenate([spec.mat[sel], [extra[n][1] for n in mine]]).astype(int)
        row = np.concatenate([spec.row[sel], [extra[n][2] for n in mine]]).astype(int)
        col = np.concatenate([spec.col[sel], [extra[n][3] for n in mine]]).astype(int)
        columns = np.concatenate([spec.free[sel], spec.n_free + np.array(mine, dtype=int)])
        return columns, self.cell_jacobian(x, g, mat, row, col)

    def jacobian(self, x: np.ndarray, g: int, extra: Sequence[tuple] = ()) -> np.ndarray:
        """d statistics of group g / d (all free parameters, ``extra`` cells)."""
        columns, cells = self.group_jacobian(x, g, extra)
        out = np.zeros((self.n_stats, self.spec.n_free + len(extra)))
        out[:, columns] = cells
        return out

    def residuals(self, x: np.ndarray) -> list[np.ndarray]:
        return [s - self.implied(x, g) for g, s in enumerate(self.statistics)]

    def objective(self, x: np.ndarray) -> float:
        """lavaan's fit function F (``fmin``); inf where the model cannot be evaluated."""
        total = 0.0
        for g, r in enumerate(self.residuals(x)):
            value = float(np.sum(self.weights[g] * r * r))
            if not math.isfinite(value):
                return math.inf
            total += 0.5 * (self.n[g] - 1) / self.n_total * value
        return total

    def gradient(self, x: np.ndarray, extra: Sequence[tuple] = ()) -> np.ndarray:
        """dF / d(free parameters, extra cells)."""
        grad = np.zeros(self.spec.n_free + len(extra))
        for g, r in enumerate(self.residuals(x)):
            columns, jac = self.group_jacobian(x, g, extra)
            grad[columns] -= (self.n[g] - 1) / self.n_total * jac.T @ (self.weights[g] * r)
        return grad

    def information(self, x: np.ndarray, extra: Sequence[tuple] = ()) -> np.ndarray:
        """Expected information ``sum_g f_g Delta_g' W_g Delta_g`` (lavaan's)."""
        size = self.spec.n_free + len(extra)
        info = np.zeros((size, size))
        for g in range(self.spec.n_groups):
            columns, jac = self.group_jacobian(x, g, extra)
            block = self.n[g] / self.n_total * jac.T @ (self.weights[g][:, None] * jac)
            info[np.ix_(columns, columns)] += block
        return info

    def score_tests(self, x: np.ndarray, candidates: Sequence[tuple]):
        """Modification indices and expected parameter changes of fixed or constrained
        cells (lavaan's ``modindices`` / ``lavTestScore`` for DWLS)."""
        info = self.information(x, candidates)
        grad = self.gradient(x, candidates)
        return _score_statistics(info, grad, self.spec.n_free, self.n_total)

    def item_sd(self, x: np.ndarray, g: int) -> np.ndarray:
        """SDs of the latent responses before scaling (lavaan's standardisation)."""
        s_mat, delta, _, _ = self.parts(x, g)
        if self.theta:
            return np.sqrt(np.diag(s_mat))
        return 1.0 / delta

    def row_values(self, x: np.ndarray) -> np.ndarray:
        """Every row's value, with residual variances (delta) or scale factors (theta)
        computed from the others."""
        spec = self.spec
        values = spec.values(x)
        for g in range(spec.n_groups):
            lam, phi, _, _, _ = spec.matrices(x, g)
            common = np.diag(lam @ phi @ lam.T)
            _, delta, _, _ = self.parts(x, g)
            rows = np.flatnonzero((spec.grp == g) & spec.computed)
            for j in rows:
                r = spec.row[j]
                if spec.mat[j] == THETA:
                    values[j] = 1.0 / delta[r] ** 2 - common[r]
                else:
                    values[j] = delta[r]
        return values


def _score_statistics(info, grad, n_free, n_total):
    i_ff = info[:n_free, :n_free]
    i_cf = info[n_free:, :n_free]
    i_cc = np.diag(info[n_free:, n_free:])
    v = i_cc - np.einsum("ij,ji->i", i_cf, linalg.solve(i_ff, i_cf.T, assume_a="sym"))
    g = grad[n_free:]
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.where(v < np.finfo(float).eps ** (1 / 3), np.nan, v)
        return n_total * g * g / v, -g / v


# ----------------------------------------------------------------------------- fitting


def start(engine: OrdinalEngine, model: FactorModel) -> np.ndarray:
    """Starting values: loadings and factor covariances from the polychoric correlations,
    sample thresholds, scale factors and residual variances 1, intercepts and means 0."""
    spec = engine.spec
    groups = [
        types.SimpleNamespace(cov=s.correlations, mean=np.zeros(spec.p)) for s in engine.samples
    ]
    x = start_values(spec, groups, model)
    for j in np.flatnonzero(spec.free >= 0):
        code, g = spec.mat[j], spec.grp[j]
        if code == TAU:
            x[spec.free[j]] = engine.samples[g].thresholds[
                spec.threshold_start[spec.row[j]] + spec.col[j]
            ]
        elif code in (DELTA, NU, ALPHA) or (code == THETA and spec.row[j] == spec.col[j]):
            x[spec.free[j]] = 1.0 if code in (DELTA, THETA) else 0.0
    if engine.theta:  # thresholds on the scale of the latent responses, once per parameter
        rows = np.flatnonzero((spec.free >= 0) & (spec.mat == TAU))
        _, first = np.unique(spec.free[rows], return_index=True)
        variances = [np.diag(engine.parts(x, g)[0]) for g in range(spec.n_groups)]
        for j in rows[first]:
            x[spec.free[j]] *= math.sqrt(variances[spec.grp[j]][spec.row[j]])
    return x


def gauss_newton(engine: OrdinalEngine, x0: np.ndarray, max_iter: int):
    """Minimise the DWLS fit function by Gauss-Newton with Levenberg-Marquardt damping and
    step halving: (estimates, iterations, diagonal of the last Gauss-Newton Hessian). Stops
    when no estimate moves by more than 1e-6: convergence is linear with a rate of about
    0.1, so the estimates are then good to about 1e-7 (lavaan's to about 1e-5)."""
    x = x0.copy()
    f = engine.objective(x)
    if not math.isfinite(f):
        raise PsychometricsError("the starting values give implied statistics that are not finite")
    damping = 0.0
    for iteration in range(1, max_iter + 1):
        hessian = np.zeros((len(x), len(x)))
        grad = np.zeros(len(x))
        for g, r in enumerate(engine.residuals(x)):
            columns, jac = engine.group_jacobian(x, g)
            weight = (engine.n[g] - 1) / engine.n_total
            wj = engine.weights[g][:, None] * jac
            hessian[np.ix_(columns, columns)] += weight * cross_product(jac, wj, engine.n_th)
            grad[columns] -= weight * wj.T @ r
        if np.max(np.abs(grad)) < 1e-12:
            return x, iteration, np.diag(hessian)
        while True:
            lhs = hessian + damping * np.diag(np.diag(hessian))
            try:
                step = -linalg.cho_solve(linalg.cho_factor(lhs), grad)
            except linalg.LinAlgError:
                step = -np.linalg.lstsq(lhs, grad, rcond=1e-12)[0]
            t = 1.0
            while t > 1e-6:
                candidate = x + t * step
                f_new = engine.objective(candidate)
                if math.isfinite(f_new) and f_new <= f + 1e-4 * t * (grad @ step):
                    break
                t /= 2
            if t > 1e-6:
                break
            damping = max(10 * damping, 1e-4)
            if damping > 1e8:
                return x, iteration, np.diag(hessian)
        damping = damping / 10 if damping > 1e-8 else 0.0
        moved = float(np.max(np.abs(candidate - x)))
        x, f = candidate, f_new
        if moved < 1e-6:
            return x, iteration, np.diag(hessian)
    return x, max_iter, np.diag(hessian)


def fit(engine: OrdinalEngine, x0: np.ndarray, max_iter: int) -> tuple[np.ndarray, int]:
    """Fitted parameters; raises when the fit does not converge."""
    x, iterations, curvature = gauss_newton(engine, x0, max_iter)
    grad = engine.gradient(x)
    scale = np.sqrt(np.clip(curvature, 1e-300, None))
    if not np.all(np.isfinite(grad)) or np.max(np.abs(grad) / scale) > 1e-4:
        raise PsychometricsError(
            f"the ordinal CFA did not converge after {iterations} iterations (largest gradient "
            f"{np.max(np.abs(grad)):.2g}); check for items with almost all answers in one "
            "category, factors with fewer than three items or near-identical items"
        )
    return x, iterations


# ----------------------------------------------------------------------------- robust statistics
# The correlation rows of a Jacobian are zero in the columns of thresholds (and of any other
# parameter that only moves thresholds): the products below skip those blocks.


def _correlation_columns(jac: np.ndarray, n_th: int) -> np.ndarray:
    return np.flatnonzero(np.any(jac[n_th:] != 0, axis=0))


def cross_product(jac: np.ndarray, wj: np.ndarray, n_th: int) -> np.ndarray:
    """``jac' wj`` for two matrices with the same zero pattern."""
    out = jac[:n_th].T @ wj[:n_th]
    nz = _correlation_columns(jac, n_th)
    out[np.ix_(nz, nz)] += jac[n_th:, nz].T @ wj[n_th:, nz]
    return out


def left_product(left: np.ndarray, jac: np.ndarray, n_th: int) -> np.ndarray:
    """``left @ jac`` for a Jacobian-shaped ``jac``."""
    out = left[:, :n_th] @ jac[:n_th]
    nz = _correlation_columns(jac, n_th)
    out[:, nz] += left[:, n_th:] @ jac[n_th:, nz]
    return out


def robust_parts(engine: OrdinalEngine, x: np.ndarray) -> RobustParts:
    """:class:`RobustParts` at ``x``, remembered by the engine for its last ``x``."""
    key = x.tobytes()
    if engine.cached_parts is None or engine.cached_parts[0] != key:
        engine.cached_parts = (key, RobustParts(engine, x))
    return engine.cached_parts[1]


class RobustParts:
    """The pieces of the sandwich and of the scaled tests at the estimates, per group over
    the group's own parameters (``columns``)."""

    def __init__(self, engine: OrdinalEngine, x: np.ndarray):
        self.n_free = engine.spec.n_free
        groups = range(engine.spec.n_groups)
        compact = [engine.group_jacobian(x, g) for g in groups]
        self.columns = [c for c, _ in compact]
        self.compact = [j for _, j in compact]
        self.f = engine.n / engine.n_total
        n_th = engine.n_th
        # W_g Delta_g and X_g = Gamma_g W_g Delta_g
        self.wj = [engine.weights[g][:, None] * self.compact[g] for g in groups]
        self.x = [left_product(engine.samples[g].gamma, self.wj[g], n_th) for g in groups]
        self.info = self.assemble(
            [cross_product(j, wj, n_th) for j, wj in zip(self.compact, self.wj, strict=True)]
        )
        self.meat = self.assemble(
            [left_product(x.T, wj, n_th).T for wj, x in zip(self.wj, self.x, strict=True)]
        )
        try:
            self.info_inv = linalg.inv(self.info)
        except linalg.LinAlgError:
            self.info_inv = None

    def assemble(self, blocks: Sequence[np.ndarray]) -> np.ndarray:
        """sum_g f_g times each group's block, placed at the group's parameters."""
        out = np.zeros((self.n_free, self.n_free))
        for g, block in enumerate(blocks):
            out[np.ix_(self.columns[g], self.columns[g])] += self.f[g] * block
        return out

    def full(self, g: int, rows: slice = slice(None)) -> np.ndarray:
        """Group g's Jacobian over all free parameters (``rows`` of the statistics)."""
        compact = self.compact[g][rows]
        out = np.zeros((compact.shape[0], self.n_free))
        out[:, self.columns[g]] = compact
        return out


def robust_vcov(engine: OrdinalEngine, parts: RobustParts) -> np.ndarray | None:
    """Sandwich covariance of the estimates (lavaan ``se = "robust.sem"``)."""
    if parts.info_inv is None:
        return None
    return parts.info_inv @ parts.meat @ parts.info_inv / engine.n_fit


def scaled_shifted(engine: OrdinalEngine, parts: RobustParts, chisq: float, df: float):
    """(scaled-shifted statistic, scaling factor 1/a, shift b), lavaan's scaled.shifted."""
    if df <= 0 or parts.info_inv is None:
        return chisq, math.nan, math.nan
    trace_vg = sum(
        float(np.sum(w * np.diag(s.gamma)))
        for w, s in zip(engine.weights, engine.samples, strict=True)
    )
    trace_vgvg = sum(
        float(np.sum(np.outer(w, w) * s.gamma * s.gamma))
        for w, s in zip(engine.weights, engine.samples, strict=True)
    )
    e_inv = parts.info_inv
    cross = parts.assemble(
        [x.T @ (w[:, None] * x) for x, w in zip(parts.x, engine.weights, strict=True)]
    )
    em = e_inv @ parts.meat
    trace_ug = trace_vg - float(np.trace(em))
    trace_ug2 = trace_vgvg - 2 * float(np.sum(e_inv * cross)) + float(np.sum(em * em.T))
    a = math.sqrt(df / trace_ug2)
    shift = df - a * trace_ug
    return a * chisq + shift, 1.0 / a, shift


def baseline(engine: OrdinalEngine) -> dict[str, float]:
    """The independence model (free thresholds, zero correlations): its chi-square, df and
    scaled-shifted statistic."""
    n_th = len(engine.th_item)
    chisq, trace_ug, trace_ug2, df = 0.0, 0.0, 0.0, 0
    for g, sample in enumerate(engine.samples):
        w = engine.weights[g][n_th:]
        r = engine.statistics[g][n_th:]
        gamma = sample.gamma[n_th:, n_th:]
        chisq += (engine.n[g] - 1) * float(np.sum(w * r * r))
        trace_ug += float(np.sum(w * np.diag(gamma)))
        trace_ug2 += float(np.sum(np.outer(w, w) * gamma * gamma))
        df += len(r)
    a = math.sqrt(df / trace_ug2)
    shift = df - a * trace_ug
    return {
        "chisq": chisq,
        "df": float(df),
        "scaled": a * chisq + shift,
        "scaling": 1.0 / a,
        "shift": shift,
    }


def catml(engine: OrdinalEngine, x: np.ndarray, parts: RobustParts) -> dict[str, float] | None:
    """Savalei's (2021) corrected statistics for the robust CFI/TLI/RMSEA (lavaan's
    ``lav_fit_catml_dwls``); None where lavaan gives NA."""
    spec = engine.spec
    anchored = np.isin(spec.mat, (TAU, NU, ALPHA)) & (spec.free >= 0)
    ids, counts = np.unique(spec.free[spec.free >= 0], return_counts=True)
    shared = set(ids[counts > 1].tolist())
    if any(spec.free[j] in shared for j in np.flatnonzero(anchored)) or parts.info_inv is None:
        return None
    for sample in engine.samples:
        if np.linalg.eigvalsh(sample.correlations)[0] < _PD_TOLERANCE:
            return None
    n_th = len(engine.th_item)
    n_pairs = len(engine.pairs)
    removed = set(spec.free[anchored].tolist())
    npar = spec.n_free - len(removed)
    df3 = spec.n_groups * n_pairs - npar
    if df3 <= 0:  # a saturated model (e.g. one factor of three items): nothing to correct
        return None
    i, j = engine.pairs[:, 0], engine.pairs[:, 1]
    e_inv = parts.info_inv
    size = spec.n_free
    # ks = tr(V WiU Gamma WiU') with WiU = I - A B', A = Delta (correlation rows), B' = E^-1 A'W:
    # tr(V Gamma) - 2 tr(A'V Gamma W A E^-1) + tr((A'V A) E^-1 (A'W Gamma W A) E^-1), summed
    # over the groups; A is zero outside each group's correlation parameters (``nz``)
    xx3 = xx3_null = trace_gamma = trace_vg = 0.0
    cross, ava, awgwa = np.zeros((size, size)), np.zeros((size, size)), np.zeros((size, size))
    for g, sample in enumerate(engine.samples):
        f = parts.f[g]
        sigma = engine.implied_correlations(x, g)
        r = sample.correlations
        _, logdet_s = np.linalg.slogdet(sigma)
        _, logdet_r = np.linalg.slogdet(r)
        prec = np.linalg.inv(sigma)
        xx3 += engine.n[g] * (logdet_s + np.trace(r @ prec) - logdet_r - spec.p)
        xx3_null += engine.n[g] * (-logdet_r)
        gamma = sample.gamma[n_th:, n_th:] / f
        trace_gamma += float(np.trace(gamma))
        # the ML information of the correlations (lavaan's catML WLS.V), times f_g
        v = f * (prec[np.ix_(i, i)] * prec[np.ix_(j, j)] + prec[np.ix_(i, j)] * prec[np.ix_(j, i)])
        jac = parts.compact[g][n_th:]
        nz = np.flatnonzero(np.any(jac != 0, axis=0))
        a = jac[:, nz]
        wa = f * engine.weights[g][n_th:, None] * a
        va, gwa = v @ a, gamma @ wa
        block = np.ix_(parts.columns[g][nz], parts.columns[g][nz])
        trace_vg += float(np.sum(v * gamma))
        cross[block] += va.T @ gwa
        ava[block] += a.T @ va
        awgwa[block] += wa.T @ gwa
    ks = (
        trace_vg - 2 * float(np.sum(cross * e_inv.T)) + float(np.sum(ava * (e_inv @ awgwa @ e_inv)))
    )
    df_null = spec.n_groups * n_pairs
    return {
        "XX3": xx3,
        "df3": float(df3),
        "c_hat": ks / df3,
        "XX3.null": xx3_null,
        "df3.null": float(df_null),
        "c_hat.null": trace_gamma / df_null,
    }


def srmr(engine: OrdinalEngine, x: np.ndarray) -> float:
    """SRMR of the correlation residuals (diagonal included, as lavaan), weighted by n_g."""
    total = 0.0
    low = np.tril_indices(engine.spec.p)
    for g, sample in enumerate(engine.samples):
        resid = (sample.correlations - engine.implied_correlations(x, g))[low]
        total += engine.n[g] / engine.n_total * math.sqrt(np.mean(resid**2))
    return total


def fit_measures(engine: OrdinalEngine, x: np.ndarray, parts: RobustParts) -> dict[str, float]:
    """Fit measures of a WLSMV fit with lavaan's ``fitMeasures`` names."""
    spec = engine.spec
    n, groups = engine.n_fit, spec.n_groups
    fmin = engine.objective(x)
    chisq = max(2 * engine.n_total * fmin, 0.0)
    df = float(spec.n_groups * engine.n_stats - spec.n_free)
    scaled, scaling, _ = scaled_shifted(engine, parts, chisq, df)
    base = baseline(engine)
    out: dict[str, float] = {"npar": float(spec.n_free), "fmin": fmin, "chisq": chisq, "df": df}
    out["pvalue"] = fit_indices.chi2_pvalue(chisq, df)
    out["chisq.scaled"] = scaled
    out["df.scaled"] = df
    out["pvalue.scaled"] = fit_indices.chi2_pvalue(scaled, df)
    out["chisq.scaling.factor"] = scaling
    out["baseline.chisq"] = base["chisq"]
    out["baseline.df"] = base["df"]
    out["baseline.pvalue"] = fit_indices.chi2_pvalue(base["chisq"], base["df"])
    out["baseline.chisq.scaled"] = base["scaled"]
    out["baseline.df.scaled"] = base["df"]
    out["baseline.pvalue.scaled"] = fit_indices.chi2_pvalue(base["scaled"], base["df"])
    out["baseline.chisq.scaling.factor"] = base["scaling"]
    out.update(fit_indices.incremental_indices(chisq, df, base["chisq"], base["df"]))
    scaled_indices = fit_indices.incremental_indices(scaled, df, base["scaled"], base["df"])
    out.update({f"{k}.scaled": v for k, v in scaled_indices.items()})
    corrected = catml(engine, x, parts)
    if corrected is None:
        corrected = dict.fromkeys(
            ("XX3", "df3", "c_hat", "XX3.null", "df3.null", "c_hat.null"), math.nan
        )
    c3, c3_null = corrected["c_hat"], corrected["c_hat.null"]
    args = (corrected["XX3"], df, corrected["XX3.null"], base["df"], c3, c3_null)
    out["cfi.robust"] = fit_indices.cfi(*args)
    out["tli.robust"] = out["nnfi.robust"] = fit_indices.tli(*args)
    out["rni.robust"] = fit_indices.rni(*args)
    out["ntotal"] = float(engine.n_total)
    out.update(fit_indices.rmsea_measures(chisq, df, n, groups))
    out.update(fit_indices.rmsea_measures(scaled, df, n, groups, ".scaled"))
    out.update(
        fit_indices.rmsea_measures(
            corrected["XX3"], corrected["df3"], n, groups, ".robust", c_hat=c3,
            chisq_ci=corrected["XX3"] / c3,
        )
    )  # fmt: skip
    if df == 0:  # saturated: lavaan reports a perfect robust fit, as for the scaled measures
        out.update(dict.fromkeys(("cfi.robust", "tli.robust", "nnfi.robust", "rni.robust"), 1.0))
        out.update(dict.fromkeys(("rmsea.robust", "rmsea.ci.lower.robust"), 0.0))
        out["rmsea.ci.upper.robust"] = 0.0
    out["srmr"] = srmr(engine, x)
    return out


def warn_not_positive_definite(samples: Sequence[OrdinalSample], labels: Sequence[str]) -> None:
    """Warn when a group's polychoric correlation matrix is not positive definite."""
    for sample, label in zip(samples, labels, strict=True):
        smallest = np.linalg.eigvalsh(sample.correlations)[0]
        if smallest < _PD_TOLERANCE:
            where = f" in group {label!r}" if len(labels) > 1 else ""
            warnings.warn(
                PolychoricNotPositiveDefinite(
                    f"the polychoric correlation matrix{where} is not positive definite (smallest "
                    f"eigenvalue {smallest:.3g}): DWLS estimates and the scaled statistics are "
                    "still computed, but the robust CFI/TLI/RMSEA are not (NaN); look for "
                    "near-duplicate items, sparse categories (merge them) or too few respondents"
                ),
                stacklevel=5,  # the caller of fit_cfa
            )
