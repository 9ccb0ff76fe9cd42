"""Render the result tables into a static, offline HTML site and PDFs, by municipality.

    layout = site_layout(report_input.tables["index"])  # where each page goes
    documents = pdf_documents(layout, ["GM0363"])  # which PDFs, printing which pages
    pages = build_site(report_input, "nl", documents)  # {"index.html": "<!DOCTYPE ...", ...}
    document = documents[-1]  # with several municipalities [0] is the overview of all
    cover = cover_of(report_input)  # the latest wave, when computed, versions, demo or not
    pdf = build_pdf(print_sections(pages, document), "nl", cover, document.municipality)

The site, per language: a front page, an index of the municipalities and their areas with
search by name, a folder per municipality with its overview and its areas' pages, and the
shared pages (group comparisons, technical appendix, data quality, methods). With several
municipalities the front page summarises them; with one, its overview is the front page and
its areas' pages sit beside it. Areas are keyed by id everywhere, never by name. A PDF prints
the main content of its pages after a cover and contents with page numbers; a page's
management summary (``<section class="summary">``) comes right after the contents.

No file I/O here: the CLI reads the results and writes the pages. Templates are jinja2 with
autoescaping, so names from registries or exports render as text, never as markup.
"""

from __future__ import annotations

import functools
import html as html_module
import itertools
import numbers
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
from jinja2 import Environment, pass_context
from markupsafe import Markup

from samenspel.common.templating import template_environment
from samenspel.instrument.boundaries import Boundaries
from samenspel.instrument.model import SIDES, Instrument
from samenspel.pipeline.index.change import VERDICTS
from samenspel.pipeline.index.compare import AREA_SCREENS
from samenspel.pipeline.index.tables import OUTPUT_COLUMNS
from samenspel.pipeline.methodology import COMPONENTS, Methodology
from samenspel.pipeline.psychometrics.criteria import CRITERIA as PSYCHOMETRIC_CRITERIA
from samenspel.pipeline.psychometrics.small_waves import MIN_RESPONDENTS_MODEL
from samenspel.reports import charts, maps, notation
from samenspel.reports.i18n import (
    COLUMN_DESCRIPTIONS_NL,
    DUTCH_REFERENCES,
    ESTIMATOR_DESCRIPTIONS,
    LANGUAGES,
    MAPPING_DESCRIPTIONS,
    PIPELINE_MESSAGES_NL,
    REFERENCES,
    TEXT,
    as_code,
    translator,
)
from samenspel.reports.levers import LEVERS, holding_back
from samenspel.reports.quality import quality_context
from samenspel.reports.steps import model_words, not_done_why, step_sentences
from samenspel.reports.summary import PRACTICE, THREE_OS, Monitor, management_summary, named

TEMPLATES = Path(__file__).with_name("templates")
MAIN_START, MAIN_END = "<!--main-start-->", "<!--main-end-->"
FRONT, AREA_INDEX, METHODS = "index.html", "areas.html", "methods.html"
OVERVIEW_PDF = "samenspel-overview.pdf"
DUTCH_TIME = ZoneInfo("Europe/Amsterdam")  # the date on a PDF's cover is the Dutch date
MAX_SCREENS_SHOWN = 25  # areas that differ from their municipality; all are in comparisons.csv
# Municipalities drawn one row each in the front page's chart; beyond, its table shows them.
MAX_CHART_ROWS = 40


@dataclass(frozen=True)
class ReportInput:
    """Everything a report is made from: result tables by name and their context."""

    tables: Mapping[str, pd.DataFrame]
    metadata: Mapping
    instrument: Instrument
    method: Methodology
    methodology_text: str
    boundaries: Boundaries | None = None  # the areas' outlines, where the registry has them


def area_page(area_id: str) -> str:
    """File name of an area's page; area ids are registry ids (lower case, digits, hyphens)."""
    return "area-" + re.sub(r"[^a-z0-9-]", "-", str(area_id).lower()) + ".html"


def area_labels(index: pd.DataFrame) -> dict[str, str]:
    """Area id -> its name where the name stands alone (charts, comparisons), with the
    municipality added where two areas share a name: areas are keyed by id, never by name."""
    areas = index[["area", "area_name", "municipality"]].drop_duplicates("area")
    names = areas["area_name"].fillna(areas["area"]).astype(str)
    shared = names.str.casefold().duplicated(keep=False)
    labels = names.where(~shared, names + " (" + areas["municipality"].astype(str) + ")")
    return dict(zip(areas["area"], labels, strict=True))


@dataclass(frozen=True)
class Layout:
    """Where the pages of a site go, relative to its language folder.

    ``areas``: area, area_name, label, municipality (its name), code, path; in reading order.
    ``municipalities``: code, municipality, areas (how many), path, pdf; sorted by name.
    """

    areas: pd.DataFrame
    municipalities: pd.DataFrame

    @property
    def several(self) -> bool:
        return len(self.municipalities) > 1


def reading_key(name: str) -> str:
    """A name as a reader sorts it: case aside, and numbers by their value ("Wijk 2" before
    "Wijk 10"): every run of digits padded to 12 places."""
    return re.sub(r"\d+", lambda digits: digits.group().zfill(12), str(name).casefold())


def _in_reading_order(column: pd.Series) -> pd.Series:
    return column.map(reading_key)


def site_layout(index: pd.DataFrame) -> Layout:
    """Pages by municipality: with several, a folder per municipality (named by its code)
    holds its overview and its areas' pages; with one, its overview is the front page and
    its areas' pages sit beside it.

    The code is ``municipality_code`` where the index has it (the CLI adds it from the area
    registry), otherwise the municipality's name.
    """
    columns = ["area", "area_name", "municipality", "municipality_code"]
    areas = index.reindex(columns=columns).drop_duplicates("area")
    code = areas["municipality_code"].astype(object).fillna(areas["municipality"]).astype(str)
    areas = areas.assign(code=code, label=areas["area"].map(area_labels(index)))
    municipalities = (
        areas.groupby("code", as_index=False)
        .agg(municipality=("municipality", "first"), areas=("area", "size"))
        .sort_values(["municipality", "code"], key=_in_reading_order, ignore_index=True)
    )
    folder = municipalities["code"].str.replace(r"[^A-Za-z0-9-]", "-", regex=True)
    several = len(municipalities) > 1
    municipalities["path"] = folder + "/" + FRONT if several else FRONT
    municipalities["pdf"] = "samenspel-" + folder + ".pdf"
    prefix = areas["code"].map(dict(zip(municipalities["code"], folder + "/", strict=True)))
    areas["path"] = (prefix if several else "") + areas["area"].map(area_page)
    order = areas["code"].map({code: k for k, code in enumerate(municipalities["code"])})
    areas = areas.assign(order=order).sort_values(
        ["order", "area_name", "area"], key=_in_reading_order
    )
    return Layout(
        areas.drop(columns=["order", "municipality_code"]).reset_index(drop=True), municipalities
    )


