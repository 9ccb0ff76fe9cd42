"""Confirmatory factor analysis by maximum likelihood, verified against lavaan.

One engine for single- and multiple-group models with a mean structure, equality constraints
across groups (lavaan's ``group.equal``), listwise deletion or full-information ML for missing
answers (lavaan's ``missing = "fiml"``). Fit measures carry lavaan's ``fitMeasures`` names.

Conventions follow lavaan 0.6 defaults, so numbers agree with ``cfa()``:

* identification by a marker item (loading fixed to 1) per factor; the marker is the first item
  of the factor that is not reverse-keyed (the first item when all are), so factors point in the
  keyed direction (``marker="first"`` takes the first item, exactly as lavaan);
  ``std_lv=True`` fixes factor variances to 1 instead;
* ML with the biased sample covariance (divisor N); chi-square = N * F_ML; RMSEA with N and
  multiplied by sqrt(number of groups); SRMR is lavaan's Bentler SRMR (mean residuals included
  when there is a mean structure);
* a mean structure by default with groups or FIML (``meanstructure=None``), none otherwise;
* groups in order of first appearance in the data; with equal intercepts, latent means are
  free in every group but the first (and with equal loadings under ``std_lv``, so are the
  factor variances);
* standard errors from the expected information (complete data) or the observed information
  (FIML), as lavaan; modification indices from the expected information.

Estimation is Fisher scoring with analytic gradients and a step-halving line search.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from samenspel.pipeline.factor_model import (
    FactorModel,
    PsychometricsError,
    check_columns,
    numeric_items,
    parse_factor_model,
)
from scipy import linalg, optimize, stats
from threadpoolctl import threadpool_limits

#: Values accepted by ``missing``.
MISSING_OPTIONS = ("listwise", "fiml")
#: Values accepted by ``marker``: the first item that is not reverse-keyed (default), or the
#: first item listed (lavaan's choice; estimates then equal lavaan's for any model).
MARKER_OPTIONS = ("first_keyed", "first")
#: Values accepted by ``group_equal`` (lavaan's ``group.equal`` names).
GROUP_EQUAL_OPTIONS = (
    "loadings",
    "intercepts",
    "means",
    "residuals",
    "residual.covariances",
    "lv.variances",
    "lv.covariances",
)
#: Fit measures returned by :func:`fit_cfa`, named as lavaan's ``fitMeasures``.
FIT_MEASURES = (
    "npar",
    "fmin",
    "chisq",
    "df",
    "pvalue",
    "baseline.chisq",
    "baseline.df",
    "baseline.pvalue",
    "cfi",
    "tli",
    "nnfi",
    "rfi",
    "nfi",
    "ifi",
    "rni",
    "logl",
    "unrestricted.logl",
    "aic",
    "bic",
    "ntotal",
    "bic2",
    "rmsea",
    "rmsea.ci.lower",
    "rmsea.ci.upper",
    "rmsea.pvalue",
    "srmr",
)

# Columns of CFAResult.parameters (lavaan's parameterEstimates names where they exist).
COL_GROUP = "group"
COL_LHS = "lhs"
COL_OP = "op"
COL_RHS = "rhs"
COL_FREE = "free"
COL_EST = "est"
COL_SE = "se"
COL_Z = "z"
COL_PVALUE = "pvalue"
COL_STD_ALL = "std_all"
PARAMETER_COLUMNS = (
    COL_GROUP,
    COL_LHS,
    COL_OP,
    COL_RHS,
    COL_FREE,
    COL_EST,
    COL_SE,
    COL_Z,
    COL_PVALUE,
    COL_STD_ALL,
)
# Columns of CFAResult.modification_indices().
COL_MI = "mi"
COL_EPC = "epc"
COL_SEPC_ALL = "sepc_all"
MODIFICATION_COLUMNS = (COL_GROUP, COL_LHS, COL_OP, COL_RHS, COL_MI, COL_EPC, COL_SEPC_ALL)
# Columns of fit_table().
COL_MEASURE = "measure"
COL_VALUE = "value"

# Matrix codes of a parameter.
_LAMBDA, _PHI, _THETA, _NU, _ALPHA = range(5)
_OPS = {_LAMBDA: "=~", _PHI: "~~", _THETA: "~~", _NU: "~1", _ALPHA: "~1"}
_LOG_2PI = math.log(2 * math.pi)


def single_threaded_blas(function):
    """Run ``function`` with one BLAS thread: the matrices here are small, and on a busy
    machine multi-threaded BLAS makes them ten times slower."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with threadpool_limits(limits=1, user_api="blas"):
            return function(*args, **kwargs)

    return wrapper


# ----------------------------------------------------------------------------- data


@dataclass(frozen=True)
class _Pattern:
    """Rows of one group sharing a missing-data pattern, as sufficient statistics."""

    observed: np.ndarray  # indices of observed items
    n: int
    mean: np.ndarray
    cov: np.ndarray  # divisor n, around the pattern mean
    rows: np.ndarray  # the answers of its respondents, observed items only


@dataclass(frozen=True)
class _GroupData:
    label: str
    n: int
    patterns: tuple[_Pattern, ...]
    batches: tuple[_Batch, ...]
    # H1 ("sample") moments: sample statistics, or EM estimates under FIML
    mean: np.ndarray
    cov: np.ndarray


def _patterns(x: np.ndarray) -> tuple[_Pattern, ...]:
    observed = ~np.isnan(x)
    keys, inverse = np.unique(observed, axis=0, return_inverse=True)
    out = []
    for k, key in enumerate(keys):
        rows = x[inverse.ravel() == k][:, key]
        mean = rows.mean(axis=0)
        centred = rows - mean
        out.append(
            _Pattern(np.flatnonzero(key), len(rows), mean, centred.T @ centred / len(rows), rows)
        )
    return tuple(out)


@dataclass(frozen=True)
class _Batch:
    """Patterns with the same number of missing items, stacked for vectorised algebra.

    Vectors and matrices are embedded in the full p items, with zeros for missing items.
    All per-pattern algebra goes through the full inverse P = Sigma^-1: for the missing
    items u, Sigma_oo^-1 (embedded) = P - P[:, u] P[u, u]^-1 P[u, :], and
    log|Sigma_oo| = log|Sigma| + log|P[u, u]|, so a pattern costs O(p^2), not O(p^3).
    """

    missing: np.ndarray  # (B, m) item indices, m may be 0
    observed: np.ndarray  # (B, p) bool
    n: np.ndarray  # (B,)
    mean: np.ndarray  # (B, p), 0 where missing
    cov: np.ndarray | None  # (B, p, p) divisor n, 0 where missing; None if all zero


