"""Telemetry fixture for pkg/engine's real-Prometheus tests, with expected values.

    /usr/bin/python3 pkg/engine/testdata/telemetry/generate.py   (from the repository root)

Writes, next to this script:

* fixture.om.gz: OpenMetrics text (timestamps in seconds, "# EOF") that the
  tests backfill into a real Prometheus with promtool. Six hours from
  2026-11-01T00:00:00Z, one sample per minute on the minute:
    http_requests_total{job, variant, code}       requests per arm, 200 and 500
    http_request_duration_seconds_bucket{job, variant, le}   latency histogram
    checkout_latency_seconds{job="checkout", variant}        mean-latency gauge
    build_info{job="checkout"}                    build number (2 deployments)
  Jobs: "checkout" (the treatment has twice the errors and 30% slower
  requests), "checkout-aa" (an A/A pair), "skewed" (the treatment gets 45%
  of requests while the plan says 50%), "lonely" (no treatment series).
* fixture.json: the per-bucket product metric (units and conversions per
  5-minute bucket of first exposure, per arm) that the tests serve from a
  fake event store, and the expected results, computed here from the
  generated samples without any of liftgate's code:
    - verdicts of the batch-means comparison (written out below from
      docs/statistics.md: bias-corrected and conservative lag-1
      autocorrelation, batch length, batch ratios and histogram quantiles
      from summed increases, the variance inflation from the AR(1)
      covariance matrix, the asymptotic confidence sequence);
    - the traffic split per arm;
    - the correlation of latency and conversion per arm with SciPy
      (pearsonr, spearmanr), every lag, the best lag, Bonferroni and the
      circular shift test;
    - the deployment markers.

The plan behind the numbers (arms, stages, alpha) is written into
fixture.json too; the Go tests build the same plan.
"""

import gzip
import json
import math
import os

import numpy as np
from scipy import stats

HERE = os.path.dirname(os.path.abspath(__file__))
T0 = 1793491200  # 2026-11-01T00:00:00Z
STEP = 60
STEPS = 360  # six hours
BUCKET_STEPS = 5  # product buckets of 5 minutes
CANARY_STEPS = 120  # stage "canary" (10% treatment) for 2h, then "half"
BOUNDS = [0.05, 0.1, 0.2, 0.3, 0.5, 1.0, math.inf]
ALPHA = 0.05
ARMS = ["control", "treatment"]
MAX_LAG_BUCKETS = 4


def weights(step):
    return {"control": 0.9, "treatment": 0.1} if step < CANARY_STEPS else {"control": 0.5, "treatment": 0.5}


def ar1(rng, n, phi, sd):
    x = np.empty(n)
    x[0] = rng.standard_normal() * sd
    inn = sd * math.sqrt(1 - phi * phi)
    for t in range(1, n):
        x[t] = phi * x[t - 1] + inn * rng.standard_normal()
    return x


def generate(rng):
    """Per-minute increments (steps 1..STEPS) and gauges (samples 0..STEPS)."""
    load = 600 * np.exp(ar1(rng, STEPS, 0.9, 0.25))
    log_lat = math.log(0.12) + ar1(rng, STEPS + 1, 0.8, 0.25)
    jobs = {}
    for job in ("checkout", "checkout-aa", "skewed", "lonely"):
        arms = {}
        for arm in ARMS:
            if job == "lonely" and arm == "treatment":
                continue
            share = np.array([weights(k)[arm] for k in range(STEPS)])
            if job == "skewed" and arm == "treatment":
                share = np.where(np.arange(STEPS) < CANARY_STEPS, share, 0.45)
            if job == "skewed" and arm == "control":
                share = np.where(np.arange(STEPS) < CANARY_STEPS, share, 0.55)
            req = rng.poisson(load * share)
            p_err = 0.01 * np.exp(ar1(rng, STEPS, 0.6, 0.2))
            if job == "checkout" and arm == "treatment":
                p_err = 2 * p_err
            err = rng.binomial(req, np.minimum(p_err, 1))
            slow = math.log(1.3) if (job == "checkout" and arm == "treatment") else 0.0
            mu = log_lat[1:] + slow + ar1(rng, STEPS, 0.5, 0.05)
            cdf = stats.norm.cdf((np.log(np.array(BOUNDS[:-1]))[None, :] - mu[:, None]) / 0.5)
            probs = np.diff(np.concatenate([np.zeros((STEPS, 1)), cdf, np.ones((STEPS, 1))], axis=1), axis=1)
            hist = np.array([rng.multinomial(req[k], probs[k]) for k in range(STEPS)])  # per bucket, non-cumulative
            arms[arm] = {"req": req, "err": err, "hist": np.cumsum(hist, axis=1), "mu": mu}
        jobs[job] = arms
    gauge = {arm: 0.12 * np.exp(log_lat - math.log(0.12) + (math.log(1.3) if arm == "treatment" else 0)
                                + ar1(rng, STEPS + 1, 0.3, 0.02)) for arm in ARMS}
    build = np.where(np.arange(STEPS + 1) < 120, 1, np.where(np.arange(STEPS + 1) < 250, 2, 3))
    return jobs, gauge, build


