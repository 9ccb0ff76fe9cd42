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

FLAG_LABELS = {
    "nonresponse": f"item nonresponse > {NONRESPONSE_MAX:.0%}",
    "longstring": "longstring (same answer in a row)",
    "irv": f"low response variability (SD < {IRV_MIN})",
    "mahalanobis": f"multivariate outlier (p < {MAHALANOBIS_P})",
    "speeder": f"speeder (< {SPEEDER_SECONDS_PER_ITEM:g} s per item or < half the median time)",
}


def percent(value) -> str:
    """A share as a percentage with one decimal; an en dash when missing."""
    if value is None or pd.isna(value):
        return "–"
    return f"{100 * value:.1f}%"


def quality_context(
    quality: pd.DataFrame,
    rejects: pd.DataFrame,
    files: pd.DataFrame,
    indicative_min: int,
    invalid: pd.DataFrame | None = None,
) -> dict:
    """What the data-quality page shows, ready for its template. ``invalid``: answers
    stored as missing per wave, item and problem (results of older runs have none)."""
    if invalid is None:
        invalid = pd.DataFrame(columns=["wave", "item", "problem", "answers"])
    if "status" not in files:
        files = files.assign(status="active", status_reason="")
    minimum = int(indicative_min)
    rejected = (
        rejects.groupby(["wave", "area", "side"])["n"].sum().rename("rejected").reset_index()
        if not rejects.empty
        else pd.DataFrame(columns=["wave", "area", "side", "rejected"])
    )
    cells = quality.merge(rejected, on=["wave", "area", "side"], how="outer")
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
    return {
        "waves": waves,
        "cells": cells.astype(object).where(cells.notna(), None).to_dict(orient="records"),
        "reasons": reasons.to_dict(orient="records"),
        "reason_text": REJECT_REASONS,
        "files": files.assign(wave=files["wave"].astype(str))
        .fillna({"status_reason": ""})
        .to_dict(orient="records"),
        "invalid": invalid.assign(wave=invalid["wave"].astype(str)).to_dict(orient="records"),
        "flags": FLAGS,
        "flag_labels": FLAG_LABELS,
        "minimum": minimum,
    }
