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
    for column in _text_columns(out):
        text = out[column]
        risky = text.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_STARTS))
        out[column] = text.where(~risky, "'" + text.astype(str))
    return out


def restore_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """The inverse of :func:`neutralise_formulas`, for reading a result file back."""
    out = frame.copy()
    for column in _text_columns(out):
        text = out[column]
        guarded = text.map(
            lambda v: isinstance(v, str) and v.startswith("'") and v[1:].startswith(FORMULA_STARTS)
        )
        out[column] = text.where(~guarded, text.astype(str).str[1:])
    return out


def _text_columns(frame: pd.DataFrame) -> list:
    return [
        c
        for c in frame.columns
        if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])
    ]


def printable(text: str, keep: str = "") -> str:
    """Text safe for a terminal: control characters (escape sequences, carriage returns)
    shown as ``\\x..`` instead of acting on the terminal; ``keep`` lists characters to
    leave as they are (a message's own line breaks)."""
    return "".join(c if c.isprintable() or c in keep else f"\\x{ord(c):02x}" for c in str(text))
