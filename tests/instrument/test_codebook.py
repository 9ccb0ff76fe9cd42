"""Codebook (HTML + Frictionless data package) and the SPSS / XLSX data-entry templates."""

from __future__ import annotations

import io
import json

import frictionless
import openpyxl
import pyreadstat
import pytest
from kobo_export import kobo_export, simulated_wave

from samenspel.instrument.codebook import (
    build_datapackage,
    codebook_table,
    render_codebook,
)
from samenspel.instrument.dataentry import data_entry_workbook, sav_template
from samenspel.instrument.model import UNIT_NOT_LISTED
from samenspel.instrument.phrases import phrase


def unit_codes(areas) -> list[str]:
    """The answer codes of the unit question: every unit of the registry, then 'not listed'."""
    return [*(u.code for u in areas.units), UNIT_NOT_LISTED]


@pytest.fixture(scope="module")
def package(instrument, areas, xform):
    return build_datapackage(instrument, areas, xform)


def test_codebook_table_has_a_row_per_answer_column(instrument, areas):
    table = codebook_table(instrument, areas)
    assert list(table["column"]) == ["respondent", *instrument.item_codes]
    row = table.set_index("column").loc["ogd4"]
    assert row["valid_codes"] == (1, 2, 3, 4, 5)
    assert row["missing_codes"] == (8, 9)
    assert row["construct"] == "OGD" and row["reverse"] is True
    grade = table.set_index("column").loc["igf2_other"]
    assert (grade["minimum"], grade["maximum"], grade["missing_codes"]) == (1, 10, (98,))
    assert grade["text_en"] == (
        "What grade do you give {other_party}? Having the right knowledge and skills."
    )
    unit = table.set_index("column").loc["unit"]
    assert (unit["value_type"], unit["measure"], unit["valid_codes"]) == ("string", "nominal", ())
    assert list(unit["labels_en"]) == unit_codes(areas)
    assert unit["labels_nl"]["sv-org-2"] == "Buurthuis-vrijwilligers Slotervaart"
    assert unit["labels_en"][UNIT_NOT_LISTED] == phrase("unit_not_listed", "en")


def test_codebook_html_lists_every_column_and_the_dont_know_rule(instrument, areas):
    html = render_codebook(instrument, areas)
    for code in instrument.item_codes:
        assert f'id="{code}"' in html
    assert "<code>98</code> (grade10, range 1–10)" in html
    assert "<code>998</code> (count, range 0–500)" in html
    assert "Weet niet / Don&#39;t know (missing)" in html
    assert "vrijwilligers en bewonersgroepen" in html  # the wording per role
    for code in unit_codes(areas):
        assert f"<code>{code}</code>" in html
    assert "Ouder- en Kindteam Oud-Noord" in html
    assert "The recruitment unit (<code>unit</code>)" in html


def test_datapackage_fields_follow_the_export(package, instrument, areas):
    fields = {f["name"]: f for f in package["resources"][0]["schema"]["fields"]}
    assert set(instrument.item_codes) <= set(fields)
    assert fields["ogd1"]["constraints"] == {"enum": [1, 2, 3, 4, 5]}
    assert fields["ogd1"]["missingValues"] == ["", "8", "9"]
    assert fields["igf1_own"]["constraints"] == {"minimum": 1, "maximum": 10}
    assert fields["igf1_own"]["missingValues"] == ["", "98"]
    assert fields["area"]["type"] == "string"
    assert "ams-oud-noord" in fields["area"]["constraints"]["enum"]
    assert fields["unit"]["type"] == "string"
    assert fields["unit"]["constraints"] == {"enum": unit_codes(areas)}
    assert fields["unit"]["categories"][-1] == {
        "value": UNIT_NOT_LISTED,
        "label": phrase("unit_not_listed", "nl"),
    }
    assert package["version"] == "2026.2"
    # The descriptor itself is valid for frictionless.
    report = frictionless.Package.validate_descriptor(package)
    assert report.valid, report.flatten(["message"])


