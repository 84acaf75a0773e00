"""Plan reading for the reference: the YAML fields the analysis needs, the
documented defaults, and the stage schedule.

Written from the plan's documented semantics (pkg/plan/plan.go comments),
not from the Go code, so that a misreading on either side shows up as a
disagreement in the reference test.
"""

import datetime as dt
import re

import yaml

DEFAULTS = {
    "alpha": 0.05,
    "sequential": True,
    "correction": "holm",
    "min_units_per_arm": 100,
    "tuning_n": 5000.0,
    "srm_threshold": 0.001,
}

_UNIT_NS = {
    "ns": 1,
    "us": 1_000,
    "µs": 1_000,
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60 * 1_000_000_000,
    "h": 3600 * 1_000_000_000,
    "d": 86400 * 1_000_000_000,
    "w": 7 * 86400 * 1_000_000_000,
    "y": 365 * 86400 * 1_000_000_000,
}
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d|w|y)")


def parse_duration_ns(text):
    """A Prometheus ("3d", "1h30m") or Go ("1.5h") duration in nanoseconds."""
    if text is None:
        return 0
    s = str(text).strip()
    if s in ("", "0"):
        return 0
    pos, total = 0, 0.0
    for m in _DURATION_PART.finditer(s):
        if m.start() != pos:
            break
        total += float(m.group(1)) * _UNIT_NS[m.group(2)]
        pos = m.end()
    if pos != len(s):
        raise ValueError(f"cannot read duration {text!r}")
    return int(round(total))


def to_ns(value):
    """An RFC 3339 time (string or the datetime PyYAML makes of it) as Unix ns."""
    if isinstance(value, dt.datetime):
        t = value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    else:
        t = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    t = t.astimezone(dt.timezone.utc)
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    delta = t - epoch
    return (delta.days * 86400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000


def format_ns(ns):
    t = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(microseconds=ns // 1000)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ") if ns % 1_000_000_000 == 0 else t.isoformat().replace("+00:00", "Z")


class Plan:
    """The subset of a plan the analysis reads, with defaults applied."""

    def __init__(self, doc):
        self.id = doc["id"]
        self.unit = doc.get("unit") or "user_id"
        self.control = doc["control"]
        self.arms = [a["name"] for a in doc["arms"]]
        self.arm_weights = {a["name"]: float(a["weight"]) for a in doc["arms"]}
        self.start = to_ns(doc["start"])
        self.end = to_ns(doc["end"]) if doc.get("end") is not None else None
        exp = doc["exposure"]
        self.exposure_event = exp["event"]
        self.experiment_property = exp["experiment_property"]
        self.arm_property = exp["arm_property"]
        analysis = dict(DEFAULTS)
        for key, value in (doc.get("analysis") or {}).items():
            if value is not None:
                analysis[key] = value
        self.alpha = float(analysis["alpha"])
        self.sequential = bool(analysis["sequential"])
        self.correction = analysis["correction"]
        self.min_units = int(analysis["min_units_per_arm"])
        self.tuning_n = float(analysis["tuning_n"])
        self.srm_threshold = float(analysis["srm_threshold"])
        self.metrics = [Metric(m) for m in doc["metrics"]]
        self.segments = list(doc.get("segments") or [])
        self.stages = self._schedule(doc.get("stages") or [])

    def _schedule(self, stages):
        """Stage i starts at its explicit start, else at the previous start plus
        the previous min_duration; the first at the plan's start. Without
        stages there is one stage weighted like the arms."""
        if not stages:
            return [Stage("all", self.start, dict(self.arm_weights), 0, self.min_units)]
        out = []
        for i, s in enumerate(stages):
            if s.get("start") is not None:
                start = to_ns(s["start"])
            elif i == 0:
                start = self.start
            else:
                start = out[-1].start + out[-1].min_duration
            out.append(
                Stage(
                    s["name"],
                    start,
                    {k: float(v) for k, v in s["weights"].items()},
                    parse_duration_ns(s.get("min_duration")),
                    int(s.get("min_units_per_arm") or self.min_units),
                )
            )
        return out

    def treatment_arms(self):
        return [a for a in self.arms if a != self.control]


class Stage:
    def __init__(self, name, start, weights, min_duration, min_units):
        self.name = name
        self.start = start
        self.weights = weights
        self.min_duration = min_duration
        self.min_units = min_units


class Metric:
    def __init__(self, m):
        self.name = m["name"]
        self.role = m["role"]
        self.kind = m["kind"]
        self.direction = m["direction"]
        self.event = m.get("event")
        self.property = m.get("property")
        self.window = parse_duration_ns(m.get("window"))
        self.numerator = m.get("numerator")
        self.denominator = m.get("denominator")
        margin = m.get("margin") or {}
        self.margin_relative = float(margin.get("relative") or 0)
        self.margin_absolute = float(margin.get("absolute") or 0)
        self.has_margin = bool(m.get("margin"))
        cuped = m.get("cuped")
        self.cuped_lookback = parse_duration_ns(cuped["lookback"]) if cuped else 0


def load(path):
    with open(path, encoding="utf-8") as f:
        return Plan(yaml.safe_load(f))
