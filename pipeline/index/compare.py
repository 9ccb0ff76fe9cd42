"""Group comparisons per construct and wave (docs/methodology.md, section 9), at any number of
areas.

Outcomes are the seven index components per respondent (0-100, 100 = hybrid), so every
comparison is on the metric the index uses. Tests:

- professionals vs informal actors: Welch t (Hedges g with its noncentral-t CI, as R's
  ``effectsize::hedges_g``) and Mann-Whitney U as a robust check (pingouin);
- across areas, per side: Welch's ANOVA (all areas at once), and as its post-hoc the
  Games-Howell test of every pair of areas, only within a municipality and only when it has
  at most ``comparisons.games_howell_max_areas`` (30) areas with enough respondents and
  spread on the side (pairs grow with the square of the areas; a larger municipality gets
  one "not computed" row per side, construct and wave);
- each area against the rest of its municipality and against all other areas, per side:
  Welch t with Hedges g, Benjamini-Hochberg FDR across the areas of each family (all pairs
  of areas would grow with the square of their number and say little at a national scale);
- the us-them gap across areas: does the difference between the sides differ by area?
  Cochran's Q of the areas' gaps (each weighted by the inverse of its variance), with I²;
- latent means: compared only where scalar invariance between the sides holds; otherwise a
  row says so.

The area tests are computed from per-area sums, so their cost grows with the number of
areas, not its square. Every test that cannot be computed for a cell (a group of one, no
spread, the only area of a municipality, a side no one answered) gets a row with no figures
and a note that starts with "not computed:" and says why; the other cells go on.

p-values of the tests between the sides, the ANOVAs and the gap tests are corrected within
each family (one test kind over all constructs, waves and sides) with the methodology's
``comparisons.correction``; the area-against-reference tests with Benjamini-Hochberg across
the areas of one wave, construct, side and reference. The correction is named in every row.
Small cells: areas (or sides) under the indicative minimum are left out of the area tests,
and said so.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from samenspel.pipeline.index.estimate import SIDES, publication_status, worst_status
from samenspel.pipeline.index.studentized_range import (
    studentized_range_ppf,
    studentized_range_sf,
)
from samenspel.pipeline.methodology import COMPONENTS, Methodology

COMPARISON_COLUMNS = {
    "wave": "survey wave",
    "construct": "index component compared (0-100, 100 = hybrid)",
    "test": "welch_t, mann_whitney, welch_anova, games_howell, area_vs_municipality, "
    "area_vs_all, gap_heterogeneity or latent_means",
    "side": "side the area test is within ('' for tests between the sides)",
    "group_a": "first group (a side or an area id)",
    "group_b": "second group ('' for tests over all areas)",
    "estimate": "design-weighted mean of group_a minus that of group_b (t tests, "
    "games_howell); inverse-variance weighted mean gap (Q)",
    "statistic": "t, U, F or Q (games_howell: Welch t of the pair)",
    "df": "degrees of freedom (Welch, games_howell: fractional; ANOVA: between groups; "
    "Q: areas - 1)",
    "p": "p-value before correction (games_howell: from the studentized range over the "
    "municipality's areas, already family-wise)",
    "p_adjusted": "p after the correction across the test's family (games_howell: = p)",
    "correction": "the correction applied (holm, fdr_bh, or studentized_range for games_howell)",
    "effect_size_name": "hedges_g, rank_biserial, partial_eta_squared or i_squared",
    "effect_size": "the effect size",
    "ci_low": "lower bound of the 95% CI of the effect size (Hedges g between the sides: "
    "noncentral t); games_howell: of the mean difference (studentized range)",
    "ci_high": "upper bound of the 95% CI of the effect size (Hedges g between the sides: "
    "noncentral t); games_howell: of the mean difference (studentized range)",
    "n_a": "respondents in group_a (areas for the ANOVA and Q)",
    "n_b": "respondents in group_b (or in all areas)",
    "status": "published, indicative or suppressed (small-cell rule on the smallest group)",
    "note": "what was left out and why; 'not computed: ...' when the test is undefined",
}
TEST_KINDS = (
    "welch_t",
    "mann_whitney",
    "welch_anova",
    "games_howell",
    "area_vs_municipality",
    "area_vs_all",
    "gap_heterogeneity",
    "latent_means",
)
# Families corrected with the methodology's correction; the area screens use FDR.
CORRECTED_FAMILIES = ("welch_t", "mann_whitney", "welch_anova", "gap_heterogeneity")
AREA_SCREENS = ("area_vs_municipality", "area_vs_all")


def _row(**values) -> dict:
    row = dict.fromkeys(COMPARISON_COLUMNS, np.nan)
    row.update({"side": "", "group_b": "", "note": "", "correction": ""})
    row.update(values)
    return row


def hedges_j(df):
    """Hedges' small-sample correction J for ``df`` degrees of freedom, the exact gamma-function
    form ``effectsize`` applies (``.J``): ``Gamma(df/2) / (sqrt(df/2) Gamma((df-1)/2))``.
    Works on arrays; the familiar ``1 - 3 / (4 df - 1)`` is its first-order approximation."""
    df = np.asarray(df, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        log_j = special.gammaln(df / 2) - np.log(np.sqrt(df / 2)) - special.gammaln((df - 1) / 2)
    return np.exp(log_j)


def _noncentrality_bound(t: float, df: float, probability: float) -> float:
    """The noncentrality parameter at which ``P(T <= t) = probability`` for T noncentral t with
    ``df`` degrees of freedom. The CDF falls as the noncentrality rises, so a bracket is
    widened from ``t`` until it changes sign and a root finder does the rest."""

    def excess(ncp: float) -> float:
        return float(stats.nct.cdf(t, df, ncp)) - probability

    step = max(1.0, abs(t) / 4)
    low, high = t - step, t + step
    while excess(low) < 0:
        low -= step
        step *= 2
    while excess(high) > 0:
        high += step
        step *= 2
    return float(optimize.brentq(excess, low, high, xtol=1e-12, rtol=1e-12))


def hedges_g_interval(
    d: float, n_a: int, n_b: int, confidence: float = 0.95
) -> tuple[float, float]:
    """Noncentral-t confidence interval of Hedges g between two independent groups.

    Parameters
    ----------
    d : Cohen's d with the pooled SD, before the small-sample correction.
    n_a, n_b : group sizes (at least 2 together with the other group, df = n_a + n_b - 2).
    confidence : two-sided level.

    Returns
    -------
    (low, high) of Hedges g: the observed ``t = d / sqrt(1/n_a + 1/n_b)`` is inverted in the
    noncentral t distribution with ``df = n_a + n_b - 2`` (the noncentralities at which t is
    the upper and lower ``(1 - confidence) / 2`` quantile), each noncentrality is turned back
    into d and multiplied by :func:`hedges_j` ``(df)``: as R's ``effectsize::hedges_g`` with
    ``pooled_sd = TRUE`` (checked in tests/r/comparisons.R). The large-sample interval
    ``g ± z se(d)`` is too wide and not centred right for groups of a few respondents. NaN
    when d or df is not finite or df < 2.
    """
    df = n_a + n_b - 2
    scale = math.sqrt(1 / n_a + 1 / n_b)
    if not (np.isfinite(d) and df >= 2):
        return math.nan, math.nan
    t = d / scale
    tail = (1 - confidence) / 2
    # a larger noncentrality makes the observed t less likely to be exceeded: the lower
    # bound is where t is the upper quantile
    low = _noncentrality_bound(t, df, 1 - tail)
    high = _noncentrality_bound(t, df, tail)
    j = float(hedges_j(df))
    return low * scale * j, high * scale * j


def _between_sides(data: pd.DataFrame, wave: str, construct: str, method) -> list[dict]:
    """Welch t with Hedges g (weighted means and spreads, see :func:`moments_of_sums`) and
    the Mann-Whitney U test (unweighted: a rank test of the respondents) between the sides."""
    x = data.loc[data.side == SIDES[0], construct].dropna().to_numpy()
    y = data.loc[data.side == SIDES[1], construct].dropna().to_numpy()
    status = publication_status(min(len(x), len(y)), method)
    common = {"wave": wave, "construct": construct, "group_a": SIDES[0], "group_b": SIDES[1]}
    common |= {"n_a": len(x), "n_b": len(y), "status": status}
    why = ""
    if status == "suppressed" or min(len(x), len(y)) < 2:
        why = "not computed: too few respondents on a side"
    elif np.ptp(x) == 0 and np.ptp(y) == 0:
        why = "not computed: every respondent of both sides has the same value"
    if why:
        return [_row(test=t, **common, note=why) for t in TEST_KINDS[:2]]
    weight = data["weight"] if "weight" in data else pd.Series(1.0, index=data.index)
    sums = _sums(data[[construct]], weight, data["side"])
    a, b = ({k: float(v.loc[side, construct]) for k, v in sums.items()} for side in SIDES)
    a |= moments_of_sums(a)
    b |= moments_of_sums(b)
    t, df, p, g = (float(v) for v in _welch_t(a, b))
    d = g / float(hedges_j(len(x) + len(y) - 2))
    ci = hedges_g_interval(d, len(x), len(y))
    # scipy's U test as pingouin's mwu runs it, with the rank-biserial correlation from U:
    # pingouin's own also computes a common-language effect size over all n_x * n_y pairs,
    # which takes a minute per test for two national sides.
    u, u_p = stats.mannwhitneyu(x, y, alternative="two-sided")
    return [
        _row(
            test="welch_t",
            **common,
            estimate=float(a["mean"] - b["mean"]),
            statistic=t,
            df=df,
            p=p,
            effect_size_name="hedges_g",
            effect_size=g,
            ci_low=ci[0],
            ci_high=ci[1],
        ),
        _row(
            test="mann_whitney",
            **common,
            statistic=u,
            p=u_p,
            effect_size_name="rank_biserial",
            effect_size=2 * u / (len(x) * len(y)) - 1,
        ),
    ]


# Per group, the sums its weighted moments are made of (w the design weights, y the values):
# n, sum w, sum w y, sum w y^2, sum w^2, sum w^2 y, sum w^2 y^2. Groups pool by adding them.
SUMS = ("n", "w", "wy", "wyy", "ww", "wwy", "wwyy")


def moments_of_sums(sums) -> dict[str, np.ndarray]:
    """``mean``, ``var`` and ``spread`` of groups from their :data:`SUMS` (a mapping or frame).

    ``mean`` is the weighted mean. ``var`` is n times the linearised variance of that mean,
    ``n/(n-1) * sum w^2 (y - mean)^2 / (sum w)^2`` (R ``survey``: ``svymean`` with the
    group as a stratum), so every test that takes ``var / n`` as the squared standard
    error of a mean holds for weighted means too. ``spread`` is the weighted variance of
    the values, ``n/(n-1) * sum w (y - mean)^2 / sum w``, for standardised effect sizes.
    With equal weights both are the sample variance (ddof 1). Groups of one get NaN.
    """
    n, w, wy, wyy, ww, wwy, wwyy = (np.asarray(sums[k], dtype=float) for k in SUMS)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = wy / w
        var = n**2 / (n - 1) * (wwyy - 2 * mean * wwy + mean**2 * ww) / w**2
        spread = n / (n - 1) * (wyy - mean * wy) / w
    # rounding can make a zero spread slightly negative
    one = n < 2
    return {
        "mean": mean,
        "var": np.where(one, np.nan, np.clip(var, 0, None)),
        "spread": np.where(one, np.nan, np.clip(spread, 0, None)),
    }


def _sums(values: pd.DataFrame, weight: pd.Series, keys) -> dict[str, pd.DataFrame]:
    """:data:`SUMS` of every column of ``values`` per group of ``keys``, missing values out."""
    ok = values.notna()
    w = ok.mul(weight, axis=0)
    wy = values.fillna(0).mul(w)
    ww = w.mul(weight, axis=0)
    wwy = wy.mul(weight, axis=0)
    parts = {"n": ok, "w": w, "wy": wy, "wyy": wy * values.fillna(0), "ww": ww, "wwy": wwy,
             "wwyy": wwy * values.fillna(0)}  # fmt: skip
    return {k: v.groupby(keys, sort=True).sum() for k, v in parts.items()}


def area_moments(data: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Per construct: a frame indexed by (side, area) with the :data:`SUMS` and the
    ``mean``, ``var`` and ``spread`` of :func:`moments_of_sums`; one pass over the wave's
    respondents. ``data`` may hold a ``weight`` column (the design weights; default 1)."""
    weight = data["weight"] if "weight" in data else pd.Series(1.0, index=data.index)
    grouped = _sums(data[list(COMPONENTS)], weight, [data["side"], data["area"]])
    out = {}
    for construct in COMPONENTS:
        frame = pd.DataFrame({k: v[construct] for k, v in grouped.items()})
        frame = frame[frame["n"] > 0]
        for name, value in moments_of_sums(frame).items():
            frame[name] = value
        out[construct] = frame
    return out


