"""The questionnaire as an XLSForm for KoboToolbox / ODK Collect, generated from the YAML.

    form = build_xlsform(instrument, areas)      # three tidy sheets: survey, choices, settings
    content = xlsform_bytes(form)                # the .xlsx a fieldworker uploads
    problems = check_translations(form, instrument.languages)
    result = convert_xlsform(content, validate=True)   # pyxform + ODK Validate

Design decisions (see docs/fieldwork.md for how the form is used):

- Item codes are the XLSForm ``name``s, unchanged; every section is a group named by its
  section id, so a Kobo export with group prefixes has headers such as ``tru/tru1``.
- Consent gate: every row after the consent question is only relevant when
  ``${consent} = 1`` (on the section groups, and on the rows of the consent's own section).
- Role-dependent rows: ``relevant`` on ``${role}`` with the roles' answer codes; a section
  group is relevant for the union of its items' roles, so a stakeholder skips whole sections.
- Role-dependent wording: ``{own_group}`` / ``{other_party}`` become one ``calculate`` per
  placeholder and language (``other_party_nl`` = the wording for the chosen role), and labels
  say ``${other_party_nl}``. One row per item keeps the item code as the only name of its
  column (separate rows per role would need a second name for the same answer), and the
  calculates follow the role answer if the interviewer corrects it. Their values show up as
  extra export columns; ``samenspel.instrument.model.wording_fields`` lists their names for
  ingest to ignore.
- Paired ratings (``igf1_own`` / ``igf1_other``): one ``field-list`` screen per attribute
  with the two grades side by side, no ``table-list``. Other select questions get the
  ``quick`` appearance (Collect moves on after a tap).
- Recruitment unit: ``select_one unit`` with a ``choice_filter``. The choices sheet gives
  every unit its ``area`` and ``side``; the filter keeps the units of the answered area and
  of the respondent's side (the role answer mapped to its side), and always the
  'not listed / individual' choice. It is ``quick`` like other selects, unless an area has
  so many units of one side that a search box (``autocomplete``) serves better.
- 'Weet niet' for a number (grades, counts) is entered as the scale's missing code (98, 998):
  the constraint allows the range or that code, the hint says so, and the codebook and SPSS
  template declare it missing. Select questions list 'weet niet' / 'n.v.t.' as choices.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from samenspel.common.problems import InputError, Level, Problem
from samenspel.instrument.model import (
    PLACEHOLDER_PATTERN,
    PLACEHOLDERS,
    UNIT_NOT_LISTED,
    AnswerScale,
    AreaRegistry,
    Instrument,
    Item,
    wording_field,
)
from samenspel.instrument.phrases import language_name, phrase

NUMBER_SCALE_KINDS = ("grade", "count")
META_ROWS = (("start", "start"), ("end", "end"), ("audit", "audit"))
RESPONDENT_FIELD = "respondent"
CONSENT_DECLINED_NOTE = "consent_declined"
# Columns KoboToolbox adds to every CSV export, after the form's own fields.
KOBO_SYSTEM_COLUMNS = (
    "_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status",
    "_submitted_by", "__version__", "_tags", "_index",
)  # fmt: skip
TRANSLATED_COLUMNS = ("label", "hint", "constraint_message")
# Choices-sheet columns of the unit list that its choice_filter reads.
UNIT_AREA_COLUMN = "area"
UNIT_SIDE_COLUMN = "side"
# A unit list longer than this (per area and side, 'not listed' included) gets a search box
# instead of one tap per choice; the area registry always does (a national one is long).
SEARCH_FROM = 12
SHEETS = ("survey", "choices", "settings")


@dataclass(frozen=True)
class XLSForm:
    """The three sheets of an XLSForm as DataFrames (one row per XLSForm row)."""

    survey: pd.DataFrame
    choices: pd.DataFrame
    settings: pd.DataFrame

    def sheets(self) -> dict[str, pd.DataFrame]:
        return {"survey": self.survey, "choices": self.choices, "settings": self.settings}


def translated(column: str, language: str) -> str:
    """`label::Nederlands (nl)`."""
    return f"{column}::{language_name(language)}"


def consent_item(instrument: Instrument) -> Item:
    for item in instrument.items:
        if item.kind == "consent":
            return item
    raise ValueError(f"instrument {instrument.id} has no item of kind 'consent'")


def item_on_scale(instrument: Instrument, kind: str) -> Item:
    """The (first) item whose answer scale is of ``kind``: the role, area or unit question."""
    for item in instrument.items:
        if instrument.answer_scales[item.scale].kind == kind:
            return item
    raise ValueError(f"instrument {instrument.id} has no item on an answer scale of kind {kind!r}")


def role_item(instrument: Instrument) -> Item:
    return item_on_scale(instrument, "role")


def role_condition(instrument: Instrument, roles: tuple[str, ...] | set[str]) -> str:
    """XPath that is true for respondents of ``roles``; '' when every role qualifies."""
    if set(roles) >= set(instrument.roles):
        return ""
    field = "${" + role_item(instrument).code + "}"
    terms = [f"{field} = {instrument.roles[r].code}" for r in instrument.roles if r in roles]
    return terms[0] if len(terms) == 1 else "(" + " or ".join(terms) + ")"


def consent_condition(instrument: Instrument) -> str:
    return "${" + consent_item(instrument).code + "} = 1"


def join_conditions(*conditions: str) -> str:
    return " and ".join(c for c in conditions if c)


def xpath_string(text: str) -> str:
    """A text as an XPath string literal (XPath 1.0 has no escapes: pick the other quote)."""
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    return "'" + text.replace("'", "\u2019") + "'"


def per_role(instrument: Instrument, values: dict[int, str]) -> str:
    """XPath whose value is ``values[code]`` (XPath expressions keyed by role answer code)
    for the role answered, and '' for no answer or a role not in ``values``."""
    field = "${" + role_item(instrument).code + "}"
    expression = "''"
    for code, value in reversed(values.items()):
        expression = f"if({field} = {code}, {value}, {expression})"
    return expression


def unit_choice_filter(instrument: Instrument) -> str:
    """The units of the answered area and of the respondent's side, and 'not listed'."""
    area = "${" + item_on_scale(instrument, "area").code + "}"
    sides = {r.code: xpath_string(r.side) for r in instrument.roles.values() if r.side}
    side = per_role(instrument, sides)
    return (
        f"({UNIT_AREA_COLUMN} = {area} and {UNIT_SIDE_COLUMN} = {side}) "
        f"or name = {xpath_string(UNIT_NOT_LISTED)}"
    )


