"""Reference values for pkg/stats' telemetry statistics, from SciPy and NumPy.

    /usr/bin/python3 scripts/stats/generate_telemetry_reference.py   (from the repository root)

writes pkg/stats/testdata/telemetry.json with

* pearson: scipy.stats.pearsonr (r, p-value, confidence_interval: Fisher z);
* spearman: scipy.stats.spearmanr (rho, p-value) and the Fisher-z interval
  with variance 1.06/(n-3) (Fieller, Hartley & Pearson 1957), written here;
* batch_lag1: the lag-1 correlation of adjacent batch means of an AR(1)
  series, computed numerically from the AR(1) covariance matrix (not from
  the closed form the Go code uses);
* batch_inflation: the variance correction c(b-1)/(b-c), also from the
  covariance matrix: c = b·Var(mean of batch means)/Var(batch mean);
* batch: paired batch-means comparisons: scipy.stats.ttest_1samp and its
  confidence_interval when there is no correction, and Student t with the
  numerically computed inflation otherwise;
* lag1: the bias-corrected lag-1 autocorrelation with NaN gaps;
* leadlag: pearsonr at every lag, the best lag, Bonferroni and a circular
  shift test written independently of the Go code;
* level_shift: the best single change in the mean by brute force (the split
  with the smallest total sum of squares around the two runs' means), the
  lag-1 autocorrelation of the residuals, the change test's statistic and
  its critical value from scipy.stats.t.ppf, and the lag-1 estimate batch
  planning then uses (ShiftRobustLag1).

Use Debian's /usr/bin/python3, which has SciPy and NumPy.
"""

import json
import math
import os
import sys

import numpy as np
from scipy import stats

OUT = os.path.join("pkg", "stats", "testdata", "telemetry.json")


def clean(x):
    """JSON has no NaN: write missing values as null."""
    if isinstance(x, float) and math.isnan(x):
        return None
    if isinstance(x, (list, tuple, np.ndarray)):
        return [clean(float(v)) for v in x]
    return float(x)


def spearman_ci(rho, n, alpha):
    if abs(rho) >= 1:
        return rho, rho
    z = np.arctanh(rho)
    hw = stats.norm.ppf(1 - alpha / 2) * math.sqrt(1.06 / (n - 3))
    return math.tanh(z - hw), math.tanh(z + hw)


def correlation_cases(rng):
    cases = []
    specs = [
        ("small", 6, 0.8, False),
        ("moderate", 40, 0.4, False),
        ("negative", 25, -0.6, False),
        ("near zero", 200, 0.0, False),
        ("ties", 30, 0.5, True),
        ("n4", 4, 0.9, False),
    ]
    for name, n, rho, ties in specs:
        x = rng.standard_normal(n)
        y = rho * x + math.sqrt(1 - rho * rho) * rng.standard_normal(n)
        if ties:
            x, y = np.round(x * 2) / 2, np.round(y * 2) / 2
        x, y = 3 + 2 * x, -1 + 0.5 * y
        for alpha in (0.05, 0.1):
            p = stats.pearsonr(x, y)
            pci = p.confidence_interval(confidence_level=1 - alpha)
            s = stats.spearmanr(x, y)
            slo, shi = spearman_ci(s.statistic, n, alpha) if n > 3 else (-1.0, 1.0)
            cases.append({
                "name": name, "alpha": alpha, "x": clean(x), "y": clean(y),
                "pearson": {"r": float(p.statistic), "p": float(p.pvalue),
                            "lower": float(pci.low), "upper": float(pci.high)},
                "spearman": {"r": float(s.statistic), "p": float(s.pvalue),
                             "lower": slo, "upper": shi},
            })
    return cases


def ar1_cov(phi, n):
    idx = np.arange(n)
    return phi ** np.abs(idx[:, None] - idx[None, :]) / (1 - phi * phi)


def batch_matrix(m, b):
    """Rows average consecutive blocks of m steps."""
    a = np.zeros((b, m * b))
    for i in range(b):
        a[i, i * m:(i + 1) * m] = 1.0 / m
    return a


def batch_numerics(phi, m, b):
    a = batch_matrix(m, b)
    cov = a @ ar1_cov(phi, m * b) @ a.T  # covariance of the batch means
    var_b = cov[0, 0]
    lag1 = cov[0, 1] / var_b if b > 1 else 0.0
    var_mean = cov.sum() / b / b
    c = b * var_mean / var_b
    return lag1, c


def inflation(phi, m, b):
    if phi <= 0:
        return 1.0
    _, c = batch_numerics(phi, m, b)
    return c * (b - 1) / (b - c)


