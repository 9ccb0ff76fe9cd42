"""The result tables as one workbook a municipality can open: ``results.xlsx``.

    write_workbook(tables, OUTPUT_COLUMNS, path)

A sheet per table, named by the table (``index``, ``side_measures``, ...; a name longer
than a sheet allows is shortened, and the ``columns`` sheet says which table each sheet
holds), its header row the column names of the CSV file. The ``columns`` sheet lists every
column of every table with its description from ``columns.json`` where it has one.

Figures are stored as numbers (a formula or chart uses them as they are), shown with a
precision that fits them: whole numbers without decimals, shares, correlations and p-values
(within -1..1) with three, other figures (indices, differences) with one. Yes/no columns are
Excel's TRUE and FALSE. Text is stored as text: a cell that would start a formula is
prefixed with ``'`` as in the CSV files (:func:`samenspel.common.files.neutralise_formulas`), and
control characters that a workbook cannot hold are left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from samenspel.common.files import neutralise_formulas

MAX_SHEET_NAME = 31  # Excel's limit on a sheet's name
MAX_ROWS = 1_048_576  # Excel's rows per sheet, the header row included
COLUMNS_SHEET = "columns"
SHORTER = {"psychometrics_": "psy_"}  # how a long table name is shortened first
BOLD = Font(bold=True)


def sheet_names(tables: list[str]) -> dict[str, str]:
    """A sheet name per table: the table's name where it fits, else shortened; unique."""
    names: dict[str, str] = {}
    taken = {COLUMNS_SHEET}
    for table in tables:
        name = table
        for long, short in SHORTER.items():
            if len(name) > MAX_SHEET_NAME and name.startswith(long):
                name = short + name.removeprefix(long)
        name = name[:MAX_SHEET_NAME]
        number = 2
        while name in taken:
            suffix = f"~{number}"
            name = name[: MAX_SHEET_NAME - len(suffix)] + suffix
            number += 1
        names[table] = name
        taken.add(name)
    return names


def _number_format(column: pd.Series) -> str | None:
    """How a column of figures is shown; None for text."""
    if pd.api.types.is_bool_dtype(column) or not pd.api.types.is_numeric_dtype(column):
        return None
    if pd.api.types.is_integer_dtype(column):
        return "0"
    values = column.dropna()
    if values.empty or ((values == values.round()).all() and values.abs().max() > 1):
        return "0"
    return "0.000" if values.abs().max() <= 1 else "0.0"


def _value(value):
    """A cell's value as the workbook stores it: a number, a boolean, text or empty."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if hasattr(value, "item"):  # numpy scalars become Python numbers and booleans
        return value.item()
    return value


def write_workbook(
    tables: Mapping[str, pd.DataFrame],
    descriptions: Mapping[str, Mapping[str, str]],
    path: str | Path,
) -> None:
    """``tables`` (name -> table, in the order of their sheets) as the workbook ``path``;
    ``descriptions``: table -> column -> what it holds (columns.json)."""
    book = Workbook(write_only=True)
    names = sheet_names(list(tables))
    listed = [("table", "sheet", "column", "description")]
    for table, frame in tables.items():
        sheet = book.create_sheet(names[table])
        safe = neutralise_formulas(frame)
        if len(safe) + 1 > MAX_ROWS:  # a national table beyond Excel's rows: its CSV has all
            listed.append((table, "", "", f"more rows than a sheet holds: see {table}.csv"))
            continue
        formats = {column: _number_format(safe[column]) for column in safe.columns}
        sheet.append([_header(sheet, column) for column in safe.columns])
        for row in safe.itertuples(index=False, name=None):
            sheet.append(
                [_cell(sheet, value, formats[column])
                 for column, value in zip(safe.columns, row, strict=True)]
            )  # fmt: skip
        sheet.freeze_panes = "A2"
        known = descriptions.get(table, {})
        listed += [(table, names[table], str(c), known.get(c, "")) for c in safe.columns]
    columns = book.create_sheet(COLUMNS_SHEET, 0)
    columns.append([_header(columns, title) for title in listed[0]])
    for row in listed[1:]:
        columns.append([_value(value) for value in row])
    book.save(path)


def _header(sheet, title: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=_value(str(title)))
    cell.font = BOLD
    return cell


def _cell(sheet, value, number_format: str | None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=_value(value))
    if isinstance(cell.value, str):
        cell.data_type = "s"  # text, also where it begins like a formula
    elif number_format and not isinstance(cell.value, bool):
        cell.number_format = number_format
    return cell