def openmetrics(jobs, gauge, build):
    lines = ["# TYPE http_requests counter"]
    for t in range(STEPS + 1):
        ts = T0 + t * STEP
        for job, arms in jobs.items():
            for arm, d in arms.items():
                total = int(d["req"][:t].sum())
                errs = int(d["err"][:t].sum())
                lines.append('http_requests_total{job="%s",variant="%s",code="200"} %d %d' % (job, arm, total - errs, ts))
                lines.append('http_requests_total{job="%s",variant="%s",code="500"} %d %d' % (job, arm, errs, ts))
    lines.append("# TYPE http_request_duration_seconds histogram")
    for t in range(STEPS + 1):
        ts = T0 + t * STEP
        for job in ("checkout", "checkout-aa"):
            for arm, d in jobs[job].items():
                cum = d["hist"][:t].sum(axis=0) if t else np.zeros(len(BOUNDS), dtype=int)
                for b, c in zip(BOUNDS, cum):
                    le = "+Inf" if math.isinf(b) else repr(b)
                    lines.append('http_request_duration_seconds_bucket{job="%s",variant="%s",le="%s"} %d %d' % (job, arm, le, c, ts))
    lines.append("# TYPE checkout_latency_seconds gauge")
    for t in range(STEPS + 1):
        for arm in ARMS:
            lines.append('checkout_latency_seconds{job="checkout",variant="%s"} %r %d' % (arm, float(gauge[arm][t]), T0 + t * STEP))
    lines.append("# TYPE build_info gauge")
    for t in range(STEPS + 1):
        lines.append('build_info{job="checkout"} %d %d' % (build[t], T0 + t * STEP))
    lines.append("# EOF")
    return "\n".join(lines) + "\n"


def product(rng, gauge):
    """Units and conversions per 5-minute bucket; conversion falls when the
    arm's latency was high two buckets earlier."""
    n_buckets = STEPS // BUCKET_STEPS
    out = {}
    for arm in ARMS:
        g = gauge[arm]
        x = np.array([g[b * BUCKET_STEPS + 1:(b + 1) * BUCKET_STEPS + 1].mean() for b in range(n_buckets)])
        rows = []
        for b in range(n_buckets):
            lead = x[b - 2] if b >= 2 else x[0]
            p = min(0.95, max(0.05, 0.3 - 2.0 * (lead - 0.12)))
            n = int(rng.poisson(400 * weights(b * BUCKET_STEPS)[arm]))
            rows.append({"units": n, "conversions": int(rng.binomial(n, p))})
        out[arm] = rows
    return out


# ---------------------------------------------------------------- batch means

def rho1(phi, m):
    if phi <= 0:
        return 0.0
    pm = phi ** m
    den = m * (1 - phi * phi) - 2 * phi * (1 - pm)
    return 1.0 if den <= 0 else phi * (1 - pm) ** 2 / den


