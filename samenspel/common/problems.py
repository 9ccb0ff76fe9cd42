"""Problems found in a user's file, as records: a stable code, where, what, how to fix.

Every stage that reads something a person wrote (the instrument YAML, the area registry, a
survey export) reports problems this way. Errors stop the run; warnings are printed and the
run goes on. The CLI prints them all together.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Level(StrEnum):
    ERROR = "error"
    WARNING = "warning"


# The catalogue: code -> one-line description. Codes are stable; tests and users rely on them.
CATALOGUE: dict[str, str] = {
    "file-not-found": "the file does not exist or cannot be read",
    "invalid-yaml": "the file is not valid YAML",
    "file-too-large": "the file is larger than a settings file can sensibly be",
    "missing-field": "a required field is absent",
    "wrong-type": "a field has the wrong type",
    "unknown-field": "a field that the file's layout does not have (a misspelling?)",
    "invalid-value": "a field has a value outside the allowed choices",
    "duplicate-code": "two items, sections, constructs or areas share a code",
    "invalid-code": "a code is not usable as a column and XML name",
    "unknown-reference": "a reference to something that is not defined",
    "undefined-answer-scale": "an item uses an answer scale that is not defined",
    "missing-translation": "a text lacks one of the instrument's languages",
    "unknown-placeholder": "a text uses a placeholder that is not defined",
    "reverse-non-agreement": "a reverse key on an item that is not on an agreement scale",
    "scale-too-short": "a reflective scale has fewer than 3 items",
    "consent-not-first": "the consent item is missing or not the first item",
    "missing-code-overlap": "a missing-value code is also a valid answer",
    "readability": "a Dutch text is hard to read (Flesch-Douma)",
    # survey exports (ingest); rejected rows have their own reasons (ingest.REJECT_REASONS)
    "unknown-column": "a column matches no item code and no known metadata field",
    "missing-column": "an item of the instrument has no column in the file",
    "wrong-wave": "the file was ingested for another wave or instrument version",
    "identifying-data": "a column or value holds a name, e-mail address or phone number",
    "ambiguous-column": "two columns of a file map to the same item code",
    "label-mismatch": "an SPSS value label differs from the instrument's label for that code",
    "long-sentence": "a sentence is longer than the house limit",
    # the boundaries file the area registry points to (instrument/boundaries.py)
    "invalid-geojson": "the boundaries file is not a GeoJSON FeatureCollection",
    "invalid-geometry": "a feature of the boundaries file has no usable Polygon or MultiPolygon",
    "unsupported-crs": "the boundaries file is not in RD New (EPSG:28992), WGS84 or ETRS89",
    "coordinates-outside-netherlands": "the boundaries file's coordinates do not lie in the "
    "Netherlands in the system they are read in",
    "boundary-not-found": "no feature of the boundaries file has an area's CBS code",
    "boundary-near-match": "an area's CBS code matches a feature's only after restoring case "
    "or leading zeros",
    "boundary-other-municipality": "an area's CBS code belongs to another municipality",
}


@dataclass(frozen=True)
class Problem:
    """One problem with a user's file.

    ``where`` names the file and the place inside it: a YAML path such as
    ``sections[2].items[0].text.en``, or a row and column of a data file.
    """

    level: Level
    code: str
    where: str
    message: str
    hint: str = ""

    def __post_init__(self) -> None:
        if self.code not in CATALOGUE:
            raise ValueError(f"unknown problem code {self.code!r}; known: {sorted(CATALOGUE)}")

    def __str__(self) -> str:
        text = f"{self.level}: {self.where}: {self.message} [{self.code}]"
        return f"{text}\n    fix: {self.hint}" if self.hint else text


class ProblemsFound(Exception):
    """Raised when a user's file has errors; carries every problem found, warnings included."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.level is Level.ERROR]
        super().__init__(f"{len(errors)} error(s) found")

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def yaml_key(key: object) -> str:
    """A mapping key as a step of a YAML path: as written, or quoted with escapes when it
    holds characters that cannot be printed (a path must not act on the terminal)."""
    text = str(key)
    return text if text.isprintable() else repr(text)


def has_errors(problems: list[Problem]) -> bool:
    return any(p.level is Level.ERROR for p in problems)


class InputError(Exception):
    """A user mistake that is not about one place in a file: a missing input, a wrong store.

    The message is one paragraph saying what is wrong and what to do; the CLI prints it
    without a traceback.
    """
