"""Render the result tables into a static, offline HTML site and a PDF (DESIGN.md section 11).

    pages = build_site(report_input, "nl")   # {"index.html": "<!DOCTYPE html>...", ...}
    pdf = build_pdf(pages, "nl")             # bytes

No file I/O here: the CLI reads the results and writes the pages. Templates are jinja2 with
autoescaping, so names from registries or exports render as text, never as markup.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from samenspel.instrument.model import SIDES, Instrument
from samenspel.pipeline.analyse import OUTPUT_COLUMNS
from samenspel.pipeline.methodology import COMPONENTS, Methodology
from samenspel.reports import charts
from samenspel.reports.i18n import (
    ESTIMATOR_DESCRIPTIONS,
    LANGUAGES,
    MAPPING_DESCRIPTIONS,
    REFERENCES,
    translator,
)
from samenspel.reports.quality import percent, quality_context

TEMPLATES = Path(__file__).with_name("templates")
MAIN_START, MAIN_END = "<!--main-start-->", "<!--main-end-->"
PDF_NAME = "samenspel-report.pdf"
MAX_SCREENS_SHOWN = 25  # areas that differ from their municipality; all are in comparisons.csv


@dataclass(frozen=True)
class ReportInput:
    """Everything a report is made from: result tables by name and their context."""

    tables: Mapping[str, pd.DataFrame]
    metadata: Mapping
    instrument: Instrument
    method: Methodology
    methodology_text: str


def format_number(value, digits: int = 1) -> str:
    """A figure for the report: fixed decimals, an en dash for a missing/suppressed value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, int | float):
        return f"{value:.{digits}f}"
    return str(value)


def format_p(value) -> str:
    """A p-value as psychologists print it: three decimals, '< .001' below that."""
    if format_number(value) == "–":
        return "–"
    return "< .001" if value < 0.001 else f"{value:.3f}".lstrip("0")


def area_page(area_id: str) -> str:
    """File name of an area's page; area ids are registry ids (lower case, digits, hyphens)."""
    return "area-" + re.sub(r"[^a-z0-9-]", "-", str(area_id).lower()) + ".html"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["number"] = format_number
    env.filters["signed"] = lambda v: "–" if format_number(v) == "–" else f"{v:+.1f}"
    env.filters["pvalue"] = format_p
    env.filters["percent"] = percent
    env.filters["area_page"] = area_page
    return env


def _bands(method: Methodology) -> list[tuple[str, float, float]]:
    bounds = [b.lower for b in method.bands] + [100.0]
    return [(b.band, bounds[i], bounds[i + 1]) for i, b in enumerate(method.bands)]


def area_labels(index: pd.DataFrame) -> dict[str, str]:
    """Area id -> its name where the name stands alone (charts, comparisons), with the
    municipality added where two areas share a name: areas are keyed by id, never by name."""
    areas = index[["area", "area_name", "municipality"]].drop_duplicates("area")
    names = areas["area_name"].fillna(areas["area"]).astype(str)
    shared = names.str.casefold().duplicated(keep=False)
    labels = names.where(~shared, names + " (" + areas["municipality"].astype(str) + ")")
    return dict(zip(areas["area"], labels, strict=True))


def _component_names(data: ReportInput, language: str) -> dict[str, str]:
    names = {}
    for component in COMPONENTS:
        source = data.method.components[component]["from"]
        names[component] = data.instrument.constructs[source].name[language]
    return names


def _records(frame: pd.DataFrame) -> list[dict]:
    return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")


def _overview(data: ReportInput, t, language: str) -> dict:
    index = data.tables["index"]
    waves = sorted(index["wave"].unique())
    latest = waves[-1]
    current = index[index["wave"] == latest].sort_values(["municipality", "area_name"])
    bands = _bands(data.method)
    counts = current["band"].value_counts()
    lead = t("overview_lead", wave=latest, counts=t(
        "lead_counts", hyb=int(counts.get("hybridisation", 0)),
        rap=int(counts.get("rapprochement", 0)), coex=int(counts.get("co-existence", 0)),
        total=len(current),
    ))  # fmt: skip
    labels = area_labels(index)
    forest = charts.forest(
        [
            charts.Interval(labels[r.area], r.index, r.ci_low, r.ci_high)
            for r in current.itertuples()
        ],
        t("forest_title", wave=latest),
        bands,
        t("axis_index"),
    )
    series = dict(
        sorted(
            (labels[area], list(zip(group["wave"], group["index"], strict=True)))
            for area, group in index.sort_values("wave").groupby("area")
        )
    )
    trend = charts.trend(series, waves, t("trend_title"), bands) if len(waves) > 1 else None
    gap = charts.gap_chart(
        [
            charts.Interval(labels[r.area], r.gap, r.gap_ci_low, r.gap_ci_high)
            for r in current.itertuples()
        ],
        t("gap_title", wave=latest),
        t("axis_gap"),
    )
    return {
        "lead": lead, "latest": latest, "rows": _records(current), "forest": forest,
        "trend": trend, "gap": gap, "has_change": "change" in index,
        "first_wave": len(waves) == 1, "design_notes": _design_notes(data, latest, t),
    }  # fmt: skip


