"""Index components, goalposts and aggregation, checked against hand-computed values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from samenspel.common.paths import DEFAULT_INSTRUMENT
from samenspel.instrument import load_instrument
from samenspel.pipeline.index.estimate import (
    count_goalpost,
    hybridisation_index,
    indices_from_means,
    publication_status,
    rescale,
    respondent_components,
)
from samenspel.pipeline.methodology import COMPONENTS, load_methodology
from samenspel.pipeline.score import clean_answers, mean_with_rule, score_scales

METHOD = load_methodology()
INSTRUMENT = load_instrument(DEFAULT_INSTRUMENT)


def test_agreement_goalposts():
    scores = pd.Series([1.0, 3.0, 5.0, 4.0])
    assert rescale(scores, 1, 5).tolist() == [0.0, 50.0, 100.0, 75.0]


def test_count_goalposts_log_scale_with_cap():
    counts = pd.Series([0.0, 3.0, 24.0, 48.0, np.nan])
    mapped = count_goalpost(counts, cap=24)
    assert mapped[0] == 0.0
    assert mapped[1] == pytest.approx(100 * np.log(4) / np.log(25))  # 43.07
    assert mapped[1] == pytest.approx(43.068, abs=1e-3)
    assert mapped[2] == pytest.approx(100.0)
    assert mapped[3] == pytest.approx(100.0)  # capped
    assert np.isnan(mapped[4])


def test_half_rule():
    values = pd.DataFrame(
        {
            "a": [1.0, 1.0, np.nan],
            "b": [3.0, np.nan, np.nan],
            "c": [5.0, np.nan, 2.0],
            "d": [np.nan, np.nan, np.nan],
        }
    )
    # 4 items: at least 2 answered. Row 1 has 1 answered, row 2 has 1.
    result = mean_with_rule(values, 0.5)
    assert result[0] == pytest.approx(3.0)
    assert np.isnan(result[1]) and np.isnan(result[2])


def one_respondent(**answers) -> pd.DataFrame:
    row = {code: np.nan for code in INSTRUMENT.item_codes if code != "area"}
    row.update(answers)
    return pd.DataFrame([row])


def test_components_of_one_respondent_by_hand():
    answers = {}
    # Trust: all 4 -> 75. OGD: items 1-3 at 2, reverse items 4-5 at 4 (-> 2): score 2,
    # reversed component 100 - 25 = 75.
    answers.update({f"tru{i}": 4.0 for i in range(1, 11)})
    answers.update({"ogd1": 2.0, "ogd2": 2.0, "ogd3": 2.0, "ogd4": 4.0, "ogd5": 4.0})
    # UNF: half rule - only 3 of 6 answered (unf1 3, unf2 3, unf5 = 5 -> reverse 1): 7/3.
    answers.update({"unf1": 3.0, "unf2": 3.0, "unf5": 5.0})
    # DIS: 'weet niet' (8) counts as missing; the rest 1 -> component 100.
    answers.update({f"dis{i}": 1.0 for i in range(1, 10)})
    answers["dis10"] = 8.0
    # IND: all 3, reverse items 3 too -> 50.
    answers.update({f"ind{i}": 3.0 for i in range(1, 6)})
    # IGF: own 8 on all, other 6.5 on average -> gap 1.5 -> 100 * (1 - 1.5/3) = 50.
    answers.update({f"igf{i}_own": 8.0 for i in range(1, 7)})
    answers.update({f"igf{i}_other": 6.0 if i % 2 else 7.0 for i in range(1, 7)})
    # COL: counts at their caps except contacts 3 (43.07); quality 5, 5, reverse 1 -> 100.
    caps = METHOD.components["COL"]["caps"]
    answers.update({code: float(cap) for code, cap in caps.items()})
    answers["col_contacts"] = 3.0
    answers.update({"cq1": 5.0, "cq2": 5.0, "cq3": 1.0})
    frame = clean_answers(one_respondent(**answers), INSTRUMENT)
    scores = score_scales(frame, INSTRUMENT, METHOD.min_share_answered)
    components = respondent_components(frame, scores, INSTRUMENT, METHOD).iloc[0]
    assert components["TRU"] == pytest.approx(75.0)
    assert components["OGD"] == pytest.approx(75.0)
    assert components["UNF"] == pytest.approx(100 - 100 * (7 / 3 - 1) / 4)
    assert components["DIS"] == pytest.approx(100.0)
    assert components["IND"] == pytest.approx(50.0)
    assert components["IGF"] == pytest.approx(50.0)
    count_part = (6 * 100 + 100 * np.log(4) / np.log(25)) / 7
    assert components["COL"] == pytest.approx((count_part + 100) / 2)


def test_a_gap_of_three_grade_points_or_more_is_clearly_us_them():
    # own 8 "goed", other 5 "onvoldoende": the goalpost; own 9, other 2: beyond it.
    for own, other in ((8.0, 5.0), (9.0, 2.0)):
        answers = {f"igf{i}_own": own for i in range(1, 7)}
        answers.update({f"igf{i}_other": other for i in range(1, 7)})
        frame = clean_answers(one_respondent(**answers), INSTRUMENT)
        scores = score_scales(frame, INSTRUMENT, METHOD.min_share_answered)
        assert respondent_components(frame, scores, INSTRUMENT, METHOD)["IGF"].iloc[0] == 0.0


def test_favouring_the_other_side_is_not_us_them_thinking():
    answers = {f"igf{i}_own": 5.0 for i in range(1, 7)}
    answers.update({f"igf{i}_other": 9.0 for i in range(1, 7)})
    frame = clean_answers(one_respondent(**answers), INSTRUMENT)
    scores = score_scales(frame, INSTRUMENT, METHOD.min_share_answered)
    components = respondent_components(frame, scores, INSTRUMENT, METHOD)
    assert components["IGF"].iloc[0] == 100.0
    assert np.isnan(components["TRU"].iloc[0])  # nothing answered


def test_pillars_sides_and_geometric_mean_by_hand():
    means = np.zeros((1, 2, len(COMPONENTS)))
    # professional: IGF 90, OGD 60, TRU 30 | UNF 50, DIS 50, IND 20 | COL 10
    means[0, 0] = [90, 60, 30, 50, 50, 20, 10]
    means[0, 1] = [40] * 7
    result = indices_from_means(means, METHOD)
    assert result["pillars"][0, 0].tolist() == pytest.approx([60, 40, 10])
    assert result["side"][0].tolist() == pytest.approx([110 / 3, 40])
    assert result["index"][0] == pytest.approx(np.sqrt(110 / 3 * 40))
    assert result["gap"][0] == pytest.approx(110 / 3 - 40)


def test_geometric_mean_pulls_down_more_than_arithmetic():
    means = np.zeros((1, 2, len(COMPONENTS)))
    means[0, 0], means[0, 1] = 80.0, 20.0
    geometric = indices_from_means(means, METHOD)["index"][0]
    assert geometric == pytest.approx(40.0)
    assert geometric < 50.0


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (0, "co-existence"),
        (39.99, "co-existence"),
        (40, "rapprochement"),
        (59.9, "rapprochement"),
        (60, "hybridisation"),
        (100, "hybridisation"),
    ],
)
def test_bands(value, band):
    assert METHOD.band_of(value) == band


def test_small_cell_rule():
    assert [publication_status(n, METHOD) for n in (0, 4, 5, 9, 10, 40)] == [
        "suppressed",
        "suppressed",
        "indicative",
        "indicative",
        "published",
        "published",
    ]


def component_frame(rows: list[tuple[str, str, float, int]]) -> pd.DataFrame:
    """(area, side, value for every component, count) -> respondent rows."""
    records = []
    for area, side, value, count in rows:
        for _ in range(count):
            records.append(
                {"area": area, "wave": "w1", "side": side, **{c: value for c in COMPONENTS}}
            )
    return pd.DataFrame(records)


def test_index_table_point_estimates_statuses_and_suppression():
    frame = component_frame(
        [
            ("a", "professional", 80.0, 12),
            ("a", "informal", 20.0, 12),
            ("b", "professional", 50.0, 7),
            ("b", "informal", 50.0, 20),
            ("c", "professional", 50.0, 4),
            ("c", "informal", 50.0, 20),
        ]
    )
    result = hybridisation_index(
        frame[list(COMPONENTS)], frame.area, frame.wave, frame.side, METHOD, replicates=200
    )
    table, sides = result.table.set_index("area"), result.sides
    assert table.loc["a", "index"] == pytest.approx(40.0)
    assert table.loc["a", "gap"] == pytest.approx(60.0)
    # No spread inside a stratum: every bootstrap replicate is the point estimate.
    assert table.loc["a", "ci_low"] == pytest.approx(40.0)
    assert table.loc["a", "ci_high"] == pytest.approx(40.0)
    assert table.loc["a", "band"] == "rapprochement"
    assert table.loc["a", "status"] == "published"
    assert table.loc["b", "status"] == "indicative"
    assert table.loc["b", "index"] == pytest.approx(50.0)
    assert table.loc["c", "status"] == "suppressed"
    assert np.isnan(table.loc["c", "index"]) and table.loc["c", "band"] == ""
    assert table.loc["c", "n_professional"] == 4  # n is still shown
    # Per side: the small side is suppressed, the other side of the same area is not.
    area_c = sides[sides.area == "c"]
    assert area_c[area_c.side == "professional"]["value"].isna().all()
    assert area_c[area_c.side == "informal"]["value"].notna().all()


def test_bootstrap_interval_reflects_spread():
    rng = np.random.default_rng(1)
    records = []
    for side in ("professional", "informal"):
        for value in rng.uniform(20, 80, 40):
            records.append(
                {"area": "a", "wave": "w1", "side": side, **{c: value for c in COMPONENTS}}
            )
    frame = pd.DataFrame(records)
    table = hybridisation_index(
        frame[list(COMPONENTS)], frame.area, frame.wave, frame.side, METHOD, replicates=2000, seed=3
    ).table
    row = table.iloc[0]
    assert row.ci_low < row["index"] < row.ci_high
    # Half-width near 1.96 * SD / sqrt(n) of a side mean, shrunk by the geometric mean.
    sd = frame.groupby("side")["TRU"].std().mean()
    expected_half_width = 1.96 * sd / np.sqrt(40) / np.sqrt(2)
    assert (row.ci_high - row.ci_low) / 2 == pytest.approx(expected_half_width, rel=0.25)


def test_area_with_only_one_side_gets_no_index():
    frame = component_frame([("a", "professional", 60.0, 12)])
    table = hybridisation_index(
        frame[list(COMPONENTS)], frame.area, frame.wave, frame.side, METHOD, replicates=100
    ).table
    assert table.loc[0, "n_informal"] == 0
    assert table.loc[0, "status"] == "suppressed"
    assert np.isnan(table.loc[0, "index"])


def test_vectorised_bootstrap_has_the_bootstrap_variance_and_skips_missing_values():
    from samenspel.pipeline.index.estimate import bootstrap_stratum_means, percentile_interval

    rng = np.random.default_rng(5)
    first = rng.normal(50, 10, 40)
    second = np.full(12, 30.0)
    second[[0, 5]] = np.nan  # missing values are left out, as in the point estimate
    values = np.concatenate([first, second])[:, None]
    means = bootstrap_stratum_means(values, np.array([0, 40, 52]), np.array([40, 12, 0]), 4000, rng)
    assert means.shape == (4000, 3, 1) and means.dtype == np.float32
    # E(bootstrap mean) = sample mean; Var = sum((x - mean)^2) / n^2
    assert means[:, 0, 0].mean() == pytest.approx(first.mean(), abs=0.05)
    expected_sd = np.sqrt(((first - first.mean()) ** 2).sum()) / 40
    assert means[:, 0, 0].std() == pytest.approx(expected_sd, rel=0.05)
    assert np.nanmax(np.abs(means[:, 1, 0] - 30.0)) < 1e-5  # never pulled towards NaN or 0
    assert np.isnan(means[:, 2, 0]).all()  # an empty stratum stays empty
    low, high = percentile_interval(means[:, :2, 0], 0.95)
    expected = np.nanquantile(means[:, :2, 0].astype(float), [0.025, 0.975], axis=0)
    assert low == pytest.approx(expected[0], abs=1e-4) and high == pytest.approx(
        expected[1], abs=1e-4
    )