@dataclass(frozen=True)
class Document:
    """One PDF: its file name, the site pages it prints in reading order, the name of the
    municipality it is about (None for the overview of all municipalities), and which of its
    pages are that municipality's areas (its contents list them under the municipality)."""

    name: str
    pages: tuple[str, ...]
    municipality: str | None = None
    areas: tuple[str, ...] = ()


def pdf_documents(layout: Layout, codes: Collection[str]) -> list[Document]:
    """The PDFs of the chosen municipalities, each printing its overview and its areas.
    With several municipalities a short overview of all of them (front page and methods)
    comes with them; with one, the methods close its own PDF, so no PDF repeats them."""
    chosen = set(codes)
    paths = layout.areas.groupby("code")["path"].agg(tuple)
    documents = []
    if layout.several and chosen:
        documents.append(Document(OVERVIEW_PDF, (FRONT, METHODS)))
    for m in layout.municipalities.itertuples():
        if m.code in chosen:
            methods = () if layout.several else (METHODS,)
            pages = (m.path, *paths[m.code], *methods)
            documents.append(Document(m.pdf, pages, m.municipality, paths[m.code]))
    return documents


@functools.cache  # compiling the templates takes a moment; pages render from one environment
def _environment() -> Environment:
    env = template_environment(TEMPLATES)
    # Figures and dates in the notation of the page's language (its ``lang``).
    for name, write in (("number", notation.number), ("signed", notation.signed),
                        ("pvalue", notation.pvalue), ("percent", notation.percent),
                        ("plain", notation.plain), ("moment", notation.moment),
                        ("criterion", criterion), ("message", pipeline_message),
                        ("cell", cell)):  # fmt: skip
        env.filters[name] = _in_page_language(write)
    env.filters["sort_value"] = sort_value
    env.filters["code"] = as_code
    return env


# The criteria of the technical appendix by the text psychometrics_checks.csv gives them.
CRITERIA = {c.text(): c for c in PSYCHOMETRIC_CRITERIA}


def criterion(text: str, language: str) -> str:
    """A psychometric criterion ("cfi ≥ 0.95") with its threshold in the page's notation."""
    known = CRITERIA.get(text)
    if known is None:
        return text
    statistic, symbol, written = text.split(" ")
    decimals = len(written.partition(".")[2])
    return f"{statistic} {symbol} {notation.number(known.threshold, language, decimals)}"


_MESSAGES_NL = [(re.compile(pattern), dutch) for pattern, dutch in PIPELINE_MESSAGES_NL]
_IN_GROUP = re.compile(r" in group '(?P<group>[^']*)'")
_FIGURE = re.compile(r"-?\d+\.\d+")


def pipeline_message(text, language: str) -> str:
    """A note or verdict the pipeline wrote in English into a result table, in the page's
    language (:data:`~samenspel.reports.i18n.PIPELINE_MESSAGES_NL`); "" for none. A part
    that no pattern knows stays as written, which the language tests catch."""
    if notation.is_missing(text) or text == "":
        return ""
    if language == "en":
        return str(text)
    return "; ".join(_message_part(part, language) for part in str(text).split("; "))


def _message_part(part: str, language: str) -> str:
    t = translator(language)
    for pattern, wording in _MESSAGES_NL:
        found = pattern.fullmatch(part)
        if found:
            return wording.format(**{name: _message_value(name, value, t)
                                     for name, value in found.groupdict().items()})  # fmt: skip
    return part


def _message_value(name: str, value: str, t) -> str:
    """A group of a pipeline message as the page writes it: a step's name, a criterion or a
    figure in the page's notation, anything else (a code) as it is."""
    if name == "step" and f"step_{value}" in TEXT:
        return t(f"step_{value}")
    if name == "where":
        return _place(value, t)
    if name == "criterion":
        return criterion(value, t.language)
    if _FIGURE.fullmatch(value):
        return notation.number(float(value), t.language, len(value.partition(".")[2]))
    return value


def _place(where: str, t) -> str:
    """Where a pipeline message says something happened (" in group 'informal'", "the
    municipality", or nothing) as the page writes it: a side by its name."""
    group = _IN_GROUP.fullmatch(where)
    if group:
        code = group["group"]
        if f"side_{code}" in TEXT:
            return t("message_in_side", side=t(f"side_{code}").lower())
        return t("message_in_group", group=code)
    return t("message_the_municipality") if where == "the municipality" else where


def cell(value, language: str) -> str | Markup:
    """A cell of a result table shown as it is (the technical appendix's full tables): a
    figure in the page's notation, yes or no in its language, "–" where empty, a criterion
    with its threshold in the page's notation, any other text as a code."""
    if isinstance(value, bool):
        return translator(language)("yes" if value else "no")
    if notation.is_missing(value):
        return notation.MISSING
    if isinstance(value, numbers.Integral):
        return str(value)
    if isinstance(value, numbers.Real):
        return notation.number(value, language, 3)
    text = str(value)
    return criterion(text, language) if text in CRITERIA else as_code(text)


def _in_page_language(write):
    """A jinja filter that writes its value in the notation of the page's language."""
    return pass_context(lambda context, value, *args: write(value, context["lang"], *args))


def sort_value(value) -> Markup:
    """A table cell's figure for the sorting script in base.html.j2, which sorts on it rather
    than on the formatted text: ` data-value="57.31"`; empty (sorted last) when missing."""
    known = isinstance(value, numbers.Real) and not notation.is_missing(value)
    return Markup(f' data-value="{float(value)!r}"' if known else ' data-value=""')