def _side(moments: pd.DataFrame, side: str) -> pd.DataFrame:
    if side not in moments.index.get_level_values(0):
        return moments.iloc[:0].droplevel(0)
    return moments.xs(side, level=0)


def welch_anova(
    n: np.ndarray, mean: np.ndarray, var: np.ndarray, spread: np.ndarray | None = None
) -> dict[str, float]:
    """Welch's one-way ANOVA from group sizes, means and variances (as pingouin's
    ``welch_anova``): F, df1, df2, p, and partial eta squared of the classic ANOVA.
    ``var / n`` is a mean's squared standard error; ``spread`` (default ``var``) the
    variance of the values, for the effect size (see :func:`moments_of_sums`)."""
    k = len(n)
    weights = n / var
    total = weights.sum()
    centre = (weights * mean).sum() / total
    lack = ((1 - weights / total) ** 2 / (n - 1)).sum()
    f = ((weights * (mean - centre) ** 2).sum() / (k - 1)) / (1 + 2 * (k - 2) / (k**2 - 1) * lack)
    df2 = (k**2 - 1) / (3 * lack)
    grand = (n * mean).sum() / n.sum()
    between = (n * (mean - grand) ** 2).sum()
    within = ((n - 1) * (var if spread is None else spread)).sum()
    return {
        "F": f,
        "df1": k - 1,
        "df2": df2,
        "p": float(stats.f.sf(f, k - 1, df2)),
        "np2": between / (between + within),
    }