def batch_cases(rng):
    lag1s, infl = [], []
    for phi in (0.3, 0.6, 0.9, 0.97):
        for m in (1, 5, 12, 40):
            lag1s.append({"phi": phi, "m": m, "lag1": batch_numerics(phi, m, 3)[0]})
            for b in (5, 12, 30):
                infl.append({"phi": phi, "m": m, "b": b, "inflation": inflation(phi, m, b)})

    cases = []
    specs = [
        ("independent", 12, 0.0, 1, 0.05, 0.0),
        ("autocorrelated", 20, 0.7, 5, 0.05, 0.3),
        ("few batches", 6, 0.5, 10, 0.1, -0.5),
        ("strong", 30, 0.9, 20, 0.05, 1.0),
        ("clear increase", 15, 0.2, 5, 0.05, 3.0),
        ("clear decrease", 10, 0.4, 3, 0.05, -4.0),
    ]
    for name, b, phi, m, alpha, shift in specs:
        control = 100 + 5 * rng.standard_normal(b)
        treatment = control + shift + 2 * rng.standard_normal(b)
        d = treatment - control
        k = inflation(phi, m, b)
        se = math.sqrt(k * d.var(ddof=1) / b)
        crit = stats.t.ppf(1 - alpha / 2, b - 1)
        case = {
            "name": name, "control": clean(control), "treatment": clean(treatment),
            "lag1": phi, "steps": m, "alpha": alpha, "inflation": k,
            "estimate": float(d.mean()), "lower": float(d.mean() - crit * se),
            "upper": float(d.mean() + crit * se), "se": se,
            "p": float(2 * stats.t.sf(abs(d.mean() / se), b - 1)),
        }
        if phi == 0:
            tt = stats.ttest_1samp(d, 0.0)
            ci = tt.confidence_interval(confidence_level=1 - alpha)
            case.update(p=float(tt.pvalue), lower=float(ci.low), upper=float(ci.high))
        # Relative lift by the delta method on the same batches.
        cm, tm = control.mean(), treatment.mean()
        z = (treatment - tm / cm * control) / abs(cm)
        rse = math.sqrt(k * z.var(ddof=1) / b)
        case["relative"] = {"estimate": float((tm - cm) / abs(cm)),
                            "lower": float((tm - cm) / abs(cm) - crit * rse),
                            "upper": float((tm - cm) / abs(cm) + crit * rse)}
        cases.append(case)
    return lag1s, infl, cases


def lag1_cases(rng):
    out = []
    for n, phi, gaps in ((50, 0.6, 0), (200, 0.9, 0), (120, 0.3, 10), (30, -0.4, 0)):
        e = rng.standard_normal(n)
        x = np.empty(n)
        x[0] = e[0]
        for t in range(1, n):
            x[t] = phi * x[t - 1] + e[t]
        if gaps:
            x[rng.choice(n, gaps, replace=False)] = np.nan
        present = ~np.isnan(x)
        mean = x[present].mean()
        dev = np.where(present, x - mean, 0.0)
        both = present[:-1] & present[1:]
        r = float((dev[:-1] * dev[1:])[both].sum() / (dev ** 2).sum())
        cnt = int(present.sum())
        r = r + (1 + 3 * r) / cnt
        out.append({"x": clean(x), "lag1": min(0.99, max(0.0, r))})
    return out


def best_abs_r(x, y, max_lag):
    best, lag = -1.0, -1
    for k in range(max_lag + 1):
        xs, ys = x[:len(x) - k], y[k:]
        keep = ~np.isnan(xs) & ~np.isnan(ys)
        if keep.sum() < 5 or np.std(xs[keep]) == 0 or np.std(ys[keep]) == 0:
            continue
        r = abs(np.corrcoef(xs[keep], ys[keep])[0, 1])
        if r > best:
            best, lag = r, k
    return best, lag


