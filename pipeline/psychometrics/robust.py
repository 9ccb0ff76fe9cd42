"""Robust maximum likelihood (lavaan's ``estimator = "MLR"``): sandwich SEs, Yuan-Bentler test.

For an ML fit (complete data or FIML) of :mod:`.ml`, as lavaan 0.6:

* Huber-White standard errors ``E^-1 B E^-1 / N``: ``E`` the observed information (Hessian
  of the fit function), ``B`` the mean outer product of the case-wise scores at the
  model-implied moments (lavaan ``se = "robust.huber.white"``, ``information =
  "observed"``, ``h1.information = "structured"``);
* the Yuan-Bentler scaled statistic in lavaan's default ("Mplus") variant: scaling factor
  ``c = (sum_g tr(B1_g A1_g^-1) - tr(B E^-1)) / df`` with the saturated model's information
  ``A1`` and score products ``B1`` at the sample (or EM) moments (``yuan.bentler.mplus``);
  the baseline model's factor the same way;
* ``.scaled`` fit measures from the scaled statistics and ``.robust`` ones with the
  correction factors of Brosseau-Liard & Savalei (2014) (complete data) or of the
  FIML-corrected statistics of Savalei (2018; lavaan's ``lav_fit_fiml_corrected``, V3);
* the scaled chi-square difference test of Satorra & Bentler (2001) for nested models
  (lavaan's ``lavTestLRT`` for MLR).

Moments are ordered as lavaan's: means, then the covariance matrix's lower triangle by
columns (``vech``).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import linalg

from samenspel.pipeline.psychometrics import fit_indices as fit_indices
from samenspel.pipeline.psychometrics.ml import Engine, GroupData, numeric_hessian


def vech_indices(p: int) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of lavaan's ``vech``: the lower triangle column by column."""
    rows, cols = zip(*[(i, j) for j in range(p) for i in range(j, p)], strict=True)
    return np.array(rows), np.array(cols)


# ----------------------------------------------------------------------------- scores


def _pattern_algebra(pattern, sigma: np.ndarray, mu: np.ndarray):
    """For one missing-data pattern: the embedded inverse of Sigma_oo (p x p) and a_i =
    Sigma_oo^-1 (y_i - mu_o) of each respondent, embedded (n x p)."""
    p = len(mu)
    o = pattern.observed
    inv_oo = np.linalg.inv(sigma[np.ix_(o, o)])
    prec = np.zeros((p, p))
    prec[np.ix_(o, o)] = inv_oo
    a = np.zeros((pattern.n, p))
    a[:, o] = (pattern.rows - mu[o]) @ inv_oo
    return prec, a


def parameter_scores(engine: Engine, x: np.ndarray) -> np.ndarray:
    """Case-wise gradients of the log-likelihood with respect to the free parameters, at the
    model-implied moments (N x free parameters; respondents group by group)."""
    spec = engine.spec
    blocks = []
    for g, data in enumerate(engine.groups):
        sel = np.flatnonzero((spec.grp == g) & (spec.free >= 0))
        u, w, m = spec.directions(x, g, spec.mat[sel], spec.row[sel], spec.col[sel])
        sigma, mu = engine.implied(x, g)
        cells = []
        for pattern in data.patterns:
            prec, a = _pattern_algebra(pattern, sigma, mu)
            constant = np.sum((prec @ u) * w, axis=0)
            cells.append((a @ u) * (a @ w) - constant + a @ m)
        out = np.zeros((data.n, spec.n_free))
        out[:, spec.free[sel]] = np.vstack(cells)
        blocks.append(out)
    return np.vstack(blocks)


def moment_scores(data: GroupData, mean: np.ndarray, cov: np.ndarray, means: bool) -> np.ndarray:
    """Case-wise gradients of the saturated log-likelihood with respect to (means,) vech of
    the covariance matrix at (``mean``, ``cov``): lavaan's ``lav_mvnorm_missing_scores_mu_
    vech_sigma`` (n x moments)."""
    p = len(mean)
    vi, vj = vech_indices(p)
    out = []
    for pattern in data.patterns:
        prec, a = _pattern_algebra(pattern, cov, mean)
        sc = a[:, vi] * a[:, vj] - prec[vi, vj]
        sc[:, vi == vj] /= 2
        out.append(np.hstack([a, sc]) if means else sc)
    return np.vstack(out)