def page_common(
    language: str, meta: Mapping, documents: Sequence[Document] = (), own: Collection[str] = ()
) -> dict:
    """What every page in one language needs: its wording, the metadata, and the PDF each
    page links to: the one that prints it, else (but for the pages in ``own``, which belong
    to a municipality and link to its PDF only) the front page's; none where none is made."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
    pdfs = dict.fromkeys(own) | {page: doc.name for doc in documents for page in doc.pages}
    t = translator(language)
    return {
        "t": t, "lang": language, "meta": dict(meta),
        "demo_banner": t("demo_banner") if meta.get("simulated") else None,
        "other_lang": next(lang for lang in LANGUAGES if lang != language),
        "pdfs": pdfs, "front_pdf": pdfs.get(FRONT),
    }  # fmt: skip


def render_page(env: Environment, template: str, path: str, common: dict, **context) -> str:
    """The page at ``path`` (relative to the language folder). Its links start with
    ``root``, the way back up to that folder, so they work from any depth and offline."""
    return env.get_template(template).render(
        path=path, root="../" * path.count("/"),
        pdf=common["pdfs"].get(path, common["front_pdf"]), **common, **context,
    )  # fmt: skip


def _bands(method: Methodology) -> list[tuple[str, float, float]]:
    bounds = [b.lower for b in method.bands] + [100.0]
    return [(b.band, bounds[i], bounds[i + 1]) for i, b in enumerate(method.bands)]


def _component_names(data: ReportInput, language: str) -> dict[str, str]:
    names = {}
    for component in COMPONENTS:
        source = data.method.components[component]["from"]
        names[component] = data.instrument.constructs[source].name[language]
    return names


def _records(frame: pd.DataFrame) -> list[dict]:
    return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")


def _split(frame: pd.DataFrame | None, key: str = "area") -> dict[str, list[dict]]:
    """A table's rows as records by ``key`` (an area, a municipality), made once: selecting
    each area's rows from the table would take time quadratic in the number of areas."""
    groups: dict[str, list[dict]] = {}
    for record in [] if frame is None else _records(frame):
        groups.setdefault(record[key], []).append(record)
    return groups


@dataclass(frozen=True)
class _Results:
    """The result tables arranged for the pages of a site."""

    index: pd.DataFrame  # every wave, with the layout's code, label and path of each area
    current: pd.DataFrame  # the latest wave: a row per area, no figures where not measured
    waves: list[str]
    by_area: dict[str, dict[str, list[dict]]]  # table -> area -> its rows
    by_code: dict[str, dict[str, list[dict]]]  # "index", "current" -> municipality -> rows
    municipalities: pd.DataFrame  # the layout's, by code
    medians: pd.Series  # median index of the areas of each municipality, latest wave
    median_all: float
    three_os: pd.DataFrame  # per area (index), UNF, DIS, IND, COL: mean of the sides, latest

    @property
    def latest(self) -> str:
        return self.waves[-1]


def wave_order(data: ReportInput) -> list[str]:
    """The waves of the results first to last in time, as `analyse` ordered them by their
    fieldwork periods (results of older runs, which did not record it: by name)."""
    present = set(data.tables["index"]["wave"].astype(str))
    recorded = [str(w) for w in data.metadata.get("wave_order", []) if str(w) in present]
    return recorded + sorted(present - set(recorded))


def _arrange(data: ReportInput, layout: Layout) -> _Results:
    places = layout.areas[["area", "code", "label", "path"]]
    waves = wave_order(data)
    index = data.tables["index"].merge(places, on="area", how="left")
    index = index.sort_values("wave", key=lambda w: w.astype(str).map(waves.index), kind="stable")
    measured = index[index["wave"] == waves[-1]].drop(columns=["code", "label", "path"])
    current = places.merge(measured, on="area", how="left")
    by_area = {name: _split(data.tables.get(name)) for name in
               ("side_measures", "change", "goals", "sensitivity")}  # fmt: skip
    by_area |= {
        "index": _split(index), "design": _split(_design(data, waves[-1])),
        "screens": _split(_area_screens(data, waves[-1]), key="group_a"),
    }  # fmt: skip
    return _Results(
        index=index, current=current, waves=waves, by_area=by_area,
        by_code={"index": _split(index, "code"), "current": _split(current, "code")},
        municipalities=layout.municipalities.set_index("code"),
        medians=current.groupby("code")["index"].median(), median_all=current["index"].median(),
        three_os=_three_os(data.tables["side_measures"], waves[-1]),
    )  # fmt: skip


def _three_os(side_measures: pd.DataFrame, wave: str) -> pd.DataFrame:
    """Per area the three o's and collaboration in practice in ``wave``, each the mean of the
    two sides' component (one side where the other has no figure): the area's index weighs
    the two sides alike."""
    measures = [f"component_{o}" for o in (*THREE_OS, PRACTICE)]
    rows = side_measures[
        (side_measures["wave"].astype(str) == str(wave)) & side_measures["measure"].isin(measures)
    ]
    scores = rows.pivot_table(index="area", columns="measure", values="value", aggfunc="mean")
    return scores.reindex(columns=measures).set_axis([*THREE_OS, PRACTICE], axis=1)


def _area_screens(data: ReportInput, wave: str) -> pd.DataFrame | None:
    """Per area, component and side in ``wave``: the difference from the rest of its
    municipality and from all areas side by side, each with its adjusted p and note."""
    table = data.tables.get("comparisons")
    if table is None or not table["test"].isin(AREA_SCREENS).any():
        return None
    rows = table[table["test"].isin(AREA_SCREENS) & (table["wave"].astype(str) == wave)]
    rows = rows.assign(
        test=rows["test"].map({"area_vs_municipality": "municipality", "area_vs_all": "all"}),
        significant=rows["p_adjusted"] < data.method.false_discovery_rate,
        order=rows["construct"].map({c: k for k, c in enumerate(COMPONENTS)}),
    )
    wide = rows.pivot(
        index=["group_a", "order", "construct", "side"], columns="test",
        values=["estimate", "p_adjusted", "significant", "note"],
    )  # fmt: skip
    wide.columns = [f"{value}_{test}" for value, test in wide.columns]
    return wide.reset_index().sort_values(["group_a", "order", "side"]).drop(columns="order")


def _design(data: ReportInput, wave: str) -> pd.DataFrame:
    """design.csv rows of one wave (empty for results without it)."""
    design = data.tables.get("design")
    if design is None:
        return pd.DataFrame(columns=["area", "wave", "side", "interval"])
    return design[design["wave"].astype(str) == str(wave)]


def _design_notes(design: list[dict], t) -> list[str]:
    """What the intervals of a wave can and cannot reflect about how it was drawn."""
    drawn = [row["interval"] for row in design if row.get("interval")]
    if all(interval == "respondents" for interval in drawn):  # also when none is known
        return [t("intervals_independent")]
    one = drawn.count("one unit")
    return [t("intervals_one_unit", count=one)] if one else []


