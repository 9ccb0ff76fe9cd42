"""Convergent and discriminant validity: composite reliability, AVE and HTMT.

* composite reliability (CR) and average variance extracted (AVE) per factor, Fornell &
  Larcker (1981), from the completely standardised loadings of a CFA:
  ``CR = (sum |l|)^2 / ((sum |l|)^2 + sum (1 - l^2))``, ``AVE = mean(l^2)`` (absolute values so
  that reverse-keyed items count fully); checked against the same formulas applied to
  ``lavaan::standardizedSolution`` in tests/r/golden.R.
* HTMT, the heterotrait-monotrait ratio of item correlations (Henseler et al. 2015), with
  absolute correlations of the respondents who answered every model item:
  ``semTools::htmt(..., missing = "listwise", absolute = TRUE)`` (or pairwise-complete
  correlations, ``missing = "pairwise"``); ``method="arithmetic"`` is the original HTMT
  (``htmt2 = FALSE``), ``"geometric"`` is HTMT2 (``htmt2 = TRUE``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from samenspel.pipeline.psychometrics.cfa import CFAResult
from samenspel.pipeline.psychometrics.efa import item_correlations
from samenspel.pipeline.psychometrics.factor_model import (
    FactorModel,
    PsychometricsError,
    parse_factor_model,
)

#: Values accepted by ``method`` of :func:`htmt`.
HTMT_METHODS = ("arithmetic", "geometric")

COL_FACTOR = "factor"
COL_GROUP = "group"
COL_N_ITEMS = "n_items"
COL_CR = "composite_reliability"
COL_AVE = "ave"
COL_SQRT_AVE = "sqrt_ave"
COL_MAX_CORRELATION = "max_factor_correlation"
#: Columns of :func:`convergent_validity`.
VALIDITY_COLUMNS = (
    COL_FACTOR,
    COL_GROUP,
    COL_N_ITEMS,
    COL_CR,
    COL_AVE,
    COL_SQRT_AVE,
    COL_MAX_CORRELATION,
)
COL_FACTOR_A = "factor_a"
COL_FACTOR_B = "factor_b"
COL_HTMT = "htmt"
#: Columns of :func:`htmt`: one row per pair of factors.
HTMT_COLUMNS = (COL_FACTOR_A, COL_FACTOR_B, COL_HTMT)


def convergent_validity(fit: CFAResult) -> pd.DataFrame:
    """CR, AVE, sqrt(AVE) and the largest absolute factor correlation, per factor and group.

    Fornell-Larcker's discriminant check compares ``sqrt_ave`` with
    ``max_factor_correlation``. Columns :data:`VALIDITY_COLUMNS`.
    """
    params = fit.parameters
    rows = []
    for group in fit.groups:
        mine = params[params["group"] == group]
        loadings = mine[mine["op"] == "=~"]
        covariances = mine[
            (mine["op"] == "~~")
            & mine["lhs"].isin(fit.factors)
            & mine["rhs"].isin(fit.factors)
            & (mine["lhs"] != mine["rhs"])
        ]
        for factor in fit.factors:
            std = loadings[loadings["lhs"] == factor]["std_all"].to_numpy()
            total = np.abs(std).sum() ** 2
            cr = total / (total + np.sum(1 - std**2))
            ave = float(np.mean(std**2))
            linked = covariances[(covariances["lhs"] == factor) | (covariances["rhs"] == factor)]
            max_r = float(linked["std_all"].abs().max()) if len(linked) else math.nan
            rows.append((factor, group, len(std), cr, ave, math.sqrt(ave), max_r))
    return pd.DataFrame(rows, columns=list(VALIDITY_COLUMNS))


def htmt(
    data: pd.DataFrame,
    model: Mapping[str, Sequence[str]] | FactorModel,
    *,
    method: str = "arithmetic",
    missing: str = "listwise",
) -> pd.DataFrame:
    """Heterotrait-monotrait ratio for every pair of factors (columns :data:`HTMT_COLUMNS`).

    Factors need at least two items (the monotrait mean is over item pairs). ``missing``:
    correlations of complete respondents (``"listwise"``) or pairwise-complete ones
    (``"pairwise"``, = ``semTools::htmt(..., missing = "pairwise")``).
    """
    if method not in HTMT_METHODS:
        raise ValueError(f"method must be one of {HTMT_METHODS}, got {method!r}")
    parsed = parse_factor_model(model)
    short = [f for f in parsed.factors if len(parsed.indicators[f]) < 2]
    if short:
        raise PsychometricsError(f"HTMT needs at least two items per factor; {short} have one")
    corr = np.abs(item_correlations(data, parsed.items, missing).corr)
    index = {item: i for i, item in enumerate(parsed.items)}

    def average(values: np.ndarray) -> float:
        if method == "arithmetic":
            return float(np.mean(values))
        return float(np.exp(np.mean(np.log(values))))

    def mono(factor: str) -> float:
        idx = [index[i] for i in parsed.indicators[factor]]
        block = corr[np.ix_(idx, idx)]
        return average(block[np.triu_indices(len(idx), 1)])

    rows = []
    for a_pos, a in enumerate(parsed.factors):
        for b in parsed.factors[a_pos + 1 :]:
            ia = [index[i] for i in parsed.indicators[a]]
            ib = [index[i] for i in parsed.indicators[b]]
            hetero = average(corr[np.ix_(ia, ib)].ravel())
            rows.append((a, b, hetero / math.sqrt(mono(a) * mono(b))))
    return pd.DataFrame(rows, columns=list(HTMT_COLUMNS))
