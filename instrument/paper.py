"""Paper questionnaires and show-cards, as HTML and PDF (WeasyPrint), per role and language.

    html = render_paper_html(instrument, areas, role="informal", language="nl",
                             version="interviewer")
    pdf = html_to_pdf(html)
    cards = render_show_cards_html(instrument, areas, language="en")

Two versions of every form: the *interviewer* version (item codes, answer codes beside the
boxes, interviewer instructions in a grey box, routing such as "GA NAAR EINDE", show-card
references) and the *self-completion* version (the same questions without interviewer text;
codes stay small and grey for data entry). Every page carries the respondent number field,
the instrument version and "page x/y" in its margins (CSS ``@page`` margin boxes).

A form holds only the items of its role, with ``{own_group}`` / ``{other_party}`` filled in.
The unit question lists the units of the form's side, grouped by area, and 'not listed'.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment

from samenspel.common.templating import template_environment
from samenspel.instrument.model import (
    UNIT_NOT_LISTED,
    AnswerOption,
    AnswerScale,
    AreaRegistry,
    Instrument,
    Item,
    fill_placeholders,
)
from samenspel.instrument.phrases import phrase
from samenspel.instrument.xlsform import (
    NUMBER_SCALE_KINDS,
    area_labels,
    consent_item,
    role_item,
)

TEMPLATES = Path(__file__).parent / "templates"
VERSIONS = ("interviewer", "self")
LONG_LIST = 7  # option lists longer than this are printed in two columns
# A registry longer than this (a national monitor has thousands of areas) is not printed as
# a list: the form gets a write-in field for the area code instead, and no show-card.
MAX_PRINTED_AREAS = 60
# Likewise for the units of one side (about two pages in two columns): beyond this the form
# gets a write-in field for the unit code.
MAX_PRINTED_UNITS = 120


@dataclass
class Option:
    code: str
    label: str
    routing: str = ""  # e.g. "GA NAAR EINDE"
    missing: bool = False


@dataclass
class Row:
    """One answer line of a block: an item (or a pair of items) with its text."""

    code: str
    text: str
    instruction: str = ""
    codes: tuple[str, ...] = ()  # the answer columns (a pair has two)


@dataclass
class Block:
    """A run of questions printed together: choice, matrix, pairs or numbers."""

    kind: str
    rows: list[Row] = field(default_factory=list)
    options: list[Option] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)  # pair stems
    digits: int = 0
    dont_know: Option | None = None
    low: int | None = None
    high: int | None = None
    card: int | None = None  # show-card number
    columns: int = 1
    groups: list[tuple[str, list[Option]]] = field(default_factory=list)  # (area, its units)
    write_in: str = ""  # label of the write-in field: 'Area code'


@dataclass
class SectionView:
    id: str
    title: str
    intro: str
    blocks: list[Block]


def _environment() -> Environment:
    return template_environment(TEMPLATES)


def scale_options(
    scale: AnswerScale, areas: AreaRegistry, language: str
) -> tuple[list[AnswerOption], list[AnswerOption]]:
    """(substantive options, missing options) of a select scale, areas included."""
    if scale.kind == "area":
        return [
            AnswerOption(area_id, {language: text}) for area_id, text in area_labels(areas).items()
        ], []
    return list(scale.options), list(scale.missing)


def show_card_scales(
    instrument: Instrument, areas: AreaRegistry | None = None
) -> list[AnswerScale]:
    """The answer scales that get a show-card, in the order of the instrument's scales.

    Every scale an item uses, except short lists (two options, such as yes/no) that a
    respondent hears and remembers without a card, and an area registry too long to print.
    The unit scale has no options of its own, so no card: its list depends on the area and
    side (a card for each), and a respondent names their own team or organisation.
    """
    used = {item.scale for item in instrument.items}
    if areas is not None and len(areas.areas) > MAX_PRINTED_AREAS:
        used -= {s.id for s in instrument.answer_scales.values() if s.kind == "area"}
    return [
        s
        for s in instrument.answer_scales.values()
        if s.id in used and (s.kind in NUMBER_SCALE_KINDS or s.kind == "area" or len(s.options) > 2)
    ]


def _fill(instrument: Instrument, text: str, role: str, language: str) -> str:
    return fill_placeholders(text, instrument.roles[role], language)


def _option_list(
    instrument: Instrument, areas: AreaRegistry, item: Item, role: str, language: str
) -> list[Option]:
    scale = instrument.answer_scales[item.scale]
    substantive, missing = scale_options(scale, areas, language)
    go_to = phrase("go_to", language)
    options = []
    for option in substantive:
        routing = ""
        if item.code == consent_item(instrument).code and option.code != 1:
            routing = f"{go_to} {phrase('end', language)}"
        elif item.code == role_item(instrument).code:
            other = instrument.role_of_code(option.code)
            if other.id == role:
                routing = phrase("continue", language)
            else:
                routing = f"{go_to} {phrase('form_for', language)} '{other.label[language]}'"
        options.append(Option(str(option.code), option.label[language], routing))
    options += [Option(str(o.code), o.label[language], missing=True) for o in missing]
    return options


def _unit_block(row: Row, areas: AreaRegistry, side: str | None, language: str) -> Block:
    """The unit question of a side's form: the side's units grouped by area (areas without
    any left out), then 'not listed'; a write-in field for the unit code instead of the
    groups when the side has more units than print well."""
    not_listed = [Option(UNIT_NOT_LISTED, phrase("unit_not_listed", language))]
    if sum(unit.side == side for unit in areas.units) > MAX_PRINTED_UNITS:
        return Block("write-in", [row], options=not_listed, write_in=phrase("unit_code", language))
    names = area_labels(areas)
    groups = [
        (names[area.id], [Option(u.code, u.name) for u in area.units if u.side == side])
        for area in areas.areas
    ]
    return Block("units", [row], options=not_listed, groups=[g for g in groups if g[1]])


def sections_for(
    instrument: Instrument, areas: AreaRegistry, role: str, language: str
) -> list[SectionView]:
    """The sections of a role's form, items grouped into printable blocks."""
    cards = {
        scale.id: number for number, scale in enumerate(show_card_scales(instrument, areas), 1)
    }
    items = {item.code: item for item in instrument.items}
    views = []
    for section in instrument.sections:
        blocks: list[Block] = []
        for code in section.item_codes:
            item = items[code]
            if role not in item.roles or item.pair_target == "other":
                continue
            scale = instrument.answer_scales[item.scale]
            text = _fill(instrument, item.text[language], role, language)
            instruction = item.instruction.get(language, "")
            previous = blocks[-1] if blocks else None
            if item.pair_target == "own":
                twin = items[item.pair_base + "_other"]
                low, high, dont_know = scale.minimum, scale.maximum, scale.missing[0]
                row = Row(item.pair_base, text, instruction, (item.code, twin.code))
                if previous and previous.kind == "pairs":
                    previous.rows.append(row)
                    continue
                headers = [
                    _fill(instrument, item.stem[language], role, language),
                    _fill(instrument, twin.stem[language], role, language),
                ]
                blocks.append(
                    Block(
                        "pairs",
                        [row],
                        headers=headers,
                        digits=len(str(high)),
                        dont_know=Option(str(dont_know.code), dont_know.label[language]),
                        low=low,
                        high=high,
                        card=cards[scale.id],
                    )
                )
                continue
            row = Row(item.code, text, instruction, (item.code,))
            if scale.kind in NUMBER_SCALE_KINDS:
                if previous and previous.kind == "numbers" and previous.card == cards[scale.id]:
                    previous.rows.append(row)
                    continue
                dont_know = scale.missing[0]
                blocks.append(
                    Block(
                        "numbers",
                        [row],
                        digits=len(str(scale.maximum)),
                        dont_know=Option(str(dont_know.code), dont_know.label[language]),
                        low=scale.minimum,
                        high=scale.maximum,
                        card=cards[scale.id],
                    )
                )
            elif scale.kind == "agreement":
                if previous and previous.kind == "matrix" and previous.card == cards.get(scale.id):
                    previous.rows.append(row)
                    continue
                options = _option_list(instrument, areas, item, role, language)
                blocks.append(Block("matrix", [row], options=options, card=cards.get(scale.id)))
            elif scale.kind == "area" and len(areas.areas) > MAX_PRINTED_AREAS:
                blocks.append(Block("write-in", [row], write_in=phrase("area_code", language)))
            elif scale.kind == "unit":
                side = instrument.roles[role].side
                blocks.append(_unit_block(row, areas, side, language))
            else:
                options = _option_list(instrument, areas, item, role, language)
                blocks.append(
                    Block(
                        "choice",
                        [row],
                        options=options,
                        card=cards.get(scale.id),
                        columns=2 if len(options) > LONG_LIST else 1,
                    )
                )
        if blocks:
            intro = section.intro.get(language, "")
            views.append(
                SectionView(
                    section.id,
                    section.title[language],
                    _fill(instrument, intro, role, language) if intro else "",
                    blocks,
                )
            )
    return views


