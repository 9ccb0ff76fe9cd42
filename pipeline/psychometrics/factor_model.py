"""Factor models as plain mappings, their validation, and the error type of the psychometrics.

A factor model is written like lavaan's ``=~`` lines, as a mapping from factor name to item
codes: ``{"TRU": ["tru1", "tru2", "-tru3"]}``. An item written ``-code`` is reverse-keyed:
reliability recodes it as ``scale_min + scale_max - x``; a CFA simply estimates a negative
loading for it.

A loading can be fixed to a value as in lavaan's ``f =~ 0.7*x1``: write the item as
``"0.7*x1"`` (or ``"0.7*-x1"`` for a reverse-keyed item). An item may load on several
factors (a bifactor model lists every item under the general factor and again under its
specific factor; fit it with ``orthogonal=True, std_lv=True``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

REVERSE_PREFIX = "-"
#: Separates a fixed loading value from the item code (lavaan's ``0.7*x1``).
FIXED_SEPARATOR = "*"


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
    fixed : ``{(factor, item): value}`` of loadings fixed by ``"value*item"``.
    """

    factors: tuple[str, ...]
    indicators: Mapping[str, tuple[str, ...]]
    reverse_keyed: frozenset[str]
    fixed: Mapping[tuple[str, str], float] = field(default_factory=dict)

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
            {k: v for k, v in self.fixed.items() if k[0] in keep},
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
    fixed: dict[tuple[str, str], float] = {}
    for factor, items in model.items():
        if isinstance(items, str) or not isinstance(items, Sequence) or not items:
            raise PsychometricsError(
                f"factor {factor!r}: give its items as a non-empty list of item codes"
            )
        codes = []
        for raw in items:
            value, raw_code = _split_fixed(factor, raw)
            if not raw_code.lstrip(REVERSE_PREFIX):
                raise PsychometricsError(f"factor {factor!r}: item {raw!r} is not an item code")
            code = raw_code[1:] if raw_code.startswith(REVERSE_PREFIX) else raw_code
            if raw_code.startswith(REVERSE_PREFIX):
                reverse.add(code)
            if value is not None:
                fixed[(str(factor), code)] = value
            codes.append(code)
        if len(set(codes)) != len(codes):
            raise PsychometricsError(f"factor {factor!r} lists an item twice: {codes}")
        indicators[str(factor)] = tuple(codes)
    return FactorModel(tuple(indicators), indicators, frozenset(reverse), fixed)


def _split_fixed(factor, raw) -> tuple[float | None, str]:
    """``"0.7*x1"`` -> (0.7, "x1"); ``"x1"`` -> (None, "x1")."""
    if not isinstance(raw, str):
        raise PsychometricsError(f"factor {factor!r}: item {raw!r} is not an item code")
    if FIXED_SEPARATOR not in raw:
        return None, raw.strip()
    number, _, code = raw.partition(FIXED_SEPARATOR)
    try:
        value = float(number)
    except ValueError:
        raise PsychometricsError(
            f"factor {factor!r}: {raw!r} is not 'value*item'; write a fixed loading as a "
            "number, e.g. '0.7*x1'"
        ) from None
    if not np.isfinite(value):
        raise PsychometricsError(f"factor {factor!r}: the fixed loading in {raw!r} is not finite")
    return value, code.strip()


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
