"""How the report writes figures and dates: Dutch notation on the Dutch pages, English on the
English ones, from the Unicode CLDR through babel rather than by hand.

    number(40.44, "nl")            # "40,4"     ("40.4" in English)
    signed(7.0, "nl")              # "+7,0"
    interval(50.72, 61.8, "nl")    # "50,7–61,8"
    percent(0.0, "nl")             # "0,0%"
    pvalue(0.4361, "nl")           # "0,436"    (".436" in English, as APA writes it)
    plain(2.5, "nl")               # "2,5"      (no trailing zeros: a rule's threshold)
    long_date(date(2026, 12, 7), "nl")  # "7 december 2026"

A missing figure (None, NaN) is an en dash in every language. Figures are rounded as Python
rounds them (``round``, on the binary value) before babel writes them, so a figure has the
same digits in both languages and in the result files. No thousands separator: in Dutch
"1.234" would read as a decimal point to an English reader and the other way round, and the
report's figures are indices, shares and counts of a few thousand at most.
"""

from __future__ import annotations

import numbers
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent

LOCALES = {"nl": "nl_NL", "en": "en_GB"}  # en_GB: "7 December 2026", as the report writes
MISSING = "–"
DUTCH_TIME = ZoneInfo("Europe/Amsterdam")  # the report's dates and times are the Dutch ones


def _locale(language: str) -> str:
    try:
        return LOCALES[language]
    except KeyError:
        raise ValueError(f"language must be one of {tuple(LOCALES)}, got {language!r}") from None


def is_missing(value) -> bool:
    """None, NaN or pandas' NA: a figure that is not there (or suppressed)."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN and pd.NA are not equal to themselves
    except TypeError:  # pd.NA: its comparison is NA, which has no truth value
        return True


def _pattern(digits: int) -> str:
    return "0." + "0" * digits if digits > 0 else "0"


def _is_figure(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def number(value, language: str, digits: int = 1) -> str:
    """A figure with ``digits`` decimals; text (a code, a note) is returned as it is."""
    if is_missing(value):
        return MISSING
    if not _is_figure(value):
        return str(value)
    return format_decimal(round(float(value), digits), _pattern(digits), locale=_locale(language))


def signed(value, language: str, digits: int = 1) -> str:
    """A difference, with its sign also when positive: "+7,0", "-2,5"."""
    if is_missing(value) or not _is_figure(value):
        return number(value, language, digits)
    pattern = _pattern(digits)
    rounded = round(float(value), digits)
    return format_decimal(rounded, f"+{pattern};-{pattern}", locale=_locale(language))


def interval(low, high, language: str, digits: int = 1) -> str:
    """An interval as the report writes it: "50,7–61,8"."""
    return f"{number(low, language, digits)}–{number(high, language, digits)}"


def percent(share, language: str, digits: int = 1) -> str:
    """A share (0.404) as a percentage: "40,4%"."""
    if is_missing(share):
        return MISSING
    rounded = round(100 * float(share), digits) / 100
    return format_percent(rounded, _pattern(digits) + "%", locale=_locale(language))


def pvalue(value, language: str) -> str:
    """A p-value with three decimals, "< 0,001" below that. English drops the leading zero
    of a figure that cannot exceed 1 (APA: ".436"); Dutch writes it ("0,436")."""
    if is_missing(value) or not _is_figure(value):
        return number(value, language, 3)
    shown = number(max(float(value), 0.001), language, 3)
    if language == "en":
        shown = shown.removeprefix("0")
    return f"< {shown}" if value < 0.001 else shown


def plain(value, language: str) -> str:
    """A figure with as many decimals as it has (up to three): a rule's threshold, "5",
    "2,5"."""
    if is_missing(value) or not _is_figure(value):
        return number(value, language)
    return format_decimal(float(value), "0.###", locale=_locale(language))


def long_date(day: date, language: str) -> str:
    """A date as a reader writes it: "7 december 2026", "7 December 2026"."""
    return format_date(day, format="d MMMM y", locale=_locale(language))


def moment(value: str | datetime, language: str) -> str:
    """An ISO time stamp (as metadata.json records it) as a Dutch reader's date and time,
    in Dutch time: "1 december 2026, 10:00"."""
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    if when.tzinfo is None:  # a stamp without zone is taken as UTC, as `analyse` writes
        when = when.replace(tzinfo=ZoneInfo("UTC"))
    return format_datetime(when, "d MMMM y, HH:mm", tzinfo=DUTCH_TIME, locale=_locale(language))
