"""Areas are keyed by id in the report: two areas with the same name in different
municipalities stay two areas, each with its own page, labelled with its municipality."""

from __future__ import annotations

import re

import pytest
from report_fixtures import report_metadata, two_waves

from samenspel.common.paths import DEFAULT_METHODOLOGY
from samenspel.instrument import load_areas
from samenspel.pipeline.index.tables import index_tables
from samenspel.pipeline.methodology import load_methodology
from samenspel.reports.render import ReportInput, build_site

REGISTRY = """
municipalities:
  GM0405: Hoorn
  GM0439: Purmerend
areas:
  - {id: h-binnenstad, name: Binnenstad, municipality: GM0405, kind: wijk}
  - {id: h-risdam, name: Risdam, municipality: GM0405, kind: wijk}
  - {id: p-binnenstad, name: Binnenstad, municipality: GM0439, kind: wijk}
"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """The pages of a two-wave report on the registry above (English)."""
    folder = tmp_path_factory.mktemp("keys")
    (folder / "areas.yaml").write_text(REGISTRY, encoding="utf-8")
    areas, method = load_areas(folder / "areas.yaml"), load_methodology()
    instrument, responses = two_waves(folder, areas, per_side=12, seed=3)
    tables = index_tables(responses, instrument, areas, method, replicates=100)
    data = ReportInput(
        tables=tables,
        metadata=report_metadata(instrument, method),
        instrument=instrument,
        method=method,
        methodology_text=DEFAULT_METHODOLOGY.read_text(encoding="utf-8"),
    )
    return tables, build_site(data, "en")


def chart_descriptions(html: str) -> list[str]:
    return re.findall(r"<desc>(.*?)</desc>", html, flags=re.S)


def test_the_same_name_in_two_municipalities_gives_two_areas(pages):
    tables, pages = pages
    assert set(tables["index"]["area"]) == {"h-binnenstad", "h-risdam", "p-binnenstad"}
    # Without municipality codes in the index, the folders are named by the municipality.
    hoorn = pages["Hoorn/index.html"]
    trend = next(d for d in chart_descriptions(hoorn) if "Risdam" in d and "2025" in d)
    assert "Binnenstad (Hoorn)" in trend and "Binnenstad (Purmerend)" not in trend
    assert "Risdam (" not in trend  # a unique name needs no municipality
    assert {"Hoorn/area-h-binnenstad.html", "Purmerend/area-p-binnenstad.html"} <= set(pages)
    index = pages["areas.html"]
    assert '<a href="Hoorn/area-h-binnenstad.html">Binnenstad (Hoorn)</a>' in index
    assert '<a href="Purmerend/area-p-binnenstad.html">Binnenstad (Purmerend)</a>' in index


def test_every_chart_labels_the_two_areas_apart(pages):
    _, pages = pages
    for html in pages.values():
        for description in chart_descriptions(html):
            if "Binnenstad" in description:
                assert re.findall(r"Binnenstad(?! \()", description) == [], description