def _across_areas(moments: pd.DataFrame, wave, construct, side, method) -> dict:
    moments = _side(moments, side)
    common = {"wave": wave, "construct": construct, "side": side, "test": "welch_anova"}
    small = moments["n"] < method.indicative_min
    flat = ~small & (moments["var"] <= 0)
    kept = moments[~small & ~flat]
    notes = []
    if small.any():
        notes.append(f"{int(small.sum())} area(s) under {method.indicative_min} left out")
    if flat.any():
        notes.append(f"{int(flat.sum())} area(s) where everyone gave the same value left out")
    if len(kept) < 2:
        why = "not computed: fewer than 2 areas with enough respondents and spread"
        return _row(
            **common, group_a="all areas", status="suppressed", note="; ".join([why, *notes])
        )
    result = welch_anova(*(kept[c].to_numpy(dtype=float) for c in ("n", "mean", "var", "spread")))
    status = worst_status([publication_status(int(k), method) for k in kept["n"]])
    return _row(
        **common,
        group_a="all areas",
        statistic=result["F"],
        df=result["df1"],
        p=result["p"],
        effect_size_name="partial_eta_squared",
        effect_size=result["np2"],
        n_a=len(kept),
        n_b=int(kept["n"].sum()),
        status=status,
        note="; ".join(notes),
    )