def h1_information(data: GroupData, mean: np.ndarray, cov: np.ndarray, means: bool) -> np.ndarray:
    """Observed information (per respondent) of the saturated model at (``mean``,
    ``cov``) under missing data: lavaan's ``lav_mvnorm_missing_information_observed_
    samplestats``; for complete data at the sample moments it is the expected one."""
    p = len(mean)
    vi, vj = vech_indices(p)
    h11 = np.zeros((p, p))
    h21 = np.zeros((len(vi), p))
    s_stack, t_stack, weights = [], [], []
    for pattern in data.patterns:
        o = pattern.observed
        prec = np.zeros((p, p))
        prec[np.ix_(o, o)] = np.linalg.inv(cov[np.ix_(o, o)])
        dev = np.zeros(p)
        dev[o] = pattern.mean - mean[o]
        t = prec @ dev
        scatter = np.zeros((p, p))
        scatter[np.ix_(o, o)] = pattern.cov
        w_tilde = scatter + np.outer(dev, dev)
        t22 = prec @ (2 * w_tilde - cov) @ prec
        # rows of cov outside the pattern do not enter: mask them
        mask = np.zeros((p, p))
        mask[np.ix_(o, o)] = 1.0
        t22 *= mask
        h11 += pattern.n * prec
        h21 += pattern.n * (
            np.where((vi == vj)[:, None], 0.5, 1.0)
            * (t[vi][:, None] * prec[vj] + t[vj][:, None] * prec[vi])
        )
        s_stack.append(prec.ravel())
        t_stack.append(t22.ravel())
        weights.append(pattern.n / 2)
    s_arr = np.array(s_stack)
    t_arr = np.array(t_stack)
    k = (s_arr * np.array(weights)[:, None]).T @ t_arr  # [(a, c), (b, d)] = sum n/2 S_ac T_bd
    k = k.reshape(p, p, p, p)  # a, c, b, d

    def block(a, b, c, d):
        return k[a[:, None], c[None, :], b[:, None], d[None, :]]

    # D'(S kron T)D: sum over the vec positions (row b, col a) of each vech element
    h22 = block(vj, vi, vj, vi)
    off_r = vi != vj
    off_c = vi != vj
    h22 += np.where(off_c[None, :], block(vj, vi, vi, vj), 0.0)
    h22 += np.where(off_r[:, None], block(vi, vj, vj, vi), 0.0)
    h22 += np.where(off_r[:, None] & off_c[None, :], block(vi, vj, vi, vj), 0.0)
    n = data.n
    if not means:
        return h22 / n
    return np.block([[h11, h21.T], [h21, h22]]) / n


def moment_jacobian(engine: Engine, x: np.ndarray, g: int) -> np.ndarray:
    """d (mu, vech Sigma) / d free parameters of group g (lavaan's ``Delta``)."""
    spec = engine.spec
    sel = np.flatnonzero((spec.grp == g) & (spec.free >= 0))
    u, w, m = spec.directions(x, g, spec.mat[sel], spec.row[sel], spec.col[sel])
    vi, vj = vech_indices(spec.p)
    cells = u[vi] * w[vj] + w[vi] * u[vj]
    if spec.meanstructure:
        cells = np.vstack([m, cells])
    out = np.zeros((cells.shape[0], spec.n_free))
    # within a group every free parameter is one cell (equality is across groups)
    out[:, spec.free[sel]] = cells
    return out


# ----------------------------------------------------------------------------- MLR


