"""Frozen typed models of the questionnaire, built once by :func:`load_instrument`.

Downstream code (fieldwork, ingest, scoring, index, reports) takes an :class:`Instrument`,
never a path or a dict. Item codes defined in the YAML flow unchanged into every output.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType

import pandas as pd

# Vocabulary, as data. Error messages list these.
ITEM_KINDS = ("consent", "single", "paired")
SCALE_KINDS = ("agreement", "grade", "count", "ordinal", "categorical", "role", "area", "unit")
# Scales whose answers are registry codes (text), not numbers: the area, and the team or
# organisation (recruitment unit) a respondent was reached through.
TEXT_SCALE_KINDS = ("area", "unit")
# The unit answer of a respondent who belongs to no listed team or organisation: such a
# respondent counts as a unit of one.
UNIT_NOT_LISTED = "individual"
CONSTRUCT_KINDS = ("reflective", "paired", "formative")
SIDES = ("professional", "informal")
PAIR_TARGETS = ("own", "other")
PLACEHOLDERS = ("own_group", "other_party")
PLACEHOLDER_PATTERN = re.compile(r"\{([^{}]*)\}")

# Items in sections default to the two sides of the index.
DEFAULT_ROLES = ("professional", "informal")

# A paired item `igf1` becomes two answer columns: `igf1_own` and `igf1_other`.
PAIR_SUFFIX = {"own": "_own", "other": "_other"}

Text = Mapping[str, str]  # language code -> text


def freeze(mapping: Mapping) -> Mapping:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class AnswerOption:
    code: int
    label: Text


@dataclass(frozen=True)
class AnswerScale:
    """Codes and labels an item can take; ``missing`` codes are 'weet niet' / 'n.v.t.'."""

    id: str
    kind: str
    options: tuple[AnswerOption, ...] = ()
    missing: tuple[AnswerOption, ...] = ()
    minimum: int | None = None
    maximum: int | None = None

    @property
    def valid_codes(self) -> tuple[int, ...]:
        """The codes that are substantive answers (missing codes excluded)."""
        if self.options:
            return tuple(o.code for o in self.options)
        return ()

    @property
    def missing_codes(self) -> tuple[int, ...]:
        return tuple(o.code for o in self.missing)

    @property
    def low(self) -> int | None:
        """Lowest substantive answer (for rescaling and reverse keys)."""
        return min(self.valid_codes) if self.options else self.minimum

    @property
    def high(self) -> int | None:
        return max(self.valid_codes) if self.options else self.maximum


@dataclass(frozen=True)
class Role:
    id: str
    code: int  # the answer code of this role in the role question
    side: str | None  # "professional", "informal" or None (not in the index)
    label: Text
    placeholders: Mapping[str, Text]


@dataclass(frozen=True)
class Item:
    """One answer column, after flattening (a paired item gives two of these)."""

    code: str
    section: str
    kind: str
    scale: str
    text: Text
    roles: tuple[str, ...]
    instruction: Text = field(default_factory=lambda: freeze({}))
    facet: str | None = None
    pair_base: str | None = None  # `igf1` for `igf1_own`
    pair_target: str | None = None  # "own" or "other"
    stem: Text = field(default_factory=lambda: freeze({}))  # the question a paired item answers
    yaml_path: str = ""  # where the item is defined, e.g. sections[3].items[0]


@dataclass(frozen=True)
class Section:
    id: str
    title: Text
    intro: Text
    item_codes: tuple[str, ...]


@dataclass(frozen=True)
class ScaleItem:
    code: str
    reverse: bool = False


@dataclass(frozen=True)
class Construct:
    """A scale: ``items`` lists the answer columns scored for it, with reverse keys.

    For a paired construct (IGF) ``items`` lists the attribute codes (``igf1``); the answer
    columns are ``igf1_own`` and ``igf1_other``.
    """

    code: str
    kind: str
    name: Text
    items: tuple[ScaleItem, ...]


@dataclass(frozen=True)
class Instrument:
    id: str
    version: str
    languages: tuple[str, ...]
    default_language: str
    title: Text
    roles: Mapping[str, Role]
    answer_scales: Mapping[str, AnswerScale]
    sections: tuple[Section, ...]
    items: tuple[Item, ...]
    constructs: Mapping[str, Construct]
    content_hash: str
    source: str

    @cached_property
    def _items_by_code(self) -> Mapping[str, Item]:
        return freeze({item.code: item for item in self.items})

    def item(self, code: str) -> Item:
        try:
            return self._items_by_code[code]
        except KeyError:
            raise KeyError(f"no item {code!r} in instrument {self.id} {self.version}") from None

    def role_of_code(self, code: int) -> Role:
        for role in self.roles.values():
            if role.code == code:
                return role
        raise KeyError(f"no role with answer code {code}")

    def scale_of(self, code: str) -> AnswerScale:
        return self.answer_scales[self.item(code).scale]

    @property
    def item_codes(self) -> tuple[str, ...]:
        return tuple(item.code for item in self.items)

    def construct_columns(self, construct: str, target: str | None = None) -> list[str]:
        """Answer columns of a construct; for a paired one, those of ``target`` (own/other)."""
        con = self.constructs[construct]
        if con.kind == "paired":
            if target not in PAIR_TARGETS:
                raise ValueError(f"construct {construct} is paired: target must be {PAIR_TARGETS}")
            return [si.code + PAIR_SUFFIX[target] for si in con.items]
        return [si.code for si in con.items]

    def text(self, code: str, role: str, language: str) -> str:
        """The wording of an item as a respondent of ``role`` reads it in ``language``."""
        item = self.item(code)
        return fill_placeholders(item.text[language], self.roles[role], language)

    def stem(self, code: str, role: str, language: str) -> str:
        item = self.item(code)
        return fill_placeholders(item.stem.get(language, ""), self.roles[role], language)

    def items_table(self) -> pd.DataFrame:
        """One row per answer column: the table that drives codebook, forms, scoring, models."""
        construct_of: dict[str, tuple[str, bool]] = {}
        for con in self.constructs.values():
            for si in con.items:
                if con.kind == "paired":
                    for target in PAIR_TARGETS:
                        construct_of[si.code + PAIR_SUFFIX[target]] = (con.code, si.reverse)
                else:
                    construct_of[si.code] = (con.code, si.reverse)
        rows = []
        for position, item in enumerate(self.items, start=1):
            scale = self.answer_scales[item.scale]
            construct, reverse = construct_of.get(item.code, (None, False))
            row = {
                "position": position,
                "code": item.code,
                "section": item.section,
                "kind": item.kind,
                "answer_scale": item.scale,
                "scale_kind": scale.kind,
                "low": scale.low,
                "high": scale.high,
                "missing_codes": " ".join(str(c) for c in scale.missing_codes),
                "construct": construct,
                "reverse": reverse,
                "facet": item.facet,
                "pair_base": item.pair_base,
                "pair_target": item.pair_target,
                "roles": " ".join(item.roles),
            }
            for language in self.languages:
                row[f"text_{language}"] = item.text[language]
            rows.append(row)
        return pd.DataFrame(rows)


def wording_field(placeholder: str, language: str) -> str:
    """Name of the XLSForm calculate that holds a placeholder's wording: ``other_party_nl``."""
    return f"{placeholder}_{language}"


