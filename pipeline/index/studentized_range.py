"""The studentized range distribution, vectorised over many (q, df) at once.

Games-Howell needs a tail probability and a critical value of the studentized range for
every pair of areas, each with its own Welch df. ``scipy.stats.studentized_range`` computes
the same distribution, but each finite-df value takes milliseconds (a double integral per
call; its ``ppf`` a tenth of a second), which at a national scale (hundreds of thousands of
pairs per wave) would take hours. Here the same two integrals are evaluated on fixed grids
for all pairs at once:

- the range of k standard normals (df = infinity), ``W_k(w) = k ∫ φ(z) [Φ(z) - Φ(z - w)]^(k-1)
  dz``, is tabulated once per k on a grid of w (trapezoid rule in z, which converges
  geometrically for this smooth, fast-decaying integrand) and interpolated with a cubic
  spline;
- the studentized range is the range divided by an independent ``s = sqrt(chi2_df / df)``, so
  ``P(Q > q) = ∫ f_df(s) (1 - W_k(q s)) ds``: Gauss-Legendre over ±12 standard deviations of
  s around 1 (from 0 for small df), with the weights renormalised over that window.

tests/pipeline/test_compare_golden.py checks both functions against
``scipy.stats.studentized_range`` to 1e-7 and R's ``ptukey``/``qtukey``.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from scipy import interpolate, special

#: Ranges beyond this many standard deviations are taken as certain to be exceeded (W = 1):
#: P(range of 30 normals > 13) < 1e-12.
_W_MAX = 13.0
_W_STEP = 0.005
_Z = np.linspace(-9.0, 9.0, 1801)
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(64)
#: Chebyshev nodes in 1/df for the critical values (df from 2 to infinity).
_CRIT_NODES = 40
_CRIT_MAX_INVERSE_DF = 0.5


@cache
def _range_cdf(k: int) -> interpolate.CubicSpline:
    """``W_k``, the CDF of the range of k independent standard normals, as a spline in w."""
    w = np.arange(0.0, _W_MAX + _W_STEP / 2, _W_STEP)
    phi, big_phi = special.ndtr(_Z), np.exp(-0.5 * _Z**2) / np.sqrt(2 * np.pi)
    values = np.empty_like(w)
    for start in range(0, len(w), 256):  # in blocks: a block is 256 x 1801 values
        block = w[start : start + 256, None]
        inside = np.clip(phi - special.ndtr(_Z - block), 0.0, 1.0)
        values[start : start + 256] = np.trapezoid(k * big_phi * inside ** (k - 1), _Z, axis=1)
    return interpolate.CubicSpline(w, np.clip(values, 0.0, 1.0))


def _s_nodes(df: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Quadrature nodes (one row per df) and normalised weights for s = sqrt(chi2_df / df)."""
    spread = 12.0 / np.sqrt(2.0 * df)  # s has SD about 1 / sqrt(2 df)
    low, high = np.maximum(0.0, 1.0 - spread), 1.0 + spread
    s = (low + high)[:, None] / 2 + (high - low)[:, None] / 2 * _NODES[None, :]
    nu = df[:, None]
    with np.errstate(divide="ignore"):
        log_density = (nu - 1) * np.log(s) - nu * s**2 / 2  # constants cancel below
    log_density -= log_density.max(axis=1, keepdims=True)
    weights = _WEIGHTS[None, :] * np.exp(log_density)
    return s, weights / weights.sum(axis=1, keepdims=True)


def studentized_range_sf(q, k: int, df) -> np.ndarray:
    """``P(Q > q)`` for the studentized range of ``k`` means with ``df`` degrees of freedom
    (``scipy.stats.studentized_range.sf``, R's ``ptukey(q, k, df, lower.tail = FALSE)``).
    ``q`` and ``df`` broadcast against each other; ``df`` may be ``inf``."""
    q, df = np.broadcast_arrays(np.asarray(q, dtype=float), np.asarray(df, dtype=float))
    shape = q.shape
    q, df = q.ravel(), df.ravel()
    cdf = _range_cdf(int(k))
    out = np.full(q.shape, np.nan)
    finite = np.isfinite(q) & (df > 1)
    infinite = finite & np.isinf(df)
    out[infinite] = 1.0 - cdf(np.clip(q[infinite], 0.0, _W_MAX))
    rest = finite & ~infinite
    if rest.any():
        s, weights = _s_nodes(df[rest])
        tail = 1.0 - cdf(np.clip(np.maximum(q[rest], 0.0)[:, None] * s, 0.0, _W_MAX))
        out[rest] = (weights * tail).sum(axis=1)
    return np.clip(out, 0.0, 1.0).reshape(shape)


def _critical_by_bisection(probability: float, k: int, df: np.ndarray) -> np.ndarray:
    low, high = np.zeros_like(df), np.full_like(df, _W_MAX * 4)
    for _ in range(60):  # 52 halvings reach double precision from a width of 52
        middle = (low + high) / 2
        above = studentized_range_sf(middle, k, df) > 1 - probability
        low, high = np.where(above, middle, low), np.where(above, high, middle)
    return (low + high) / 2


@cache
def _critical_interpolant(probability: float, k: int) -> np.polynomial.Chebyshev:
    # the critical value is a smooth function of 1/df on [0, 1/2] (df >= 2): interpolated
    # through Chebyshev nodes instead of a root search per pair
    x = np.polynomial.chebyshev.chebpts1(_CRIT_NODES)
    inverse_df = (x + 1) / 2 * _CRIT_MAX_INVERSE_DF
    with np.errstate(divide="ignore"):
        df = np.where(inverse_df > 0, 1 / inverse_df, np.inf)
    values = _critical_by_bisection(probability, k, df)
    return np.polynomial.Chebyshev.fit(inverse_df, values, _CRIT_NODES - 1, [0, 0.5])


def studentized_range_ppf(probability: float, k: int, df) -> np.ndarray:
    """The ``probability`` quantile of the studentized range of ``k`` means with ``df``
    degrees of freedom (``scipy.stats.studentized_range.ppf``, R's ``qtukey``). NaN for df
    under 2."""
    df = np.asarray(df, dtype=float)
    with np.errstate(divide="ignore"):
        inverse_df = np.where(np.isinf(df), 0.0, 1 / df)
    values = _critical_interpolant(float(probability), int(k))(inverse_df)
    return np.where(df >= 2, values, np.nan)
