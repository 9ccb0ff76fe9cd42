"""Thresholds, polychoric correlations and their asymptotic covariance matrix, as lavaan.

The two-step estimator lavaan uses for ordered items (Olsson 1979; Muthén 1984): step one
estimates each item's thresholds from its own answers (``qnorm`` of the cumulative
proportions), step two each pair's polychoric correlation by maximum likelihood with the
thresholds held fixed. The asymptotic covariance matrix of all these statistics (lavaan's
``NACOV``, also called Gamma) follows Muthén (1984) from the case-wise scores of both steps,
with the correction for the first step, exactly as ``lavaan:::muthen1984``.

Missing answers: ``"pairwise"`` uses, for each threshold, every answer to the item and, for
each correlation, every respondent who answered both items (lavaan ``missing = "pairwise"``);
``"listwise"`` first drops respondents with any missing answer (lavaan's default).
Respondents without a single answer are always dropped.

>>> result = polychoric_correlations(answers, ["tru1", "tru2", "tru3"])   # doctest: +SKIP
>>> result.correlations, result.thresholds                               # doctest: +SKIP
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special, stats

from samenspel.pipeline.psychometrics.factor_model import PsychometricsError, numeric_items

#: Values accepted by ``missing`` for ordered items.
ORDINAL_MISSING_OPTIONS = ("pairwise", "listwise")
#: Columns of :attr:`PolychoricResult.thresholds`.
THRESHOLD_COLUMNS = ("item", "threshold", "value")

_BOUND = 0.999  # lavaan bounds a polychoric correlation to [-.999, .999]
_MAX_ITER = 200  # Fisher-scoring iterations of a polychoric correlation
# Gauss-Legendre nodes (negative half) and weights for 6, 12 and 20 points (Genz's BVND)
_GAUSS = tuple(
    (nodes[: n // 2], weights[: n // 2])
    for n in (6, 12, 20)
    for nodes, weights in [np.polynomial.legendre.leggauss(n)]
)


def bivariate_normal_cdf(h: np.ndarray, k: np.ndarray, rho: np.ndarray) -> np.ndarray:
    """P(X < h, Y < k) for standard bivariate normal (X, Y) with correlation ``rho``.

    Genz's (2004) BVND algorithm (the one behind R's ``pbivnorm`` and ``mvtnorm``),
    vectorised over broadcastable arrays; accurate to about 1e-15. ``h`` and ``k`` may be
    infinite.
    """
    h, k, rho = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (h, k, rho)))
    out = np.empty(h.shape)
    low = np.isneginf(h) | np.isneginf(k)
    out[low] = 0.0
    h_inf = np.isposinf(h) & ~low
    k_inf = np.isposinf(k) & ~low
    out[h_inf & k_inf] = 1.0
    out[h_inf & ~k_inf] = special.ndtr(k[h_inf & ~k_inf])
    out[k_inf & ~h_inf] = special.ndtr(h[k_inf & ~h_inf])
    finite = ~(low | h_inf | k_inf)
    out[finite] = _bvnd(-h[finite], -k[finite], rho[finite])
    return out


def _bvnd(h: np.ndarray, k: np.ndarray, r: np.ndarray) -> np.ndarray:
    """P(X > h, Y > k), finite h and k (Genz's BVND)."""
    out = np.zeros(h.shape)
    absr = np.abs(r)
    regime = np.where(absr < 0.3, 0, np.where(absr < 0.75, 1, 2))
    for g, (x, w) in enumerate(_GAUSS):
        near = (regime == g) & (absr < 0.925)
        if near.any():
            hh, kk, rr = h[near], k[near], r[near]
            hk = hh * kk
            hs = (hh * hh + kk * kk) / 2
            asr = np.arcsin(rr)
            sn = np.sin(asr[:, None] * (np.concatenate([x, -x])[None, :] + 1) / 2)
            ww = np.concatenate([w, w])[None, :]
            total = np.sum(ww * np.exp((sn * hk[:, None] - hs[:, None]) / (1 - sn * sn)), axis=1)
            out[near] = total * asr / (4 * math.pi) + special.ndtr(-hh) * special.ndtr(-kk)
        far = (regime == g) & (absr >= 0.925)
        if far.any():
            out[far] = _bvnd_high(h[far], k[far], r[far], x, w)
    return out


def _bvnd_high(h, k, r, x, w) -> np.ndarray:
    """BVND for |r| >= 0.925 (Drezner & Wesolowsky's expansion, as Genz)."""
    k = np.where(r < 0, -k, k)
    hk = h * k
    bvn = np.zeros(h.shape)
    inner = np.abs(r) < 1
    if inner.any():
        hi, ki, hki, ri = h[inner], k[inner], hk[inner], r[inner]
        a_s = (1 - ri) * (1 + ri)
        a = np.sqrt(a_s)
        bs = (hi - ki) ** 2
        c = (4 - hki) / 8
        d = (12 - hki) / 16
        value = (
            a
            * np.exp(-(bs / a_s + hki) / 2)
            * (1 - c * (bs - a_s) * (1 - d * bs / 5) / 3 + c * d * a_s * a_s / 5)
        )
        b = np.sqrt(bs)
        tail = (
            np.exp(-hki / 2)
            * math.sqrt(2 * math.pi)
            * special.ndtr(-b / a)
            * b
            * (1 - c * bs * (1 - d * bs / 5) / 3)
        )
        value = value - np.where(hki > -160, tail, 0.0)
        a = a / 2
        for xi, wi in zip(x, w, strict=True):
            for sign in (1.0, -1.0):
                xs = (a * (sign * xi + 1)) ** 2
                rs = np.sqrt(1 - xs)
                value = value + a * wi * (
                    np.exp(-bs / (2 * xs) - hki / (1 + rs)) / rs
                    - np.exp(-(bs / xs + hki) / 2) * (1 + c * xs * (1 + d * xs))
                )
        bvn[inner] = -value / (2 * math.pi)
    positive = r > 0
    bvn = np.where(positive, bvn + special.ndtr(-np.maximum(h, k)), bvn)
    negative = r < 0
    bvn = np.where(negative, -bvn + np.maximum(0.0, special.ndtr(-h) - special.ndtr(-k)), bvn)
    return bvn


def bivariate_normal_pdf(h: np.ndarray, k: np.ndarray, rho: np.ndarray) -> np.ndarray:
    """Standard bivariate normal density (0 where ``h`` or ``k`` is infinite)."""
    h, k, rho = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (h, k, rho)))
    finite = np.isfinite(h) & np.isfinite(k)
    out = np.zeros(h.shape)
    hh, kk, rr = h[finite], k[finite], rho[finite]
    det = 1 - rr * rr
    out[finite] = np.exp(-(hh * hh - 2 * rr * hh * kk + kk * kk) / (2 * det)) / (
        2 * math.pi * np.sqrt(det)
    )
    return out