def _design(data: ReportInput, wave: str) -> pd.DataFrame:
    """design.csv rows of one wave (empty for results without it)."""
    design = data.tables.get("design")
    if design is None:
        return pd.DataFrame(columns=["area", "wave", "side", "interval"])
    return design[design["wave"].astype(str) == str(wave)]


def _design_notes(data: ReportInput, wave: str, t) -> list[str]:
    """What the intervals of a wave can and cannot reflect about how it was drawn."""
    design = _design(data, wave)
    drawn = design[design["interval"].fillna("") != ""]
    if drawn.empty or (drawn["interval"] == "respondents").all():
        return [t("intervals_independent")]
    one = int((drawn["interval"] == "one unit").sum())
    return [t("intervals_one_unit", count=one)] if one else []


def _area(data: ReportInput, area_id: str, t, language: str) -> dict:
    index = data.tables["index"]
    rows = index[index["area"] == area_id].sort_values("wave")
    side = data.tables["side_measures"]
    side = side[side["area"] == area_id]
    waves = list(rows["wave"])
    latest = waves[-1]
    names = _component_names(data, language)
    bands = _bands(data.method)
    first = rows.iloc[0]
    now = side[side["wave"] == latest]

    def value(side_name: str, measure: str, column: str = "value"):
        match = now[(now["side"] == side_name) & (now["measure"] == measure)]
        return None if match.empty else match.iloc[0][column]

    components = [
        {"code": c, "name": names[c],
         **{s: value(s, f"component_{c}") for s in SIDES},
         **{f"{s}_low": value(s, f"component_{c}", "ci_low") for s in SIDES},
         **{f"{s}_high": value(s, f"component_{c}", "ci_high") for s in SIDES}}
        for c in COMPONENTS
    ]  # fmt: skip
    pillars = [
        {"name": t(f"pillar_{p}"), **{s: value(s, f"pillar_{p}") for s in SIDES},
         **{f"{s}_low": value(s, f"pillar_{p}", "ci_low") for s in SIDES},
         **{f"{s}_high": value(s, f"pillar_{p}", "ci_high") for s in SIDES}}
        for p in data.method.pillars
    ]  # fmt: skip
    bars = charts.paired_bars(
        [c["name"] for c in components],
        [c["professional"] for c in components],
        [c["informal"] for c in components],
        (t("side_professional"), t("side_informal")),
        t("area_components", wave=latest),
    )
    trend = None
    if len(waves) > 1:
        series = {t("col_index"): list(zip(rows["wave"], rows["index"], strict=True))}
        for s in SIDES:
            series[t(f"side_{s}")] = list(zip(rows["wave"], rows[f"index_{s}"], strict=True))
        trend = charts.trend(series, waves, t("area_trend"), bands, colour_lines=True)
    drivers = []
    for s in SIDES:
        scored = [(c["name"], c[s]) for c in components if c[s] is not None]
        if scored:
            lowest = sorted(scored, key=lambda pair: pair[1])[:2]
            items = ", ".join(f"{name} ({format_number(v)})" for name, v in lowest)
            drivers.append(t("area_drivers_text", side=t(f"side_{s}").lower(), items=items))
    three_os = [c for c in components if c["code"] in ("UNF", "DIS", "IND")]
    design = _design(data, latest)
    one_unit = design[(design["area"] == area_id) & (design["interval"] == "one unit")]
    design_notes = [
        t("area_one_unit", side=t(f"side_{s}").lower(), wave=latest) for s in one_unit["side"]
    ]
    extras = {}
    for name in ("change", "goals", "sensitivity"):
        frame = data.tables.get(name)
        extras[name] = [] if frame is None else _records(frame[frame["area"] == area_id])
    return {
        **extras,
        "area_id": area_id, "area_name": first["area_name"],
        "municipality": first["municipality"], "rows": _records(rows), "latest": latest,
        "components": components, "pillars": pillars, "bars": bars, "trend": trend,
        "drivers": drivers, "three_os": three_os, "design_notes": design_notes,
        "suppressed": rows.iloc[-1]["status"] == "suppressed",
    }  # fmt: skip


