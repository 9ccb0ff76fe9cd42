"""`plan_per_unit`: targets per area, side and unit of the registry, checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from samenspel.common.paths import DEFAULT_METHODOLOGY
from samenspel.instrument.model import UNIT_NOT_LISTED, Area, AreaRegistry, Unit
from samenspel.pipeline.index.plan import plan_areas, plan_per_unit
from samenspel.pipeline.methodology import load_methodology

METHOD = load_methodology(DEFAULT_METHODOLOGY)
Z = 1.959963984540054


def registry(professional, informal, area="a1") -> AreaRegistry:
    units = [
        Unit(f"p{i}", f"team {i}", area, "professional", m) for i, m in enumerate(professional)
    ]
    units += [Unit(f"i{i}", f"org {i}", area, "informal", m) for i, m in enumerate(informal)]
    return AreaRegistry(
        (Area(area, "Area one", "GM0001", "Ergens", "wijk", units=tuple(units)),), "test"
    )


def spreads(area="a1", level=50.0, sd=20.0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area": [area], "wave": ["2025"], "index_professional": [level],
            "index_informal": [level], "sd_professional": [sd], "sd_informal": [sd],
            "source": ["earlier waves"],
        }
    )  # fmt: skip


def test_without_unit_effects_the_need_is_the_independent_sample_size():
    assert METHOD.side_aggregation == "geometric" and METHOD.confidence == 0.95
    # Equal sides of 50 with SD 20: n var(I) = 20^2/4 + 20^2/4 = 200, so
    # n = 1.96^2 * 200 / 5^2 = 30.7 -> 31 a side, spread by members (40 : 20 : 20 -> 2:1:1).
    plan = plan_per_unit(registry([40, 20, 20], [60, 60]), spreads(), METHOD, 0.0, half_width=5)
    professional = plan[plan.side == "professional"].set_index("unit")
    assert list(professional.target) == [16, 8, 7] or list(professional.target) == [15, 8, 8]
    assert professional.side_target.iloc[0] == 31
    assert list(plan[plan.side == "informal"].target) in ([16, 15], [15, 16])
    assert professional.share_of_members.loc["p1"] == pytest.approx(
        professional.target.loc["p1"] / 20
    )
    assert plan.reachable.all()
    assert plan.half_width.iloc[0] == pytest.approx(Z * np.sqrt(200 / 31))
    assert plan.half_width.iloc[0] <= 5


def test_with_unit_effects_the_design_effect_of_the_targets_is_used():
    plan = plan_per_unit(registry([30, 30], [30, 30]), spreads(), METHOD, 0.05, half_width=6)
    side = plan[plan.side == "professional"]
    n = int(side.side_target.iloc[0])
    # 2 units of n/2: m = n/2, deff = 1 + (n/2 - 1) 0.05
    deff = 1 + (n / 2 - 1) * 0.05
    assert side.design_effect.iloc[0] == pytest.approx(deff)
    assert plan.half_width.iloc[0] == pytest.approx(Z * np.sqrt(200 * deff / n))
    assert plan.half_width.iloc[0] <= 6
    # one fewer a side would not do
    smaller = 1 + ((n - 1) / 2 - 1) * 0.05
    assert Z * np.sqrt(200 * smaller / (n - 1)) > 6 - 0.05


def test_an_area_out_of_reach_is_planned_with_every_member_and_says_what_it_reaches():
    # ICC 0.1 with two units of 10 a side: even infinitely many respondents per unit leave
    # var >= 0.1 * 200 * 0.5 = 10 > (5 / 1.96)^2 = 6.5, so +-5 is out of reach; with every
    # member (20 a side, m = 10): var = 2 * 100 * (1 + 9 * 0.1) / 20 = 19.
    plan = plan_per_unit(registry([10, 10], [10, 10]), spreads(), METHOD, 0.1, half_width=5)
    assert not plan.reachable.any()
    assert list(plan.target) == [10, 10, 10, 10]
    assert (plan.share_of_members == 1).all()
    assert plan.half_width.iloc[0] == pytest.approx(Z * np.sqrt(19))
    summary = plan_areas(plan)
    assert summary.loc[0, "target_professional"] == 20 and not summary.loc[0, "reachable"]


def test_respondents_per_side_give_their_half_width_and_more_than_the_members_is_flagged():
    plan = plan_per_unit(registry([40, 40], [40, 40]), spreads(), METHOD, 0.0, respondents=50)
    assert plan.side_target.iloc[0] == 50 and plan.reachable.all()
    assert plan.half_width.iloc[0] == pytest.approx(Z * np.sqrt(200 / 50))
    too_many = plan_per_unit(registry([20, 20], [40, 40]), spreads(), METHOD, 0.0, respondents=50)
    assert not too_many.reachable.any()
    sides = too_many.drop_duplicates("side").set_index("side").side_target
    assert sides["professional"] == 40 and sides["informal"] == 50
    assert too_many.half_width.iloc[0] == pytest.approx(Z * np.sqrt(100 / 40 + 100 / 50))


def test_sides_without_units_and_areas_without_data():
    areas = AreaRegistry(
        (
            Area("a1", "One", "GM0001", "Ergens", "wijk",
                 units=(Unit("p0", "team", "a1", "professional", 12),)),
            Area("a2", "Two", "GM0001", "Ergens", "wijk"),
        ),
        "test",
    )  # fmt: skip
    plan = plan_per_unit(areas, spreads("a1"), METHOD, 0.1, respondents=10)
    a1_informal = plan[(plan.area == "a1") & (plan.side == "informal")]
    assert list(a1_informal.unit) == [UNIT_NOT_LISTED] and a1_informal.target.iloc[0] == 10
    # individuals are units of one: no design effect, no members to compare with
    assert a1_informal.design_effect.iloc[0] == pytest.approx(1.0)
    assert a1_informal.members.isna().all()
    a2 = plan[plan.area == "a2"]
    assert len(a2) == 2 and a2.spread_source.str.contains("other areas").all()


def test_bad_requests_are_refused():
    with pytest.raises(ValueError, match="either"):
        plan_per_unit(registry([5], [5]), spreads(), METHOD, 0.1)
    with pytest.raises(ValueError, match="above 0"):
        plan_per_unit(registry([5], [5]), spreads(), METHOD, 0.1, half_width=0)