# ----------------------------------------------------------------------------- categories


def ordered_codes(
    data: pd.DataFrame, items: Sequence[str]
) -> tuple[np.ndarray, tuple[tuple[float, ...], ...]]:
    """Answers as category codes 0..C-1 (-1 for missing) and each item's categories.

    An item's categories are the distinct answers given (lavaan's ``ordered()``); answers
    must be numbers. A category inside the range that no one chose is not a category (a
    warning says so); an item with a single category cannot be analysed.
    """
    answers = numeric_items(data, items).to_numpy()
    codes = np.full(answers.shape, -1, dtype=np.int64)
    levels = []
    for i, item in enumerate(items):
        column = answers[:, i]
        seen = np.isfinite(column)
        values = np.unique(column[seen])
        if len(values) < 2:
            raise PsychometricsError(
                f"ordered item {item!r} has {len(values)} answer categor"
                f"{'y' if len(values) == 1 else 'ies'}: every respondent gave the same "
                "answer (or none); drop the item from the model"
            )
        integral = np.all(values == np.round(values))
        if integral:
            gaps = sorted(set(range(int(values[0]), int(values[-1]) + 1)) - set(values.tolist()))
            if gaps:
                warnings.warn(
                    f"ordered item {item!r}: answer(s) {gaps} were chosen by no one; the item "
                    f"is analysed with the {len(values)} categories that were chosen "
                    f"({', '.join(f'{v:g}' for v in values)}), as lavaan does",
                    stacklevel=3,
                )
        codes[seen, i] = np.searchsorted(values, column[seen])
        levels.append(tuple(float(v) for v in values))
    return codes, tuple(levels)


# ----------------------------------------------------------------------------- sample