def validate_export(tmp_path, package, text: str) -> frictionless.Report:
    (tmp_path / "responses.csv").write_text(text, encoding="utf-8")
    (tmp_path / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    return frictionless.validate(str(tmp_path / "datapackage.json"))


def test_a_simulated_export_is_valid_and_an_out_of_range_value_is_reported(
    tmp_path, package, instrument, areas, xform
):
    frame, _ = simulated_wave(instrument, areas)
    assert (frame["igf1_own"] == 98).any() or frame["tru1"].isin([8, 9]).any()
    text = kobo_export(instrument, frame, xform, group_prefixes=False)
    report = validate_export(tmp_path, package, text)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "message"])[:5]

    broken = frame.copy()
    first = broken.index[broken["consent"] == 1][0]
    broken.loc[first, "igf1_own"] = 11.0  # a grade above 10
    broken.loc[first, "tru2"] = 7.0  # not an answer code
    broken.loc[first, "unit"] = "no-such-team"  # not in the registry
    report = validate_export(
        tmp_path, package, kobo_export(instrument, broken, xform, group_prefixes=False)
    )
    errors = report.flatten(["rowNumber", "fieldName", "type"])
    assert errors == [
        [first + 2, "unit", "constraint-error"],
        [first + 2, "igf1_own", "constraint-error"],
        [first + 2, "tru2", "constraint-error"],
    ]


def test_sav_template_has_labels_and_missing_codes(tmp_path, instrument, areas):
    path = tmp_path / "template.sav"
    path.write_bytes(sav_template(instrument, areas))
    data, meta = pyreadstat.read_sav(str(path), user_missing=True)
    assert len(data) == 0
    assert list(data.columns) == ["respondent", *instrument.item_codes]
    assert meta.column_names_to_labels["tru9"] == "Ik stuur een huishouden gerust naar hen door."
    assert meta.variable_value_labels["tru9"][1.0] == "Helemaal oneens"
    assert meta.variable_value_labels["tru9"][8.0] == "Weet niet"
    assert meta.missing_ranges["tru9"] == [{"lo": 8.0, "hi": 8.0}, {"lo": 9.0, "hi": 9.0}]
    assert meta.missing_ranges["col_meetings"] == [{"lo": 998.0, "hi": 998.0}]
    assert meta.variable_measure["tru9"] == "ordinal"
    assert meta.variable_measure["col_meetings"] == "scale"
    assert meta.variable_measure["team"] == "nominal"
    assert meta.original_variable_types["respondent"] == "A32"
    assert meta.original_variable_types["col_meetings"] == "F3.0"
    assert meta.variable_value_labels["area"]["ams-de-baarsjes"] == "De Baarsjes"
    assert list(meta.variable_value_labels["unit"]) == unit_codes(areas)
    assert meta.variable_value_labels["unit"]["kb-team-3"] == "Jeugdteam Kersenboogerd"
    assert meta.variable_measure["unit"] == "nominal"
    assert meta.original_variable_types["unit"].startswith("A")
    assert meta.column_names_to_labels["unit"] == "Bij welk team of welke organisatie hoort u?"


def test_data_entry_workbook_has_drop_downs(instrument, areas):
    book = openpyxl.load_workbook(io.BytesIO(data_entry_workbook(instrument, areas)))
    sheet = book["data"]
    header = [c.value for c in sheet[1]]
    assert header == ["respondent", *instrument.item_codes]
    rules = {str(rule.sqref).split(":")[0]: rule for rule in sheet.data_validations.dataValidation}
    column = {name: openpyxl.utils.get_column_letter(i) for i, name in enumerate(header, 1)}
    agree = rules[column["tru1"] + "2"]
    assert (agree.type, agree.formula1) == ("list", '"1,2,3,4,5,8,9"')
    grade = rules[column["igf1_own"] + "2"]
    assert grade.type == "custom" and "=98" in grade.formula1 and "<=10" in grade.formula1
    area = rules[column["area"] + "2"]
    assert area.type == "list" and area.formula1.startswith("lists!")
    unit = rules[column["unit"] + "2"]
    letter = column["unit"]
    assert (unit.type, unit.formula1) == (
        "list",
        f"lists!${letter}$2:${letter}${len(unit_codes(areas)) + 1}",
    )
    listed = [c.value for c in book["lists"][letter][1:]]
    assert listed == unit_codes(areas)
    assert str(rules["A2"].sqref) == "A2:A2001"
    assert sheet["B1"].comment.text.startswith("Doet u mee aan dit onderzoek?")
    codes = book["codes"]
    assert codes["A3"].value == "consent" and codes["C3"].value == "1 = Ja; 2 = Nee"
