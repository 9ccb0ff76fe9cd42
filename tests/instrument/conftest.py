"""Shared fixtures for the fieldwork tests: the built-in instrument, areas and XLSForm."""

from __future__ import annotations

import pytest

from samenspel.common.paths import DEFAULT_AREAS, DEFAULT_INSTRUMENT
from samenspel.instrument import load_areas, load_instrument
from samenspel.instrument.xlsform import build_xlsform, convert_xlsform, xlsform_bytes


@pytest.fixture(scope="session")
def instrument():
    return load_instrument(DEFAULT_INSTRUMENT)


@pytest.fixture(scope="session")
def areas():
    return load_areas(DEFAULT_AREAS)


@pytest.fixture(scope="session")
def xlsform(instrument, areas):
    return build_xlsform(instrument, areas)


@pytest.fixture(scope="session")
def xform(xlsform):
    """The XForm XML pyxform makes of the generated workbook (no ODK Validate)."""
    return convert_xlsform(xlsform_bytes(xlsform)).xform