def wording_fields(instrument: Instrument) -> tuple[str, ...]:
    """The calculate fields that carry role-dependent wording (extra export columns)."""
    return tuple(
        wording_field(p, language) for p in PLACEHOLDERS for language in instrument.languages
    )


def fill_placeholders(template: str, role: Role, language: str) -> str:
    return PLACEHOLDER_PATTERN.sub(lambda m: role.placeholders[m.group(1)][language], template)


@dataclass(frozen=True)
class Unit:
    """A recruitment unit: a wijkteam (professional side) or an organisation or initiative
    (informal side) through which respondents of one area are reached."""

    code: str
    name: str
    area: str
    side: str
    members: int | None = None  # optional: how many people the unit has


@dataclass(frozen=True)
class Area:
    id: str
    name: str
    municipality_code: str
    municipality: str
    kind: str
    cbs_wijk: str | None = None
    cbs_buurt: str | None = None
    units: tuple[Unit, ...] = ()
    # Boundary history: the first and last wave the area exists with these boundaries (wave
    # ids; None: open), and the areas whose territory it took over (a merge or a split).
    valid_from: str | None = None
    valid_to: str | None = None
    replaces: tuple[str, ...] = ()


@dataclass(frozen=True)
class BoundaryFile:
    """Where a registry's area outlines are: a GeoJSON file, and the feature properties that
    hold the CBS codes its areas are matched on (``cbs_wijk``, ``cbs_buurt``)."""

    path: str  # as the registry names it, joined to the registry's folder
    wijk_property: str = "wijkcode"
    buurt_property: str = "buurtcode"
    source: str | None = None  # who made the outlines, printed under the map (attribution)


