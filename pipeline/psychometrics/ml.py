"""Maximum-likelihood CFA engine: data by missing-data pattern, FIML, Fisher scoring.

The estimation machinery behind :func:`.cfa.fit_cfa` for continuous items
(estimators ML and MLR): sufficient statistics per missing-data pattern, the saturated model
by EM, the -2 log-likelihood with analytic gradients, the expected information, and the
ML fit measures. Conventions (lavaan 0.6 defaults) are listed in :mod:`.cfa`.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import linalg

from samenspel.pipeline.psychometrics import fit_indices as fit_indices
from samenspel.pipeline.psychometrics.factor_model import FactorModel, PsychometricsError
from samenspel.pipeline.psychometrics.model_spec import ALPHA, LAMBDA, NU, PHI, THETA, Spec

LOG_2PI = math.log(2 * math.pi)

# ----------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Pattern:
    """Rows of one group sharing a missing-data pattern, as sufficient statistics."""

    observed: np.ndarray  # indices of observed items
    n: int
    mean: np.ndarray
    cov: np.ndarray  # divisor n, around the pattern mean
    rows: np.ndarray  # the answers of its respondents, observed items only


@dataclass(frozen=True)
class GroupData:
    label: str
    n: int
    patterns: tuple[Pattern, ...]
    batches: tuple[Batch, ...]
    # H1 ("sample") moments: sample statistics, or EM estimates under FIML
    mean: np.ndarray
    cov: np.ndarray
    # quantities that depend on the data only (e.g. the saturated model's information),
    # computed once for every model fitted to these data
    derived: dict = field(default_factory=dict, repr=False, compare=False)


def _patterns(x: np.ndarray) -> tuple[Pattern, ...]:
    observed = ~np.isnan(x)
    keys, inverse = np.unique(observed, axis=0, return_inverse=True)
    out = []
    for k, key in enumerate(keys):
        rows = x[inverse.ravel() == k][:, key]
        mean = rows.mean(axis=0)
        centred = rows - mean
        out.append(
            Pattern(np.flatnonzero(key), len(rows), mean, centred.T @ centred / len(rows), rows)
        )
    return tuple(out)


@dataclass(frozen=True)
class Batch:
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


def _batches(patterns: Sequence[Pattern], p: int) -> tuple[Batch, ...]:
    # one batch per number of missing items, single-respondent patterns (no scatter matrix)
    # apart from the others
    by_size: dict[tuple[int, bool], list[Pattern]] = {}
    for pat in patterns:
        if 1 < pat.n <= 3 * p:
            # small patterns are cheaper as separate respondents (rank-one algebra) than
            # through their p x p scatter matrix
            zero = np.zeros((len(pat.observed), len(pat.observed)))
            for row in pat.rows:
                single = Pattern(pat.observed, 1, row, zero, row[None])
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
            Batch(
                missing.reshape(size, m).astype(int),
                observed,
                np.array([pat.n for pat in group], dtype=float),
                mean,
                cov,
            )
        )
    return tuple(out)


def item_moments(batches: Sequence[Batch]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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


def fiml_terms(
    batches: Sequence[Batch], sigma: np.ndarray, mu: np.ndarray, gradient: bool
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


def batch_loglik(batches: Sequence[Batch], sigma: np.ndarray, mu: np.ndarray) -> float:
    """Log-likelihood of incomplete normal data (raises LinAlgError if Sigma is not PD)."""
    value, _, _ = fiml_terms(batches, sigma, mu, gradient=False)
    count = sum(float(np.sum(b.n * b.observed.sum(axis=1))) for b in batches)
    return -0.5 * (value + count * LOG_2PI)


def em_saturated(batches: Sequence[Batch], p: int, n_total: int) -> tuple[np.ndarray, np.ndarray]:
    """ML mean and covariance of incomplete data by the EM algorithm."""
    counts, mu, variances = item_moments(batches)
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
        loglik = batch_loglik(batches, sigma, mu)
        if abs(loglik - previous) < 1e-10:
            break
        previous = loglik
    return mu, sigma


# ----------------------------------------------------------------------------- engine


class Engine:
    """Objective, gradient and information of a spec on grouped data."""

    def __init__(self, spec: Spec, groups: Sequence[GroupData]):
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
                value, _, _ = fiml_terms(data.batches, sigma, mu, gradient=False)
            except np.linalg.LinAlgError:
                return math.inf
            total += value
        return total / self.n_total

    def _gradient_matrices(self, x: np.ndarray, g: int):
        """dF/dSigma (symmetric) and dF/dmu of group g, weighted by n_pattern / N."""
        sigma, mu = self.implied(x, g)
        _, grad_sigma, grad_mu = fiml_terms(self.groups[g].batches, sigma, mu, gradient=True)
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
            (LAMBDA, g_lam, None),
            (PHI, g_phi, sym),
            (THETA, g_theta, sym),
        ):
            s = sel & (mat == code)
            out[s] = source[row[s], col[s]] * (1.0 if factor is None else factor[s])
        s = sel & (mat == NU)
        out[s] = g_nu[row[s]]
        s = sel & (mat == ALPHA)
        out[s] = g_alpha[row[s]]
        return out

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
            u, w, m = self.spec.directions(x, g, mat, row, col)
            sigma, _ = self.implied(x, g)
            prec = np.linalg.inv(sigma)
            pu, pw = prec @ u, prec @ w
            a, b, c = u.T @ pu, w.T @ pw, u.T @ pw
            block = c * c.T + a * b + m.T @ prec @ m
            weight = self.groups[g].n / self.n_total
            # within a group every parameter appears once, so the block adds in place
            info[np.ix_(target, target)] += weight * block
        return info

    def score_tests(self, x: np.ndarray, candidates: Sequence[tuple]):
        """Modification indices and expected parameter changes of cells (group, mat, row,
        col) that are fixed, or constrained equal to another group's (score tests with the
        expected information, as lavaan's ``modindices`` and ``lavTestScore``)."""
        spec = self.spec
        info = self.information(x, candidates)
        n_free = spec.n_free
        i_ff = info[:n_free, :n_free]
        i_cf = info[n_free:, :n_free]
        i_cc = np.diag(info[n_free:, n_free:])
        v = i_cc - np.einsum("ij,ji->i", i_cf, linalg.solve(i_ff, i_cf.T, assume_a="sym"))
        grads = np.zeros(len(candidates))
        for g in range(spec.n_groups):
            idx = [c for c, cand in enumerate(candidates) if cand[0] == g]
            if not idx:
                continue
            mat = np.array([candidates[c][1] for c in idx])
            row = np.array([candidates[c][2] for c in idx])
            col = np.array([candidates[c][3] for c in idx])
            grads[idx] = self._cell_gradients(x, g, mat, row, col, np.ones(len(idx), bool))
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.n_total * grads**2 / (4 * v), -grads / (2 * v)

    def item_sd(self, x: np.ndarray, g: int) -> np.ndarray:
        """Model-implied item SDs of group g."""
        sigma, _ = self.implied(x, g)
        return np.sqrt(np.diag(sigma))

    def row_values(self, x: np.ndarray) -> np.ndarray:
        """The value of every parameter row."""
        return self.spec.values(x)


