"""Fit indices from chi-square statistics, with lavaan's formulas and edge-case rules.

Shared by every estimator: the standard indices take the model's and the baseline model's
chi-square; the ``.scaled`` versions take the scaled statistics; the ``.robust`` versions
(Brosseau-Liard & Savalei 2014; Savalei 2018, 2021) take a statistic with a correction
factor ``c_hat`` (lavaan's ``lav_fit_cfi``, ``lav_fit_tli``, ``lav_fit_rni``,
``lav_fit_rmsea``, ``lav_fit_rmsea_ci``, ``lav_fit_rmsea_closefit``).
"""

from __future__ import annotations

import math

from scipy import optimize, stats

RMSEA_LEVEL = 0.90
RMSEA_CLOSE = 0.05


def incremental_indices(chisq: float, df: float, base: float, base_df: float) -> dict:
    """CFI, TLI (= NNFI), RFI, NFI, IFI, RNI with lavaan's rules for edge cases (NaN where
    lavaan gives NA, e.g. RFI and NFI when the model has more df than the baseline)."""
    nan = math.nan
    if not all(map(math.isfinite, (chisq, df, base, base_df))):
        return dict.fromkeys(("cfi", "tli", "nnfi", "rfi", "nfi", "ifi", "rni"), nan)
    out = {"cfi": cfi(chisq, df, base, base_df)}
    out["tli"] = out["nnfi"] = tli(chisq, df, base, base_df)
    if df > base_df:
        out["rfi"] = nan
    elif df > 0 and base_df > 0:
        t1, t2 = base / base_df - chisq / df, base / base_df
        out["rfi"] = 1.0 if t1 < 0 or t2 < 0 else t1 / t2
    else:
        out["rfi"] = 1.0
    if df > base_df or math.isclose(base, 0.0):
        out["nfi"] = nan
    else:
        out["nfi"] = (base - chisq) / base if df > 0 else 1.0
    t1, t2 = base - chisq, base - df
    out["ifi"] = 1.0 if t2 < 0 else (nan if math.isclose(t2, 0.0) else t1 / t2)
    out["rni"] = rni(chisq, df, base, base_df)
    return out


def _corrected(df: float, c_hat: float, c_hat_null: float) -> bool:
    return df > 0 and c_hat != 1 and c_hat_null != 1


def cfi(chisq, df, base, base_df, c_hat: float = 1.0, c_hat_null: float = 1.0) -> float:
    """CFI; with correction factors, the robust CFI (lavaan ``lav_fit_cfi``)."""
    if any(map(math.isnan, (chisq, df, base, base_df, c_hat, c_hat_null))):
        return math.nan
    if _corrected(df, c_hat, c_hat_null):
        t1 = max(chisq - c_hat * df, 0.0)
        t2 = max(chisq - c_hat * df, base - c_hat_null * base_df, 0.0)
    else:
        t1 = max(chisq - df, 0.0)
        t2 = max(chisq - df, base - base_df, 0.0)
    return (
        1.0
        if math.isclose(t1, 0.0, abs_tol=1e-8) and math.isclose(t2, 0.0, abs_tol=1e-8)
        else (1 - t1 / t2)
    )


def tli(chisq, df, base, base_df, c_hat: float = 1.0, c_hat_null: float = 1.0) -> float:
    """TLI (= NNFI); with correction factors, the robust TLI (lavaan ``lav_fit_tli``)."""
    if any(map(math.isnan, (chisq, df, base, base_df, c_hat, c_hat_null))):
        return math.nan
    if _corrected(df, c_hat, c_hat_null):
        t1 = (chisq - c_hat * df) * base_df
        t2 = (base - c_hat_null * base_df) * df
    else:
        t1 = (chisq - df) * base_df
        t2 = (base - base_df) * df
    return 1 - t1 / t2 if df > 0 and abs(t2) > 0 else 1.0


