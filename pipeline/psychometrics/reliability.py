"""Item analysis and scale reliability, matching R's ``psych::alpha`` and semTools.

Definitions (R function each number is checked against in tests/r/golden.R):

* item n, mean, SD, item-rest r (``r.drop``), alpha if the item is deleted (raw and
  standardised), Cronbach's alpha raw and standardised, average inter-item r: ``psych::alpha``
  on the reverse-recoded items. Missing answers are handled ``"pairwise"`` (psych's default:
  covariances from all pairs of answers) or ``"listwise"`` (complete respondents only).
* Feldt's confidence interval of alpha: ``psych::alpha``'s ``feldt`` (``psych::alpha.ci``),
  with n = the respondents in the analysed rows.
* skewness: ``psych::skew`` (type 3, ``m3 / s^3`` with the sample SD).
* McDonald's omega total: from a one-factor ML CFA of the scale's items (complete respondents),
  ``(sum lambda)^2 psi / ((sum lambda)^2 psi + sum theta)`` = ``semTools::compRelSEM(fit,
  obs.var = FALSE)``. A scale needs three items for it; with two it is NaN and ``note`` says so.
* floor / ceiling: share of valid answers at the lowest / highest answer after recoding.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from samenspel.pipeline.psychometrics.cfa import fit_cfa
from samenspel.pipeline.psychometrics.factor_model import (
    FactorModel,
    PsychometricsError,
    check_columns,
    numeric_items,
    parse_factor_model,
    recode_reverse_keyed,
)
from scipy import stats

#: Values accepted by ``missing``.
MISSING_OPTIONS = ("pairwise", "listwise")
#: Label of the all-respondents rows when results are split by a group column.
ALL_GROUPS = "all"

COL_SCALE = "scale"
COL_GROUP = "group"
COL_ITEM = "item"
COL_REVERSE_KEYED = "reverse_keyed"
COL_N = "n"
COL_MEAN = "mean"
COL_SD = "sd"
COL_SKEW = "skew"
COL_FLOOR = "floor"
COL_CEILING = "ceiling"
COL_ITEM_REST_R = "item_rest_r"
COL_ALPHA_IF_DELETED = "alpha_if_deleted"
COL_STD_ALPHA_IF_DELETED = "std_alpha_if_deleted"
#: Columns of :func:`item_analysis`.
ITEM_COLUMNS = (
    COL_SCALE,
    COL_GROUP,
    COL_ITEM,
    COL_REVERSE_KEYED,
    COL_N,
    COL_MEAN,
    COL_SD,
    COL_SKEW,
    COL_FLOOR,
    COL_CEILING,
    COL_ITEM_REST_R,
    COL_ALPHA_IF_DELETED,
    COL_STD_ALPHA_IF_DELETED,
)
COL_N_ITEMS = "n_items"
COL_ALPHA = "alpha"
COL_ALPHA_STD = "alpha_std"
COL_CI_LOW = "ci_low"
COL_CI_HIGH = "ci_high"
COL_AVERAGE_R = "average_r"
COL_OMEGA_TOTAL = "omega_total"
COL_NOTE = "note"
#: Columns of :func:`scale_reliability` (``ci_low``/``ci_high``: Feldt CI of ``alpha``).
RELIABILITY_COLUMNS = (
    COL_SCALE,
    COL_GROUP,
    COL_N_ITEMS,
    COL_N,
    COL_ALPHA,
    COL_ALPHA_STD,
    COL_CI_LOW,
    COL_CI_HIGH,
    COL_AVERAGE_R,
    COL_OMEGA_TOTAL,
    COL_NOTE,
)


def _alpha(cov: np.ndarray) -> tuple[float, float, float]:
    """Raw alpha, standardised alpha and average r from a covariance matrix (psych)."""
    k = cov.shape[0]
    sd = np.sqrt(np.diag(cov))
    corr = cov / np.outer(sd, sd)
    raw = (1 - np.trace(cov) / cov.sum()) * k / (k - 1)
    std = (1 - k / corr.sum()) * k / (k - 1)
    average_r = (corr.sum() - k) / (k * (k - 1))
    return float(raw), float(std), float(average_r)


def feldt_interval(alpha: float, n: int, k: int, confidence: float = 0.95) -> tuple[float, float]:
    """Feldt's confidence interval of Cronbach's alpha (``psych::alpha.ci``)."""
    tail = (1 - confidence) / 2
    df1, df2 = n - 1, (n - 1) * (k - 1)
    low = 1 - (1 - alpha) * stats.f.ppf(1 - tail, df1, df2)
    high = 1 - (1 - alpha) * stats.f.ppf(tail, df1, df2)
    return float(low), float(high)


def _scale_answers(
    data: pd.DataFrame,
    model: FactorModel,
    scale: str,
    scale_min: float,
    scale_max: float,
    missing: str,
) -> pd.DataFrame:
    items = model.indicators[scale]
    answers = recode_reverse_keyed(
        numeric_items(data, items), model.reverse_keyed, scale_min, scale_max
    )
    # respondents without any answer on the scale do not count (psych counts every row;
    # the same whenever nobody skipped the whole scale)
    return answers.dropna() if missing == "listwise" else answers.dropna(how="all")


def _covariance(answers: pd.DataFrame, scale: str, where: str) -> np.ndarray:
    if len(answers) < 2:
        raise PsychometricsError(
            f"scale {scale!r}{where}: only {len(answers)} respondent(s) answered it; "
            "reliability needs at least two (and many more for a useful estimate)"
        )
    if len(answers.columns) < 2:
        raise PsychometricsError(
            f"scale {scale!r} has one item; reliability needs at least two items"
        )
    cov = answers.cov(min_periods=2).to_numpy()
    if np.isnan(cov).any():
        raise PsychometricsError(
            f"scale {scale!r}{where}: some pairs of items were never answered together by two "
            "or more respondents; use more data or missing='listwise'"
        )
    flat = [c for c, v in zip(answers.columns, np.diag(cov), strict=True) if v <= 1e-12]
    if flat:
        raise PsychometricsError(
            f"scale {scale!r}{where}: item(s) {flat} have zero variance (everyone gave the same "
            "answer); reliability is undefined: drop the item(s) or check the data"
        )
    return cov


def _check_options(missing: str) -> None:
    if missing not in MISSING_OPTIONS:
        raise ValueError(f"missing must be one of {MISSING_OPTIONS}, got {missing!r}")


def _split(data: pd.DataFrame, group: str | None) -> list[tuple[str, pd.DataFrame]]:
    parts = [(ALL_GROUPS, data)]
    if group is not None:
        check_columns(data, [group], "group")
        for label in pd.unique(data[group].dropna()):
            parts.append((str(label), data[data[group] == label]))
    return parts


def item_analysis(
    data: pd.DataFrame,
    model: Mapping[str, Sequence[str]] | FactorModel,
    scale_min: float,
    scale_max: float,
    *,
    group: str | None = None,
    missing: str = "pairwise",
) -> pd.DataFrame:
    """Item statistics per scale (as ``psych::alpha``'s ``item.stats`` and ``alpha.drop``).

    Parameters
    ----------
    data : one row per respondent, numeric answers, NaN for missing.
    model : ``{scale: [item, "-item", ...]}``; ``-item`` is recoded
        ``scale_min + scale_max - x`` before anything is computed.
    scale_min, scale_max : lowest and highest possible answer.
    group : optional column; results for all respondents (``group == "all"``) and per group.
    missing : ``"pairwise"`` or ``"listwise"``.

    Returns
    -------
    DataFrame with columns :data:`ITEM_COLUMNS`, one row per scale, group and item.
    """
    _check_options(missing)
    parsed = parse_factor_model(model)
    rows = []
    for label, part in _split(data, group):
        where = "" if label == ALL_GROUPS else f" in group {label!r}"
        for scale in parsed.factors:
            answers = _scale_answers(part, parsed, scale, scale_min, scale_max, missing)
            cov = _covariance(answers, scale, where)
            values = answers.to_numpy()
            for i, item in enumerate(answers.columns):
                keep = [j for j in range(len(answers.columns)) if j != i]
                column = values[:, i][~np.isnan(values[:, i])]
                sub = cov[np.ix_(keep, keep)]
                alpha_drop, std_drop, _ = (
                    _alpha(sub) if len(keep) > 1 else (math.nan, math.nan, math.nan)
                )
                rest = cov[i].sum() - cov[i, i]
                rows.append(
                    (
                        scale,
                        label,
                        item,
                        item in parsed.reverse_keyed,
                        len(column),
                        column.mean(),
                        column.std(ddof=1),
                        _skew(column),
                        float(np.mean(column == scale_min)),
                        float(np.mean(column == scale_max)),
                        rest / math.sqrt(cov[i, i] * sub.sum()),
                        alpha_drop,
                        std_drop,
                    )
                )
    return pd.DataFrame(rows, columns=list(ITEM_COLUMNS))


def _skew(x: np.ndarray) -> float:
    """``psych::skew`` type 3."""
    n = len(x)
    sd = x.std(ddof=1)
    if n < 3 or sd == 0:
        return math.nan
    return float(np.sum((x - x.mean()) ** 3) / n / sd**3)


def omega_total(answers: pd.DataFrame) -> float:
    """McDonald's omega total of already recoded items from a one-factor ML CFA.

    Equals ``semTools::compRelSEM(cfa("f =~ ...", data), obs.var = FALSE)``; uses the
    respondents who answered every item.
    """
    fit = fit_cfa(answers, {"f": list(answers.columns)}, standard_errors=False)
    params = fit.parameters
    loadings = params[params["op"] == "=~"]["est"].to_numpy()
    psi = params[(params["op"] == "~~") & (params["lhs"] == "f")]["est"].iloc[0]
    theta = params[
        (params["op"] == "~~") & (params["lhs"] == params["rhs"]) & (params["lhs"] != "f")
    ]["est"].to_numpy()
    common = loadings.sum() ** 2 * psi
    return float(common / (common + theta.sum()))


def scale_reliability(
    data: pd.DataFrame,
    model: Mapping[str, Sequence[str]] | FactorModel,
    scale_min: float,
    scale_max: float,
    *,
    group: str | None = None,
    missing: str = "pairwise",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Cronbach's alpha (raw, standardised, Feldt CI) and omega total per scale.

    Arguments as :func:`item_analysis`; ``confidence`` is the level of the Feldt interval.

    Returns
    -------
    DataFrame with columns :data:`RELIABILITY_COLUMNS`, one row per scale and group. ``n``
    is the number of respondents analysed (psych's ``n.obs``: respondents with at least one
    answer on the scale under ``"pairwise"``, complete respondents under ``"listwise"``).
    """
    _check_options(missing)
    parsed = parse_factor_model(model)
    rows = []
    for label, part in _split(data, group):
        where = "" if label == ALL_GROUPS else f" in group {label!r}"
        for scale in parsed.factors:
            answers = _scale_answers(part, parsed, scale, scale_min, scale_max, missing)
            cov = _covariance(answers, scale, where)
            if cov.sum() <= 1e-12:
                raise PsychometricsError(
                    f"scale {scale!r}{where} has zero variance; reliability is undefined"
                )
            raw, std, average_r = _alpha(cov)
            k = cov.shape[0]
            n = len(answers)
            low, high = feldt_interval(raw, n, k, confidence)
            note = ""
            if k < 3:
                omega = math.nan
                note = "omega needs at least three items"
            else:
                complete = answers.dropna()
                try:
                    omega = omega_total(complete)
                except PsychometricsError as error:
                    omega = math.nan
                    note = f"omega not estimable: {error}"
            rows.append((scale, label, k, n, raw, std, low, high, average_r, omega, note))
    return pd.DataFrame(rows, columns=list(RELIABILITY_COLUMNS))
