"""Property-based: random registries (names of every type, control characters, duplicates)
either load into a registry whose names are plain text and unique within a municipality,
or stop with problems that name the file; never another exception."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import event, given, settings
from hypothesis import strategies as st

from samenspel.instrument import ProblemsFound, load_areas
from samenspel.instrument.areas import name_problem


def mostly(good, bad):
    """19 draws in 20 from `good`: a good share of registries then load, and the checks on
    loaded registries run."""
    return st.integers(0, 19).flatmap(lambda k: good if k else bad)


PLAIN = st.sampled_from(
    ["Binnenstad", "binnenstad", "Oud-Noord", "Risdam", "Hoorn", "Zaan", "Grote Waal", "Weidevenne",
     "Overwhere", "Kersenboogerd", "Wheermolen", "Gors"]
)  # fmt: skip
NAMES = mostly(
    PLAIN,
    st.one_of(
        st.text(max_size=12),
        st.text(alphabet=st.sampled_from("ab \r\n\t\x00\x1b\u202e\u2028é"), max_size=6),
        st.text(min_size=99, max_size=102),
        st.integers(),
        st.none(),
        st.lists(st.text(max_size=3), max_size=2),
        st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2),
    ),
)
CODES = mostly(st.sampled_from(["GM0405", "GM0439"]), st.sampled_from(["GM1", "GM0405\n", ""]))
IDS = mostly(st.sampled_from("abcdefghijkl"), st.sampled_from(["A", "a\n", ""]))
UNITS = st.dictionaries(
    mostly(st.sampled_from(["professional", "informal"]), st.just("other")),
    st.lists(
        st.fixed_dictionaries({"code": IDS.map(lambda c: f"u-{c}"), "name": NAMES}), max_size=2
    ),
    max_size=2,
)
MUNICIPALITIES = st.builds(
    lambda listed, extra: {**listed, **extra},
    st.fixed_dictionaries({"GM0405": NAMES, "GM0439": NAMES}),
    mostly(st.just({}), st.dictionaries(st.sampled_from(["GM1", "GM0405\n"]), NAMES)),
)
AREAS = st.lists(
    st.fixed_dictionaries(
        {
            "id": IDS,
            "name": NAMES,
            "municipality": CODES,
            "kind": mostly(st.just("wijk"), st.just("stad")),
        },
        optional={"units": UNITS},
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=200, deadline=None)
@given(MUNICIPALITIES, AREAS)
def test_random_registries_load_clean_or_give_problems(municipalities, areas):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "areas.yaml"
        path.write_text(
            yaml.safe_dump({"municipalities": municipalities, "areas": areas}), encoding="utf-8"
        )
        try:
            registry = load_areas(path)
        except ProblemsFound as found:
            event("problems")
            assert found.problems
            for problem in found.problems:
                assert problem.where.startswith(str(path)) and problem.hint
                assert str(problem).replace("\n", "").isprintable()  # cannot act on a terminal
            return
    event("loaded")
    names = [a.name for a in registry.areas] + [u.name for u in registry.units]
    names += [a.municipality for a in registry.areas]
    assert all(name_problem(name) is None and name == name.strip() for name in names)
    keys = [(a.municipality_code, a.name.casefold()) for a in registry.areas]
    assert len(set(keys)) == len(keys)
    assert len(set(registry.ids)) == len(registry.ids)