def _games_howell_pairs(n, mean, var, i, j, k, confidence: float) -> dict[str, np.ndarray]:
    """Games-Howell figures of the pairs (i[m], j[m]) of groups, pair m in a family of k[m]
    groups; see :func:`games_howell`."""
    part_i, part_j = var[i] / n[i], var[j] / n[j]
    se2 = part_i + part_j
    estimate = mean[i] - mean[j]
    with np.errstate(invalid="ignore", divide="ignore"):
        t = estimate / np.sqrt(se2)
        df = se2**2 / (part_i**2 / (n[i] - 1) + part_j**2 / (n[j] - 1))
    p, critical = np.full(len(i), np.nan), np.full(len(i), np.nan)
    for size in np.unique(k):  # the distribution is tabulated once per number of groups
        at = k == size
        p[at] = studentized_range_sf(np.abs(t[at]) * np.sqrt(2), size, df[at])
        critical[at] = studentized_range_ppf(confidence, size, df[at])
    half = critical * np.sqrt(se2 / 2)
    return {
        "estimate": estimate, "t": t, "df": df, "p": p,
        "ci_low": estimate - half, "ci_high": estimate + half,
    }  # fmt: skip


def games_howell(
    n: np.ndarray, mean: np.ndarray, var: np.ndarray, confidence: float = 0.95
) -> dict[str, np.ndarray]:
    """Games-Howell test of every pair of k groups from their sizes, means and variances.

    Parameters
    ----------
    n, mean, var : per group (variance with ddof 1); k >= 2 groups.
    confidence : level of the simultaneous intervals.

    Returns
    -------
    Arrays over the pairs ``i < j`` (in the order of ``np.triu_indices``): ``i``, ``j``,
    ``estimate`` (mean i minus mean j), ``t`` (Welch t), ``df`` (Welch df), ``p``
    (``P(Q > |t| sqrt 2)`` for Q the studentized range of k means with df degrees of freedom)
    and ``ci_low``/``ci_high`` (estimate ± q_crit(k, df) se / sqrt 2): as R's
    ``rstatix::games_howell_test`` (checked in tests/r/comparisons.R), which is ``ptukey``
    and ``qtukey`` with the Welch df of the pair.
    """
    i, j = np.triu_indices(len(n), 1)
    k = np.full(len(i), len(n))
    return {"i": i, "j": j, **_games_howell_pairs(n, mean, var, i, j, k, confidence)}