@dataclass(frozen=True)
class AreaCovariates:
    """Area covariates for the small-area model: the CSV they came from, the covariates'
    names and per area id its values in that order."""

    path: str
    names: tuple[str, ...]
    values: tuple[tuple[str, tuple[float, ...]], ...]

    def table(self) -> pd.DataFrame:
        """One row per area: column ``area`` and one column per covariate."""
        rows = [{"area": area, **dict(zip(self.names, v, strict=True))} for area, v in self.values]
        return pd.DataFrame(rows, columns=["area", *self.names])


@dataclass(frozen=True)
class AreaRegistry:
    areas: tuple[Area, ...]
    source: str
    boundaries: BoundaryFile | None = None
    covariates: AreaCovariates | None = None

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.areas)

    @property
    def units(self) -> tuple[Unit, ...]:
        return tuple(unit for area in self.areas for unit in area.units)

    def get(self, area_id: str) -> Area:
        for area in self.areas:
            if area.id == area_id:
                return area
        raise KeyError(area_id)

    def table(self) -> pd.DataFrame:
        """One row per area (without its units; see :meth:`units_table`)."""
        return pd.DataFrame(
            [{k: v for k, v in a.__dict__.items() if k != "units"} for a in self.areas]
        )

    def units_table(self) -> pd.DataFrame:
        """One row per unit: code, name, area, side, members."""
        columns = ["code", "name", "area", "side", "members"]
        return pd.DataFrame([u.__dict__ for u in self.units], columns=columns)


def questionnaire_changes(before: Instrument, after: Instrument) -> dict:
    """What changed between two questionnaires, by item code: ``added``, ``dropped`` and
    ``changed`` items (wording, answer scale, kind or roles), and the ``constructs`` whose
    scored items or reverse keys differ, or that hold a changed item."""

    def item_of(instrument: Instrument, code: str) -> tuple:
        item = instrument.item(code)
        return (item.kind, item.scale, dict(item.text), item.roles, dict(item.stem))

    old, new = set(before.item_codes), set(after.item_codes)
    changed = sorted(c for c in old & new if item_of(before, c) != item_of(after, c))
    touched = set(changed) | (old ^ new)
    constructs = sorted(
        code
        for code in set(before.constructs) | set(after.constructs)
        if before.constructs.get(code) is None
        or after.constructs.get(code) is None
        or before.constructs[code].items != after.constructs[code].items
        or any(
            item.code in touched or f"{item.code}_own" in touched
            for item in after.constructs[code].items
        )
    )
    return {
        "added": sorted(new - old),
        "dropped": sorted(old - new),
        "changed": changed,
        "constructs": constructs,
    }
