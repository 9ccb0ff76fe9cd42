"""The codebook: one row per answer column, as a table, an HTML page and a data package.

    table = codebook_table(instrument, areas)           # tidy; drives SPSS and XLSX templates
    html = render_codebook(instrument, areas)           # human-readable, both languages
    package = build_datapackage(instrument, areas, xform)   # Frictionless datapackage.json

The data package describes a KoboToolbox CSV export of the generated XLSForm with XML names
and without group prefixes (`;`-separated): every column's type, ``enum`` constraints for
coded answers (the registry's codes for the area and the unit), ``minimum``/``maximum`` for
numbers and, per column, ``missingValues`` with the 'weet niet' / 'n.v.t.' codes, so that a
blank and a 'don't know' both read as missing while any other code is reported as an error.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from jinja2 import Environment

from samenspel.common.templating import template_environment
from samenspel.instrument.model import (
    TEXT_SCALE_KINDS,
    UNIT_NOT_LISTED,
    AreaRegistry,
    Instrument,
    wording_fields,
)
from samenspel.instrument.phrases import language_name, phrase
from samenspel.instrument.xlsform import (
    NUMBER_SCALE_KINDS,
    RESPONDENT_FIELD,
    consent_item,
    export_columns,
)

TEMPLATES = Path(__file__).parent / "templates"

# Columns of the codebook table, defined once.
COLUMN = "column"
SECTION = "section"
ITEM_KIND = "item_kind"
ANSWER_SCALE = "answer_scale"
SCALE_KIND = "scale_kind"
VALUE_TYPE = "value_type"  # integer | string
MEASURE = "measure"  # nominal | ordinal | scale (SPSS measurement level)
VALID_CODES = "valid_codes"  # tuple of ints (coded answers); empty for numbers and text
MINIMUM = "minimum"
MAXIMUM = "maximum"
MISSING_CODES = "missing_codes"  # tuple of ints
ROLES = "roles"
CONSTRUCT = "construct"
REVERSE = "reverse"
CODEBOOK_COLUMNS = (
    COLUMN, SECTION, ITEM_KIND, ANSWER_SCALE, SCALE_KIND, VALUE_TYPE, MEASURE, VALID_CODES,
    MINIMUM, MAXIMUM, MISSING_CODES, ROLES, CONSTRUCT, REVERSE,
)  # fmt: skip
# Per language: `text_nl` (question, placeholders kept), `labels_nl` ({code: label}),
# `missing_labels_nl` ({code: label}).

MEASURE_OF_SCALE = {
    "agreement": "ordinal",
    "ordinal": "ordinal",
    "grade": "scale",
    "count": "scale",
    "categorical": "nominal",
    "role": "nominal",
    "area": "nominal",
    "unit": "nominal",
}
RESPONDENT_WIDTH = 32  # characters of a respondent code in the SPSS and XLSX templates


def codebook_table(instrument: Instrument, areas: AreaRegistry) -> pd.DataFrame:
    """One row per answer column (the respondent number first), in form order."""
    items = instrument.items_table().set_index("code")
    rows = []
    respondent = {
        COLUMN: RESPONDENT_FIELD, SECTION: "", ITEM_KIND: "metadata", ANSWER_SCALE: "",
        SCALE_KIND: "text", VALUE_TYPE: "string", MEASURE: "nominal", VALID_CODES: (),
        MINIMUM: None, MAXIMUM: None, MISSING_CODES: (), ROLES: " ".join(instrument.roles),
        CONSTRUCT: None, REVERSE: False,
    }  # fmt: skip
    for language in instrument.languages:
        respondent[f"text_{language}"] = phrase("respondent", language)
        respondent[f"labels_{language}"] = {}
        respondent[f"missing_labels_{language}"] = {}
    rows.append(respondent)
    for item in instrument.items:
        scale = instrument.answer_scales[item.scale]
        meta = items.loc[item.code]
        row = {
            COLUMN: item.code,
            SECTION: item.section,
            ITEM_KIND: item.kind,
            ANSWER_SCALE: scale.id,
            SCALE_KIND: scale.kind,
            VALUE_TYPE: "string" if scale.kind in TEXT_SCALE_KINDS else "integer",
            MEASURE: MEASURE_OF_SCALE[scale.kind],
            VALID_CODES: scale.valid_codes,
            MINIMUM: scale.minimum if scale.kind in NUMBER_SCALE_KINDS else None,
            MAXIMUM: scale.maximum if scale.kind in NUMBER_SCALE_KINDS else None,
            MISSING_CODES: scale.missing_codes,
            ROLES: " ".join(item.roles),
            CONSTRUCT: meta["construct"] if isinstance(meta["construct"], str) else None,
            REVERSE: bool(meta["reverse"]),
        }
        for language in instrument.languages:
            text = item.text[language]
            if item.stem:
                text = f"{item.stem[language]} {text}"
            row[f"text_{language}"] = text
            if scale.kind == "area":
                row[f"labels_{language}"] = {a.id: a.name for a in areas.areas}
            elif scale.kind == "unit":
                row[f"labels_{language}"] = {
                    **{u.code: u.name for u in areas.units},
                    UNIT_NOT_LISTED: phrase("unit_not_listed", language),
                }
            else:
                row[f"labels_{language}"] = {o.code: o.label[language] for o in scale.options}
            row[f"missing_labels_{language}"] = {o.code: o.label[language] for o in scale.missing}
        rows.append(row)
    return pd.DataFrame(rows, dtype=object)


def _field(spec: dict | None, name: str, language: str) -> dict:
    """One Table Schema field for an export column."""
    if spec is None:  # metadata, system and wording columns
        integer = name in ("_id", "_index")
        when = name in ("start", "end", "_submission_time")
        field = {"name": name, "type": "integer" if integer else "string"}
        if when:
            field.update(type="datetime", format="any")
        return field
    field = {
        "name": name,
        "type": spec[VALUE_TYPE],
        "title": spec[f"text_{language}"],
        "missingValues": ["", *(str(c) for c in spec[MISSING_CODES])],
    }
    constraints = {}
    if spec[SCALE_KIND] in TEXT_SCALE_KINDS:
        constraints["enum"] = list(spec[f"labels_{language}"])
    elif spec[VALID_CODES]:
        constraints["enum"] = list(spec[VALID_CODES])
    if spec[MINIMUM] is not None:
        constraints.update(minimum=int(spec[MINIMUM]), maximum=int(spec[MAXIMUM]))
    if constraints:
        field["constraints"] = constraints
    labels = {**spec[f"labels_{language}"], **spec[f"missing_labels_{language}"]}
    if labels:
        field["categories"] = [{"value": code, "label": text} for code, text in labels.items()]
    if spec[MISSING_CODES]:
        codes = ", ".join(
            f"{code} = {text}" for code, text in spec[f"missing_labels_{language}"].items()
        )
        field["description"] = f"Missing-value codes (kept apart from a blank): {codes}."
    return field


def build_datapackage(
    instrument: Instrument,
    areas: AreaRegistry,
    xform: str,
    data_path: str = "responses.csv",
) -> dict:
    """A Frictionless data package describing a Kobo CSV export of the generated XLSForm."""
    table = codebook_table(instrument, areas).set_index(COLUMN)
    language = instrument.default_language
    fields = []
    for header, name in export_columns(xform, group_prefixes=False):
        spec = table.loc[name].to_dict() if name in table.index else None
        field = _field(spec, header, language)
        if name == consent_item(instrument).code:
            field["constraints"]["required"] = True
        if name in wording_fields(instrument):
            field["description"] = "Role-dependent wording shown in the form (not an answer)."
        fields.append(field)
    name = f"{instrument.id}-{instrument.version}".lower()
    return {
        "name": name,
        "title": instrument.title[language],
        "version": instrument.version,
        "description": (
            f"Codebook of the {instrument.id} questionnaire, version {instrument.version}, "
            f"instrument hash {instrument.content_hash[:12]}. The resource describes a "
            "KoboToolbox CSV export of the generated XLSForm: XML values, XML names without "
            "group prefixes, ';' as separator."
        ),
        "resources": [
            {
                "name": "responses",
                "path": data_path,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ";", "quoteChar": '"'},
                "schema": {"fields": fields, "missingValues": [""]},
            }
        ],
    }


def _environment() -> Environment:
    return template_environment(TEMPLATES)


def render_codebook(instrument: Instrument, areas: AreaRegistry) -> str:
    """The codebook as one self-contained HTML page with both languages side by side."""
    table = codebook_table(instrument, areas)
    scales = [s for s in instrument.answer_scales.values() if s.kind in NUMBER_SCALE_KINDS]
    return (
        _environment()
        .get_template("codebook.html.j2")
        .render(
            instrument=instrument,
            rows=table.to_dict("records"),
            languages=instrument.languages,
            number_scales=scales,
            roles=instrument.roles,
            sections={s.id: s for s in instrument.sections},
            language_name=language_name,
            not_listed=UNIT_NOT_LISTED,
        )
    )