def fisher_scoring(engine: Engine, x0: np.ndarray, max_iter: int) -> tuple[np.ndarray, int]:
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


_GROUPS: OrderedDict[tuple, list[GroupData]] = OrderedDict()
_GROUP_CACHE_SIZE = 8


def group_data(answers, membership, labels, items, missing) -> list[GroupData]:
    """Each group's usable answers by missing-data pattern and its saturated moments,
    remembered for the last few data sets (the steps of an invariance analysis and the
    models of one wave share them)."""
    key = (answers.shape, answers.tobytes(), np.asarray(membership).tobytes(), tuple(labels),
           tuple(items), missing)  # fmt: skip
    if key not in _GROUPS:
        _GROUPS[key] = _group_data(answers, membership, labels, items, missing)
        if len(_GROUPS) > _GROUP_CACHE_SIZE:
            _GROUPS.popitem(last=False)
    _GROUPS.move_to_end(key)
    return _GROUPS[key]


def _group_data(answers, membership, labels, items, missing) -> list[GroupData]:
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
            mean, cov = em_saturated(batches, p, len(x))
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
        groups.append(GroupData(label, len(x), patterns, batches, mean, cov))
    return groups


def start_values(spec: Spec, groups: Sequence, model: FactorModel) -> np.ndarray:
    """Starting values from each factor's first principal component of the groups' ``cov``
    (intercepts from their ``mean``); NaN for thresholds and scale factors."""
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
            marker_rows = (spec.mat == LAMBDA) & (spec.grp == g) & (spec.col == k)
            marker_rows &= spec.free < 0
            if marker_rows.any():
                ref = idx.index(int(spec.row[marker_rows][0]))
                v = v / v[ref] * spec.fixed[np.flatnonzero(marker_rows)[0]]
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
            if code == LAMBDA:
                x[fid] = lam[r, c]
            elif code == PHI:
                x[fid] = phi_diag[r] if r == c else _start_covariance(s, lam, phi_diag, r, c)
            elif code == THETA:
                x[fid] = 0.5 * s[r, r] if r == c else 0.0
            elif code == NU:
                x[fid] = data.mean[r]
            elif code == ALPHA:
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


