"""Group comparisons per construct and wave (DESIGN.md section 8), with pingouin.

Outcomes are the seven index components per respondent (0-100, 100 = hybrid), so every
comparison is on the metric the index uses. Tests:

- professionals vs informal actors: Welch t (Hedges g with its CI) and Mann-Whitney U as
  a robust check;
- across areas, per side: Welch ANOVA, and Games-Howell pairs when there are at most
  ``comparisons.pairwise_max_areas`` areas;
- side x area: the interaction of a two-way ANOVA (does the us-them gap differ by area);
- latent means: compared only where scalar invariance between the sides holds; otherwise a
  row says so.

p-values are corrected within each family (one test kind over all constructs, waves and
sides) with the methodology's ``comparisons.correction``, named in every row. Small cells:
area x side cells under the indicative minimum are left out of the area tests (and said so).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pingouin as pg
from samenspel.pipeline.index import SIDES, publication_status, worst_status
from samenspel.pipeline.methodology import COMPONENTS, Methodology

COMPARISON_COLUMNS = {
    "wave": "survey wave",
    "construct": "index component compared (0-100, 100 = hybrid)",
    "test": "welch_t, mann_whitney, welch_anova, games_howell, side_by_area or latent_means",
    "side": "side the area test is within ('' for tests between the sides)",
    "group_a": "first group (a side or an area)",
    "group_b": "second group ('' for tests over all areas)",
    "estimate": "mean of group_a minus mean of group_b (t and Games-Howell)",
    "statistic": "t, U or F",
    "df": "degrees of freedom (Welch: fractional; ANOVA: the effect's)",
    "p": "p-value before correction (Games-Howell: already adjusted within its pairs)",
    "p_adjusted": "p after the correction across the test's family",
    "correction": "the correction applied (holm, fdr_bh or games_howell)",
    "effect_size_name": "hedges_g, rank_biserial or partial_eta_squared",
    "effect_size": "the effect size",
    "ci_low": "lower bound of the 95% CI of the effect size (Hedges g only)",
    "ci_high": "upper bound of the 95% CI of the effect size (Hedges g only)",
    "n_a": "respondents in group_a",
    "n_b": "respondents in group_b (or in all areas)",
    "status": "published, indicative or suppressed (small-cell rule on the smallest group)",
    "note": "what was left out and why",
}
TEST_KINDS = (
    "welch_t",
    "mann_whitney",
    "welch_anova",
    "games_howell",
    "side_by_area",
    "latent_means",
)


def _row(**values) -> dict:
    row = dict.fromkeys(COMPARISON_COLUMNS, np.nan)
    row.update({"side": "", "group_b": "", "note": "", "correction": ""})
    row.update(values)
    return row


def _between_sides(data: pd.DataFrame, wave: str, construct: str, method) -> list[dict]:
    x = data.loc[data.side == SIDES[0], construct].dropna().to_numpy()
    y = data.loc[data.side == SIDES[1], construct].dropna().to_numpy()
    status = publication_status(min(len(x), len(y)), method)
    common = {"wave": wave, "construct": construct, "group_a": SIDES[0], "group_b": SIDES[1]}
    common |= {"n_a": len(x), "n_b": len(y), "status": status}
    if status == "suppressed" or min(len(x), len(y)) < 2:
        return [_row(test=t, **common, note="too few respondents") for t in TEST_KINDS[:2]]
    t = pg.ttest(x, y, correction=True).iloc[0]
    g = pg.compute_effsize(x, y, eftype="hedges")
    ci = pg.compute_esci(g, len(x), len(y), eftype="cohen", confidence=0.95, decimals=10)
    u = pg.mwu(x, y).iloc[0]
    return [
        _row(
            test="welch_t",
            **common,
            estimate=x.mean() - y.mean(),
            statistic=t["T"],
            df=t["dof"],
            p=t["p_val"],
            effect_size_name="hedges_g",
            effect_size=g,
            ci_low=ci[0],
            ci_high=ci[1],
        ),
        _row(
            test="mann_whitney",
            **common,
            statistic=u["U_val"],
            p=u["p_val"],
            effect_size_name="rank_biserial",
            effect_size=u["RBC"],
        ),
    ]


def _across_areas(data: pd.DataFrame, wave: str, construct: str, side: str, method) -> list[dict]:
    cells = data[data.side == side][["area", construct]].dropna()
    sizes = cells.groupby("area").size()
    kept = sizes[sizes >= method.indicative_min]
    note = f"{len(sizes) - len(kept)} area(s) under {method.indicative_min} left out"
    cells = cells[cells.area.isin(kept.index)]
    common = {"wave": wave, "construct": construct, "side": side}
    if len(kept) < 2:
        return [_row(test="welch_anova", **common, status="suppressed", note="fewer than 2 areas")]
    status = worst_status([publication_status(int(k), method) for k in kept])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        anova = pg.welch_anova(data=cells, dv=construct, between="area").iloc[0]
    rows = [
        _row(
            test="welch_anova",
            **common,
            group_a="all areas",
            statistic=anova["F"],
            df=anova["ddof1"],
            p=anova["p_unc"],
            effect_size_name="partial_eta_squared",
            effect_size=anova["np2"],
            n_a=len(kept),
            n_b=len(cells),
            status=status,
            note=note,
        )
    ]
    if len(kept) > method.pairwise_max_areas:
        rows[0]["note"] += f"; no pairs: more than {method.pairwise_max_areas} areas"
        return rows
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pairs = pg.pairwise_gameshowell(data=cells, dv=construct, between="area")
    for pair in pairs.itertuples(index=False):
        rows.append(
            _row(
                test="games_howell",
                **common,
                group_a=pair.A,
                group_b=pair.B,
                estimate=pair.diff,
                statistic=pair.T,
                df=pair.df,
                p=pair.pval,
                p_adjusted=pair.pval,
                correction="games_howell",
                effect_size_name="hedges_g",
                effect_size=pair.hedges,
                n_a=int(kept[pair.A]),
                n_b=int(kept[pair.B]),
                status=worst_status(
                    [publication_status(int(kept[a]), method) for a in (pair.A, pair.B)]
                ),
            )
        )
    return rows


def _side_by_area(data: pd.DataFrame, wave: str, construct: str, method) -> dict:
    cells = data[["area", "side", construct]].dropna()
    sizes = cells.groupby(["area", "side"]).size().unstack(fill_value=0)
    sizes = sizes.reindex(columns=list(SIDES), fill_value=0)
    kept = sizes[(sizes >= method.indicative_min).all(axis=1)]
    cells = cells[cells.area.isin(kept.index)]
    common = {"wave": wave, "construct": construct, "test": "side_by_area"}
    note = f"{len(sizes) - len(kept)} area(s) with a side under {method.indicative_min} left out"
    if len(kept) < 2:
        return _row(**common, status="suppressed", note="fewer than 2 areas with both sides")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = pg.anova(data=cells, dv=construct, between=["side", "area"])
    effect = table[table.Source.isin(["side * area", "area * side"])].iloc[0]
    status = worst_status([publication_status(int(k), method) for k in kept.to_numpy().ravel()])
    return _row(
        **common,
        group_a="side x area",
        statistic=effect["F"],
        df=effect["DF"],
        p=effect["p_unc"],
        effect_size_name="partial_eta_squared",
        effect_size=effect["np2"],
        n_a=len(kept),
        n_b=len(cells),
        status=status,
        note=note + "; type II sums of squares",
    )


def compare_groups(
    components: pd.DataFrame,
    area: pd.Series,
    wave: pd.Series,
    side: pd.Series,
    method: Methodology,
    scalar_invariance_between_sides: bool | None = None,
) -> pd.DataFrame:
    """All group comparisons as one tidy table with :data:`COMPARISON_COLUMNS`.

    ``components`` holds the seven components per respondent, labelled by ``area``,
    ``wave`` and ``side``. ``scalar_invariance_between_sides`` is the psychometrics'
    verdict (None: not tested); latent means are never compared here without it.
    """
    data = components[list(COMPONENTS)].copy()
    data["area"], data["wave"], data["side"] = area.astype(str), wave.astype(str), side
    data = data[data.side.isin(SIDES)]
    rows: list[dict] = []
    for wave_name in sorted(data.wave.unique()):
        in_wave = data[data.wave == wave_name]
        for construct in COMPONENTS:
            rows += _between_sides(in_wave, wave_name, construct, method)
            for side_name in SIDES:
                rows += _across_areas(in_wave, wave_name, construct, side_name, method)
            rows.append(_side_by_area(in_wave, wave_name, construct, method))
        if scalar_invariance_between_sides:
            note = (
                "scalar invariance between the sides holds: latent means are compared in "
                "psychometrics_latent_means"
            )
        elif scalar_invariance_between_sides is None:
            note = "not compared: scalar invariance between the sides has not been tested"
        else:
            note = "not compared: scalar invariance between the sides does not hold"
        rows.append(
            _row(wave=wave_name, construct="all", test="latent_means", status="", note=note)
        )
    table = pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS))
    for kind in ("welch_t", "mann_whitney", "welch_anova", "side_by_area"):
        family = (table.test == kind) & table.p.notna()
        if family.any():
            _, adjusted = pg.multicomp(table.loc[family, "p"].to_numpy(), method=method.correction)
            table.loc[family, "p_adjusted"] = adjusted
            table.loc[family, "correction"] = method.correction
    suppressed = table.status == "suppressed"
    numbers = ["estimate", "statistic", "df", "p", "p_adjusted", "effect_size", "ci_low", "ci_high"]
    table.loc[suppressed, numbers] = np.nan
    return table
