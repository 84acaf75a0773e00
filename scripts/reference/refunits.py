"""Per-unit semantics of the event store, written independently in pandas
from the documented rules (pkg/events/query.go), not ported from any SQL:

* events are deduplicated on their id (the first copy is kept);
* an exposure counts when its event is the plan's exposure event, its
  experiment property is the plan id and it lies in [start, end);
* exposures whose arm value is not a planned arm are ignored; a unit that
  has only such exposures is an "unknown arm" unit;
* a unit exposed to more than one planned arm is excluded ("multi-arm");
* otherwise the unit's first (planned) exposure assigns its arm, its stage
  (the last stage whose start is at or before it, stage 0 when earlier than
  all) and its segment values (properties of that exposure event);
* metric values are measured from the first exposure: events in
  [first, first + window) and before end (window 0 = until end);
  conversion = any such event, count = how many, mean = sum of a property
  (0 without events), ratio = numerator and denominator each counted or
  summed; the CUPED covariate is the same value over
  [first - lookback, first).
"""

import gzip
import json

import numpy as np
import pandas as pd


def load_events(path):
    """NDJSON (optionally gzipped) into a frame of id, event, user_id, ts (Unix
    ns) and the raw properties dict, deduplicated on id."""
    opener = gzip.open if path.endswith(".gz") else open
    ids, names, users, times, props = [], [], [], [], []
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            e = json.loads(line)
            ids.append(e["id"])
            names.append(e["event"])
            users.append(e.get("user_id"))
            times.append(e["timestamp"])
            props.append(e.get("properties") or {})
    ts = pd.to_datetime(pd.Series(times), utc=True).astype("int64")
    df = pd.DataFrame({"id": ids, "event": names, "user_id": users, "ts": ts.values, "properties": props})
    deduped = df.drop_duplicates("id", keep="first").reset_index(drop=True)
    deduped.attrs["duplicates"] = len(df) - len(deduped)
    return deduped


def _prop(df, name):
    return df["properties"].map(lambda p: p.get(name))


def _unit_of(df, plan):
    if plan.unit == "user_id":
        return df["user_id"]
    return _prop(df, plan.unit).map(lambda v: None if v is None else str(v))


class Assignment:
    """The assigned units (index: unit id) with arm, first exposure time,
    stage index and segment values, and the excluded counts."""

    def __init__(self, units, multi_arm, unknown_arm):
        self.units = units
        self.multi_arm = multi_arm
        self.unknown_arm = unknown_arm


def assign(events, plan, end, segments=()):
    ex = events[events["event"] == plan.exposure_event].copy()
    ex["unit"] = _unit_of(ex, plan)
    ex["experiment"] = _prop(ex, plan.experiment_property)
    ex["arm"] = _prop(ex, plan.arm_property)
    ex = ex[(ex["experiment"] == plan.id) & (ex["ts"] >= plan.start) & (ex["ts"] < end) & ex["unit"].notna()]

    planned = ex[ex["arm"].isin(plan.arms)]
    unknown_arm = len(set(ex["unit"]) - set(planned["unit"]))
    arms_per_unit = planned.groupby("unit")["arm"].nunique()
    multi = set(arms_per_unit[arms_per_unit > 1].index)
    single = planned[~planned["unit"].isin(multi)]

    first = single.sort_values(["unit", "ts", "id"]).groupby("unit", sort=True).head(1).set_index("unit")
    units = pd.DataFrame({"arm": first["arm"], "first": first["ts"].astype("int64")})
    starts = np.array([s.start for s in plan.stages], dtype="int64")
    units["stage"] = np.clip(np.searchsorted(starts, units["first"].values, side="right") - 1, 0, None)
    for seg in segments:
        units["seg:" + seg] = first["properties"].map(lambda p, s=seg: "" if p.get(s) is None else str(p.get(s)))
    return Assignment(units, len(multi), unknown_arm)


def _window_value(events, plan, units, spec, lower, upper):
    """Per-unit count (no property) or property sum of spec's events with
    lower[unit] <= ts < upper[unit]; 0 for units without such events."""
    ev = events[events["event"] == spec["event"]]
    ev = pd.DataFrame({"unit": _unit_of(ev, plan).values, "ts": ev["ts"].values, "props": ev["properties"].values})
    ev = ev[ev["unit"].isin(units.index)]
    lo = lower.reindex(ev["unit"]).values
    hi = upper.reindex(ev["unit"]).values
    ev = ev[(ev["ts"].values >= lo) & (ev["ts"].values < hi)]
    prop = spec.get("property")
    if prop:
        vals = ev["props"].map(lambda p: _number(p.get(prop)))
    else:
        vals = pd.Series(1.0, index=ev.index)
    out = vals.groupby(ev["unit"]).sum()
    return out.reindex(units.index, fill_value=0.0).astype(float)


