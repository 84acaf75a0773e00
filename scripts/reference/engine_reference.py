#!/usr/bin/python3
"""Independent reference for liftgate's analysis engine (pkg/engine).

Reads a plan and an NDJSON event file, rebuilds the per-unit data in pandas
(refunits.py), and computes what `engine.Analyze` must report: arm and stage
counts, exclusions, the sample-ratio check, per-stage sufficient statistics,
every comparison with its corrected p-value and verdict, and the stage
decision. The Go test pkg/engine/engine_reference_test.go compares the engine
with the JSON this writes. Run with Debian's /usr/bin/python3 (numpy, scipy,
statsmodels, pandas, PyYAML); scripts/reference/regenerate.sh runs every case.
"""

import argparse
import json
import math
import sys

import numpy as np
import pandas as pd
import scipy
import statsmodels

import refplan
import refstats
import refunits

EVENT_KINDS = ("conversion", "count", "mean", "ratio")


def analyze(plan, events, at, segment=None, naive=False):
    end = min(at, plan.end) if plan.end is not None else at
    segments = [segment] if segment else []
    a = refunits.assign(events, plan, end, segments)
    units = a.units
    n_stages = len(plan.stages)

    out = {
        "units": {arm: int((units["arm"] == arm).sum()) for arm in plan.arms},
        "excluded_units": a.multi_arm,
        "unknown_arm_units": a.unknown_arm,
    }
    stage_counts, stages_out = [], []
    expected = {arm: 0.0 for arm in plan.arms}
    for i, s in enumerate(plan.stages):
        counts = {arm: int(((units["stage"] == i) & (units["arm"] == arm)).sum()) for arm in plan.arms}
        stages_out.append({"name": s.name, "start": refplan.format_ns(s.start), "units": counts})
        stage_counts.append(([counts[arm] for arm in plan.arms], [s.weights[arm] for arm in plan.arms]))
        # The plan expects each stage's units to split by that stage's
        # weights: arm share = sum over stages of (stage units x weight).
        stage_total = sum(counts.values())
        for arm in plan.arms:
            expected[arm] += stage_total * s.weights[arm]
    out["stages"] = stages_out
    total = len(units)
    out["arms"] = [
        {
            "name": arm,
            "units": out["units"][arm],
            "expected_weight": expected[arm] / total if total else plan.arm_weights[arm],
            "observed_weight": out["units"][arm] / total if total else 0.0,
        }
        for arm in plan.arms
    ]
    srm = refstats.srm(stage_counts)
    srm["mismatch"] = srm["p_value"] < plan.srm_threshold
    out["srm"] = srm

    results = []
    for m in plan.metrics:
        if m.kind not in EVENT_KINDS:
            continue
        frame = units.join(refunits.metric_values(events, plan, units, m, end))
        groups = [(None, frame)]
        if segment:
            col = "seg:" + segment
            groups += [(v, frame[frame[col] == v]) for v in sorted(frame[col].unique())]
        for seg_value, f in groups:
            for arm in plan.treatment_arms():
                control, treatment = f[f["arm"] == plan.control], f[f["arm"] == arm]
                r = refstats.compare(m, control, treatment, n_stages, plan.alpha, plan.sequential, plan.tuning_n, plan.min_units)
                r.update(metric=m.name, role=m.role, kind=m.kind, arm=arm, segment_value=seg_value)
                r["sums"] = [
                    {
                        "stage": s.name,
                        "baseline": refunits.stage_sums(control[control["stage"] == i]),
                        "arm": refunits.stage_sums(treatment[treatment["stage"] == i]),
                    }
                    for i, s in enumerate(plan.stages)
                ]
                if naive:
                    # Every unit in one stratum: the test that ignores the ramp.
                    nv = refstats.compare(
                        m, control.assign(stage=0), treatment.assign(stage=0), 1, plan.alpha, False, plan.tuning_n, plan.min_units
                    )
                    r["naive_pooled"] = {k: nv[k] for k in ("absolute", "relative", "p_value", "verdict")}
                results.append(r)
    # Results ordered like the engine's: overall ones per metric and arm,
    # then each segment value's.
    results.sort(key=lambda r: ([m.name for m in plan.metrics].index(r["metric"]), r["segment_value"] is not None))

    if srm["mismatch"]:
        for r in results:
            r["verdict"] = refstats.INSUFFICIENT
    families = {}
    for r in results:
        r["adjusted_p_value"] = r["p_value"]
        if r["role"] != "guardrail" and r["verdict"] != refstats.INSUFFICIENT:
            families.setdefault(r["segment_value"], []).append(r)
    for family in families.values():
        adjusted = refstats.adjust([r["p_value"] for r in family], plan.correction)
        for r, adj in zip(family, adjusted):
            r["adjusted_p_value"] = adj
            if r["verdict"] in (refstats.BENEFICIAL, refstats.HARMFUL) and adj >= plan.alpha:
                r["verdict"] = refstats.INCONCLUSIVE
    out["results"] = results
    out["decision"] = decide(plan, at, out)
    out["exercised"] = refunits.exercised(events, plan, end, a, segment)
    return out


