"""Where the built-in files live (the Makefile names the output paths): package data of
``samenspel.instrument`` and ``samenspel.pipeline``, found as resources, so that no code of
those stages is needed to know where their files are."""

from importlib.resources import files
from pathlib import Path

INSTRUMENT_DIR = Path(str(files("samenspel.instrument")))
DEFAULT_INSTRUMENT = INSTRUMENT_DIR / "samenspel.yaml"
DEFAULT_AREAS = INSTRUMENT_DIR / "areas.yaml"
DEFAULT_METHODOLOGY = Path(str(files("samenspel.pipeline"))) / "methodology.yaml"
