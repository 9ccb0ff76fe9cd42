"""Confirmatory factor analysis as lavaan's ``cfa()``: ML, robust ML (MLR) and ordinal (WLSMV).

One call, :func:`fit_cfa`, for single- and multiple-group models with equality constraints
across groups (lavaan's ``group.equal``) and exemptions from them (``group.partial``),
orthogonal factors and fixed loadings (so bifactor models can be written). Three estimators,
each checked against lavaan 0.6 (tests/r/golden.R, tests/r/golden_ordinal.R):

* ``"ML"``: maximum likelihood, items continuous and normal; listwise deletion or
  full-information ML for missing answers (lavaan's ``missing = "fiml"``); standard errors
  from the expected (complete data) or observed (FIML) information.
* ``"MLR"``: the same estimates with Huber-White (sandwich) standard errors and the
  Yuan-Bentler scaled test (lavaan's ``estimator = "MLR"``, test ``yuan.bentler.mplus``),
  with the scaled and robust fit measures; FIML as for ML.
* ``"WLSMV"``: items ordered categorical; thresholds and polychoric correlations (two-step)
  fitted by diagonally weighted least squares with robust standard errors and the
  mean-and-variance adjusted test (lavaan's ``ordered = ..., estimator = "WLSMV"``, test
  ``scaled.shifted``); missing answers pairwise by default (lavaan's default is listwise:
  give ``missing = "pairwise"`` there), delta or theta parameterisation
  (:mod:`.ordinal`).

Fit measures carry lavaan's ``fitMeasures`` names. Conventions follow lavaan 0.6 defaults:

* identification by a marker item (loading fixed to 1) per factor; the marker is the first item
  of the factor that is not reverse-keyed (the first item when all are), so factors point in the
  keyed direction (``marker="first"`` takes the first item, exactly as lavaan);
  ``std_lv=True`` fixes factor variances to 1 instead;
* ML with the biased sample covariance (divisor N); chi-square = N * F_ML; RMSEA with N and
  multiplied by sqrt(number of groups); SRMR is lavaan's Bentler SRMR (mean residuals included
  when there is a mean structure; correlation residuals only for ordered items);
* a mean structure by default with groups or FIML (``meanstructure=None``), none otherwise;
  always with ordered items (thresholds);
* groups in order of first appearance in the data; with equal intercepts, latent means are
  free in every group but the first (and with equal loadings under ``std_lv``, so are the
  factor variances); ordered items across groups are identified as Wu & Estabrook (2016)
  (:mod:`.model_spec`);
* ML standard errors from the expected information (complete data) or the observed
  information (FIML), as lavaan; modification indices from the expected information.

ML estimation is Fisher scoring with analytic gradients and a step-halving line search
(:mod:`.ml`); MLR's statistics are in :mod:`.robust`.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import linalg, optimize, stats
from threadpoolctl import threadpool_limits

from samenspel.pipeline.psychometrics import ml as ml
from samenspel.pipeline.psychometrics import ordinal, robust
from samenspel.pipeline.psychometrics.factor_model import (
    FactorModel,
    PsychometricsError,
    check_columns,
    numeric_items,
    parse_factor_model,
)
from samenspel.pipeline.psychometrics.model_spec import (
    ALPHA,
    GROUP_EQUAL_OPTIONS,
    LAMBDA,
    NU,
    OPS,
    PARAMETERIZATION_OPTIONS,
    PHI,
    TAU,
    THETA,
    build_spec,
    check_group_partial,
    normalise_labels,
    parameter_label,
)
from samenspel.pipeline.psychometrics.polychoric import (
    ORDINAL_MISSING_OPTIONS,
    ordered_codes,
    ordinal_sample,
    usable_rows,
)

#: Values accepted by ``estimator`` (lavaan's names).
ESTIMATOR_OPTIONS = ("ML", "MLR", "WLSMV")
#: Values accepted by ``missing`` for continuous items (ML, MLR); ordered items (WLSMV) take
#: :data:`.polychoric.ORDINAL_MISSING_OPTIONS`.
MISSING_OPTIONS = ("listwise", "fiml")
#: Values accepted by ``marker``: the first item that is not reverse-keyed (default), or the
#: first item listed (lavaan's choice; estimates then equal lavaan's for any model).
MARKER_OPTIONS = ("first_keyed", "first")
#: Fit measures of an ML fit, named as lavaan's ``fitMeasures``.
FIT_MEASURES = (
    "npar",
    "fmin",
    "chisq",
    "df",
    "pvalue",
    "baseline.chisq",
    "baseline.df",
    "baseline.pvalue",
    "cfi",
    "tli",
    "nnfi",
    "rfi",
    "nfi",
    "ifi",
    "rni",
    "logl",
    "unrestricted.logl",
    "aic",
    "bic",
    "ntotal",
    "bic2",
    "rmsea",
    "rmsea.ci.lower",
    "rmsea.ci.upper",
    "rmsea.pvalue",
    "srmr",
)
#: Fit measures added by the robust estimators (MLR, WLSMV), lavaan's names: statistics and
#: indices from the scaled test (``.scaled``) and the robust indices (``.robust``:
#: Brosseau-Liard & Savalei 2014 for MLR, Savalei 2021 for WLSMV).
ROBUST_FIT_MEASURES = (
    "chisq.scaled",
    "df.scaled",
    "pvalue.scaled",
    "chisq.scaling.factor",
    "baseline.chisq.scaled",
    "baseline.df.scaled",
    "baseline.pvalue.scaled",
    "baseline.chisq.scaling.factor",
    "cfi.scaled",
    "tli.scaled",
    "nnfi.scaled",
    "rfi.scaled",
    "nfi.scaled",
    "ifi.scaled",
    "rni.scaled",
    "cfi.robust",
    "tli.robust",
    "nnfi.robust",
    "rni.robust",
    "rmsea.scaled",
    "rmsea.ci.lower.scaled",
    "rmsea.ci.upper.scaled",
    "rmsea.pvalue.scaled",
    "rmsea.robust",
    "rmsea.ci.lower.robust",
    "rmsea.ci.upper.robust",
    "rmsea.pvalue.robust",
)
#: Likelihood-based measures (lavaan lists ntotal with them), which WLSMV does not have.
LIKELIHOOD_MEASURES = ("logl", "unrestricted.logl", "aic", "bic", "ntotal", "bic2")
#: MLR's Yuan-Bentler scaling factors of the saturated and the fitted model.
MLR_MEASURES = ("scaling.factor.h1", "scaling.factor.h0")


def fit_measure_names(estimator: str) -> tuple[str, ...]:
    """The fit measures :func:`fit_cfa` returns for ``estimator``, in order."""
    if estimator == "ML":
        return FIT_MEASURES
    base = tuple(m for m in FIT_MEASURES if estimator != "WLSMV" or m not in LIKELIHOOD_MEASURES)
    return base + ROBUST_FIT_MEASURES + (MLR_MEASURES if estimator == "MLR" else ())


# Columns of CFAResult.parameters (lavaan's parameterEstimates names where they exist).
COL_GROUP = "group"
COL_LHS = "lhs"
COL_OP = "op"
COL_RHS = "rhs"
COL_FREE = "free"
COL_EST = "est"
COL_SE = "se"
COL_Z = "z"
COL_PVALUE = "pvalue"
COL_STD_ALL = "std_all"
PARAMETER_COLUMNS = (
    COL_GROUP,
    COL_LHS,
    COL_OP,
    COL_RHS,
    COL_FREE,
    COL_EST,
    COL_SE,
    COL_Z,
    COL_PVALUE,
    COL_STD_ALL,
)
# Columns of CFAResult.modification_indices().
COL_MI = "mi"
COL_EPC = "epc"
COL_SEPC_ALL = "sepc_all"
MODIFICATION_COLUMNS = (COL_GROUP, COL_LHS, COL_OP, COL_RHS, COL_MI, COL_EPC, COL_SEPC_ALL)
# Columns of CFAResult.equality_score_tests().
COL_LABEL = "label"
COL_X2 = "x2"
COL_DF = "df"
SCORE_TEST_COLUMNS = (
    COL_GROUP,
    COL_LHS,
    COL_OP,
    COL_RHS,
    COL_LABEL,
    COL_X2,
    COL_DF,
    COL_PVALUE,
    COL_EPC,
)
# Columns of fit_table().
COL_MEASURE = "measure"
COL_VALUE = "value"


def single_threaded_blas(function):
    """Run ``function`` with one BLAS thread: the matrices here are small, and on a busy
    machine multi-threaded BLAS makes them ten times slower."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with threadpool_limits(limits=1, user_api="blas"):
            return function(*args, **kwargs)

    return wrapper