def _games_howell_rows(moments: pd.DataFrame, wave, construct, side, municipality_of, method):
    """Games-Howell between the areas of each municipality (the areas Welch's ANOVA keeps:
    enough respondents and spread), as one frame with :data:`COMPARISON_COLUMNS`; a
    municipality with too many areas, or fewer than two kept of two or more, gets one row
    that says why. Pairs of all municipalities are computed at once."""
    moments = _side(moments, side)
    if moments.empty:
        return None
    kept = ((moments["n"] >= method.indicative_min) & (moments["var"] > 0)).to_numpy()
    municipality = np.array([municipality_of.get(a, "") for a in moments.index], dtype=object)
    common = {"wave": wave, "construct": construct, "test": "games_howell", "side": side}
    pair_i, pair_j, pair_k, pair_note, rows = [], [], [], [], []
    codes, which = np.unique(municipality, return_inverse=True)
    for m, code in enumerate(codes):
        areas = np.flatnonzero(which == m)
        if len(areas) < 2:  # the only area of its municipality: nothing to pair it with
            continue
        own = areas[kept[areas]]
        where = code or "the municipality"
        left_out = len(areas) - len(own)
        note = f"{left_out} area(s) under {method.indicative_min} or without spread left out"
        note = note if left_out else ""
        why = ""
        if len(own) > method.games_howell_max_areas:
            why = (
                f"not computed: {len(own)} areas in {where}, more than "
                f"{method.games_howell_max_areas} (pairs grow with the square of the areas)"
            )
        elif len(own) < 2:
            why = "not computed: fewer than 2 areas with enough respondents and spread"
        if why:
            rows.append(
                _row(**common, group_a=f"areas of {where}", status="suppressed",
                     note="; ".join(filter(None, [why, note])))
            )  # fmt: skip
            continue
        i, j = np.triu_indices(len(own), 1)
        pair_i.append(own[i])
        pair_j.append(own[j])
        pair_k.append(np.full(len(i), len(own)))
        pair_note.append(np.full(len(i), note, dtype=object))
    frames = []
    if pair_i:
        i, j, k = (np.concatenate(parts) for parts in (pair_i, pair_j, pair_k))
        n, mean, var = (moments[c].to_numpy(dtype=float) for c in ("n", "mean", "var"))
        pairs = _games_howell_pairs(n, mean, var, i, j, k, 0.95)
        ids = moments.index.to_numpy()
        frames.append(
            pd.DataFrame(
                {
                    **common,
                    "group_a": ids[i], "group_b": ids[j],
                    "estimate": pairs["estimate"], "statistic": pairs["t"], "df": pairs["df"],
                    "p": pairs["p"], "p_adjusted": pairs["p"],
                    "correction": "studentized_range", "effect_size_name": "",
                    "effect_size": np.nan,
                    "ci_low": pairs["ci_low"], "ci_high": pairs["ci_high"],
                    "n_a": n[i].astype(int), "n_b": n[j].astype(int),
                    "status": [publication_status(int(min(a, b)), method)
                               for a, b in zip(n[i], n[j], strict=True)],
                    "note": np.concatenate(pair_note),
                }
            )
        )  # fmt: skip
    if rows:
        frames.append(pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS)))
    return pd.concat(frames, ignore_index=True)[list(COMPARISON_COLUMNS)] if frames else None


