"""The data-quality page: counts from the tables, small cells suppressed, text escaped."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pandas as pd

from samenspel.reports.i18n import translator
from samenspel.reports.render import _environment, _quality, page_common, render_page

META = {"simulated": True, "indicative_min": 5, "instrument_version": "2026.1",
        "instrument_hash": "9e72889dcddf2bce"}  # fmt: skip


def tables():
    quality = pd.DataFrame(
        {
            "wave": ["2025", "2025"],
            "area": ["ams-oud-noord", "<b>x</b>"],
            "side": ["informal", "professional"],
            "n": [40, 3],
            **{f"n_{f}": [4, 1] for f in ("nonresponse", "longstring", "irv", "mahalanobis")},
            "n_speeder": [2, 0],
            "n_any": [6, 1],
            **{f"share_{f}": [0.1, 1 / 3] for f in ("nonresponse", "longstring", "irv")},
            "share_mahalanobis": [0.1, 1 / 3],
            "share_speeder": [0.05, 0.0],
            "share_any": [0.15, 1 / 3],
        }
    )
    rejects = pd.DataFrame(
        {"wave": ["2025"], "area": [""], "side": [""], "reason": ["no-consent"], "n": [7]}
    )
    files = pd.DataFrame(
        {"name": ["kobo.csv"], "wave": ["2025"], "sha256": ["ab" * 32], "rows_read": [50],
         "accepted": [43], "rejected": [7]}
    )  # fmt: skip
    return quality, rejects, files


def render_quality(quality, rejects, files, meta, language="en"):
    index = pd.DataFrame(
        {"area": ["ams-oud-noord"], "area_name": ["Oud-Noord"], "municipality": ["Amsterdam"]}
    )
    data = SimpleNamespace(
        tables={"quality_summary": quality, "rejects_summary": rejects, "files": files,
                "index": index},
        method=SimpleNamespace(indicative_min=meta["indicative_min"]),
    )  # fmt: skip
    template, context = _quality(data, translator(language))
    common = page_common(language, {**meta, "publish_min": 10, "methodology_version": "x"})
    return render_page(_environment(), template, "quality.html", common, page="quality", **context)


def test_page_shows_counts_and_suppresses_small_cells():
    html = render_quality(*tables(), META)
    assert "Simulated demo data" in html
    assert '<tr data-reason="no-consent"><td><code translate="no">no-consent</code></td>' in html
    assert "10.0%" in html and "15.0%" in html  # the cell of 40 responses
    assert "33.3%" not in html  # the cell of 3 responses is suppressed
    assert ">7</td>" in html


def test_page_escapes_text_from_the_data():
    html = render_quality(*tables(), META)
    assert "<b>x</b>" not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html


def test_page_in_dutch():
    html = render_quality(*tables(), META, language="nl")
    assert "Gesimuleerde demodata" in html and "Afgewezen rijen per reden" in html
    assert "Oud-Noord" in html  # area names from the index, not ids
    assert "10,0%" in html  # shares in Dutch notation
    assert "geen toestemming" in html and "weinig variatie in de antwoorden (SD &lt; 0,3)" in html


def test_every_reject_has_a_row_and_the_rows_add_up_to_the_files():
    """A reject without area or side (read back from CSV as empty) gets a row of its own;
    each wave's accepted and rejected rows add up to those of its files."""
    quality, _, files = tables()
    quality = pd.concat(
        [quality, quality.iloc[:1].assign(side="stakeholder", n=2, n_any=0)], ignore_index=True
    )
    rejects = pd.DataFrame(
        {"wave": ["2025"] * 3, "area": [None, "ams-oud-noord", "ams-oud-noord"],
         "side": [None, None, "informal"], "reason": ["malformed-row", "no-consent",
         "duplicate-submission"], "n": [1, 5, 1]}
    )  # fmt: skip
    files = files.assign(accepted=45, rejected=7, rows_read=52)
    html = render_quality(quality, rejects, files, META, language="nl")
    assert "wijk onbekend" in html and "rol onbekend" in html
    total = re.search(r'<tr data-total="2025">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r'<td class="num">(\d+)</td>', total) == ["45", "7"]
    assert "Beleid of management" in html and "telt niet mee in de index" in html