def _methods(data: ReportInput, language: str, names: dict[str, str]) -> dict:
    method = data.method
    components = []
    for code in COMPONENTS:
        spec = method.components[code]
        components.append(
            {
                "code": code,
                "name": names[code],
                "mapping": MAPPING_DESCRIPTIONS[spec["mapping"]][language].format(
                    max_gap=f"{float(spec.get('max_gap', 0)):g}"
                ),
            }
        )
    caps = method.components["COL"].get("caps", {})
    distribution = data.tables.get("component_distribution")
    latest = str(data.tables["index"]["wave"].max())
    if distribution is not None:
        distribution = distribution[distribution["wave"].astype(str) == latest].assign(
            name=lambda d: d["component"].map(names)
        )
    return {
        "distribution": [] if distribution is None else _records(distribution),
        "latest": latest,
        "components": components, "caps": caps, "pillars": method.pillars,
        "weights": method.pillar_weights, "aggregation": method.side_aggregation,
        "bands": method.bands, "method": method, "references": REFERENCES,
        "text": data.methodology_text,
        "columns": {name: cols for name, cols in OUTPUT_COLUMNS.items()},
    }  # fmt: skip


def _comparisons(data: ReportInput, names: dict[str, str]) -> dict:
    """The comparisons worth reading: sides per construct, areas, the gap by area; of the
    areas against the rest of their municipality the largest significant differences of the
    latest wave (every test stays in comparisons.csv)."""
    table = data.tables.get("comparisons")
    if table is None:
        return {"available": False}
    area_names = area_labels(data.tables["index"])
    table = table.assign(
        construct_name=table["construct"].map(names).fillna(table["construct"]),
        name_a=table["group_a"].map(area_names).fillna(table["group_a"]),
        name_b=table["group_b"].map(area_names).fillna(table["group_b"]),
    )

    def pick(test: str) -> list[dict]:
        return _records(table[table["test"] == test])

    latest = table["wave"].astype(str).max()
    screens = table[
        (table["test"] == "area_vs_municipality") & (table["wave"].astype(str) == latest)
    ]
    significant = screens[screens["p_adjusted"] < data.method.false_discovery_rate]
    shown = significant.reindex(significant["estimate"].abs().sort_values(ascending=False).index)
    correction = table.loc[table["test"] == "welch_t", "correction"].dropna()
    return {
        "available": True, "sides": pick("welch_t"), "mann_whitney": pick("mann_whitney"),
        "anova": pick("welch_anova"), "interaction": pick("gap_heterogeneity"),
        "screens": _records(shown.head(MAX_SCREENS_SHOWN)), "n_significant": len(significant),
        "n_screened": int(screens["p"].notna().sum()), "latest": latest,
        "latent": pick("latent_means"),
        "correction": correction.iloc[0] if not correction.empty else "",
    }  # fmt: skip


PSYCHOMETRIC_DETAIL_TABLES = (
    "items", "kmo", "bartlett", "parallel_analysis", "efa_loadings", "efa_factor_correlations",
    "latent_means", "cfa_fit", "cfa_parameters", "validity", "htmt", "modification_indices",
    "partial_invariance", "criteria",
    "problems",
)  # fmt: skip


