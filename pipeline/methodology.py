"""The index methodology file, loaded into one frozen record (see methodology.yaml).

Every field is checked as it is read, the way the questionnaire is: its type, its range or
choices, fields that are missing or unknown, and the references between sections. All
problems of a file are reported together, each with its YAML path (``components.IGF.max_gap``),
what is wrong and how to fix it.
"""

from __future__ import annotations

import dataclasses
import math
import operator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from samenspel.common.problems import Level, Problem, ProblemsFound, yaml_key
from samenspel.instrument.areas import name_problem
from samenspel.instrument.load import (
    CODE_PATTERN,
    CONSTRUCT_CODE_PATTERN,
    closest_key,
    kind_of,
    read_yaml,
)
from samenspel.instrument.model import Instrument
from samenspel.pipeline.psychometrics.cfa import ESTIMATOR_OPTIONS
from samenspel.pipeline.psychometrics.model_spec import PARAMETERIZATION_OPTIONS

DEFAULT_METHODOLOGY = Path(__file__).with_name("methodology.yaml")

COMPONENTS = ("IGF", "OGD", "TRU", "UNF", "DIS", "IND", "COL")
COMPONENT_MAPPINGS = ("rescaled", "reversed", "positive_gap", "symmetric_gap", "counts_and_quality")
IGF_MAPPINGS = ("positive_gap", "symmetric_gap")
# What a component measures fixes how it can be mapped: IGF is the gap between two grades
# (the sensitivity analysis swaps its two mappings), COL is counted, the others are
# agreement scales read one way or the other.
MAPPINGS_OF = {
    "IGF": IGF_MAPPINGS,
    "COL": ("counts_and_quality",),
    **{name: ("rescaled", "reversed") for name in ("OGD", "TRU", "UNF", "DIS", "IND")},
}
MAPPING_FIELDS = {
    "rescaled": ("from", "mapping"),
    "reversed": ("from", "mapping"),
    "positive_gap": ("from", "mapping", "max_gap"),
    "symmetric_gap": ("from", "mapping", "max_gap"),
    "counts_and_quality": ("from", "mapping", "caps", "quality"),
}
# The report has wording (and the bands colours) for these names only.
PILLARS = ("attitudes", "three_os", "practice")
BANDS = ("co-existence", "rapprochement", "hybridisation")  # lowest first
SIDE_AGGREGATIONS = ("geometric", "arithmetic", "minimum")
CHANGE_P_VALUES = ("bootstrap_se", "percentile")
# change.panel_units: a unit in both waves of a change draws its effect anew in each wave
# (independent, the default) or keeps it (carry: a team keeps its standing)
PANEL_UNITS = ("independent", "carry")
CORRECTIONS = ("holm", "fdr_bh")
# What an area's interval is about (docs/methodology.md, section 6): its listed units' members
# now (finite) or units and members that could have been reached (superpopulation).
UNIT_POPULATIONS = ("finite", "superpopulation")
MEMBER_POPULATIONS = ("superpopulation", "finite")
# Small-area estimates (docs/methodology.md, section 5.1): the model, how its variances are
# estimated, and whether it borrows from the area's earlier waves.
SMALL_AREA_MODELS = ("fay_herriot", "none")
SMALL_AREA_VARIANCES = ("adjusted_reml", "reml")
SMALL_AREA_WAVES = ("earlier", "current")
TOP_LEVEL = (
    "version", "scoring", "components", "pillars", "pillar_weights", "side_aggregation",
    "bands", "uncertainty", "small_cells", "small_area", "change", "comparisons",
    "sensitivity", "psychometrics",
)  # fmt: skip

# psychometrics.missing: every answer (FIML, or pairwise under WLSMV) or complete respondents
PSYCHOMETRICS_MISSING_OPTIONS = ("fiml", "listwise")
# Limits that protect the machine (methodology.yaml says why at each field).
REPLICATES = (100, 10_000)
DRAWS = (100, 5_000)
SENSITIVITY_OPTIONS_MAX = 10  # entries of a sensitivity list; each is a pass over the data
SEED_MAX = 2**32 - 1  # 32-bit seeds, as in R's set.seed and most tools


@dataclass(frozen=True)
class Band:
    band: str
    label_nl: str
    lower: float


