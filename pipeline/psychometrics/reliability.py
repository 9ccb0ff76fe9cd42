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
* ordinal alpha (Zumbo, Gadermann & Zeisser 2007): alpha of the polychoric correlation
  matrix, ``psych::alpha(psych::polychoric(x)$rho)``; the polychoric correlations are the
  two-step estimator lavaan uses (:mod:`.polychoric`), which psych's agrees with to about
  2e-5 on the test data.
* ordinal omega: the categorical omega of Green & Yang (2009), the reliability of the sum of
  the answers as given, from a one-factor CFA of the items as ordered (WLSMV, delta
  parameterisation): ``semTools::compRelSEM(cfa(..., ordered = TRUE))`` with its defaults
  (``ord.scale = TRUE``, ``obs.var = TRUE``: the denominator from the sample's polychoric
  correlations). Needs three items, like omega total.

Both ordinal figures use the respondents who answered every item of the scale, and only
items with at most :data:`MAX_ORDINAL_CATEGORIES` distinct answers (otherwise NaN, and
``note`` says why). tests/r/golden.R and tests/r/reliability_ordinal.R hold R's values.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import special, stats

from samenspel.pipeline.psychometrics.cfa import fit_cfa
from samenspel.pipeline.psychometrics.factor_model import (
    FactorModel,
    PsychometricsError,
    check_columns,
    numeric_items,
    parse_factor_model,
    recode_reverse_keyed,
)
from samenspel.pipeline.psychometrics.ordinal import PolychoricNotPositiveDefinite
from samenspel.pipeline.psychometrics.polychoric import (
    bivariate_normal_cdf,
    polychoric_correlations,
)

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
COL_ALPHA_ORDINAL = "alpha_ordinal"
COL_OMEGA_ORDINAL = "omega_ordinal"
COL_NOTE = "note"
#: Columns of :func:`scale_reliability` (``ci_low``/``ci_high``: Feldt CI of ``alpha``;
#: ``alpha_ordinal``: alpha of the polychoric correlations; ``omega_ordinal``: Green & Yang's
#: categorical omega from a one-factor WLSMV CFA; both from the complete respondents).
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
    COL_ALPHA_ORDINAL,
    COL_OMEGA_ORDINAL,
    COL_NOTE,
)
#: Items with more distinct answers than this are not ordinal categories (e.g. test scores):
#: the ordinal figures are left out.
MAX_ORDINAL_CATEGORIES = 10


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


def categorical_omega(
    loadings: np.ndarray,
    factor_variance: float,
    thresholds: Sequence[np.ndarray],
    correlations: np.ndarray,
) -> float:
    """Green & Yang's (2009) omega of the sum of ordinal answers (semTools' ``omegaCat``).

    Parameters
    ----------
    loadings, factor_variance : of a one-factor model of the items' latent responses with
        unit variances (WLSMV, delta parameterisation), one loading per item.
    thresholds : per item, its thresholds in increasing order.
    correlations : the items' polychoric correlations (the denominator: the variance of the
        sum score implied by them, semTools' ``obs.var = TRUE``).

    Returns
    -------
    The share of the variance of the sum score due to the factor: over all pairs of items
    (j, j') including j = j', ``sum_c sum_c' Phi2(t_jc, t_j'c', rho) - sum_c Phi(t_jc)
    sum_c' Phi(t_j'c')`` with rho the common part ``l_j l_j' psi`` (numerator) or the
    polychoric correlation (denominator; 1 on the diagonal).
    """
    loadings = np.asarray(loadings, dtype=float)
    common = np.outer(loadings, loadings) * factor_variance
    numerator = denominator = 0.0
    for j, own in enumerate(thresholds):
        for jp, other in enumerate(thresholds):
            h, k = np.meshgrid(own, other, indexing="ij")
            independent = special.ndtr(own).sum() * special.ndtr(other).sum()
            numerator += bivariate_normal_cdf(h, k, common[j, jp]).sum() - independent
            denominator += bivariate_normal_cdf(h, k, correlations[j, jp]).sum() - independent
    return float(numerator / denominator)


