"""The XLSForm: converts, validates, gates on consent and role, round-trips through ingest."""

from __future__ import annotations

import io
import os
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from kobo_export import kobo_export, simulated_wave

from samenspel.instrument.model import (
    PLACEHOLDERS,
    UNIT_NOT_LISTED,
    AreaRegistry,
    Unit,
    wording_field,
    wording_fields,
)
from samenspel.instrument.phrases import phrase
from samenspel.instrument.xlsform import (
    SEARCH_FROM,
    XLSForm,
    check_translations,
    convert_xlsform,
    dump_xlsform,
    odk_validate_available,
    translated,
    unit_appearance,
    xlsform_bytes,
)
from samenspel.pipeline.ingest.exports import ingest_file
from samenspel.pipeline.ingest.store import open_store

GOLDEN = Path(__file__).parents[1] / "golden" / "xlsform.txt"
UPDATE_GOLDEN = os.environ.get("SAMENSPEL_UPDATE_GOLDEN") == "1"


def questions(form: XLSForm) -> pd.DataFrame:
    return form.survey[form.survey["type"].str.match(r"^(select_one |integer)")]


def test_workbook_has_the_three_sheets_and_settings(xlsform, instrument):
    book = openpyxl.load_workbook(io.BytesIO(xlsform_bytes(xlsform)))
    assert book.sheetnames == ["survey", "choices", "settings"]
    header = [c.value for c in book["survey"][1]]
    assert "label::Nederlands (nl)" in header and "label::English (en)" in header
    assert "hint::Nederlands (nl)" in header and "hint::English (en)" in header
    assert "table-list" not in set(xlsform.survey.get("appearance", []))
    settings = xlsform.settings.iloc[0]
    assert settings["form_id"] == "samenspel"
    assert settings["version"] == instrument.version == "2026.2"
    assert settings["default_language"] == "Nederlands (nl)"
    types = list(xlsform.survey["type"])
    assert types[:3] == ["start", "end", "audit"]


def test_item_codes_are_the_names_and_sections_the_groups(xlsform, instrument):
    survey = xlsform.survey
    assert list(questions(xlsform)["name"]) == list(instrument.item_codes)
    groups = survey.loc[survey["type"] == "begin_group", "name"]
    pairs = {item.pair_base for item in instrument.items if item.pair_base}
    assert [s.id for s in instrument.sections] == [g for g in groups if g not in pairs]
    assert sorted(g for g in groups if g in pairs) == [f"igf{i}" for i in range(1, 7)]


def test_converts_without_warnings(xlsform):
    result = convert_xlsform(xlsform_bytes(xlsform))
    assert result.warnings == []
    assert "<h:title>Samenwerken in de wijk</h:title>" in result.xform
    assert 'version="2026.2"' in result.xform


def test_passes_odk_validate(xlsform):
    reason = odk_validate_available()
    if reason.startswith("ODK Validate jar not found"):
        pytest.skip(reason)
    result = convert_xlsform(xlsform_bytes(xlsform), validate=True)
    assert result.warnings == []


def test_every_label_exists_in_every_language(xlsform, instrument):
    assert check_translations(xlsform, instrument.languages) == []
    survey = xlsform.survey.copy()
    row = survey.index[survey["name"] == "tru3"][0]
    survey.loc[row, translated("label", "en")] = ""
    choices = xlsform.choices.copy()
    choices.loc[0, translated("label", "nl")] = " "
    problems = check_translations(XLSForm(survey, choices, xlsform.settings), ("nl", "en"))
    assert [p.code for p in problems] == ["missing-translation"] * 2
    assert "survey row" in problems[0].where and "(tru3)" in problems[0].where
    assert "label::English (en)" in problems[0].where
    assert "choices row 2" in problems[1].where


def relevance_chains(form: XLSForm) -> dict[str, list[str]]:
    """Per question, its own `relevant` and those of the groups around it."""
    stack: list[str] = []
    chains = {}
    for row in form.survey.to_dict("records"):
        if row["type"] == "begin_group":
            stack.append(row.get("relevant", ""))
        elif row["type"] == "end_group":
            stack.pop()
        else:
            chains[row["name"]] = [*stack, row.get("relevant", "")]
    return chains


def shown(chain: list[str], answers: dict[str, int]) -> bool:
    """Evaluate the XPath subset the form uses (=, !=, and, or, not) for ``answers``."""
    for expression in chain:
        if not expression:
            continue
        python = re.sub(
            r"\$\{(\w+)\}", lambda m: repr(str(answers.get(m.group(1), ""))), expression
        )
        python = re.sub(r"'(\d+)' = (\d+)", r"'\1' == '\2'", python)
        python = re.sub(r"'' = (\d+)", "False", python)
        python = python.replace("not(", "not (")
        if not eval(python):
            return False
    return True


