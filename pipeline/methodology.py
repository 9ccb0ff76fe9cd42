"""The index methodology file, loaded into one frozen record (see methodology.yaml)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from samenspel.instrument.load import read_yaml
from samenspel.instrument.problems import Level, Problem, ProblemsFound
from samenspel.pipeline.cfa import ESTIMATOR_OPTIONS
from samenspel.pipeline.model_spec import PARAMETERIZATION_OPTIONS

DEFAULT_METHODOLOGY = Path(__file__).with_name("methodology.yaml")

COMPONENT_MAPPINGS = ("rescaled", "reversed", "positive_gap", "symmetric_gap", "counts_and_quality")
SIDE_AGGREGATIONS = ("geometric", "arithmetic", "minimum")
CHANGE_P_VALUES = ("bootstrap_se", "percentile")
CORRECTIONS = ("holm", "fdr_bh")
IGF_MAPPINGS = ("positive_gap", "symmetric_gap")
COMPONENTS = ("IGF", "OGD", "TRU", "UNF", "DIS", "IND", "COL")


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
    correction: str = "holm"
    sensitivity: dict[str, Any] = field(default_factory=dict)
    # psychometrics: the CFA estimator, parameterisation and the treatment shown beside it
    cfa_estimator: str = "WLSMV"
    cfa_parameterization: str = "delta"
    cfa_comparison: str = "MLR"
    psychometrics_sample: int | None = 5000

    def band_of(self, value: float) -> str:
        """The band an index value falls in ('' for a missing value)."""
        if value != value:  # NaN
            return ""
        label = self.bands[0].band
        for band in self.bands:
            if value >= band.lower:
                label = band.band
        return label


def load_methodology(path: str | Path = DEFAULT_METHODOLOGY) -> Methodology:
    """Load and check the methodology file; raise :class:`ProblemsFound` on errors."""
    problems: list[Problem] = []
    raw = read_yaml(path, problems)
    if problems:
        raise ProblemsFound(problems)

    def error(where: str, message: str, hint: str, code: str = "invalid-value") -> None:
        problems.append(Problem(Level.ERROR, code, f"{path}: {where}", message, hint))

    try:
        components = dict(raw["components"])
        pillars = {k: tuple(v) for k, v in raw["pillars"].items()}
        weights = {k: float(v) for k, v in raw["pillar_weights"].items()}
        bands = tuple(Band(str(b["band"]), str(b["nl"]), float(b["from"])) for b in raw["bands"])
        methodology = Methodology(
            version=str(raw["version"]),
            min_share_answered=float(raw["scoring"]["min_share_answered"]),
            components=components,
            pillars=pillars,
            pillar_weights=weights,
            side_aggregation=str(raw["side_aggregation"]),
            bands=tuple(sorted(bands, key=lambda b: b.lower)),
            replicates=int(raw["uncertainty"]["replicates"]),
            confidence=float(raw["uncertainty"]["confidence"]),
            seed=int(raw["uncertainty"]["seed"]),
            unit_icc=float(raw["uncertainty"]["unit_icc"]),
            unit_icc_units=float(raw["uncertainty"]["unit_icc_units"]),
            publish_min=int(raw["small_cells"]["publish"]),
            indicative_min=int(raw["small_cells"]["indicative"]),
            source=str(path),
            change_p_value=str(raw.get("change", {}).get("p_value", "bootstrap_se")),
            false_discovery_rate=float(raw.get("change", {}).get("false_discovery_rate", 0.05)),
            meaningful_change=float(raw.get("change", {}).get("meaningful_change", 5.0)),
            correction=str(raw.get("comparisons", {}).get("correction", "holm")),
            sensitivity=dict(raw.get("sensitivity") or {}),
            cfa_estimator=str(raw.get("psychometrics", {}).get("estimator", "WLSMV")),
            cfa_parameterization=str(raw.get("psychometrics", {}).get("parameterization", "delta")),
            cfa_comparison=str(raw.get("psychometrics", {}).get("comparison", "MLR")),
            psychometrics_sample=raw.get("psychometrics", {}).get("sample", 5000),
        )
    except (KeyError, TypeError, ValueError) as exc:
        error(
            "(top level)",
            f"missing or malformed field: {exc}",
            "compare with pipeline/methodology.yaml, which lists every field",
            "missing-field",
        )
        raise ProblemsFound(problems) from None

    for name, spec in components.items():
        if name not in COMPONENTS:
            error(f"components.{name}", f"unknown component {name!r}", f"use {COMPONENTS}")
        if spec.get("mapping") not in COMPONENT_MAPPINGS:
            error(
                f"components.{name}.mapping",
                f"mapping {spec.get('mapping')!r} is not known",
                f"use one of {', '.join(COMPONENT_MAPPINGS)}",
            )
    for name in COMPONENTS:
        if name not in components:
            error("components", f"component {name} is missing", f"add `{name}:`", "missing-field")
    in_pillars = [c for members in pillars.values() for c in members]
    for name in in_pillars:
        if name not in components:
            error(
                "pillars",
                f"pillar member {name!r} is not a component",
                f"use {', '.join(components)}",
                "unknown-reference",
            )
    if sorted(in_pillars) != sorted(components):
        error(
            "pillars",
            "every component must be in exactly one pillar",
            "list each component once under pillars",
        )
    if set(weights) != set(pillars) or any(w < 0 for w in weights.values()):
        error(
            "pillar_weights",
            "one non-negative weight per pillar is needed",
            f"give weights for {', '.join(pillars)}",
        )
    if methodology.side_aggregation not in SIDE_AGGREGATIONS:
        error(
            "side_aggregation",
            f"{methodology.side_aggregation!r} is not known",
            f"use one of {', '.join(SIDE_AGGREGATIONS)}",
        )
    if not 0 < methodology.min_share_answered <= 1:
        error("scoring.min_share_answered", "must be above 0 and at most 1", "e.g. 0.5")
    if not 0.5 < methodology.confidence < 1:
        error("uncertainty.confidence", "must be between 0.5 and 1", "e.g. 0.95")
    if methodology.replicates < 100:
        error(
            "uncertainty.replicates",
            "fewer than 100 replicates give unstable intervals",
            "use 1000 or more",
        )
    if not 0 <= methodology.unit_icc < 1:
        error("uncertainty.unit_icc", "must be at least 0 and below 1", "e.g. 0.10")
    if not methodology.unit_icc_units >= 0:
        error("uncertainty.unit_icc_units", "must be 0 or more units", "e.g. 10")
    if not 0 < methodology.indicative_min <= methodology.publish_min:
        error("small_cells", "need 0 < indicative <= publish", "e.g. indicative 5, publish 10")
    if methodology.change_p_value not in CHANGE_P_VALUES:
        error(
            "change.p_value",
            f"{methodology.change_p_value!r} is not known",
            f"use one of {', '.join(CHANGE_P_VALUES)}",
        )
    if not 0 < methodology.false_discovery_rate < 1:
        error("change.false_discovery_rate", "must be between 0 and 1", "e.g. 0.05")
    if methodology.meaningful_change < 0:
        error("change.meaningful_change", "must be 0 or more index points", "e.g. 5")
    if methodology.correction not in CORRECTIONS:
        error(
            "comparisons.correction",
            f"{methodology.correction!r} is not known",
            f"use one of {', '.join(CORRECTIONS)}",
        )
    for name in methodology.sensitivity.get("side_aggregations", []):
        if name not in SIDE_AGGREGATIONS:
            error(
                "sensitivity.side_aggregations",
                f"{name!r} is not known",
                f"use one of {', '.join(SIDE_AGGREGATIONS)}",
            )
    for name in methodology.sensitivity.get("igf_mappings", []):
        if name not in IGF_MAPPINGS:
            error(
                "sensitivity.igf_mappings",
                f"{name!r} is not known",
                f"use one of {', '.join(IGF_MAPPINGS)}",
            )
    for share in methodology.sensitivity.get("min_share_answered", []):
        if not 0 < float(share) <= 1:
            error("sensitivity.min_share_answered", f"{share} is not in (0, 1]", "e.g. 0.5")
    for name, value in (
        ("estimator", methodology.cfa_estimator),
        ("comparison", methodology.cfa_comparison),
    ):
        if value not in ESTIMATOR_OPTIONS:
            error(
                f"psychometrics.{name}",
                f"{value!r} is not known",
                f"use one of {', '.join(ESTIMATOR_OPTIONS)}",
            )
    if [methodology.cfa_estimator, methodology.cfa_comparison].count("WLSMV") != 1:
        error(
            "psychometrics.comparison",
            "one of estimator and comparison must be WLSMV (ordinal), the other ML or MLR",
            "e.g. estimator: WLSMV, comparison: MLR",
        )
    if methodology.cfa_parameterization not in PARAMETERIZATION_OPTIONS:
        error(
            "psychometrics.parameterization",
            f"{methodology.cfa_parameterization!r} is not known",
            f"use one of {', '.join(PARAMETERIZATION_OPTIONS)}",
        )
    if problems:
        raise ProblemsFound(problems)
    return methodology
