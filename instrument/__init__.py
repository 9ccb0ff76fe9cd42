"""The questionnaire as data: typed models, loading and validation, the area registry."""

from samenspel.common.problems import InputError, Level, Problem, ProblemsFound
from samenspel.instrument.areas import load_areas
from samenspel.instrument.load import check_instrument, load_instrument
from samenspel.instrument.model import AreaRegistry, Instrument

__all__ = [
    "AreaRegistry",
    "InputError",
    "Instrument",
    "Level",
    "Problem",
    "ProblemsFound",
    "check_instrument",
    "load_areas",
    "load_instrument",
]