def lag1(diffs):
    present = ~np.isnan(diffs)
    n = int(present.sum())
    if n < 4:
        return 0.0, n
    mean = diffs[present].mean()
    dev = np.where(present, diffs - mean, 0.0)
    both = present[:-1] & present[1:]
    if both.sum() < 3 or (dev ** 2).sum() == 0:
        return 0.0, n
    r = (dev[:-1] * dev[1:])[both].sum() / (dev ** 2).sum()
    r += (1 + 3 * r) / n
    return min(0.99, max(0.0, r)), n


def inflation(phi, m, b):
    if phi <= 0:
        return 1.0
    idx = np.arange(m * b)
    cov = phi ** np.abs(idx[:, None] - idx[None, :])
    a = np.zeros((b, m * b))
    for i in range(b):
        a[i, i * m:(i + 1) * m] = 1.0 / m
    cb = a @ cov @ a.T
    c = cb.sum() / b / cb[0, 0]
    return c * (b - 1) / (b - c)


def quantile(q, cumulative):
    """histogram_quantile on cumulative counts per BOUNDS."""
    c = np.maximum.accumulate(np.asarray(cumulative, dtype=float))
    total = c[-1]
    if total <= 0:
        return math.nan
    rank = q * total
    b = next(i for i in range(len(c) - 1 + 1) if i == len(c) - 1 or c[i] >= rank)
    if b == len(c) - 1:
        return BOUNDS[-2]
    start = 0.0 if b == 0 else BOUNDS[b - 1]
    below = 0.0 if b == 0 else c[b - 1]
    return start + (BOUNDS[b] - start) * (rank - below) / (c[b] - below)