def _welch_t(a: dict, b: dict) -> tuple[np.ndarray, ...]:
    """Vectorised Welch t of groups ``a`` and ``b`` (each with ``n`` and the moments of
    :func:`moments_of_sums`): t, df, two-sided p and Hedges g (pooled spread)."""
    n_a, mean_a, var_a, n_b, mean_b, var_b = (g[k] for g in (a, b) for k in ("n", "mean", "var"))
    with np.errstate(invalid="ignore", divide="ignore"):
        se2 = var_a / n_a + var_b / n_b
        t = (mean_a - mean_b) / np.sqrt(se2)
        df = se2**2 / ((var_a / n_a) ** 2 / (n_a - 1) + (var_b / n_b) ** 2 / (n_b - 1))
        p = 2 * stats.t.sf(np.abs(t), df)
        pooled = np.sqrt(((n_a - 1) * a["spread"] + (n_b - 1) * b["spread"]) / (n_a + n_b - 2))
        g = (mean_a - mean_b) / pooled * hedges_j(n_a + n_b - 2)
    return t, df, p, g


def _area_screens(moments: pd.DataFrame, wave, construct, side, municipality_of, method):
    """Each area against the rest of its municipality and against all other areas, as
    one frame with :data:`COMPARISON_COLUMNS` (vectorised over the areas)."""
    moments = _side(moments, side)
    if moments.empty:
        return []
    municipality = np.array([municipality_of.get(a, "") for a in moments.index], dtype=object)
    shown = (moments["n"] >= method.indicative_min).to_numpy()
    area = {c: moments[c].to_numpy(dtype=float) for c in ("n", "mean", "var", "spread")}
    n_a, mean_a = area["n"], area["mean"]
    own = moments[list(SUMS)].to_numpy(dtype=float) * shown[:, None]
    frames = []
    for test in AREA_SCREENS:
        if test == "area_vs_municipality":  # the reference holds the publishable areas only
            totals = pd.DataFrame(own, columns=list(SUMS)).groupby(municipality).sum()
            total = totals.reindex(municipality).to_numpy()
            label = np.array([f"rest of {m or 'the municipality'}" for m in municipality])
            alone = "not computed: the only area of its municipality with enough respondents"
        else:
            total = np.tile(own.sum(axis=0), (len(own), 1))
            label = np.full(len(own), "all other areas", dtype=object)
            alone = "not computed: no other area with enough respondents"
        rest = dict(zip(SUMS, (total - own).T, strict=True))
        rest |= moments_of_sums(rest)
        n_b, mean_b = rest["n"], rest["mean"]
        t, df, p, g = _welch_t(area, rest)
        note = np.select(
            [~shown, n_b < 2, ~np.isfinite(t)],
            [f"not computed: fewer than {method.indicative_min} respondents", alone,
             "not computed: no spread in the area or in the rest"],
            "",
        )  # fmt: skip
        computed = note == ""
        frame = pd.DataFrame(
            {
                "wave": wave, "construct": construct, "test": test, "side": side,
                "group_a": moments.index.to_numpy(), "group_b": label,
                "estimate": np.where(computed, mean_a - mean_b, np.nan),
                "statistic": np.where(computed, t, np.nan),
                "df": np.where(computed, df, np.nan),
                "p": np.where(computed, p, np.nan),
                "p_adjusted": np.nan, "correction": "",
                "effect_size_name": np.where(computed, "hedges_g", ""),
                "effect_size": np.where(computed, g, np.nan),
                "ci_low": np.nan, "ci_high": np.nan,
                "n_a": n_a.astype(int), "n_b": np.nan_to_num(n_b).astype(int),
                "status": [publication_status(int(k), method) for k in n_a],
                "note": note,
            }
        )  # fmt: skip
        frames.append(frame)
    return frames


