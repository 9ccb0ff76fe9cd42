"""Empty data templates for typing in paper forms: SPSS ``.sav`` and an Excel workbook.

    sav = sav_template(instrument, areas)           # bytes of an empty .sav
    xlsx = data_entry_workbook(instrument, areas)   # bytes of an .xlsx with drop-downs

Both have one column per answer column of the codebook (respondent number first), named by
item code, so ingest maps them by name. The SPSS file carries variable labels, value labels
(missing codes included; the area and the unit are string variables labelled by their
registry codes), user-missing codes and measurement levels; the workbook carries drop-down
lists of the allowed codes (the area's and the unit's from a hidden sheet) and range checks
for numbers ('weet niet' as 98 / 998).
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from samenspel.instrument.codebook import (
    COLUMN,
    MAXIMUM,
    MEASURE,
    MINIMUM,
    MISSING_CODES,
    RESPONDENT_WIDTH,
    SCALE_KIND,
    VALID_CODES,
    VALUE_TYPE,
    codebook_table,
)
from samenspel.instrument.model import TEXT_SCALE_KINDS, AreaRegistry, Instrument
from samenspel.instrument.phrases import phrase
from samenspel.instrument.xlsform import RESPONDENT_FIELD, set_text

SPSS_LABEL_LIMIT = 256
DATA_ENTRY_ROWS = 2000  # rows that carry the validation rules
DATA_SHEET = "data"
CODES_SHEET = "codes"
LISTS_SHEET = "lists"


def sav_template(instrument: Instrument, areas: AreaRegistry) -> bytes:
    """An empty SPSS data file with the instrument's variables, labels and missing codes."""
    import pyreadstat

    table = codebook_table(instrument, areas)
    language = instrument.default_language
    data, labels, value_labels, missing, measure, formats = {}, {}, {}, {}, {}, {}
    for spec in table.to_dict("records"):
        name = spec[COLUMN]
        labels[name] = spec[f"text_{language}"][:SPSS_LABEL_LIMIT]
        measure[name] = spec[MEASURE]
        codes = {**spec[f"labels_{language}"], **spec[f"missing_labels_{language}"]}
        if spec[VALUE_TYPE] == "string":
            data[name] = pd.Series([], dtype=object)
            # ReadStat sizes a string variable by its longest value or value label; an
            # empty file has no values, so the blank code (all spaces, which is what SPSS
            # stores for an empty string) gets a label and fixes the width.
            if name == RESPONDENT_FIELD:
                codes = {" " * RESPONDENT_WIDTH: phrase("no_respondent", language)}
            value_labels[name] = codes
            continue
        data[name] = pd.Series([], dtype=float)
        value_labels[name] = {float(code): text for code, text in codes.items()}
        if spec[MISSING_CODES]:
            missing[name] = [float(c) for c in spec[MISSING_CODES]]
        largest = max([*spec[VALID_CODES], *spec[MISSING_CODES], spec[MAXIMUM] or 0])
        formats[name] = f"F{len(str(int(largest)))}.0"
    value_labels = {k: v for k, v in value_labels.items() if v}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "template.sav"
        pyreadstat.write_sav(
            pd.DataFrame(data),
            path,
            file_label=f"{instrument.title[language]} {instrument.version}"[:64],
            column_labels=labels,
            variable_value_labels=value_labels,
            missing_ranges=missing,
            variable_measure=measure,
            variable_format=formats,
            # SPSS document lines hold 80 characters each.
            note=[
                f"{instrument.id} {instrument.version}, hash {instrument.content_hash[:12]}",
                "Generated from the questionnaire YAML; see the codebook.",
            ],
        )
        return path.read_bytes()


def _allowed(spec: dict) -> list:
    return [*spec[VALID_CODES], *spec[MISSING_CODES]]


def data_entry_workbook(instrument: Instrument, areas: AreaRegistry) -> bytes:
    """An .xlsx for typing in paper forms: one row a respondent, drop-downs per column."""
    table = codebook_table(instrument, areas)
    language = instrument.default_language
    book = Workbook()
    sheet = book.active
    sheet.title = DATA_SHEET
    codes_sheet = book.create_sheet(CODES_SHEET)
    lists = book.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDDDDD")
    last = DATA_ENTRY_ROWS + 1
    codes_sheet.append(["column", "question", "codes", "missing codes", "range"])
    for cell in codes_sheet[1]:
        cell.font = bold
    for index, spec in enumerate(table.to_dict("records"), start=1):
        name = spec[COLUMN]
        letter = get_column_letter(index)
        header = sheet.cell(row=1, column=index, value=name)
        header.font, header.fill = bold, header_fill
        labels = spec[f"labels_{language}"]
        missing = spec[f"missing_labels_{language}"]
        code_text = "; ".join(f"{c} = {t}" for c, t in labels.items())
        missing_text = "; ".join(f"{c} = {t}" for c, t in missing.items())
        number_range = ""
        if spec[MINIMUM] is not None:
            number_range = f"{int(spec[MINIMUM])}-{int(spec[MAXIMUM])}"
        header.comment = Comment(
            "\n".join(t for t in (spec[f"text_{language}"], code_text, missing_text) if t),
            "samenspel",
        )
        row = codes_sheet.max_row + 1
        for column, value in enumerate(
            (name, spec[f"text_{language}"], code_text, missing_text, number_range), start=1
        ):
            set_text(codes_sheet.cell(row=row, column=column), value)
        cells = f"{letter}2:{letter}{last}"
        first = f"{letter}2"
        if spec[SCALE_KIND] in TEXT_SCALE_KINDS:  # registry codes: too many for an inline list
            lists.cell(row=1, column=index, value=name)
            for position, code in enumerate(labels, start=2):
                lists.cell(row=position, column=index, value=code)
            source = f"{LISTS_SHEET}!${letter}$2:${letter}${len(labels) + 1}"
            rule = DataValidation(type="list", formula1=source, allow_blank=True)
        elif name == RESPONDENT_FIELD:
            rule = DataValidation(
                type="textLength",
                operator="lessThanOrEqual",
                formula1=str(RESPONDENT_WIDTH),
                allow_blank=True,
            )
        elif spec[VALID_CODES]:
            allowed = ",".join(str(c) for c in _allowed(spec))
            rule = DataValidation(type="list", formula1=f'"{allowed}"', allow_blank=True)
        else:
            low, high = int(spec[MINIMUM]), int(spec[MAXIMUM])
            code = spec[MISSING_CODES][0]
            formula = (
                f"OR(AND(ISNUMBER({first}),INT({first})={first},{first}>={low},"
                f"{first}<={high}),{first}={code})"
            )
            rule = DataValidation(type="custom", formula1=formula, allow_blank=True)
            rule.error = phrase("number_error", language, low=low, high=high, code=code)
        rule.showErrorMessage = True
        rule.errorTitle = name
        if not rule.error:
            rule.error = f"{name}: {code_text or spec[f'text_{language}']}"[:255]
        rule.add(cells)
        sheet.add_data_validation(rule)
        sheet.column_dimensions[letter].width = max(8, len(name) + 2)
    sheet.freeze_panes = "B2"
    codes_sheet.column_dimensions["A"].width = 18
    codes_sheet.column_dimensions["B"].width = 70
    codes_sheet.column_dimensions["C"].width = 70
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
