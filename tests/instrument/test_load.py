"""The instrument loader: the real questionnaire loads; every problem code can be triggered."""

from __future__ import annotations

import textwrap

import pytest

from samenspel.common.paths import DEFAULT_INSTRUMENT
from samenspel.common.problems import CATALOGUE
from samenspel.instrument import (
    Level,
    ProblemsFound,
    check_instrument,
    load_areas,
    load_instrument,
)
from samenspel.instrument.load import MAX_YAML_DEPTH, read_yaml
from samenspel.pipeline.methodology import load_methodology

MINIMAL = """
instrument:
  id: mini
  version: "1"
  languages: [nl, en]
  default_language: nl
  title: {nl: Mini, en: Mini}
roles:
  professional:
    code: 1
    side: professional
    label: {nl: Professional, en: Professional}
    placeholders:
      own_group: {nl: professionals, en: professionals}
      other_party: {nl: vrijwilligers, en: volunteers}
  informal:
    code: 2
    side: informal
    label: {nl: Vrijwilliger, en: Volunteer}
    placeholders:
      own_group: {nl: vrijwilligers, en: volunteers}
      other_party: {nl: professionals, en: professionals}
answer_scales:
  yesno:
    kind: categorical
    options:
      1: {nl: Ja, en: "Yes"}
      2: {nl: Nee, en: "No"}
  agree5:
    kind: agreement
    options:
      1: {nl: Oneens, en: Disagree}
      2: {nl: Beetje oneens, en: Somewhat disagree}
      3: {nl: Neutraal, en: Neutral}
      4: {nl: Beetje eens, en: Somewhat agree}
      5: {nl: Eens, en: Agree}
    missing:
      8: {nl: Weet niet, en: Don't know}
  grade10:
    kind: grade
    minimum: 1
    maximum: 10
sections:
  - id: start
    title: {nl: Start, en: Start}
    items:
      - code: consent
        kind: consent
        scale: yesno
        text: {nl: "Doet u mee?", en: "Do you take part?"}
  - id: trust
    title: {nl: Vertrouwen, en: Trust}
    items:
      - code: tru1
        scale: agree5
        text: {nl: "{other_party} zijn goed.", en: "{other_party} are good."}
      - code: tru2
        scale: agree5
        text: {nl: Zij zijn eerlijk., en: They are honest.}
      - code: tru3
        scale: agree5
        text: {nl: Zij helpen mij., en: They help me.}
      - code: grade1
        scale: grade10
        text: {nl: "Welk cijfer?", en: "Which grade?"}
constructs:
  TRU:
    kind: reflective
    name: {nl: Vertrouwen, en: Trust}
    items: tru1 + tru2 + -tru3
"""


def check(tmp_path, text: str, replace: tuple[str, str] | None = None):
    if replace:
        assert replace[0] in text, f"test snippet lacks {replace[0]!r}"
        text = text.replace(*replace)
    path = tmp_path / "instrument.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return check_instrument(path)


def codes(problems, level=Level.ERROR):
    return {p.code for p in problems if p.level is level}


def test_minimal_snippet_is_valid(tmp_path):
    instrument, problems = check(tmp_path, MINIMAL)
    assert instrument is not None, [str(p) for p in problems]
    assert codes(problems) == set()
    assert instrument.item_codes == ("consent", "tru1", "tru2", "tru3", "grade1")
    assert [(i.code, i.reverse) for i in instrument.constructs["TRU"].items] == [
        ("tru1", False),
        ("tru2", False),
        ("tru3", True),
    ]
    assert instrument.text("tru1", "professional", "nl") == "vrijwilligers zijn goed."
    assert instrument.text("tru1", "informal", "en") == "professionals are good."


def test_the_questionnaire_loads_with_all_constructs():
    instrument = load_instrument(DEFAULT_INSTRUMENT)
    assert set(instrument.constructs) >= {"IGF", "OGD", "TRU", "UNF", "DIS", "IND", "COL"}
    assert instrument.items[0].code == "consent"
    assert instrument.languages == ("nl", "en")
    assert len(instrument.content_hash) == 64
    table = instrument.items_table()
    assert table["code"].is_unique
    # Paired grades: own and other for every attribute.
    igf = table[table["construct"] == "IGF"]
    assert sorted(igf["pair_target"].unique()) == ["other", "own"]
    assert len(igf) == 12
    # At most 2 reverse-keyed items a scale, and only agreement items.
    reverse = table[table["reverse"]]
    assert (reverse["scale_kind"] == "agreement").all()
    assert reverse.groupby("construct").size().max() <= 2
    # Stakeholders answer only the goal-clarity module (and the background questions).
    stakeholder = table[table["roles"].str.contains("stakeholder")]
    assert set(stakeholder["section"]) == {"intro", "ind", "close"}
    assert not stakeholder["construct"].isin(["TRU", "OGD", "UNF", "DIS", "IGF", "COL"]).any()
    # Every text, in every role and language, has its placeholders filled.
    for item in instrument.items:
        for role in item.roles:
            for language in instrument.languages:
                assert "{" not in instrument.text(item.code, role, language)


