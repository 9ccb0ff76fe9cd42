"""The report publishes the model-based area index where the direct one is indicative or
suppressed, marked as such, on the area page and the municipality overview."""

from __future__ import annotations

import pandas as pd
import pytest
from report_fixtures import analysed

from samenspel.cli import main
from samenspel.reports.notation import number


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("small")
    results = analysed(folder, 7, 29)  # 7 respondents a side: indicative or suppressed cells
    out = folder / "site"
    assert main(["report", "--results", str(results), "--out", str(out), "--pdf", "none"]) == 0
    return out, pd.read_csv(results / "index.csv", dtype={"wave": str, "area": str})


def test_model_based_figures_are_published_and_marked(site):
    out, index = site
    latest = index[index["wave"] == index["wave"].max()]
    model = latest[latest["estimate_type"] == "model-based"]
    assert len(model), "7 respondents a side should leave some area to the model"
    assert (latest.loc[latest["status"] == "published", "estimate_type"] == "direct").all()
    row = model.iloc[0]
    pages = list((out / "en").rglob(f"area-{row.area}.html"))
    assert len(pages) == 1
    html = pages[0].read_text()
    assert f"{number(row.index_model, 'en')} <abbr" in html
    assert f"{number(row.index_model_ci_low, 'en')}–{number(row.index_model_ci_high, 'en')}" in html
    assert "too few respondents for a direct figure" in html
    overview = pages[0].with_name("index.html").read_text()
    assert f"{number(row.index_model, 'en')} <abbr" in overview
    dutch = next((out / "nl").rglob(f"area-{row.area}.html")).read_text()
    assert f"{number(row.index_model, 'nl')} <abbr" in dutch and "Modelschatting" in dutch
