"""The data-quality page: rejects and data-quality flags per wave, area and side.

    html = render_quality(quality_summary, rejects_summary, files, metadata)

Inputs are the tables ``samenspel analyse`` writes (``quality_summary.csv``,
``rejects_summary.csv``, ``files.csv``, ``metadata.json``). Self-contained page, autoescaped;
no free text from the data appears on it, only codes, counts and shares. Shares of cells with
fewer than ``metadata['indicative_min']`` responses are suppressed.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from samenspel.pipeline.ingest import REJECT_REASONS
from samenspel.pipeline.quality import (
    FLAGS,
    IRV_MIN,
    MAHALANOBIS_P,
    NONRESPONSE_MAX,
    SPEEDER_SECONDS_PER_ITEM,
)

TEMPLATES = Path(__file__).with_name("templates")
FLAG_LABELS = {
    "nonresponse": f"item nonresponse > {NONRESPONSE_MAX:.0%}",
    "longstring": "longstring (same answer in a row)",
    "irv": f"low response variability (SD < {IRV_MIN})",
    "mahalanobis": f"multivariate outlier (p < {MAHALANOBIS_P})",
    "speeder": f"speeder (< {SPEEDER_SECONDS_PER_ITEM:g} s per item or < half the median time)",
}


def _percent(value) -> str:
    if value is None or pd.isna(value):
        return "–"
    return f"{100 * value:.1f}%"


def render_quality(
    quality: pd.DataFrame, rejects: pd.DataFrame, files: pd.DataFrame, metadata: dict
) -> str:
    """The page as HTML text."""
    minimum = int(metadata.get("indicative_min", 0))
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
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["percent"] = _percent
    return env.get_template("quality.html.j2").render(
        waves=waves,
        cells=cells.to_dict(orient="records"),
        reasons=reasons.to_dict(orient="records"),
        reason_text=REJECT_REASONS,
        files=files.assign(wave=files["wave"].astype(str)).to_dict(orient="records"),
        flags=FLAGS,
        flag_labels=FLAG_LABELS,
        minimum=minimum,
        meta=metadata,
    )
