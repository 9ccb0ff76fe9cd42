"""Simulated fieldwork from a known model: the built-in demo and the tests' oracle.

Beside the data flow rather than in it: :mod:`.simulate` writes exports that the ingest stage
reads like any other, and :mod:`.truth` computes the index the generating model implies, with
the index stage's own estimator.
"""

from samenspel.pipeline.simulation.simulate import (
    SimulationSettings,
    draw_model,
    simulate_wave,
    to_kobo_csv,
)
from samenspel.pipeline.simulation.truth import component_pool, true_index

__all__ = [
    "SimulationSettings",
    "component_pool",
    "draw_model",
    "simulate_wave",
    "to_kobo_csv",
    "true_index",
]
