"""Goal agreement per area: onbestemdheid (indeterminacy) as an area-level figure.

From the two categorical items ``ind_goal_own`` ("what should informal actors mainly do, in
your view") and ``ind_goal_other`` ("and what does the other party think, in your view"),
options 1 guide to professional help, 2 take over tasks, 3 both, 4 unclear ('weet niet' is
missing). Per area x wave, on 0-100:

- ``agreement_own_views``: 100 x (1 - total variation distance) between the distributions of
  the professionals' and the informal actors' own views: 100 = the same mix of views;
- ``professionals_read_informal``: the same between what professionals think informal actors
  want and what informal actors say they want; ``informal_read_professionals`` vice versa;
- ``unclear_professional`` / ``unclear_informal``: % of a side answering 'unclear'.

CIs: bootstrap with respondents resampled within side (own and other answers kept
together), vectorised as multinomial draws over the observed answer pairs. Agreement from a
sample is biased downwards (sampling noise makes two distributions look more different than
they are), and a percentile interval would carry that bias twice; so agreement measures get
the basic bootstrap interval ``2 * value - percentile`` (clipped to 0-100), which corrects
for the shift, and the 'unclear' shares the percentile interval. Treat these intervals as
approximate: in a simulation with 40 respondents a side and a true agreement of 80 the basic
interval covered the truth in 88% of 600 samples (95% nominal), and less near 100, where
agreement meets its boundary.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from samenspel.pipeline.index import SIDES, percentile_interval, publication_status, worst_status
from samenspel.pipeline.methodology import Methodology

GOAL_OPTIONS = (1, 2, 3, 4)
UNCLEAR = 4
GOAL_COLUMNS = {
    "area": "area id from the area registry",
    "wave": "survey wave",
    "measure": "agreement_own_views, professionals_read_informal, informal_read_professionals, "
    "unclear_professional or unclear_informal",
    "value": "0-100 (agreement: 100 = identical distributions; unclear: % of the side)",
    "ci_low": "lower bound of the 95% bootstrap CI (agreement: basic, unclear: percentile)",
    "ci_high": "upper bound of the 95% bootstrap CI",
    "n_professional": "professionals in the area x wave",
    "n_informal": "informal actors in the area x wave",
    "status": "published, indicative or suppressed (smallest side for agreement measures)",
}
MEASURES = (
    "agreement_own_views",
    "professionals_read_informal",
    "informal_read_professionals",
    "unclear_professional",
    "unclear_informal",
)


def _distributions(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(own, other) answer distributions from counts over the 5 x 5 answer pairs.

    The last position of each axis is 'no answer'; shares are over the answers given.
    """
    own = counts.sum(axis=-1)[..., :4]
    other = counts.sum(axis=-2)[..., :4]
    with np.errstate(invalid="ignore", divide="ignore"):
        return own / own.sum(-1, keepdims=True), other / other.sum(-1, keepdims=True)


def _agreement(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    return 100 * (1 - 0.5 * np.abs(p - q).sum(axis=-1))


def goal_agreement(
    answers: pd.DataFrame,
    area: pd.Series,
    wave: pd.Series,
    side: pd.Series,
    method: Methodology,
    replicates: int | None = None,
    seed: int | None = None,
) -> pd.DataFrame:
    """Goal agreement per area x wave, tidy, with :data:`GOAL_COLUMNS`.

    ``answers`` holds ``ind_goal_own`` and ``ind_goal_other`` as cleaned codes (NaN for no
    answer or 'weet niet'); other columns are ignored.
    """
    replicates = method.replicates if replicates is None else replicates
    rng = np.random.default_rng(method.seed if seed is None else seed)
    missing = [c for c in ("ind_goal_own", "ind_goal_other") if c not in answers.columns]
    if missing:
        raise ValueError(f"goal agreement needs the columns {missing}")

    def position(values: pd.Series) -> np.ndarray:
        codes = values.to_numpy(dtype=float)
        return np.where(np.isin(codes, GOAL_OPTIONS), np.nan_to_num(codes) - 1, 4).astype(int)

    frame = pd.DataFrame(
        {
            "area": area.astype(str).to_numpy(),
            "wave": wave.astype(str).to_numpy(),
            "side": side.to_numpy(),
            "pair": position(answers["ind_goal_own"]) * 5 + position(answers["ind_goal_other"]),
        }
    )
    frame = frame[frame.side.isin(SIDES)]
    rows = []
    for (area_id, wave_name), cell in frame.groupby(["area", "wave"], sort=True):
        point, boot, n = {}, {}, {}
        for side_name in SIDES:
            pairs = cell.loc[cell.side == side_name, "pair"].to_numpy()
            n[side_name] = len(pairs)
            counts = np.bincount(pairs, minlength=25).astype(float)
            if len(pairs):
                draws = rng.multinomial(len(pairs), counts / len(pairs), size=replicates)
            else:
                draws = np.zeros((replicates, 25))
            point[side_name] = _distributions(counts.reshape(5, 5))
            boot[side_name] = _distributions(draws.reshape(replicates, 5, 5))
        statuses = {s: publication_status(n[s], method) for s in SIDES}
        both = worst_status(list(statuses.values()))
        professional, informal = SIDES
        specs = {
            "agreement_own_views": ((professional, 0), (informal, 0), both),
            "professionals_read_informal": ((professional, 1), (informal, 0), both),
            "informal_read_professionals": ((informal, 1), (professional, 0), both),
        }
        for measure, ((s1, i1), (s2, i2), status) in specs.items():
            value = _agreement(point[s1][i1], point[s2][i2])
            samples = _agreement(boot[s1][i1], boot[s2][i2])
            rows.append((area_id, wave_name, measure, value, samples, n, status))
        for side_name in SIDES:
            value = 100 * point[side_name][0][UNCLEAR - 1]
            samples = 100 * boot[side_name][0][:, UNCLEAR - 1]
            rows.append(
                (area_id, wave_name, f"unclear_{side_name}", value, samples, n, statuses[side_name])
            )
    records = []
    for area_id, wave_name, measure, value, samples, n, status in rows:
        low, high = percentile_interval(samples[:, None], method.confidence)
        low, high = float(low[0]), float(high[0])
        if not measure.startswith("unclear"):
            low, high = max(0.0, 2 * value - high), min(100.0, 2 * value - low)
        record = [area_id, wave_name, measure, float(value), low, high]
        record += [n["professional"], n["informal"], status]
        if status == "suppressed":
            record[3:6] = [np.nan] * 3
        records.append(record)
    return pd.DataFrame(records, columns=list(GOAL_COLUMNS))
