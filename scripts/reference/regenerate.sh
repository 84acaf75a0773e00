#!/usr/bin/env bash
# Regenerates the analysis engine's reference cases: the event files (with
# the committed Go generator, examples/generate) and the expected results
# (with the independent Python reference, engine_reference.py). Both are
# committed; pkg/engine/engine_reference_test.go reads them, so CI needs
# neither Python nor this script.
#
# Needs Go and Debian's /usr/bin/python3 with numpy, scipy, statsmodels,
# pandas and PyYAML. Output is deterministic: running it twice changes
# nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."

PY=${PY:-/usr/bin/python3}
export PYTHONDONTWRITEBYTECODE=1 # no __pycache__ in the tree
TD=pkg/engine/testdata
mkdir -p "$TD"
gen_bin=$(mktemp -d)/generate
trap 'rm -rf "$(dirname "$gen_bin")"' EXIT
go build -o "$gen_bin" ./examples/generate

# events FILE FLAGS...: generate one event file (gzipped) with the flags.
events() {
  local file=$1
  shift
  "$gen_bin" -out "$TD/$file" "$@"
}

# expect CASE PLAN EVENTS GENERATOR-FLAGS AT [extra args...]: one expected file.
expect() {
  local name=$1 plan=$2 file=$3 flags=$4 at=$5
  shift 5
  "$PY" scripts/reference/engine_reference.py --case "$name" --plan "$plan" --events "$TD/$file" \
    --generator "$flags" --at "$at" --out "$TD/$name.expected.json" "$@"
  echo "wrote $TD/$name.expected.json"
}

default_flags=""
three_flags="-experiment checkout-three-arms -arms control,treatment,treatment-b:-0.1 -stages 0s:0.5 -units 20000 -seed 11"
trend_flags="-experiment checkout-trend -lift 0 -trend 3 -stages 0s:0.1,12h:0.3,24h:0.5 -units 20000 -seed 3"
excl_flags="-experiment checkout-exclusions -stages 0s:0.5 -multi-arm 0.06 -unknown-arm 0.04 -repeat-exposure 0.3 -duplicates 0.05 -units 12000 -seed 5"
srm_flags="-skew 0.9 -units 12000 -seed 8"

events checkout-v2.ndjson.gz $default_flags
events three-arms.ndjson.gz $three_flags
events trend.ndjson.gz $trend_flags
events exclusions.ndjson.gz $excl_flags
events srm.ndjson.gz $srm_flags

expect a_example_sequential examples/checkout-v2.yaml checkout-v2.ndjson.gz "$default_flags" 2026-11-04T00:00:00Z \
  --require duplicate_events_dropped,revenue:events_in_lookback \
  --description "the example plan as written: sequential, Holm, three stages (the canary's single treatment unit leaves that stratum out), CUPED revenue, ratio guardrail with a relative margin"
expect b_example_fixed examples/plans/checkout-v2-fixed.yaml checkout-v2.ndjson.gz "$default_flags" 2026-11-04T00:00:00Z \
  --description "the example plan at a fixed horizon without correction"
expect c_three_arms examples/plans/three-arms.yaml three-arms.ndjson.gz "$three_flags" 2026-11-04T12:00:00Z \
  --description "two treatments against one control, BH over primary and secondary metrics of both arms, count metrics and a CUPED conversion"
expect d_segments examples/checkout-v2.yaml checkout-v2.ndjson.gz "$default_flags" 2026-11-05T00:00:00Z --segment platform \
  --description "the example plan broken down by platform; each platform is its own correction family"
expect e_trend_ramp examples/plans/trend-ramp.yaml trend.ndjson.gz "$trend_flags" 2026-11-05T00:00:00Z --naive \
  --description "a ramp with a strong upward conversion trend and no true effect: the stage-stratified engine finds nothing, the naive pooled test (naive_pooled) finds a spurious win"
expect f_exclusions examples/plans/exclusions.yaml exclusions.ndjson.gz "$excl_flags" 2026-11-03T12:00:00Z --segment platform \
  --require duplicate_events_dropped,assigned_units_with_exposures_before_start,assigned_units_first_exposed_with_unknown_arm,units_multi_arm_only_after_end,assigned_units_reexposed_in_later_stage,assigned_units_reexposed_with_other_platform,purchase_conversion:events_after_window,purchase_conversion:events_after_end \
  --description "multi-arm and unknown-arm units, re-exposures on another platform and in a later stage, exposures before the plan's start and after its end (evaluated later than the end), duplicated events"
expect g_windows examples/plans/windows.yaml checkout-v2.ndjson.gz "$default_flags" 2026-11-03T00:00:00Z \
  --require conversion_6h:events_after_window,conversion_24h:events_after_window,purchases_12h:events_after_window,sessions_24h:events_after_window,conversion_any:events_after_end \
  --description "conversion and count windows of 6h, 12h, 24h and none on the same purchases"
expect h_srm examples/checkout-v2.yaml srm.ndjson.gz "$srm_flags" 2026-11-04T00:00:00Z \
  --description "treatment under-assigned by 10%: sample ratio mismatch, every verdict insufficient_data, decision hold"