def fit_measures(engine: Engine, x: np.ndarray, df: int) -> dict[str, float]:
    spec = engine.spec
    groups = engine.groups
    n = engine.n_total
    n_groups = len(groups)
    const = sum(pat.n * len(pat.observed) for g in groups for pat in g.patterns) * LOG_2PI
    f = engine.objective(x)
    logl = -0.5 * (n * f + const)
    logl_h1 = sum(batch_loglik(g.batches, g.cov, g.mean) for g in groups)
    logl_base = sum(_independence_loglik(g.batches) for g in groups)
    chisq = max(2 * (logl_h1 - logl), 0.0)
    base_chisq = 2 * (logl_h1 - logl_base)
    p = spec.p
    base_df = n_groups * p * (p - 1) // 2
    npar = spec.n_free
    out: dict[str, float] = {"npar": float(npar), "fmin": chisq / (2 * n)}
    out["chisq"] = chisq
    out["df"] = float(df)
    out["pvalue"] = fit_indices.chi2_pvalue(chisq, df)
    out["baseline.chisq"] = base_chisq
    out["baseline.df"] = float(base_df)
    out["baseline.pvalue"] = fit_indices.chi2_pvalue(base_chisq, base_df)
    out.update(fit_indices.incremental_indices(chisq, df, base_chisq, base_df))
    out["logl"] = logl
    out["unrestricted.logl"] = logl_h1
    out["aic"] = -2 * logl + 2 * npar
    out["bic"] = -2 * logl + npar * math.log(n)
    out["ntotal"] = float(n)
    out["bic2"] = -2 * logl + npar * math.log((n + 2) / 24)
    out.update(fit_indices.rmsea_measures(chisq, df, n, n_groups))
    out["srmr"] = _srmr(engine, x)
    return out


def _independence_loglik(batches: Sequence[Batch]) -> float:
    """Log-likelihood of the baseline model (free means and variances, no covariances).

    Under FIML its likelihood factors over items, so each item's mean and variance are the
    ML estimates from the respondents who answered it.
    """
    counts, _, variances = item_moments(batches)
    return float(np.sum(-0.5 * counts * (LOG_2PI + np.log(variances) + 1)))


def _srmr(engine: Engine, x: np.ndarray) -> float:
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


def numeric_hessian(engine: Engine, x: np.ndarray) -> np.ndarray:
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
