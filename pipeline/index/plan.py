"""Sample-size planner: respondents per side and area for a chosen CI half-width, and how
many units (wijkteams, organisations) and respondents per unit that takes.

The side index is (without missing components exactly) the mean over respondents of each
respondent's own weighted pillar composite, so its variance is ``s^2 / n`` with ``s`` the
SD of that composite. The area index combines the two sides; by the delta method

    geometric  I = sqrt(P F):  var(I) = (F / 4P) s_P^2 / n + (P / 4F) s_F^2 / n
    arithmetic I = (P + F)/2:  var(I) = (s_P^2 + s_F^2) / 4n
    minimum:                   var(I) = s^2 / n of the lower side

and the CI half-width is ``z * sqrt(var(I))``, so ``n = z^2 * n var(I) / h^2``. The spreads
and side levels come from earlier waves (per area x wave) or, without data, from the
simulator's generating model (a large draw per area and side).

Respondents reached through units answer alike, which multiplies the variance by Kish's
design effect ``1 + (m - 1) ICC`` for ``m`` respondents a unit (the index's intervals do
the same, see :mod:`.design`). With ``k`` units a side and ``V = n var(I)``:

    h^2 = z^2 V (1 + (m - 1) ICC) / (k m)   =>   m = V (1 - ICC) / (h^2 k / z^2 - V ICC),

which has a solution only when ``k > z^2 V ICC / h^2``: below that many units no number of
respondents per unit reaches the half-width. The ICC is the side score's ICC by unit from
earlier waves with unit codes, or the methodology's ``uncertainty.unit_icc``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from samenspel.pipeline.index.estimate import SIDES, respondent_side_scores
from samenspel.pipeline.methodology import Methodology
from scipy.stats import norm

PLAN_COLUMNS = {
    "area": "area id",
    "wave": "wave the spreads come from ('simulated' without data)",
    "index_professional": "side index of the professionals",
    "index_informal": "side index of the informal actors",
    "sd_professional": "SD of the professionals' respondent-level side composite",
    "sd_informal": "SD of the informal actors' respondent-level side composite",
    "half_width": "target half-width of the area index's CI, in index points",
    "n_per_side": "respondents needed per side in this area for that half-width",
    "source": "earlier waves (store) or simulator",
}


def index_variance_per_respondent(
    professional: np.ndarray,
    informal: np.ndarray,
    sd_professional: np.ndarray,
    sd_informal: np.ndarray,
    aggregation: str,
) -> np.ndarray:
    """``n * var(area index)`` by the delta method (see the module docstring)."""
    if aggregation == "geometric":
        return (informal / professional) * sd_professional**2 / 4 + (
            professional / informal
        ) * sd_informal**2 / 4
    if aggregation == "arithmetic":
        return (sd_professional**2 + sd_informal**2) / 4
    return np.where(professional <= informal, sd_professional**2, sd_informal**2)


def plan_sample_size(
    components: pd.DataFrame,
    area: pd.Series,
    wave: pd.Series,
    side: pd.Series,
    method: Methodology,
    half_width: float,
    source: str = "store",
) -> pd.DataFrame:
    """Respondents per side needed per area x wave (columns :data:`PLAN_COLUMNS`)."""
    if not half_width > 0:
        raise ValueError(f"half_width must be above 0 index points, got {half_width}")
    frame = pd.DataFrame(
        {
            "area": area.astype(str).to_numpy(),
            "wave": wave.astype(str).to_numpy(),
            "side": side.to_numpy(),
            "score": respondent_side_scores(components, method),
        }
    )
    frame = frame[frame.side.isin(SIDES)]
    stats = frame.groupby(["area", "wave", "side"])["score"].agg(["mean", "std"]).unstack("side")
    stats = stats.dropna()
    professional, informal = stats[("mean", SIDES[0])], stats[("mean", SIDES[1])]
    sd_p, sd_i = stats[("std", SIDES[0])], stats[("std", SIDES[1])]
    per_respondent = index_variance_per_respondent(
        professional.to_numpy(),
        informal.to_numpy(),
        sd_p.to_numpy(),
        sd_i.to_numpy(),
        method.side_aggregation,
    )
    z = norm.ppf(0.5 + method.confidence / 2)
    table = stats.index.to_frame(index=False)
    table["index_professional"] = professional.to_numpy()
    table["index_informal"] = informal.to_numpy()
    table["sd_professional"] = sd_p.to_numpy()
    table["sd_informal"] = sd_i.to_numpy()
    table["half_width"] = half_width
    table["n_per_side"] = np.ceil(z**2 * per_respondent / half_width**2).astype(int)
    table["source"] = source
    return table[list(PLAN_COLUMNS)]


UNIT_PLAN_COLUMNS = {
    "units_per_side": "units (wijkteams, organisations) reached per side and area",
    "respondents_per_unit": "respondents needed in each unit ('' when no number is enough)",
    "respondents_per_side": "units_per_side * respondents_per_unit",
    "design_effect": "1 + (respondents_per_unit - 1) * icc",
    "icc": "ICC by unit of the side score used",
    "half_width": "target half-width of the area index's CI, in index points",
}


def plan_units(
    plan: pd.DataFrame,
    method: Methodology,
    icc: float,
    coverage: float = 0.9,
    units: range = range(2, 11),
) -> pd.DataFrame:
    """Respondents per unit needed with 2-10 units a side (:data:`UNIT_PLAN_COLUMNS`).

    ``plan`` is :func:`plan_sample_size`'s table; the need is that of the area at the
    ``coverage`` quantile of ``n_per_side`` (so enough for that share of the areas).
    """
    if not 0 <= icc < 1:
        raise ValueError(f"icc must be at least 0 and below 1, got {icc}")
    z = norm.ppf(0.5 + method.confidence / 2)
    half_width = float(plan["half_width"].iloc[0])
    per_respondent = float(np.quantile(plan["n_per_side"], coverage)) * half_width**2 / z**2
    rows = []
    for k in units:
        room = half_width**2 * k / z**2 - per_respondent * icc
        m = np.ceil(per_respondent * (1 - icc) / room) if room > 0 else np.nan
        m = max(m, 1.0) if m == m else m
        rows.append(
            {
                "units_per_side": k,
                "respondents_per_unit": m,
                "respondents_per_side": k * m,
                "design_effect": 1 + (m - 1) * icc,
                "icc": icc,
                "half_width": half_width,
            }
        )
    return pd.DataFrame(rows, columns=list(UNIT_PLAN_COLUMNS))


def summarise_plan(plan: pd.DataFrame, coverage: float = 0.9) -> dict[str, float]:
    """Median need over areas, and the n that is enough for ``coverage`` of the areas."""
    return {
        "half_width": float(plan["half_width"].iloc[0]),
        "median_n_per_side": float(np.median(plan["n_per_side"])),
        "coverage": coverage,
        "n_per_side_for_coverage": float(np.ceil(np.quantile(plan["n_per_side"], coverage))),
        "area_waves": len(plan),
    }