@dataclass(frozen=True)
class OrdinalSample:
    """One group's sample statistics of ordered items.

    Attributes
    ----------
    n : respondents used (lavaan's ``nobs``).
    n_categories : categories per item.
    thresholds : all thresholds, item by item (lavaan's ``th``).
    threshold_item : the item (position) of each threshold.
    correlations : polychoric correlation matrix (unit diagonal).
    gamma : asymptotic covariance matrix of ``statistics`` times n (lavaan's ``NACOV``).
    pairs : (i, j) item positions of each correlation, i > j, in lavaan's order (lower
        triangle by columns).
    """

    n: int
    n_categories: np.ndarray
    thresholds: np.ndarray
    threshold_item: np.ndarray
    correlations: np.ndarray
    gamma: np.ndarray
    pairs: np.ndarray

    @property
    def statistics(self) -> np.ndarray:
        """Thresholds then the pairs' correlations: the statistics the model is fitted to."""
        return np.concatenate(
            [self.thresholds, self.correlations[self.pairs[:, 0], self.pairs[:, 1]]]
        )

    @property
    def weights(self) -> np.ndarray:
        """The diagonal DWLS weights: 1 / diag(gamma) (lavaan's ``WLS.VD``)."""
        return 1.0 / np.diag(self.gamma)


def lower_pairs(p: int) -> np.ndarray:
    """(i, j) with i > j in lavaan's ``vech(diagonal = FALSE)`` order (column by column)."""
    return np.array([(i, j) for j in range(p) for i in range(j + 1, p)], dtype=int).reshape(-1, 2)


def ordinal_sample(
    codes: np.ndarray, n_categories: np.ndarray, items: Sequence[str], where: str = ""
) -> OrdinalSample:
    """Thresholds, polychoric correlations and NACOV of one group (codes from
    :func:`ordered_codes`, restricted to the group and to usable rows)."""
    n, p = codes.shape
    observed = codes >= 0
    for i, item in enumerate(items):
        freq = np.bincount(codes[observed[:, i], i], minlength=n_categories[i])
        if np.any(freq == 0):
            empty = [int(c) + 1 for c in np.flatnonzero(freq == 0)]
            raise PsychometricsError(
                f"ordered item {item!r} has empty categor{'y' if len(empty) == 1 else 'ies'} "
                f"{empty} (counting from 1){where}: frequencies are {freq.tolist()}; merge "
                "an empty category with its neighbour (recode the answers) or drop the item "
                "or the group"
            )
    cmax = int(n_categories.max())
    # padded thresholds per item: -inf, tau_1 .. tau_{C-1}, +inf (+inf beyond C)
    tau_pad = np.full((p, cmax + 1), np.inf)
    tau_pad[:, 0] = -np.inf
    proportions = np.zeros((p, cmax))
    uni_scores = np.zeros((p, cmax, cmax - 1))  # [item, category, threshold] score
    a11_inv_scores = np.zeros((p, cmax + 1, cmax - 1))  # corrected scores, row cmax = missing
    th_list, th_item = [], []
    for i in range(p):
        c = int(n_categories[i])
        freq = np.bincount(codes[observed[:, i], i], minlength=c).astype(float)
        prop = freq / freq.sum()
        tau = special.ndtri(np.cumsum(prop)[:-1])
        tau_pad[i, 1:c] = tau
        proportions[i, :c] = prop
        th_list.append(tau)
        th_item += [i] * (c - 1)
        dens = stats.norm.pdf(tau)
        for cat in range(c):
            if cat < c - 1:
                uni_scores[i, cat, cat] = dens[cat] / prop[cat]
            if cat > 0:
                uni_scores[i, cat, cat - 1] = -dens[cat - 1] / prop[cat]
        s = uni_scores[i, :c, : c - 1]
        a11 = (s * freq[:, None]).T @ s
        a11_inv_scores[i, :c, : c - 1] = s @ np.linalg.inv(a11)
    pairs = lower_pairs(p)
    rho, tables = _polychoric(codes, n_categories, tau_pad, pairs, items)
    correlations = np.eye(p)
    correlations[pairs[:, 0], pairs[:, 1]] = rho
    correlations[pairs[:, 1], pairs[:, 0]] = rho
    th_item = np.array(th_item, dtype=int)
    th_start = np.concatenate([[0], np.cumsum(n_categories - 1)])
    z = _corrected_scores(
        codes, n_categories, tau_pad, pairs, rho, tables, a11_inv_scores, th_start, cmax
    )
    gamma = n * (z.T @ z)
    return OrdinalSample(
        n, np.asarray(n_categories), np.concatenate(th_list), th_item, correlations, gamma, pairs
    )


