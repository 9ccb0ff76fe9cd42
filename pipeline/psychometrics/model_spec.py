"""The parameter table of a CFA: which cells of which model matrices are free, fixed or equal.

Shared by the estimators (maximum likelihood in :mod:`.cfa`, DWLS in
:mod:`.ordinal`). A model has, per group, the LISREL matrices Lambda
(loadings), Phi (factor covariances), Theta (residual covariances), nu (intercepts), alpha
(latent means) and, for ordered items, tau (thresholds) and Delta (scale factors, lavaan's
``~*~``). Equal parameters across groups share one free parameter number, as lavaan's
``group.equal``; ``group.partial`` exempts named parameters.

Identification for ordered items across groups follows Wu & Estabrook (2016), as
``semTools::measEq.syntax(ID.cat = "Wu.Estabrook.2016")``: in the first group intercepts are
0 and scale factors 1 (delta parameterisation; residual variances 1 under theta); in every
other group an item's intercept is free once at least one of its thresholds is equal across
groups (and its intercept is not), and its scale factor (theta: residual variance) once two
thresholds, or one threshold and the intercept, are equal (and its residual variance is not).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from samenspel.pipeline.psychometrics.factor_model import FactorModel, PsychometricsError

# Matrix codes of a parameter.
LAMBDA, PHI, THETA, NU, ALPHA, TAU, DELTA = range(7)
OPS = {LAMBDA: "=~", PHI: "~~", THETA: "~~", NU: "~1", ALPHA: "~1", TAU: "|", DELTA: "~*~"}
#: Values accepted by ``group_equal`` (lavaan's ``group.equal`` names).
GROUP_EQUAL_OPTIONS = (
    "loadings",
    "intercepts",
    "means",
    "residuals",
    "residual.covariances",
    "lv.variances",
    "lv.covariances",
    "thresholds",
)
#: Values accepted by ``parameterization`` for ordered items (lavaan's names).
PARAMETERIZATION_OPTIONS = ("delta", "theta")


@dataclass
class Spec:
    """One row per model parameter per group (free or fixed).

    ``mat`` matrix code, ``grp`` group, ``row``/``col`` cell, ``free`` free-parameter number
    (-1 fixed), ``fixed`` the value of a fixed parameter, ``computed`` rows whose value
    follows from the others (residual variances of ordered items under the delta
    parameterisation, scale factors under theta). ``n_thresholds`` per item (0: continuous).
    """

    items: tuple[str, ...]
    factors: tuple[str, ...]
    n_groups: int
    meanstructure: bool
    mat: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    grp: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    row: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    col: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    free: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    fixed: np.ndarray = field(default_factory=lambda: np.zeros(0))
    n_free: int = 0
    computed: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    n_thresholds: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    parameterization: str = ""

    @property
    def p(self) -> int:
        return len(self.items)

    @property
    def m(self) -> int:
        return len(self.factors)

    @property
    def ordinal(self) -> bool:
        return bool(self.n_thresholds.sum())

    @property
    def threshold_start(self) -> np.ndarray:
        """Position of each item's first threshold in the stacked threshold vector."""
        return np.concatenate([[0], np.cumsum(self.n_thresholds)])

    def values(self, x: np.ndarray) -> np.ndarray:
        """The value of every row at free parameters ``x``."""
        return np.where(self.free >= 0, x[np.maximum(self.free, 0)], self.fixed)

    def matrices(self, x: np.ndarray, g: int):
        """Lambda, Phi, Theta, nu, alpha of group g at parameter vector x."""
        values = self.values(x)
        sel = self.grp == g
        lam = np.zeros((self.p, self.m))
        phi = np.zeros((self.m, self.m))
        theta = np.zeros((self.p, self.p))
        nu = np.zeros(self.p)
        alpha = np.zeros(self.m)
        for code, target in ((LAMBDA, lam), (PHI, phi), (THETA, theta)):
            s = sel & (self.mat == code)
            target[self.row[s], self.col[s]] = values[s]
            if code != LAMBDA:
                target[self.col[s], self.row[s]] = values[s]
        s = sel & (self.mat == NU)
        nu[self.row[s]] = values[s]
        s = sel & (self.mat == ALPHA)
        alpha[self.row[s]] = values[s]
        return lam, phi, theta, nu, alpha

    def thresholds(self, x: np.ndarray, g: int) -> np.ndarray:
        """tau of group g, item by item."""
        values = self.values(x)
        s = (self.grp == g) & (self.mat == TAU)
        out = np.zeros(int(self.n_thresholds.sum()))
        out[self.threshold_start[self.row[s]] + self.col[s]] = values[s]
        return out

    def scales(self, x: np.ndarray, g: int) -> np.ndarray:
        """The scale factors (Delta) of group g as parameters (delta parameterisation)."""
        values = self.values(x)
        s = (self.grp == g) & (self.mat == DELTA)
        out = np.ones(self.p)
        out[self.row[s]] = values[s]
        return out

    def directions(self, x, g, mat, row, col) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Derivatives of Sigma = Lambda Phi Lambda' + Theta and of nu + Lambda alpha for
        the cells (mat, row, col) of group g, in low-rank form: d Sigma_j = u_j w_j' +
        w_j u_j' and d mu_j = m_j (columns of U, W, M); zero for thresholds and scales."""
        lam, phi, _, _, alpha = self.matrices(x, g)
        k = len(mat)
        u = np.zeros((self.p, k))
        w = np.zeros((self.p, k))
        m = np.zeros((self.p, k))
        mat, row, col = np.asarray(mat), np.asarray(row), np.asarray(col)
        half = np.where(row == col, 0.5, 1.0)
        j = np.flatnonzero(mat == LAMBDA)
        u[row[j], j] = 1.0
        w[:, j] = (lam @ phi)[:, col[j]]
        m[row[j], j] = alpha[col[j]]
        j = np.flatnonzero(mat == PHI)
        u[:, j] = lam[:, row[j]]
        w[:, j] = lam[:, col[j]] * half[j]
        j = np.flatnonzero(mat == THETA)
        u[row[j], j] = 1.0
        w[col[j], j] = half[j]
        j = np.flatnonzero(mat == NU)
        m[row[j], j] = 1.0
        j = np.flatnonzero(mat == ALPHA)
        m[:, j] = lam[:, row[j]]
        if not self.meanstructure:
            m[:] = 0.0
        return u, w, m

    def names(self, j: int) -> tuple[str, str, str]:
        """lavaan's (lhs, op, rhs) of parameter row j."""
        return cell_names(self.items, self.factors, self.mat[j], self.row[j], self.col[j])


