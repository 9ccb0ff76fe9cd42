"""The sampling design: respondents reached through recruitment units.

Professionals are reached through their wijkteam, informal actors through their organisation
or initiative, and people in one unit answer alike. What the index's uncertainty needs from
that design is computed here, from the unit codes the questionnaire stores:

* **units**: per area x side x wave, each listed unit is one unit; a respondent with no
  listed unit (blank or ``individual``) is a unit of one;
* **between- and within-unit covariance** of the seven components, per wave and side, from
  a multivariate one-way ANOVA of units nested in areas (areas as fixed effects; the
  unbalanced estimator of Searle, Casella & McCulloch 1992, section 3.6, applied to every
  pair of components): with the mean-square-and-product matrices between units within areas
  (``MSB``, U - S degrees of freedom) and within units (``MSW``, N - U) and
  ``n0 = (N - sum_a sum_i n_ai^2 / N_a) / (U - S)``, the between-unit covariance is
  ``(MSB - MSW) / n0`` with negative eigenvalues set to 0 and the within-unit covariance is
  ``MSW``. A wave with few units says little about the between-unit covariance, so it is
  pooled with the methodology's default ICC, which counts as ``uncertainty.unit_icc_units``
  units' worth of evidence;
* **ICC by unit** of a component (or of a weighted sum of components, such as a respondent's
  side score): ``b / (b + w)`` with ``b`` and ``w`` its between- and within-unit variance;
* **design effect** (Kish 1965): ``deff = 1 + (m - 1) ICC`` with ``m = sum n_i^2 / sum n_i``,
  the respondent-weighted mean unit size; the effective sample size is ``n / deff``.

Nothing here reads files; every function takes arrays or frames and returns them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from samenspel.instrument.model import UNIT_NOT_LISTED

# How each side of an area x wave was resampled (design.csv, column `interval`).
INTERVAL_METHODS = {
    "units": "unit effects and respondents resampled (two-stage residual bootstrap)",
    "one unit": "one listed unit reached: its between-unit variation is taken from the "
    "other areas of the wave",
    "individuals": "no listed unit: every respondent is a unit of one",
    "respondents": "respondents resampled; no unit codes in the wave (independent draws)",
}


def listed(unit: pd.Series) -> np.ndarray:
    """True where a respondent named a listed unit (not blank, not ``individual``)."""
    text = unit.fillna("").astype(str).str.strip()
    return ((text != "") & (text != UNIT_NOT_LISTED)).to_numpy()


def clustered_waves(unit: pd.Series | None, wave: pd.Series) -> set[str]:
    """The waves in which at least one respondent named a listed unit."""
    if unit is None:
        return set()
    return set(wave.astype(str)[listed(unit)].unique())


def unit_codes(unit: pd.Series, stratum: np.ndarray) -> np.ndarray:
    """An integer per respondent, equal within a listed unit of a stratum and unique for
    every other respondent (a unit of one)."""
    text = unit.fillna("").astype(str).str.strip().to_numpy(dtype=object)
    own = np.array([f"\x00{i}" for i in range(len(text))], dtype=object)
    key = pd.Series(np.where(listed(unit), text, own)) + "|" + pd.Series(stratum).astype(str)
    return pd.factorize(key)[0]


@dataclass(frozen=True)
class UnitCovariance:
    """Between- and within-unit covariance of k measures, and what they rest on.

    ``residuals`` holds, per unit of two or more respondents, its mean minus its stratum's
    mean (k measures): the raw material of a resample of unit effects.
    """

    between: np.ndarray  # (k, k), positive semi-definite
    within: np.ndarray  # (k, k)
    units: int
    strata: int
    residuals: np.ndarray  # (units with n >= 2, k)

    @property
    def df(self) -> int:
        """Degrees of freedom of the between-unit mean squares: units minus strata."""
        return self.units - self.strata

    def icc(self, weights: np.ndarray | None = None) -> np.ndarray | float:
        """ICC of each measure, or of the weighted sum ``weights @ measures``."""
        if weights is None:
            b, w = np.diag(self.between), np.diag(self.within)
        else:
            b, w = weights @ self.between @ weights, weights @ self.within @ weights
        with np.errstate(invalid="ignore", divide="ignore"):
            return b / (b + w)

    def pooled_with(self, icc: float, units: float) -> UnitCovariance:
        """Pooled with a prior of ``icc`` on every measure (between = icc / (1 - icc) *
        within) worth ``units`` units, by degrees of freedom."""
        prior = icc / (1.0 - icc) * self.within
        weight = max(self.df, 0)
        between = (units * prior + weight * self.between) / (units + weight)
        return UnitCovariance(between, self.within, self.units, self.strata, self.residuals)


def unit_covariance(values: np.ndarray, stratum: np.ndarray, unit: np.ndarray) -> UnitCovariance:
    """Between- and within-unit covariance (see the module docstring).

    ``values`` (N, k) with NaN for missing (filled with the stratum mean, which adds no
    spread); ``stratum`` and ``unit`` are integer codes, unit codes unique across strata.
    Where the data cannot say (no stratum with two units, or no unit with two respondents)
    the between-unit covariance is 0 and ``df`` is 0 or less.
    """
    _, s = np.unique(stratum, return_inverse=True)
    _, u = np.unique(unit, return_inverse=True)
    n, k = values.shape
    n_units, n_strata = int(u.max(initial=-1)) + 1, int(s.max(initial=-1)) + 1
    if n_units - n_strata < 1 or n - n_units < 1:
        within = _filled_covariance(values, s, n_strata)
        return UnitCovariance(np.zeros((k, k)), within, n_units, n_strata, np.zeros((0, k)))
    y = _fill_with_stratum_means(values, s, n_strata)
    size_u = np.bincount(u, minlength=n_units).astype(float)
    size_s = np.bincount(s, minlength=n_strata).astype(float)
    mean_u = _group_means(y, u, n_units, size_u)
    mean_s = _group_means(y, s, n_strata, size_s)
    stratum_of_unit = np.zeros(n_units, dtype=np.int64)
    stratum_of_unit[u] = s
    within = y - mean_u[u]
    between = mean_u - mean_s[stratum_of_unit]
    msw = within.T @ within / (n - n_units)
    msb = (between * size_u[:, None]).T @ between / (n_units - n_strata)
    n0 = (n - float((size_u**2 / size_s[stratum_of_unit]).sum())) / (n_units - n_strata)
    eigenvalues, vectors = np.linalg.eigh((msb - msw) / n0)
    between_cov = (vectors * np.clip(eigenvalues, 0.0, None)) @ vectors.T
    return UnitCovariance(between_cov, msw, n_units, n_strata, between[size_u >= 2])


def _group_means(y: np.ndarray, group: np.ndarray, count: int, sizes: np.ndarray) -> np.ndarray:
    sums = np.zeros((count, y.shape[1]))
    np.add.at(sums, group, y)
    return sums / sizes[:, None]


def _fill_with_stratum_means(values: np.ndarray, s: np.ndarray, n_strata: int) -> np.ndarray:
    ok = ~np.isnan(values)
    sums = np.zeros((n_strata, values.shape[1]))
    counts = np.zeros((n_strata, values.shape[1]))
    np.add.at(sums, s, np.where(ok, values, 0.0))
    np.add.at(counts, s, ok)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.nan_to_num(sums / counts)
    return np.where(ok, values, means[s])


def _filled_covariance(values: np.ndarray, s: np.ndarray, n_strata: int) -> np.ndarray:
    """Pooled within-stratum covariance (the within-unit one when units cannot be told)."""
    y = _fill_with_stratum_means(values, s, n_strata)
    sizes = np.bincount(s, minlength=n_strata).astype(float)
    centred = y - _group_means(y, s, n_strata, sizes)[s]
    return centred.T @ centred / max(len(y) - n_strata, 1)


def mean_unit_size(sizes: np.ndarray) -> float:
    """Respondent-weighted mean unit size ``sum n_i^2 / sum n_i`` (Kish)."""
    sizes = np.asarray(sizes, dtype=float)
    return float((sizes**2).sum() / sizes.sum()) if sizes.sum() else np.nan


def design_effect(sizes: np.ndarray, icc: float) -> float:
    """Kish's design effect ``1 + (m - 1) ICC`` for units of ``sizes`` respondents."""
    return 1.0 + (mean_unit_size(sizes) - 1.0) * icc