def _cell_probabilities(tau_pad: np.ndarray, pairs: np.ndarray, rho: np.ndarray):
    """Cell probabilities P (pairs, C, C) of each pair's table, and dP/drho."""
    t1 = tau_pad[pairs[:, 0]][:, :, None]
    t2 = tau_pad[pairs[:, 1]][:, None, :]
    r = rho[:, None, None]
    cdf = bivariate_normal_cdf(t1, t2, r)
    pdf = bivariate_normal_pdf(t1, t2, r)
    prob = cdf[:, 1:, 1:] - cdf[:, :-1, 1:] - cdf[:, 1:, :-1] + cdf[:, :-1, :-1]
    dprob = pdf[:, 1:, 1:] - pdf[:, :-1, 1:] - pdf[:, 1:, :-1] + pdf[:, :-1, :-1]
    return np.clip(prob, 0.0, None), dprob


def _polychoric(codes, n_categories, tau_pad, pairs, items):
    """ML polychoric correlation of every pair given the thresholds (Fisher scoring)."""
    cmax = int(n_categories.max())
    i, j = pairs[:, 0], pairs[:, 1]
    both = (codes[:, i] >= 0) & (codes[:, j] >= 0)
    cell = np.where(both, codes[:, i] * cmax + codes[:, j], cmax * cmax)
    freq = np.zeros((len(pairs), cmax * cmax + 1))
    np.add.at(freq, (np.broadcast_to(np.arange(len(pairs)), cell.shape), cell), 1.0)
    freq = freq[:, :-1].reshape(len(pairs), cmax, cmax)
    n_pair = freq.sum(axis=(1, 2))
    if np.any(n_pair < 2):
        bad = int(np.flatnonzero(n_pair < 2)[0])
        raise PsychometricsError(
            f"items {items[i[bad]]!r} and {items[j[bad]]!r} were answered together by "
            f"{int(n_pair[bad])} respondent(s); a polychoric correlation needs many more: "
            "collect more answers or drop one of the items"
        )
    # start from the Pearson correlation of the category codes, as lavaan
    with np.errstate(invalid="ignore", divide="ignore"):
        xc = np.where(both, codes[:, i], np.nan)
        yc = np.where(both, codes[:, j], np.nan)
        xc = xc - np.nanmean(xc, axis=0)
        yc = yc - np.nanmean(yc, axis=0)
        start = np.nansum(xc * yc, axis=0) / np.sqrt(
            np.nansum(xc * xc, axis=0) * np.nansum(yc * yc, axis=0)
        )
    rho = np.clip(np.where(np.isfinite(start), start, 0.0), -_BOUND, _BOUND)
    fitted_freq = freq.copy()
    fixed = _binary_special_cases(fitted_freq, n_categories, tau_pad, pairs)

    def loglik(prob):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.sum(np.where(fitted_freq > 0, fitted_freq * np.log(prob), 0.0), axis=(1, 2))

    prob, dprob = _cell_probabilities(tau_pad, pairs, rho)
    ll = loglik(prob)
    for _ in range(_MAX_ITER):
        # Fisher scoring, each pair's step halved until its likelihood does not drop
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(prob > 0, dprob / prob, 0.0)
        score = np.sum(fitted_freq * ratio, axis=(1, 2))
        info = n_pair * np.sum(np.where(prob > 0, dprob * ratio, 0.0), axis=(1, 2))
        step = np.where(info > 0, score / np.where(info > 0, info, 1.0), 0.0)
        scale = np.ones(len(pairs))
        while True:
            candidate = np.clip(rho + scale * step, -_BOUND, _BOUND)
            prob_c, dprob_c = _cell_probabilities(tau_pad, pairs, candidate)
            ll_c = loglik(prob_c)
            worse = ll_c < ll - 1e-12 * np.abs(ll)
            if not worse.any() or scale.min() < 1e-10:
                break
            scale = np.where(worse, scale / 2, scale)
        moved = float(np.max(np.abs(candidate - rho)))
        rho, prob, dprob, ll = candidate, prob_c, dprob_c, ll_c
        if moved < 1e-12:
            break
    else:
        warnings.warn(
            f"the estimation of some polychoric correlations did not converge in {_MAX_ITER} "
            f"iterations (largest last change {moved:.2g}); check for sparse tables",
            stacklevel=4,
        )
    for index, value in fixed.items():
        rho[index] = value
    near_one = np.flatnonzero(np.abs(rho) > 0.99)
    for index in near_one:
        warnings.warn(
            f"the polychoric correlation of {items[i[index]]!r} and {items[j[index]]!r} is "
            f"{rho[index]:.3f} (nearly 1): the items are (almost) the same question",
            stacklevel=4,
        )
    return rho, freq