def cell_names(items, factors, code: int, r: int, c: int) -> tuple[str, str, str]:
    """lavaan's (lhs, op, rhs) of cell (r, c) of matrix ``code``."""
    if code == LAMBDA:
        return factors[c], "=~", items[r]
    if code == PHI:
        return factors[c], "~~", factors[r]
    if code == THETA:
        return items[c], "~~", items[r]
    if code == NU:
        return items[r], "~1", ""
    if code == TAU:
        return items[r], "|", f"t{c + 1}"
    if code == DELTA:
        return items[r], "~*~", items[r]
    return factors[r], "~1", ""


def parameter_label(lhs: str, op: str, rhs: str) -> str:
    """lavaan's name of a parameter as ``group.partial`` takes it, e.g. ``visual=~x2``,
    ``x3~1``, ``x1|t2``, ``x1~~x1``."""
    return f"{lhs}{op}{rhs}"


def normalise_labels(labels: Sequence[str]) -> frozenset[str]:
    """``group_partial`` entries without spaces; a bare string is refused."""
    if isinstance(labels, str):
        raise PsychometricsError(
            f"group_partial must be a list of parameter names, e.g. ['{labels}'], not a string"
        )
    return frozenset("".join(str(label).split()) for label in labels)


def build_spec(
    model: FactorModel,
    n_groups: int,
    meanstructure: bool,
    group_equal: frozenset[str],
    std_lv: bool,
    residual_covariances: Sequence[tuple[str, str]],
    marker: str = "first_keyed",
    *,
    orthogonal: bool = False,
    group_partial: frozenset[str] = frozenset(),
    n_thresholds: Mapping[str, int] | None = None,
    parameterization: str = "delta",
) -> Spec:
    """The parameter table of ``model`` (see the module docstring for the rules).

    ``n_thresholds`` (item -> number of thresholds) makes every item ordered; the mean
    structure is then implied.
    """
    items = model.items
    factors = model.factors
    index = {item: i for i, item in enumerate(items)}
    ordinal = n_thresholds is not None
    if ordinal and "residuals" in group_equal and parameterization == "delta":
        raise PsychometricsError(
            "residual variances of ordered items can be constrained equal across groups only "
            "with parameterization='theta' (as semTools::measEq.syntax); use it, or leave "
            "'residuals' out of group_equal"
        )
    meanstructure = meanstructure or ordinal

    def equal(option: str, label: str) -> bool:
        return option in group_equal and label not in group_partial

    # per item, how many of its thresholds are held equal across groups (ordered items)
    thresholds_equal = {
        item: sum(
            equal("thresholds", parameter_label(item, "|", f"t{t + 1}"))
            for t in range(n_thresholds[item])
        )
        for item in items
    } if ordinal else {}  # fmt: skip
    entries: list[tuple[int, int, int, int, bool, float, bool]] = []
    for g in range(n_groups):
        entries += _structure_entries(model, g, equal, std_lv, marker, orthogonal, index)
        for i, item in enumerate(items):
            if not ordinal:
                entries.append((THETA, g, i, i, True, 0.0, False))
                continue
            n_equal = thresholds_equal[item] if g > 0 else 0
            intercept_equal = equal("intercepts", parameter_label(item, "~1", ""))
            residual_equal = equal("residuals", parameter_label(item, "~~", item))
            scale_free = (n_equal >= 2 or (n_equal >= 1 and intercept_equal)) and not (
                residual_equal
            )
            theta = parameterization == "theta"
            entries.append((THETA, g, i, i, theta and scale_free, 1.0, not theta))
            entries.append((DELTA, g, i, i, not theta and scale_free, 1.0, theta))
        for a, b in residual_covariances:
            i, j = sorted((index[a], index[b]), reverse=True)
            entries.append((THETA, g, i, j, True, 0.0, False))
        if meanstructure:
            entries += _mean_entries(model, g, equal, group_equal, ordinal, thresholds_equal)
        if ordinal:
            for i, item in enumerate(items):
                for t in range(n_thresholds[item]):
                    entries.append((TAU, g, i, t, True, 0.0, False))
    free_ids, n_free = _number_free(entries, items, factors, equal)
    arr = np.array([e[:4] for e in entries], dtype=int)
    counts = np.array([n_thresholds[item] for item in items]) if ordinal else np.zeros(len(items))
    return Spec(
        items=items,
        factors=factors,
        n_groups=n_groups,
        meanstructure=meanstructure,
        mat=arr[:, 0],
        grp=arr[:, 1],
        row=arr[:, 2],
        col=arr[:, 3],
        free=free_ids,
        fixed=np.array([e[5] for e in entries], dtype=float),
        n_free=n_free,
        computed=np.array([e[6] for e in entries], dtype=bool),
        n_thresholds=counts.astype(int),
        parameterization=parameterization if ordinal else "",
    )


