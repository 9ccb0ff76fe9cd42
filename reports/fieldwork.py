"""The fieldwork page: progress of a wave against its plan, for a coordinator to share.

    html = fieldwork_page(progress_table, "nl", wave="2026", simulated=False, ...)

One self-contained HTML file (styles inline, no script), Dutch or English, rendered by
jinja2 with autoescaping. It shows counts per unit and the precision the index would have
now, never the index itself (an interim value could steer the answers still to come), no
unit codes, nothing of any respondent and no free text; a side below the methodology's
indicative minimum has no half-width, only its count.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from samenspel.common.templating import template_environment
from samenspel.instrument.model import UNIT_NOT_LISTED

TEMPLATES = Path(__file__).parent / "templates"

TEXT: dict[str, dict[str, str]] = {
    "title": {"nl": "Voortgang veldwerk, meting {wave}", "en": "Fieldwork progress, wave {wave}"},
    "demo": {
        "nl": "Gesimuleerde demodata — deze cijfers beschrijven geen echte wijk.",
        "en": "Simulated demo data — these figures describe no real neighbourhood.",
    },
    "lead": {
        "nl": "Stand op {date}: {accepted} geaccepteerde antwoorden. Eerst de teams en "
        "organisaties die nog niemand bereikte en de kanten die achterlopen op het plan.",
        "en": "As of {date}: {accepted} accepted responses. First the teams and organisations "
        "not reached yet and the sides behind their plan.",
    },
    "no_plan": {
        "nl": "Zonder veldwerkplan: er zijn geen streefaantallen.",
        "en": "Without a fieldwork plan: there are no targets.",
    },
    "sides_title": {"nl": "Per wijk en kant", "en": "Per area and side"},
    "units_title": {"nl": "Per team of organisatie", "en": "Per team or organisation"},
    "area": {"nl": "Wijk", "en": "Area"},
    "municipality": {"nl": "Gemeente", "en": "Municipality"},
    "side": {"nl": "Kant", "en": "Side"},
    "professional": {"nl": "Professionals", "en": "Professionals"},
    "informal": {"nl": "Informele partijen", "en": "Informal actors"},
    "unit": {"nl": "Team of organisatie", "en": "Team or organisation"},
    "individual": {"nl": "Niet in de lijst / individueel", "en": "Not listed / individual"},
    "accepted": {"nl": "Antwoorden", "en": "Responses"},
    "target": {"nl": "Streefaantal", "en": "Target"},
    "members": {"nl": "Leden", "en": "Members"},
    "rate": {"nl": "Respons", "en": "Response rate"},
    "units_reached": {"nl": "Bereikt", "en": "Reached"},
    "half_width_side": {"nl": "Marge kant (±)", "en": "Margin, side (±)"},
    "half_width_index": {"nl": "Marge index (±)", "en": "Margin, index (±)"},
    "attention": {"nl": "Let op", "en": "Attention"},
    "unit not reached": {"nl": "nog niemand bereikt", "en": "not reached yet"},
    "side behind target": {"nl": "kant loopt achter", "en": "side behind target"},
    "suppressed": {
        "nl": "te weinig antwoorden (minder dan {n})",
        "en": "too few responses (fewer than {n})",
    },
    "indicative": {"nl": "indicatief", "en": "indicative"},
    "explain": {
        "nl": "De marge is de halve breedte van het 95%-betrouwbaarheidsinterval als het "
        "veldwerk nu zou stoppen, berekend zoals in de rapportage. Een kant met minder dan "
        "{indicative} antwoorden krijgt geen marge; onder de {publish} is hij indicatief. De "
        "index zelf staat hier niet: een tussenstand kan de antwoorden die nog komen sturen.",
        "en": "The margin is half the width of the 95% confidence interval if fieldwork "
        "stopped now, computed as in the report. A side with fewer than {indicative} "
        "responses has no margin; below {publish} it is indicative. The index itself is not "
        "shown: an interim value could steer the answers still to come.",
    },
    "of": {"nl": "van", "en": "of"},
    "other_language": {"nl": "English", "en": "Nederlands"},
}


def _number(value, digits: int = 0) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{float(value):.{digits}f}"


def _percent(value) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{100 * float(value):.0f}%"


def fieldwork_page(
    progress: pd.DataFrame,
    sides: pd.DataFrame,
    language: str,
    wave: str,
    date: str,
    publish_min: int,
    indicative_min: int,
    has_plan: bool,
    simulated: bool = False,
    other_page: str | None = None,
) -> str:
    """The page for ``progress`` (:func:`..pipeline.index.progress.fieldwork_progress`) and
    its ``sides`` summary, in ``language`` (nl or en)."""
    if language not in ("nl", "en"):
        raise ValueError(f"language must be nl or en, got {language!r}")

    def t(key: str, **values) -> str:
        return TEXT[key][language].format(**values)

    def margin(value, status: str) -> str:
        if status == "suppressed":
            return t("suppressed", n=indicative_min)
        shown = _number(value, 1)
        return f"{shown} ({t('indicative')})" if shown and status == "indicative" else shown

    side_rows = [
        {
            "area": row.area_name or row.area,
            "municipality": row.municipality,
            "side": t(row.side),
            "accepted": int(row.side_accepted),
            "target": _number(row.side_target),
            "reached": f"{row.units_reached} {t('of')} {row.units}" if row.units else "",
            "margin_side": margin(row.half_width_side, row.side_status),
            "margin_index": _number(row.half_width_index, 1),
            "behind": bool(
                has_plan and not pd.isna(row.side_target) and row.side_accepted < row.side_target
            ),
        }
        for row in sides.itertuples(index=False)
    ]
    unit_rows = [
        {
            "attention": t(row.attention) if row.attention else "",
            "area": row.area_name or row.area,
            "side": t(row.side),
            # names, never the codes: the registry's names are what a coordinator knows
            "unit": t("individual") if row.unit == UNIT_NOT_LISTED else row.unit_name,
            "accepted": int(row.accepted),
            "target": _number(row.target),
            "members": _number(row.members),
            "rate": _percent(row.response_rate),
        }
        for row in progress.itertuples(index=False)
    ]
    return (
        template_environment(TEMPLATES)
        .get_template("fieldwork.html.j2")
        .render(
            lang=language,
            t=t,
            wave=wave,
            lead=t("lead", date=date, accepted=int(progress["accepted"].sum())),
            explain=t("explain", indicative=indicative_min, publish=publish_min),
            has_plan=has_plan,
            simulated=simulated,
            side_rows=side_rows,
            unit_rows=unit_rows,
            other_page=other_page,
        )
    )