def unit_appearance(areas: AreaRegistry) -> str:
    """`quick` (a tap moves on) for short unit lists, `autocomplete` when one is long."""
    lengths = Counter((unit.area, unit.side) for unit in areas.units)
    longest = max(lengths.values(), default=0) + 1  # + 'not listed'
    return "autocomplete" if longest > SEARCH_FROM else "quick"


def with_wording_fields(text: str, language: str) -> str:
    """`{other_party}` -> `${other_party_nl}`: the label shows the calculate's value."""
    return PLACEHOLDER_PATTERN.sub(lambda m: "${" + wording_field(m.group(1), language) + "}", text)


def number_limits(scale: AnswerScale) -> tuple[int, int, int]:
    """(minimum, maximum, don't-know code) of a grade or count scale."""
    if scale.minimum is None or scale.maximum is None or not scale.missing_codes:
        raise ValueError(f"scale {scale.id} needs minimum, maximum and a missing code")
    return scale.minimum, scale.maximum, scale.missing_codes[0]


def number_constraint(scale: AnswerScale) -> str:
    low, high, code = number_limits(scale)
    return f"(. >= {low} and . <= {high}) or . = {code}"


def _item_hint(
    instrument: Instrument, item: Item, intro: dict[str, str], language: str, with_intro: bool
) -> str:
    """The hint under a question: its interviewer instruction, or else the section's intro
    (repeated on every screen: with one question a screen it is the stem of the question),
    plus how a number and 'don't know' are entered."""
    parts = []
    if item.instruction:
        parts.append(item.instruction[language])
    elif with_intro and intro:
        parts.append(with_wording_fields(intro[language], language))
    scale = instrument.answer_scales[item.scale]
    if scale.kind in NUMBER_SCALE_KINDS:
        low, high, code = number_limits(scale)
        parts.append(phrase("number_hint", language, low=low, high=high, code=code))
    return " ".join(parts)


def _question_row(
    instrument: Instrument,
    item: Item,
    label: dict[str, str],
    hint: dict[str, str],
    relevant: str,
    appearance: str = "",
) -> dict[str, str]:
    scale = instrument.answer_scales[item.scale]
    row = {"name": item.code, "required": "yes", "relevant": relevant}
    if scale.kind in NUMBER_SCALE_KINDS:
        low, high, code = number_limits(scale)
        row["type"] = "integer"
        row["constraint"] = number_constraint(scale)
        for language in instrument.languages:
            row[translated("constraint_message", language)] = phrase(
                "number_error", language, low=low, high=high, code=code
            )
    else:
        row["type"] = f"select_one {scale.id}"
        row["appearance"] = appearance
        if scale.kind == "unit":
            row["choice_filter"] = unit_choice_filter(instrument)
    for language in instrument.languages:
        row[translated("label", language)] = label[language]
        if hint.get(language):
            row[translated("hint", language)] = hint[language]
    return row