def test_consent_gates_everything_after_it(xlsform, instrument):
    chains = relevance_chains(xlsform)
    declined = {name for name, chain in chains.items() if shown(chain, {"consent": 2, "role": 1})}
    assert declined == {"start", "end", "audit", "respondent", "consent", "consent_declined"}
    for role in instrument.roles.values():
        answers = {"consent": 1, "role": role.code}
        visible = {name for name in instrument.item_codes if shown(chains[name], answers)}
        expected = {item.code for item in instrument.items if role.id in item.roles}
        assert visible == expected, role.id
        assert not shown(chains["consent_declined"], answers)


def test_role_rows_match_the_instrument(xlsform, instrument):
    chains = relevance_chains(xlsform)
    stakeholder = {"consent": 1, "role": instrument.roles["stakeholder"].code}
    seen = {name for name in instrument.item_codes if shown(chains[name], stakeholder)}
    assert seen == {"consent", "role", "area", "years", "ind1", "ind2", "ind3", "ind4", "ind5",
                    "ind_goal_own", "mode", "language"}  # fmt: skip
    assert not shown(chains["team"], {"consent": 1, "role": 2})
    assert shown(chains["organisation"], {"consent": 1, "role": 2})


def test_role_wording_is_a_calculate_per_language(xlsform, instrument):
    survey = xlsform.survey.set_index("name")
    assert set(wording_fields(instrument)) == {
        "own_group_nl", "own_group_en", "other_party_nl", "other_party_en"
    }  # fmt: skip
    for placeholder in PLACEHOLDERS:
        for language in instrument.languages:
            row = survey.loc[wording_field(placeholder, language)]
            assert row["type"] == "calculate"
            for role in instrument.roles.values():
                wording = role.placeholders[placeholder][language]
                assert f"${{role}} = {role.code}, '{wording}'" in row["calculation"]
    assert survey.loc["ogd1", "label::English (en)"] == (
        "I think ${other_party_en} understand little about residents."
    )
    assert "{" not in "".join(survey["label::Nederlands (nl)"].str.replace("${", "", regex=False))


def test_paired_grades_share_one_screen_per_attribute(xlsform):
    survey = xlsform.survey
    start = survey.index[survey["name"] == "igf1"][0]
    block = survey.loc[start : start + 3]
    assert list(block["type"]) == ["begin_group", "integer", "integer", "end_group"]
    assert list(block["name"]) == ["igf1", "igf1_own", "igf1_other", "igf1"]
    assert block.iloc[0]["appearance"] == "field-list"
    assert block.iloc[0]["label::Nederlands (nl)"] == "Weten wat bewoners nodig hebben."
    assert block.iloc[1]["label::Nederlands (nl)"] == "Welk cijfer geeft u ${own_group_nl}?"


def test_dont_know_is_a_code_for_numbers_and_a_choice_for_selects(xlsform):
    survey = xlsform.survey.set_index("name")
    assert survey.loc["igf1_own", "constraint"] == "(. >= 1 and . <= 10) or . = 98"
    assert survey.loc["col_contacts", "constraint"] == "(. >= 0 and . <= 500) or . = 998"
    assert "Weet niet: 998" in survey.loc["col_contacts", "hint::Nederlands (nl)"]
    assert "998" in survey.loc["col_contacts", "constraint_message::English (en)"]
    agree = xlsform.choices[xlsform.choices["list_name"] == "agree5"]
    assert list(agree["name"]) == ["1", "2", "3", "4", "5", "8", "9"]
    assert list(agree["label::Nederlands (nl)"])[-2:] == ["Weet niet", "N.v.t."]
    area = xlsform.choices[xlsform.choices["list_name"] == "area"]
    assert area.iloc[0]["name"] == "ams-oud-noord"
    assert area.iloc[0]["label::English (en)"] == "Oud-Noord (Amsterdam)"


def offered_units(xform: str, answers: dict[str, str]) -> list[str]:
    """The unit codes the converted form offers after ``answers`` (area id, role code): the
    unit itemset's filter evaluated on its secondary instance, for the XPath subset the
    filter uses (=, and, or, if())."""
    ns = {"h": "http://www.w3.org/1999/xhtml", "x": "http://www.w3.org/2002/xforms"}
    root = ET.fromstring(xform)
    instances = {i.get("id"): i for i in root.iterfind("h:head/x:model/x:instance", ns)}
    items = [{c.tag.split("}")[-1]: c.text or "" for c in item} for item in instances["unit"][0]]
    (select,) = [s for s in root.iter(f"{{{ns['x']}}}select1") if s.get("ref").endswith("/unit")]
    nodeset = select.find("x:itemset", ns).get("nodeset")
    assert nodeset.startswith("instance('unit')/root/item[")
    predicate = nodeset[nodeset.index("[") + 1 : -1]
    python = re.sub(r"\s*(/\w+)+/(\w+)\s*", lambda m: f" {answers[m.group(2)]!r} ", predicate)
    python = re.sub(r" = (\d+)\b", r" = '\1'", python).replace(" = ", " == ")
    python = python.replace("if(", "iif(")

    def iif(condition, then, otherwise):
        return then if condition else otherwise

    return [
        item["name"] for item in items if eval(python, {}, defaultdict(str, {**item, "iif": iif}))
    ]