def _number(v):
    if isinstance(v, bool) or v is None:
        return 0.0
    try:
        return float(v)
    except (TypeError, ValueError):
        return 0.0


def metric_values(events, plan, units, metric, end):
    """A frame indexed like units with y (and d for ratios, x with CUPED)."""
    first = units["first"]
    end_s = pd.Series(end, index=units.index, dtype="int64")
    upper = np.minimum(first + metric.window, end_s) if metric.window > 0 else end_s
    out = pd.DataFrame(index=units.index)

    def value(lower, upper_):
        if metric.kind == "ratio":
            return (
                _window_value(events, plan, units, metric.numerator, lower, upper_),
                _window_value(events, plan, units, metric.denominator, lower, upper_),
            )
        spec = {"event": metric.event, "property": metric.property if metric.kind == "mean" else None}
        v = _window_value(events, plan, units, spec, lower, upper_)
        if metric.kind == "conversion":
            v = (v > 0).astype(float)
        return v, None

    out["y"], d = value(first, upper)
    if d is not None:
        out["d"] = d
    if metric.cuped_lookback > 0:
        x, _ = value(first - metric.cuped_lookback, first)
        out["x"] = x
    return out


def stage_sums(frame):
    """Sufficient statistics of one arm in one stratum (per-unit arrays)."""
    y = frame["y"].to_numpy(float)
    s = {"n": float(len(y)), "sum_y": float(np.sum(y)), "sum_y2": float(np.sum(y * y))}
    if "d" in frame:
        d = frame["d"].to_numpy(float)
        s.update(sum_d=float(np.sum(d)), sum_d2=float(np.sum(d * d)), sum_yd=float(np.sum(y * d)))
    if "x" in frame:
        x = frame["x"].to_numpy(float)
        s.update(sum_x=float(np.sum(x)), sum_x2=float(np.sum(x * x)), sum_xy=float(np.sum(x * y)))
    return s


def exercised(events, plan, end, assignment, segment=None):
    """Counts showing which edge cases the data actually contains, so a case
    that claims to test one can be checked to do so (see --require)."""
    units = assignment.units
    ex = events[events["event"] == plan.exposure_event].copy()
    ex["unit"] = _unit_of(ex, plan)
    ex = ex[_prop(ex, plan.experiment_property) == plan.id]
    ex["arm"] = _prop(ex, plan.arm_property)
    assigned = ex[ex["unit"].isin(units.index)]
    first = units["first"].reindex(assigned["unit"]).values
    in_scope = (assigned["ts"].values >= plan.start) & (assigned["ts"].values < end)

    out = {"duplicate_events_dropped": int(events.attrs.get("duplicates", 0))}
    out["assigned_units_with_exposures_before_start"] = int(assigned.loc[assigned["ts"].values < plan.start, "unit"].nunique())
    early_unknown = assigned[in_scope & (assigned["ts"].values < first) & ~assigned["arm"].isin(plan.arms)]
    out["assigned_units_first_exposed_with_unknown_arm"] = int(early_unknown["unit"].nunique())

    scoped = ex[(ex["ts"] >= plan.start) & ex["arm"].isin(plan.arms)]
    before = scoped[scoped["ts"] < end].groupby("unit")["arm"].nunique()
    ever = scoped.groupby("unit")["arm"].nunique()
    out["units_multi_arm_only_after_end"] = int(((ever > 1) & (before.reindex(ever.index) == 1)).sum())

    later = assigned[in_scope & (assigned["ts"].values > first) & assigned["arm"].isin(plan.arms)]
    starts = np.array([s.start for s in plan.stages], dtype="int64")
    later_stage = np.clip(np.searchsorted(starts, later["ts"].values, side="right") - 1, 0, None)
    moved = later_stage != units["stage"].reindex(later["unit"]).values
    out["assigned_units_reexposed_in_later_stage"] = int(later.loc[moved, "unit"].nunique())
    if segment:
        seg_later = later["properties"].map(lambda p: "" if p.get(segment) is None else str(p.get(segment)))
        differs = seg_later.values != units["seg:" + segment].reindex(later["unit"]).values
        out["assigned_units_reexposed_with_other_" + segment] = int(later.loc[differs, "unit"].nunique())

    for m in plan.metrics:
        names = [m.event] if m.kind != "ratio" else [m.numerator["event"], m.denominator["event"]]
        ev = events[events["event"].isin(names)]
        u = _unit_of(ev, plan)
        keep = u.isin(units.index).values
        ev, u = ev[keep], u[keep]
        t0 = units["first"].reindex(u).values
        ts = ev["ts"].values
        if m.window > 0:
            out[m.name + ":events_after_window"] = int(((ts >= t0 + m.window) & (ts < end)).sum())
        out[m.name + ":events_after_end"] = int((ts >= end).sum())
        if m.cuped_lookback > 0:
            out[m.name + ":events_in_lookback"] = int(((ts >= t0 - m.cuped_lookback) & (ts < t0)).sum())
    return out
