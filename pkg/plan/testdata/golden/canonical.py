#!/usr/bin/python3
"""Independent reference for pkg/plan's canonical form and hash.

For each golden plan (*.yaml in this directory) it writes NAME.canonical.json
and NAME.hash, which plan's Go tests compare with Plan.CanonicalJSON and
Plan.Hash. It reimplements the documented rules (docs/plans.md, "Canonical
hash") from scratch with PyYAML, sharing no code with the Go implementation:
defaults filled, times in UTC, durations in Prometheus' canonical spelling,
stage starts and per-stage unit gates resolved, a prometheus metric's
method (and mann_whitney tolerance) filled, zero values omitted, keys
sorted, compact JSON, then "sha256:" + the first 16 hex digits.

Run from anywhere:  /usr/bin/python3 pkg/plan/testdata/golden/canonical.py
"""
import datetime as dt
import glob
import hashlib
import json
import os
import re

import yaml

UNITS = {"y": 365 * 86400_000, "w": 7 * 86400_000, "d": 86400_000,
         "h": 3600_000, "m": 60_000, "s": 1000, "ms": 1}
GO_UNITS = {"h": 3600_000, "m": 60_000, "s": 1000, "ms": 1}


def parse_duration_ms(s):
    """Milliseconds in a Prometheus ("3d", "1h30m") or Go ("1.5h") duration."""
    s = str(s)
    if s == "0":
        return 0
    if re.fullmatch(r"(\d+(y|w|d|h|ms|m|s))+", s):
        return sum(int(n) * UNITS[u] for n, u in re.findall(r"(\d+)(ms|y|w|d|h|m|s)", s))
    if re.fullmatch(r"(\d+(\.\d+)?(h|ms|m|s))+", s):
        return round(sum(float(n) * GO_UNITS[u] for n, u in re.findall(r"(\d+(?:\.\d+)?)(ms|h|m|s)", s)))
    raise ValueError("unsupported duration %r" % s)


def format_duration(ms):
    """Prometheus' model.Duration.String: years and weeks only when exact."""
    if ms == 0:
        return "0s"
    out = ""
    for unit, mult, exact in [("y", UNITS["y"], True), ("w", UNITS["w"], True),
                              ("d", UNITS["d"], False), ("h", UNITS["h"], False),
                              ("m", UNITS["m"], False), ("s", 1000, False), ("ms", 1, False)]:
        if exact and ms % mult:
            continue
        if ms // mult:
            out += "%d%s" % (ms // mult, unit)
            ms -= (ms // mult) * mult
    return out


def utc(t):
    if isinstance(t, str):
        t = dt.datetime.fromisoformat(t.replace("Z", "+00:00"))
    return t.astimezone(dt.timezone.utc)


def format_time(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S") + "Z"  # whole seconds in these plans


def drop_zero(d):
    return {k: v for k, v in d.items() if v not in (None, "", 0, [], {})}


def canonical(plan):
    analysis = {"alpha": 0.05, "sequential": True, "correction": "holm",
                "min_units_per_arm": 100, "tuning_n": 5000, "srm_threshold": 0.001}
    analysis.update(plan.get("analysis") or {})
    start = utc(plan["start"])
    out = {
        "id": plan["id"], "name": plan.get("name"), "hypothesis": plan.get("hypothesis"),
        "owner": plan.get("owner"), "start": format_time(start),
        "end": format_time(utc(plan["end"])) if plan.get("end") else None,
        "unit": plan.get("unit") or "user_id", "control": plan["control"],
        "arms": [{"name": a["name"], "weight": a["weight"]} for a in plan["arms"]],
        "exposure": plan["exposure"], "analysis": analysis,
        "segments": plan.get("segments"),
    }
    metrics = []
    for m in plan["metrics"]:
        m = dict(m)
        if "window" in m:
            m["window"] = format_duration(parse_duration_ms(m["window"])) if parse_duration_ms(m["window"]) else None
        if "cuped" in m:
            m["cuped"] = {"lookback": format_duration(parse_duration_ms(m["cuped"]["lookback"]))}
        if "margin" in m:
            m["margin"] = drop_zero(m["margin"])
        if "prometheus" in m:
            pm = dict(m["prometheus"])
            pm["method"] = pm.get("method") or "batch_means"
            if pm["method"] == "mann_whitney" and not pm.get("tolerance"):
                pm["tolerance"] = 0.25
            for key in ("step", "batch"):
                if key in pm:
                    pm[key] = format_duration(parse_duration_ms(pm[key])) if parse_duration_ms(pm[key]) else None
            m["prometheus"] = drop_zero(pm)
        metrics.append(drop_zero(m))
    out["metrics"] = metrics
    if plan.get("telemetry"):
        tel = dict(plan["telemetry"])
        if "step" in tel:
            tel["step"] = format_duration(parse_duration_ms(tel["step"])) if parse_duration_ms(tel["step"]) else None
        out["telemetry"] = drop_zero(tel)
    stages, at, prev_ms = [], start, 0
    for i, s in enumerate(plan.get("stages") or []):
        at = utc(s["start"]) if s.get("start") else (start if i == 0 else at + dt.timedelta(milliseconds=prev_ms))
        prev_ms = parse_duration_ms(s.get("min_duration", 0))
        stages.append(drop_zero({
            "name": s["name"], "weights": s["weights"],
            "min_duration": format_duration(prev_ms) if prev_ms else None,
            "min_units_per_arm": s.get("min_units_per_arm") or analysis["min_units_per_arm"],
            "start": format_time(at),
        }))
    out["stages"] = stages
    return drop_zero(out)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    for path in sorted(glob.glob(os.path.join(here, "*.yaml"))):
        with open(path) as f:
            plan = yaml.safe_load(f)
        text = json.dumps(canonical(plan), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        # Go's encoding/json escapes these in strings (PromQL often has ">").
        for ch, esc in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"),
                        ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
            text = text.replace(ch, esc)
        digest = "sha256:" + hashlib.sha256(text.encode()).hexdigest()[:16]
        base = path[:-len(".yaml")]
        with open(base + ".canonical.json", "w") as f:
            f.write(text + "\n")
        with open(base + ".hash", "w") as f:
            f.write(digest + "\n")
        print(os.path.basename(path), digest)


if __name__ == "__main__":
    main()