def _band_counts(bands: list, t) -> str:
    return t("lead_counts", hyb=bands.count("hybridisation"), rap=bands.count("rapprochement"),
             coex=bands.count("co-existence"), total=len(bands))  # fmt: skip


def _municipality_summary(current: pd.DataFrame, layout: Layout, bands) -> pd.DataFrame:
    """Per municipality in the latest wave: areas, areas per band, median index, change
    verdicts (a column each)."""
    counts = {f"band_{name}": current["band"].eq(name) for name, *_ in bands}
    if "change_verdict" in current:
        counts |= {f"verdict_{v}": current["change_verdict"].eq(v) for v in VERDICTS}
    columns = pd.DataFrame(counts).groupby(current["code"]).sum()
    columns["median"] = current.groupby("code")["index"].median()
    return layout.municipalities.join(columns, on="code")


def _summary(results: _Results, rows: list[dict], method: Methodology, names, t,
             monitor: Monitor | None = None) -> list[str]:  # fmt: skip
    """The management summary of the areas in ``rows`` (the latest wave's)."""
    areas = pd.DataFrame.from_records(rows).reindex(columns=SUMMARY_COLUMNS)
    three_os = results.three_os.reindex(areas["area"].to_list()).reset_index(drop=True)
    return management_summary(
        areas, three_os.assign(label=areas["label"].to_list()), t, names, wave=results.latest,
        previous=results.waves[-2] if len(results.waves) > 1 else None,
        meaningful=method.meaningful_change, monitor=monitor,
    )  # fmt: skip


SUMMARY_COLUMNS = (
    "area", "label", "status", "band", "index_professional", "index_informal", "gap",
    "gap_ci_low", "gap_ci_high", "change", "change_verdict",
)  # fmt: skip


def _monitor(results: _Results, code: str, rows: list[dict]) -> Monitor:
    """How a municipality's areas stand in the whole monitor, for its summary."""
    screens = results.by_area["screens"]

    def differing(test: str) -> list[str]:
        significant = "significant_" + test
        return [
            r["label"] for r in rows
            if any(s.get(significant) is True for s in screens.get(r["area"], []))
        ]  # fmt: skip

    with_figures = results.current["status"].isin(("published", "indicative"))
    return Monitor(
        municipality=results.municipalities.at[code, "municipality"],
        median=results.medians.get(code), median_all=results.median_all,
        areas_all=int(with_figures.sum()),
        differs_from_municipality=differing("municipality"), differs_from_all=differing("all"),
    )  # fmt: skip


def _front(results: _Results, layout: Layout, bands, t) -> dict:
    """The front page with several municipalities: per municipality its areas, bands,
    median and change verdicts; how the areas spread now and over the waves."""
    latest, current = results.latest, results.current
    summary = _municipality_summary(current, layout, bands)
    measured = current[current["wave"].notna()]
    chart = None
    if len(summary) <= MAX_CHART_ROWS:
        spread = current.groupby("code")["index"].agg(["min", "max"])
        chart = charts.forest(
            [charts.Interval(m.municipality, m.median, spread.at[m.code, "min"],
                             spread.at[m.code, "max"]) for m in summary.itertuples()],
            t("front_chart_title", wave=latest), bands, t("axis_index"),
            references=[(t("median_all"), results.median_all)], language=t.language,
        )  # fmt: skip
    trend = None
    if len(results.waves) > 1:
        quartiles = results.index.groupby("wave")["index"].quantile([0.75, 0.5, 0.25]).unstack()
        trend = charts.trend(
            {t(name): list(zip(quartiles.index, quartiles[q], strict=True))
             for name, q in (("upper_quartile", 0.75), ("median", 0.5), ("lower_quartile", 0.25))},
            results.waves, t("front_trend_title"), bands, colour_lines=True, language=t.language,
        )  # fmt: skip
    verdicts = [v for v in VERDICTS if summary.get(f"verdict_{v}", pd.Series(dtype=int)).any()]
    return {
        "lead": t("front_lead", wave=latest, municipalities=len(summary),
                  counts=_band_counts(list(measured["band"]), t),
                  median=notation.number(results.median_all, t.language)),
        "latest": latest, "summary": _records(summary), "verdicts": verdicts,
        "band_names": [name for name, *_ in reversed(bands)],
        "chart": chart, "trend": trend, "first_wave": len(results.waves) == 1,
        "distribution": charts.histogram(
            list(measured["index"]), t("distribution_title", wave=latest), bands,
            t("axis_index"), t("axis_areas"), language=t.language,
        ),
    }  # fmt: skip


def _municipality(results: _Results, code: str, several: bool, bands, names, t) -> dict:
    """A municipality's overview: its areas now, read against the medians of its areas and
    of all areas; over the waves; the gap between the sides; where they differ."""
    latest = results.latest
    current = results.by_code["current"][code]
    name = results.municipalities.at[code, "municipality"]
    median = results.medians.get(code)
    own = [(t("median_of", name=name), median)] if several else []
    forest = charts.forest(
        [charts.Interval(r["label"], r["index"], r["ci_low"], r["ci_high"]) for r in current],
        t("forest_title", wave=latest), bands, t("axis_index"),
        references=[*own, (t("median_all"), results.median_all)], language=t.language,
    )  # fmt: skip
    series: dict[str, list] = {}
    for row in sorted(results.by_code["index"][code], key=lambda r: reading_key(r["label"])):
        series.setdefault(row["label"], []).append((row["wave"], row["index"]))
    gap = charts.gap_chart(
        [charts.Interval(r["label"], r["gap"], r["gap_ci_low"], r["gap_ci_high"])
         for r in current],
        t("gap_title", wave=latest), t("axis_gap"), language=t.language,
    )  # fmt: skip
    screens = results.by_area["screens"]
    return {
        "code": code, "name": name, "latest": latest, "rows": current,
        "lead": t("overview_lead", wave=latest,
                  counts=_band_counts([r["band"] for r in current if r["wave"]], t)),
        "medians": t("municipality_medians", name=name,
                     median=notation.number(median, t.language),
                     all=notation.number(results.median_all, t.language)) if several else "",
        "forest": forest, "gap": gap,
        "trend": charts.trend(series, results.waves, t("trend_title"), bands,
                              language=t.language)
        if len(results.waves) > 1 else None,
        "has_change": "change" in results.current, "first_wave": len(results.waves) == 1,
        "design_notes": _design_notes(
            [row for r in current for row in results.by_area["design"].get(r["area"], [])], t
        ),
        "differences": [
            {"label": r["label"], "path": r["path"],
             **_significant(screens.get(r["area"], []), names, t)}
            for r in current
        ] if screens else None,
    }  # fmt: skip


