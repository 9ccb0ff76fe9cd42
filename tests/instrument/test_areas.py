"""The area registry: demo areas load; mistakes are reported with their place."""

import re

import pytest

from samenspel.common.paths import DEFAULT_AREAS
from samenspel.instrument import Level, ProblemsFound, load_areas


def test_demo_registry_has_the_three_municipalities():
    registry = load_areas(DEFAULT_AREAS)
    table = registry.table()
    assert table.groupby("municipality_code").size().to_dict() == {
        "GM0363": 3,
        "GM0405": 3,
        "GM0439": 3,
    }
    amsterdam = table[table.municipality == "Amsterdam"]
    assert set(amsterdam.name) == {"Oud-Noord", "Slotervaart", "De Baarsjes"}
    assert set(amsterdam.kind) == {"gebied"}  # stadsgebieden, not CBS wijken


@pytest.mark.parametrize(
    ("body", "code", "where"),
    [
        (
            "areas:\n  - {id: a, name: A, municipality: GM0001, kind: wijk}",
            "unknown-reference",
            "area a.municipality",
        ),
        (
            "areas:\n  - {id: a, name: A, municipality: GM0363, kind: wijk}\n"
            "  - {id: a, name: B, municipality: GM0363, kind: wijk}",
            "duplicate-code",
            "area a.id",
        ),
        (
            "areas:\n  - {id: a, name: A, municipality: GM0363, kind: stad}",
            "invalid-value",
            "area a.kind",
        ),
        (
            "areas:\n  - {id: a, name: A, municipality: GM0363, kind: wijk, cbs_wijk: 36301}",
            "wrong-type",
            "area a.cbs_wijk",
        ),
        ("areas:\n  - {id: a, municipality: GM0363, kind: wijk}", "missing-field", "area a"),
    ],
)
def test_registry_problems(tmp_path, body, code, where):
    path = tmp_path / "areas.yaml"
    path.write_text("municipalities:\n  GM0363: Amsterdam\n" + body)
    with pytest.raises(ProblemsFound) as caught:
        load_areas(path)
    problem = caught.value.problems[0]
    assert problem.code == code
    assert re.fullmatch(rf"{re.escape(str(path))}:\d+: {re.escape(where)}", problem.where)


def test_missing_registry_file(tmp_path):
    with pytest.raises(ProblemsFound) as caught:
        load_areas(tmp_path / "nope.yaml")
    assert caught.value.problems[0].code == "file-not-found"


def registry_problems(tmp_path, text: str) -> dict[str, str]:
    """YAML path -> problem code of every problem in a registry."""
    path = tmp_path / "areas.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProblemsFound) as caught:
        load_areas(path)
    place = re.compile(rf"{re.escape(str(path))}(:\d+)?: ")
    return {
        place.sub("", p.where, count=1): p.code
        for p in caught.value.problems
        if p.level is Level.ERROR
    }


TWO_MUNICIPALITIES = "municipalities:\n  GM0405: Hoorn\n  GM0439: Purmerend\nareas:\n"


# Issue 11: a name that is a mapping, and names with a carriage return or NUL, used to load
# (and then broke index.csv and the report).
@pytest.mark.parametrize(
    ("area", "where", "code"),
    [
        (
            "{id: a, name: {nl: Binnenstad}, municipality: GM0405, kind: wijk}",
            "area a.name",
            "wrong-type",
        ),
        (
            "{id: a, name: [Binnen, stad], municipality: GM0405, kind: wijk}",
            "area a.name",
            "wrong-type",
        ),
        ("{id: a, name: 1012, municipality: GM0405, kind: wijk}", "area a.name", "wrong-type"),
        (
            '{id: a, name: "Binnen\\rstad", municipality: GM0405, kind: wijk}',
            "area a.name",
            "invalid-value",
        ),
        (
            '{id: a, name: "Binnen\\0stad", municipality: GM0405, kind: wijk}',
            "area a.name",
            "invalid-value",
        ),
        (
            '{id: a, name: "Binnen\\nstad", municipality: GM0405, kind: wijk}',
            "area a.name",
            "invalid-value",
        ),
        (
            '{id: a, name: "Binnen\\tstad", municipality: GM0405, kind: wijk}',
            "area a.name",
            "invalid-value",
        ),
        (
            '{id: a, name: "\\e[31mBinnenstad", municipality: GM0405, kind: wijk}',
            "area a.name",
            "invalid-value",
        ),
        (
            '{id: a, name: "Binnen\\u202Estad", municipality: GM0405, kind: wijk}',
            "area a.name",
            "invalid-value",
        ),
        (
            '{id: a, name: "\\ud800", municipality: GM0405, kind: wijk}',
            "area a.name",
            "invalid-value",
        ),
        ('{id: a, name: "  ", municipality: GM0405, kind: wijk}', "area a.name", "missing-field"),
        (
            f"{{id: a, name: {'x' * 101}, municipality: GM0405, kind: wijk}}",
            "area a.name",
            "invalid-value",
        ),
        (
            '{id: "a\\n", name: A, municipality: GM0405, kind: wijk}',
            "area 'a\\n'.id",
            "invalid-code",
        ),
        (
            "{id: a, name: A, municipality: {GM0405: Hoorn}, kind: wijk}",
            "area a.municipality",
            "unknown-reference",
        ),
        ("{id: a, name: A, municipality: GM0405, kind: [wijk]}", "area a.kind", "invalid-value"),
        (
            "{id: a, name: A, municipality: GM0405, kind: wijk, units: {professional: "
            "[{code: t1, name: {x: y}}]}}",
            "area a.units.professional[t1].name",
            "wrong-type",
        ),
        (
            "{id: a, name: A, municipality: GM0405, kind: wijk, units: {professional: "
            '[{code: t1, name: "Team\\r1"}]}}',
            "area a.units.professional[t1].name",
            "invalid-value",
        ),
        (
            "{id: a, name: A, municipality: GM0405, kind: wijk, units: {professional: "
            "[{code: t1, name: Team}, {code: t2, name: team}]}}",
            "area a.units.professional[t2].name",
            "duplicate-code",
        ),
    ],
)
def test_names_are_plain_text(tmp_path, area, where, code):
    assert registry_problems(tmp_path, TWO_MUNICIPALITIES + f"  - {area}\n") == {where: code}


