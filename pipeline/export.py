"""Safe machine-readable exports: text cells that a spreadsheet would run as a formula."""

from __future__ import annotations

import pandas as pd

# A cell starting with one of these is a formula in Excel, LibreOffice and Google Sheets
# (OWASP "CSV injection"); tab and carriage return can hide one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy in which every text cell that could start a formula is prefixed with ``'``.

    Numbers are left alone (a negative number is data, not a formula).
    """
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            text = out[column]
            risky = text.astype(str).str.startswith(FORMULA_STARTS) & text.map(
                lambda v: isinstance(v, str)
            )
            out[column] = text.where(~risky, "'" + text.astype(str))
    return out