def _structure_entries(model: FactorModel, g: int, equal, std_lv, marker, orthogonal, index):
    """Group ``g``'s loadings (the marker fixed to 1 unless ``std_lv``) and factor
    (co)variances (a variance fixed to 1 with ``std_lv``, freed in later groups where a
    loading of the factor is held equal)."""
    entries = []
    factors = model.factors
    for k, factor in enumerate(factors):
        codes = model.indicators[factor]
        keyed = [c for c in codes if c not in model.reverse_keyed]
        marker_item = codes[0] if marker == "first" else (keyed or list(codes))[0]
        for code in codes:
            value = model.fixed.get((factor, code))
            fixed = value is not None or (code == marker_item and not std_lv)
            entries.append((LAMBDA, g, index[code], k, not fixed, value or 1.0, False))
    for k, factor in enumerate(factors):
        for j in range(k + 1):
            if j == k:
                equated = any(
                    equal("loadings", parameter_label(factor, "=~", c))
                    for c in model.indicators[factor]
                )
                free = not std_lv or (g > 0 and equated)
                entries.append((PHI, g, k, k, free, 1.0, False))
            else:
                entries.append((PHI, g, k, j, not orthogonal, 0.0, False))
    return entries


def _mean_entries(model: FactorModel, g: int, equal, group_equal, ordinal, thresholds_equal):
    """Group ``g``'s intercepts and factor means: a factor mean is free in a later group
    only where intercepts are held equal (identified) and means are not."""
    entries = []
    factors = model.factors
    for i, item in enumerate(model.items):
        if ordinal:
            n_equal = thresholds_equal[item] if g > 0 else 0
            intercept_equal = equal("intercepts", parameter_label(item, "~1", ""))
            entries.append((NU, g, i, 0, n_equal >= 1 and not intercept_equal, 0.0, False))
        else:
            entries.append((NU, g, i, 0, True, 0.0, False))
    for k, factor in enumerate(factors):
        if ordinal:
            identified = any(
                equal("intercepts", parameter_label(c, "~1", ""))
                and sum(c in model.indicators[f] for f in factors) == 1
                for c in model.indicators[factor]
            )
        else:
            identified = "intercepts" in group_equal
        free = g > 0 and identified and "means" not in group_equal
        entries.append((ALPHA, g, k, 0, free, 0.0, False))
    return entries


