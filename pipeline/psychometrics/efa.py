"""Exploratory factor analysis: sampling adequacy, parallel analysis and rotated loadings.

Diagnostics that need no fitting are plain functions on the correlation matrix: KMO
(``psych::KMO``) and Bartlett's test of sphericity (``psych::cortest.bartlett``). The
correlations are those of the complete respondents (``missing="listwise"``) or come from the
pairwise covariance matrix (``missing="pairwise"``, as ``lavaan::lavCor``; for data where few
respondents answer every item; n is then the smallest number of respondents behind a
covariance). Factor extraction and rotation use factor_analyzer (pinned, see
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
from scipy import stats

from samenspel.pipeline.psychometrics.factor_model import PsychometricsError, numeric_items

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
    method, rotation, n : options and respondents used (complete cases, or the smallest
        pairwise count).
    """

    loadings: pd.DataFrame
    factor_correlations: pd.DataFrame
    variance: pd.DataFrame
    method: str
    rotation: str
    n: int


#: Values accepted by ``missing``.
MISSING_OPTIONS = ("listwise", "pairwise")


@dataclass(frozen=True)
class ItemCorrelations:
    """Item correlation matrix with the respondents behind it."""

    items: list[str]
    corr: np.ndarray
    n: int
    complete: np.ndarray | None  # the complete answers (listwise only)


def item_correlations(
    data: pd.DataFrame, items: Sequence[str] | None, missing: str = "listwise"
) -> ItemCorrelations:
    """Pearson correlations of ``items`` (listwise or pairwise), checked to be usable."""
    if missing not in MISSING_OPTIONS:
        raise ValueError(f"missing must be one of {MISSING_OPTIONS}, got {missing!r}")
    items = list(data.columns if items is None else items)
    answers = numeric_items(data, items)
    answers = answers.dropna() if missing == "listwise" else answers.dropna(how="all")
    if len(answers) < 3:
        raise PsychometricsError(
            f"only {len(answers)} respondents answered the {len(items)} items "
            f"({missing}); factor analysis needs many more"
        )
    sd = answers.std(ddof=1)
    flat = list(sd[~(sd > 1e-12)].index)
    if flat:
        raise PsychometricsError(
            f"item(s) {flat} have zero variance; drop them before factor analysis"
        )
    if missing == "listwise":
        corr = np.corrcoef(answers.to_numpy(), rowvar=False)
        n = len(answers)
    else:
        # as lavaan::lavCor(missing = "pairwise") and psych::alpha: correlations from the
        # pairwise covariance matrix, each item's variance from all its answers
        cov = answers.cov(min_periods=3).to_numpy()
        corr = cov / np.sqrt(np.outer(np.diag(cov), np.diag(cov)))
        present = answers.notna().to_numpy().astype(float)
        n = int((present.T @ present).min())
        if np.isnan(corr).any():
            raise PsychometricsError(
                "some pairs of items were answered together by fewer than three respondents; "
                "pairwise correlations are undefined"
            )
    eig = np.linalg.eigvalsh(corr)
    if eig[0] <= 1e-10:
        raise PsychometricsError(
            "the item correlation matrix is not positive definite (some items are linear "
            "combinations of others, there are fewer respondents than items, or pairwise "
            "correlations do not fit together); drop duplicate items or collect more data"
        )
    complete = answers.to_numpy() if missing == "listwise" else None
    return ItemCorrelations(items, corr, n, complete)


def kmo(
    data: pd.DataFrame, items: Sequence[str] | None = None, *, missing: str = "listwise"
) -> pd.DataFrame:
    """Kaiser-Meyer-Olkin measure of sampling adequacy per item and overall (``psych::KMO``).

    Returns a table with columns :data:`KMO_COLUMNS`; the last row is ``overall``.
    """
    c = item_correlations(data, items, missing)
    items, corr = c.items, c.corr
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


def bartlett_sphericity(
    data: pd.DataFrame, items: Sequence[str] | None = None, *, missing: str = "listwise"
) -> BartlettResult:
    """Bartlett's test of sphericity (``psych::cortest.bartlett``)."""
    c = item_correlations(data, items, missing)
    corr, n, p = c.corr, c.n, len(c.items)
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
    missing: str = "listwise",
) -> pd.DataFrame:
    """Horn's parallel analysis on principal-component eigenvalues.

    A component is retained (``retain``) while its eigenvalue exceeds the ``quantile`` of the
    eigenvalues of ``n_iterations`` normal random data sets of the same size (and all earlier
    components were retained). Columns :data:`PARALLEL_COLUMNS`.
    """
    c = item_correlations(data, items, missing)
    corr, n, p = c.corr, c.n, len(c.items)
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
    missing: str = "listwise",
) -> EFAResult:
    """Extract and rotate ``n_factors`` factors with factor_analyzer.

    Parameters
    ----------
    data : numeric answers (NaN = missing).
    n_factors : number of factors (see :func:`parallel_analysis`).
    items : item columns (default: all columns).
    method : one of :data:`EFA_METHODS`; rotation : one of :data:`EFA_ROTATIONS`.
    missing : ``"listwise"`` (complete respondents) or ``"pairwise"`` correlations.
    """
    from factor_analyzer import FactorAnalyzer

    if method not in EFA_METHODS:
        raise ValueError(f"method must be one of {EFA_METHODS}, got {method!r}")
    if rotation not in EFA_ROTATIONS:
        raise ValueError(f"rotation must be one of {EFA_ROTATIONS}, got {rotation!r}")
    c = item_correlations(data, items, missing)
    items = c.items
    # factor_analyzer is given plain arrays: it breaks on pandas 3 frames (factor_analyzer 0.5.1)
    matrix = c.complete if c.complete is not None else c.corr
    is_corr = c.complete is None
    if not 1 <= n_factors < len(items):
        raise PsychometricsError(
            f"n_factors must be between 1 and {len(items) - 1} for {len(items)} items"
        )
    rotate = None if rotation == "none" or n_factors == 1 else rotation

    def fitted(rotation: str | None) -> FactorAnalyzer:
        analyzer = FactorAnalyzer(
            n_factors=n_factors,
            rotation=rotation,
            method=method,
            svd_method="lapack",
            is_corr_matrix=is_corr,
        )
        with warnings.catch_warnings():
            # factor_analyzer 0.5.1 uses an argument scikit-learn 1.6+ renamed
            warnings.simplefilter("ignore", FutureWarning)
            return analyzer.fit(matrix)

    analyzer = fitted(rotate)
    names = [f"F{k + 1}" for k in range(n_factors)]
    loadings = pd.DataFrame(analyzer.loadings_, index=pd.Index(items, name=COL_ITEM), columns=names)
    # give each factor a positive sum of loadings, as psych does
    signs = np.where(loadings.sum(axis=0) < 0, -1.0, 1.0)
    loadings = loadings * signs
    if rotate in _OBLIQUE:
        # factor_analyzer 0.5.1 may return phi_ in a different factor order than the
        # loadings; derive the factor correlations from the rotation itself instead:
        # rotated = unrotated @ M with M = inv(T'), and Phi = T'T = inv(M'M)
        unrotated = fitted(None)
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
    return EFAResult(table, correlations, variance, method, rotation, c.n)