# ----------------------------------------------------------------------------- result


@dataclass(frozen=True)
class CFAResult:
    """A fitted CFA.

    Attributes
    ----------
    fit : fit measures keyed by lavaan's ``fitMeasures`` names (:func:`fit_measure_names`:
        :data:`FIT_MEASURES`, and for MLR and WLSMV also :data:`ROBUST_FIT_MEASURES`).
    parameters : one row per model parameter and group, columns :data:`PARAMETER_COLUMNS`
        (``op`` is ``=~`` loading, ``~~`` (co)variance, ``~1`` intercept or latent mean,
        ``|`` threshold (``rhs`` ``t1``, ``t2``, ...), ``~*~`` scale factor; ``std_all`` is
        lavaan's completely standardised solution; as in lavaan, ``se`` is 0 and ``z``,
        ``pvalue`` are NaN for fixed parameters; ``se`` is NaN throughout when standard
        errors were not asked for).
    groups : group labels in model order; ``n_obs`` the respondents used per group.
    estimator, missing, group_equal, group_partial, meanstructure, parameterization : the
        estimation options (``parameterization`` is empty for continuous items).
    iterations : iterations of the optimiser.
    """

    fit: Mapping[str, float]
    parameters: pd.DataFrame
    items: tuple[str, ...]
    factors: tuple[str, ...]
    groups: tuple[str, ...]
    n_obs: tuple[int, ...]
    missing: str
    group_equal: frozenset[str]
    meanstructure: bool
    iterations: int
    estimator: str
    group_partial: frozenset[str]
    parameterization: str
    _engine: ml.Engine | ordinal.OrdinalEngine = field(repr=False, compare=False)
    _x: np.ndarray = field(repr=False, compare=False)

    def fit_table(self) -> pd.DataFrame:
        """Fit measures as a two-column table (``measure``, ``value``)."""
        return pd.DataFrame({COL_MEASURE: list(self.fit), COL_VALUE: list(self.fit.values())})

    def loadings(self) -> pd.DataFrame:
        """The ``=~`` rows of :attr:`parameters`."""
        return self.parameters[self.parameters[COL_OP] == "=~"].reset_index(drop=True)

    def implied(self, group: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """Model-implied moments of a group (by position): covariance matrix and means for
        continuous items; correlation matrix and thresholds of the latent responses for
        ordered items."""
        if isinstance(self._engine, ordinal.OrdinalEngine):
            stats_ = self._engine.implied(self._x, group)
            n_th = len(self._engine.th_item)
            return self._engine.implied_correlations(self._x, group), stats_[:n_th]
        return self._engine.implied(self._x, group)

    @single_threaded_blas
    def modification_indices(self, minimum: float = 0.0) -> pd.DataFrame:
        """Modification indices for cross-loadings and residual covariances, per group.

        Score tests with the expected information, as lavaan's ``modindices()`` (under FIML
        the information of complete data at the model-implied moments is used, an
        approximation: lavaan uses the observed information there; for WLSMV the DWLS
        information ``Delta' W Delta`` as lavaan); ``epc`` is the expected parameter change and
        ``sepc_all`` its completely standardised value (residual covariances standardised by
        the residual variances). Sorted as lavaan lists them; rows with ``mi < minimum`` are
        dropped.
        """
        engine = self._engine
        spec = engine.spec
        candidates = []
        for g in range(spec.n_groups):
            sel = spec.grp == g
            taken = set(zip(spec.mat[sel], spec.row[sel], spec.col[sel], strict=True))
            for k in range(spec.m):
                for i in range(spec.p):
                    if (LAMBDA, i, k) not in taken:
                        candidates.append((g, LAMBDA, i, k))
            for j in range(spec.p):
                for i in range(j + 1, spec.p):
                    if (THETA, i, j) not in taken:
                        candidates.append((g, THETA, i, j))
        if not candidates:
            return pd.DataFrame(columns=list(MODIFICATION_COLUMNS))
        mi, epc = engine.score_tests(self._x, candidates)
        values = engine.row_values(self._x)
        rows = []
        for c, (g, mat, i, j) in enumerate(candidates):
            sel = spec.grp == g
            if mat == LAMBDA:
                phi = values[sel & (spec.mat == PHI) & (spec.row == j) & (spec.col == j)][0]
                lhs, rhs = spec.factors[j], spec.items[i]
                scale = math.sqrt(phi) / engine.item_sd(self._x, g)[i]
            else:
                diag = sel & (spec.mat == THETA) & (spec.row == spec.col)
                theta = dict(zip(spec.row[diag], values[diag], strict=True))
                lhs, rhs = spec.items[j], spec.items[i]
                scale = 1 / math.sqrt(theta[i] * theta[j])
            rows.append((self.groups[g], lhs, OPS[mat], rhs, mi[c], epc[c], epc[c] * scale))
        out = pd.DataFrame(rows, columns=list(MODIFICATION_COLUMNS))
        return out[out[COL_MI] >= minimum].reset_index(drop=True)

    @single_threaded_blas
    def equality_score_tests(self) -> pd.DataFrame:
        """Score tests of releasing each equality constraint across groups.

        One row per constrained parameter and group after the first: the chi-square (1 df)
        by which the fit would improve if that group's parameter were free (lavaan's
        ``lavTestScore(fit)$uni``, expected information), and its expected change.
        Parameters held equal by being fixed in every group (intercepts of ordered items,
        residual variances under the theta parameterisation, latent means under
        ``"means"``) are tested as modification indices of the fixed parameter. Columns
        :data:`SCORE_TEST_COLUMNS`; ``label`` is the name for ``group_partial``. Sorted by
        ``x2``, largest first.
        """
        engine = self._engine
        spec = engine.spec
        free = spec.free
        rows = []
        for fid in np.unique(free[free >= 0]):
            holders = np.flatnonzero(free == fid)
            first = spec.grp[holders].min()
            rows += [j for j in holders if spec.grp[j] != first]
        classes = {NU: "intercepts", ALPHA: "means", THETA: "residuals"}
        for j in np.flatnonzero((spec.grp > 0) & (free < 0) & ~spec.computed):
            option = classes.get(spec.mat[j])
            if spec.mat[j] == THETA and spec.row[j] != spec.col[j]:
                continue
            if option in self.group_equal and (
                parameter_label(*spec.names(j)) not in self.group_partial
            ):
                rows.append(j)
        if not rows:
            return pd.DataFrame(columns=list(SCORE_TEST_COLUMNS))
        candidates = [(spec.grp[j], spec.mat[j], spec.row[j], spec.col[j]) for j in rows]
        mi, epc = engine.score_tests(self._x, candidates)
        out = pd.DataFrame(
            [
                (
                    self.groups[spec.grp[j]],
                    *spec.names(j),
                    parameter_label(*spec.names(j)),
                    mi[c],
                    1,
                    float(stats.chi2.sf(mi[c], 1)) if np.isfinite(mi[c]) else math.nan,
                    epc[c],
                )
                for c, j in enumerate(rows)
            ],
            columns=list(SCORE_TEST_COLUMNS),
        )
        return out.sort_values(COL_X2, ascending=False, kind="stable").reset_index(drop=True)

    @property
    def n_total(self) -> int:
        return sum(self.n_obs)


# ----------------------------------------------------------------------------- fitting


@single_threaded_blas
def fit_cfa(
    data: pd.DataFrame,
    model: Mapping[str, Sequence[str]] | FactorModel,
    *,
    group: str | None = None,
    group_equal: Sequence[str] = (),
    group_partial: Sequence[str] = (),
    missing: str | None = None,
    estimator: str = "ML",
    ordered: Sequence[str] | bool | None = None,
    parameterization: str = "delta",
    orthogonal: bool = False,
    meanstructure: bool | None = None,
    std_lv: bool = False,
    marker: str = "first_keyed",
    residual_covariances: Sequence[tuple[str, str]] = (),
    standard_errors: bool = True,
    start: CFAResult | None = None,
    max_iter: int = 500,
) -> CFAResult:
    """Fit a CFA as lavaan's ``cfa()`` with the same options.

    Parameters
    ----------
    data : one row per respondent; item columns numeric, NaN for a missing answer.
    model : ``{factor: [item, ...]}``; a ``-item`` (reverse-keyed) gets a negative loading,
        ``"0.7*item"`` a loading fixed to 0.7 (lavaan ``f =~ 0.7*item``); an item may load on
        several factors.
    group : column with the group of each respondent (multiple-group model; lavaan
        ``group``).
    group_equal : equality constraints across groups, from :data:`GROUP_EQUAL_OPTIONS`
        (lavaan ``group.equal``; ``"thresholds"`` for ordered items).
    group_partial : parameters exempt from ``group_equal``, named as lavaan's
        ``group.partial``: ``"F=~item"``, ``"item~1"``, ``"item|t1"``, ``"item~~item"``.
    missing : ``"listwise"`` (default) or ``"fiml"`` for ML and MLR (lavaan ``missing =
        "fiml"``); ``"pairwise"`` (default) or ``"listwise"`` for WLSMV.
    estimator : ``"ML"``, ``"MLR"`` or ``"WLSMV"`` (:data:`ESTIMATOR_OPTIONS`; lavaan
        ``estimator``).
    ordered : the ordered items; only with WLSMV, which treats every model item as ordered
        (the default ``None`` or ``True``; lavaan ``ordered = c(...)``).
    parameterization : ``"delta"`` (lavaan's default) or ``"theta"`` for ordered items.
    orthogonal : factor covariances fixed to 0 (lavaan ``orthogonal = TRUE``), e.g. for a
        bifactor model with ``std_lv=True``.
    meanstructure : model intercepts; default lavaan's (with groups or FIML; always with
        ordered items).
    std_lv : identify by factor variances fixed to 1 instead of marker loadings.
    marker : which item's loading is fixed to 1, from :data:`MARKER_OPTIONS`.
    residual_covariances : pairs of items whose residuals may covary.
    standard_errors : compute ``se``, ``z``, ``pvalue`` (skip for speed).
    start : a fitted model whose estimates start this one (matched by group, lhs, op, rhs),
        e.g. the previous invariance step.
    max_iter : iterations of the optimiser before giving up.

    Returns
    -------
    CFAResult; its ``fit`` and ``parameters`` agree with lavaan's ``fitMeasures()`` and
    ``parameterEstimates(standardized = TRUE)`` (tests/r/golden.R, golden_ordinal.R).

    Notes
    -----
    What R gives for the same model (lavaan 0.6)::

        cfa(model, data, estimator = "MLR", missing = "fiml")        # estimator="MLR"
        cfa(model, data, ordered = items, estimator = "WLSMV",
            missing = "pairwise", parameterization = "delta")        # estimator="WLSMV"
        cfa(model, data, group = "g", group.equal = "loadings",
            group.partial = "F=~x2", orthogonal = TRUE, std.lv = TRUE)

    Two choices differ from lavaan's defaults: WLSMV uses missing answers pairwise unless
    ``missing="listwise"`` (lavaan's default is listwise), and ordered items across groups
    with ``group_equal`` are identified as Wu & Estabrook (2016), i.e. as lavaan fits the
    syntax of ``semTools::measEq.syntax(ID.cat = "Wu.Estabrook.2016")`` (with ``std_lv=True``
    as its ``ID.fac = "std.lv"``), not as lavaan's own ``cfa(group.equal = ...)``. The
    marker is the first keyed item unless ``marker="first"``.

    Raises
    ------
    PsychometricsError
        For options, data or models that cannot be estimated, with a message saying how to
        fix it.
    """
    parsed = parse_factor_model(model)
    estimator = _option(str(estimator).upper(), ESTIMATOR_OPTIONS, "estimator")
    ordinal_items = _ordered_items(parsed, ordered, estimator)
    if missing is None:
        missing = "pairwise" if ordinal_items else "listwise"
    _option(missing, ORDINAL_MISSING_OPTIONS if ordinal_items else MISSING_OPTIONS, "missing")
    _option(marker, MARKER_OPTIONS, "marker")
    _option(parameterization, PARAMETERIZATION_OPTIONS, "parameterization")
    unknown = set(group_equal) - set(GROUP_EQUAL_OPTIONS)
    if unknown:
        raise PsychometricsError(
            f"group_equal has unknown value(s) {sorted(unknown)}; valid: {GROUP_EQUAL_OPTIONS}"
        )
    if "thresholds" in group_equal and not ordinal_items:
        raise PsychometricsError(
            "group_equal 'thresholds' needs ordered items: use estimator='WLSMV'"
        )
    partial = normalise_labels(group_partial)
    for a, b in residual_covariances:
        if a not in parsed.items or b not in parsed.items or a == b:
            raise PsychometricsError(
                f"residual covariance ({a!r}, {b!r}) must name two different model items"
            )
    labels, membership = _groups(data, group)
    if len(labels) == 1 and group_equal:
        raise PsychometricsError("group_equal needs a group column with at least two groups")
    options = {
        "estimator": estimator,
        "missing": missing,
        "group_equal": frozenset(group_equal),
        "group_partial": partial,
        "std_lv": std_lv,
        "marker": marker,
        "orthogonal": orthogonal,
        "residual_covariances": residual_covariances,
        "standard_errors": standard_errors,
        "start": start,
        "max_iter": max_iter,
    }
    if ordinal_items:
        return _fit_ordinal(data, parsed, labels, membership, parameterization, options)
    if meanstructure is None:
        meanstructure = group is not None or missing == "fiml"
    return _fit_continuous(data, parsed, labels, membership, meanstructure, options)


def _option(value, choices: Sequence[str], name: str):
    if value not in choices:
        raise PsychometricsError(f"{name} must be one of {tuple(choices)}, got {value!r}")
    return value


def _ordered_items(parsed: FactorModel, ordered, estimator: str) -> tuple[str, ...]:
    """The ordered items: every model item under WLSMV, none otherwise."""
    items = parsed.items
    if estimator != "WLSMV":
        if ordered not in (None, False) and (ordered is True or len(ordered)):
            raise PsychometricsError(
                f"estimator {estimator!r} treats items as continuous; ordered items need "
                "estimator='WLSMV'"
            )
        return ()
    if ordered is None or ordered is True:
        return items
    if ordered is False or set(ordered) != set(items):
        raise PsychometricsError(
            "with estimator='WLSMV' every model item must be ordered (a mix of ordered and "
            f"continuous items is not supported); leave ordered out or list all of {list(items)}"
        )
    return items


def _groups(data: pd.DataFrame, group: str | None) -> tuple[list[str], np.ndarray]:
    if group is None:
        check_columns(data, [], "item")
        return ["all"], np.zeros(len(data), dtype=int)
    check_columns(data, [group], "group")
    column = data[group]
    if column.isna().any():
        raise PsychometricsError(
            f"group column {group!r} has missing values; drop or label those respondents"
        )
    labels = [str(v) for v in pd.unique(column)]
    return labels, pd.Categorical(column.astype(str), categories=labels).codes


def _fit_continuous(data, parsed, labels, membership, meanstructure, options) -> CFAResult:
    items = parsed.items
    missing = options["missing"]
    answers = numeric_items(data, items).to_numpy()
    groups = ml.group_data(answers, membership, labels, items, missing)
    spec = build_spec(
        parsed,
        len(groups),
        meanstructure,
        options["group_equal"],
        options["std_lv"],
        options["residual_covariances"],
        options["marker"],
        orthogonal=options["orthogonal"],
        group_partial=options["group_partial"],
    )
    check_group_partial(spec, options["group_partial"])
    engine = ml.Engine(spec, groups)
    n_moments = len(groups) * (spec.p * (spec.p + 1) // 2 + (spec.p if meanstructure else 0))
    df = n_moments - spec.n_free
    if engine.n_total <= spec.n_free:
        every = (
            ", or use every answer instead of listwise (samenspel analyse --missing fiml; "
            "psychometrics.missing: fiml in the methodology file; missing='fiml' here)"
            if missing == "listwise"
            else ""
        )
        raise PsychometricsError(
            f"too few respondents: {engine.n_total} for {spec.n_free} free parameters; "
            f"collect more answers or fit fewer items (a model per construct){every}"
        )
    _check_df(df, spec.n_free, n_moments)
    x0 = _warm_start(ml.start_values(spec, groups, parsed), spec, labels, options["start"])
    x, iterations = ml.fisher_scoring(engine, x0, options["max_iter"])
    grad = engine.gradient(x)
    if not np.all(np.isfinite(grad)) or np.max(np.abs(grad)) > 1e-5:
        result = optimize.minimize(
            engine.objective,
            x,
            jac=engine.gradient,
            method="BFGS",
            options={"gtol": 1e-9, "maxiter": options["max_iter"]},
        )
        x = result.x
        if np.max(np.abs(engine.gradient(x))) > 1e-5:
            raise PsychometricsError(
                f"the CFA did not converge after {iterations} iterations (largest gradient "
                f"{np.max(np.abs(engine.gradient(x))):.2g}); check for items with almost no "
                "variance, factors with fewer than three items or near-identical items"
            )
    _check_identified(engine.information(x))
    fit = ml.fit_measures(engine, x, df)
    vcov = None
    if options["estimator"] == "MLR":
        vcov, robust_fit = robust.mlr(engine, x, df, fit, missing)
        fit.update(robust_fit)
        fit = {name: fit[name] for name in fit_measure_names("MLR")}
    elif options["standard_errors"]:
        # lavaan: observed information under FIML, expected information otherwise
        hessian = ml.numeric_hessian(engine, x) / 2 if missing == "fiml" else engine.information(x)
        vcov = _inverse(hessian, engine.n_total)
    if not options["standard_errors"]:
        vcov = None
    parameters = _parameter_table(engine, x, labels, vcov, options["standard_errors"])
    _warn_heywood(parameters)
    return _result(fit, parameters, parsed, labels, [g.n for g in groups], meanstructure,
                   iterations, "", options, engine, x)  # fmt: skip


def _fit_ordinal(data, parsed, labels, membership, parameterization, options) -> CFAResult:
    items = parsed.items
    codes, levels = ordered_codes(data, items)
    n_categories = np.array([len(v) for v in levels])
    keep = usable_rows(codes, options["missing"])
    samples = []
    for g, label in enumerate(labels):
        rows = codes[(membership == g) & keep]
        where = f" in group {label!r}" if len(labels) > 1 else ""
        if len(rows) < 2:
            raise PsychometricsError(
                f"only {len(rows)} usable respondent(s){where}; a group needs at least two "
                "(and many more for stable estimates): merge or drop the group"
            )
        samples.append(_ordinal_sample(rows, n_categories, items, where))
    ordinal.warn_not_positive_definite(samples, labels)
    spec = build_spec(
        parsed,
        len(labels),
        True,
        options["group_equal"],
        options["std_lv"],
        options["residual_covariances"],
        options["marker"],
        orthogonal=options["orthogonal"],
        group_partial=options["group_partial"],
        n_thresholds={item: int(c) - 1 for item, c in zip(items, n_categories, strict=True)},
        parameterization=parameterization,
    )
    check_group_partial(spec, options["group_partial"])
    engine = ordinal.OrdinalEngine(spec, samples)
    n_moments = spec.n_groups * engine.n_stats
    _check_df(n_moments - spec.n_free, spec.n_free, n_moments)
    x0 = _warm_start(ordinal.start(engine, parsed), spec, labels, options["start"])
    x, iterations = ordinal.fit(engine, x0, options["max_iter"])
    parts = ordinal.robust_parts(engine, x)
    _check_identified(parts.info)
    fit = ordinal.fit_measures(engine, x, parts)
    fit = {name: fit[name] for name in fit_measure_names("WLSMV")}
    vcov = ordinal.robust_vcov(engine, parts) if options["standard_errors"] else None
    parameters = _parameter_table(engine, x, labels, vcov, options["standard_errors"])
    _warn_heywood(parameters)
    return _result(fit, parameters, parsed, labels, [s.n for s in samples], True, iterations,
                   parameterization, options, engine, x)  # fmt: skip


_SAMPLES: OrderedDict[tuple, object] = OrderedDict()
_SAMPLE_CACHE_SIZE = 8


def _ordinal_sample(rows: np.ndarray, n_categories: np.ndarray, items, where: str):
    """:func:`ordinal_sample`, remembered for the last few data sets: the steps of an
    invariance analysis fit the same groups' statistics again and again."""
    key = (rows.shape, rows.tobytes(), n_categories.tobytes(), tuple(items), where)
    if key not in _SAMPLES:
        _SAMPLES[key] = ordinal_sample(rows, n_categories, items, where)
        if len(_SAMPLES) > _SAMPLE_CACHE_SIZE:
            _SAMPLES.popitem(last=False)
    _SAMPLES.move_to_end(key)
    return _SAMPLES[key]


def _result(fit, parameters, parsed, labels, n_obs, meanstructure, iterations,
            parameterization, options, engine, x) -> CFAResult:  # fmt: skip
    return CFAResult(
        fit,
        parameters,
        parsed.items,
        parsed.factors,
        tuple(labels),
        tuple(int(n) for n in n_obs),
        options["missing"],
        options["group_equal"],
        meanstructure,
        iterations,
        options["estimator"],
        options["group_partial"],
        parameterization,
        engine,
        x,
    )


def _check_df(df: int, n_free: int, n_moments: int) -> None:
    if df < 0:
        raise PsychometricsError(
            f"the model has more parameters ({n_free}) than moments ({n_moments}): "
            "it is not identified; give each factor at least three items"
        )


def _check_identified(info: np.ndarray) -> None:
    scale = np.sqrt(np.clip(np.diag(info), 0, None))
    # scaled to unit diagonal, so that items on very different answer scales do not count
    if np.any(scale <= 0) or np.linalg.cond(info / np.outer(scale, scale)) > 1e12:
        raise PsychometricsError(
            "the model is not identified (singular information matrix): every factor needs "
            "at least three items, or two items and a correlation with another factor; "
            "remove residual covariances or constraints that leave a parameter undetermined"
        )


def _warm_start(x0: np.ndarray, spec, labels, start: CFAResult | None) -> np.ndarray:
    """Starting values overwritten by a fitted model's estimates where names match."""
    if start is None:
        return x0
    table = start.parameters
    known = dict(
        zip(
            zip(table[COL_GROUP], table[COL_LHS], table[COL_OP], table[COL_RHS], strict=True),
            table[COL_EST],
            strict=True,
        )
    )
    for j in np.flatnonzero(spec.free >= 0):
        value = known.get((labels[spec.grp[j]], *spec.names(j)))
        if value is not None and np.isfinite(value):
            x0[spec.free[j]] = value
    return x0


def _inverse(information: np.ndarray, n_total: int) -> np.ndarray | None:
    try:
        return linalg.inv(information) / n_total
    except linalg.LinAlgError:
        return None


def _warn_heywood(parameters: pd.DataFrame) -> None:
    variances = parameters[
        (parameters[COL_OP] == "~~") & (parameters[COL_LHS] == parameters[COL_RHS])
    ]
    if (variances[COL_EST] < 0).any():
        bad = variances[variances[COL_EST] < 0]
        warnings.warn(
            "negative variance estimate(s) (Heywood case): "
            + ", ".join(f"{r.lhs} in group {r.group}" for r in bad.itertuples()),
            stacklevel=5,  # the caller of fit_cfa
        )


def _parameter_table(engine, x, labels, vcov, standard_errors) -> pd.DataFrame:
    spec = engine.spec
    se = np.full(spec.n_free, np.nan)
    if standard_errors:
        variances = np.diag(vcov) if vcov is not None else np.full(spec.n_free, -1.0)
        if np.any(variances <= 0):
            warnings.warn(
                "the information matrix is not positive definite at the solution; "
                "standard errors of some parameters are NaN",
                stacklevel=5,  # the caller of fit_cfa
            )
        se = np.sqrt(np.where(variances > 0, variances, np.nan))
    values = engine.row_values(x)
    rows = []
    for g in range(spec.n_groups):
        sel = spec.grp == g
        _, phi, _, _, _ = spec.matrices(x, g)
        sd_item = engine.item_sd(x, g)
        sd_factor = np.sqrt(np.clip(np.diag(phi), 0, None))
        diagonal = np.flatnonzero(sel & (spec.mat == THETA) & (spec.row == spec.col))
        residual = np.zeros(spec.p)
        residual[spec.row[diagonal]] = values[diagonal]
        for j in np.flatnonzero(sel):
            code, r, c, fid = spec.mat[j], spec.row[j], spec.col[j], spec.free[j]
            est = values[j]
            if code == LAMBDA:
                std = est * sd_factor[c] / sd_item[r]
            elif code == PHI:
                std = est / (sd_factor[r] * sd_factor[c])
            elif code == THETA:
                std = (
                    est / sd_item[r] ** 2 if r == c else est / math.sqrt(residual[r] * residual[c])
                )
            elif code in (NU, TAU):
                std = est / sd_item[r]
            elif code == ALPHA:
                std = est / sd_factor[r]
            else:  # scale factors
                std = 1.0
            s = se[fid] if fid >= 0 else 0.0  # lavaan: se 0 for fixed parameters
            z = est / s if fid >= 0 and s > 0 else math.nan
            pval = 2 * stats.norm.sf(abs(z)) if np.isfinite(z) else math.nan
            lhs, op, rhs = spec.names(j)
            rows.append((labels[g], lhs, op, rhs, fid >= 0, est, s, z, pval, std))
    return pd.DataFrame(rows, columns=list(PARAMETER_COLUMNS))