def decide(plan, at, out):
    """The stage gate as documented in pkg/engine/decision.go: rollback on a
    harmful primary or guardrail; hold on SRM, on a primary or guardrail
    without enough data, before the stage's minimum duration or below its
    unit gate; proceed otherwise. Segment results do not gate."""
    cur = 0
    for i, s in enumerate(plan.stages):
        if s.start <= at:
            cur = i
    stage = plan.stages[cur]
    d = {"stage": stage.name, "next_stage": plan.stages[cur + 1].name if cur + 1 < len(plan.stages) else ""}
    overall = [r for r in out["results"] if r["segment_value"] is None]
    if any(r["verdict"] == refstats.HARMFUL and r["role"] in ("primary", "guardrail") for r in overall):
        d["action"] = "rollback"
        return d
    hold = out["srm"]["mismatch"]
    hold |= any(r["verdict"] == refstats.INSUFFICIENT and r["role"] != "secondary" for r in overall)
    hold |= at < stage.start + stage.min_duration
    hold |= any(n < stage.min_units for n in out["units"].values())
    d["action"] = "hold" if hold else "proceed"
    return d


def _clean(v):
    """JSON cannot hold ±Inf or NaN: infinite degrees of freedom (z-based
    inference) are written as null."""
    if isinstance(v, float) and (math.isinf(v) or math.isnan(v)):
        return None
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_clean(x) for x in v]
    if hasattr(v, "item"):  # numpy scalars
        return _clean(v.item())
    return v


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--case", required=True, help="case name")
    ap.add_argument("--description", default="")
    ap.add_argument("--plan", required=True, help="plan path, relative to the repository root")
    ap.add_argument("--events", required=True, help="NDJSON events (.gz ok), relative to the repository root")
    ap.add_argument("--generator", default="", help="the generator flags that made the events (recorded only)")
    ap.add_argument("--at", required=True, help="evaluation time, RFC 3339")
    ap.add_argument("--segment", default="")
    ap.add_argument("--naive", action="store_true", help="also run the pooled (unstratified) fixed-horizon comparison")
    ap.add_argument("--require", default="", help="comma-separated 'exercised' counts that must be above 0")
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)

    plan = refplan.load(args.plan)
    events = refunits.load_events(args.events)
    at = refplan.to_ns(args.at)
    result = analyze(plan, events, at, args.segment or None, args.naive)
    for key in filter(None, args.require.split(",")):
        if result["exercised"].get(key, 0) <= 0:
            sys.exit(f"{args.case}: the data does not exercise {key} ({result['exercised'].get(key)}); change the generator flags")
    doc = {
        "case": args.case,
        "description": args.description,
        "plan": args.plan,
        "events": args.events,
        "generator": args.generator,
        "at": args.at,
        "segment": args.segment,
        "library_versions": {
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "scipy": scipy.__version__,
            "statsmodels": statsmodels.__version__,
        },
    }
    doc.update(result)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(_clean(doc), f, indent=1, sort_keys=False)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
