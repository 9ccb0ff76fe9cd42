"""Where the built-in files live (the Makefile names the output paths)."""

from pathlib import Path

import samenspel.instrument
import samenspel.pipeline

INSTRUMENT_DIR = Path(samenspel.instrument.__file__).parent
DEFAULT_INSTRUMENT = INSTRUMENT_DIR / "samenspel.yaml"
DEFAULT_AREAS = INSTRUMENT_DIR / "areas.yaml"
DEFAULT_METHODOLOGY = Path(samenspel.pipeline.__file__).parent / "methodology.yaml"
