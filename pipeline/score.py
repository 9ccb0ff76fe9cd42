"""Scale scores per respondent: missing codes out, reverse keys applied, the half rule.

Input is a wide frame with one column per item code (answer codes as numbers, NaN when
blank); output has one column per construct score. Nothing here reads files.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from samenspel.instrument.model import PAIR_TARGETS, TEXT_SCALE_KINDS, Instrument


def clean_answers(responses: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """Numeric item columns as floats with 'weet niet' / 'n.v.t.' codes turned into NaN.

    The area and unit items hold registry codes, not numbers, and are left out.
    """
    codes = [
        code for code in instrument.item_codes
        if code in responses.columns and instrument.scale_of(code).kind not in TEXT_SCALE_KINDS
    ]  # fmt: skip
    frame = responses[codes]
    try:
        array = frame.to_numpy(dtype=float, na_value=np.nan, copy=True)
    except (TypeError, ValueError):  # text columns: parse them, and say which one fails
        array = frame.apply(pd.to_numeric, errors="raise").to_numpy(dtype=float, copy=True)
    for j, code in enumerate(codes):
        missing = instrument.scale_of(code).missing_codes
        if missing:
            column = array[:, j]
            column[np.isin(column, missing)] = np.nan
    return pd.DataFrame(array, index=responses.index, columns=codes)


def mean_with_rule(values: pd.DataFrame, min_share: float) -> pd.Series:
    """Row mean over answered columns; NaN when fewer than ``min_share`` of them answered."""
    if not 0 < min_share <= 1:
        raise ValueError(f"min_share must be in (0, 1], got {min_share}")
    array = values.to_numpy(dtype=float)
    answered = (~np.isnan(array)).sum(axis=1)
    needed = int(np.ceil(min_share * array.shape[1]))
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.nansum(array, axis=1) / answered
    means[answered < max(needed, 1)] = np.nan
    return pd.Series(means, index=values.index)


def score_scales(answers: pd.DataFrame, instrument: Instrument, min_share: float) -> pd.DataFrame:
    """Construct scores per respondent.

    Reflective constructs: mean of the items after reverse keys (``low + high - x``).
    Paired constructs (IGF): ``IGF_own``, ``IGF_other`` (mean grades) and ``IGF_gap``
    (own minus other). Formative constructs (COL) are not averaged here: their items have
    no common metric (see the index's goalposts).
    """
    scores = {}
    for construct in instrument.constructs.values():
        if construct.kind == "reflective":
            columns = {}
            for si in construct.items:
                values = answers[si.code]
                if si.reverse:
                    scale = instrument.scale_of(si.code)
                    values = scale.low + scale.high - values
                columns[si.code] = values
            scores[construct.code] = mean_with_rule(pd.DataFrame(columns), min_share)
        elif construct.kind == "paired":
            for target in PAIR_TARGETS:
                cols = instrument.construct_columns(construct.code, target)
                scores[f"{construct.code}_{target}"] = mean_with_rule(answers[cols], min_share)
            scores[f"{construct.code}_gap"] = (
                scores[f"{construct.code}_own"] - scores[f"{construct.code}_other"]
            )
    return pd.DataFrame(scores, index=answers.index)
