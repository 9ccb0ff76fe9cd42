"""Simulated fieldwork from a known model: the built-in demo and the test oracle.

The generating model (latent means per area x side x wave, loadings, thresholds, response
styles, nonresponse) is drawn from ``model_seed``; respondents are drawn from ``seed``. So
many samples can be drawn from one model, and their estimates compared with its truth
(see :mod:`.truth`).

Latent structure, per respondent: a general attitude ``g`` towards the other side plus a
construct-specific part. The area x side x wave level ``h`` (in SD units, 0 = neutral) moves
every construct in the hybrid direction: trust, contact quality and collaboration up;
devaluation, unfamiliarity, disagreement, indeterminacy and the own-other grade gap down.

Recruitment: respondents are reached through the units (wijkteams, organisations) that the
area registry lists for their area and side. People in one unit share an effect ``u`` on
``h`` (drawn once per unit from ``model_seed``, so a unit keeps it across waves), with
``var(u) / (var(u) + var(0.7 g)) = unit_icc``: the intraclass correlation of the general
attitude within units. A share of respondents belongs to no listed unit (answer
``individual``); each of them is a unit of one with an effect of their own. Without units in
the registry every respondent is such an individual.
"""

from __future__ import annotations

import functools
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from samenspel.instrument.model import UNIT_NOT_LISTED, AreaRegistry, Instrument

# Direction in which each construct moves when collaboration is more hybrid.
HYBRID_DIRECTION = {"TRU": 1, "CQ": 1, "COL": 1, "OGD": -1, "UNF": -1, "DIS": -1, "IND": -1}
# Item thresholds on the latent response scale for 5 categories.
THRESHOLDS = np.array([-1.5, -0.5, 0.5, 1.5])
# Mean counts over 3 months at h = 0, per collaboration item.
BASE_COUNTS = {
    "col_contacts": 6.0,
    "col_meetings": 1.5,
    "col_households": 2.5,
    "col_referred_to": 2.0,
    "col_referred_from": 1.5,
    "col_advice_asked": 2.5,
    "col_advice_given": 2.5,
}
# Kobo-style metadata columns written beside the answers.
KOBO_META = ("start", "end", "respondent")
KOBO_SYSTEM = ("_id", "_uuid", "_submission_time", "_status", "__version__", "_index")
# Variance of the shared part of a respondent's attitude, var(0.7 g): the unit ICC's reference.
GENERAL_VARIANCE = 0.49
# Codes of the questionnaire's language and mode answers that the simulator draws.
DUTCH, ENGLISH = 1.0, 2.0
FACE_TO_FACE, PAPER, ONLINE = 1.0, 3.0, 4.0


@dataclass(frozen=True)
class SimulationSettings:
    """What to simulate. Defaults make the demo: 2 waves, 40 respondents per side and area."""

    waves: tuple[str, ...] = ("2025", "2026")
    per_side: int = 40
    stakeholders_per_area: int = 4
    seed: int = 2026
    model_seed: int = 2026
    item_nonresponse: float = 0.03
    dont_know: float = 0.02
    careless_share: float = 0.03
    no_consent_share: float = 0.02
    duplicates_per_wave: int = 1
    area_spread: float = 0.7  # SD of area levels h, latent SD units
    wave_change: float = 0.25  # SD of area changes between consecutive waves
    wave_drift: float = 0.05  # mean area change between consecutive waves (0: no true change)
    side_gap: float = 0.25  # professionals' mean level above informal actors'
    unit_icc: float = 0.10  # ICC of the general attitude within a recruitment unit
    individual_share: float = 0.10  # respondents who belong to no listed unit
    # Units reached per side and area: (fewest, most), drawn per wave from those listed;
    # None reaches every listed unit.
    units_reached: tuple[int, int] | None = None
    # How respondents answered: the share who answered in English (the rest in Dutch), and
    # the shares interviewed face to face, self-completed on paper and online (mode codes 1,
    # 3, 4 of the questionnaire's mode question).
    english_share: float = 0.2
    mode_shares: tuple[float, float, float] = (0.5, 0.2, 0.3)
    # Known differential item functioning, for the invariance tests: agreement item -> shift
    # of its latent response (latent SD units; positive: more agreeing answers) for those who
    # answered in English (language_effects) or were interviewed, the questions read out
    # (mode_effects). Empty: every item works alike in every language and mode. The true
    # index (truth.csv) is that of respondents without these effects: set them to test the
    # psychometrics, not the index.
    language_effects: dict[str, float] = field(default_factory=dict)
    mode_effects: dict[str, float] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    @property
    def unit_sd(self) -> float:
        """SD of the unit effect on ``h`` that gives :attr:`unit_icc`."""
        return float(np.sqrt(GENERAL_VARIANCE * self.unit_icc / (1.0 - self.unit_icc)))