# The group_equal option that holds a matrix's parameters equal across groups, by (matrix,
# on the diagonal).
SHARED = {
    (LAMBDA, False): "loadings",
    (NU, False): "intercepts",
    (ALPHA, False): "means",
    (THETA, True): "residuals",
    (THETA, False): "residual.covariances",
    (PHI, True): "lv.variances",
    (PHI, False): "lv.covariances",
    (TAU, False): "thresholds",
    (TAU, True): "thresholds",
}


def _number_free(entries, items, factors, equal) -> tuple[np.ndarray, int]:
    """The free-parameter number of every entry (-1 fixed): a parameter held equal across
    groups gets one number for all groups. Returns the numbers and how many there are."""
    ids: dict[tuple, int] = {}
    free_ids = []
    for mat, g, r, c, free, _, _ in entries:
        if not free:
            free_ids.append(-1)
            continue
        option = SHARED.get((mat, r == c and mat in (THETA, PHI, TAU)))
        label = parameter_label(*cell_names(items, factors, mat, r, c))
        key = (mat, r, c) if option and equal(option, label) else (mat, g, r, c)
        free_ids.append(ids.setdefault(key, len(ids)))
    return np.array(free_ids, dtype=int), len(ids)


def check_group_partial(spec: Spec, group_partial: frozenset[str]) -> None:
    """Every ``group_partial`` name must be a parameter of the model."""
    known = {parameter_label(*spec.names(j)) for j in range(len(spec.mat))}
    unknown = sorted(group_partial - known)
    if unknown:
        raise PsychometricsError(
            f"group_partial names {unknown} are not parameters of the model; write them as "
            "lavaan does, e.g. 'F=~item' (loading), 'item~1' (intercept), 'item|t1' "
            "(threshold), 'item~~item' (residual variance)"
        )