def _area_map(
    results: _Results, codes: Sequence[str], boundaries: Boundaries | None, bands, t
) -> maps.AreaMap:
    """The map of the areas of the municipalities ``codes`` in the latest wave."""
    groups = [
        (results.municipalities.at[code, "municipality"],
         maps.places(results.by_code["current"][code], boundaries))
        for code in codes
    ]  # fmt: skip
    return maps.area_map(groups, boundaries, bands, t, results.latest)


def _significant(screens: list[dict], names: dict[str, str], t) -> dict[str, list[str]]:
    """An area's significant differences from the rest of its municipality and from all
    areas, a line per component: 'Trust (professionals +12.3; informal actors +9.1)'."""
    found = {}
    for test in ("municipality", "all"):
        sides: dict[str, list[str]] = {}
        for s in screens:
            if s.get("significant_" + test) is True:
                side = t("side_" + s["side"]).lower()
                side += " " + notation.signed(s["estimate_" + test], t.language)
                sides.setdefault(names.get(s["construct"], s["construct"]), []).append(side)
        found[test] = [f"{name} ({'; '.join(said)})" for name, said in sides.items()]
    return found


def _what_helps(components: list[dict], method: Methodology, language: str, t) -> dict | None:
    """The levers for the o (or the o's, when close) that holds an area back most, and
    which component is lowest overall when that is not one of the three o's. Each score is
    the mean of the two sides', as in the summary."""
    means = {c["code"]: _side_mean(c) for c in components if _side_mean(c) is not None}
    chosen = holding_back({o: means[o] for o in THREE_OS if o in means}, method.meaningful_change)
    if not chosen:
        return None
    by_code = {c["code"]: c for c in components}
    found = [
        {"name": by_code[o]["name"], "score": means[o], "levers": LEVERS[o][language]}
        for o in chosen
    ]
    lines = []
    lowest = min(means, key=means.__getitem__)
    if lowest not in THREE_OS:
        lines.append(t("levers_lowest_other", component=by_code[lowest]["name"].lower(),
                       score=notation.number(means[lowest], t.language)))  # fmt: skip
    said = named([o["name"].lower() for o in found], t)
    if len(found) == 1:
        score = notation.number(found[0]["score"], language)
        lines.append(t("levers_lead", o=said, score=score))
    else:
        scores = ", ".join(notation.number(o["score"], t.language) for o in found)
        lines.append(t("levers_lead_close", o=said, scores=scores,
                       threshold=notation.plain(method.meaningful_change, language)))  # fmt: skip
    return {"lines": lines, "os": found}


def _side_mean(component: dict) -> float | None:
    values = [component[s] for s in SIDES if component[s] is not None]
    return sum(values) / len(values) if values else None


def _area(results: _Results, area_id: str, data: ReportInput, names, language: str) -> dict:
    t = translator(language)
    figure = functools.partial(notation.number, language=language)
    rows = results.by_area["index"][area_id]  # by wave
    waves = [row["wave"] for row in rows]
    latest = waves[-1]
    bands = _bands(data.method)
    first, last = rows[0], rows[-1]
    now = {
        (row["side"], row["measure"]): row
        for row in results.by_area["side_measures"].get(area_id, []) if row["wave"] == latest
    }  # fmt: skip

    def value(side_name: str, measure: str, column: str = "value"):
        row = now.get((side_name, measure))
        return None if row is None else row[column]

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
        language=language,
    )
    trend = None
    if len(waves) > 1:
        series = {t("col_index"): [(row["wave"], row["index"]) for row in rows]}
        for s in SIDES:
            series[t(f"side_{s}")] = [(row["wave"], row[f"index_{s}"]) for row in rows]
        trend = charts.trend(
            series, waves, t("area_trend"), bands, colour_lines=True, language=language
        )
    drivers = []
    for s in SIDES:
        scored = [(c["name"], c[s]) for c in components if c[s] is not None]
        if scored:
            lowest = sorted(scored, key=lambda pair: pair[1])[:2]
            items = ", ".join(f"{name} ({figure(v)})" for name, v in lowest)
            drivers.append(t("area_drivers_text", side=t(f"side_{s}").lower(), items=items))
    three_os = [c for c in components if c["code"] in ("UNF", "DIS", "IND")]
    design_notes = [
        t("area_one_unit", side=t(f"side_{row['side']}").lower(), wave=latest)
        for row in results.by_area["design"].get(area_id, []) if row["interval"] == "one unit"
    ]  # fmt: skip
    extras = {name: results.by_area[name].get(area_id, [])
              for name in ("change", "goals", "sensitivity")}  # fmt: skip
    code = first["code"]
    return {
        **extras,
        "area_id": area_id, "area_name": first["area_name"],
        "municipality": first["municipality"],
        "municipality_path": results.municipalities.at[code, "path"],
        "rows": rows, "latest": latest,
        "model_based": any(r.get("estimate_type") == "model-based" for r in rows),
        "components": components, "pillars": pillars, "bars": bars, "trend": trend,
        "drivers": drivers, "three_os": three_os, "design_notes": design_notes,
        "helps": _what_helps(components, data.method, language, t),
        "suppressed": last["status"] == "suppressed",
        "screens": [{**s, "name": names.get(s["construct"], s["construct"])}
                    for s in results.by_area["screens"].get(area_id, [])],
        "medians": t("area_medians", index=figure(last["index"]), wave=latest,
                     name=first["municipality"], median=figure(results.medians.get(code)),
                     all=figure(results.median_all)),
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
                    max_gap=notation.plain(float(spec.get("max_gap", 0)), language)
                ),
            }
        )
    caps = method.components["COL"].get("caps", {})
    distribution = data.tables.get("component_distribution")
    latest = wave_order(data)[-1]
    if distribution is not None:
        distribution = distribution[distribution["wave"].astype(str) == latest].assign(
            name=lambda d: d["component"].map(names)
        )
    return {
        "distribution": [] if distribution is None else _records(distribution),
        "latest": latest,
        "components": components, "caps": caps, "pillars": method.pillars,
        "weights": method.pillar_weights, "aggregation": method.side_aggregation,
        "bands": method.bands, "method": method, "references": sorted(
            [(ref, "en") for ref in REFERENCES] + [(ref, "nl") for ref in DUTCH_REFERENCES]
        ),
        "text": data.methodology_text,
        "columns": OUTPUT_COLUMNS if language == "en" else COLUMN_DESCRIPTIONS_NL,
    }  # fmt: skip