def _wording_rows(instrument: Instrument) -> list[dict[str, str]]:
    rows = []
    for placeholder in PLACEHOLDERS:
        for language in instrument.languages:
            wordings = {
                role.code: xpath_string(role.placeholders[placeholder][language])
                for role in instrument.roles.values()
            }
            rows.append(
                {
                    "type": "calculate",
                    "name": wording_field(placeholder, language),
                    "relevant": consent_condition(instrument),
                    "calculation": per_role(instrument, wordings),
                }
            )
    return rows


def survey_rows(instrument: Instrument, areas: AreaRegistry) -> list[dict[str, str]]:
    """The survey sheet, row by row, in form order (``areas`` sizes the unit list)."""
    languages = instrument.languages
    # Selects get `quick` (Collect moves on after a tap), long lists a search box.
    appearances = {"area": "autocomplete", "unit": unit_appearance(areas)}
    consent = consent_item(instrument)
    role = role_item(instrument)
    gate = consent_condition(instrument)
    rows: list[dict[str, str]] = [{"type": t, "name": n} for t, n in META_ROWS]
    respondent = {"type": "text", "name": RESPONDENT_FIELD, "required": "yes"}
    for language in languages:
        respondent[translated("label", language)] = phrase("respondent", language)
        respondent[translated("hint", language)] = phrase("respondent_hint", language)
    rows.append(respondent)
    items = {item.code: item for item in instrument.items}
    for section in instrument.sections:
        section_items = [items[code] for code in section.item_codes]
        holds_consent = consent.code in section.item_codes
        union = {r for item in section_items for r in item.roles}
        group_relevant = (
            "" if holds_consent else join_conditions(gate, role_condition(instrument, union))
        )
        group = {"type": "begin_group", "name": section.id, "relevant": group_relevant}
        for language in languages:
            group[translated("label", language)] = section.title[language]
        rows.append(group)
        intro = dict(section.intro)
        for item in section_items:
            if item.pair_target == "other":
                continue  # written together with its `own` twin below
            own_roles = role_condition(instrument, item.roles)
            if holds_consent and item.code != consent.code:
                relevant = join_conditions(gate, own_roles)
            elif set(item.roles) == union:
                relevant = ""
            else:
                relevant = own_roles
            if item.pair_target == "own":
                twin = items[item.pair_base + "_other"]
                pair = {
                    "type": "begin_group",
                    "name": item.pair_base,
                    "appearance": "field-list",
                    "relevant": relevant,
                }
                for language in languages:
                    pair[translated("label", language)] = item.text[language]
                rows.append(pair)
                for member in (item, twin):
                    label = {
                        lang: with_wording_fields(member.stem[lang], lang) for lang in languages
                    }
                    hint = {
                        lang: _item_hint(instrument, member, intro, lang, member is item)
                        for lang in languages
                    }
                    rows.append(_question_row(instrument, member, label, hint, ""))
                rows.append({"type": "end_group", "name": item.pair_base})
            else:
                label = {lang: with_wording_fields(item.text[lang], lang) for lang in languages}
                hint = {lang: _item_hint(instrument, item, intro, lang, True) for lang in languages}
                appearance = appearances.get(instrument.answer_scales[item.scale].kind, "quick")
                rows.append(_question_row(instrument, item, label, hint, relevant, appearance))
            if item.code == consent.code:
                note = {
                    "type": "note",
                    "name": CONSENT_DECLINED_NOTE,
                    "relevant": "${" + consent.code + "} != '' and not(" + gate + ")",
                }
                for language in languages:
                    note[translated("label", language)] = phrase("no_consent_end", language)
                rows.append(note)
            if item.code == role.code:
                rows.extend(_wording_rows(instrument))
        rows.append({"type": "end_group", "name": section.id})
    return rows


def area_labels(areas: AreaRegistry) -> dict[str, str]:
    """How the forms name each area, by area id: `Oud-Noord (Amsterdam)`."""
    return {area.id: f"{area.name} ({area.municipality})" for area in areas.areas}