def mlr(engine: Engine, x: np.ndarray, df: float, fit: dict, missing: str):
    """(sandwich covariance of the estimates, MLR's scaled and robust fit measures)."""
    spec = engine.spec
    n = engine.n_total
    means = spec.meanstructure
    info = numeric_hessian(engine, x) / 2
    info_inv = linalg.inv(info)
    scores = parameter_scores(engine, x)
    b0 = scores.T @ scores / n
    vcov = info_inv @ b0 @ info_inv / n
    trace_h0 = float(np.sum(b0 * info_inv))
    h1 = [_saturated(data, means) for data in engine.groups]
    trace_h1 = sum(float(np.sum(b1 * a1_inv)) for _, a1_inv, b1 in h1)
    ndat = sum(a1.shape[0] for a1, _, _ in h1)
    c = (trace_h1 - trace_h0) / df if df > 0 else math.nan
    c_null = (trace_h1 - _baseline_trace_h0(engine)) / fit["baseline.df"]
    chisq, base = fit["chisq"], fit["baseline.chisq"]
    base_df, groups = fit["baseline.df"], spec.n_groups
    out = {
        "chisq.scaled": chisq / c,
        "df.scaled": df,
        "pvalue.scaled": fit_indices.chi2_pvalue(chisq / c, df),
        "chisq.scaling.factor": c,
        "baseline.chisq.scaled": base / c_null,
        "baseline.df.scaled": base_df,
        "baseline.pvalue.scaled": fit_indices.chi2_pvalue(base / c_null, base_df),
        "baseline.chisq.scaling.factor": c_null,
        "scaling.factor.h1": trace_h1 / ndat,
        # lavaan divides by the parameters before equality constraints
        "scaling.factor.h0": trace_h0 / int(np.sum(spec.free >= 0)),
    }
    scaled = fit_indices.incremental_indices(chisq / c, df, base / c_null, base_df)
    out.update({f"{k}.scaled": v for k, v in scaled.items()})
    out.update(fit_indices.rmsea_measures(chisq, c * df, n, groups, ".scaled"))
    if missing == "fiml":
        xx3, c3, xx3_null, c3_null = _fiml_corrected(engine, x, df, base_df, h1)
    else:
        xx3, c3, xx3_null, c3_null = chisq, c, base, c_null
    args = (xx3, df, xx3_null, base_df, c3, c3_null)
    out["cfi.robust"] = fit_indices.cfi(*args)
    out["tli.robust"] = out["nnfi.robust"] = fit_indices.tli(*args)
    out["rni.robust"] = fit_indices.rni(*args)
    out.update(
        fit_indices.rmsea_measures(xx3, df, n, groups, ".robust", c_hat=c3, chisq_ci=xx3 / c3)
    )
    return vcov, out


def _saturated(data: GroupData, means: bool):
    """The saturated model's observed information A1, its inverse and the mean outer product
    B1 of its scores, at the sample (or EM) moments: computed once per data set."""
    key = ("saturated", means)
    if key not in data.derived:
        a1 = h1_information(data, data.mean, data.cov, means)
        s1 = moment_scores(data, data.mean, data.cov, means)
        data.derived[key] = (a1, linalg.inv(a1), s1.T @ s1 / data.n)
    return data.derived[key]


def _baseline_trace_h0(engine: Engine) -> float:
    """tr(B E^-1) of the independence model (free variances, and means with a mean
    structure) at its estimates: per item its available-case mean and variance."""
    total = 0.0
    for data in engine.groups:
        p = len(data.mean)
        sums = np.zeros(p)
        counts = np.zeros(p)
        for pattern in data.patterns:
            counts[pattern.observed] += pattern.n
            sums[pattern.observed] += pattern.rows.sum(axis=0)
        mean = sums / counts
        squares = np.zeros(p)
        fourth = np.zeros(p)
        for pattern in data.patterns:
            d2 = (pattern.rows - mean[pattern.observed]) ** 2
            squares[pattern.observed] += d2.sum(axis=0)
        variance = squares / counts
        for pattern in data.patterns:
            d2 = (pattern.rows - mean[pattern.observed]) ** 2 / variance[pattern.observed]
            fourth[pattern.observed] += ((d2 - 1) ** 2).sum(axis=0)
        total += float(np.sum(fourth / (2 * counts)))
        if engine.spec.meanstructure:
            total += p
    return total


def _complete_chisq(sigma, mu, cov, mean, n) -> float:
    """n F_ML of complete data with moments (``cov``, ``mean``) at (``sigma``, ``mu``)."""
    p = len(mu)
    prec = np.linalg.inv(sigma)
    dev = mean - mu
    _, logdet_sigma = np.linalg.slogdet(sigma)
    _, logdet_s = np.linalg.slogdet(cov)
    return n * (logdet_sigma + np.trace(cov @ prec) - logdet_s - p + dev @ prec @ dev)


def _fiml_data_parts(data: GroupData, wm_inv: np.ndarray, jm: np.ndarray):
    """The data-only pieces of the FIML correction of one group: the independence model's
    moments (available-case means and variances), the complete-data information Wc at the EM
    moments, tr(Wc Wm^-1 Jm Wm^-1) and Jm Wm^-1 Wc."""
    p = len(data.mean)
    vi, vj = vech_indices(p)
    sums = np.zeros(p)
    counts = np.zeros(p)
    squares = np.zeros(p)
    for pattern in data.patterns:
        counts[pattern.observed] += pattern.n
        sums[pattern.observed] += pattern.rows.sum(axis=0)
    base_mean = sums / counts
    for pattern in data.patterns:
        squares[pattern.observed] += ((pattern.rows - base_mean[pattern.observed]) ** 2).sum(axis=0)
    prec = np.linalg.inv(data.cov)
    wc22 = prec[np.ix_(vi, vi)] * prec[np.ix_(vj, vj)] + prec[np.ix_(vi, vj)] * prec[np.ix_(vj, vi)]
    half = np.where(vi == vj, 0.5, 1.0)
    wc = linalg.block_diag(prec, wc22 * half[:, None] * half[None, :])
    trace = float(np.sum(wc * (wm_inv @ jm @ wm_inv)))
    return np.diag(squares / counts), base_mean, wc, trace, jm @ wm_inv @ wc