@dataclass(frozen=True)
class Methodology:
    version: str
    min_share_answered: float
    components: dict[str, dict[str, Any]]
    pillars: dict[str, tuple[str, ...]]
    pillar_weights: dict[str, float]
    side_aggregation: str
    bands: tuple[Band, ...]
    replicates: int
    confidence: float
    seed: int
    unit_icc: float
    unit_icc_units: float
    publish_min: int
    indicative_min: int
    source: str
    change_p_value: str = "bootstrap_se"
    false_discovery_rate: float = 0.05
    meaningful_change: float = 5.0
    panel_units: str = "independent"
    correction: str = "holm"
    # Games-Howell pairs of areas only within a municipality of at most this many areas
    games_howell_max_areas: int = 30
    sensitivity: dict[str, Any] = field(default_factory=dict)
    # psychometrics: the CFA estimator, parameterisation and the treatment shown beside it
    cfa_estimator: str = "WLSMV"
    cfa_parameterization: str = "delta"
    cfa_comparison: str = "MLR"
    # how missing answers enter the psychometrics: fiml (every answer: full-information ML
    # under ML and MLR, pairwise polychorics under WLSMV) or listwise (complete respondents)
    cfa_missing: str = "fiml"
    # the respondents per side and wave the psychometrics use (None: everyone)
    psychometrics_sample: int | None = 5000
    # invariance by language and by mode: the fewest respondents a language or mode needs
    # in a wave to be compared
    invariance_min_group: int = 100
    # uncertainty.units and uncertainty.members: which part of the bootstrap's variance is
    # corrected for the share of the listed units (members) that was reached
    units: str = "finite"
    members: str = "superpopulation"
    # small_area: the Fay-Herriot model beside the direct estimates (see small_area.py)
    small_area_model: str = "fay_herriot"
    small_area_variance: str = "adjusted_reml"
    small_area_waves: str = "earlier"
    small_area_min_respondents: int = 2
    small_area_min_areas: int = 5
    small_area_max_rmse: float = 7.5

    def band_of(self, value: float) -> str:
        """The band an index value falls in ('' for a missing value)."""
        if value != value:  # NaN
            return ""
        label = self.bands[0].band
        for band in self.bands:
            if value >= band.lower:
                label = band.band
        return label


ABSENT = object()  # an optional field left out: the record's default applies


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _at(where: str, key: Any) -> str:
    return f"{where}.{yaml_key(key)}" if where else yaml_key(key)


