"""Test helper: simulated answers shaped exactly like a KoboToolbox CSV export of our form."""

from __future__ import annotations

import numpy as np
import pandas as pd

from samenspel.instrument.model import wording_fields
from samenspel.instrument.xlsform import export_columns
from samenspel.pipeline.simulation.simulate import SimulationSettings, draw_model, simulate_wave


def simulated_wave(instrument, areas, per_side: int = 6, seed: int = 7):
    """One simulated wave (codes as floats, Kobo metadata) and its settings."""
    settings = SimulationSettings(waves=("2025",), per_side=per_side, seed=seed, model_seed=seed)
    model = draw_model(instrument, areas, settings)
    frame = simulate_wave(instrument, areas, model, "2025", np.random.default_rng(seed))
    return frame, settings


def kobo_export(instrument, frame: pd.DataFrame, xform: str, group_prefixes: bool) -> str:
    """Rows as KoboToolbox exports this form: XML names and codes, `;`, every field quoted."""
    roles = {float(r.code): r for r in instrument.roles.values()}
    out = pd.DataFrame(index=frame.index)
    for header, name in export_columns(xform, group_prefixes):
        if name in frame.columns:
            values = frame[name]
            if pd.api.types.is_float_dtype(values):
                values = values.map(lambda v: "" if pd.isna(v) else str(int(v)))
        elif name in wording_fields(instrument):
            placeholder, language = name.rsplit("_", 1)
            values = frame["role"].map(
                lambda c, p=placeholder, lang=language: (
                    roles[c].placeholders[p][lang] if c in roles else ""
                )
            )
        elif name == "instanceID":
            values = "uuid:" + frame["_uuid"]
        elif name == "audit":
            values = pd.Series("audit.csv", index=frame.index)
        else:
            values = pd.Series("", index=frame.index)
        out[header] = values
    return out.to_csv(sep=";", index=False, quoting=1, lineterminator="\r\n")