@pytest.mark.parametrize(
    ("municipalities", "where", "code"),
    [
        ("GM0405: {nl: Hoorn}", "municipalities.GM0405", "wrong-type"),
        ('GM0405: "Hoorn\\r"', "municipalities.GM0405", "invalid-value"),
        ("GM0405: ", "municipalities.GM0405", "missing-field"),
        ("GM0405: Hoorn\n  GM0439: hoorn", "municipalities.GM0439", "duplicate-code"),
        ("GM0405: Hoorn\n  GM0405x: Purmerend", "municipalities.GM0405x", "invalid-code"),
    ],
)
def test_municipality_names_are_plain_text_and_unique(tmp_path, municipalities, where, code):
    text = (
        f"municipalities:\n  {municipalities}\n"
        "areas:\n  - {id: a, name: A, municipality: GM0405, kind: wijk}\n"
    )
    assert registry_problems(tmp_path, text) == {where: code}


def test_area_names_are_unique_within_a_municipality(tmp_path):
    text = TWO_MUNICIPALITIES + (
        "  - {id: h-binnenstad, name: Binnenstad, municipality: GM0405, kind: wijk}\n"
        "  - {id: h-centrum, name: ' binnenstad', municipality: GM0405, kind: wijk}\n"
    )
    assert registry_problems(tmp_path, text) == {"area h-centrum.name": "duplicate-code"}


def test_the_same_name_in_two_municipalities_is_two_areas(tmp_path):
    path = tmp_path / "areas.yaml"
    path.write_text(
        TWO_MUNICIPALITIES
        + "  - {id: h-binnenstad, name: Binnenstad, municipality: GM0405, kind: wijk}\n"
        "  - {id: p-binnenstad, name: Binnenstad, municipality: GM0439, kind: wijk}\n",
        encoding="utf-8",
    )
    registry = load_areas(path)
    assert registry.ids == ("h-binnenstad", "p-binnenstad")
    assert [a.municipality for a in registry.areas] == ["Hoorn", "Purmerend"]


def test_every_registry_problem_is_reported_at_once(tmp_path):
    text = (
        "municipalities:\n  GM0405: {nl: Hoorn}\n  GM0439: Purmerend\n"
        "areas:\n"
        "  - {id: a, name: {nl: A}, municipality: GM0405, kind: wijk}\n"
        '  - {id: b, name: "B\\0", municipality: GM0439, kind: stad}\n'
        "  - {id: c, name: C, municipality: GM0439, kind: wijk}\n"
        "  - {id: d, name: C, municipality: GM0439, kind: wijk}\n"
    )
    assert registry_problems(tmp_path, text) == {
        "municipalities.GM0405": "wrong-type",
        "area a.name": "wrong-type",
        "area b.name": "invalid-value",
        "area b.kind": "invalid-value",
        "area d.name": "duplicate-code",
    }


@pytest.mark.parametrize("body", ["- a\n- b\n", "", "just text", "[[[["])
def test_a_file_that_is_not_a_registry(tmp_path, body):
    path = tmp_path / "areas.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ProblemsFound) as caught:
        load_areas(path)
    assert caught.value.problems


COVARIATE_REGISTRY = (
    "municipalities:\n  GM0363: Amsterdam\ncovariates: wijkcijfers.csv\nareas:\n"
    "  - {id: a, name: A, municipality: GM0363, kind: wijk}\n"
    "  - {id: b, name: B, municipality: GM0363, kind: wijk}\n"
)


def test_area_covariates_are_read_from_the_registrys_csv(tmp_path):
    (tmp_path / "wijkcijfers.csv").write_text("area,income,share_65\na,31.5,0.18\nb,27,0.22\n")
    path = tmp_path / "areas.yaml"
    path.write_text(COVARIATE_REGISTRY)
    table = load_areas(path).covariates.table()
    assert list(table.columns) == ["area", "income", "share_65"]
    assert table.set_index("area").loc["b", "income"] == 27.0


@pytest.mark.parametrize(
    ("csv", "code", "says"),
    [
        ("area,income\na,31.5\nb,\n", "invalid-value", "row 3, column income: '' is not a number"),
        ("area,income\na,31.5\n", "missing-field", "no row for 1 areas of the registry ('b')"),
        ("area,income\na,1\nb,2\nc,3\n", "unknown-reference", "'c' are not areas"),
        ("wijk,income\na,1\nb,2\n", "missing-column", "needs a column `area`"),
        (None, "file-not-found", "cannot be read"),
    ],
)
def test_area_covariate_mistakes_say_where_and_how_to_fix(tmp_path, csv, code, says):
    if csv is not None:
        (tmp_path / "wijkcijfers.csv").write_text(csv)
    path = tmp_path / "areas.yaml"
    path.write_text(COVARIATE_REGISTRY)
    with pytest.raises(ProblemsFound) as caught:
        load_areas(path)
    [problem] = [p for p in caught.value.problems if p.level is Level.ERROR]
    assert problem.code == code and says in problem.message
    assert problem.where == f"{path}: covariates" and problem.hint