def _binary_special_cases(freq, n_categories, tau_pad, pairs) -> dict[int, float]:
    """lavaan's closed forms for 2 x 2 tables (empty cells, independence, median splits);
    adds 0.5 to a single empty cell of ``freq`` (in place), keeping the margins."""
    out: dict[int, float] = {}
    for index in np.flatnonzero(
        (n_categories[pairs[:, 0]] == 2) & (n_categories[pairs[:, 1]] == 2)
    ):
        table = freq[index, :2, :2]
        zeros = np.flatnonzero(table.ravel() == 0)
        if len(zeros) == 2:
            out[int(index)] = 1.0 if table[0, 0] > 0 else -1.0
            continue
        if len(zeros) == 1:  # add 0.5 to the empty cell, keeping the margins
            sign = 1.0 if zeros[0] in (0, 3) else -1.0
            table = table + sign * np.array([[0.5, -0.5], [-0.5, 0.5]])
            freq[index, :2, :2] = table
        if table[0, 0] * table[1, 1] == table[0, 1] * table[1, 0]:
            out[int(index)] = 0.0
        elif tau_pad[pairs[index, 0], 1] == 0 and tau_pad[pairs[index, 1], 1] == 0:
            out[int(index)] = -math.cos(2 * math.pi * table[0, 0] / table.sum())
    return out


def _threshold_derivatives(own, other, rho, root) -> np.ndarray:
    """phi(tau_k) [Phi((u_b - rho tau_k) / R) - Phi((l_b - rho tau_k) / R)]: the derivative of a
    cell probability with respect to threshold k of one item, for each category b of the
    other (0 for padded thresholds)."""
    inner = own[:, 1:-1, None]
    with np.errstate(invalid="ignore"):  # padding (+inf) gives inf - inf, masked below
        out = stats.norm.pdf(inner) * (
            special.ndtr((other[:, None, 1:] - rho * inner) / root)
            - special.ndtr((other[:, None, :-1] - rho * inner) / root)
        )
    return np.where(np.isfinite(inner), out, 0.0)


