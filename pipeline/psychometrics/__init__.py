"""Psychometrics: reliability, EFA, CFA and measurement invariance, as a library.

The engine, usable on any data set and factor model; it imports nothing of samenspel's
questionnaire, methodology or application:

- :mod:`.factor_model` — factor models as plain mappings, and the stage's error type;
- :mod:`.reliability`, :mod:`.efa`, :mod:`.validity`, :mod:`.aggregation` — item analysis,
  alpha and omega, KMO, parallel analysis, rotated loadings, AVE and HTMT, ICC(1)/ICC(2);
- :mod:`.cfa` with :mod:`.model_spec`, :mod:`.ml`, :mod:`.robust`, :mod:`.polychoric`,
  :mod:`.ordinal` and :mod:`.fit_indices` — confirmatory factor analysis as lavaan's
  ``cfa()`` (ML, MLR, WLSMV);
- :mod:`.invariance` — configural, metric, scalar and strict invariance, full or partial;
- :mod:`.criteria` — the standards every figure is reported against;
- :mod:`.tables` — every table for one data set in one call.

:mod:`.small_waves` fits a model step by step (per pillar, per construct) as far as a small
sample carries it. :mod:`samenspel.pipeline.measurement` applies the engine to the
questionnaire in the pipeline: per wave, both sides, and across waves, with the methodology
file's settings.
"""

from samenspel.pipeline.psychometrics.cfa import fit_cfa
from samenspel.pipeline.psychometrics.efa import fit_efa
from samenspel.pipeline.psychometrics.factor_model import PsychometricsError
from samenspel.pipeline.psychometrics.invariance import measurement_invariance
from samenspel.pipeline.psychometrics.polychoric import polychoric_correlations
from samenspel.pipeline.psychometrics.reliability import scale_reliability
from samenspel.pipeline.psychometrics.tables import psychometric_tables

__all__ = [
    "PsychometricsError",
    "fit_cfa",
    "fit_efa",
    "measurement_invariance",
    "polychoric_correlations",
    "psychometric_tables",
    "scale_reliability",
]
