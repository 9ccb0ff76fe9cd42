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
from scipy.stats import norm

from samenspel.instrument.model import UNIT_NOT_LISTED, AreaRegistry
from samenspel.pipeline.index.estimate import SIDES, respondent_side_scores
from samenspel.pipeline.methodology import Methodology

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


# plan.csv: one row per area x side x unit of the registry; the input of `samenspel progress`.
UNIT_TARGET_COLUMNS = {
    "area": "area id from the area registry",
    "area_name": "area name from the registry",
    "municipality": "municipality name from the registry",
    "side": "professional or informal",
    "unit": "unit code from the registry ('individual' when the side lists no units)",
    "unit_name": "unit name from the registry",
    "members": "the unit's members as the registry lists them ('' when not listed)",
    "target": "respondents to reach in this unit (at most its members)",
    "share_of_members": "target / members: the share of the unit's members to reach",
    "side_target": "respondents to reach on this side of the area (sum of its units' targets)",
    "side_members": "members of the side's listed units ('' when a unit's members are unknown)",
    "design_effect": "Kish's design effect of the side with these targets: "
    "1 + (sum target^2 / sum target - 1) * icc",
    "half_width": "half-width of the area index's CI that the targets of both sides give",
    "requested_half_width": "the half-width asked for (--half-width; '' with --respondents)",
    "requested_respondents": "respondents per side asked for (--respondents; '' with --half-width)",
    "reachable": "true when the listed units have members enough for the request",
    "icc": "ICC by unit of the side score used",
    "spread_wave": "wave the area's spreads and side levels come from",
    "spread_source": "where the spreads come from: the store, other areas of the store "
    "(the area has no earlier data), or the simulator",
}


def _side_terms(spreads: pd.DataFrame, aggregation: str) -> tuple[np.ndarray, np.ndarray]:
    """Each side's share of ``n * var(area index)``: the variance formula of
    :func:`index_variance_per_respondent` with the other side's spread set to 0 (it is a
    sum of one term per side for every aggregation)."""
    p, i = spreads["index_professional"].to_numpy(), spreads["index_informal"].to_numpy()
    sd_p, sd_i = spreads["sd_professional"].to_numpy(), spreads["sd_informal"].to_numpy()
    zero = np.zeros(len(spreads))
    return (
        index_variance_per_respondent(p, i, sd_p, zero, aggregation),
        index_variance_per_respondent(p, i, zero, sd_i, aggregation),
    )


def _allocation(members: list[int | None]) -> np.ndarray:
    """Each unit's share of a side's respondents: proportional to its members; a unit whose
    members are not listed counts as the side's mean listed unit (all alike without any)."""
    known = [m for m in members if m is not None]
    fill = float(np.mean(known)) if known else 1.0
    sizes = np.array([fill if m is None else float(m) for m in members])
    return sizes / sizes.sum()


def _unit_targets(n: float, shares: np.ndarray, members: list[int | None]) -> np.ndarray:
    """``n`` respondents over the units in proportion to ``shares`` as whole numbers that sum
    to ``n`` (largest remainders), none above its unit's members; ``n`` is at most the
    side's members."""
    exact = n * shares
    targets = np.floor(exact + 1e-9)
    caps = np.array([np.inf if m is None else m for m in members], dtype=float)
    for unit in np.argsort(-(exact - targets), kind="stable"):
        if targets.sum() >= n:
            break
        if targets[unit] < caps[unit]:
            targets[unit] += 1
    return np.minimum(targets, caps)


def _side_variance(term: float, targets: np.ndarray, icc: float) -> float:
    """``var`` contribution of one side: ``term * deff / n`` with the targets' unit sizes."""
    n = targets.sum()
    if n <= 0:
        return np.inf
    return term * (1.0 + (float((targets**2).sum()) / n - 1.0) * icc) / n


def plan_per_unit(
    areas: AreaRegistry,
    spreads: pd.DataFrame,
    method: Methodology,
    icc: float,
    half_width: float | None = None,
    respondents: int | None = None,
) -> pd.DataFrame:
    """Targets per area x side x unit of the registry (columns :data:`UNIT_TARGET_COLUMNS`).

    ``spreads`` is :func:`plan_sample_size`'s table (side levels and spreads per area x
    wave); each area takes its latest wave, an area without data the median variance terms
    of the others. Give ``half_width`` (the respondents per side it needs, equal on both
    sides) or ``respondents`` (per side; the half-width they give). Respondents of a side
    are spread over its units in proportion to their members, so the mean unit size of the
    design effect is ``n * sum(share^2)``; solving ``z^2 var(I) = h^2`` with
    ``var(I) = sum_sides term * (1 + (n S - 1) ICC) / n`` gives

        n = (term_P + term_I)(1 - ICC) / (h^2 / z^2 - ICC (term_P S_P + term_I S_I)),

    out of reach when the denominator is not above 0 (the units are too few whatever their
    size) or when ``n`` exceeds a side's listed members; such an area is planned with every
    member of the side and ``reachable`` false, its ``half_width`` what that gives.
    """
    if (half_width is None) == (respondents is None):
        raise ValueError("give either half_width or respondents")
    if half_width is not None and not half_width > 0:
        raise ValueError(f"half_width must be above 0 index points, got {half_width}")
    if respondents is not None and respondents < 1:
        raise ValueError(f"respondents must be at least 1 per side, got {respondents}")
    if not 0 <= icc < 1:
        raise ValueError(f"icc must be at least 0 and below 1, got {icc}")
    z = norm.ppf(0.5 + method.confidence / 2)
    latest = spreads.sort_values("wave").groupby("area", sort=False).tail(1).set_index("area")
    term_p, term_i = _side_terms(latest, method.side_aggregation)
    terms = pd.DataFrame({"p": term_p, "i": term_i}, index=latest.index)
    fallback = terms.median()
    rows = []
    for area in areas.areas:
        known = area.id in terms.index
        a = terms.loc[area.id] if known else fallback
        term = {SIDES[0]: float(a["p"]), SIDES[1]: float(a["i"])}
        design = _unit_design(area, icc)
        if half_width is not None:
            spread = sum(term[s] * design["concentration"][s] for s in SIDES)
            room = half_width**2 / z**2 - icc * spread
            need = (term[SIDES[0]] + term[SIDES[1]]) * (1 - icc) / room if room > 0 else np.inf
            need = float(np.ceil(need - 1e-9)) if np.isfinite(need) else np.inf
        else:
            need = float(respondents)
        targets, planned, need = _targets(need, design, term, icc, z, half_width)
        common = {
            "area": area.id, "area_name": area.name, "municipality": area.municipality,
            "half_width": planned, "requested_half_width": half_width,
            "requested_respondents": respondents,
            "reachable": bool(all(need <= design["total"][s] for s in SIDES)), "icc": icc,
            "spread_wave": str(latest.loc[area.id, "wave"]) if known else "",
            "spread_source": str(latest.loc[area.id, "source"]) if known
            else "median of the other areas (no data on this area)",
        }  # fmt: skip
        rows += _unit_rows(design, targets, common)
    table = pd.DataFrame(rows, columns=list(UNIT_TARGET_COLUMNS))
    for column in ("members", "target", "side_target", "side_members", "requested_respondents"):
        table[column] = table[column].astype("Int64")
    return table


