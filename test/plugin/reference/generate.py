#!/usr/bin/python3
"""Expected values for the plugin's time-series query types, computed by the
project's independent Python reference (scripts/reference: per-unit
semantics in pandas, statistics in SciPy/statsmodels), not by the engine.

* lift over time: the reference analysis evaluated afresh at every step of
  the series (what the plugin must show at each instant), the effects with
  their intervals, verdicts, the decision and the SRM flag;
* arm series: each arm's metric over the units first exposed in each bucket
  (conversion rate, mean per unit, Σnumerator/Σdenominator) and the units
  exposed per bucket.

Writes test/plugin/testdata/reference.json, which the Go harness test reads
(CI needs no Python). Run from anywhere with Debian's /usr/bin/python3:

    /usr/bin/python3 test/plugin/reference/generate.py
"""

import datetime as dt
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "scripts", "reference"))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import scipy  # noqa: E402

import engine_reference  # noqa: E402
import refplan  # noqa: E402
import refunits  # noqa: E402

PLAN = "examples/checkout-v2.yaml"
EVENTS = "pkg/engine/testdata/checkout-v2.ndjson.gz"
FROM = "2026-11-01T00:00:00Z"
TO = "2026-11-04T00:00:00Z"
STEP_H = 6  # the queries ask for bucket "6h"
HOUR_NS = 3600 * 10**9


def steps(plan, start, end, step):
    """The lift series' instants: multiples of step after the plan's start
    that fall after FROM and before TO, then TO itself (documented in
    pkg/engine/liftovertime.go)."""
    out = []
    k = 1 if start <= plan.start else (start - plan.start) // step + 1
    t = plan.start + k * step
    while t < end:
        out.append(t)
        t += step
    return out + [end]


def effect(e):
    if e is None:
        return None
    return {"estimate": e["estimate"], "ci_lower": e["ci_lower"], "ci_upper": e["ci_upper"]}


def lift(plan, events):
    out = []
    for at in steps(plan, refplan.to_ns(FROM), refplan.to_ns(TO), STEP_H * HOUR_NS):
        r = engine_reference.analyze(plan, events, at)
        out.append(
            {
                "at": refplan.format_ns(at),
                "decision": r["decision"]["action"],
                "srm_mismatch": bool(r["srm"]["mismatch"]),
                "results": [
                    {
                        "metric": x["metric"],
                        "arm": x["arm"],
                        "verdict": x["verdict"],
                        "absolute": effect(x["absolute"]),
                        "relative": effect(x["relative"]),
                    }
                    for x in r["results"]
                ],
            }
        )
    return out


def arm_series(plan, events):
    """Per arm and bucket of first exposure, evaluated at TO."""
    end = refplan.to_ns(TO)
    units = refunits.assign(events, plan, end).units
    bucket_ns = STEP_H * HOUR_NS
    units = units.assign(bucket=plan.start + (units["first"] - plan.start) // bucket_ns * bucket_ns)
    series = {"units": [], "metrics": {}}
    for (arm, bucket), g in units.groupby(["arm", "bucket"]):
        series["units"].append({"arm": arm, "bucket": refplan.format_ns(int(bucket)), "value": float(len(g))})
    for m in plan.metrics:
        if m.kind not in engine_reference.EVENT_KINDS:
            continue
        frame = units.join(refunits.metric_values(events, plan, units, m, end))
        rows = []
        for (arm, bucket), g in frame.groupby(["arm", "bucket"]):
            den = g["d"].sum() if m.kind == "ratio" else float(len(g))
            value = float(g["y"].sum() / den) if den != 0 else None
            rows.append({"arm": arm, "bucket": refplan.format_ns(int(bucket)), "units": float(len(g)), "value": value})
        series["metrics"][m.name] = rows
    return series


# Exploratory comparisons: no plan file, the query names the exposure, arms
# and metric; the plugin turns that into a plan starting at the range's
# start with equal weights and no stages. The reference builds the same
# plan from a dict and analyses it.
EXPLORATORY_FROM = "2026-11-02T00:00:00Z"
EXPLORATORY_METRICS = {
    "conversion_purchase": {"kind": "conversion", "event": "purchase", "window": "72h"},
    "revenue": {"kind": "mean", "event": "purchase", "property": "amount"},
}


def exploratory(events):
    out = {}
    for name, m in EXPLORATORY_METRICS.items():
        doc = {
            "id": "checkout-v2",
            "start": EXPLORATORY_FROM,
            "control": "control",
            "arms": [{"name": "control", "weight": 0.5}, {"name": "treatment", "weight": 0.5}],
            "exposure": {"event": "experiment_viewed", "experiment_property": "experiment_id", "arm_property": "variation_id"},
            "metrics": [dict(m, name=name, role="primary", direction="increase")],
        }
        r = engine_reference.analyze(refplan.Plan(doc), events, refplan.to_ns(TO))
        x = r["results"][0]
        out[name] = {
            "query": {k: v for k, v in m.items()},
            "units": r["units"],
            "srm_p_value": r["srm"]["p_value"],
            "verdict": x["verdict"],
            "p_value": x["p_value"],
            "adjusted_p_value": x["adjusted_p_value"],
            "absolute": effect(x["absolute"]),
            "relative": effect(x["relative"]),
        }
    return out


def clean(v):
    if isinstance(v, float) and (np.isnan(v) or np.isinf(v)):
        return None
    if isinstance(v, dict):
        return {k: clean(x) for k, x in v.items()}
    if isinstance(v, list):
        return [clean(x) for x in v]
    if hasattr(v, "item"):
        return clean(v.item())
    return v


def main():
    os.chdir(ROOT)
    plan = refplan.load(PLAN)
    events = refunits.load_events(EVENTS)
    doc = {
        "generator": "test/plugin/reference/generate.py",
        "plan": PLAN,
        "events": EVENTS,
        "from": FROM,
        "to": TO,
        "bucket": f"{STEP_H}h",
        "library_versions": {"numpy": np.__version__, "pandas": pd.__version__, "scipy": scipy.__version__},
        "lift": lift(plan, events),
        "arm_series": arm_series(plan, events),
        "exploratory_from": EXPLORATORY_FROM,
        "exploratory": exploratory(events),
    }
    out = os.path.join(ROOT, "test", "plugin", "testdata", "reference.json")
    with open(out, "w", encoding="utf-8") as f:
        json.dump(clean(doc), f, indent=1)
        f.write("\n")
    print("wrote", os.path.relpath(out, ROOT), "at", dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), file=sys.stderr)


if __name__ == "__main__":
    main()
