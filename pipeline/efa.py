"""Exploratory factor analysis: sampling adequacy, parallel analysis and rotated loadings.

Diagnostics that need no fitting are plain functions on the correlation matrix of the complete
respondents: KMO (``psych::KMO``) and Bartlett's test of sphericity
(``psych::cortest.bartlett``). Factor extraction and rotation use factor_analyzer (pinned, see
pyproject.toml); results are tables indexed by item code. Parallel analysis is Horn's method on
principal-component eigenvalues of the correlation matrix (as ``psych::fa.parallel(fa = "pc")``),
against normal random data of the same size, with a fixed seed.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from samenspel.pipeline.factor_model import PsychometricsError, numeric_items
from scipy import stats

#: Extraction methods accepted by :func:`fit_efa` (factor_analyzer names).
EFA_METHODS = ("minres", "ml", "principal")
#: Rotations accepted by :func:`fit_efa`.
EFA_ROTATIONS = ("oblimin", "promax", "varimax", "quartimin", "geomin_obl", "none")
_OBLIQUE = ("oblimin", "promax", "quartimin", "geomin_obl")

COL_ITEM = "item"
COL_MSA = "msa"
#: Columns of :func:`kmo`; the last row has ``item == "overall"``.
KMO_COLUMNS = (COL_ITEM, COL_MSA)
KMO_OVERALL = "overall"
COL_COMPONENT = "component"
COL_EIGENVALUE = "eigenvalue"
COL_RANDOM_MEAN = "random_mean"
COL_RANDOM_QUANTILE = "random_quantile"
COL_RETAIN = "retain"
#: Columns of :func:`parallel_analysis`.
PARALLEL_COLUMNS = (
    COL_COMPONENT,
    COL_EIGENVALUE,
    COL_RANDOM_MEAN,
    COL_RANDOM_QUANTILE,
    COL_RETAIN,
)
COL_COMMUNALITY = "communality"
COL_UNIQUENESS = "uniqueness"


@dataclass(frozen=True)
class BartlettResult:
    """Bartlett's test that the correlation matrix is an identity matrix."""

    chisq: float
    df: int
    pvalue: float
    n: int


@dataclass(frozen=True)
class EFAResult:
    """A fitted EFA.

    Attributes
    ----------
    loadings : items x factors (``F1``, ``F2``, ...), rotated, index = item code, plus the
        columns ``communality`` and ``uniqueness``.
    factor_correlations : factors x factors (identity for orthogonal rotations).
    variance : rows ``ss_loadings``, ``proportion``, ``cumulative`` per factor.
    method, rotation, n : options and respondents used (complete cases).
    """

    loadings: pd.DataFrame
    factor_correlations: pd.DataFrame
    variance: pd.DataFrame
    method: str
    rotation: str
    n: int


def _complete_correlations(data: pd.DataFrame, items: Sequence[str] | None):
    items = list(data.columns if items is None else items)
    answers = numeric_items(data, items).dropna()
    if len(answers) < 3:
        raise PsychometricsError(
            f"only {len(answers)} respondents answered all {len(items)} items; "
            "an EFA needs many more complete respondents"
        )
    sd = answers.std(ddof=1)
    flat = list(sd[sd <= 1e-12].index)
    if flat:
        raise PsychometricsError(
            f"item(s) {flat} have zero variance; drop them before factor analysis"
        )
    corr = np.corrcoef(answers.to_numpy(), rowvar=False)
    eig = np.linalg.eigvalsh(corr)
    if eig[0] <= 1e-10:
        raise PsychometricsError(
            "the item correlation matrix is not positive definite (some items are linear "
            "combinations of others, or there are fewer complete respondents than items); "
            "drop duplicate items or collect more data"
        )
    return items, answers, corr


def kmo(data: pd.DataFrame, items: Sequence[str] | None = None) -> pd.DataFrame:
    """Kaiser-Meyer-Olkin measure of sampling adequacy per item and overall (``psych::KMO``).

    Returns a table with columns :data:`KMO_COLUMNS`; the last row is ``overall``.
    """
    items, _, corr = _complete_correlations(data, items)
    inverse = np.linalg.inv(corr)
    scale = np.sqrt(np.diag(inverse))
    partial = -inverse / np.outer(scale, scale)
    np.fill_diagonal(partial, 0.0)
    r = corr.copy()
    np.fill_diagonal(r, 0.0)
    r2 = (r**2).sum(axis=0)
    p2 = (partial**2).sum(axis=0)
    per_item = r2 / (r2 + p2)
    overall = (r**2).sum() / ((r**2).sum() + (partial**2).sum())
    return pd.DataFrame({COL_ITEM: [*items, KMO_OVERALL], COL_MSA: [*per_item, overall]})


def bartlett_sphericity(data: pd.DataFrame, items: Sequence[str] | None = None) -> BartlettResult:
    """Bartlett's test of sphericity (``psych::cortest.bartlett`` on complete respondents)."""
    items, answers, corr = _complete_correlations(data, items)
    n, p = len(answers), len(items)
    chisq = -(n - 1 - (2 * p + 5) / 6) * math.log(np.linalg.det(corr))
    df = p * (p - 1) // 2
    return BartlettResult(chisq, df, float(stats.chi2.sf(chisq, df)), n)