def _unit_design(area, icc: float) -> dict:
    """An area's listed units per side, their members, the respondents' shares over them,
    ``sum(share^2)`` (the concentration of the design effect), the ICC that applies and the
    side's members in all (inf when a unit's members are not known)."""
    units = {side: [u for u in area.units if u.side == side] or [None] for side in SIDES}
    members = {
        side: [None if u is None else u.members for u in listed] for side, listed in units.items()
    }
    shares = {side: _allocation(members[side]) for side in SIDES}
    alone = {side: units[side] == [None] for side in SIDES}
    return {
        "units": units,
        "members": members,
        "shares": shares,
        # Respondents outside any listed unit are units of one: no design effect ...
        "concentration": {s: 0.0 if alone[s] else float((shares[s] ** 2).sum()) for s in SIDES},
        # ... so their respondents answer independently: no ICC there.
        "icc": {s: 0.0 if alone[s] else icc for s in SIDES},
        "total": {s: np.inf if None in members[s] else float(sum(members[s])) for s in SIDES},
    }


def _targets(need: float, design: dict, term: dict, icc: float, z: float, half_width):
    """Respondents per unit for ``need`` per side (capped at the side's members), the
    half-width they give and the ``need`` finally used: with ``half_width`` one more per side
    until whole respondents per unit keep it, or every member is planned."""
    total = design["total"]
    while True:
        targets = {}
        for side in SIDES:
            n = min(need, total[side])
            if not np.isfinite(n):  # no number is enough, and no member count caps it
                targets[side] = np.full(len(design["units"][side]), np.nan)
            elif design["units"][side] == [None]:
                targets[side] = np.array([n])
            else:
                targets[side] = _unit_targets(n, design["shares"][side], design["members"][side])
        if not all(np.isfinite(targets[s]).all() for s in SIDES):
            # the limit for ever more respondents in these units
            spread = sum(term[s] * design["concentration"][s] for s in SIDES)
            return targets, z * np.sqrt(icc * spread), need
        planned = z * np.sqrt(
            sum(_side_variance(term[s], targets[s], design["icc"][s]) for s in SIDES)
        )
        # Whole respondents per unit make the units a little unequal (a larger design
        # effect than the formula's): one more per side until the targets keep the
        # requested half-width, or every member is planned.
        if half_width is None or planned <= half_width or need >= min(total.values()):
            return targets, planned, need
        need += 1


def _unit_rows(design: dict, targets: dict, common: dict) -> list[dict]:
    """The rows of :data:`UNIT_TARGET_COLUMNS` of one area: one per side and unit."""
    rows = []
    for side in SIDES:
        side_target = targets[side].sum()
        deff = 1.0 + (float((targets[side] ** 2).sum()) / side_target - 1.0) * design["icc"][side]
        if not np.isfinite(side_target):
            side_target, deff = np.nan, np.nan
        total = design["total"][side]
        for unit, m, target in zip(
            design["units"][side], design["members"][side], targets[side], strict=True
        ):
            rows.append(
                {
                    **common,
                    "side": side,
                    "unit": UNIT_NOT_LISTED if unit is None else unit.code,
                    "unit_name": "" if unit is None else unit.name,
                    "members": m,
                    "target": target,
                    "share_of_members": target / m if m else np.nan,
                    "side_target": side_target,
                    "side_members": total if np.isfinite(total) else np.nan,
                    "design_effect": deff,
                }
            )
    return rows


def plan_areas(plan: pd.DataFrame) -> pd.DataFrame:
    """One row per area of :func:`plan_per_unit`'s table: respondents per side, units per
    side, the half-width the targets give and whether the request is in reach."""
    per_side = plan.groupby(["area", "side"], sort=False).agg(
        target=("side_target", "first"), units=("unit", "size")
    )
    wide = per_side.unstack("side")
    wide.columns = [f"{what}_{side}" for what, side in wide.columns]
    first = plan.groupby("area", sort=False)[
        ["area_name", "municipality", "half_width", "reachable"]
    ].first()
    return first.join(wide).reset_index()
