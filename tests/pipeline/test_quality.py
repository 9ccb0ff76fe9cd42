# ruff: noqa: F811  (pytest fixtures imported from ingest_fixtures)
"""Data-quality flags: each flag fires on the pattern it is meant for and not on honest rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from ingest_fixtures import areas, instrument, key_file, kobo_csv, store, wave_frame  # noqa: F401

from samenspel.common.files import neutralise_formulas
from samenspel.pipeline.ingest.exports import ingest_file
from samenspel.pipeline.ingest.quality import (
    _mahalanobis,
    longstring_limit,
    quality_flags,
    quality_summary,
    rejects_summary,
)

SIDES = {1.0: "professional", 2.0: "informal", 3.0: "stakeholder"}


def responses(seed: int = 11, per_side: int = 20) -> pd.DataFrame:
    """Accepted responses as the store holds them, from a simulated wave."""
    frame = wave_frame(seed, per_side)
    frame = frame[(frame["consent"] == 1) & ~frame["_uuid"].duplicated()].reset_index(drop=True)
    frame = frame[frame["role"] == 2.0].reset_index(drop=True)  # informal actors
    out = frame[list(instrument().item_codes)].copy()
    out.insert(0, "file_id", 1)
    out.insert(1, "row_number", np.arange(2, len(out) + 2))
    out.insert(2, "wave", "2025")
    out["side"] = frame["role"].map(SIDES)
    out["started"] = pd.to_datetime(frame["start"], utc=True)
    out["ended"] = pd.to_datetime(frame["end"], utc=True)
    return out


def agreement_items() -> list[str]:
    inst = instrument()
    return [
        i.code
        for i in inst.items
        if inst.scale_of(i.code).kind == "agreement" and "informal" in i.roles
    ]


def test_straightliner_is_flagged_for_longstring_and_low_variability():
    data = responses()
    data.loc[0, agreement_items()] = 3.0
    flags = quality_flags(data, instrument())
    assert flags.loc[0, "longstring"] == len(agreement_items())
    assert flags.loc[0, "irv"] == 0.0
    assert flags.loc[0, ["flag_longstring", "flag_irv", "flag_any"]].all()
    assert longstring_limit(len(agreement_items())) == int(np.ceil(len(agreement_items()) / 2))


def test_longstring_counts_the_longest_run_in_form_order():
    data = responses()
    items = agreement_items()
    data.loc[1, items] = np.tile([1.0, 2.0], len(items))[: len(items)]
    data.loc[1, items[3:10]] = 4.0  # a run of 7 identical answers
    data.loc[1, items[5]] = np.nan  # a blank breaks the run: 2 before, 4 after
    assert quality_flags(data, instrument()).loc[1, "longstring"] == 4


def test_nonresponse_share_counts_blanks_among_the_items_asked():
    data = responses()
    flags = quality_flags(data, instrument())
    asked = flags.loc[2, "items_applicable"]
    substantive = [
        i.code
        for i in instrument().items
        if "informal" in i.roles
        and i.code not in ("consent", "role", "area", "unit", "mode", "language")
    ]
    assert asked == len(substantive)
    data.loc[2, substantive] = np.nan
    data.loc[2, substantive[:10]] = 3.0
    flags = quality_flags(data, instrument())
    assert flags.loc[2, "items_blank"] == asked - 10
    assert flags.loc[2, "nonresponse_share"] == pytest.approx((asked - 10) / asked)
    assert flags.loc[2, "flag_nonresponse"]


def test_speeders_by_seconds_per_item_and_by_half_the_median():
    data = responses()
    median = (data["ended"] - data["started"]).dt.total_seconds().median()
    data.loc[3, "ended"] = data.loc[3, "started"] + pd.Timedelta(seconds=60)
    data.loc[4, "ended"] = data.loc[4, "started"] + pd.Timedelta(seconds=0.4 * median)
    flags = quality_flags(data, instrument())
    assert flags.loc[3, "seconds_per_item"] < 2 and flags.loc[3, "flag_speeder"]
    assert flags.loc[4, "seconds_per_item"] > 2 and flags.loc[4, "flag_speeder"]
    honest = flags.drop(index=[3, 4])
    expected_fast = (honest["duration_s"] < 0.5 * flags["duration_s"].median()) | (
        honest["seconds_per_item"] < 2
    )
    assert (honest["flag_speeder"] == expected_fast).all()


def test_mahalanobis_distances_average_to_k_times_n_minus_1_over_n():
    # For complete data the squared distances with the sample covariance sum to (n - 1) k.
    rng = np.random.default_rng(3)
    values = rng.normal(size=(400, 6)) @ rng.normal(size=(6, 6))
    distances = _mahalanobis(values)
    assert distances.mean() == pytest.approx(6 * 399 / 400)
    centred = values - values.mean(axis=0)
    inverse = np.linalg.inv(np.cov(values, rowvar=False))
    assert distances[0] == pytest.approx(centred[0] @ inverse @ centred[0])


def test_a_pattern_against_the_scales_is_a_multivariate_outlier():
    data = responses(per_side=40)
    items = agreement_items()
    data.loc[5, items] = np.where(np.arange(len(items)) % 2 == 0, 1.0, 5.0)
    flags = quality_flags(data, instrument())
    assert flags.loc[5, "flag_mahalanobis"]
    assert flags["flag_mahalanobis"].mean() < 0.05


def test_flags_are_stored_per_response_and_summarised(store, tmp_path):
    path = tmp_path / "kobo.csv"
    path.write_bytes(kobo_csv(wave_frame()))
    report = ingest_file(store, path, "2025", instrument(), areas())
    flags = store.execute("SELECT * FROM quality_flags").df()
    assert len(flags) == report.accepted
    summary = quality_summary(flags, indicative_min=1, publish_min=1)
    assert summary["n"].sum() == report.accepted
    assert (summary["n_any"] <= summary["n"]).all()
    rejects = store.execute("SELECT * FROM rejects").df()
    by_reason = rejects_summary(rejects)
    assert by_reason.groupby("reason")["n"].sum().to_dict() == report.rejected


def test_spreadsheet_formulas_are_neutralised():
    table = pd.DataFrame({"detail": ["=HYPERLINK(1)", "+31", "gewoon", None], "n": [1, 2, 3, 4]})
    safe = neutralise_formulas(table)
    assert safe["detail"].tolist()[:3] == ["'=HYPERLINK(1)", "'+31", "gewoon"]
    assert safe["n"].tolist() == [1, 2, 3, 4]
