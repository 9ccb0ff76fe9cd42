"""Factor models as plain mappings, their validation, and the error type of the psychometrics.

A factor model is written like lavaan's ``=~`` lines, as a mapping from factor name to item
codes: ``{"TRU": ["tru1", "tru2", "-tru3"]}``. An item written ``-code`` is reverse-keyed:
reliability recodes it as ``scale_min + scale_max - x``; a CFA simply estimates a negative
loading for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

REVERSE_PREFIX = "-"


class PsychometricsError(ValueError):
    """Raised when data or a model cannot be analysed; the message says what and how to fix."""


@dataclass(frozen=True)
class FactorModel:
    """A validated factor model.

    Attributes
    ----------
    factors : factor names in the order given.
    indicators : per factor, its item codes without the reverse-key prefix.
    reverse_keyed : item codes that were written with a leading ``-``.
    """

    factors: tuple[str, ...]
    indicators: Mapping[str, tuple[str, ...]]
    reverse_keyed: frozenset[str]

    @property
    def items(self) -> tuple[str, ...]:
        """All item codes in model order, each once."""
        seen: dict[str, None] = {}
        for factor in self.factors:
            for item in self.indicators[factor]:
                seen.setdefault(item, None)
        return tuple(seen)

    def subset(self, factors: Sequence[str]) -> FactorModel:
        """The model restricted to ``factors``."""
        keep = tuple(factors)
        return FactorModel(
            keep,
            {f: self.indicators[f] for f in keep},
            frozenset(i for f in keep for i in self.indicators[f] if i in self.reverse_keyed),
        )


def parse_factor_model(model: Mapping[str, Sequence[str]] | FactorModel) -> FactorModel:
    """Validate a ``{factor: [item, "-item", ...]}`` mapping and return a :class:`FactorModel`."""
    if isinstance(model, FactorModel):
        return model
    if not isinstance(model, Mapping) or not model:
        raise PsychometricsError(
            "the factor model must be a non-empty mapping {factor: [item, ...]}; "
            f"got {type(model).__name__}"
        )
    indicators: dict[str, tuple[str, ...]] = {}
    reverse: set[str] = set()
    for factor, items in model.items():
        if isinstance(items, str) or not isinstance(items, Sequence) or not items:
            raise PsychometricsError(
                f"factor {factor!r}: give its items as a non-empty list of item codes"
            )
        codes = []
        for raw in items:
            if not isinstance(raw, str) or not raw.lstrip(REVERSE_PREFIX):
                raise PsychometricsError(f"factor {factor!r}: item {raw!r} is not an item code")
            code = raw[1:] if raw.startswith(REVERSE_PREFIX) else raw
            if raw.startswith(REVERSE_PREFIX):
                reverse.add(code)
            codes.append(code)
        if len(set(codes)) != len(codes):
            raise PsychometricsError(f"factor {factor!r} lists an item twice: {codes}")
        indicators[str(factor)] = tuple(codes)
    return FactorModel(tuple(indicators), indicators, frozenset(reverse))


def check_columns(data: pd.DataFrame, columns: Sequence[str], what: str = "item") -> None:
    """Raise :class:`PsychometricsError` if ``data`` lacks any of ``columns``."""
    if not isinstance(data, pd.DataFrame):
        raise PsychometricsError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise PsychometricsError(
            f"{what} column(s) {missing} are not in the data; "
            f"available columns: {list(data.columns)}"
        )


def numeric_items(data: pd.DataFrame, items: Sequence[str]) -> pd.DataFrame:
    """The item columns as float64 with NaN for missing answers (the caller's frame is kept)."""
    check_columns(data, items)
    subset = data[list(items)]
    if all(pd.api.types.is_numeric_dtype(dtype) for dtype in subset.dtypes):
        return pd.DataFrame(
            subset.to_numpy(dtype="float64", na_value=np.nan), index=data.index, columns=items
        )
    out = {}
    for item in items:
        column = pd.to_numeric(data[item], errors="coerce")
        bad = column.isna() & data[item].notna()
        if bad.any():
            raise PsychometricsError(
                f"item {item!r} has non-numeric answers (first at row {bad.idxmax()!r}); "
                "recode answers to numbers and missing answers to NaN"
            )
        out[item] = column.astype("float64").to_numpy(na_value=np.nan)
    return pd.DataFrame(out, index=data.index)


def recode_reverse_keyed(
    answers: pd.DataFrame, reverse_keyed: frozenset[str], scale_min: float, scale_max: float
) -> pd.DataFrame:
    """Return a copy with reverse-keyed items recoded as ``scale_min + scale_max - x``."""
    if not np.isfinite(scale_min) or not np.isfinite(scale_max) or scale_min >= scale_max:
        raise PsychometricsError(
            f"the answer range must satisfy scale_min < scale_max; got {scale_min}, {scale_max}"
        )
    out = answers.copy()
    for item in out.columns:
        values = out[item].to_numpy()
        outside = np.isfinite(values) & ((values < scale_min) | (values > scale_max))
        if outside.any():
            raise PsychometricsError(
                f"item {item!r} has answers outside the range {scale_min}..{scale_max} "
                f"(e.g. {values[outside][0]}); code 'don't know' answers as missing (NaN) "
                "or pass the right scale_min/scale_max"
            )
        if item in reverse_keyed:
            out[item] = scale_min + scale_max - values
    return out