def _comparisons(data: ReportInput, names: dict[str, str], layout: Layout) -> dict:
    """The comparisons worth reading: sides per construct, areas, the gap by area; of the
    areas against the rest of their municipality the largest significant differences of the
    latest wave (every test stays in comparisons.csv, and each area's are on its page)."""
    table = data.tables.get("comparisons")
    if table is None:
        return {"available": False}
    area_names = area_labels(data.tables["index"])
    table = table.assign(
        construct_name=table["construct"].map(names).fillna(table["construct"]),
        name_a=table["group_a"].map(area_names).fillna(table["group_a"]),
    )

    def pick(test: str) -> list[dict]:
        return _records(table[table["test"] == test])

    latest = wave_order(data)[-1]
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
        "area_paths": dict(zip(layout.areas["area"], layout.areas["path"], strict=True)),
    }  # fmt: skip


# (psychometrics_steps is said in words in its own section, in the page's language)
PSYCHOMETRIC_DETAIL_TABLES = (
    "items", "kmo", "bartlett", "parallel_analysis", "efa_loadings", "efa_factor_correlations",
    "latent_means", "cfa_fit", "cfa_parameters", "validity", "htmt", "modification_indices",
    "partial_invariance", "criteria",
    "problems",
)  # fmt: skip


def _construct_names(data: ReportInput, language: str) -> dict[str, str]:
    if data.instrument is None:
        return {}
    return {code: c.name[language] for code, c in data.instrument.constructs.items()}


def _smaller_model(model, language: str, data: ReportInput) -> str:
    """A check's model in words where it is smaller than the full model ("" otherwise)."""
    if not model or model == "full":
        return ""
    return model_words(model, translator(language), _construct_names(data, language))


def _latent_means_why(context: dict, data: ReportInput, t) -> dict:
    """The comparisons page with, beside each wave's latent-means sentence, why the test
    between the sides could not be done where it was not: from that wave's rows of
    psychometrics_steps.csv."""
    names = _construct_names(data, t.language)
    steps = data.tables.get("psychometrics_steps")
    for row in context.get("latent", []):
        # a wave whose test between the sides did not run: why not (the others' sentences
        # already say whether invariance holds)
        row["why"] = not_done_why(steps, row["wave"], "invariance_sides", t, names)
    return context


def _technical(data: ReportInput, language: str, names: dict[str, str] | None = None) -> dict:
    """Psychometrics: every figure beside its criterion and estimator first, then the full
    tables; then how the sample was drawn (units, design effects)."""

    def get(name: str) -> list[dict]:
        frame = data.tables.get("psychometrics_" + name)
        return [] if frame is None else _records(frame)

    details = []
    for name in PSYCHOMETRIC_DETAIL_TABLES:
        frame = data.tables.get("psychometrics_" + name)
        if frame is not None and not (name == "problems" and frame.empty):
            details.append((name, list(frame.columns), _records(frame)))
    names = names or {}
    unit_icc = data.tables.get("unit_icc", pd.DataFrame(columns=["measure"]))
    index = data.tables.get(
        "index", pd.DataFrame(columns=["area", "wave", "area_name", "municipality"])
    )
    design = _design(data, wave_order(data)[-1] if len(index) else "")
    steps = data.tables.get("psychometrics_steps")
    checks = data.tables.get("psychometrics_checks")
    fits = [] if checks is None or "estimator" not in checks else list(
        checks.loc[checks["check"] == "global fit", "estimator"].dropna().unique()
    )  # fmt: skip
    estimators = [ESTIMATOR_DESCRIPTIONS[e][language] for e in fits if e in ESTIMATOR_DESCRIPTIONS]
    return {
        "available": "psychometrics_checks" in data.tables,
        "checks": [{**row, "model_words": _smaller_model(row.get("model"), language, data)}
                   for row in get("checks")],
        "invariance": [{**row, "model_words": _smaller_model(row.get("model"), language, data)}
                       for row in get("invariance")],
        "reliability": get("reliability"),
        "aggregation": get("aggregation"), "details": details,
        "unit_icc": _records(unit_icc.assign(name=unit_icc["measure"].map(
            lambda m: names.get(m.removeprefix("component_"), m)
        ))),
        "design": _records(design[design["interval"].fillna("") != ""]),
        **_weights(design),
        "area_names": area_labels(index),
        "comparison": get("estimator_comparison"),
        "steps": step_sentences(steps, translator(language), _construct_names(data, language)),
        "steps_available": steps is not None,
        "steps_minimum": MIN_RESPONDENTS_MODEL,
        "listwise": data.metadata.get("psychometrics_missing") == "listwise",
        "language_mode": language_mode_sentences(
            data.tables.get("psychometrics_invariance_language_mode"), language, names
        ),
        "min_group": _min_group(data.tables.get("psychometrics_invariance_language_mode")),
        "estimator_text": "; ".join(estimators) or ESTIMATOR_DESCRIPTIONS["ML"][language],
    }  # fmt: skip


def language_mode_sentences(
    summary: pd.DataFrame | None, language: str, names: dict[str, str] | None = None
) -> list[dict]:
    """One sentence per wave, comparison and construct of
    ``psychometrics_invariance_language_mode``: the items that work differently and the
    comparisons they affect, or that invariance holds, or why it was not tested; each made
    from its row only. Records of ``wave``, ``comparison``, ``construct``, ``named`` (the
    items, comma separated) and ``text``."""
    if summary is None or summary.empty:
        return []
    t = translator(language)
    names = names or {}

    def groups(text) -> str:
        parts = [p.rsplit(" ", 1) for p in str(text or "").split("; ") if p]
        return ", ".join(f"{t.name('lm_group_', g)} {notation.number(int(n), language, 0)}"
                         for g, n in parts)  # fmt: skip

    sentences = []
    for row in _records(summary):
        comparison = row["comparison"]
        construct = names.get(row["construct"], row["construct"])
        words = {"by": t(f"comparison_{comparison}"), "construct": construct,
                 "mix": t(f"lm_mix_{comparison}"), "one": t(f"lm_one_{comparison}"),
                 "groups": groups(row["groups"]), "minimum": row["min_group"]}  # fmt: skip
        note = str(row.get("note") or "")
        items = str(row.get("non_invariant_items") or "")
        if not row["tested"]:
            if note.startswith("not tested: fewer than two"):
                found = "; ".join(p for p in (row["groups"], row["left_out"]) if p)
                text = t("lm_too_few", **{**words, "found": groups(found) or t("lm_none_recorded")})
            elif " items; a construct needs " in note:
                n = note.removeprefix("not tested: ").split(" ", 1)[0]
                text = t("lm_few_items", **words, n=n)
            else:
                text = t("lm_not_fitted", **words)
        elif items:
            text = t("lm_items", **words, items=items)
        elif row["highest_level"] == "scalar":
            text = t("lm_holds", **words)
        elif "configural fit does not hold" in note and "does not hold, even" not in note:
            text = t("lm_configural", **words)
        else:
            failed = note.split(" invariance does not hold, even")[0].rsplit("; ", 1)[-1]
            text = t("lm_fails", **words, step=t.name("step_", failed))
        if row["tested"] and row.get("left_out"):
            text += " (" + t("lm_left_out", minimum=row["min_group"],
                             groups=groups(row["left_out"])) + ")"  # fmt: skip
        sentences.append({"wave": row["wave"], "comparison": comparison,
                          "construct": row["construct"], "named": items, "text": text})  # fmt: skip
    return sentences


