package duckdb

import (
	"fmt"
	"time"

	"github.com/liftgate/liftgate/pkg/events"
)

// checkScope rejects a scope the SQL could not answer meaningfully.
func checkScope(sc events.Scope) error {
	switch {
	case sc.Experiment == "":
		return scopeErr("experiment id is empty")
	case sc.Exposure.Event == "":
		return scopeErr("exposure event is empty")
	case sc.Exposure.ExperimentProperty == "":
		return scopeErr("exposure experiment property is empty")
	case sc.Exposure.ArmProperty == "":
		return scopeErr("exposure arm property is empty")
	case len(sc.Arms) == 0:
		return scopeErr("no arms; expected the planned arm names")
	case sc.Start.IsZero() || sc.End.IsZero():
		return scopeErr("start and end must both be set")
	case !sc.End.After(sc.Start):
		return scopeErr(fmt.Sprintf("end %s is not after start %s", sc.End.UTC().Format(time.RFC3339), sc.Start.UTC().Format(time.RFC3339)))
	case sc.Bucket < 0 || (sc.Bucket > 0 && sc.Bucket < time.Microsecond):
		return scopeErr(fmt.Sprintf("bucket %v must be 0 (none) or at least 1µs", sc.Bucket))
	}
	seen := map[string]bool{}
	for i, a := range sc.Arms {
		if a == "" {
			return scopeErr(fmt.Sprintf("arm %d has an empty name", i))
		}
		if seen[a] {
			return scopeErr(fmt.Sprintf("arm %q is listed twice", a))
		}
		seen[a] = true
	}
	for i, st := range sc.Stages {
		if st.Start.IsZero() {
			return scopeErr(fmt.Sprintf("stage %d (%q) has no start time", i, st.Name))
		}
	}
	return nil
}

func scopeErr(msg string) error { return fmt.Errorf("duckdb: scope: %s", msg) }

// checkMetric rejects a metric definition the SQL could not answer.
func checkMetric(m events.Metric) error {
	bad := func(msg string) error { return fmt.Errorf("duckdb: metric (%s): %s", m.Kind, msg) }
	switch m.Kind {
	case events.Conversion, events.Count:
		if m.Value.Event == "" {
			return bad("value event is empty")
		}
	case events.Mean:
		if m.Value.Event == "" || m.Value.Property == "" {
			return bad("a mean needs a value event and the numeric property to sum")
		}
	case events.Ratio:
		if m.Numerator.Event == "" || m.Denominator.Event == "" {
			return bad("a ratio needs numerator and denominator events")
		}
	default:
		return fmt.Errorf("duckdb: metric kind %q is not one of conversion, count, mean, ratio", m.Kind)
	}
	if m.Window < 0 || (m.Window > 0 && m.Window < time.Microsecond) {
		return bad(fmt.Sprintf("window %v must be 0 (until the end) or at least 1µs", m.Window))
	}
	if m.CUPEDLookback < 0 || (m.CUPEDLookback > 0 && m.CUPEDLookback < time.Microsecond) {
		return bad(fmt.Sprintf("CUPED lookback %v must be 0 (none) or at least 1µs", m.CUPEDLookback))
	}
	return nil
}