def choice_rows(instrument: Instrument, areas: AreaRegistry) -> list[dict[str, str]]:
    """The choices sheet: one list per answer scale that a select question uses."""
    used = {item.scale for item in instrument.items}
    rows = []
    for scale in instrument.answer_scales.values():
        if scale.id not in used or scale.kind in NUMBER_SCALE_KINDS:
            continue
        if scale.kind == "area":
            for area_id, text in area_labels(areas).items():
                row = {"list_name": scale.id, "name": area_id}
                for language in instrument.languages:
                    row[translated("label", language)] = text
                rows.append(row)
            continue
        if scale.kind == "unit":
            rows.extend(_unit_choices(scale, areas, instrument.languages))
            continue
        for option in (*scale.options, *scale.missing):
            row = {"list_name": scale.id, "name": str(option.code)}
            for language in instrument.languages:
                row[translated("label", language)] = option.label[language]
            rows.append(row)
    return rows


def _unit_choices(
    scale: AnswerScale, areas: AreaRegistry, languages: tuple[str, ...]
) -> list[dict[str, str]]:
    """Every unit of the registry with its area and side (the columns the choice_filter
    reads; a unit's name is the same in every language), then 'not listed'."""
    rows = []
    for unit in areas.units:
        row = {"list_name": scale.id, "name": unit.code}
        row |= {translated("label", language): unit.name for language in languages}
        rows.append(row | {UNIT_AREA_COLUMN: unit.area, UNIT_SIDE_COLUMN: unit.side})
    last = {"list_name": scale.id, "name": UNIT_NOT_LISTED}
    last |= {translated("label", lang): phrase("unit_not_listed", lang) for lang in languages}
    return [*rows, last]


def settings_rows(instrument: Instrument) -> list[dict[str, str]]:
    return [
        {
            "form_title": instrument.title[instrument.default_language],
            "form_id": instrument.id,
            "version": instrument.version,
            "default_language": language_name(instrument.default_language),
            "style": "pages",
            "instance_name": "concat('" + instrument.id + "-', ${" + RESPONDENT_FIELD + "})",
        }
    ]


def _frame(rows: list[dict[str, str]], columns: list[str]) -> pd.DataFrame:
    """Rows as a sheet: the given column order, without columns that are empty everywhere."""
    unknown = {c for row in rows for c in row} - set(columns)
    if unknown:
        raise ValueError(f"columns {sorted(unknown)} have no place in the sheet order")
    present = [c for c in columns if any(row.get(c) for row in rows)]
    return pd.DataFrame([{c: row.get(c, "") for c in present} for row in rows], columns=present)


def build_xlsform(instrument: Instrument, areas: AreaRegistry) -> XLSForm:
    """The XLSForm of ``instrument``, with the areas of ``areas`` as choices."""

    def each_language(column: str) -> list[str]:
        return [translated(column, lang) for lang in instrument.languages]

    survey_columns = [
        "type", "name", *each_language("label"), *each_language("hint"), "required",
        "relevant", "constraint", *each_language("constraint_message"), "calculation",
        "choice_filter", "appearance",
    ]  # fmt: skip
    choices_columns = [
        "list_name", "name", *each_language("label"), UNIT_AREA_COLUMN, UNIT_SIDE_COLUMN,
    ]  # fmt: skip
    survey = _frame(survey_rows(instrument, areas), survey_columns)
    choices = _frame(choice_rows(instrument, areas), choices_columns)
    settings = pd.DataFrame(settings_rows(instrument))
    return XLSForm(survey, choices, settings)


def set_text(cell, value) -> None:
    """Write a value as data: a text starting with '=' stays text, never a formula."""
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"