def _gap_heterogeneity(moments: pd.DataFrame, wave, construct, method) -> dict:
    """Cochran's Q: do the areas' gaps between the sides differ more than chance allows?"""
    common = {"wave": wave, "construct": construct, "test": "gap_heterogeneity"}
    sides = [_side(moments, s) for s in SIDES]
    both = sides[0].add_suffix("_p").join(sides[1].add_suffix("_i"), how="inner")
    enough = (both["n_p"] >= method.indicative_min) & (both["n_i"] >= method.indicative_min)
    variance = both["var_p"] / both["n_p"] + both["var_i"] / both["n_i"]
    kept = both[enough & (variance > 0)]
    notes = []
    if (~enough).any():
        notes.append(f"{int((~enough).sum())} area(s) with a side under {method.indicative_min}")
    if (enough & (variance <= 0)).any():
        notes.append("areas without spread on both sides left out")
    if len(kept) < 2:
        why = "not computed: fewer than 2 areas with both sides and spread"
        return _row(
            **common, group_a="gap by area", status="suppressed", note="; ".join([why, *notes])
        )
    gap = (kept["mean_p"] - kept["mean_i"]).to_numpy()
    weight = 1 / (kept["var_p"] / kept["n_p"] + kept["var_i"] / kept["n_i"]).to_numpy()
    centre = (weight * gap).sum() / weight.sum()
    q = float((weight * (gap - centre) ** 2).sum())
    df = len(kept) - 1
    status = worst_status(
        [
            publication_status(int(min(a, b)), method)
            for a, b in zip(kept["n_p"], kept["n_i"], strict=True)
        ]
    )
    return _row(
        **common,
        group_a="gap by area",
        estimate=centre,
        statistic=q,
        df=df,
        p=float(stats.chi2.sf(q, df)),
        effect_size_name="i_squared",
        effect_size=max(0.0, (q - df) / q) if q > 0 else 0.0,
        n_a=len(kept),
        n_b=int(kept["n_p"].sum() + kept["n_i"].sum()),
        status=status,
        note="; ".join(notes),
    )


