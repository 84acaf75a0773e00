"""Comparisons for the reference, computed from per-unit arrays.

The conventions are the documented ones of pkg/stats (doc comments of
Compare, combineStrata, relativeLift, Decide, SRM) and
/work/shared/notes/statistics.md; the arithmetic is independent: SciPy and
statsmodels where they offer the test (Welch's t-test, the pooled two-proportion
z-test, OLS for the CUPED slope, χ², Holm/BH), and otherwise explicit
formulas on per-unit values (two-pass variances, influence functions for
ratios, a generic delta method for the relative lift), never on one-pass
sufficient statistics.
"""

import math

import numpy as np
import pandas as pd
import scipy.stats as st
import statsmodels.api as sm
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportions_ztest

BENEFICIAL, HARMFUL, INCONCLUSIVE, INSUFFICIENT = "beneficial", "harmful", "inconclusive", "insufficient_data"


def cuped_theta(frame):
    """OLS slope of y on x over every unit of both arms and all strata, and
    the pooled covariate mean; θ = 0 when x has no variance."""
    x, y = frame["x"].to_numpy(float), frame["y"].to_numpy(float)
    if len(x) < 2 or np.var(x) == 0:
        return 0.0, float(np.mean(x)) if len(x) else 0.0
    fit = sm.OLS(y, sm.add_constant(x, has_constant="add")).fit()
    return float(fit.params[1]), float(np.mean(x))


class ArmStratum:
    """One arm in one stratum: the estimate (CUPED-adjusted when CUPED), its
    variance, the raw mean behind the relative lift, Var(raw) and
    Cov(estimate, raw), all from per-unit values."""

    def __init__(self, kind, frame, cuped, theta, mean_x):
        y = frame["y"].to_numpy(float)
        n = len(y)
        self.n = n
        self.y = y
        if kind == "ratio":
            d = frame["d"].to_numpy(float)
            r = y.sum() / d.sum()
            # Influence function of Σy/Σd per unit (Deng et al. 2018): the
            # linearised ratio; its sample variance / n is the delta method.
            z = (y - r * d) / d.mean()
            self.mean = self.raw = r
            self.var = self.var_raw = self.cov = np.var(z, ddof=1) / n
            self.values = z
        elif cuped:
            adj = y - theta * (frame["x"].to_numpy(float) - mean_x)
            self.mean, self.raw = adj.mean(), y.mean()
            self.var = np.var(adj, ddof=1) / n
            self.var_raw = np.var(y, ddof=1) / n
            self.cov = np.cov(adj, y, ddof=1)[0, 1] / n
            self.values = adj
        elif kind == "conversion":
            p = y.mean()
            self.mean = self.raw = p
            self.var = self.var_raw = self.cov = p * (1 - p) / n  # unpooled, as prop.test's interval
            self.values = y
        else:
            self.mean = self.raw = y.mean()
            self.var = self.var_raw = self.cov = np.var(y, ddof=1) / n
            self.values = y


def _usable(kind, a, b):
    if len(a) < 2 or len(b) < 2:
        return False
    if kind == "ratio" and (a["d"].sum() == 0 or b["d"].sum() == 0):
        return False
    return True


def pooled_mean(kind, frame):
    if kind == "ratio":
        den = frame["d"].sum() if len(frame) else 0.0
    else:
        den = float(len(frame))
    return float(frame["y"].sum() / den) if den else 0.0