def _technical(data: ReportInput, language: str, names: dict[str, str] | None = None) -> dict:
    """Psychometrics: every figure beside its criterion and estimator first, then the full
    tables; then how the sample was drawn (units, design effects)."""

    def get(name: str) -> list[dict]:
        frame = data.tables.get("psychometrics_" + name)
        return [] if frame is None else _records(frame)

    details = []
    for name in PSYCHOMETRIC_DETAIL_TABLES:
        frame = data.tables.get("psychometrics_" + name)
        if frame is not None:
            details.append((name, list(frame.columns), _records(frame)))
    names = names or {}
    unit_icc = data.tables.get("unit_icc", pd.DataFrame(columns=["measure"]))
    index = data.tables.get(
        "index", pd.DataFrame(columns=["area", "wave", "area_name", "municipality"])
    )
    design = _design(data, str(index["wave"].max()))
    checks = data.tables.get("psychometrics_checks")
    fits = [] if checks is None or "estimator" not in checks else list(
        checks.loc[checks["check"] == "global fit", "estimator"].dropna().unique()
    )  # fmt: skip
    estimators = [ESTIMATOR_DESCRIPTIONS[e][language] for e in fits if e in ESTIMATOR_DESCRIPTIONS]
    return {
        "available": "psychometrics_checks" in data.tables, "checks": get("checks"),
        "invariance": get("invariance"), "reliability": get("reliability"),
        "aggregation": get("aggregation"), "details": details,
        "unit_icc": _records(unit_icc.assign(name=unit_icc["measure"].map(
            lambda m: names.get(m.removeprefix("component_"), m)
        ))),
        "design": _records(design[design["interval"].fillna("") != ""]),
        "area_names": area_labels(index),
        "comparison": get("estimator_comparison"),
        "estimator_text": "; ".join(estimators) or ESTIMATOR_DESCRIPTIONS["ML"][language],
    }  # fmt: skip


def _quality_page(env: Environment, data: ReportInput, common: dict) -> str:
    needed = ("quality_summary", "rejects_summary", "files")
    if not all(name in data.tables for name in needed):
        return env.get_template("tables.html.j2").render(
            page="quality", title=common["t"]("nav_quality"), lead=common["t"]("quality_lead"),
            tables=[], **common,
        )  # fmt: skip
    context = quality_context(*(data.tables[name] for name in needed), data.method.indicative_min)
    return env.get_template("quality.html.j2").render(
        page="quality", area_names=area_labels(data.tables["index"]),
        **context, **common,
    )  # fmt: skip


def build_site(data: ReportInput, language: str) -> dict[str, str]:
    """All pages of the report in one language: {file name: HTML}."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
    t = translator(language)
    env = _environment()
    meta = dict(data.metadata)
    index = data.tables["index"]
    areas = (
        index[["area", "area_name", "municipality"]].drop_duplicates("area")
        .sort_values(["municipality", "area_name"])
    )  # fmt: skip
    common = {
        "t": t, "lang": language, "meta": meta, "areas": _records(areas),
        "other_lang": next(lang for lang in LANGUAGES if lang != language),
        "pdf_name": PDF_NAME,
    }  # fmt: skip
    names = _component_names(data, language)
    pages = {
        "index.html": env.get_template("overview.html.j2").render(
            page="index", **common, **_overview(data, t, language)
        ),
        "comparisons.html": env.get_template("comparisons.html.j2").render(
            page="comparisons", **common, **_comparisons(data, names)
        ),
        "technical.html": env.get_template("technical.html.j2").render(
            page="technical", **common, **_technical(data, language, names)
        ),
        "quality.html": _quality_page(env, data, common),
        "methods.html": env.get_template("methods.html.j2").render(
            page="methods", **common, **_methods(data, language, names)
        ),
    }  # fmt: skip
    template = env.get_template("area.html.j2")
    for area in areas["area"]:
        pages[area_page(area)] = template.render(
            page="area", **common, **_area(data, area, t, language)
        )
    return pages


def main_content(page: str) -> str:
    """The part of a page between the main markers (for the print version)."""
    return page.split(MAIN_START, 1)[1].split(MAIN_END, 1)[0]


def build_pdf(pages: dict[str, str], language: str, demo: bool) -> bytes:
    """One PDF of the whole report in one language (WeasyPrint), pages in reading order."""
    from weasyprint import HTML  # imported here: loading its system libraries takes a moment

    areas = sorted(p for p in pages if p.startswith("area-"))
    order = [
        "index.html",
        *areas,
        "comparisons.html",
        "technical.html",
        "quality.html",
        "methods.html",
    ]
    t = translator(language)
    body = "".join(
        f'<section class="print-page">{main_content(pages[name])}</section>' for name in order
    )
    html = (
        _environment()
        .get_template("print.html.j2")
        .render(lang=language, t=t, body=Markup(body), demo=demo)
    )
    return HTML(string=html).write_pdf()


def language_chooser(languages: tuple[str, ...], demo: bool) -> str:
    """The site's front door: links to each language's overview."""
    return (
        _environment()
        .get_template("chooser.html.j2")
        .render(
            languages=languages,
            banners=[translator(lang)("demo_banner") for lang in languages],
            demo=demo,
        )
    )
