"""The result files a municipality opens: results.xlsx beside the CSVs, and the CSVs in the
Dutch dialect (`--csv-dialect nl`: semicolons and decimal commas), which the report reads
back as it reads the default ones."""

from __future__ import annotations

import json
import math
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from report_fixtures import analysed

from samenspel.cli import read_results
from samenspel.workbook import MAX_SHEET_NAME, sheet_names, write_workbook


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict[str, Path]:
    """The same two waves analysed twice, once with each CSV dialect."""
    return {
        dialect: analysed(tmp_path_factory.mktemp(dialect), 12, 23, "--csv-dialect", dialect)
        for dialect in ("en", "nl")
    }


def test_the_dialect_is_recorded_and_the_nl_csvs_read_back_to_the_same_values(results):
    en, nl = results["en"], results["nl"]
    for dialect, folder in results.items():
        assert json.loads((folder / "metadata.json").read_text())["csv_dialect"] == dialect
    assert ";" in (nl / "index.csv").read_text().splitlines()[0]
    names = sorted(path.name for path in en.glob("*.csv"))
    assert names == sorted(path.name for path in nl.glob("*.csv")) and "index.csv" in names
    for name in names:
        default = pd.read_csv(en / name, dtype=str, keep_default_na=False)
        dutch = pd.read_csv(nl / name, sep=";", decimal=",", dtype=str, keep_default_na=False)
        assert list(dutch.columns) == list(default.columns), name
        as_read = pd.read_csv(nl / name, sep=";", decimal=",")
        pd.testing.assert_frame_equal(as_read, pd.read_csv(en / name), obj=name)
    index = pd.read_csv(nl / "index.csv", sep=";", decimal=",")
    assert index["index"].dtype == float and index["index"].notna().any()


def test_the_report_reads_either_dialect_to_the_same_tables(results):
    en_tables, _ = read_results(results["en"])
    nl_tables, metadata = read_results(results["nl"])
    assert metadata["csv_dialect"] == "nl"
    assert en_tables.keys() == nl_tables.keys()
    for name, table in en_tables.items():
        pd.testing.assert_frame_equal(nl_tables[name], table, obj=name)


def test_the_workbook_holds_every_table_with_figures_as_numbers(results):
    folder = results["nl"]
    book = openpyxl.load_workbook(folder / "results.xlsx")
    tables, _ = read_results(folder)
    listed = pd.DataFrame(book["columns"].values)
    listed = listed.iloc[1:].set_axis(["table", "sheet", "column", "description"], axis=1)
    sheets = dict(zip(listed["table"], listed["sheet"], strict=False))
    assert set(sheets) == set(tables)
    for name, table in tables.items():
        sheet = book[sheets[name]]
        rows = list(sheet.values)
        assert list(rows[0]) == list(table.columns), name
        assert len(rows) == len(table) + 1, name
        for column_number, column in enumerate(table.columns):
            # waves are labels (2025, "2026-voorjaar"): the workbook holds them as text
            if not pd.api.types.is_numeric_dtype(table[column]) or "wave" in column:
                continue
            for row, value in zip(rows[1:], table[column], strict=True):
                stored = row[column_number]
                if pd.isna(value):
                    assert stored is None, (name, column)
                else:
                    assert isinstance(stored, int | float), (name, column, stored)
                    assert math.isclose(stored, value, rel_tol=1e-12), (name, column)
    index = book[sheets["index"]]
    header = [cell.value for cell in index[1]]
    assert index.cell(2, header.index("index") + 1).number_format == "0.0"
    assert index.cell(2, header.index("n_professional") + 1).number_format == "0"
    described = listed[(listed["table"] == "index") & (listed["column"] == "gap")]
    assert described["description"].iloc[0].startswith("asymmetry gap")


def test_workbook_cells_are_safe_and_typed(tmp_path):
    table = pd.DataFrame(
        {
            "name": ['=HYPERLINK("http://x") Zuid', "@SUM(A1)", "Noord\x07"],
            "difference": [-3.5, math.nan, 12.25],
            "share": [0.5, 0.125, 1.0],
            "n": [3, 10, 12],
            "holds": [True, False, True],
        }
    )
    path = tmp_path / "results.xlsx"
    write_workbook({"a_table_whose_name_is_longer_than_a_sheet_allows": table}, {}, path)
    book = openpyxl.load_workbook(path)
    (name,) = [sheet for sheet in book.sheetnames if sheet != "columns"]
    assert len(name) <= MAX_SHEET_NAME
    sheet = book[name]
    names = [sheet.cell(row, 1) for row in (2, 3, 4)]
    assert [cell.data_type for cell in names] == ["s", "s", "s"]  # text, never a formula
    assert [cell.value for cell in names] == ['\'=HYPERLINK("http://x") Zuid', "'@SUM(A1)", "Noord"]
    assert [sheet.cell(row, 2).value for row in (2, 3, 4)] == [-3.5, None, 12.25]
    assert sheet.cell(2, 2).number_format == "0.0" and sheet.cell(2, 3).number_format == "0.000"
    assert sheet.cell(2, 4).value == 3 and sheet.cell(2, 4).number_format == "0"
    assert sheet.cell(2, 5).value is True


def test_sheet_names_are_unique_and_short_enough():
    long = ["psychometrics_modification_indices", "x" * 40, "x" * 41, "columns"]
    names = sheet_names(long)
    assert names["psychometrics_modification_indices"] == "psy_modification_indices"
    assert len(set(names.values())) == 4 and "columns" not in names.values()
    assert all(len(name) <= MAX_SHEET_NAME for name in names.values())