def compare(metric, control, treatment, n_stages, alpha, sequential, tuning_n, min_units):
    """One metric, one treatment arm. control and treatment are per-unit
    frames with stage, y and (ratio) d or (CUPED) x. Returns a dict shaped
    like the engine's MetricResult numbers."""
    kind, cuped = metric.kind, metric.cuped_lookback > 0
    n_a, n_b = len(control), len(treatment)
    if n_a < min_units or n_b < min_units or n_a < 2 or n_b < 2:
        return _insufficient(kind, control, treatment, "too few units")

    theta, mean_x = 0.0, 0.0
    if cuped:
        theta, mean_x = cuped_theta(pd.concat([control, treatment]))
    strata = []
    for s in range(n_stages):
        a, b = control[control["stage"] == s], treatment[treatment["stage"] == s]
        if _usable(kind, a, b):
            strata.append((ArmStratum(kind, a, cuped, theta, mean_x), ArmStratum(kind, b, cuped, theta, mean_x)))
    if not strata:
        return _insufficient(kind, control, treatment, "no usable stratum")

    total = sum(a.n + b.n for a, b in strata)
    w = [(a.n + b.n) / total for a, b in strata]
    m_a = sum(wi * a.mean for wi, (a, _) in zip(w, strata))
    m_b = sum(wi * b.mean for wi, (_, b) in zip(w, strata))
    v_a = sum(wi**2 * a.var for wi, (a, _) in zip(w, strata))
    v_b = sum(wi**2 * b.var for wi, (_, b) in zip(w, strata))
    mu_a = sum(wi * a.raw for wi, (a, _) in zip(w, strata))
    var_mu = sum(wi**2 * a.var_raw for wi, (a, _) in zip(w, strata))
    cov_m_mu = sum(wi**2 * a.cov for wi, (a, _) in zip(w, strata))
    delta, var = m_b - m_a, v_a + v_b
    if var <= 0:
        return _insufficient(kind, control, treatment, "zero variance")
    checks = {}
    ols_delta, ols_var = cell_means_regression(kind, cuped, strata, w)
    var = _agree("statsmodels OLS cell-means variance", var, ols_var)
    checks["statsmodels_ols_variance"] = var
    if kind != "ratio":
        checks["statsmodels_ols_estimate"] = _agree("statsmodels OLS cell-means estimate", delta, ols_delta, scale=math.sqrt(var))
    se = math.sqrt(var)

    # Welch–Satterthwaite over every arm and stratum.
    terms = [(wi**2 * s.var, s.n) for wi, pair in zip(w, strata) for s in pair]
    df = sum(u for u, _ in terms) ** 2 / sum(u * u / (n - 1) for u, n in terms)

    # half(se) is the interval's half-width; the relative lift uses the same
    # procedure with its own standard error.
    if sequential:
        # N is every unit of both arms, including those of strata too small
        # to be used, as pkg/stats documents (ArmSummary.N, "N = n_A + n_B").
        n_total = n_a + n_b

        def half(s_):
            return cs_half_width(s_, n_total, alpha, tuning_n)

        p = cs_p_value(delta, se, n_total, alpha, tuning_n)
        df_used = math.inf
    elif kind == "conversion" and not cuped:
        z = st.norm.ppf(1 - alpha / 2)

        def half(s_):
            return z * s_

        null_var = 0.0
        for wi, (a, b) in zip(w, strata):
            pooled = (a.y.sum() + b.y.sum()) / (a.n + b.n)
            null_var += wi**2 * pooled * (1 - pooled) * (1 / a.n + 1 / b.n)
        p = 2 * st.norm.sf(abs(delta) / math.sqrt(null_var))
        if len(strata) == 1:
            # prop.test(correct = FALSE) is the pooled z-test: statsmodels'
            # proportions_ztest must give the same p-value.
            a, b = strata[0]
            _, p_sm = proportions_ztest([b.y.sum(), a.y.sum()], [b.n, a.n])
            p = _agree("statsmodels proportions_ztest p-value", p, float(p_sm))
            checks["statsmodels_proportions_ztest_p"] = p
        df_used = math.inf
    else:
        t = st.t.ppf(1 - alpha / 2, df)

        def half(s_):
            return t * s_

        p = 2 * st.t.sf(abs(delta) / se, df)
        if len(strata) == 1 and kind != "ratio":
            a, b = strata[0]
            res = st.ttest_ind(b.values, a.values, equal_var=False)
            p = _agree("scipy ttest_ind(equal_var=False) p-value", p, float(res.pvalue))
            checks["scipy_welch_p"] = p
        df_used = df

    out = {
        "baseline_stats": {"n": n_a, "mean": m_a, "se": math.sqrt(v_a)},
        "arm_stats": {"n": n_b, "mean": m_b, "se": math.sqrt(v_b)},
        "absolute": _interval(delta, se, half),
        "relative": None,
        "p_value": float(min(1.0, p)),
        "df": df_used,
        "theta": theta if cuped else None,
        "strata_used": len(strata),
        "checks": checks,
    }
    if mu_a != 0:
        # Delta method for f(m_B, m_A, μ_A) = (m_B - m_A)/|μ_A|, with m_B
        # independent of the control's m_A and raw mean μ_A.
        r = delta / mu_a
        grad = np.array([1 / mu_a, -1 / mu_a, -r / mu_a])
        cov = np.array([[v_b, 0, 0], [0, v_a, cov_m_mu], [0, cov_m_mu, var_mu]])
        rel_se = math.sqrt(max(0.0, float(grad @ cov @ grad)))
        out["relative"] = _interval(delta / abs(mu_a), rel_se, half)
    out["verdict"] = decide(out, metric)
    return out


def cell_means_regression(kind, cuped, strata, w):
    """The stratified difference by another route: OLS of the per-unit values
    on one indicator per (stratum, arm) cell, with heteroskedasticity-
    consistent covariance, and the contrast Σ w_s (cell_Bs - cell_As). HC2
    gives each cell mean the variance s²/n (leverage 1/n), HC0 gives
    p(1-p)/n for a 0/1 outcome, as prop.test's interval. For ratios the
    values are the influence functions, so only the variance is comparable."""
    cols = [pair[i].values for pair in strata for i in (0, 1)]
    y = np.concatenate(cols)
    x = np.zeros((len(y), len(cols)))
    row = 0
    for j, c in enumerate(cols):
        x[row : row + len(c), j] = 1.0
        row += len(c)
    cov_type = "HC0" if kind == "conversion" and not cuped else "HC2"
    fit = sm.OLS(y, x).fit(cov_type=cov_type)
    contrast = np.array([sign * wi for wi in w for sign in (-1.0, 1.0)])
    return float(contrast @ fit.params), float(contrast @ fit.cov_params() @ contrast)


