"""What each wave could carry, in words: the rows of ``psychometrics_steps.csv`` that went
otherwise than planned, one sentence each, Dutch or English.

Every sentence is made from its row (its ``reason_code``, ``n``, ``minimum``, model and
estimator), never from what a step would usually give.
"""

from __future__ import annotations

import pandas as pd

from samenspel.pipeline.psychometrics.small_waves import FULL, MIN_RESPONDENTS_MODEL
from samenspel.reports.i18n import TEXT, Translator


def model_words(model: str, t: Translator, names: dict[str, str]) -> str:
    """``full``, ``pillar <name>`` or ``construct <code>`` as the page says it."""
    if not model:
        return t("model_none")
    if model == FULL:
        return t("model_full")
    kind, _, code = model.partition(" ")
    if kind == "pillar":
        return t("model_pillar", name=t(f"pillar_{code}") if f"pillar_{code}" in TEXT else code)
    return t("model_construct", name=names.get(code, code))


def step_sentences(steps: pd.DataFrame | None, t: Translator, names: dict[str, str]) -> list[dict]:
    """Per row of ``steps`` with a ``reason_code``: wave, step, model (in words) and what
    happened (a sentence), in the table's order."""
    if steps is None or steps.empty:
        return []
    rows = []
    texts = ["reason_code", "model", "estimator"]  # empty cells read back as NaN
    filled = steps.astype(dict.fromkeys(texts, object)).fillna(dict.fromkeys(texts, ""))
    for row in filled.itertuples():
        if not row.reason_code:
            continue
        model = model_words(row.model, t, names)
        values = {
            "n": int(row.n),
            "minimum": "" if pd.isna(row.minimum) else int(row.minimum),
            "model": model,
            "estimator": row.estimator,
            "per_group": MIN_RESPONDENTS_MODEL,
        }
        rows.append(
            {
                "wave": str(row.wave),
                "step": t(f"stepname_{row.step}"),
                "model": model,
                "text": t(_reason_key(row.reason_code, row.estimator), **values),
                "fitted": bool(row.fitted),
            }
        )
    return rows


def _reason_key(code: str, estimator: str) -> str:
    if code == "not_estimable" and not estimator:
        return "reason_not_estimable_plain"  # a step without an estimator (EFA, ICC)
    return f"reason_{code}"


def not_done_why(steps: pd.DataFrame | None, wave: str, step: str, t: Translator,
                 names: dict[str, str]) -> str:  # fmt: skip
    """Why ``step`` was not done in ``wave`` (the sentences of its rows), or "" when it was
    done for some model or has no row."""
    if steps is None or steps.empty:
        return ""
    rows = steps[(steps["wave"].astype(str) == str(wave)) & (steps["step"] == step)]
    if rows.empty or rows["fitted"].astype(bool).any():
        return ""
    said = step_sentences(rows, t, names)
    texts = " ".join(dict.fromkeys(s["text"] for s in said))
    name = t(f"stepname_{step}")
    return f"{name[:1].upper()}{name[1:]}: {texts}"
