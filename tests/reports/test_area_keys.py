"""Areas are keyed by id in the report: two areas with the same name in different
municipalities stay two areas, each with its own page, labelled with its municipality."""

from __future__ import annotations

import re

import numpy as np
import pytest
from samenspel.instrument import load_areas, load_instrument
from samenspel.pipeline.index.tables import index_tables
from samenspel.pipeline.ingest.exports import ingest_file, load_responses
from samenspel.pipeline.ingest.store import open_store
from samenspel.pipeline.methodology import load_methodology
from samenspel.pipeline.simulation.simulate import (
    SimulationSettings,
    draw_model,
    simulate_wave,
    to_kobo_csv,
)
from samenspel.reports.render import ReportInput, build_site

from samenspel.paths import DEFAULT_INSTRUMENT, DEFAULT_METHODOLOGY

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
    instrument, areas = load_instrument(DEFAULT_INSTRUMENT), load_areas(folder / "areas.yaml")
    method = load_methodology()
    model = draw_model(instrument, areas, SimulationSettings(per_side=12))
    rng = np.random.default_rng(3)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SAMENSPEL_KEY_FILE", str(folder / "key"))
        con = open_store(folder / "store.duckdb")
        for wave in ("2025", "2026"):
            csv = folder / f"kobo_{wave}.csv"
            frame = simulate_wave(instrument, areas, model, wave, rng)
            csv.write_text(to_kobo_csv(instrument, frame, group_prefixes=False))
            ingest_file(con, csv, wave, instrument, areas)
        responses = load_responses(con)
        con.close()
    tables = index_tables(responses, instrument, areas, method, replicates=100)
    data = ReportInput(
        tables=tables,
        metadata={
            "simulated": True,
            "instrument_version": instrument.version,
            "instrument_hash": instrument.content_hash,
            "methodology_version": method.version,
            "publish_min": method.publish_min,
            "indicative_min": method.indicative_min,
            "meaningful_change": method.meaningful_change,
        },
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