def _agree(what, ours, library, scale=0.0):
    """The library's value, after checking the explicit formula agrees with it
    (a disagreement means the formula, and so the stratified path built from
    it, is wrong)."""
    if not math.isclose(ours, library, rel_tol=1e-9, abs_tol=1e-9 * scale or 1e-300):
        raise AssertionError(f"{what}: formula gives {ours!r}, library {library!r}")
    return library


def _interval(est, se, half):
    h = half(se)
    return {"estimate": est, "ci_lower": est - h, "ci_upper": est + h, "se": se}


def _insufficient(kind, control, treatment, why):
    return {
        "baseline_stats": {"n": len(control), "mean": pooled_mean(kind, control), "se": 0.0},
        "arm_stats": {"n": len(treatment), "mean": pooled_mean(kind, treatment), "se": 0.0},
        "absolute": {"estimate": 0.0, "ci_lower": 0.0, "ci_upper": 0.0, "se": 0.0},
        "relative": None,
        "p_value": 1.0,
        "verdict": INSUFFICIENT,
        "why": why,
        "checks": {},
    }


def _rho(alpha, tuning_n):
    l = -2 * math.log(alpha)
    return math.sqrt((l + math.log(l + 1)) / tuning_n)


def cs_half_width(se, n, alpha, tuning_n):
    """Waudby-Smith et al. eq. 9 as written in the notes (§1):
    σ̂·sqrt(2(Nρ²+1)/(N²ρ²)·ln(sqrt(Nρ²+1)/α)) with σ̂² = se²·N."""
    rho = _rho(alpha, tuning_n)
    sigma2 = se * se * n
    return math.sqrt(sigma2 * 2 * (n * rho**2 + 1) / (n * n * rho**2) * math.log(math.sqrt(n * rho**2 + 1) / alpha))


def cs_p_value(est, se, n, alpha, tuning_n):
    """p = min(1, 1/Λ) with Johari et al.'s normal-mixture likelihood ratio
    Λ = sqrt(V/(V+τ²))·exp(τ²est²/(2V(V+τ²))), V = se², τ² = ρ²σ̂², σ̂² = se²·N.
    The notes (§4) show Λ equals the e-value of eq. 155 (§1), which is the
    form the engine documents, so this checks it by another route."""
    rho = _rho(alpha, tuning_n)
    v = se * se
    tau2 = rho**2 * v * n
    log_lambda = 0.5 * math.log(v / (v + tau2)) + tau2 * est * est / (2 * v * (v + tau2))
    return min(1.0, math.exp(-log_lambda))


def decide(result, metric):
    """Verdict rules (pkg/stats Decide): beneficial when the absolute interval
    is wholly on the good side of 0; harmful when wholly on the bad side
    beyond the margin (relative margins on the relative interval, 0 on the
    absolute one when the lift is undefined); inconclusive otherwise."""
    lo, hi = result["absolute"]["ci_lower"], result["absolute"]["ci_upper"]
    inc = metric.direction == "increase"
    good = lo if inc else -hi
    bad = hi if inc else -lo
    if good > 0:
        return BENEFICIAL
    if metric.margin_relative:
        rel = result["relative"]
        if rel is not None:
            rbad = rel["ci_upper"] if inc else -rel["ci_lower"]
            return HARMFUL if rbad < -metric.margin_relative else INCONCLUSIVE
        return HARMFUL if bad < 0 else INCONCLUSIVE
    return HARMFUL if bad < -metric.margin_absolute else INCONCLUSIVE


def adjust(pvalues, method):
    """Holm or BH through statsmodels (equal to R's p.adjust)."""
    if method in ("none", "") or not pvalues:
        return list(pvalues)
    name = {"holm": "holm", "bh": "fdr_bh"}[method]
    return [float(v) for v in multipletests(pvalues, method=name)[1]]


def srm(stage_counts):
    """Pearson χ² per stage with units (scipy.stats.chisquare against the
    stage's weights), statistics and degrees of freedom summed."""
    chi, df = 0.0, 0
    for observed, weights in stage_counts:
        total = sum(observed)
        if total == 0:
            continue
        wsum = sum(weights)
        expected = [total * w / wsum for w in weights]
        res = st.chisquare(observed, expected)
        chi += float(res.statistic)
        df += len(observed) - 1
    if df == 0:
        return {"chi_square": 0.0, "df": 0, "p_value": 1.0}
    return {"chi_square": chi, "df": df, "p_value": float(st.chi2.sf(chi, df))}