def compare_groups(
    components: pd.DataFrame,
    area: pd.Series,
    wave: pd.Series,
    side: pd.Series,
    method: Methodology,
    scalar_invariance_between_sides: bool | Mapping[str, bool] | None = None,
    municipality_of: Mapping[str, str] | None = None,
    weights: pd.Series | None = None,
) -> pd.DataFrame:
    """All group comparisons as one tidy table with :data:`COMPARISON_COLUMNS`.

    ``components`` holds the seven components per respondent, labelled by ``area``,
    ``wave`` and ``side``. ``scalar_invariance_between_sides`` is the psychometrics'
    verdict, per wave (a mapping) or for all; a wave without one (its test did not run) is
    said to be not tested; latent means are never compared here without it.
    ``municipality_of`` maps area ids to their municipality's CBS code (for the
    area-against-rest screen; without it all areas count as one municipality).
    ``weights`` are the respondents' design weights (by the index of ``components``; the
    index's :attr:`IndexResult.weights`): every mean and t-based test uses them, so a
    comparison's estimate is the difference of the published weighted figures; the
    Mann-Whitney test ranks the respondents unweighted. Without them every weight is 1.
    """
    import pingouin as pg  # as in _between_sides

    municipality_of = municipality_of or {}
    data = components[list(COMPONENTS)].copy()
    data["area"], data["wave"], data["side"] = area.astype(str), wave.astype(str), side
    data["weight"] = 1.0 if weights is None else weights.reindex(components.index).to_numpy()
    data = data[data.side.isin(SIDES)]
    rows: list[dict] = []
    screens: list[pd.DataFrame] = []
    for wave_name in sorted(data.wave.unique()):
        in_wave = data[data.wave == wave_name]
        moments = area_moments(in_wave)
        for construct in COMPONENTS:
            rows += _between_sides(in_wave, wave_name, construct, method)
            for side_name in SIDES:
                rows.append(
                    _across_areas(moments[construct], wave_name, construct, side_name, method)
                )
                screens += _area_screens(
                    moments[construct], wave_name, construct, side_name, municipality_of, method
                )
                pairs = _games_howell_rows(
                    moments[construct], wave_name, construct, side_name, municipality_of, method
                )
                if pairs is not None:
                    screens.append(pairs)
            rows.append(_gap_heterogeneity(moments[construct], wave_name, construct, method))
        verdict = (
            scalar_invariance_between_sides.get(str(wave_name))
            if isinstance(scalar_invariance_between_sides, Mapping)
            else scalar_invariance_between_sides
        )  # a wave whose test did not run has no verdict: no claim is made for it
        if verdict:
            note = (
                "scalar invariance between the sides holds: latent means are compared in "
                "psychometrics_latent_means"
            )
        elif verdict is None:
            note = "not compared: scalar invariance between the sides has not been tested"
        else:
            note = "not compared: scalar invariance between the sides does not hold"
        rows.append(
            _row(wave=wave_name, construct="all", test="latent_means", status="", note=note)
        )
    table = pd.concat(
        [pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS)), *screens], ignore_index=True
    )
    order = {kind: i for i, kind in enumerate(TEST_KINDS)}
    table = table.sort_values(
        ["wave", "test"], key=lambda c: c.map(order) if c.name == "test" else c, kind="stable"
    ).reset_index(drop=True)
    for kind in CORRECTED_FAMILIES:
        family = (table.test == kind) & table.p.notna()
        if family.any():
            _, adjusted = pg.multicomp(table.loc[family, "p"].to_numpy(), method=method.correction)
            table.loc[family, "p_adjusted"] = adjusted
            table.loc[family, "correction"] = method.correction
    screened = table.test.isin(AREA_SCREENS) & table.p.notna()
    if screened.any():
        keys = ["wave", "construct", "side", "test"]
        table.loc[screened, "p_adjusted"] = (
            table[screened]
            .groupby(keys)["p"]
            .transform(lambda p: stats.false_discovery_control(p.to_numpy(), method="bh"))
        )
        table.loc[screened, "correction"] = "fdr_bh"
    suppressed = table.status == "suppressed"
    numbers = ["estimate", "statistic", "df", "p", "p_adjusted", "effect_size", "ci_low", "ci_high"]
    table.loc[suppressed, numbers] = np.nan
    return table