def test_unit_choices_carry_their_area_and_side(xlsform, areas):
    units = xlsform.choices[xlsform.choices["list_name"] == "unit"]
    assert list(units["name"]) == [u.code for u in areas.units] + [UNIT_NOT_LISTED]
    assert list(units["area"])[:-1] == [u.area for u in areas.units]
    assert list(units["side"])[:-1] == [u.side for u in areas.units]
    assert list(units["label::Nederlands (nl)"])[:-1] == [u.name for u in areas.units]
    assert list(units["label::English (en)"])[:-1] == [u.name for u in areas.units]
    last = units.iloc[-1]
    assert (last["area"], last["side"]) == ("", "")
    assert last["label::English (en)"] == phrase("unit_not_listed", "en")
    assert last["label::Nederlands (nl)"] == phrase("unit_not_listed", "nl")


def test_unit_question_offers_the_units_of_the_answered_area_and_side(
    xlsform, xform, instrument, areas
):
    question = xlsform.survey.set_index("name").loc["unit"]
    assert question["type"] == "select_one unit"
    assert question["appearance"] == "quick"
    assert "${area}" in question["choice_filter"] and "${role}" in question["choice_filter"]
    for role in instrument.roles.values():
        for area in areas.areas:
            offered = offered_units(xform, {"area": area.id, "role": str(role.code)})
            mine = [u.code for u in area.units if u.side == role.side]
            assert offered == [*mine, UNIT_NOT_LISTED], (role.id, area.id)
            assert len(mine) >= 3 or role.side is None
    assert offered_units(xform, {"area": "", "role": ""}) == [UNIT_NOT_LISTED]


def test_a_long_unit_list_gets_a_search_box(areas):
    area = areas.areas[0]
    teams = tuple(
        Unit(f"team-{i}", f"Team {i}", area.id, "professional") for i in range(SEARCH_FROM)
    )
    assert unit_appearance(areas) == "quick"
    long = AreaRegistry((replace(area, units=teams),), "test")
    assert unit_appearance(long) == "autocomplete"


def test_golden_dump(xlsform):
    """The readable dump of the XLSForm; `make golden` rewrites it after an intended change."""
    text = dump_xlsform(xlsform)
    if UPDATE_GOLDEN:
        GOLDEN.write_text(text, encoding="utf-8")
    assert GOLDEN.exists(), "no golden file yet: run `make golden` and review the diff"
    assert text == GOLDEN.read_text(encoding="utf-8"), (
        f"the XLSForm changed; if intended, run `make golden` and review the diff of {GOLDEN.name}"
    )


@pytest.mark.parametrize("group_prefixes", [True, False])
def test_kobo_export_round_trips_through_ingest(
    tmp_path, monkeypatch, instrument, areas, xform, group_prefixes
):
    monkeypatch.setenv("SAMENSPEL_KEY_FILE", str(tmp_path / "key"))
    frame, settings = simulated_wave(instrument, areas)
    path = tmp_path / "kobo.csv"
    path.write_text(kobo_export(instrument, frame, xform, group_prefixes), encoding="utf-8")
    header = path.read_text(encoding="utf-8").splitlines()[0]
    if group_prefixes:
        assert '"tru/tru1"' in header and '"igf/igf1/igf1_own"' in header
    else:
        assert '"tru1"' in header and "/" not in header.replace("meta/instanceID", "")

    con = open_store(tmp_path / "store.duckdb")
    report = ingest_file(con, path, "2025", instrument, areas)
    declined = int((frame["consent"] != 1).sum())
    duplicates = settings.duplicates_per_wave
    assert report.rows_read == len(frame)
    expected = {"no-consent": declined, "duplicate-submission": duplicates}
    assert report.rejected == {reason: n for reason, n in expected.items() if n}
    assert report.accepted == len(frame) - declined - duplicates > 100
    # Every column maps: items, metadata, and the role-wording calculates ingest ignores.
    assert report.problems == []
    assert set(wording_fields(instrument)) <= {
        h.rsplit("/", 1)[-1]
        for h in path.read_text(encoding="utf-8").splitlines()[0].replace('"', "").split(";")
    }

    stored = con.execute("SELECT tru1, igf1_own, col_contacts, area, unit FROM responses").df()
    kept = frame[frame["consent"] == 1].drop_duplicates("_uuid")
    for code in ("tru1", "igf1_own", "col_contacts"):
        assert stored[code].sum() == pytest.approx(kept[code].sum())
        assert stored[code].isna().sum() == kept[code].isna().sum()
    assert sorted(stored["area"]) == sorted(kept["area"])
    # The unit code (text, from the cascading choice) arrives as exported.
    assert sorted(filter(None, stored["unit"])) == sorted(kept["unit"].dropna())
    assert UNIT_NOT_LISTED in set(stored["unit"])
    con.close()