@dataclass(frozen=True)
class GeneratingModel:
    """The seeded truth the simulator draws from; written beside the data as JSON."""

    levels: pd.DataFrame  # area, side, wave, h
    loadings: dict[str, float]  # item code -> standardised loading
    item_shift: dict[str, float]  # item code -> threshold shift (item difficulty)
    settings: SimulationSettings
    # code, area, side, weight (share of the side's respondents it tends to get), effect
    units: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["code", "area", "side", "weight", "effect"])
    )

    def recruit(
        self, area: str, side: str, n: int, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """Unit codes and unit effects of ``n`` respondents of one side in one area x wave.

        The units reached are drawn from those listed (:attr:`SimulationSettings.
        units_reached`); respondents fall into them by weight, or are individuals.
        """
        settings = self.settings
        codes_of, weights, unit_effects = self._units_by_cell.get(
            (area, side), (np.array([], dtype=object), np.zeros(0), np.zeros(0))
        )
        if settings.units_reached is not None and len(codes_of):
            fewest, most = settings.units_reached
            count = int(rng.integers(min(fewest, len(codes_of)), min(most, len(codes_of)) + 1))
            reached = np.sort(rng.choice(len(codes_of), count, replace=False))
            codes_of, weights, unit_effects = (
                a[reached] for a in (codes_of, weights, unit_effects)
            )
        codes = np.full(n, UNIT_NOT_LISTED, dtype=object)
        effects = rng.normal(0.0, settings.unit_sd, n)  # individuals: units of one
        if len(codes_of):
            in_unit = rng.random(n) >= settings.individual_share
            pick = rng.choice(len(codes_of), int(in_unit.sum()), p=weights / weights.sum())
            codes[in_unit] = codes_of[pick]
            effects[in_unit] = unit_effects[pick]
        return codes, effects

    @functools.cached_property
    def _units_by_cell(self) -> dict[tuple[str, str], tuple[np.ndarray, ...]]:
        """(codes, weights, effects) of the listed units per (area, side), looked up once."""
        return {
            key: (
                group["code"].to_numpy(dtype=object),
                group["weight"].to_numpy(dtype=float),
                group["effect"].to_numpy(dtype=float),
            )
            for key, group in self.units.groupby(["area", "side"], sort=False)
        }

    def to_json(self) -> str:
        return json.dumps(
            {
                "description": "samenspel simulated demo: generating model",
                "settings": {k: v for k, v in self.settings.__dict__.items()},
                "levels": self.levels.to_dict(orient="records"),
                "loadings": self.loadings,
                "item_shift": self.item_shift,
                "unit_sd": self.settings.unit_sd,
                "units": self.units.to_dict(orient="records"),
                "thresholds": THRESHOLDS.tolist(),
                "base_counts": BASE_COUNTS,
            },
            indent=2,
        )


def draw_model(
    instrument: Instrument, areas: AreaRegistry, settings: SimulationSettings
) -> GeneratingModel:
    """Draw latent levels per area x side x wave and item parameters from ``model_seed``."""
    rng = np.random.default_rng(settings.model_seed)
    area_ids = areas.ids
    base = rng.normal(0.0, settings.area_spread, len(area_ids))
    asymmetry = rng.normal(0.0, 0.15, len(area_ids))
    rows = []
    level = base.copy()
    for w_index, wave in enumerate(settings.waves):
        if w_index:
            level = level + rng.normal(settings.wave_drift, settings.wave_change, len(area_ids))
        for a_index, area in enumerate(area_ids):
            for side, sign in (("professional", 0.5), ("informal", -0.5)):
                h = level[a_index] + sign * (settings.side_gap + asymmetry[a_index])
                rows.append({"area": area, "side": side, "wave": wave, "h": float(h)})
    levels = pd.DataFrame(rows)
    likert = [i.code for i in instrument.items if instrument.scale_of(i.code).kind == "agreement"]
    loadings = {code: float(rng.uniform(0.6, 0.85)) for code in likert}
    item_shift = {code: float(rng.normal(0.0, 0.2)) for code in likert}
    # Unequal unit sizes: weights from the registry's members where given, else at random.
    units = areas.units_table()
    units["weight"] = [
        float(m) if m == m and m is not None else float(rng.uniform(5, 30))
        for m in units["members"]
    ]
    units["effect"] = rng.normal(0.0, settings.unit_sd, len(units))
    units = units[["code", "area", "side", "weight", "effect"]]
    return GeneratingModel(levels, loadings, item_shift, settings, units)


def _latent_response(latent: np.ndarray, loading: float, shift: float, reverse: bool, rng):
    """An agreement item's latent response (before it is cut into answer categories)."""
    sign = -1.0 if reverse else 1.0
    noise = rng.standard_normal(latent.shape[0]) * np.sqrt(1 - loading**2)
    return sign * loading * latent + noise + shift


def _category(ystar: np.ndarray) -> np.ndarray:
    """Answer codes 1..5 of latent responses."""
    return (np.searchsorted(THRESHOLDS, ystar) + 1).astype(float)


def _categories(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """One draw of 1..k per row of ``probabilities`` (n, k) (rows need not sum to 1)."""
    cumulative = np.cumsum(probabilities, axis=1)
    cumulative /= cumulative[:, -1:]
    return 1.0 + (rng.random((len(probabilities), 1)) > cumulative).sum(axis=1)


def generate_cell(
    instrument: Instrument,
    model: GeneratingModel,
    h: float | np.ndarray,
    side: str | np.ndarray,
    n: int,
    rng: np.random.Generator,
    unit_effects: np.ndarray | None = None,
    latent_responses: dict[str, np.ndarray] | None = None,
) -> pd.DataFrame:
    """Answers of ``n`` respondents, before nonresponse.

    ``h`` (the area x side x wave level) and ``side`` are one value for a cell, or one per
    respondent, so that a whole wave is drawn at once. Item columns carry substantive answer
    codes only; nonresponse and careless answering are added by
    :func:`add_response_behaviour`. ``unit_effects`` (one per respondent, latent SD units) is
    the shared effect of the team or organisation a respondent was reached through: it
    moves the respondent's level like the area's level does. ``latent_responses``, if given,
    receives each agreement item's latent responses (item code -> one per respondent).
    """
    h = np.broadcast_to(np.asarray(h, dtype=float), n)
    professional = np.broadcast_to(np.asarray(side) == "professional", n)
    level = h if unit_effects is None else h + np.asarray(unit_effects, dtype=float)
    general = rng.standard_normal(n)
    out: dict[str, np.ndarray] = {}
    # Reflective and quality constructs: latent = h-driven mean + general + specific.
    for construct, direction in HYBRID_DIRECTION.items():
        latent = direction * (level + 0.7 * general) + 0.7 * rng.standard_normal(n)
        if construct == "COL":
            for code, base in BASE_COUNTS.items():
                mean = base * np.exp(0.6 * latent)
                heterogeneity = rng.gamma(2.0, 0.5, n)  # negative binomial, dispersion 2
                out[code] = np.minimum(rng.poisson(mean * heterogeneity), 500).astype(float)
            continue
        for si in instrument.constructs[construct].items:
            ystar = _latent_response(
                latent, model.loadings[si.code], model.item_shift[si.code], si.reverse, rng
            )
            out[si.code] = _category(ystar)
            if latent_responses is not None:
                latent_responses[si.code] = ystar
    # Paired report grades: own side rated around 7.3; the other side lower by a gap that
    # shrinks as collaboration gets more hybrid.
    own_level = 7.3 + 0.6 * rng.standard_normal(n)
    gap = 0.9 - 1.1 * level - 0.6 * general + 0.7 * rng.standard_normal(n)
    for si in instrument.constructs["IGF"].items:
        own = own_level + 0.8 * rng.standard_normal(n)
        other = own_level - gap + 0.8 * rng.standard_normal(n)
        out[si.code + "_own"] = np.clip(np.rint(own), 1, 10)
        out[si.code + "_other"] = np.clip(np.rint(other), 1, 10)
    # Ordinal and categorical items (the names known follow the area's level).
    names_p = np.clip(
        np.array([0.25, 0.25, 0.3, 0.2]) + np.array([-0.1, -0.05, 0.05, 0.1]) * h[:, None],
        0.02,
        None,
    )
    out["unf_names"] = _categories(rng, names_p)
    by_side = professional[:, None]
    goal_own = np.where(by_side, [0.5, 0.15, 0.25, 0.1], [0.3, 0.3, 0.25, 0.15])
    goal_other = np.where(by_side, [0.35, 0.25, 0.2, 0.2], [0.55, 0.1, 0.15, 0.2])
    out["ind_goal_own"] = _categories(rng, goal_own)
    out["ind_goal_other"] = _categories(rng, goal_other)
    out["years"] = rng.choice([1, 2, 3, 4], n, p=[0.15, 0.3, 0.35, 0.2]).astype(float)
    team = rng.choice([1, 2, 3, 4, 5, 6], n, p=[0.4, 0.15, 0.15, 0.1, 0.15, 0.05])
    organisation = rng.choice([1, 2, 3, 4, 5, 6], n, p=[0.35, 0.25, 0.2, 0.05, 0.1, 0.05])
    out["team"] = np.where(professional, team, np.nan)
    out["organisation"] = np.where(professional, np.nan, organisation)
    role_of = {r.side: float(r.code) for r in instrument.roles.values() if r.side}
    out["role"] = np.where(professional, role_of["professional"], role_of["informal"])
    out["consent"] = np.ones(n)
    frame = pd.DataFrame(out).astype(float)
    return frame.reindex(columns=[c for c in instrument.item_codes if c in frame.columns])


def add_response_behaviour(
    instrument: Instrument,
    frame: pd.DataFrame,
    settings: SimulationSettings,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Add item nonresponse, 'weet niet' and careless (straightlining) respondents.

    Returns the new frame and a boolean array marking careless respondents.
    """
    n = len(frame)
    careless = rng.random(n) < settings.careless_share
    straight = rng.integers(1, 6, n).astype(float)
    codes = [c for c in frame.columns if c not in ("consent", "role", "area", "unit")]
    values = frame[codes].to_numpy(dtype=float, copy=True)
    answered = ~np.isnan(values)
    blank = answered & (rng.random(values.shape) < settings.item_nonresponse)
    dont_know = answered & ~blank & (rng.random(values.shape) < settings.dont_know)
    for j, code in enumerate(codes):
        scale = instrument.scale_of(code)
        if scale.missing_codes:
            values[dont_know[:, j], j] = scale.missing_codes[0]
        # Careless respondents give the same answer to every agreement item (straightlining).
        if scale.kind == "agreement":
            values[careless, j] = straight[careless]
    values[blank] = np.nan
    frame = frame.copy()
    frame[codes] = values
    return frame, careless


def simulate_wave(
    instrument: Instrument,
    areas: AreaRegistry,
    model: GeneratingModel,
    wave: str,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """One wave of responses as a KoboToolbox export would hold them (codes, not labels).

    All respondents of the wave are drawn at once (a national wave has hundreds of
    thousands), the professional and informal ones with their area's level and unit.
    """
    settings = model.settings
    levels = model.levels[model.levels.wave == wave]
    n_cell = settings.per_side
    recruited = [model.recruit(r.area, r.side, n_cell, rng) for r in levels.itertuples()]
    units = np.concatenate([codes for codes, _ in recruited]) if recruited else np.array([])
    effects = np.concatenate([e for _, e in recruited]) if recruited else np.array([])
    sides = np.repeat(levels["side"].to_numpy(), n_cell)
    latent: dict[str, np.ndarray] = {}
    frame = generate_cell(
        instrument, model, np.repeat(levels["h"].to_numpy(), n_cell), sides, len(sides), rng,
        effects, latent,
    )  # fmt: skip
    frame, careless = add_response_behaviour(instrument, frame, settings, rng)
    frame["area"] = np.repeat(levels["area"].to_numpy(), n_cell)
    frame["unit"] = units
    frame["_careless"] = careless
    frame = pd.concat([frame, _stakeholders(instrument, areas, settings, rng)], ignore_index=True)
    n = len(frame)
    # Respondents who decline: consent = 2 and nothing else answered.
    declined = rng.random(n) < settings.no_consent_share
    answer_columns = [c for c in frame.columns if c not in ("consent", "area", "_careless")]
    frame["unit"] = frame["unit"].astype(object)
    frame.loc[declined, answer_columns] = np.nan
    frame.loc[declined, "consent"] = 2.0
    frame["mode"] = rng.choice([FACE_TO_FACE, PAPER, ONLINE], n, p=list(settings.mode_shares))
    english = settings.english_share
    frame["language"] = rng.choice([DUTCH, ENGLISH], n, p=[1.0 - english, english])
    frame.loc[declined, ["mode", "language"]] = np.nan
    _answer_differently(frame, latent, settings)
    # Interview timing: median about 14 minutes; careless respondents are fast.
    year = int(wave[:4]) if wave[:4].isdigit() else 2025
    wave_start = pd.Timestamp(datetime(year, 10, 1, 9, tzinfo=UTC))
    offsets = rng.uniform(0, 40 * 24 * 3600, n)
    minutes = np.exp(rng.normal(np.log(14), 0.3, n))
    minutes[frame["_careless"].to_numpy()] = rng.uniform(1.5, 4, frame["_careless"].sum())
    starts = wave_start + pd.to_timedelta(np.round(offsets * 1000), unit="ms")
    ends = starts + pd.to_timedelta(np.round(minutes * 60_000), unit="ms")
    frame["start"] = _iso(starts)
    frame["end"] = _iso(ends)
    frame["_submission_time"] = (ends + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S")
    frame["_uuid"] = [str(uuid.UUID(int=int(x))) for x in rng.integers(0, 2**63, n)]
    frame["respondent"] = [f"R{wave}-{i:05d}" for i in range(1, n + 1)]
    frame = frame.sort_values("start", ignore_index=True)
    frame["_id"] = np.arange(1, n + 1) + 100000 * (int(wave[-2:]) if wave[-2:].isdigit() else 0)
    frame["_index"] = np.arange(1, n + 1)
    frame["_status"] = "submitted_via_web"
    frame["__version__"] = "v" + instrument.version.replace(".", "")
    # A duplicate submission: the same record sent twice, as happens with a flaky connection.
    if settings.duplicates_per_wave:
        dupes = frame.sample(settings.duplicates_per_wave, random_state=settings.seed)
        frame = pd.concat([frame, dupes], ignore_index=True)
        frame.loc[len(frame) - len(dupes) :, "_index"] = np.arange(n + 1, n + 1 + len(dupes))
    return frame


def _answer_differently(
    frame: pd.DataFrame, latent: dict[str, np.ndarray], settings: SimulationSettings
) -> None:
    """Apply the settings' language and mode effects in place: an affected item's answer is
    cut again from its latent response plus the shift, for the respondents of the language
    or mode who gave a substantive, careful answer (nonresponse, 'weet niet' and
    straightlining stay as they were). ``latent`` holds the latent responses of the first
    rows of ``frame`` (the two sides; the stakeholders after them answer no such item)."""
    groups = (
        (settings.language_effects, frame["language"].to_numpy() == ENGLISH),
        (settings.mode_effects, frame["mode"].to_numpy() == FACE_TO_FACE),
    )
    careful = ~frame["_careless"].to_numpy(dtype=bool)
    for effects, in_group in groups:
        for code, shift in effects.items():
            if code not in latent:
                raise ValueError(
                    f"{code!r} is not an agreement item of a reflective construct; choose "
                    f"from {', '.join(sorted(latent))}"
                )
            ystar = latent[code]
            rows = np.arange(len(ystar))
            answers = frame[code].to_numpy()[: len(ystar)]
            substantive = np.isin(answers, np.arange(1.0, len(THRESHOLDS) + 2.0))
            chosen = rows[in_group[: len(ystar)] & careful[: len(ystar)] & substantive]
            column = frame.columns.get_loc(code)
            frame.iloc[chosen, column] = _category(ystar[chosen] + shift)


def _iso(times: pd.DatetimeIndex) -> pd.Index:
    """ISO 8601 with milliseconds and the UTC offset, as KoboToolbox writes start and end."""
    return times.strftime("%Y-%m-%dT%H:%M:%S.%f").str[:-3] + "+00:00"


def _stakeholders(instrument, areas, settings, rng) -> pd.DataFrame:
    """The policy respondents of every area: the goal module only."""
    k = settings.stakeholders_per_area
    n = k * len(areas.ids)
    stake_items = [i.code for i in instrument.items if "stakeholder" in i.roles]
    frame = pd.DataFrame(
        {
            code: rng.integers(1, 6, n).astype(float)
            for code in stake_items
            if instrument.scale_of(code).kind == "agreement"
        }
    )
    frame["ind_goal_own"] = rng.choice([1.0, 2.0, 3.0, 4.0], n)
    frame["years"] = rng.choice([1.0, 2.0, 3.0, 4.0], n)
    frame["consent"] = 1.0
    frame["role"] = float(instrument.roles["stakeholder"].code)
    frame["area"] = np.repeat(np.array(areas.ids, dtype=object), k)
    frame["_careless"] = False
    return frame


def kobo_columns(instrument: Instrument, group_prefixes: bool) -> list[tuple[str, str]]:
    """(header, item code) pairs in form order, as KoboToolbox names export columns."""
    columns = [(name, name) for name in KOBO_META[:2]]
    for section in instrument.sections:
        for code in section.item_codes:
            header = f"{section.id}/{code}" if group_prefixes else code
            columns.append((header, code))
    columns.append(("respondent", "respondent"))
    columns.extend((name, name) for name in KOBO_SYSTEM)
    return columns


def to_kobo_csv(instrument: Instrument, frame: pd.DataFrame, group_prefixes: bool) -> str:
    """Write a wave as KoboToolbox writes a CSV export: `;`, every field quoted, XML values."""
    columns = kobo_columns(instrument, group_prefixes)
    out = pd.DataFrame(index=frame.index)
    for header, code in columns:
        values = frame[code] if code in frame.columns else pd.Series(np.nan, index=frame.index)
        if pd.api.types.is_float_dtype(values):
            numbers = values.to_numpy()
            blank = np.isnan(numbers)
            text = np.where(blank, 0, numbers).astype(np.int64).astype(str)
            values = pd.Series(np.where(blank, "", text), index=values.index)
        out[header] = values
    return out.to_csv(sep=";", index=False, quoting=1, lineterminator="\r\n")
