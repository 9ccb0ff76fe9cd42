"""The standards psychometric figures are reported against (docs/psychometrics.md), as data.

Change a threshold here and every table, verdict and report follows. The fit criteria are
applied to the estimator's version of each index (:data:`FIT_VERSION`): the plain indices
for ML, the robust ones for MLR (Brosseau-Liard & Savalei 2014), the scaled ones for WLSMV
(as Mplus and most applied work report them; lavaan's robust WLSMV indices are undefined
once thresholds are constrained across groups, so they cannot serve the invariance steps).
The cutoffs were derived for continuous ML; under WLSMV they are conventions (Xia & Yang
2019), which the technical appendix says beside every figure.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass

import pandas as pd

_OPERATORS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}
_SYMBOLS = {">=": "≥", "<=": "≤", ">": ">", "<": "<"}

HU_BENTLER = "Hu & Bentler 1999"
COSMIN = "COSMIN (Prinsen et al. 2018)"
FORNELL_LARCKER = "Fornell & Larcker 1981"
HENSELER = "Henseler et al. 2015"
CHEN = "Chen 2007; Cheung & Rensvold 2002"
BLIESE = "Bliese 2000"

#: Which version of CFI, TLI and RMSEA (lavaan's suffix) is judged, per estimator.
FIT_VERSION = {"ML": "", "MLR": ".robust", "WLSMV": ".scaled"}
#: The indices that have scaled and robust versions (SRMR has none).
VERSIONED_MEASURES = ("cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.pvalue")

CHECK_GLOBAL_FIT = "global fit"
CHECK_RELIABILITY = "reliability"
CHECK_CONVERGENT = "convergent validity"
CHECK_DISCRIMINANT = "discriminant validity"
CHECK_INVARIANCE = "invariance"
CHECK_AGGREGATION = "aggregation to areas"


@dataclass(frozen=True)
class Criterion:
    """One standard: ``statistic operator threshold`` (e.g. ``cfi >= 0.95``).

    ``applies_to`` narrows an invariance criterion to one step (``thresholds``, ``metric``,
    ``scalar``, ``strict``); empty means every step or subject.
    """

    check: str
    statistic: str
    operator: str
    threshold: float
    source: str
    applies_to: str = ""

    def text(self) -> str:
        t = self.threshold
        number = f"{t:.2f}" if round(t, 2) == t else f"{t:.3f}"
        return f"{self.statistic} {_SYMBOLS[self.operator]} {number}"

    def met(self, value: float) -> bool | None:
        """Whether ``value`` meets the criterion; None when the value is missing."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        return bool(_OPERATORS[self.operator](value, self.threshold))


#: The criteria of docs/psychometrics.md, in the order reports print them.
CRITERIA: tuple[Criterion, ...] = (
    Criterion(CHECK_GLOBAL_FIT, "cfi", ">=", 0.95, HU_BENTLER),
    Criterion(CHECK_GLOBAL_FIT, "tli", ">=", 0.95, HU_BENTLER),
    Criterion(CHECK_GLOBAL_FIT, "rmsea", "<=", 0.06, HU_BENTLER),
    Criterion(CHECK_GLOBAL_FIT, "srmr", "<=", 0.08, HU_BENTLER),
    Criterion(CHECK_RELIABILITY, "alpha", ">=", 0.70, COSMIN),
    Criterion(CHECK_RELIABILITY, "omega_total", ">=", 0.70, COSMIN),
    Criterion(CHECK_RELIABILITY, "alpha_ordinal", ">=", 0.70, COSMIN),
    Criterion(CHECK_RELIABILITY, "omega_ordinal", ">=", 0.70, COSMIN),
    Criterion(CHECK_CONVERGENT, "ave", ">=", 0.50, FORNELL_LARCKER),
    Criterion(CHECK_CONVERGENT, "composite_reliability", ">=", 0.70, FORNELL_LARCKER),
    Criterion(CHECK_DISCRIMINANT, "htmt", "<", 0.85, HENSELER),
    Criterion(CHECK_INVARIANCE, "delta_cfi", ">=", -0.010, CHEN),
    Criterion(CHECK_INVARIANCE, "delta_rmsea", "<=", 0.015, CHEN),
    Criterion(CHECK_INVARIANCE, "delta_srmr", "<=", 0.010, CHEN, "thresholds"),
    Criterion(CHECK_INVARIANCE, "delta_srmr", "<=", 0.030, CHEN, "metric"),
    Criterion(CHECK_INVARIANCE, "delta_srmr", "<=", 0.010, CHEN, "scalar"),
    Criterion(CHECK_INVARIANCE, "delta_srmr", "<=", 0.010, CHEN, "strict"),
    Criterion(CHECK_AGGREGATION, "icc1", ">", 0.0, BLIESE),
)

COL_CHECK = "check"
COL_STATISTIC = "statistic"
COL_OPERATOR = "operator"
COL_THRESHOLD = "threshold"
COL_APPLIES_TO = "applies_to"
COL_CRITERION = "criterion"
COL_SOURCE = "source"
#: Columns of :func:`criteria_table`.
CRITERIA_COLUMNS = (
    COL_CHECK,
    COL_STATISTIC,
    COL_OPERATOR,
    COL_THRESHOLD,
    COL_APPLIES_TO,
    COL_CRITERION,
    COL_SOURCE,
)


def measure_name(statistic: str, estimator: str) -> str:
    """lavaan's name of the fit measure a criterion on ``statistic`` judges for
    ``estimator`` (e.g. ``cfi`` -> ``cfi.scaled`` for WLSMV)."""
    return statistic + FIT_VERSION[estimator] if statistic in VERSIONED_MEASURES else statistic


def criteria_for(check: str, step: str = "") -> tuple[Criterion, ...]:
    """The criteria of one check (and, for invariance, one step)."""
    return tuple(
        c for c in CRITERIA if c.check == check and (not c.applies_to or c.applies_to == step)
    )


def criteria_table() -> pd.DataFrame:
    """All criteria as a table with columns :data:`CRITERIA_COLUMNS`."""
    return pd.DataFrame(
        [
            (c.check, c.statistic, c.operator, c.threshold, c.applies_to, c.text(), c.source)
            for c in CRITERIA
        ],
        columns=list(CRITERIA_COLUMNS),
    )