def batch_verdict(parts_c, parts_t, value, min_steps=5):
    """parts_*: per-step parts (None when missing); value(sum of parts)."""
    step_c = np.array([value(p) if p is not None else math.nan for p in parts_c])
    step_t = np.array([value(p) if p is not None else math.nan for p in parts_t])
    diffs = step_t - step_c
    phi, n = lag1(diffs)
    phi = min(0.99, phi + math.sqrt((1 - phi * phi) / n))
    m = min_steps
    max_steps = max(len(diffs) // 5, min_steps)
    while rho1(phi, m) > 0.1 and m + min_steps <= max_steps:
        m += min_steps
    if not (rho1(phi, m) <= 0.1 and len(diffs) // m >= 5):
        return {"verdict": "insufficient_data"}
    cb, tb = [], []
    for b in range(len(diffs) // m):
        sc = [p for p in parts_c[b * m:(b + 1) * m] if p is not None]
        st = [p for p in parts_t[b * m:(b + 1) * m] if p is not None]
        if sc and st:
            vc, vt = value(np.sum(sc, axis=0)), value(np.sum(st, axis=0))
            if not (math.isnan(vc) or math.isnan(vt)):
                cb.append(vc)
                tb.append(vt)
    cb, tb = np.array(cb), np.array(tb)
    b = len(cb)
    k = inflation(phi, m, b)
    d = tb - cb
    se = math.sqrt(k * d.var(ddof=1) / b)
    l = -2 * math.log(ALPHA)
    rho = math.sqrt((l + math.log(l + 1)) / 50)
    nr2 = b * rho * rho
    hw = se * math.sqrt(2 * (nr2 + 1) / nr2 * math.log(math.sqrt(nr2 + 1) / ALPHA))
    z = d.mean() / se
    p = min(1.0, math.exp(-(nr2 * z * z / (2 * (nr2 + 1)) - 0.5 * math.log1p(nr2))))
    lo, hi = d.mean() - hw, d.mean() + hw
    verdict = "harmful" if lo > 0 else ("beneficial" if hi < 0 else "inconclusive")
    return {"verdict": verdict, "estimate": float(d.mean()), "lower": lo, "upper": hi, "p_value": p,
            "batches": b, "steps_per_batch": m, "lag1": phi, "control_mean": float(cb.mean()),
            "treatment_mean": float(tb.mean())}


def verdicts(jobs):
    out = {}
    for job in ("checkout", "checkout-aa"):
        c, t = jobs[job]["control"], jobs[job]["treatment"]
        ratio = lambda d: [np.array([d["err"][k], d["req"][k]], dtype=float) for k in range(STEPS)]
        out[job + "/error_rate"] = batch_verdict(ratio(c), ratio(t), lambda s: s[0] / s[1] if s[1] > 0 else math.nan)
        hist = lambda d: [d["hist"][k].astype(float) for k in range(STEPS)]
        out[job + "/p99"] = batch_verdict(hist(c), hist(t), lambda s: quantile(0.99, s))
        out[job + "/p99_steps"] = [quantile(0.99, c["hist"][k]) for k in range(10)]
    return out


def traffic(jobs):
    out = {}
    for job, arms in jobs.items():
        total = sum(d["req"].sum() for d in arms.values())
        res = {}
        for arm, d in arms.items():
            expected = sum(sum(a["req"][k] for a in arms.values()) * weights(k)[arm] for k in range(STEPS))
            res[arm] = {"requests": int(d["req"].sum()), "observed_weight": float(d["req"].sum() / total),
                        "expected_weight": float(expected / total)}
        out[job] = res
    return out


def behaviour(gauge, prod):
    out = {}
    n_buckets = STEPS // BUCKET_STEPS
    for arm in ARMS:
        g = gauge[arm]
        x = np.array([g[b * BUCKET_STEPS + 1:(b + 1) * BUCKET_STEPS + 1].mean() for b in range(n_buckets)])
        y = np.array([r["conversions"] / r["units"] if r["units"] else math.nan for r in prod[arm]])
        keep = ~np.isnan(y)
        p0 = stats.pearsonr(x[keep], y[keep])
        ci = p0.confidence_interval(confidence_level=1 - ALPHA)
        s0 = stats.spearmanr(x[keep], y[keep])
        lags = []
        for k in range(MAX_LAG_BUCKETS + 1):
            a, b = x[:n_buckets - k], y[k:]
            kk = ~np.isnan(a) & ~np.isnan(b)
            r = stats.pearsonr(a[kk], b[kk])
            lags.append({"lag": k, "r": float(r.statistic), "p": float(r.pvalue), "n": int(kk.sum())})
        best = max(lags, key=lambda v: (abs(v["r"]), -v["lag"]))
        guard = MAX_LAG_BUCKETS + max(2, n_buckets // 10)
        exceed = shifts = 0
        for s in range(guard, n_buckets - guard + 1):
            rot = np.roll(y, -s)
            top = 0.0
            for k in range(MAX_LAG_BUCKETS + 1):
                a, b = x[:n_buckets - k], rot[k:]
                kk = ~np.isnan(a) & ~np.isnan(b)
                top = max(top, abs(np.corrcoef(a[kk], b[kk])[0, 1]))
            exceed += top >= abs(best["r"]) - 1e-12
            shifts += 1
        out[arm] = {"buckets": int(keep.sum()), "pearson": {"r": float(p0.statistic), "p": float(p0.pvalue),
                    "lower": float(ci.low), "upper": float(ci.high)},
                    "spearman": {"r": float(s0.statistic), "p": float(s0.pvalue)},
                    "lags": lags, "best_lag_buckets": best["lag"],
                    "bonferroni_p": min(1.0, (MAX_LAG_BUCKETS + 1) * best["p"]),
                    "shifts": shifts, "shift_p": (1 + exceed) / (1 + shifts)}
    return out


def main():
    rng = np.random.default_rng(20261101)
    jobs, gauge, build = generate(rng)
    prod = product(rng, gauge)
    with gzip.open(os.path.join(HERE, "fixture.om.gz"), "wt", compresslevel=9) as f:
        f.write(openmetrics(jobs, gauge, build))
    changes = [T0 + t * STEP for t in range(1, STEPS + 1) if build[t] != build[t - 1]]
    expected = {
        "start": T0, "step_seconds": STEP, "steps": STEPS, "bucket_steps": BUCKET_STEPS,
        "canary_steps": CANARY_STEPS, "alpha": ALPHA, "max_lag_buckets": MAX_LAG_BUCKETS,
        "product": prod,
        "verdicts": verdicts(jobs),
        "traffic": traffic(jobs),
        "behaviour": behaviour(gauge, prod),
        "deployments": changes,
    }
    with open(os.path.join(HERE, "fixture.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    print("wrote fixture.om.gz and fixture.json in", HERE)


if __name__ == "__main__":
    main()
