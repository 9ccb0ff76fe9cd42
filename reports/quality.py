"""The data-quality page's figures: rejects and data-quality flags per wave, area and side.

Inputs are the tables ``samenspel analyse`` writes (``quality_summary.csv``,
``rejects_summary.csv``, ``files.csv``). No free text from the data appears, only codes,
counts and shares. Shares of cells with fewer than ``indicative_min`` responses are
suppressed.
"""

from __future__ import annotations

import pandas as pd

from samenspel.pipeline.ingest.exports import REJECT_REASONS
from samenspel.pipeline.ingest.quality import (
    FLAGS,
    IRV_MIN,
    MAHALANOBIS_P,
    NONRESPONSE_MAX,
    SPEEDER_SECONDS_PER_ITEM,
)
from samenspel.reports import notation
from samenspel.reports.i18n import Translator


def flag_labels(t: Translator) -> dict[str, str]:
    """Each data-quality flag's name with its rule, in the notation of ``t``'s language."""
    language = t.language
    return {
        "nonresponse": t("flag_nonresponse", share=notation.percent(NONRESPONSE_MAX, language, 0)),
        "longstring": t("flag_longstring"),
        "irv": t("flag_irv", limit=notation.plain(IRV_MIN, language)),
        "mahalanobis": t("flag_mahalanobis", p=notation.plain(MAHALANOBIS_P, language)),
        "speeder": t("flag_speeder", seconds=notation.plain(SPEEDER_SECONDS_PER_ITEM, language)),
    }


def _as_text(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``frame`` with ``columns`` as text, "" where empty (a column of only empty cells is
    read back from CSV as numbers)."""
    return frame.assign(**{c: frame[c].astype(object).fillna("").astype(str) for c in columns})


def quality_context(
    quality: pd.DataFrame,
    rejects: pd.DataFrame,
    files: pd.DataFrame,
    indicative_min: int,
    t: Translator,
    invalid: pd.DataFrame | None = None,
) -> dict:
    """What the data-quality page shows, ready for its template, in ``t``'s language.
    ``invalid``: answers stored as missing per wave, item and problem (results of older
    runs have none)."""
    if invalid is None:
        invalid = pd.DataFrame(columns=["wave", "item", "problem", "answers"])
    if "status" not in files:
        files = files.assign(status="active", status_reason="")
    minimum = int(indicative_min)
    keys = ["wave", "area", "side"]
    # A row rejected before its area or role was read (no consent: nothing else is kept) has
    # none: it gets a row of its own ("" there), so that each wave's rows add up to the files.
    rejects = _as_text(rejects, keys)
    rejected = (
        rejects.groupby(keys)["n"].sum().rename("rejected").reset_index()
        if not rejects.empty
        else pd.DataFrame(columns=[*keys, "rejected"])
    )
    quality = _as_text(quality, keys)
    cells = quality.merge(rejected, on=keys, how="outer")
    cells["n"] = cells["n"].fillna(0).astype(int)
    cells["rejected"] = cells["rejected"].fillna(0).astype(int)
    cells["suppressed"] = cells["n"] < minimum
    cells = cells.sort_values(["wave", "area", "side"])
    reasons = (
        rejects.groupby(["wave", "reason"])["n"].sum().reset_index()
        if not rejects.empty
        else pd.DataFrame(columns=["wave", "reason", "n"])
    )
    waves = sorted(set(cells["wave"]) | set(reasons["wave"]) | set(files["wave"].astype(str)))
    totals = {
        wave: {"n": int(row.n), "rejected": int(row.rejected)}
        for wave, row in cells.groupby("wave")[["n", "rejected"]].sum().iterrows()
    }
    return {
        "waves": waves,
        "totals": totals,
        "stakeholders": sorted(set(cells.loc[cells["side"] == "stakeholder", "wave"])),
        "cells": cells.astype(object).where(cells.notna(), None).to_dict(orient="records"),
        "reasons": reasons.to_dict(orient="records"),
        "reason_text": {code: t("reason_" + code) for code in REJECT_REASONS},
        "files": files.assign(
            wave=files["wave"].astype(str),
            # empty in every row, the CSV reads the column as numbers (NaN)
            status_reason=files["status_reason"]
            .astype(object)
            .where(files["status_reason"].notna(), ""),
        ).to_dict(orient="records"),
        "invalid": invalid.assign(wave=invalid["wave"].astype(str)).to_dict(orient="records"),
        "flags": FLAGS,
        "flag_labels": flag_labels(t),
        "minimum": minimum,
    }
