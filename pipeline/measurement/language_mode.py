"""Measurement invariance by the language a respondent answered in and by the mode of
administration, per wave and construct.

An item may work differently in its English version, or when an interviewer reads it out,
than in Dutch or when respondents read it themselves. Then areas (or sides, or waves) with
different mixes of languages or modes differ on that item for a reason that has nothing to
do with collaboration. Per wave, the respondents of the two sides are grouped by the
questionnaire's closing questions ``language`` and ``mode`` (:data:`GROUPINGS`), and each
reflective construct's one-factor model is tested across the groups with the same steps,
criteria and search for partial invariance as between the sides
(:func:`.invariance.measurement_invariance`: configural -> thresholds -> metric -> scalar
for ordered items; configural -> metric -> scalar for continuous ones). The parameters the
search releases name the items that work differently.

Why per construct, and not the whole factor model as between the sides: the groups are
small (the English-speaking respondents of a wave are often a hundred or two), and one item
that works differently changes the global fit of a 39-item model too little for the
criteria to notice (on a simulated wave whose item tru3 was shifted by 1 SD when read out,
ΔCFI of the whole model's scalar step was -0.002; of the trust construct's model, enough to
fail and name tru3). A construct needs :data:`MIN_ITEMS` items: with three, its one-factor
model has no degrees of freedom of its own and its configural fit cannot be judged. The
steps stop at scalar invariance, which comparing answers needs (residual variances do not
bias a comparison of means).

Only groups with at least ``min_group`` respondents in the wave are compared (the
methodology file's ``psychometrics: invariance_min_group``); a smaller group is left out and
named, and with fewer than two groups left the comparison is not made and the row says why.
The largest group is the reference (Dutch, or the interviewer mode, on most waves).

The results are rows of the invariance tables (``comparison`` = ``language`` or ``mode``,
``construct`` the model tested) and one row per wave, comparison and construct in the table
:data:`TABLE_LANGUAGE_MODE`, with the columns :data:`LANGUAGE_MODE_COLUMNS`; the report
names its items from there.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from samenspel.pipeline.methodology import Methodology
from samenspel.pipeline.psychometrics.factor_model import (
    FactorModel,
    PsychometricsError,
    parse_factor_model,
)
from samenspel.pipeline.psychometrics.invariance import (
    COL_GROUP_PARTIAL,
    INVARIANCE_COLUMNS,
    PARTIAL_SEARCH_COLUMNS,
    invariance_steps,
    measurement_invariance,
)
from samenspel.pipeline.psychometrics.ordinal import PolychoricNotPositiveDefinite
from samenspel.pipeline.psychometrics.tables import TABLE_INVARIANCE, TABLE_PARTIAL, subsample

#: The questionnaire's answer codes of its ``language`` question and the groups compared.
LANGUAGE_GROUPS: Mapping[int, str] = {1: "nl", 2: "en"}
#: The questionnaire's answer codes of its ``mode`` question and the groups compared: an
#: interview face to face or by telephone (the questions read out), self-completion on
#: paper, self-completion online.
MODE_GROUPS: Mapping[int, str] = {1: "interviewer", 2: "interviewer", 3: "paper", 4: "online"}
#: Comparison -> (the questionnaire item that records it, answer code -> group). An answer
#: code not listed is a group of its own, named ``code N``.
GROUPINGS: Mapping[str, tuple[str, Mapping[int, str]]] = {
    "language": ("language", LANGUAGE_GROUPS),
    "mode": ("mode", MODE_GROUPS),
}

#: The fewest items a construct needs to be tested on its own.
MIN_ITEMS = 4
TABLE_LANGUAGE_MODE = "invariance_language_mode"
COL_WAVE = "wave"
COL_COMPARISON = "comparison"
COL_CONSTRUCT = "construct"
#: Columns of ``psychometrics_invariance_language_mode``: one row per wave, comparison and
#: construct.
LANGUAGE_MODE_COLUMNS: Mapping[str, str] = {
    COL_WAVE: "the wave",
    COL_COMPARISON: "language (the language answered in) or mode (interviewer, paper, online)",
    COL_CONSTRUCT: "the construct whose one-factor model was tested across the groups",
    "groups": "the groups compared with their respondents, largest first; the first is the "
    "reference, e.g. 'nl 560; en 141' (untested: the one group that reached min_group, if any)",
    "left_out": "groups with fewer respondents than min_group, left out, with their "
    "respondents ('' when none)",
    "min_group": "the fewest respondents a group needs (methodology psychometrics: "
    "invariance_min_group)",
    "tested": "whether the invariance steps were fitted across the groups",
    "estimator": "the estimator of the steps ('' when not tested)",
    "highest_level": "the last step that holds with every step before it, fully or partially "
    "('' when not tested or configural fit fails)",
    "non_invariant_items": "items with a parameter free across the groups after the search for "
    "partial invariance: they work differently by language or mode ('' when none)",
    "released": "those parameters, as lavaan's group.partial",
    "note": "why the comparison was not made, or what to know about its fit ('' when nothing)",
}


def language_mode_invariance(
    data: pd.DataFrame,
    model: Mapping[str, Sequence[str]] | FactorModel,
    comparison: str,
    *,
    wave: str,
    min_group: int = 100,
    estimator: str = "WLSMV",
    fallback: str | None = None,
    parameterization: str = "delta",
    max_sample: int | None = None,
    seed: int = 2026,
) -> dict[str, pd.DataFrame]:
    """Invariance across the groups of ``comparison`` (a key of :data:`GROUPINGS`) in one wave.

    Parameters
    ----------
    data : one row per respondent: the model's item answers (NaN = missing) and a column
        named ``comparison`` holding each respondent's group (NaN: not known; left out).
    model : ``{factor: [item, "-item", ...]}``.
    wave : written into every row.
    min_group : the fewest respondents a group needs to be compared.
    estimator, parameterization : as :func:`.invariance.measurement_invariance`; missing
        answers pairwise under WLSMV, FIML under ML and MLR.
    fallback : the estimator tried when ``estimator`` cannot fit the groups (e.g. an answer
        category nobody in a group chose leaves a threshold without data); None: no second try.
    max_sample, seed : at most this many respondents per group, drawn with ``seed``.

    Returns
    -------
    ``{"invariance": steps, "partial_invariance": released constraints,
    "invariance_language_mode": one summary row}``, every table led by ``wave``,
    ``comparison`` and ``construct`` (the factors of ``model`` joined by "+"); the first
    two tables only when the steps were fitted.
    """
    if comparison not in GROUPINGS:
        raise ValueError(f"comparison must be one of {', '.join(GROUPINGS)}, got {comparison!r}")
    if comparison not in data.columns:
        raise ValueError(f"data needs a column {comparison!r} holding each respondent's group")
    parsed = parse_factor_model(model)
    groups = data[comparison].dropna().astype(str)
    sizes = groups.value_counts()
    sizes = sizes.sort_values(ascending=False, kind="stable")
    kept, small = sizes[sizes >= min_group], sizes[sizes < min_group]
    construct = "+".join(parsed.factors)
    row = {
        COL_WAVE: wave, COL_COMPARISON: comparison, COL_CONSTRUCT: construct,
        "groups": _counts(kept),
        "left_out": _counts(small), "min_group": min_group, "tested": False, "estimator": "",
        "highest_level": "", "non_invariant_items": "", "released": "", "note": "",
    }  # fmt: skip
    if len(kept) < 2:
        found = _counts(sizes) or "none recorded"
        row["note"] = (
            f"not tested: fewer than two {comparison} groups with at least {min_group} "
            f"respondents (found: {found})"
        )
        return {TABLE_LANGUAGE_MODE: _summary(row)}
    # the largest group first: the reference of the latent means
    rank = {label: position for position, label in enumerate(kept.index)}
    part = data.loc[groups.index[groups.isin(kept.index)], list(parsed.items)]
    part[comparison] = groups[part.index]
    part = part.iloc[part[comparison].map(rank).argsort(kind="stable")]
    part = subsample(part, comparison, max_sample, seed)
    notes = []
    candidates = [estimator] + ([fallback] if fallback and fallback != estimator else [])
    result = None
    for number, name in enumerate(candidates):
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", PolychoricNotPositiveDefinite)
                result = measurement_invariance(
                    part, parsed, comparison, estimator=name, parameterization=parameterization,
                    missing="pairwise" if name.upper() == "WLSMV" else "fiml",
                    steps=_up_to_scalar(name, parameterization), partial_search=True,
                )  # fmt: skip
        except (PsychometricsError, np.linalg.LinAlgError) as exc:
            notes.append(f"{name} could not be fitted: {exc}")
            continue
        if number:
            notes.append(f"the groups were compared with {name} instead")
        sparse = sorted(
            {_group_of(str(w.message)) for w in caught
             if issubclass(w.category, PolychoricNotPositiveDefinite)} - {""}
        )  # fmt: skip
        if sparse:
            notes.append(
                f"the polychoric correlations of group {', '.join(sparse)} are not positive "
                "definite (few respondents for the items): the steps are fitted by DWLS as "
                "lavaan does, and judged by the scaled fit measures"
            )
        break
    if result is None:
        row["note"] = "not tested: " + "; ".join(notes)
        return {TABLE_LANGUAGE_MODE: _summary(row)}
    steps = result.table
    released = sorted(result.fits[steps["step"].iloc[-1]].group_partial)
    items = list(dict.fromkeys(_item_of(label) for label in released))
    row.update(
        tested=True, estimator=str(steps["estimator"].iloc[0]),
        highest_level=result.highest_level or "", non_invariant_items=", ".join(items),
        released=", ".join(released),
    )  # fmt: skip
    holding = steps["holds"].astype(bool).to_numpy()
    if not holding[0]:
        notes.append(
            "configural fit does not hold: the construct's one-factor model does not fit "
            "every group (see the configural step)"
        )
    if not holding[1:].all():
        failed = steps["step"].iloc[1:][~holding[1:]].iloc[0]
        notes.append(f"{failed} invariance does not hold, even with the parameters released")
    row["note"] = "; ".join(notes)
    return {
        TABLE_INVARIANCE: _led(steps, wave, comparison, construct, INVARIANCE_COLUMNS),
        TABLE_PARTIAL: _led(
            result.partial_search, wave, comparison, construct, PARTIAL_SEARCH_COLUMNS
        ),
        TABLE_LANGUAGE_MODE: _summary(row),
    }


def language_mode_calls(
    responses: pd.DataFrame,
    data: pd.DataFrame,
    model: Mapping[str, Sequence[str]],
    method: Methodology,
) -> list[tuple]:
    """The pipeline's jobs (function, arguments) of :func:`language_mode_invariance`: every
    wave of ``data`` (the model's items and ``wave``) by language and by mode, the groups
    read from the ``language`` and ``mode`` answers of ``responses`` (same index)."""
    calls = []
    for comparison, (item, codes) in GROUPINGS.items():
        if item in responses.columns:
            answers = pd.to_numeric(responses.loc[data.index, item], errors="coerce")
            labels = answers.map(
                lambda c, codes=codes: codes.get(int(c), f"code {c:g}"), na_action="ignore"
            )
        else:
            labels = pd.Series(math.nan, index=data.index, dtype=object)
        items = data.drop(columns=[c for c in ("side", "area") if c in data.columns])
        for wave, part in items.assign(**{comparison: labels}).groupby("wave", sort=True):
            calls.append((_job, (str(wave), part.drop(columns="wave"), model, comparison, method)))
    return calls


def by_construct(
    data: pd.DataFrame,
    model: Mapping[str, Sequence[str]],
    comparison: str,
    *,
    wave: str,
    **options,
) -> dict[str, pd.DataFrame]:
    """:func:`language_mode_invariance` of every factor of ``model`` on its own (a factor of
    fewer than :data:`MIN_ITEMS` items gets a summary row saying so), the tables
    concatenated; ``options`` as that function's."""
    if comparison not in GROUPINGS:
        raise ValueError(f"comparison must be one of {', '.join(GROUPINGS)}, got {comparison!r}")
    collected: dict[str, list[pd.DataFrame]] = {}
    for factor, items in model.items():
        if len(items) < MIN_ITEMS:
            row = dict.fromkeys(LANGUAGE_MODE_COLUMNS, "")
            row.update({
                COL_WAVE: wave, COL_COMPARISON: comparison, COL_CONSTRUCT: factor,
                "min_group": options.get("min_group", 100), "tested": False,
                "note": f"not tested: {len(items)} items; a construct needs {MIN_ITEMS} for its "
                "one-factor model's fit to be judged on its own",
            })  # fmt: skip
            tables = {TABLE_LANGUAGE_MODE: _summary(row)}
        else:
            columns = [code.lstrip("-") for code in items] + [comparison]
            tables = language_mode_invariance(
                data[columns], {factor: items}, comparison, wave=wave, **options
            )
        for name, table in tables.items():
            collected.setdefault(name, []).append(table)
    return {name: pd.concat(tables, ignore_index=True) for name, tables in collected.items()}


def _job(wave: str, data: pd.DataFrame, model, comparison: str, method: Methodology):
    """One wave and comparison with the methodology's settings: (tables, problems)."""
    tables = by_construct(
        data, model, comparison, wave=wave, min_group=method.invariance_min_group,
        estimator=method.cfa_estimator,
        fallback=method.cfa_comparison if method.cfa_estimator == "WLSMV" else None,
        parameterization=method.cfa_parameterization, max_sample=method.psychometrics_sample,
        seed=method.seed,
    )  # fmt: skip
    return tables, []


def language_mode_findings(summary: pd.DataFrame | None) -> list[str]:
    """One line per wave and comparison for the terminal: the items that work differently,
    by construct (none when no item was named)."""
    if summary is None or summary.empty:
        return []
    named = summary[summary["non_invariant_items"].fillna("") != ""]
    lines = []
    for (wave, comparison), rows in named.groupby([COL_WAVE, COL_COMPARISON], sort=False):
        items = "; ".join(f"{r.construct}: {r.non_invariant_items}" for r in rows.itertuples())
        lines.append(
            f"wave {wave}: items that work differently by {comparison} ({items}); comparisons "
            "of their constructs between groups with other mixes of "
            f"{'languages' if comparison == 'language' else 'modes'} are biased (see "
            "psychometrics_invariance_language_mode.csv and the technical appendix)"
        )
    return lines


def _up_to_scalar(estimator: str, parameterization: str) -> list[str]:
    """The steps up to scalar invariance: what comparing groups' answers needs (strict
    invariance of residual variances is not needed, and its failures would name items
    that bias no comparison of means)."""
    steps = list(invariance_steps(estimator.upper(), parameterization))
    return steps[: steps.index("scalar") + 1]


def _counts(sizes: pd.Series) -> str:
    return "; ".join(f"{label} {int(n)}" for label, n in sizes.items())


def _summary(row: dict) -> pd.DataFrame:
    return pd.DataFrame([row], columns=list(LANGUAGE_MODE_COLUMNS))


def _led(table: pd.DataFrame, wave: str, comparison: str, construct: str, columns):
    """``table`` led by its ``wave``, ``comparison`` and ``construct`` columns."""
    table = table.reindex(columns=list(columns)).copy()
    table.insert(0, COL_CONSTRUCT, construct)
    table.insert(0, COL_COMPARISON, comparison)
    table.insert(0, COL_WAVE, wave)
    if COL_GROUP_PARTIAL in table:
        table[COL_GROUP_PARTIAL] = table[COL_GROUP_PARTIAL].fillna("")
    return table


def _item_of(label: str) -> str:
    """The item of a released parameter: ``F=~item``, ``item~1``, ``item|t1``, ``item~~item``."""
    if "=~" in label:
        return label.split("=~")[-1]
    return label.split("~")[0].split("|")[0]


def _group_of(message: str) -> str:
    """The group a PolychoricNotPositiveDefinite message names ('' for none)."""
    marker = "in group '"
    if marker not in message:
        return ""
    return message.split(marker, 1)[1].split("'", 1)[0]


__all__ = [
    "GROUPINGS",
    "LANGUAGE_MODE_COLUMNS",
    "MIN_ITEMS",
    "TABLE_LANGUAGE_MODE",
    "by_construct",
    "language_mode_calls",
    "language_mode_findings",
    "language_mode_invariance",
]