def _batches(patterns: Sequence[_Pattern], p: int) -> tuple[_Batch, ...]:
    # one batch per number of missing items, single-respondent patterns (no scatter matrix)
    # apart from the others
    by_size: dict[tuple[int, bool], list[_Pattern]] = {}
    for pat in patterns:
        if 1 < pat.n <= 3 * p:
            # small patterns are cheaper as separate respondents (rank-one algebra) than
            # through their p x p scatter matrix
            zero = np.zeros((len(pat.observed), len(pat.observed)))
            for row in pat.rows:
                single = _Pattern(pat.observed, 1, row, zero, row[None])
                by_size.setdefault((p - len(pat.observed), False), []).append(single)
            continue
        by_size.setdefault((p - len(pat.observed), pat.n > 1), []).append(pat)
    out = []
    for (m, multi), group in sorted(by_size.items()):
        size = len(group)
        observed = np.zeros((size, p), dtype=bool)
        mean = np.zeros((size, p))
        for b, pat in enumerate(group):
            observed[b, pat.observed] = True
            mean[b, pat.observed] = pat.mean
        cov = None
        if multi:
            cov = np.zeros((size, p, p))
            for b, pat in enumerate(group):
                cov[b][np.ix_(pat.observed, pat.observed)] = pat.cov
        missing = np.nonzero(~observed)[1]
        out.append(
            _Batch(
                missing.reshape(size, m).astype(int),
                observed,
                np.array([pat.n for pat in group], dtype=float),
                mean,
                cov,
            )
        )
    return tuple(out)


