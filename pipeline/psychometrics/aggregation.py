"""Aggregation statistics for respondents nested in areas: ICC(1) and ICC(2).

Bliese's (2000) one-way ANOVA definitions, as ``multilevel::ICC1`` and ``multilevel::ICC2``
in R: with mean squares between (MSB) and within (MSW) areas and k the mean number of
respondents per area,

* ``ICC(1) = (MSB - MSW) / (MSB + (k - 1) MSW)``: the share of variance due to the area;
* ``ICC(2) = (MSB - MSW) / MSB``: the reliability of the area means.

The construct score of a respondent is the mean of his or her answered items after recoding
reverse-keyed items (respondents without any answer are left out). Checked against
``aov()`` in tests/r/golden.R.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
from scipy import stats

from samenspel.pipeline.psychometrics.factor_model import (
    FactorModel,
    PsychometricsError,
    check_columns,
    numeric_items,
    parse_factor_model,
    recode_reverse_keyed,
)

COL_SCALE = "scale"
COL_N = "n"
COL_N_CLUSTERS = "n_clusters"
COL_MEAN_CLUSTER_SIZE = "mean_cluster_size"
COL_ICC1 = "icc1"
COL_ICC2 = "icc2"
COL_F = "f"
COL_PVALUE = "pvalue"
#: Columns of :func:`intraclass_correlations` (``f``, ``pvalue``: the one-way ANOVA F test).
ICC_COLUMNS = (
    COL_SCALE,
    COL_N,
    COL_N_CLUSTERS,
    COL_MEAN_CLUSTER_SIZE,
    COL_ICC1,
    COL_ICC2,
    COL_F,
    COL_PVALUE,
)


def scale_means(
    data: pd.DataFrame,
    model: Mapping[str, Sequence[str]] | FactorModel,
    scale_min: float,
    scale_max: float,
) -> pd.DataFrame:
    """Per respondent, the mean of the answered (recoded) items of each scale."""
    parsed = parse_factor_model(model)
    answers = recode_reverse_keyed(
        numeric_items(data, parsed.items), parsed.reverse_keyed, scale_min, scale_max
    )
    return pd.DataFrame(
        {f: answers[list(parsed.indicators[f])].mean(axis=1) for f in parsed.factors},
        index=data.index,
    )


def intraclass_correlations(
    data: pd.DataFrame,
    model: Mapping[str, Sequence[str]] | FactorModel,
    cluster: str,
    scale_min: float,
    scale_max: float,
) -> pd.DataFrame:
    """ICC(1) and ICC(2) of each scale's mean score by ``cluster`` (e.g. the area column).

    Returns a table with columns :data:`ICC_COLUMNS`, one row per scale.
    """
    check_columns(data, [cluster], "cluster")
    scores = scale_means(data, model, scale_min, scale_max)
    rows = []
    for scale in scores.columns:
        frame = pd.DataFrame({"y": scores[scale], "c": data[cluster]}).dropna()
        n = len(frame)
        grouped = frame.groupby("c", observed=True)["y"]
        sizes = grouped.size()
        n_clusters = len(sizes)
        if n_clusters < 2:
            raise PsychometricsError(
                f"scale {scale!r}: ICCs need respondents in at least two {cluster!r} values; "
                f"found {n_clusters}"
            )
        if n <= n_clusters:
            raise PsychometricsError(
                f"scale {scale!r}: {n} respondents in {n_clusters} clusters leave no "
                "within-cluster variance; ICCs need clusters with two or more respondents"
            )
        means = grouped.transform("mean")
        ss_within = float(((frame["y"] - means) ** 2).sum())
        ss_between = float((sizes * (grouped.mean() - frame["y"].mean()) ** 2).sum())
        msb = ss_between / (n_clusters - 1)
        msw = ss_within / (n - n_clusters)
        if msw <= 0 or msb <= 0:
            raise PsychometricsError(
                f"scale {scale!r} has zero variance within or between clusters; ICCs are undefined"
            )
        k = n / n_clusters
        f_value = msb / msw
        rows.append(
            (
                scale,
                n,
                n_clusters,
                k,
                (msb - msw) / (msb + (k - 1) * msw),
                (msb - msw) / msb,
                f_value,
                float(stats.f.sf(f_value, n_clusters - 1, n - n_clusters)),
            )
        )
    return pd.DataFrame(rows, columns=list(ICC_COLUMNS))


__all__ = ["ICC_COLUMNS", "intraclass_correlations", "scale_means"]