def parallel_analysis(
    data: pd.DataFrame,
    items: Sequence[str] | None = None,
    *,
    n_iterations: int = 100,
    quantile: float = 0.95,
    seed: int = 2026,
) -> pd.DataFrame:
    """Horn's parallel analysis on principal-component eigenvalues.

    A component is retained (``retain``) while its eigenvalue exceeds the ``quantile`` of the
    eigenvalues of ``n_iterations`` normal random data sets of the same size (and all earlier
    components were retained). Columns :data:`PARALLEL_COLUMNS`.
    """
    items, answers, corr = _complete_correlations(data, items)
    n, p = answers.shape
    observed = np.sort(np.linalg.eigvalsh(corr))[::-1]
    rng = np.random.default_rng(seed)
    random = np.empty((n_iterations, p))
    for i in range(n_iterations):
        x = rng.standard_normal((n, p))
        random[i] = np.sort(np.linalg.eigvalsh(np.corrcoef(x, rowvar=False)))[::-1]
    threshold = np.quantile(random, quantile, axis=0)
    retain = np.cumprod(observed > threshold).astype(bool)
    return pd.DataFrame(
        {
            COL_COMPONENT: np.arange(1, p + 1),
            COL_EIGENVALUE: observed,
            COL_RANDOM_MEAN: random.mean(axis=0),
            COL_RANDOM_QUANTILE: threshold,
            COL_RETAIN: retain,
        }
    )


def fit_efa(
    data: pd.DataFrame,
    n_factors: int,
    items: Sequence[str] | None = None,
    *,
    method: str = "minres",
    rotation: str = "oblimin",
) -> EFAResult:
    """Extract and rotate ``n_factors`` factors with factor_analyzer.

    Parameters
    ----------
    data : numeric answers; respondents with a missing answer are left out.
    n_factors : number of factors (see :func:`parallel_analysis`).
    items : item columns (default: all columns).
    method : one of :data:`EFA_METHODS`; rotation : one of :data:`EFA_ROTATIONS`.
    """
    from factor_analyzer import FactorAnalyzer

    if method not in EFA_METHODS:
        raise ValueError(f"method must be one of {EFA_METHODS}, got {method!r}")
    if rotation not in EFA_ROTATIONS:
        raise ValueError(f"rotation must be one of {EFA_ROTATIONS}, got {rotation!r}")
    items, answers, _ = _complete_correlations(data, items)
    if not 1 <= n_factors < len(items):
        raise PsychometricsError(
            f"n_factors must be between 1 and {len(items) - 1} for {len(items)} items"
        )
    rotate = None if rotation == "none" or n_factors == 1 else rotation
    analyzer = FactorAnalyzer(
        n_factors=n_factors, rotation=rotate, method=method, svd_method="lapack"
    )
    # factor_analyzer is given a plain array: it breaks on pandas 3 frames (DESIGN.md s. 7)
    with warnings.catch_warnings():
        # factor_analyzer 0.5.1 uses an argument scikit-learn 1.6+ renamed
        warnings.simplefilter("ignore", FutureWarning)
        analyzer.fit(answers.to_numpy())
    names = [f"F{k + 1}" for k in range(n_factors)]
    loadings = pd.DataFrame(analyzer.loadings_, index=pd.Index(items, name=COL_ITEM), columns=names)
    # give each factor a positive sum of loadings, as psych does
    signs = np.where(loadings.sum(axis=0) < 0, -1.0, 1.0)
    loadings = loadings * signs
    if rotate in _OBLIQUE:
        # factor_analyzer 0.5.1 may return phi_ in a different factor order than the
        # loadings; derive the factor correlations from the rotation itself instead:
        # rotated = unrotated @ M with M = inv(T'), and Phi = T'T = inv(M'M)
        unrotated = FactorAnalyzer(
            n_factors=n_factors, rotation=None, method=method, svd_method="lapack"
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            unrotated.fit(answers.to_numpy())
        transform = np.linalg.lstsq(unrotated.loadings_, loadings.to_numpy(), rcond=None)[0]
        phi = np.linalg.inv(transform.T @ transform)
        scale = np.sqrt(np.diag(phi))
        phi = phi / np.outer(scale, scale)
    else:
        phi = np.eye(n_factors)
    correlations = pd.DataFrame(phi, index=names, columns=names)
    ss = np.diag(phi @ loadings.to_numpy().T @ loadings.to_numpy()) if rotate else None
    if ss is None or rotate not in _OBLIQUE:
        ss = (loadings**2).sum(axis=0).to_numpy()
    variance = pd.DataFrame(
        [ss, ss / len(items), np.cumsum(ss) / len(items)],
        index=["ss_loadings", "proportion", "cumulative"],
        columns=names,
    )
    table = loadings.copy()
    # diag(L Phi L'): factor_analyzer's sum of squared loadings is wrong after an oblique
    # rotation
    communality = np.einsum("ij,jk,ik->i", loadings.to_numpy(), phi, loadings.to_numpy())
    table[COL_COMMUNALITY] = communality
    table[COL_UNIQUENESS] = 1 - communality
    return EFAResult(table, correlations, variance, method, rotation, len(answers))
