"""Render the results tables into a static HTML report (jinja2, autoescaped)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).with_name("templates")


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["number"] = format_number
    return env


def format_number(value, digits: int = 1) -> str:
    """A figure for the report: one decimal, an en dash for a missing or suppressed value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.{digits}f}"


def render_overview(index: pd.DataFrame, metadata: dict) -> str:
    """The overview page: the index per area and wave with its CI, band and n per side."""
    rows = index.sort_values(["wave", "municipality", "area_name"]).to_dict(orient="records")
    waves = sorted(index["wave"].unique())
    return (
        _environment()
        .get_template("overview.html.j2")
        .render(rows=rows, waves=waves, meta=metadata)
    )