def ordinal_reliability(answers: pd.DataFrame) -> tuple[float, float, str]:
    """Ordinal alpha and categorical omega of already recoded items.

    Parameters
    ----------
    answers : the scale's items (recoded), one row per respondent; rows with a missing
        answer are dropped.

    Returns
    -------
    ``(alpha_ordinal, omega_ordinal, note)``: NaN where a figure cannot be estimated, and
    the note says why ('' otherwise). Equal to R's ``psych::alpha`` of
    ``psych::polychoric(x)$rho`` and ``semTools::compRelSEM`` of a one-factor
    ``cfa(..., ordered = TRUE)`` (tests/r/reliability_ordinal.R).
    """
    complete = answers.dropna()
    items = list(complete.columns)
    most = max(complete[c].nunique() for c in items) if len(complete) else 0
    if most > MAX_ORDINAL_CATEGORIES:
        return math.nan, math.nan, (
            f"ordinal alpha and omega left out: an item has {most} distinct answers, more "
            f"than the {MAX_ORDINAL_CATEGORIES} of an ordinal scale"
        )  # fmt: skip
    note = ""
    try:
        with warnings.catch_warnings(record=True) as heywood:
            warnings.simplefilter("always", UserWarning)
            # the wave's CFA of the same items already says which answers no one chose
            warnings.filterwarnings("ignore", message=".*were chosen by no one")
            # a polychoric matrix that is not positive definite must not reach a caller that
            # escalates it for the whole wave: here it only makes these figures NaN
            warnings.simplefilter("error", PolychoricNotPositiveDefinite)
            poly = polychoric_correlations(complete, items, missing="listwise")
            alpha = _alpha(poly.correlations.to_numpy())[0]
            if len(items) < 3:
                return alpha, math.nan, "ordinal omega needs at least three items"
            fit = fit_cfa(
                complete, {"f": items}, estimator="WLSMV", missing="listwise",
                standard_errors=False,
            )  # fmt: skip
            if any("Heywood" in str(w.message) for w in heywood):
                note = "ordinal omega from a solution with a negative variance (Heywood case)"
    except (PsychometricsError, PolychoricNotPositiveDefinite) as error:
        return math.nan, math.nan, f"ordinal alpha and omega not estimable: {error}"
    params = fit.parameters
    loadings = params[params["op"] == "=~"].set_index("rhs")["est"].reindex(items).to_numpy()
    psi = params[(params["op"] == "~~") & (params["lhs"] == "f")]["est"].iloc[0]
    cuts = params[params["op"] == "|"]
    thresholds = [cuts[cuts["lhs"] == item]["est"].to_numpy() for item in items]
    omega = categorical_omega(loadings, psi, thresholds, poly.correlations.to_numpy())
    return alpha, omega, note


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
    """Cronbach's alpha (raw, standardised, Feldt CI), omega total, and ordinal alpha and
    omega (:func:`ordinal_reliability`) per scale.

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
                    # A Heywood case of a small sample is said in the note, not raised
                    # as a warning that reaches the terminal of every command.
                    with warnings.catch_warnings(record=True) as heywood:
                        warnings.simplefilter("always", UserWarning)
                        omega = omega_total(complete)
                    if heywood:
                        note = "omega from a solution with a negative variance (Heywood case)"
                except PsychometricsError as error:
                    omega = math.nan
                    note = f"omega not estimable: {error}"
            alpha_ordinal, omega_ordinal, ordinal_note = ordinal_reliability(answers)
            note = "; ".join(filter(None, [note, ordinal_note]))
            rows.append(
                (scale, label, k, n, raw, std, low, high, average_r, omega, alpha_ordinal,
                 omega_ordinal, note)
            )  # fmt: skip
    return pd.DataFrame(rows, columns=list(RELIABILITY_COLUMNS))