def _fiml_corrected(engine: Engine, x, df, base_df, h1):
    """Savalei's (2018) FIML-corrected statistics for the robust CFI/TLI/RMSEA (lavaan's
    ``lav_fit_fiml_corrected``, version V3): XX3, c3, XX3.null, c3.null."""
    spec = engine.spec
    n = engine.n_total
    p = spec.p
    vi, vj = vech_indices(p)
    xx3 = xx3_null = 0.0
    t1 = 0.0
    jw_list, wc_list, jm_list, deltas, baseline_rows = [], [], [], [], []
    for g, (data, (_, wm_inv, jm)) in enumerate(zip(engine.groups, h1, strict=True)):
        sigma, mu = engine.implied(x, g)
        xx3 += _complete_chisq(sigma, mu, data.cov, data.mean, data.n)
        if "fiml" not in data.derived:
            data.derived["fiml"] = _fiml_data_parts(data, wm_inv, jm)
        base_sigma, base_mean, wc, trace_g, jw = data.derived["fiml"]
        xx3_null += _complete_chisq(base_sigma, base_mean, data.cov, data.mean, data.n)
        t1 += trace_g
        jw_list.append(jw)
        wc_list.append(wc)
        jm_list.append(jm)
        deltas.append(moment_jacobian(engine, x, g))
        baseline_rows.append(np.concatenate([np.arange(p), p + np.flatnonzero(vi == vj)]))
    f = np.array([d.n for d in engine.groups]) / n

    def correction(jacobians, e_inv) -> float:
        cross = sum(f[g] * d.T @ jw_list[g] @ d for g, d in enumerate(jacobians))
        wcc = sum(f[g] * d.T @ wc_list[g] @ d for g, d in enumerate(jacobians))
        jmm = sum(f[g] * d.T @ jm_list[g] @ d for g, d in enumerate(jacobians))
        return (
            t1 - 2 * float(np.sum(e_inv * cross.T)) + float(np.sum((e_inv @ wcc) * (e_inv @ jmm).T))
        )

    # lavaan computes E here from the saturated model's observed information (h1)
    info_h1 = sum(f[g] * d.T @ h1[g][0] @ d for g, d in enumerate(deltas))
    k = correction(deltas, linalg.inv(info_h1))
    # baseline: parameters are each group's means and variances (a selection of moments);
    # it depends on the data only (the first group's data belong to this grouping alone)
    if "baseline" not in engine.groups[0].derived:
        selections = []
        size = sum(len(rows) for rows in baseline_rows)
        offset = 0
        for rows, (wm, _, _) in zip(baseline_rows, h1, strict=True):
            sel = np.zeros((wm.shape[0], size))
            sel[rows, offset + np.arange(len(rows))] = 1.0
            selections.append(sel)
            offset += len(rows)
        info_b = sum(f[g] * s.T @ h1[g][0] @ s for g, s in enumerate(selections))
        engine.groups[0].derived["baseline"] = correction(selections, linalg.inv(info_b))
    c3 = k / df if df > 0 else math.nan
    return xx3, c3, xx3_null, engine.groups[0].derived["baseline"] / base_df


# ----------------------------------------------------------------------------- difference test


def satorra_bentler_2001(
    chisq0: float, df0: float, c0: float, chisq1: float, df1: float, c1: float
) -> tuple[float, float]:
    """Scaled chi-square difference of nested models (0 = more restricted): (statistic,
    df); lavaan's ``lavTestLRT`` for MLR (``method = "satorra.bentler.2001"``)."""
    m = df0 - df1
    if m == 0:
        return chisq0 - chisq1, 0.0
    if df1 == 0:
        c1 = 1.0
    cd = (df0 * c0 - df1 * c1) / m
    if cd < 0:
        return math.nan, m
    return (chisq0 - chisq1) / cd, m
