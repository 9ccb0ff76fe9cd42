"""The sampling design: respondents reached through recruitment units.

Professionals are reached through their wijkteam, informal actors through their organisation
or initiative, and people in one unit answer alike. What the index's uncertainty needs from
that design is computed here, from the unit codes the questionnaire stores:

* **units**: per area x side x wave, each listed unit is one unit; a respondent with no
  listed unit (blank or ``individual``) is a unit of one;
* **ICC by unit**: the one-way ANOVA intraclass correlation of units nested in the area x
  side strata (strata as fixed effects; Searle, Casella & McCulloch 1992, section 3.6, for
  the unbalanced case): with MSB the mean square between units within strata (U - S
  degrees of freedom), MSW the mean square within units (N - U) and
  ``n0 = (N - sum_s sum_i n_si^2 / N_s) / (U - S)``,
  ``ICC = (MSB - MSW) / (MSB + (n0 - 1) MSW)``, truncated at 0;
* **design effect** (Kish 1965): ``deff = 1 + (m - 1) ICC`` with ``m = sum n_i^2 / sum n_i``,
  the respondent-weighted mean unit size; the effective sample size is ``n / deff``;
* **degrees of freedom** of a side's interval: the between-unit variance of a side is
  estimated from its k units, with ``k - 1`` degrees of freedom when the units weigh
  alike; units of unequal size weigh unequally, so the degrees of freedom are
  ``(k - 1) * k_eff / k`` with Satterthwaite's effective number of units
  ``k_eff = (sum q_i)^2 / sum q_i^2`` and ``q_i = n_i (1 + (n_i - 1) ICC)``, the variance of a
  unit's total under the one-way random-effects model. A side reached through one unit
  only gets ``n - 1`` and is marked: its interval cannot reflect between-unit variation.

Nothing here reads files; every function takes arrays or frames and returns them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from samenspel.instrument.model import UNIT_NOT_LISTED

# Interval methods of a side in an area x wave (design.csv, column `interval`).
INTERVAL_METHODS = {
    "units": "units resampled (Rao-Wu rescaling bootstrap) and a t interval",
    "one unit": "one unit reached: respondents resampled; between-unit variation not reflected",
    "respondents": "respondents resampled (no unit codes in the wave): percentile interval",
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


def unit_keys(unit: pd.Series) -> np.ndarray:
    """A key per respondent that is equal within a listed unit and unique for the others."""
    text = unit.fillna("").astype(str).str.strip().to_numpy(dtype=object)
    own = np.array([f"\x00{i}" for i in range(len(text))], dtype=object)
    return np.where(listed(unit), text, own)


def nested_icc(values: np.ndarray, stratum: np.ndarray, unit: np.ndarray) -> dict[str, float]:
    """ICC of units nested in strata, from a one-way ANOVA (see the module docstring).

    ``values`` is one score per respondent (NaN left out), ``stratum`` and ``unit`` are
    integer codes (unit codes unique across strata). Returns ``icc`` (NaN when there are
    no two units in a stratum or no within-unit variance), ``msb``, ``msw``, ``n0``,
    ``n``, ``units`` and ``strata``.
    """
    keep = ~np.isnan(values)
    y, s, u = values[keep], stratum[keep], unit[keep]
    _, u = np.unique(u, return_inverse=True)
    _, s = np.unique(s, return_inverse=True)
    n, n_units, n_strata = len(y), int(u.max(initial=-1)) + 1, int(s.max(initial=-1)) + 1
    out = {"n": float(n), "units": float(n_units), "strata": float(n_strata)}
    nan = {"icc": np.nan, "msb": np.nan, "msw": np.nan, "n0": np.nan}
    if n_units - n_strata < 1 or n - n_units < 1:
        return out | nan
    size_u = np.bincount(u, minlength=n_units).astype(float)
    mean_u = np.bincount(u, weights=y, minlength=n_units) / size_u
    size_s = np.bincount(s, minlength=n_strata).astype(float)
    mean_s = np.bincount(s, weights=y, minlength=n_strata) / size_s
    stratum_of_unit = np.zeros(n_units, dtype=np.int64)
    stratum_of_unit[u] = s
    msw = float(((y - mean_u[u]) ** 2).sum()) / (n - n_units)
    msb = float((size_u * (mean_u - mean_s[stratum_of_unit]) ** 2).sum()) / (n_units - n_strata)
    n0 = (n - float((size_u**2 / size_s[stratum_of_unit]).sum())) / (n_units - n_strata)
    if msw <= 0 or msb + (n0 - 1) * msw <= 0:
        return out | nan
    icc = max(0.0, (msb - msw) / (msb + (n0 - 1) * msw))
    return out | {"icc": icc, "msb": msb, "msw": msw, "n0": n0}


def mean_unit_size(sizes: np.ndarray) -> float:
    """Respondent-weighted mean unit size ``sum n_i^2 / sum n_i`` (Kish)."""
    sizes = np.asarray(sizes, dtype=float)
    return float((sizes**2).sum() / sizes.sum()) if sizes.sum() else np.nan


def design_effect(sizes: np.ndarray, icc: float) -> float:
    """Kish's design effect ``1 + (m - 1) ICC`` for units of ``sizes`` respondents."""
    return 1.0 + (mean_unit_size(sizes) - 1.0) * icc


def satterthwaite_df(sizes: np.ndarray, icc: float) -> float:
    """Degrees of freedom of a side's between-unit variance from its units' sizes.

    ``(k - 1) * k_eff / k`` with ``k_eff = (sum q)^2 / sum q^2``,
    ``q_i = n_i (1 + (n_i - 1) ICC)``; ``n - 1`` for a single unit (see the module docstring).
    """
    sizes = np.asarray(sizes, dtype=float)
    k = len(sizes)
    if k == 1:
        return float(sizes[0] - 1)
    q = sizes * (1.0 + (sizes - 1.0) * icc)
    return float((k - 1) * q.sum() ** 2 / (q**2).sum() / k)


def stratum_unit_sizes(stratum: np.ndarray, key: np.ndarray, n_strata: int) -> list[np.ndarray]:
    """Per stratum code 0..n_strata-1, the respondent counts of its units (``key`` per
    respondent); strata without respondents get an empty array."""
    frame = pd.DataFrame({"stratum": stratum, "key": key})
    sizes = frame.groupby(["stratum", "key"], sort=False).size()
    grouped = sizes.groupby(level="stratum", sort=True)
    found = {int(s): group.to_numpy() for s, group in grouped}
    return [found.get(s, np.zeros(0, dtype=np.int64)) for s in range(n_strata)]
