"""The area registry: demo areas load; mistakes are reported with their place."""

import pytest
from samenspel.instrument import ProblemsFound, load_areas

from samenspel.paths import DEFAULT_AREAS


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
            "areas[0].municipality",
        ),
        (
            "areas:\n  - {id: a, name: A, municipality: GM0363, kind: wijk}\n"
            "  - {id: a, name: B, municipality: GM0363, kind: wijk}",
            "duplicate-code",
            "areas[1].id",
        ),
        (
            "areas:\n  - {id: a, name: A, municipality: GM0363, kind: stad}",
            "invalid-value",
            "areas[0].kind",
        ),
        (
            "areas:\n  - {id: a, name: A, municipality: GM0363, kind: wijk, cbs_wijk: 36301}",
            "wrong-type",
            "areas[0].cbs_wijk",
        ),
        ("areas:\n  - {id: a, municipality: GM0363, kind: wijk}", "missing-field", "areas[0]"),
    ],
)
def test_registry_problems(tmp_path, body, code, where):
    path = tmp_path / "areas.yaml"
    path.write_text("municipalities:\n  GM0363: Amsterdam\n" + body)
    with pytest.raises(ProblemsFound) as caught:
        load_areas(path)
    problem = caught.value.problems[0]
    assert problem.code == code
    assert problem.where == f"{path}: {where}"


def test_missing_registry_file(tmp_path):
    with pytest.raises(ProblemsFound) as caught:
        load_areas(tmp_path / "nope.yaml")
    assert caught.value.problems[0].code == "file-not-found"