def _item_moments(batches: Sequence[_Batch]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per item: number of answers, their mean and their ML variance (available cases)."""
    counts = sum((b.n[:, None] * b.observed).sum(axis=0) for b in batches)
    sums = sum((b.n[:, None] * b.mean).sum(axis=0) for b in batches)
    squares = sum(
        (
            b.n[:, None]
            * (b.mean**2 + (np.diagonal(b.cov, axis1=1, axis2=2) if b.cov is not None else 0))
        ).sum(axis=0)
        for b in batches
    )
    mean = sums / np.maximum(counts, 1)
    return counts, mean, squares / np.maximum(counts, 1) - mean**2


def _fiml_terms(
    batches: Sequence[_Batch], sigma: np.ndarray, mu: np.ndarray, gradient: bool
) -> tuple[float, np.ndarray | None, np.ndarray | None]:
    """Sum over patterns of n (log|Sigma_oo| + tr(Sigma_oo^-1 M)) with M the scatter around
    mu, and its gradient with respect to Sigma (symmetric form) and mu.

    Raises numpy.linalg.LinAlgError when Sigma is not positive definite.
    """
    p = len(mu)
    chol = np.linalg.cholesky(sigma)
    logdet = 2 * float(np.sum(np.log(np.diag(chol))))
    eye = np.eye(p)
    inv_chol = linalg.solve_triangular(chol, eye, lower=True, check_finite=False)
    prec = inv_chol.T @ inv_chol
    total = 0.0
    grad_sigma = np.zeros((p, p)) if gradient else None
    grad_mu = np.zeros(p) if gradient else None
    for b in batches:
        n = b.n
        r = n[:, None] * np.where(b.observed, b.mean - mu, 0.0)  # summed residuals (B, p)
        pr = r @ prec  # (B, p)
        m = b.missing.shape[1]
        if m:
            a = prec[:, b.missing].transpose(1, 0, 2)  # (B, p, m) = P[:, u]
            p_uu = prec[b.missing[:, :, None], b.missing[:, None, :]]  # (B, m, m)
            c = np.linalg.inv(p_uu)
            _, logdet_uu = np.linalg.slogdet(p_uu)
            ar = (r[:, None, :] @ a)[:, 0, :]
            v = pr - (a @ (c @ ar[:, :, None]))[:, :, 0]  # Q r
        else:
            logdet_uu = np.zeros(len(n))
            v = pr
        quad = np.einsum("bp,bp->b", r, v) / n  # r'Qr / n
        total += float(np.sum(n * (logdet + logdet_uu) + quad))
        q = None
        if b.cov is not None:
            q = prec[None] - (a @ c @ a.transpose(0, 2, 1) if m else 0.0)
            total += float(np.sum(n[:, None, None] * q * b.cov.transpose(0, 2, 1)))
        if not gradient:
            continue
        grad_sigma += n.sum() * prec - (v / n[:, None]).T @ v
        if m:
            weighted = (a @ c) * n[:, None, None]  # (B, p, m)
            grad_sigma -= (
                weighted.transpose(1, 0, 2).reshape(p, -1) @ a.transpose(1, 0, 2).reshape(p, -1).T
            )
        if q is not None:
            grad_sigma -= np.sum(n[:, None, None] * (q @ b.cov @ q), axis=0)
        grad_mu += -2 * v.sum(axis=0)
    return total, grad_sigma, grad_mu


def _batch_loglik(batches: Sequence[_Batch], sigma: np.ndarray, mu: np.ndarray) -> float:
    """Log-likelihood of incomplete normal data (raises LinAlgError if Sigma is not PD)."""
    value, _, _ = _fiml_terms(batches, sigma, mu, gradient=False)
    count = sum(float(np.sum(b.n * b.observed.sum(axis=1))) for b in batches)
    return -0.5 * (value + count * _LOG_2PI)


def _em_saturated(batches: Sequence[_Batch], p: int, n_total: int) -> tuple[np.ndarray, np.ndarray]:
    """ML mean and covariance of incomplete data by the EM algorithm."""
    counts, mu, variances = _item_moments(batches)
    if np.any(counts < 2):
        raise PsychometricsError(
            "under FIML every item needs answers from at least two respondents in every group"
        )
    sigma = np.diag(variances)
    previous = -np.inf
    for _ in range(10_000):
        prec = np.linalg.inv(sigma)
        t1 = np.zeros(p)
        t2 = np.zeros((p, p))
        for b in batches:
            n = b.n
            m = b.missing.shape[1]
            completed = b.mean.copy()  # (B, p): conditional expectation of each pattern mean
            if m:
                resid = np.where(b.observed, b.mean - mu, 0.0)
                p_uu = prec[b.missing[:, :, None], b.missing[:, None, :]]
                c = np.linalg.inv(p_uu)
                p_u = prec[b.missing]  # (B, m, p)
                k = -np.einsum("bmk,bkp->bmp", c, p_u)  # regression on observed residuals
                fill = mu[b.missing] + np.einsum("bmp,bp->bm", k, resid)
                np.put_along_axis(completed, b.missing, fill, axis=1)
                flat = (b.missing[:, :, None] * p + b.missing[:, None, :]).reshape(len(n), -1)
                t2 += np.bincount(
                    flat.ravel(), weights=(n[:, None, None] * c).ravel(), minlength=p * p
                ).reshape(p, p)
            t1 += n @ completed
            t2 += (completed * n[:, None]).T @ completed
            if b.cov is not None:
                if m:
                    transform = np.broadcast_to(np.eye(p), (len(n), p, p)).copy()
                    rows = np.repeat(np.arange(len(n)), m)
                    transform[rows, b.missing.ravel(), :] = k.reshape(-1, p)
                    transform[rows, b.missing.ravel(), b.missing.ravel()] = 0.0
                    t2 += np.sum(
                        n[:, None, None] * (transform @ b.cov @ transform.transpose(0, 2, 1)),
                        axis=0,
                    )
                else:
                    t2 += np.sum(n[:, None, None] * b.cov, axis=0)
        mu = t1 / n_total
        sigma = t2 / n_total - np.outer(mu, mu)
        sigma = (sigma + sigma.T) / 2
        loglik = _batch_loglik(batches, sigma, mu)
        if abs(loglik - previous) < 1e-10:
            break
        previous = loglik
    return mu, sigma


# ----------------------------------------------------------------------------- spec


@dataclass
class _Spec:
    items: tuple[str, ...]
    factors: tuple[str, ...]
    n_groups: int
    meanstructure: bool
    # one row per parameter (per group): matrix code, group, row, col, free id (-1 fixed), value
    mat: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    grp: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    row: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    col: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    free: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    fixed: np.ndarray = field(default_factory=lambda: np.zeros(0))
    n_free: int = 0

    @property
    def p(self) -> int:
        return len(self.items)

    @property
    def m(self) -> int:
        return len(self.factors)

    def matrices(self, x: np.ndarray, g: int):
        """Lambda, Phi, Theta, nu, alpha of group g at parameter vector x."""
        values = np.where(self.free >= 0, x[np.maximum(self.free, 0)], self.fixed)
        sel = self.grp == g
        lam = np.zeros((self.p, self.m))
        phi = np.zeros((self.m, self.m))
        theta = np.zeros((self.p, self.p))
        nu = np.zeros(self.p)
        alpha = np.zeros(self.m)
        for code, target in ((_LAMBDA, lam), (_PHI, phi), (_THETA, theta)):
            s = sel & (self.mat == code)
            target[self.row[s], self.col[s]] = values[s]
            if code != _LAMBDA:
                target[self.col[s], self.row[s]] = values[s]
        s = sel & (self.mat == _NU)
        nu[self.row[s]] = values[s]
        s = sel & (self.mat == _ALPHA)
        alpha[self.row[s]] = values[s]
        return lam, phi, theta, nu, alpha


def _build_spec(
    model: FactorModel,
    n_groups: int,
    meanstructure: bool,
    group_equal: frozenset[str],
    std_lv: bool,
    residual_covariances: Sequence[tuple[str, str]],
    marker: str = "first_keyed",
) -> _Spec:
    items = model.items
    factors = model.factors
    index = {item: i for i, item in enumerate(items)}
    entries: list[tuple[int, int, int, int, bool, float]] = []  # mat, g, row, col, free, value
    for g in range(n_groups):
        for k, factor in enumerate(factors):
            codes = model.indicators[factor]
            keyed = [c for c in codes if c not in model.reverse_keyed]
            marker_item = codes[0] if marker == "first" else (keyed or list(codes))[0]
            for code in codes:
                fixed = (code == marker_item) and not std_lv
                entries.append((_LAMBDA, g, index[code], k, not fixed, 1.0))
        for k in range(len(factors)):
            for j in range(k + 1):
                if j == k:
                    free = not std_lv or (g > 0 and "loadings" in group_equal)
                    entries.append((_PHI, g, k, k, free, 1.0))
                else:
                    entries.append((_PHI, g, k, j, True, 0.0))
        for i in range(len(items)):
            entries.append((_THETA, g, i, i, True, 0.0))
        for a, b in residual_covariances:
            i, j = sorted((index[a], index[b]), reverse=True)
            entries.append((_THETA, g, i, j, True, 0.0))
        if meanstructure:
            for i in range(len(items)):
                entries.append((_NU, g, i, 0, True, 0.0))
            for k in range(len(factors)):
                free = g > 0 and "intercepts" in group_equal and "means" not in group_equal
                entries.append((_ALPHA, g, k, 0, free, 0.0))
    shared = {
        (_LAMBDA, False): "loadings",
        (_NU, False): "intercepts",
        (_ALPHA, False): "means",
        (_THETA, True): "residuals",
        (_THETA, False): "residual.covariances",
        (_PHI, True): "lv.variances",
        (_PHI, False): "lv.covariances",
    }
    ids: dict[tuple, int] = {}
    free_ids = []
    for mat, g, r, c, free, _ in entries:
        if not free:
            free_ids.append(-1)
            continue
        option = shared.get((mat, r == c and mat in (_THETA, _PHI)))
        key = (mat, r, c) if option in group_equal else (mat, g, r, c)
        free_ids.append(ids.setdefault(key, len(ids)))
    arr = np.array([e[:4] for e in entries], dtype=int)
    return _Spec(
        items,
        factors,
        n_groups,
        meanstructure,
        arr[:, 0],
        arr[:, 1],
        arr[:, 2],
        arr[:, 3],
        np.array(free_ids, dtype=int),
        np.array([e[5] for e in entries], dtype=float),
        len(ids),
    )


# ----------------------------------------------------------------------------- engine


class _Engine:
    """Objective, gradient and information of a spec on grouped data."""

    def __init__(self, spec: _Spec, groups: Sequence[_GroupData]):
        self.spec = spec
        self.groups = groups
        self.n_total = sum(g.n for g in groups)

    def implied(self, x: np.ndarray, g: int) -> tuple[np.ndarray, np.ndarray]:
        lam, phi, theta, nu, alpha = self.spec.matrices(x, g)
        sigma = lam @ phi @ lam.T + theta
        mu = nu + lam @ alpha if self.spec.meanstructure else self.groups[g].mean
        return sigma, mu

    def objective(self, x: np.ndarray) -> float:
        """-2 log-likelihood / N without the 2*pi constant (inf where Sigma is not PD)."""
        total = 0.0
        for g, data in enumerate(self.groups):
            sigma, mu = self.implied(x, g)
            try:
                value, _, _ = _fiml_terms(data.batches, sigma, mu, gradient=False)
            except np.linalg.LinAlgError:
                return math.inf
            total += value
        return total / self.n_total

    def _gradient_matrices(self, x: np.ndarray, g: int):
        """dF/dSigma (symmetric) and dF/dmu of group g, weighted by n_pattern / N."""
        sigma, mu = self.implied(x, g)
        _, grad_sigma, grad_mu = _fiml_terms(self.groups[g].batches, sigma, mu, gradient=True)
        return grad_sigma / self.n_total, grad_mu / self.n_total

    def matrix_gradients(self, x: np.ndarray, g: int):
        """Gradient of the objective with respect to every cell of the model matrices."""
        lam, phi, _, _, alpha = self.spec.matrices(x, g)
        gs, gm = self._gradient_matrices(x, g)
        if not self.spec.meanstructure:
            gm = np.zeros_like(gm)
        g_lam = 2 * gs @ lam @ phi + np.outer(gm, alpha)
        g_phi = lam.T @ gs @ lam
        return g_lam, g_phi, gs, gm, lam.T @ gm

    def gradient(self, x: np.ndarray) -> np.ndarray:
        return sum(self.group_gradient(x, g) for g in range(self.spec.n_groups))

    def group_gradient(self, x: np.ndarray, g: int) -> np.ndarray:
        """The part of the gradient that comes from group g."""
        spec = self.spec
        grad = np.zeros(spec.n_free)
        sel = spec.grp == g
        values = self._cell_gradients(x, g, spec.mat, spec.row, spec.col, sel)
        free = sel & (spec.free >= 0)
        np.add.at(grad, spec.free[free], values[free])
        return grad

    def _cell_gradients(self, x, g, mat, row, col, sel) -> np.ndarray:
        g_lam, g_phi, g_theta, g_nu, g_alpha = self.matrix_gradients(x, g)
        out = np.zeros(len(mat))
        sym = np.where(row == col, 1.0, 2.0)
        for code, source, factor in (
            (_LAMBDA, g_lam, None),
            (_PHI, g_phi, sym),
            (_THETA, g_theta, sym),
        ):
            s = sel & (mat == code)
            out[s] = source[row[s], col[s]] * (1.0 if factor is None else factor[s])
        s = sel & (mat == _NU)
        out[s] = g_nu[row[s]]
        s = sel & (mat == _ALPHA)
        out[s] = g_alpha[row[s]]
        return out

    def directions(self, x, g, mat, row, col) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Derivatives of Sigma and mu of group g for the cells (mat, row, col), in low-rank
        form: d Sigma_j = u_j w_j' + w_j u_j' and d mu_j = m_j (columns of U, W, M)."""
        lam, phi, _, _, alpha = self.spec.matrices(x, g)
        p = self.spec.p
        k = len(mat)
        u = np.zeros((p, k))
        w = np.zeros((p, k))
        m = np.zeros((p, k))
        lam_phi = lam @ phi
        for j in range(k):
            r, c, code = row[j], col[j], mat[j]
            if code == _LAMBDA:
                u[r, j] = 1.0
                w[:, j] = lam_phi[:, c]
                m[r, j] = alpha[c]
            elif code == _PHI:
                u[:, j] = lam[:, r]
                w[:, j] = lam[:, c] if r != c else lam[:, c] / 2
            elif code == _THETA:
                u[r, j] = 1.0
                w[c, j] = 1.0 if r != c else 0.5
            elif code == _NU:
                m[r, j] = 1.0
            else:
                m[:, j] = lam[:, r]
        if not self.spec.meanstructure:
            m[:] = 0.0
        return u, w, m

    def information(self, x: np.ndarray, extra: Sequence[tuple] = ()) -> np.ndarray:
        """Expected information per observation (= half the expected Hessian of the
        objective) of complete data at the model-implied moments, for the free parameters
        followed by ``extra`` cells (group, mat, row, col) that are fixed in the model.

        With d Sigma_j = u_j w_j' + w_j u_j', 1/2 tr(P dSigma_j P dSigma_k) is
        (C * C')_jk + (A * B)_jk for A = U'PU, B = W'PW, C = U'PW, P = Sigma^-1: O(n^2 p).
        """
        spec = self.spec
        size = spec.n_free + len(extra)
        info = np.zeros((size, size))
        for g in range(spec.n_groups):
            sel = (spec.grp == g) & (spec.free >= 0)
            mine = [i for i, e in enumerate(extra) if e[0] == g]
            mat = np.concatenate([spec.mat[sel], [extra[i][1] for i in mine]]).astype(int)
            row = np.concatenate([spec.row[sel], [extra[i][2] for i in mine]]).astype(int)
            col = np.concatenate([spec.col[sel], [extra[i][3] for i in mine]]).astype(int)
            target = np.concatenate([spec.free[sel], [spec.n_free + i for i in mine]]).astype(int)
            u, w, m = self.directions(x, g, mat, row, col)
            sigma, _ = self.implied(x, g)
            prec = np.linalg.inv(sigma)
            pu, pw = prec @ u, prec @ w
            a, b, c = u.T @ pu, w.T @ pw, u.T @ pw
            block = c * c.T + a * b + m.T @ prec @ m
            weight = self.groups[g].n / self.n_total
            # within a group every parameter appears once, so the block adds in place
            info[np.ix_(target, target)] += weight * block
        return info


def _fisher_scoring(engine: _Engine, x0: np.ndarray, max_iter: int) -> tuple[np.ndarray, int]:
    """Minimise the objective: quasi-Newton (BFGS) steps whose inverse Hessian starts from,
    and is reset to, the inverse expected (Fisher) information."""
    x = x0.copy()
    f = engine.objective(x)
    if not np.isfinite(f):
        raise PsychometricsError(
            "the starting values give a covariance matrix that is not positive definite"
        )

    def fisher_inverse(at: np.ndarray) -> np.ndarray:
        # the pseudo-inverse keeps going through points where the information is singular
        # (e.g. starting values); identification is checked at the solution
        return np.linalg.pinv(2 * engine.information(at), rcond=1e-12)

    inverse_hessian = fisher_inverse(x)
    grad = engine.gradient(x)
    fresh = True
    for iteration in range(1, max_iter + 1):
        step = inverse_hessian @ grad
        slope = grad @ step
        if not np.all(np.isfinite(step)) or slope <= 0:
            if fresh:
                return x, iteration
            inverse_hessian, fresh = fisher_inverse(x), True
            continue
        t = 1.0
        while True:
            candidate = x - t * step
            f_new = engine.objective(candidate)
            if np.isfinite(f_new) and f_new <= f - 1e-4 * t * slope:
                break
            t /= 2
            if t < 1e-10:
                break
        if t < 1e-10:
            if fresh:
                return x, iteration
            inverse_hessian, fresh = fisher_inverse(x), True
            continue
        grad_new = engine.gradient(candidate)
        s_vec = candidate - x
        y_vec = grad_new - grad
        sy = s_vec @ y_vec
        if sy > 1e-14:
            rho = 1.0 / sy
            hy = inverse_hessian @ y_vec
            inverse_hessian = (
                inverse_hessian
                - rho * (np.outer(s_vec, hy) + np.outer(hy, s_vec))
                + (rho**2 * (y_vec @ hy) + rho) * np.outer(s_vec, s_vec)
            )
            fresh = False
        stalled = f - f_new <= 1e-15 * max(1.0, abs(f)) and np.max(np.abs(s_vec)) < 1e-9
        x, f, grad = candidate, f_new, grad_new
        if np.max(np.abs(grad)) < 1e-8 or (stalled and np.max(np.abs(grad)) < 1e-6):
            return x, iteration
    return x, max_iter


# ----------------------------------------------------------------------------- result


@dataclass(frozen=True)
class CFAResult:
    """A fitted CFA.

    Attributes
    ----------
    fit : fit measures keyed by lavaan's ``fitMeasures`` names (see :data:`FIT_MEASURES`).
    parameters : one row per model parameter and group, columns :data:`PARAMETER_COLUMNS`
        (``op`` is ``=~`` loading, ``~~`` (co)variance, ``~1`` intercept or latent mean;
        ``std_all`` is lavaan's completely standardised solution; as in lavaan, ``se`` is 0
        and ``z``, ``pvalue`` are NaN for fixed parameters; ``se`` is NaN throughout when
        standard errors were not asked for).
    groups : group labels in model order; ``n_obs`` the respondents used per group.
    missing, group_equal, meanstructure : the estimation options.
    iterations : Fisher-scoring iterations used.
    """

    fit: Mapping[str, float]
    parameters: pd.DataFrame
    items: tuple[str, ...]
    factors: tuple[str, ...]
    groups: tuple[str, ...]
    n_obs: tuple[int, ...]
    missing: str
    group_equal: frozenset[str]
    meanstructure: bool
    iterations: int
    _engine: _Engine = field(repr=False, compare=False)
    _x: np.ndarray = field(repr=False, compare=False)

    def fit_table(self) -> pd.DataFrame:
        """Fit measures as a two-column table (``measure``, ``value``)."""
        return pd.DataFrame({COL_MEASURE: list(self.fit), COL_VALUE: list(self.fit.values())})

    def loadings(self) -> pd.DataFrame:
        """The ``=~`` rows of :attr:`parameters`."""
        return self.parameters[self.parameters[COL_OP] == "=~"].reset_index(drop=True)

    def implied(self, group: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """Model-implied covariance matrix and mean vector of a group (by position)."""
        return self._engine.implied(self._x, group)

    @single_threaded_blas
    def modification_indices(self, minimum: float = 0.0) -> pd.DataFrame:
        """Modification indices for cross-loadings and residual covariances, per group.

        Score tests with the expected information, as lavaan's ``modindices()`` (under FIML
        the information of complete data at the model-implied moments is used, an
        approximation: lavaan uses the observed information there); ``epc`` is
        the expected parameter change and ``sepc_all`` its completely standardised value
        (residual covariances standardised by the residual variances). Sorted as lavaan
        lists them; rows with ``mi < minimum`` are dropped.
        """
        engine = self._engine
        spec = engine.spec
        candidates = []
        for g in range(spec.n_groups):
            sel = spec.grp == g
            taken = set(zip(spec.mat[sel], spec.row[sel], spec.col[sel], strict=True))
            for k in range(spec.m):
                for i in range(spec.p):
                    if (_LAMBDA, i, k) not in taken:
                        candidates.append((g, _LAMBDA, i, k))
            for j in range(spec.p):
                for i in range(j + 1, spec.p):
                    if (_THETA, i, j) not in taken:
                        candidates.append((g, _THETA, i, j))
        if not candidates:
            return pd.DataFrame(columns=list(MODIFICATION_COLUMNS))
        info = engine.information(self._x, candidates)
        n_free = spec.n_free
        i_ff = info[:n_free, :n_free]
        i_cf = info[n_free:, :n_free]
        i_cc = np.diag(info[n_free:, n_free:])
        v = i_cc - np.einsum("ij,ji->i", i_cf, linalg.solve(i_ff, i_cf.T, assume_a="sym"))
        grads = np.zeros(len(candidates))
        for g in range(spec.n_groups):
            idx = [c for c, cand in enumerate(candidates) if cand[0] == g]
            mat = np.array([candidates[c][1] for c in idx])
            row = np.array([candidates[c][2] for c in idx])
            col = np.array([candidates[c][3] for c in idx])
            grads[idx] = engine._cell_gradients(self._x, g, mat, row, col, np.ones(len(idx), bool))
        with np.errstate(divide="ignore", invalid="ignore"):
            mi = self.n_total * grads**2 / (4 * v)
            epc = -grads / (2 * v)
        rows = []
        for c, (g, mat, i, j) in enumerate(candidates):
            _, phi, theta, _, _ = spec.matrices(self._x, g)
            sigma, _ = engine.implied(self._x, g)
            if mat == _LAMBDA:
                lhs, rhs = spec.factors[j], spec.items[i]
                scale = math.sqrt(phi[j, j] / sigma[i, i])
            else:
                lhs, rhs = spec.items[j], spec.items[i]
                scale = 1 / math.sqrt(theta[i, i] * theta[j, j])
            rows.append(
                (self.groups[g], lhs, _OPS[mat], rhs, mi[c], epc[c], epc[c] * scale),
            )
        out = pd.DataFrame(rows, columns=list(MODIFICATION_COLUMNS))
        return out[out[COL_MI] >= minimum].reset_index(drop=True)

    @property
    def n_total(self) -> int:
        return sum(self.n_obs)


# ----------------------------------------------------------------------------- fitting


@single_threaded_blas
def fit_cfa(
    data: pd.DataFrame,
    model: Mapping[str, Sequence[str]] | FactorModel,
    *,
    group: str | None = None,
    group_equal: Sequence[str] = (),
    missing: str = "listwise",
    meanstructure: bool | None = None,
    std_lv: bool = False,
    marker: str = "first_keyed",
    residual_covariances: Sequence[tuple[str, str]] = (),
    standard_errors: bool = True,
    start: CFAResult | None = None,
    max_iter: int = 500,
) -> CFAResult:
    """Fit a CFA by maximum likelihood, as lavaan's ``cfa()`` with the same options.

    Parameters
    ----------
    data : one row per respondent; item columns numeric, NaN for a missing answer.
    model : ``{factor: [item, ...]}``; a ``-item`` (reverse-keyed) gets a negative loading.
    group : column with the group of each respondent (multiple-group model).
    group_equal : equality constraints across groups, from :data:`GROUP_EQUAL_OPTIONS`.
    missing : ``"listwise"`` (complete cases) or ``"fiml"`` (full-information ML).
    meanstructure : model intercepts; default lavaan's (with groups or FIML).
    std_lv : identify by factor variances fixed to 1 instead of marker loadings.
    marker : which item's loading is fixed to 1, from :data:`MARKER_OPTIONS`.
    residual_covariances : pairs of items whose residuals may covary.
    standard_errors : compute ``se``, ``z``, ``pvalue`` (skip for speed).
    start : a fitted model whose estimates start this one (matched by group, lhs, op, rhs),
        e.g. the previous invariance step.

    Raises
    ------
    PsychometricsError
        For data or models that cannot be estimated, with a message saying how to fix it.
    """
    parsed = parse_factor_model(model)
    if missing not in MISSING_OPTIONS:
        raise ValueError(f"missing must be one of {MISSING_OPTIONS}, got {missing!r}")
    if marker not in MARKER_OPTIONS:
        raise ValueError(f"marker must be one of {MARKER_OPTIONS}, got {marker!r}")
    unknown = set(group_equal) - set(GROUP_EQUAL_OPTIONS)
    if unknown:
        raise ValueError(
            f"group_equal has unknown value(s) {sorted(unknown)}; valid: {GROUP_EQUAL_OPTIONS}"
        )
    for a, b in residual_covariances:
        if a not in parsed.items or b not in parsed.items or a == b:
            raise PsychometricsError(
                f"residual covariance ({a!r}, {b!r}) must name two different model items"
            )
    items = parsed.items
    answers = numeric_items(data, items).to_numpy()
    if group is None:
        labels = ["all"]
        membership = np.zeros(len(data), dtype=int)
    else:
        check_columns(data, [group], "group")
        column = data[group]
        if column.isna().any():
            raise PsychometricsError(
                f"group column {group!r} has missing values; drop or label those respondents"
            )
        labels = [str(v) for v in pd.unique(column)]
        membership = pd.Categorical(column.astype(str), categories=labels).codes
    if meanstructure is None:
        meanstructure = group is not None or missing == "fiml"
    if (group is None or len(labels) == 1) and group_equal:
        raise PsychometricsError("group_equal needs a group column with at least two groups")
    groups = _group_data(answers, membership, labels, items, missing)
    spec = _build_spec(
        parsed,
        len(groups),
        meanstructure,
        frozenset(group_equal),
        std_lv,
        residual_covariances,
        marker,
    )
    engine = _Engine(spec, groups)
    n_moments = len(groups) * (spec.p * (spec.p + 1) // 2 + (spec.p if meanstructure else 0))
    df = n_moments - spec.n_free
    if engine.n_total <= spec.n_free:
        raise PsychometricsError(
            f"too few respondents: {engine.n_total} for {spec.n_free} free parameters; "
            "collect more answers, fit fewer items, or use missing='fiml' instead of listwise"
        )
    if df < 0:
        raise PsychometricsError(
            f"the model has more parameters ({spec.n_free}) than moments ({n_moments}): "
            "it is not identified; give each factor at least three items"
        )
    x0 = _start_values(spec, groups, parsed)
    if start is not None:
        table = start.parameters
        known = dict(
            zip(
                zip(table[COL_GROUP], table[COL_LHS], table[COL_OP], table[COL_RHS], strict=True),
                table[COL_EST],
                strict=True,
            )
        )
        for j in np.flatnonzero(spec.free >= 0):
            value = known.get((labels[spec.grp[j]], *_names(spec, j)))
            if value is not None and np.isfinite(value):
                x0[spec.free[j]] = value
    x, iterations = _fisher_scoring(engine, x0, max_iter)
    grad = engine.gradient(x)
    if not np.all(np.isfinite(grad)) or np.max(np.abs(grad)) > 1e-5:
        result = optimize.minimize(
            engine.objective,
            x,
            jac=engine.gradient,
            method="BFGS",
            options={"gtol": 1e-9, "maxiter": max_iter},
        )
        x = result.x
        if np.max(np.abs(engine.gradient(x))) > 1e-5:
            raise PsychometricsError(
                f"the CFA did not converge after {iterations} iterations (largest gradient "
                f"{np.max(np.abs(engine.gradient(x))):.2g}); check for items with almost no "
                "variance, factors with fewer than three items or near-identical items"
            )
    info = engine.information(x)
    scale = np.sqrt(np.clip(np.diag(info), 0, None))
    # scaled to unit diagonal, so that items on very different answer scales do not count
    if np.any(scale <= 0) or np.linalg.cond(info / np.outer(scale, scale)) > 1e12:
        raise PsychometricsError(
            "the model is not identified (singular information matrix): every factor needs "
            "at least three items, or two items and a correlation with another factor; "
            "remove residual covariances or constraints that leave a parameter undetermined"
        )
    fit = _fit_measures(engine, x, df)
    parameters = _parameter_table(engine, x, labels, standard_errors, missing)
    variances = parameters[
        (parameters[COL_OP] == "~~") & (parameters[COL_LHS] == parameters[COL_RHS])
    ]
    if (variances[COL_EST] < 0).any():
        bad = variances[variances[COL_EST] < 0]
        warnings.warn(
            "negative variance estimate(s) (Heywood case): "
            + ", ".join(f"{r.lhs} in group {r.group}" for r in bad.itertuples()),
            stacklevel=2,
        )
    return CFAResult(
        fit,
        parameters,
        items,
        parsed.factors,
        tuple(labels),
        tuple(g.n for g in groups),
        missing,
        frozenset(group_equal),
        meanstructure,
        iterations,
        engine,
        x,
    )


def _group_data(answers, membership, labels, items, missing) -> list[_GroupData]:
    groups = []
    p = len(items)
    for g, label in enumerate(labels):
        x = answers[membership == g]
        where = f" in group {label!r}" if len(labels) > 1 else ""
        # listwise keeps complete rows; FIML keeps every row with at least one answer
        drop = np.isnan(x).any(axis=1) if missing == "listwise" else np.isnan(x).all(axis=1)
        x = x[~drop]
        if len(x) < 2:
            raise PsychometricsError(
                f"only {len(x)} usable respondent(s){where}; a group needs at least two "
                "(and many more for stable estimates): merge or drop the group"
            )
        patterns = _patterns(x)
        batches = _batches(patterns, p)
        if missing == "listwise":
            mean, cov = patterns[0].mean, patterns[0].cov
        else:
            mean, cov = _em_saturated(batches, p, len(x))
        variances = np.diag(cov)
        flat = [items[i] for i in np.flatnonzero(variances <= 1e-12 * max(1.0, variances.max()))]
        if flat:
            raise PsychometricsError(
                f"item(s) {flat} have zero variance{where}: every respondent gave the same "
                "answer; drop them from the model"
            )
        eig = np.linalg.eigvalsh(cov / np.sqrt(np.outer(variances, variances)))
        if eig[0] <= 1e-10:
            raise PsychometricsError(
                f"the item covariance matrix{where} is not positive definite (smallest "
                f"eigenvalue {eig[0]:.2g}): some items are linear combinations of others or "
                "there are fewer respondents than items; drop duplicate items"
            )
        groups.append(_GroupData(label, len(x), patterns, batches, mean, cov))
    return groups


def _start_values(spec: _Spec, groups: Sequence[_GroupData], model: FactorModel) -> np.ndarray:
    x = np.full(spec.n_free, np.nan)
    for g, data in enumerate(groups):
        s = data.cov
        lam = np.zeros((spec.p, spec.m))
        phi_diag = np.ones(spec.m)
        for k, factor in enumerate(spec.factors):
            idx = [spec.items.index(c) for c in model.indicators[factor]]
            vals, vecs = np.linalg.eigh(s[np.ix_(idx, idx)])
            v = vecs[:, -1]
            keyed = [
                i for i, c in enumerate(model.indicators[factor]) if c not in model.reverse_keyed
            ]
            if v[(keyed or [0])[0]] < 0:  # the factor points in the keyed direction
                v = -v
            marker_rows = (spec.mat == _LAMBDA) & (spec.grp == g) & (spec.col == k)
            marker_rows &= spec.free < 0
            if marker_rows.any():
                ref = idx.index(int(spec.row[marker_rows][0]))
                v = v / v[ref]
                lam[idx, k] = v
                phi_diag[k] = max(vals[-1] * (1 / np.sum(v**2)) * 0.8, 1e-3)
                # eigenvalue of lam lam' phi is phi * |lam|^2
            else:
                lam[idx, k] = v * math.sqrt(max(vals[-1] * 0.8, 1e-3))
        for j in np.flatnonzero((spec.grp == g) & (spec.free >= 0)):
            fid = spec.free[j]
            if not np.isnan(x[fid]):
                continue
            r, c, code = spec.row[j], spec.col[j], spec.mat[j]
            if code == _LAMBDA:
                x[fid] = lam[r, c]
            elif code == _PHI:
                x[fid] = phi_diag[r] if r == c else _start_covariance(s, lam, phi_diag, r, c)
            elif code == _THETA:
                x[fid] = 0.5 * s[r, r] if r == c else 0.0
            elif code == _NU:
                x[fid] = data.mean[r]
            else:
                x[fid] = 0.0
    return x


def _start_covariance(s, lam, phi_diag, k, j) -> float:
    """Factor covariance implied by the item covariances across two factors (|r| <= .8)."""
    rows = np.flatnonzero(lam[:, k])
    cols = np.flatnonzero(lam[:, j])
    if len(rows) == 0 or len(cols) == 0:
        return 0.0
    ratios = s[np.ix_(rows, cols)] / np.outer(lam[rows, k], lam[cols, j])
    cov = float(np.median(ratios))
    bound = 0.8 * math.sqrt(phi_diag[k] * phi_diag[j])
    return float(np.clip(cov, -bound, bound))


def _fit_measures(engine: _Engine, x: np.ndarray, df: int) -> dict[str, float]:
    spec = engine.spec
    groups = engine.groups
    n = engine.n_total
    n_groups = len(groups)
    const = sum(pat.n * len(pat.observed) for g in groups for pat in g.patterns) * _LOG_2PI
    f = engine.objective(x)
    logl = -0.5 * (n * f + const)
    logl_h1 = sum(_batch_loglik(g.batches, g.cov, g.mean) for g in groups)
    logl_base = sum(_independence_loglik(g.batches) for g in groups)
    chisq = max(2 * (logl_h1 - logl), 0.0)
    base_chisq = 2 * (logl_h1 - logl_base)
    p = spec.p
    base_df = n_groups * p * (p - 1) // 2
    npar = spec.n_free
    out: dict[str, float] = {"npar": float(npar), "fmin": chisq / (2 * n)}
    out["chisq"] = chisq
    out["df"] = float(df)
    out["pvalue"] = float(stats.chi2.sf(chisq, df)) if df > 0 else math.nan
    out["baseline.chisq"] = base_chisq
    out["baseline.df"] = float(base_df)
    out["baseline.pvalue"] = float(stats.chi2.sf(base_chisq, base_df))
    out.update(_incremental_indices(chisq, df, base_chisq, base_df))
    out["logl"] = logl
    out["unrestricted.logl"] = logl_h1
    out["aic"] = -2 * logl + 2 * npar
    out["bic"] = -2 * logl + npar * math.log(n)
    out["ntotal"] = float(n)
    out["bic2"] = -2 * logl + npar * math.log((n + 2) / 24)
    out.update(_rmsea(chisq, df, n, n_groups))
    out["srmr"] = _srmr(engine, x)
    return out


def _independence_loglik(batches: Sequence[_Batch]) -> float:
    """Log-likelihood of the baseline model (free means and variances, no covariances).

    Under FIML its likelihood factors over items, so each item's mean and variance are the
    ML estimates from the respondents who answered it.
    """
    counts, _, variances = _item_moments(batches)
    return float(np.sum(-0.5 * counts * (_LOG_2PI + np.log(variances) + 1)))


def _incremental_indices(chisq: float, df: float, base: float, base_df: float) -> dict:
    """CFI, TLI (= NNFI), RFI, NFI, IFI, RNI with lavaan's rules for edge cases (NaN where
    lavaan gives NA, e.g. RFI and NFI when the model has more df than the baseline)."""
    nan = math.nan
    t1, t2 = max(chisq - df, 0.0), max(chisq - df, base - base_df, 0.0)
    out = {"cfi": 1.0 if t1 == 0 and t2 == 0 else 1 - t1 / t2}
    t1, t2 = (chisq - df) * base_df, (base - base_df) * df
    out["tli"] = out["nnfi"] = 1 - t1 / t2 if df > 0 and abs(t2) > 0 else 1.0
    if df > base_df:
        out["rfi"] = nan
    elif df > 0 and base_df > 0:
        t1, t2 = base / base_df - chisq / df, base / base_df
        out["rfi"] = 1.0 if t1 < 0 or t2 < 0 else t1 / t2
    else:
        out["rfi"] = 1.0
    if df > base_df or math.isclose(base, 0.0):
        out["nfi"] = nan
    else:
        out["nfi"] = (base - chisq) / base if df > 0 else 1.0
    t1, t2 = base - chisq, base - df
    out["ifi"] = 1.0 if t2 < 0 else (nan if math.isclose(t2, 0.0) else t1 / t2)
    t2 = base - base_df
    out["rni"] = nan if math.isclose(t2, 0.0) else 1 - (chisq - df) / t2
    return out


def _rmsea(chisq: float, df: int, n: int, n_groups: int) -> dict[str, float]:
    """RMSEA, its 90% CI and the p-value of close fit, as lavaan computes them."""
    if df <= 0:
        return {
            "rmsea": 0.0,
            "rmsea.ci.lower": 0.0,
            "rmsea.ci.upper": 0.0,
            "rmsea.pvalue": math.nan,
        }
    scale = math.sqrt(n_groups)
    rmsea = math.sqrt(max(chisq / n / df - 1 / n, 0.0)) * scale

    def solve(target: float, upper: float) -> float:
        def fn(lam: float) -> float:
            return (
                stats.ncx2.cdf(chisq, df, lam) - target
                if lam > 0
                else stats.chi2.cdf(chisq, df) - target
            )

        if fn(0.0) < 0:
            return 0.0
        if fn(upper) > 0:
            return 0.0
        return optimize.brentq(fn, 0.0, upper, xtol=1e-12)

    lam_low = solve(0.95, max(chisq, 1e-8))
    lam_high = solve(0.05, max(n, chisq * 4))
    lower = math.sqrt(lam_low / (n * df)) * scale
    upper = math.sqrt(lam_high / (n * df)) * scale
    ncp = n * df * 0.05**2 / n_groups
    pvalue = float(stats.ncx2.sf(chisq, df, ncp))
    return {
        "rmsea": rmsea,
        "rmsea.ci.lower": lower,
        "rmsea.ci.upper": upper,
        "rmsea.pvalue": pvalue,
    }


def _srmr(engine: _Engine, x: np.ndarray) -> float:
    """Bentler's SRMR per group (residuals scaled by the sample SDs), weighted by n_g / N."""
    total = 0.0
    p = engine.spec.p
    low = np.tril_indices(p)
    for g, data in enumerate(engine.groups):
        sigma, mu = engine.implied(x, g)
        sd = np.sqrt(np.diag(data.cov))
        resid = ((data.cov - sigma) / np.outer(sd, sd))[low]
        squares = list(resid**2)
        if engine.spec.meanstructure:
            squares += list(((data.mean - mu) / sd) ** 2)
        total += data.n / engine.n_total * math.sqrt(np.mean(squares))
    return total


def _names(spec: _Spec, j: int) -> tuple[str, str, str]:
    """lavaan's (lhs, op, rhs) of parameter row j."""
    code, r, c = spec.mat[j], spec.row[j], spec.col[j]
    if code == _LAMBDA:
        return spec.factors[c], "=~", spec.items[r]
    if code == _PHI:
        return spec.factors[c], "~~", spec.factors[r]
    if code == _THETA:
        return spec.items[c], "~~", spec.items[r]
    if code == _NU:
        return spec.items[r], "~1", ""
    return spec.factors[r], "~1", ""


def _parameter_table(engine, x, labels, standard_errors, missing) -> pd.DataFrame:
    spec = engine.spec
    se = np.full(spec.n_free, np.nan)
    if standard_errors:
        # lavaan: observed information under FIML, expected information otherwise
        fiml = missing == "fiml"
        hessian = _numeric_hessian(engine, x) / 2 if fiml else engine.information(x)
        try:
            variances = np.diag(linalg.inv(hessian)) / engine.n_total
        except linalg.LinAlgError:
            variances = np.full(spec.n_free, -1.0)
        if np.any(variances <= 0):
            warnings.warn(
                "the information matrix is not positive definite at the solution; "
                "standard errors of some parameters are NaN",
                stacklevel=3,
            )
        se = np.sqrt(np.where(variances > 0, variances, np.nan))
    rows = []
    for g in range(spec.n_groups):
        lam, phi, theta, nu, alpha = spec.matrices(x, g)
        sigma, _ = engine.implied(x, g)
        sd_item = np.sqrt(np.diag(sigma))
        sd_factor = np.sqrt(np.clip(np.diag(phi), 0, None))
        for j in np.flatnonzero(spec.grp == g):
            code, r, c, fid = spec.mat[j], spec.row[j], spec.col[j], spec.free[j]
            lhs, op, rhs = _names(spec, j)
            if code == _LAMBDA:
                est = lam[r, c]
                std = est * sd_factor[c] / sd_item[r]
            elif code == _PHI:
                est = phi[r, c]
                std = est / (sd_factor[r] * sd_factor[c])
            elif code == _THETA:
                est = theta[r, c]
                std = (
                    est / sd_item[r] ** 2 if r == c else est / math.sqrt(theta[r, r] * theta[c, c])
                )
            elif code == _NU:
                est = nu[r]
                std = est / sd_item[r]
            else:
                est = alpha[r]
                std = est / sd_factor[r]
            s = se[fid] if fid >= 0 else 0.0  # lavaan: se 0 for fixed parameters
            z = est / s if fid >= 0 and s > 0 else math.nan
            pval = 2 * stats.norm.sf(abs(z)) if np.isfinite(z) else math.nan
            rows.append((labels[g], lhs, op, rhs, fid >= 0, est, s, z, pval, std))
    return pd.DataFrame(rows, columns=list(PARAMETER_COLUMNS))


def _numeric_hessian(engine: _Engine, x: np.ndarray) -> np.ndarray:
    """Hessian of the objective by forward differences of the analytic gradient; a step in a
    parameter only re-evaluates the groups that parameter belongs to."""
    spec = engine.spec
    k = len(x)
    base = [engine.group_gradient(x, g) for g in range(spec.n_groups)]
    hessian = np.zeros((k, k))
    for i in range(k):
        h = 1e-6 * max(1.0, abs(x[i]))
        moved = x.copy()
        moved[i] += h
        for g in np.unique(spec.grp[spec.free == i]):
            hessian[:, i] += (engine.group_gradient(moved, g) - base[g]) / h
    return (hessian + hessian.T) / 2