def leadlag_cases(rng):
    out = []
    for n, true_lag, max_lag, strength in ((120, 3, 8, 0.8), (90, 0, 5, 0.0), (150, 6, 10, 0.5)):
        # Smooth (autocorrelated) driver so the shift test matters.
        e = rng.standard_normal(n + true_lag)
        x = np.empty(n + true_lag)
        x[0] = e[0]
        for t in range(1, len(x)):
            x[t] = 0.7 * x[t - 1] + e[t]
        noise = rng.standard_normal(n)
        y = strength * x[:n] + math.sqrt(1 - strength ** 2 + 0.01) * noise
        # y[t] depends on x[t - true_lag]: shift x forward so x leads y.
        xs = x[:n]
        ys = np.full(n, np.nan)
        ys[true_lag:] = y[:n - true_lag]
        xs = 10 + xs
        ys = 5 - ys
        ys[rng.choice(n, 4, replace=False)] = np.nan
        lags = []
        for k in range(max_lag + 1):
            a, b = xs[:n - k], ys[k:]
            keep = ~np.isnan(a) & ~np.isnan(b)
            r = stats.pearsonr(a[keep], b[keep])
            lags.append({"lag": k, "n": int(keep.sum()), "r": float(r.statistic), "p": float(r.pvalue)})
        best = max(lags, key=lambda v: (abs(v["r"]), -v["lag"]))
        a, b = xs[:n - best["lag"]], ys[best["lag"]:]
        keep = ~np.isnan(a) & ~np.isnan(b)
        sp = stats.spearmanr(a[keep], b[keep])
        guard = max_lag + max(2, n // 10)
        obs = abs(best["r"])
        exceed, shifts = 0, 0
        for s in range(guard, n - guard + 1):
            rot = np.roll(ys, -s)  # rot[t] = ys[(t + s) % n]
            if best_abs_r(xs, rot, max_lag)[0] >= obs - 1e-12:
                exceed += 1
            shifts += 1
        out.append({
            "x": clean(xs), "y": clean(ys), "max_lag": max_lag,
            "lags": lags, "best_lag": best["lag"], "pearson_r": best["r"], "pearson_p": best["p"],
            "spearman_r": float(sp.statistic), "spearman_p": float(sp.pvalue),
            "bonferroni_p": min(1.0, (max_lag + 1) * best["p"]),
            "shifts": shifts, "shift_p": (1 + exceed) / (1 + shifts),
        })
    return out


LEVEL_SHIFT_ALPHA = 0.01


def plain_lag1(x):
    """Lag1Autocorrelation: around the mean, consecutive present pairs."""
    present = ~np.isnan(x)
    mean = x[present].mean()
    dev = np.where(present, x - mean, 0.0)
    both = present[:-1] & present[1:]
    r = float((dev[:-1] * dev[1:])[both].sum() / (dev ** 2).sum())
    r = r + (1 + 3 * r) / int(present.sum())
    return min(0.99, max(0.0, r))


def level_shift(x):
    """The best single change in the mean and the test for it."""
    idx = np.flatnonzero(~np.isnan(x))
    v = x[idx]
    n = len(v)
    min_seg = max(5, n // 20)
    best_k, best_sse = None, math.inf
    for k in range(min_seg, n - min_seg + 1):
        sse = ((v[:k] - v[:k].mean()) ** 2).sum() + ((v[k:] - v[k:].mean()) ** 2).sum()
        if sse < best_sse:
            best_k, best_sse = k, sse
    k = best_k
    at = int(idx[k])
    m1, m2 = v[:k].mean(), v[k:].mean()
    resid = np.full(len(x), np.nan)
    resid[idx[:k]] = v[:k] - m1
    resid[idx[k:]] = v[k:] - m2
    both = ~np.isnan(resid[:-1]) & ~np.isnan(resid[1:])
    num = float((resid[:-1] * resid[1:])[both].sum())
    den = float(np.nansum(resid ** 2))
    r = num / den
    r = r + (2 + 4 * r) / n
    lag1 = min(0.99, max(0.0, r))
    phi = min(0.99, lag1 + math.sqrt((1 - lag1 ** 2) / n))
    long_run = den / (n - 2) * (1 + phi) / (1 - phi)
    stat = abs(m2 - m1) / math.sqrt(long_run * (1 / k + 1 / (n - k)))
    splits = n - 2 * min_seg + 1
    crit = float(stats.t.ppf(1 - LEVEL_SHIFT_ALPHA / (2 * splits), n - 2))
    plain = plain_lag1(x)
    robust = lag1 if stat > crit and lag1 < plain else plain
    return {"at": at, "before": float(m1), "after": float(m2), "count1": int(k), "count2": int(n - k),
            "lag1": lag1, "statistic": stat, "critical": crit, "significant": bool(stat > crit),
            "robust_lag1": robust}


def level_shift_cases(rng):
    out = []
    # n, phi, shift, where it starts, missing steps
    specs = [
        ("regression at 60%", 240, 0.5, 3.0, 144, 5),
        ("no shift", 60, 0.0, 0.0, 0, 0),
        ("demo-like: 5 steps after the change", 30, 0.2, 4.0, 25, 0),
        ("strong autocorrelation, no shift", 200, 0.9, 0.0, 0, 0),
        ("improvement early, with gaps", 120, 0.3, -2.0, 40, 8),
    ]
    for name, n, phi, shift, start, gaps in specs:
        e = rng.standard_normal(n)
        x = np.empty(n)
        x[0] = e[0] / math.sqrt(1 - phi * phi)
        for t in range(1, n):
            x[t] = phi * x[t - 1] + e[t]
        x = 50 + x
        x[start:] += shift if shift else 0.0
        if gaps:
            x[rng.choice(n, gaps, replace=False)] = np.nan
        case = {"name": name, "x": clean(x)}
        case.update(level_shift(x))
        out.append(case)
    return out


def main():
    if not os.path.isdir(os.path.dirname(OUT)):
        sys.exit("run from the repository root")
    rng = np.random.default_rng(20261101)
    lag1s, infl, batches = batch_cases(rng)
    data = {
        "pearson_spearman": correlation_cases(rng),
        "batch_lag1": lag1s,
        "batch_inflation": infl,
        "batch": batches,
        "lag1": lag1_cases(rng),
        "leadlag": leadlag_cases(rng),
        "level_shift": level_shift_cases(rng),
    }
    with open(OUT, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