def css_string(text: str) -> str:
    """A text as a CSS string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def page_css(
    top_left: str, bottom_left: str, language: str, respondent: bool, landscape: bool = False
) -> str:
    """@page rules: running title, respondent number, version and page x/y on every page."""
    size = "A4 landscape" if landscape else "A4"
    top_right = (
        f"content: {css_string(phrase('respondent', language) + ' ____________')}; "
        "font-size: 9pt; font-weight: bold; white-space: nowrap; width: 40%;"
        if respondent
        else "content: none;"
    )
    page = css_string(phrase("page", language) + " ")
    return (
        f"@page {{ size: {size}; margin: 20mm 15mm 18mm 15mm;\n"
        f"  @top-left {{ content: {css_string(top_left)}; font-size: 8pt; color: #333; "
        "width: 60%; }\n"
        f"  @top-right {{ {top_right} }}\n"
        f"  @bottom-left {{ content: {css_string(bottom_left)}; font-size: 8pt; color: #333; }}\n"
        f'  @bottom-right {{ content: {page} counter(page) "/" counter(pages); font-size: 8pt; }}\n'
        "}"
    )


def render_paper_html(
    instrument: Instrument, areas: AreaRegistry, role: str, language: str, version: str
) -> str:
    """One paper questionnaire as a self-contained HTML page (CSS inline)."""
    if role not in instrument.roles:
        raise ValueError(f"role {role!r} is not one of {list(instrument.roles)}")
    if language not in instrument.languages:
        raise ValueError(f"language {language!r} is not one of {list(instrument.languages)}")
    if version not in VERSIONS:
        raise ValueError(f"version {version!r} is not one of {VERSIONS}")
    words = {
        key: phrase(key, language)
        for key in (
            "respondent", "version", "page", "go_to", "end", "end_title", "thanks",
            "interviewer", "interviewer_version", "self_version", "self_intro",
            "interviewer_intro", "show_card", "no_consent_end",
        )
    }  # fmt: skip
    version_label = words["interviewer_version" if version == "interviewer" else "self_version"]
    role_label = instrument.roles[role].label[language]
    version_line = f"{instrument.id} {words['version']} {instrument.version} · {language}"
    return (
        _environment()
        .get_template("paper.html.j2")
        .render(
            instrument=instrument,
            language=language,
            role=instrument.roles[role],
            interviewer=version == "interviewer",
            sections=sections_for(instrument, areas, role, language),
            words=words,
            css=(TEMPLATES / "paper.css").read_text(encoding="utf-8"),
            page_css=page_css(
                f"{role_label} · {version_label}",
                f"{instrument.title[language]} · {version_line}",
                language,
                respondent=True,
            ),
        )
    )


def render_show_cards_html(instrument: Instrument, areas: AreaRegistry, language: str) -> str:
    """Large-type show-cards, one page per answer scale."""
    cards = []
    for number, scale in enumerate(show_card_scales(instrument, areas), 1):
        if scale.kind == "grade":
            options = [Option(str(c), "") for c in range(scale.minimum, scale.maximum + 1)]
        elif scale.kind == "count":
            options = [Option("", f"{scale.minimum} – {scale.maximum}")]
        elif scale.kind == "area":  # respondents point at a name; the code is for the form
            options = [
                Option("", o.label[language]) for o in scale_options(scale, areas, language)[0]
            ]
        else:
            fake = Item("", "", "single", scale.id, {}, ())
            options = _option_list(instrument, areas, fake, "", language)
        if scale.kind in NUMBER_SCALE_KINDS:
            options += [Option(str(o.code), o.label[language], missing=True) for o in scale.missing]
        cards.append({"number": number, "scale": scale, "options": options})
    return (
        _environment()
        .get_template("showcards.html.j2")
        .render(
            instrument=instrument,
            language=language,
            cards=cards,
            words={k: phrase(k, language) for k in ("card", "show_cards", "version", "page")},
            css=(TEMPLATES / "paper.css").read_text(encoding="utf-8"),
            page_css=page_css(
                f"{phrase('show_cards', language)} · {instrument.title[language]}",
                f"{instrument.id} {phrase('version', language)} {instrument.version} · {language}",
                language,
                respondent=False,
                landscape=True,
            ),
        )
    )


def html_to_pdf(html: str) -> bytes:
    """Render an HTML page to PDF with WeasyPrint (fonts from the system: DejaVu Sans),
    tagged for assistive technology (PDF/UA-1: language, title, headings, tables, lists)."""
    import logging

    from weasyprint import HTML

    logging.getLogger("fontTools").setLevel(logging.WARNING)
    return HTML(string=html, base_url=str(TEMPLATES)).write_pdf(pdf_variant="pdf/ua-1")