def xlsform_bytes(form: XLSForm) -> bytes:
    """The XLSForm as an .xlsx workbook (sheets survey, choices, settings)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, frame in form.sheets().items():
        sheet = workbook.create_sheet(name)
        sheet.append(list(frame.columns))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row_number, row in enumerate(frame.itertuples(index=False), start=2):
            for column, value in enumerate(row, start=1):
                if value != "":
                    set_text(sheet.cell(row=row_number, column=column), value)
        for index, column in enumerate(frame.columns, start=1):
            longest = max([len(str(column)), *(len(str(v)) for v in frame[column])])
            sheet.column_dimensions[get_column_letter(index)].width = min(60, longest + 2)
        sheet.freeze_panes = "C2" if name != "settings" else None
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def check_translations(form: XLSForm, languages: tuple[str, ...]) -> list[Problem]:
    """Every label, hint and constraint message present in one language exists in all.

    pyxform accepts an empty translation cell silently (the form then shows a blank or
    another language); this check makes it an error. Rows that show text (questions, groups,
    notes, choices) must have a label in every language.
    """
    problems = []
    for sheet_name, frame in (("survey", form.survey), ("choices", form.choices)):
        for position, row in enumerate(frame.to_dict("records"), start=2):
            shown = sheet_name == "choices" or (
                row.get("type", "") not in ("calculate", "end_group", *dict(META_ROWS))
            )
            for column in TRANSLATED_COLUMNS:
                cells = {
                    lang: str(row.get(translated(column, lang), "") or "") for lang in languages
                }
                needed = (column == "label" and shown) or any(v.strip() for v in cells.values())
                for language, value in cells.items():
                    if needed and not value.strip():
                        name = row.get("name", "")
                        problems.append(
                            Problem(
                                Level.ERROR,
                                "missing-translation",
                                f"XLSForm {sheet_name} row {position} ({name}), column "
                                f"{translated(column, language)}",
                                f"the {column} has no {language!r} text",
                                "add the text in the instrument YAML; the XLSForm is generated",
                            )
                        )
    return problems


def convert_xlsform(content: bytes, validate: bool = False):
    """Convert with pyxform (and check with ODK Validate when ``validate``).

    Returns pyxform's ``ConvertResult`` (``.xform`` is the XForm XML, ``.warnings``).
    A form that does not convert is a bug in this generator or an instrument it cannot
    express, so it stops with the converter's message.
    """
    from pyxform.errors import PyXFormError
    from pyxform.validators.odk_validate import ODKValidateError
    from pyxform.xls2xform import convert

    warnings: list[str] = []
    try:
        return convert(
            xlsform=io.BytesIO(content),
            file_type=".xlsx",
            validate=validate,
            pretty_print=True,
            warnings=warnings,
        )
    except (PyXFormError, ODKValidateError) as exc:
        raise InputError(
            f"The generated XLSForm does not convert: {exc}. Check the instrument YAML near "
            "the item named in the message."
        ) from None


def odk_validate_available() -> str:
    """'' when ODK Validate can run here, else the reason why not."""
    import shutil

    from pyxform.validators import odk_validate

    if not odk_validate.install_exists():
        return f"ODK Validate jar not found at {odk_validate.ODK_VALIDATE_PATH}"
    if shutil.which("java") is None:
        return "java is not on the PATH (ODK Validate is a Java program)"
    return ""


def export_columns(xform: str, group_prefixes: bool) -> list[tuple[str, str]]:
    """(header, XML name) of every field a KoboToolbox CSV export of ``xform`` holds.

    Read from the converted XForm's primary instance, in form order: groups become
    ``group/`` prefixes (or nothing), notes hold no data and are left out, of the ``meta``
    block only ``instanceID`` is exported, and Kobo's system columns follow.
    """
    ns = {"h": "http://www.w3.org/1999/xhtml", "x": "http://www.w3.org/2002/xforms"}
    jr_preload = "{http://openrosa.org/javarosa}preload"
    model = ET.fromstring(xform).find("h:head/x:model", ns)
    instance = model.find("x:instance", ns)[0]
    root_name = instance.tag.split("}")[-1]
    notes = {
        bind.get("nodeset")
        for bind in model.findall("x:bind", ns)
        if bind.get("readonly") == "true()"
        and bind.get("calculate") is None
        and bind.get(jr_preload) is None
    }
    columns: list[tuple[str, str]] = []

    def walk(node: ET.Element, path: list[str]) -> None:
        for child in node:
            name = child.tag.split("}")[-1]
            here = [*path, name]
            if len(child):
                walk(child, here)
                continue
            if "/" + "/".join([root_name, *here]) in notes:
                continue
            if here[0] == "meta" and name != "instanceID":
                continue
            columns.append(("/".join(here) if group_prefixes else name, name))

    walk(instance, [])
    columns.extend((name, name) for name in KOBO_SYSTEM_COLUMNS)
    return columns


def dump_xlsform(form: XLSForm) -> str:
    """A readable text dump of every non-empty cell, sheet by sheet (the golden file)."""
    lines = []
    for sheet_name, frame in form.sheets().items():
        lines.append(f"== {sheet_name} ({len(frame)} rows)")
        for position, row in enumerate(frame.to_dict("records"), start=2):
            keys = [k for k in ("type", "list_name", "name") if row.get(k)]
            head = " ".join(str(row[k]) for k in keys)
            lines.append(f"{position:>3} {head}")
            for column, value in row.items():
                if column in keys or value in ("", None):
                    continue
                lines.append(f"      {column}: {value}")
    return "\n".join(lines) + "\n"