def unit_effect_pool(
    covariance: UnitCovariance, rng: np.random.Generator, minimum: int = 20, size: int = 2000
) -> np.ndarray:
    """Unit effects to resample, with covariance exactly ``covariance.between``.

    The units' own residuals, centred, whitened by their covariance and coloured by the
    between-unit covariance (the rescaled residual bootstrap of Carpenter, Goldstein &
    Rasbash 2003), when there are at least ``minimum`` of them; otherwise ``size`` normal
    draws with that covariance. Returns (effects, k) as float32.
    """
    colour = _symmetric_root(covariance.between)
    residuals = covariance.residuals
    if len(residuals) >= minimum:
        centred = residuals - residuals.mean(axis=0)
        spread = centred.T @ centred / (len(centred) - 1)
        raw = centred @ _symmetric_root(spread, inverse=True)
    else:
        raw = rng.standard_normal((size, covariance.between.shape[0]))
    return (raw @ colour).astype(np.float32)


def _symmetric_root(matrix: np.ndarray, inverse: bool = False) -> np.ndarray:
    """Symmetric square root of a positive semi-definite matrix (pseudo-inverse root with
    ``inverse``: directions without spread stay 0)."""
    values, vectors = np.linalg.eigh(matrix)
    keep = values > max(values.max(initial=0.0), 0.0) * 1e-10
    roots = np.zeros_like(values)
    roots[keep] = values[keep] ** (-0.5 if inverse else 0.5)
    return (vectors * roots) @ vectors.T