def test_content_hash_changes_with_the_content(tmp_path):
    first, _ = check(tmp_path, MINIMAL)
    second, _ = check(tmp_path, MINIMAL, ("Zij helpen mij.", "Zij helpen ons."))
    assert first.content_hash != second.content_hash


def test_load_instrument_raises_with_every_problem(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(MINIMAL.replace("en: They help me.", "").replace("scale: grade10", "scale: x"))
    with pytest.raises(ProblemsFound) as caught:
        load_instrument(path)
    assert {p.code for p in caught.value.problems} >= {
        "missing-translation",
        "undefined-answer-scale",
    }


# One case per problem code: (code, replacement in MINIMAL, expected YAML path in `where`).
CASES = [
    ("missing-field", ('  version: "1"\n', ""), "instrument.version"),
    ("wrong-type", ("title: {nl: Mini, en: Mini}", "title: [Mini]"), "instrument.title"),
    ("invalid-value", ("side: informal", "side: volunteers"), "roles.informal.side"),
    ("duplicate-code", ("code: tru2", "code: tru1"), "sections[1].items[1].code"),
    ("invalid-code", ("code: grade1", "code: Grade-1"), "sections[1].items[3].code"),
    (
        "unknown-reference",
        ("items: tru1 + tru2 + -tru3", "items: tru1 + tru2 + -tru4"),
        "constructs.TRU.items",
    ),
    ("undefined-answer-scale", ("scale: grade10", "scale: grades"), "sections[1].items[3].scale"),
    ("missing-translation", ("en: They help me.", ""), "sections[1].items[2].text.en"),
    (
        "unknown-placeholder",
        ("{other_party} zijn goed.", "{andere_partij} zijn goed."),
        "sections[1].items[0].text.nl",
    ),
    (
        "reverse-non-agreement",
        ("items: tru1 + tru2 + -tru3", "items: tru1 + tru2 + -grade1"),
        "constructs.TRU.items",
    ),
    (
        "scale-too-short",
        ("items: tru1 + tru2 + -tru3", "items: tru1 + -tru3"),
        "constructs.TRU.items",
    ),
    ("consent-not-first", ("kind: consent", "kind: single"), "sections[0].items[0]"),
    (
        "missing-code-overlap",
        ("      8: {nl: Weet niet, en: Don't know}", "      5: {nl: Weet niet, en: Don't know}"),
        "answer_scales.agree5.missing.5",
    ),
]


@pytest.mark.parametrize(("code", "replace", "where"), CASES, ids=[c[0] for c in CASES])
def test_each_error_is_reported_with_its_yaml_path(tmp_path, code, replace, where):
    instrument, problems = check(tmp_path, MINIMAL, replace)
    assert instrument is None
    found = [p for p in problems if p.code == code]
    assert found, f"expected {code}, got {[str(p) for p in problems]}"
    problem = found[0]
    assert problem.level is Level.ERROR
    assert problem.where.endswith(where), problem.where
    assert str(tmp_path / "instrument.yaml") in problem.where
    assert problem.message and problem.hint


def test_file_not_found(tmp_path):
    instrument, problems = check_instrument(tmp_path / "missing.yaml")
    assert instrument is None
    assert [p.code for p in problems] == ["file-not-found"]


def test_invalid_yaml_names_the_line(tmp_path):
    instrument, problems = check(tmp_path, MINIMAL, ("  id: mini", "  id: [mini"))
    assert instrument is None
    assert problems[0].code == "invalid-yaml"
    assert problems[0].where.endswith("instrument.yaml:4:10")  # where the parser gave up


def test_readability_and_long_sentences_are_warnings(tmp_path):
    hard = (
        "Zij zijn eerlijk.",
        "Gemeentelijke beleidsvoornemens inzake maatschappelijke ondersteuning zijn "
        "onvoldoende geoperationaliseerd en daardoor voor uitvoerende professionals en "
        "vrijwilligersorganisaties nauwelijks hanteerbaar.",
    )
    instrument, problems = check(tmp_path, MINIMAL, hard)
    assert instrument is not None  # warnings do not stop
    assert codes(problems, Level.WARNING) == {"readability", "long-sentence"}
    long = next(p for p in problems if p.code == "long-sentence")
    assert long.where.endswith("sections[1].items[1].text.nl (as professional)")
    assert "17 words" in long.message


# Hostile YAML: read_yaml serves the questionnaire, the area registry and the methodology.
LOADERS = {
    "questionnaire": load_instrument,
    "registry": load_areas,
    "methodology": load_methodology,
}


def read_problems(tmp_path, text: str, loader: str) -> list:
    path = tmp_path / "file.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProblemsFound) as caught:
        LOADERS[loader](path)
    return caught.value.problems


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize("opening", ["[", "{a: ", "- "])
def test_deep_nesting_is_a_problem_not_a_recursion_error(tmp_path, loader, opening):
    """Issue 11: 50,000 levels of `[[[[...` ended in a RecursionError traceback."""
    text = opening * 50_000  # "- - - ..." nests block sequences on one line
    problems = read_problems(tmp_path, text, loader)
    assert [p.code for p in problems] == ["invalid-yaml"]
    assert f"more than {MAX_YAML_DEPTH} levels" in problems[0].message


def test_nesting_up_to_the_limit_is_read(tmp_path):
    path = tmp_path / "deep.yaml"
    for levels, readable in ((MAX_YAML_DEPTH - 1, True), (MAX_YAML_DEPTH, False)):
        path.write_text("a: " + "[" * levels + "]" * levels)  # the mapping is one level
        problems = []
        assert (read_yaml(path, problems) is not None) is readable
        assert (problems == []) is readable


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize(
    ("text", "found"),
    [("- a\n- b\n", "a list"), ("", "an empty file"), ("just text", "text"), ("12", "a number")],
)
def test_the_top_level_must_be_a_mapping(tmp_path, loader, text, found):
    problems = read_problems(tmp_path, text, loader)
    assert [p.code for p in problems] == ["wrong-type"]
    assert problems[0].where.endswith("(top level)")
    assert found in problems[0].message


@pytest.mark.parametrize("loader", LOADERS)
def test_a_huge_file_is_refused_before_it_is_parsed(tmp_path, loader, monkeypatch):
    monkeypatch.setattr("samenspel.instrument.load.MAX_YAML_BYTES", 1_000)
    problems = read_problems(tmp_path, "a: [" + "1, " * 1_000 + "1]", loader)
    assert [p.code for p in problems] == ["file-too-large"]
    assert "1,000 bytes" in problems[0].message


@pytest.mark.parametrize(
    "value",
    ["2026-02-30", "!!int abc", "!!float .", "!!timestamp abc", "!!bool maybe", "1" * 5_000],
)
def test_values_yaml_cannot_construct_are_problems(tmp_path, value):
    """PyYAML raises ValueError, KeyError or AttributeError for these, not a YAMLError."""
    path = tmp_path / "file.yaml"
    path.write_text(f"version: 1\nwhen:\n  date: {value}\n")
    problems = []
    assert read_yaml(path, problems) is None
    assert [p.code for p in problems] == ["invalid-yaml"]
    assert problems[0].where == f"{path}:3:9"


def test_every_catalogue_code_is_tested():
    area_codes = {"file-not-found", "invalid-yaml"}  # shared with the area registry tests
    file_codes = {"file-too-large"}  # tested above, through each loader
    methodology_codes = {"unknown-field"}  # tests/pipeline/test_methodology.py
    ingest_codes = {
        "unknown-column",
        "missing-column",
        "wrong-wave",
        "identifying-data",
        "ambiguous-column",
        "label-mismatch",
    }  # tested in tests/pipeline/test_ingest*.py
    # the area registry's boundaries file: tests/reports/test_map.py
    boundary_codes = {"invalid-geojson", "invalid-geometry", "unsupported-crs"}
    boundary_codes |= {"boundary-not-found", "boundary-near-match", "boundary-other-municipality"}
    boundary_codes.add("coordinates-outside-netherlands")
    tested = {c[0] for c in CASES} | area_codes | file_codes | methodology_codes | boundary_codes
    tested |= {"readability", "long-sentence"}
    assert set(CATALOGUE) - ingest_codes <= tested