class _Reader:
    """Reads the parsed file field by field. A field that fails its check adds a problem and
    reads as None, so that one pass finds every problem of the file."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def error(self, where: str, code: str, message: str, hint: str) -> None:
        self.problems.append(Problem(Level.ERROR, code, f"{self.source}: {where}", message, hint))

    def mapping(self, node: Any, where: str, contents: str, optional: bool = False):
        """A section: None (reported) when missing or not a mapping; {} for an optional
        section that is absent or empty. ``contents`` says what belongs in it, for hints."""
        if node is None:
            if not optional:
                self.error(
                    where,
                    "missing-field",
                    "this section is missing",
                    f"add `{where.rsplit('.', 1)[-1]}:` with {contents}",
                )
            return {} if optional else None
        if not isinstance(node, dict):
            self.error(
                where,
                "wrong-type",
                f"expected `field: value` lines, found {kind_of(node)}",
                f"write {contents} under it, one per line",
            )
            return None
        return node

    def unknown(self, section: dict | None, where: str, fields: tuple) -> None:
        for key in section or {}:
            if key not in fields:
                self.error(
                    _at(where, key),
                    "unknown-field",
                    f"{_show(key)} is not a field here",
                    closest_key(str(key), tuple(fields)),
                )

    def section(self, node: Any, where: str, fields: tuple, optional: bool = False):
        """A section with only the given fields."""
        section = self.mapping(node, where, ", ".join(fields), optional)
        self.unknown(section, where, fields)
        return section

    def field(
        self,
        section: dict | None,
        where: str,
        key: str,
        check,
        required: bool = True,
        nullable: bool = False,
    ):
        """``key`` of a section read with ``check``. Absent (or empty, unless ``nullable``:
        then an empty field is None, a value): a problem if required, else :data:`ABSENT`.
        None when the field or its section was reported."""
        if section is None:
            return None
        value = section.get(key)
        if value is None and nullable and key in section:
            return None
        if value is None:
            if required:
                self.error(
                    _at(where, key),
                    "missing-field",
                    "this field is missing",
                    f"add it, e.g. `{key}: {check.example}`",
                )
                return None
            return ABSENT
        return check(self, value, _at(where, key))


@dataclass(frozen=True)
class _Number:
    """A finite number within bounds; ``whole`` for counts and seeds."""

    example: float
    above: float | None = None
    at_least: float | None = None
    below: float | None = None
    at_most: float | None = None
    whole: bool = False

    def range(self) -> str:
        bounds = [
            f"{word} {bound:,}"
            for word, bound in (
                ("above", self.above),
                ("at least", self.at_least),
                ("below", self.below),
                ("at most", self.at_most),
            )
            if bound is not None
        ]
        kind = "a whole number" if self.whole else "a number"
        return f"{kind} {' and '.join(bounds)}" if bounds else kind

    def __call__(self, reader: _Reader, value: Any, where: str):
        types = int if self.whole else int | float
        if isinstance(value, bool) or not isinstance(value, types):
            reader.error(
                where,
                "wrong-type",
                f"expected {self.range()}, found {kind_of(value)} {_show(value)}",
                f"write e.g. {self.example}",
            )
            return None
        try:
            number = float(value)
        except OverflowError:  # an integer of hundreds of digits
            number = math.inf
        inside = math.isfinite(number) and all(
            bound is None or test(number, bound)
            for bound, test in (
                (self.above, operator.gt),
                (self.at_least, operator.ge),
                (self.below, operator.lt),
                (self.at_most, operator.le),
            )
        )
        if not inside:
            reader.error(
                where,
                "invalid-value",
                f"must be {self.range()}, found {_show(value)}",
                f"e.g. {self.example}",
            )
            return None
        return value if self.whole else number


@dataclass(frozen=True)
class _Choice:
    options: tuple[str, ...]

    @property
    def example(self) -> str:
        return self.options[0]

    def __call__(self, reader: _Reader, value: Any, where: str):
        if value not in self.options:
            reader.error(
                where,
                "invalid-value",
                f"{_show(value)} is not known",
                f"use one of {', '.join(self.options)}",
            )
            return None
        return value


@dataclass(frozen=True)
class _Text:
    """One line of plain text, as the names in the area registry."""

    what: str
    example: str

    def __call__(self, reader: _Reader, value: Any, where: str):
        problem = name_problem(value, self.what)
        if problem:
            code, message, hint = problem
            reader.error(where, code, message, f"{hint}, e.g. {self.example}")
            return None
        return value.strip()


@dataclass(frozen=True)
class _Code:
    """A code of the questionnaire: a construct (TRU) or an item (col_contacts)."""

    example: str
    pattern: Any = CONSTRUCT_CODE_PATTERN

    def __call__(self, reader: _Reader, value: Any, where: str):
        if not isinstance(value, str) or not self.pattern.fullmatch(value):
            reader.error(
                where,
                "invalid-code",
                f"{_show(value)} is not a code of the questionnaire",
                f"write a code as the questionnaire spells it, e.g. {self.example}",
            )
            return None
        return value


@dataclass(frozen=True)
class _List:
    """A non-empty list of at most ``most`` entries, each read with ``entry``."""

    entry: Any
    most: int

    @property
    def example(self) -> str:
        return f"[{self.entry.example}]"

    def __call__(self, reader: _Reader, value: Any, where: str):
        if not isinstance(value, list):
            reader.error(
                where,
                "wrong-type",
                f"expected a list, found {kind_of(value)}",
                f"e.g. {self.example}",
            )
            return None
        if not value:
            reader.error(where, "missing-field", "the list is empty", f"e.g. {self.example}")
            return None
        if len(value) > self.most:
            reader.error(
                where,
                "invalid-value",
                f"{len(value)} entries; at most {self.most} (each is a pass over the data)",
                "keep the alternatives that matter",
            )
            return None
        entries = [self.entry(reader, v, f"{where}[{i}]") for i, v in enumerate(value)]
        return None if any(e is None for e in entries) else entries


SHARE = _Number(0.5, above=0, at_most=1)
SEED = _Number(20260101, at_least=0, at_most=SEED_MAX, whole=True)
# Record field -> (section, field in the section, check); "" is the top level.
FIELDS = {
    "version": ("", "version", _Text("version", '"2026.2"')),
    "side_aggregation": ("", "side_aggregation", _Choice(SIDE_AGGREGATIONS)),
    "min_share_answered": ("scoring", "min_share_answered", SHARE),
    # Every replicate is a float32 per area-wave, and per chunk of 1,000 cells 14 more per
    # cell: the upper limit keeps a national run within a few GB.
    "replicates": (
        "uncertainty",
        "replicates",
        _Number(1000, at_least=REPLICATES[0], at_most=REPLICATES[1], whole=True),
    ),
    "confidence": ("uncertainty", "confidence", _Number(0.95, above=0.5, below=1)),
    "seed": ("uncertainty", "seed", SEED),
    "unit_icc": ("uncertainty", "unit_icc", _Number(0.1, at_least=0, below=1)),
    # A prior worth more than 1,000 units would override the data of any wave.
    "unit_icc_units": ("uncertainty", "unit_icc_units", _Number(10, at_least=0, at_most=1000)),
    "publish_min": ("small_cells", "publish", _Number(10, at_least=1, whole=True)),
    "indicative_min": ("small_cells", "indicative", _Number(5, at_least=1, whole=True)),
}
# Optional sections and fields: left out, they take the record's defaults.
OPTIONAL_FIELDS = {
    "units": ("uncertainty", "units", _Choice(UNIT_POPULATIONS)),
    "members": ("uncertainty", "members", _Choice(MEMBER_POPULATIONS)),
    "change_p_value": ("change", "p_value", _Choice(CHANGE_P_VALUES)),
    "false_discovery_rate": ("change", "false_discovery_rate", _Number(0.05, above=0, below=1)),
    "meaningful_change": ("change", "meaningful_change", _Number(5, at_least=0, at_most=100)),
    "panel_units": ("change", "panel_units", _Choice(PANEL_UNITS)),
    "correction": ("comparisons", "correction", _Choice(CORRECTIONS)),
    # 100 areas are 4,950 pairs per side, construct and wave
    "games_howell_max_areas": (
        "comparisons",
        "games_howell_max_areas",
        _Number(30, at_least=2, at_most=100, whole=True),
    ),
    "small_area_model": ("small_area", "model", _Choice(SMALL_AREA_MODELS)),
    "small_area_variance": ("small_area", "variance", _Choice(SMALL_AREA_VARIANCES)),
    "small_area_waves": ("small_area", "waves", _Choice(SMALL_AREA_WAVES)),
    # one respondent's answers are never published, not even through a model
    "small_area_min_respondents": (
        "small_area",
        "min_respondents",
        _Number(2, at_least=2, at_most=1000, whole=True),
    ),
    # a municipality's own level needs a few areas to be estimated
    "small_area_min_areas": (
        "small_area",
        "min_areas",
        _Number(5, at_least=2, at_most=1000, whole=True),
    ),
    "small_area_max_rmse": ("small_area", "max_rmse", _Number(7.5, above=0, at_most=100)),
    "cfa_estimator": ("psychometrics", "estimator", _Choice(ESTIMATOR_OPTIONS)),
    "cfa_parameterization": (
        "psychometrics",
        "parameterization",
        _Choice(PARAMETERIZATION_OPTIONS),
    ),
    "cfa_comparison": ("psychometrics", "comparison", _Choice(ESTIMATOR_OPTIONS)),
    "cfa_missing": ("psychometrics", "missing", _Choice(PSYCHOMETRICS_MISSING_OPTIONS)),
    # null: everyone. The CFA of the questionnaire's items needs a few hundred respondents
    # (200 as the common rule of thumb, Kline 2016); a smaller sample is never drawn.
    "psychometrics_sample": (
        "psychometrics",
        "sample",
        _Number(5000, at_least=200, whole=True),
    ),
    # A group's thresholds, loadings and intercepts of 39 items need at least about 100
    # respondents (Kline 2016); fewer than 30 never carry a multiple-group CFA.
    "invariance_min_group": (
        "psychometrics",
        "invariance_min_group",
        _Number(100, at_least=30, whole=True),
    ),
}
NULLABLE = ("psychometrics_sample",)
# The sensitivity settings stay a mapping: the analysis has its own defaults.
SENSITIVITY_FIELDS = {
    "draws": _Number(500, at_least=DRAWS[0], at_most=DRAWS[1], whole=True),
    "seed": SEED,
    "side_aggregations": _List(_Choice(SIDE_AGGREGATIONS), SENSITIVITY_OPTIONS_MAX),
    "weight_noise": _Number(0.25, at_least=0, below=1),  # weights times 1 +- noise stay > 0
    "igf_mappings": _List(_Choice(IGF_MAPPINGS), SENSITIVITY_OPTIONS_MAX),
    "min_share_answered": _List(SHARE, SENSITIVITY_OPTIONS_MAX),
}
WEIGHT = _Number(1, at_least=0, at_most=100)  # relative weights; the bound keeps sums finite


def _fields_of(section: str, table: dict) -> tuple[str, ...]:
    return tuple(key for where, key, _ in table.values() if where == section)


def load_methodology(path: str | Path = DEFAULT_METHODOLOGY) -> Methodology:
    """Load and check the methodology file; raise :class:`ProblemsFound` listing every
    problem."""
    problems: list[Problem] = []
    raw = read_yaml(path, problems)
    if problems:
        raise ProblemsFound(problems)
    r = _Reader(str(path))
    r.unknown(raw, "", TOP_LEVEL)
    sections = {"": raw}
    for name in ("scoring", "uncertainty", "small_cells"):
        fields = _fields_of(name, FIELDS) + _fields_of(name, OPTIONAL_FIELDS)
        sections[name] = r.section(raw.get(name), name, fields)
    for name in ("small_area", "change", "comparisons", "psychometrics"):
        fields = _fields_of(name, OPTIONAL_FIELDS)
        sections[name] = r.section(raw.get(name), name, fields, optional=True)
    sensitivity = r.section(
        raw.get("sensitivity"), "sensitivity", tuple(SENSITIVITY_FIELDS), optional=True
    )
    values = {
        name: r.field(sections[where], where, key, check)
        for name, (where, key, check) in FIELDS.items()
    }
    optional = {
        name: r.field(sections[where], where, key, check, required=False, nullable=name in NULLABLE)
        for name, (where, key, check) in OPTIONAL_FIELDS.items()
    }
    settings = {
        key: r.field(sensitivity, "sensitivity", key, check, required=False)
        for key, check in SENSITIVITY_FIELDS.items()
    }
    publish, indicative = values["publish_min"], values["indicative_min"]
    if publish is not None and indicative is not None and indicative > publish:
        r.error(
            "small_cells",
            "invalid-value",
            f"indicative ({indicative}) is above publish ({publish})",
            "indicative is the smaller n, e.g. indicative: 5, publish: 10",
        )
    _treatments(r, sections["psychometrics"], optional)
    components = _components(r, raw.get("components"))
    pillars = _pillars(r, raw.get("pillars"))
    weights = _pillar_weights(r, raw.get("pillar_weights"), pillars)
    bands = _bands(r, raw.get("bands"))
    if r.problems:
        raise ProblemsFound(r.problems)
    return Methodology(
        **values,
        **{name: value for name, value in optional.items() if value is not ABSENT},
        components=components,
        pillars=pillars,
        pillar_weights=weights,
        bands=bands,
        sensitivity={key: value for key, value in settings.items() if value is not ABSENT},
        source=str(path),
    )


def _treatments(r: _Reader, section: dict | None, optional: dict) -> None:
    """One of the CFA estimator and the comparison beside it treats the items as ordinal
    (WLSMV), the other as continuous (ML or MLR)."""
    defaults = {f.name: f.default for f in dataclasses.fields(Methodology)}
    chosen = [
        defaults[name] if optional[name] is ABSENT else optional[name]
        for name in ("cfa_estimator", "cfa_comparison")
    ]
    if section is not None and None not in chosen and chosen.count("WLSMV") != 1:
        r.error(
            "psychometrics.comparison",
            "invalid-value",
            "one of estimator and comparison must be WLSMV (ordinal), the other ML or MLR",
            "e.g. estimator: WLSMV, comparison: MLR",
        )


def _components(r: _Reader, node: Any) -> dict[str, dict[str, Any]]:
    section = r.section(node, "components", COMPONENTS)
    every_field = tuple(dict.fromkeys(f for fields in MAPPING_FIELDS.values() for f in fields))
    components = {}
    for name in COMPONENTS if section is not None else ():
        where = f"components.{name}"
        spec = r.mapping(section.get(name), where, "from and mapping")
        if spec is None:
            continue
        mapping = r.field(spec, where, "mapping", _Choice(MAPPINGS_OF[name]))
        r.unknown(spec, where, MAPPING_FIELDS.get(mapping, every_field))
        r.field(spec, where, "from", _Code(name))
        if mapping in IGF_MAPPINGS:
            r.field(spec, where, "max_gap", _Number(3, above=0))
        if mapping == "counts_and_quality":
            r.field(spec, where, "quality", _Code("CQ"))
            _caps(r, spec.get("caps"), f"{where}.caps")
        components[name] = spec
    return components


def _caps(r: _Reader, node: Any, where: str) -> None:
    """Count item -> the count at which its goalpost reaches 100."""
    caps = r.mapping(node, where, "one count item per line, e.g. `col_contacts: 24`")
    if caps == {}:
        r.error(where, "missing-field", "no count items are listed", "e.g. `col_contacts: 24`")
    for item in caps or {}:
        if _Code("col_contacts", CODE_PATTERN)(r, item, _at(where, item)) is not None:
            r.field(caps, where, item, _Number(12, above=0))


def _pillars(r: _Reader, node: Any) -> dict[str, tuple[str, ...]]:
    """Pillar -> its components; every component in exactly one pillar."""
    section = r.section(node, "pillars", PILLARS)
    pillars: dict[str, tuple[str, ...]] = {}
    placed: dict[str, str] = {}
    complete = section is not None
    for pillar, members in (section or {}).items():
        where = _at("pillars", pillar)
        if pillar not in PILLARS:
            continue  # reported as unknown
        if not isinstance(members, list) or not members:
            r.error(
                where,
                "wrong-type" if members else "missing-field",
                f"expected a list of components, found {kind_of(members)}",
                "e.g. [IGF, OGD, TRU]",
            )
            complete = False
            pillars[pillar] = ()  # still a pillar, for the references to it
            continue
        for position, member in enumerate(members):
            at = f"{where}[{position}]"
            if member not in COMPONENTS:
                r.error(at, "unknown-reference", f"{_show(member)} is not a component",
                        f"use {', '.join(COMPONENTS)}")  # fmt: skip
            elif member in placed:
                r.error(at, "duplicate-code", f"{member} is already in {placed[member]}",
                        "put every component in one pillar")  # fmt: skip
            else:
                placed[member] = where
        pillars[pillar] = tuple(members)
    missing = [c for c in COMPONENTS if c not in placed]
    if complete and missing:
        r.error(
            "pillars",
            "missing-field",
            f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} in no pillar",
            "list every component under one pillar",
        )
    return pillars


def _pillar_weights(r: _Reader, node: Any, pillars: dict) -> dict[str, float]:
    section = r.section(node, "pillar_weights", PILLARS)
    weights = {p: r.field(section, "pillar_weights", p, WEIGHT) for p in pillars}
    for pillar in section or {}:
        if pillar in PILLARS and pillars and pillar not in pillars:
            r.error(
                f"pillar_weights.{pillar}",
                "unknown-reference",
                f"there is no pillar {pillar} under pillars",
                f"give weights for {', '.join(pillars)} only",
            )
    if weights and None not in weights.values() and not any(weights.values()):
        r.error(
            "pillar_weights",
            "invalid-value",
            "every weight is 0: a side index would have nothing to average",
            "give at least one pillar a weight above 0, e.g. 1",
        )
    return weights


def _bands(r: _Reader, node: Any) -> tuple[Band, ...]:
    if not isinstance(node, list) or len(node) != len(BANDS):
        found = f"{len(node)} entries" if isinstance(node, list) else kind_of(node)
        r.error(
            "bands",
            "missing-field" if node is None else "invalid-value",
            f"expected the {len(BANDS)} bands {', '.join(BANDS)}, lowest first; found {found}",
            "list each as `- {band: co-existence, nl: co-existentie, from: 0}`",
        )
        return ()
    bands = []
    for position, (entry, expected) in enumerate(zip(node, BANDS, strict=True)):
        where = f"bands[{position}]"
        spec = r.section(entry, where, ("band", "nl", "from"))
        band = r.field(spec, where, "band", _Choice((expected,)))
        label = r.field(spec, where, "nl", _Text("Dutch label", "toenadering"))
        lower = r.field(spec, where, "from", _Number(40, at_least=0, at_most=100))
        if lower is not None and position == 0 and lower != 0:
            r.error(f"{where}.from", "invalid-value", f"the lowest band starts at {lower:g}",
                    "start it at 0, so that every index value has a band")  # fmt: skip
        previous = bands[-1].lower if bands else None
        if lower is not None and previous is not None and not lower > previous:
            r.error(f"{where}.from", "invalid-value", f"{lower:g} is not above the band before "
                    f"it ({previous:g})", "give the bands increasing lower bounds")  # fmt: skip
        if None not in (band, label, lower):
            bands.append(Band(band, label, lower))
    return tuple(bands)


def check_against_instrument(method: Methodology, instrument: Instrument) -> None:
    """Raise :class:`ProblemsFound` when the methodology names a construct or item the
    questionnaire lacks, or maps a construct in a way its answers do not allow.

    The methodology file alone cannot tell: it is checked against the questionnaire a run
    uses, right after both are loaded.
    """
    problems: list[Problem] = []

    def error(where: str, message: str, hint: str) -> None:
        problems.append(
            Problem(Level.ERROR, "unknown-reference", f"{method.source}: {where}", message, hint)
        )

    constructs = instrument.constructs
    paired = ", ".join(c for c, con in constructs.items() if con.kind == "paired")
    scales = ", ".join(c for c, con in constructs.items() if con.kind != "paired")
    counts = [i.code for i in instrument.items if instrument.scale_of(i.code).kind == "count"]
    for name, spec in method.components.items():
        where = f"components.{name}"
        # A gap needs a paired construct (own and other grades); a rescaled score, a scale.
        for key, wants_pair in (("from", spec["mapping"] in IGF_MAPPINGS), ("quality", False)):
            code = spec.get(key)
            if code is None:
                continue
            if code not in constructs:
                error(
                    f"{where}.{key}",
                    f"the questionnaire {instrument.source} has no construct {code!r}",
                    f"use one of {paired if wants_pair else scales}",
                )
            elif (constructs[code].kind == "paired") != wants_pair:
                error(
                    f"{where}.{key}",
                    f"{code} is a {constructs[code].kind} construct; "
                    f"{'a gap between grades' if wants_pair else 'a scale score'} needs "
                    f"{'a paired one' if wants_pair else 'one that is not paired'}",
                    f"use one of {paired if wants_pair else scales}",
                )
        for item in spec.get("caps", {}):
            if item not in counts:
                error(
                    f"{where}.caps.{item}",
                    f"{instrument.source} has no count item {item!r}",
                    f"use one of {', '.join(counts)}",
                )
    if problems:
        raise ProblemsFound(problems)


def with_psychometrics(
    method: Methodology, estimator: str | None = None, missing: str | None = None
) -> Methodology:
    """``method`` with another CFA estimator and/or missing-data treatment for one run (the
    command line's ``--estimator`` and ``--missing``; None keeps the file's). The comparison
    beside the estimator stays the other treatment: WLSMV beside ML or MLR, and the file's
    continuous estimator (ML or MLR) beside WLSMV."""
    if estimator is not None and estimator not in ESTIMATOR_OPTIONS:
        raise ValueError(f"estimator must be one of {ESTIMATOR_OPTIONS}, got {estimator!r}")
    if missing is not None and missing not in PSYCHOMETRICS_MISSING_OPTIONS:
        raise ValueError(f"missing must be one of {PSYCHOMETRICS_MISSING_OPTIONS}, got {missing!r}")
    changes: dict[str, str] = {}
    if missing is not None:
        changes["cfa_missing"] = missing
    if estimator is not None:
        continuous = next(
            (e for e in (method.cfa_estimator, method.cfa_comparison) if e != "WLSMV"), "MLR"
        )
        changes["cfa_estimator"] = estimator
        changes["cfa_comparison"] = continuous if estimator == "WLSMV" else "WLSMV"
    return dataclasses.replace(method, **changes)