def rni(chisq, df, base, base_df, c_hat: float = 1.0, c_hat_null: float = 1.0) -> float:
    """RNI; with correction factors, the robust RNI (lavaan ``lav_fit_rni``)."""
    if any(map(math.isnan, (chisq, df, base, base_df, c_hat, c_hat_null))):
        return math.nan
    if _corrected(df, c_hat, c_hat_null):
        t1, t2 = chisq - c_hat * df, base - c_hat_null * base_df
    else:
        t1, t2 = chisq - df, base - base_df
    return math.nan if math.isclose(t2, 0.0) else 1 - t1 / t2


def rmsea(chisq: float, df: float, n: int, n_groups: int, c_hat: float = 1.0) -> float:
    """RMSEA (times sqrt(groups), as lavaan); ``c_hat`` gives the robust RMSEA."""
    if any(map(math.isnan, (chisq, df, c_hat))):
        return math.nan
    if df <= 0:
        return 0.0
    return math.sqrt(max(chisq / n / df - c_hat / n, 0.0)) * math.sqrt(n_groups)


def rmsea_ci(
    chisq: float, df: float, n: int, n_groups: int, c_hat: float = 1.0
) -> tuple[float, float]:
    """The 90% confidence interval of the RMSEA from the noncentral chi-square."""
    if any(map(math.isnan, (chisq, df, c_hat))):
        return math.nan, math.nan
    if df < 1:
        return 0.0, 0.0

    def cdf(lam: float) -> float:
        return stats.ncx2.cdf(chisq, df, lam) if lam > 0 else stats.chi2.cdf(chisq, df)

    def solve(target: float, upper: float) -> float:
        def fn(lam: float) -> float:
            return cdf(lam) - target

        if fn(0.0) < 0 or fn(upper) > 0:
            return 0.0
        return optimize.brentq(fn, 0.0, upper, xtol=1e-12)

    upper_p = 1 - (1 - RMSEA_LEVEL) / 2
    lam_low = solve(upper_p, max(chisq, 1e-8))
    lam_high = solve(1 - upper_p, max(n, chisq * 4))
    scale = math.sqrt(n_groups)
    return (
        math.sqrt(c_hat * lam_low / (n * df)) * scale,
        math.sqrt(c_hat * lam_high / (n * df)) * scale,
    )


def rmsea_pvalue(chisq: float, df: float, n: int, n_groups: int, c_hat: float = 1.0) -> float:
    """p-value of close fit (H0: RMSEA <= .05)."""
    if any(map(math.isnan, (chisq, df, c_hat))) or df <= 0:
        return math.nan
    ncp = n * df / c_hat * RMSEA_CLOSE**2 / n_groups
    return float(stats.ncx2.sf(chisq, df, ncp))


def rmsea_measures(
    chisq: float,
    df: float,
    n: int,
    n_groups: int,
    suffix: str = "",
    c_hat: float = 1.0,
    chisq_ci: float | None = None,
) -> dict[str, float]:
    """``rmsea``, ``rmsea.ci.lower``, ``rmsea.ci.upper``, ``rmsea.pvalue`` (with ``suffix``
    such as ``.scaled``); the interval and p-value use ``chisq_ci`` when given (the robust
    RMSEA takes its interval from the scaled statistic, as lavaan)."""
    ci_stat = chisq if chisq_ci is None else chisq_ci
    lower, upper = rmsea_ci(ci_stat, df, n, n_groups, c_hat)
    return {
        f"rmsea{suffix}": rmsea(chisq, df, n, n_groups, c_hat),
        f"rmsea.ci.lower{suffix}": lower,
        f"rmsea.ci.upper{suffix}": upper,
        f"rmsea.pvalue{suffix}": rmsea_pvalue(ci_stat, df, n, n_groups, c_hat),
    }


def chi2_pvalue(chisq: float, df: float) -> float:
    """Upper-tail p-value (NaN without degrees of freedom)."""
    return float(stats.chi2.sf(chisq, df)) if df > 0 and math.isfinite(chisq) else math.nan