def _min_group(summary: pd.DataFrame | None) -> int | None:
    """The fewest respondents a language or mode needed, as the summary rows record it."""
    if summary is None or summary.empty:
        return None
    return int(summary["min_group"].min())


def _weights(design: pd.DataFrame) -> dict:
    """The design weights of the last wave per area x side (rows with weights from the
    registry's members) and, per reason, how many sides have equal weights."""
    if "weighting" not in design:
        return {"weights": [], "weights_equal": []}
    key = design["weighting"].fillna("").str.replace(": ", "_").str.replace(" ", "_")
    weighted = design["weighting"] == "members"
    equal = key[~weighted].value_counts(sort=False)
    return {
        "weights": _records(design[weighted].assign(weighting_key=key[weighted].to_numpy())),
        "weights_equal": [{"key": k, "count": int(c)} for k, c in sorted(equal.items())],
    }


def _quality(data: ReportInput, t) -> tuple[str, dict]:
    """The data-quality page's template and what it shows (a placeholder without the
    quality tables)."""
    needed = ("quality_summary", "rejects_summary", "files")
    if not all(name in data.tables for name in needed):
        return "tables.html.j2", {
            "title": t("nav_quality"),
            "lead": t("quality_lead"),
            "tables": [],
        }
    context = quality_context(
        *(data.tables[name] for name in needed),
        data.method.indicative_min,
        t,
        data.tables.get("invalid_answers"),
    )
    return "quality.html.j2", {"area_names": area_labels(data.tables["index"]), **context}


def build_site(
    data: ReportInput, language: str, documents: Sequence[Document] = ()
) -> dict[str, str]:
    """All pages of the report in one language: {path in the language folder: HTML}.

    ``documents`` are the PDFs made beside the site (see :func:`pdf_documents`); pages link
    to those only.
    """
    layout = site_layout(data.tables["index"])
    own = [*layout.municipalities["path"], *layout.areas["path"]]
    common = {**page_common(language, data.metadata, documents, own), "several": layout.several}
    t = common["t"]
    waves = sorted(data.tables["index"]["wave"].astype(str).unique())
    simulated = _simulated_waves(data, waves)
    common["demo_banner"] = _demo_banner(simulated, waves, t)
    env = _environment()
    results = _arrange(data, layout)
    names = _component_names(data, language)
    bands = _bands(data.method)
    quality_template, quality = _quality(data, t)
    pages = {
        AREA_INDEX: render_page(
            env, "areas.html.j2", AREA_INDEX, common, page="areas",
            municipalities=_records(layout.municipalities),
            areas=layout.areas.groupby("code")[["path", "label"]].apply(_records).to_dict(),
        ),
        "comparisons.html": render_page(
            env, "comparisons.html.j2", "comparisons.html", common, page="comparisons",
            **_latent_means_why(_comparisons(data, names, layout), data, t),
            # items that work differently by language or mode bias these comparisons
            differing=[sentence for sentence in language_mode_sentences(
                data.tables.get("psychometrics_invariance_language_mode"), language, names
            ) if sentence["named"]],
        ),
        "technical.html": render_page(
            env, "technical.html.j2", "technical.html", common, page="technical",
            **_technical(data, language, names),
        ),
        "quality.html": render_page(
            env, quality_template, "quality.html", common, page="quality", **quality
        ),
        METHODS: render_page(
            env, "methods.html.j2", METHODS, common, page="methods",
            **_methods(data, language, names),
        ),
    }  # fmt: skip
    if layout.several:
        pages[FRONT] = render_page(
            env, "front.html.j2", FRONT, common, page="index", **_front(results, layout, bands, t),
            summary_points=_summary(results, _records(results.current), data.method, names, t),
            area_map=_area_map(results, layout.municipalities["code"], data.boundaries, bands, t),
        )  # fmt: skip
    for m in layout.municipalities.itertuples():
        rows = results.by_code["current"][m.code]
        monitor = _monitor(results, m.code, rows) if layout.several else None
        pages[m.path] = render_page(
            env, "municipality.html.j2", m.path, common, page="municipality",
            **_municipality(results, m.code, layout.several, bands, names, t),
            summary_points=_summary(results, rows, data.method, names, t, monitor),
            area_map=_area_map(results, [m.code], data.boundaries, bands, t),
        )  # fmt: skip
    for area in layout.areas.itertuples():
        shown = [str(row["wave"]) for row in results.by_area["index"][area.area]]
        pages[area.path] = render_page(
            env, "area.html.j2", area.path,
            {**common, "demo_banner": _demo_banner(simulated, shown, t)}, page="area",
            **_area(results, area.area, data, names, language),
        )  # fmt: skip
    return pages


def _simulated_waves(data: ReportInput, waves: Sequence[str]) -> set[str]:
    """The waves whose data are simulated: those with a simulated export (files.csv), or,
    for results without that table, every wave when the metadata says the data are."""
    files = data.tables.get("files")
    if files is None or "simulated" not in files:
        return set(waves) if data.metadata.get("simulated") else set()
    simulated = files["simulated"].astype(str).str.lower().isin(("true", "1"))
    return set(files.loc[simulated, "wave"].astype(str))


def _demo_banner(simulated: set[str], shown: Sequence[str], t) -> str | None:
    """The warning a page carries when figures it shows are simulated: for all of its waves,
    or naming the waves that are; None when none is."""
    demo = [wave for wave in shown if wave in simulated]
    if not demo:
        return None
    return (
        t("demo_banner")
        if len(demo) == len(shown)
        else t("demo_banner_waves", waves=named(demo, t))
    )