def _corrected_scores(
    codes, n_categories, tau_pad, pairs, rho, freq, a11_inv_scores, th_start, cmax
) -> np.ndarray:
    """Case-wise scores of all statistics, corrected for the two-step estimation:
    z = B^-1 s with B = [[A11, 0], [A21, A22]] (Muthén 1984), so NACOV = n Z'Z."""
    n, p = codes.shape
    n_th = int(th_start[-1])
    z = np.zeros((n, n_th + len(pairs)))
    missing_code = np.where(codes >= 0, codes, cmax)
    for i in range(p):
        c = int(n_categories[i])
        z[:, th_start[i] : th_start[i + 1]] = a11_inv_scores[i, missing_code[:, i], : c - 1]
    prob, dprob = _cell_probabilities(tau_pad, pairs, rho)
    with np.errstate(divide="ignore", invalid="ignore"):
        rho_score = np.where(prob > 0, dprob / prob, 0.0)  # d log P / d rho per cell
    a22 = np.sum(freq * rho_score**2, axis=(1, 2))
    # d P_ab / d tau1_k = D1[k, b] ([k == a] - [k == a-1]); likewise for item 2
    r = np.sqrt(1 - rho * rho)[:, None, None]
    t1 = tau_pad[pairs[:, 0]]  # (pairs, cmax+1)
    t2 = tau_pad[pairs[:, 1]]
    rr = rho[:, None, None]
    d1 = _threshold_derivatives(t1, t2, rr, r)  # (pairs, thresholds of 1, categories of 2)
    d2 = _threshold_derivatives(t2, t1, rr, r)  # (pairs, thresholds of 2, categories of 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(prob > 0, freq * rho_score / prob, 0.0)  # (pairs, a, b)
    a21_1 = np.sum(d1 * (q[:, :-1, :] - q[:, 1:, :]), axis=2)  # (pairs, thresholds of 1)
    qt = q.transpose(0, 2, 1)
    a21_2 = np.sum(d2 * (qt[:, :-1, :] - qt[:, 1:, :]), axis=2)
    # per pair, the correction a_i(category) = A21[pair, th_i] . (A11_i^-1 s_i(category))
    corr1 = np.einsum("pk,pck->pc", a21_1, a11_inv_scores[pairs[:, 0]])  # (pairs, cmax+1)
    corr2 = np.einsum("pk,pck->pc", a21_2, a11_inv_scores[pairs[:, 1]])
    table = np.zeros((len(pairs), cmax + 1, cmax + 1))
    table[:, :cmax, :cmax] = rho_score
    table -= corr1[:, :, None] + corr2[:, None, :]
    table /= a22[:, None, None]
    flat = table.reshape(len(pairs), -1)
    index = missing_code[:, pairs[:, 0]] * (cmax + 1) + missing_code[:, pairs[:, 1]]
    z[:, n_th:] = flat[np.arange(len(pairs))[None, :], index]
    return z


# ----------------------------------------------------------------------------- public API


@dataclass(frozen=True)
class PolychoricResult:
    """Thresholds and polychoric correlations of ordered items (two-step, as lavaan).

    Attributes
    ----------
    thresholds : columns :data:`THRESHOLD_COLUMNS` (``threshold`` is ``t1``, ``t2``, ... as
        lavaan's ``x1|t1``).
    correlations : item x item polychoric correlation matrix.
    n_obs : respondents used; ``missing`` the option used.
    """

    thresholds: pd.DataFrame
    correlations: pd.DataFrame
    n_obs: int
    missing: str


def usable_rows(codes: np.ndarray, missing: str) -> np.ndarray:
    """Rows kept: complete rows (listwise) or rows with at least one answer (pairwise)."""
    if missing not in ORDINAL_MISSING_OPTIONS:
        raise PsychometricsError(
            f"missing must be one of {ORDINAL_MISSING_OPTIONS} for ordered items, got {missing!r}"
        )
    observed = codes >= 0
    return observed.all(axis=1) if missing == "listwise" else observed.any(axis=1)


def polychoric_correlations(
    data: pd.DataFrame, items: Sequence[str], *, missing: str = "pairwise"
) -> PolychoricResult:
    """Thresholds and polychoric correlations of ``items`` (lavaan's ``lavCor(..., ordered =
    items)`` and the ``th`` / ``cov`` of ``lavInspect(fit, "sampstat")`` under WLSMV).

    Parameters
    ----------
    data : one row per respondent; answers as numbers (NaN = missing).
    items : the ordered items.
    missing : ``"pairwise"`` or ``"listwise"`` (:data:`ORDINAL_MISSING_OPTIONS`).
    """
    items = list(items)
    codes, _ = ordered_codes(data, items)
    codes = codes[usable_rows(codes, missing)]
    n_categories = np.array([int(c.max()) + 1 for c in codes.T])
    sample = ordinal_sample(codes, n_categories, items)
    thresholds = pd.DataFrame(
        [
            (items[i], f"t{k + 1}", float(v))
            for i, k, v in zip(
                sample.threshold_item,
                _threshold_numbers(sample.threshold_item),
                sample.thresholds,
                strict=True,
            )
        ],
        columns=list(THRESHOLD_COLUMNS),
    )
    correlations = pd.DataFrame(sample.correlations, index=items, columns=items)
    return PolychoricResult(thresholds, correlations, sample.n, missing)


def _threshold_numbers(threshold_item: np.ndarray) -> np.ndarray:
    """0, 1, 2, ... within each item."""
    starts = np.r_[0, np.flatnonzero(np.diff(threshold_item)) + 1]
    return np.arange(len(threshold_item)) - np.repeat(
        starts, np.diff(np.r_[starts, len(threshold_item)])
    )