def main_content(page: str) -> str:
    """The part of a page between the main markers (for the print version)."""
    return page.split(MAIN_START, 1)[1].split(MAIN_END, 1)[0]


@dataclass(frozen=True)
class PrintSection:
    """The main content of one page a PDF prints. A ``nested`` page (an area) is listed in
    the contents by its title only, under the page before it (its municipality)."""

    html: str
    nested: bool = False


def print_sections(pages: Mapping[str, str], document: Document) -> list[PrintSection]:
    """The main content of each page a PDF prints, in its order."""
    return [PrintSection(_printed(main_content(pages[path])), path in document.areas)
            for path in document.pages]  # fmt: skip


@dataclass(frozen=True)
class Cover:
    """What the cover of every PDF of a report states beside its municipality."""

    wave: str  # the latest wave
    analysed: date | None  # the day the analysis ran, in Dutch time; None if not recorded
    instrument_version: str
    methodology_version: str
    simulated: bool


def cover_of(data: ReportInput) -> Cover:
    """The cover's facts: the latest wave, and from the metadata when the figures were
    computed, with which versions, and whether the data are simulated."""
    meta = data.metadata
    created = meta.get("created_at")
    return Cover(
        wave=wave_order(data)[-1],
        analysed=datetime.fromisoformat(created).astimezone(DUTCH_TIME).date() if created else None,
        instrument_version=str(meta["instrument_version"]),
        methodology_version=str(meta["methodology_version"]),
        simulated=bool(meta.get("simulated")),
    )


@dataclass(frozen=True)
class Heading:
    """An entry of a PDF's contents: the id the print gives a heading, its text and its
    level (1: a page's title; 2: its sections, and the areas under their municipality)."""

    id: str
    text: str
    level: int


# The print rewrites the site's own autoescaped markup, where no text can hold a tag.
_HEADING = re.compile(r"<(h[12])\b([^>]*)>(.*?)</\1>", re.S)
_TABLE = re.compile(r"<table\b([^>]*)>")
_ID = re.compile(r'\s+id="[^"]*"')
_TAG = re.compile(r"<[^>]+>")


def _take(html: str, css_class: str) -> tuple[str, str]:
    """The first element of ``html`` with the class ``css_class``, with all it holds, and
    ``html`` without it; ("", html) where there is none."""
    start = re.search(rf'<([a-z][a-z0-9]*)\b[^>]*\sclass="(?:[^"]*\s)?{css_class}[\s"]', html)
    if start is None:
        return "", html
    depth = 0
    for tag in re.compile(rf"<(/?){start.group(1)}\b").finditer(html, start.start()):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            end = html.index(">", tag.end()) + 1
            return html[start.start() : end], html[: start.start()] + html[end:]
    raise ValueError(f"<{start.group(1)} class={css_class!r}> has no end tag")


# A chart's title and description (reports/charts.py); in a PDF's tags a figure's alternative
# text is its title only, so print gives the title the figures too.
_CHART_TEXT = re.compile(r"<title>([^<]*)</title><desc>([^<]*)</desc>")


def _printed(html: str) -> str:
    """A page's main content as print shows it: without what is for the screen only (the
    print would hide it, but still lay it out and list its headings in the contents), each
    chart's alternative text its title and the figures it shows."""
    hidden = True
    while hidden:
        hidden, html = _take(html, "screen-only")
    return _CHART_TEXT.sub(r"<title>\1: \2</title><desc>\2</desc>", html)


def _anchor(html: str, ids: Iterator[int]) -> tuple[str, list[tuple[int, str, str]]]:
    """``html`` with a new id on every h1, h2 and table, and its headings as (rank, id,
    text). The screen's ids repeat on every area page; in one PDF each must be unique, for
    the contents to link to its heading and for the PDF to mark where each table starts."""
    headings = []

    def heading(match: re.Match) -> str:
        tag, attributes, inner = match.groups()
        anchor = f"h{next(ids)}"
        text = " ".join(html_module.unescape(_TAG.sub("", inner)).split())
        headings.append((int(tag[1]), anchor, text))
        return f'<{tag} id="{anchor}"{_ID.sub("", attributes)}>{inner}</{tag}>'

    def table(match: re.Match) -> str:
        return f'<table id="t{next(ids)}"{_ID.sub("", match.group(1))}>'

    return _TABLE.sub(table, _HEADING.sub(heading, html)), headings


def _entries(headings: list[tuple[int, str, str]], nested: bool) -> list[Heading]:
    """The contents' entries of one printed page: its title and its sections; of an area
    (``nested``) its title only, a level down: every area page has the same sections."""
    if not headings:
        return []
    top = min(rank for rank, _, _ in headings)
    if nested:
        return [Heading(anchor, text, 2) for rank, anchor, text in headings if rank == top]
    return [Heading(anchor, text, rank - top + 1) for rank, anchor, text in headings]


def print_html(
    sections: Sequence[PrintSection], language: str, cover: Cover, municipality: str | None
) -> str:
    """The HTML a PDF is printed from: a cover, the contents with page numbers, the first
    page's management summary (where it has one) on a page of its own, then each section
    from a new page. ``municipality`` (None for the overview of all) is on the cover and
    heads every page."""
    t = translator(language)
    ids = itertools.count(1)
    summary, lead = _take(sections[0].html, "summary") if sections else ("", "")
    summary, headings = _anchor(summary, ids)
    contents = _entries(headings[:1], nested=False)
    bodies = []
    for k, section in enumerate(sections):
        body, headings = _anchor(lead if k == 0 else section.html, ids)
        bodies.append(Markup(body))
        contents += _entries(headings, section.nested)
    return (
        _environment()
        .get_template("print.html.j2")
        .render(lang=language, t=t, cover=cover, contents=contents,
                summary=Markup(summary), sections=bodies,
                analysed=notation.long_date(cover.analysed, language) if cover.analysed else None,
                title=municipality or t("all_municipalities"))
    )  # fmt: skip


def build_pdf(
    sections: Sequence[PrintSection], language: str, cover: Cover, municipality: str | None
) -> bytes:
    """One PDF (WeasyPrint) of :func:`print_html`, tagged for assistive technology (PDF/UA-1):
    its language, its title shown in the window, and a structure tree of its headings,
    tables with their header cells, lists and figures with their alternative text."""
    from weasyprint import HTML  # imported here: loading its system libraries takes a moment

    html = print_html(sections, language, cover, municipality)
    return HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")


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
