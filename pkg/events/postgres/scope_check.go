package postgres

import (
	"fmt"
	"time"

	"github.com/liftgate/liftgate/pkg/events"
)

// exposureFor is how this mapping recognises exposures for a plan: the
// plan's exposure, with each field the mapping sets (PostHog:
// $feature_flag_called, $feature_flag, $feature_flag_response) taking
// precedence.
func (s *Source) exposureFor(sc events.Scope) events.Exposure {
	e := sc.Exposure
	if o := s.mapping.Exposure; o != nil {
		if o.Event != "" {
			e.Event = o.Event
		}
		if o.ExperimentProperty != "" {
			e.ExperimentProperty = o.ExperimentProperty
		}
		if o.ArmProperty != "" {
			e.ArmProperty = o.ArmProperty
		}
	}
	return e
}

// checkScope rejects a scope the SQL could not answer meaningfully. With an
// assignment table the exposure properties are not needed.
func (s *Source) checkScope(op string, sc events.Scope) error {
	bad := func(format string, args ...any) error { return errorf(op, "scope: "+format, args...) }
	exp := s.exposureFor(sc)
	if s.mapping.Assignments == nil {
		switch {
		case exp.Event == "":
			return bad("exposure event is empty")
		case exp.ExperimentProperty == "":
			return bad("exposure experiment property is empty")
		case exp.ArmProperty == "":
			return bad("exposure arm property is empty")
		}
	}
	switch {
	case sc.Experiment == "":
		return bad("experiment id is empty")
	case len(sc.Arms) == 0:
		return bad("no arms; expected the planned arm names")
	case sc.Start.IsZero() || sc.End.IsZero():
		return bad("start and end must both be set")
	case !sc.End.After(sc.Start):
		return bad("end %s is not after start %s", sc.End.UTC().Format(time.RFC3339), sc.Start.UTC().Format(time.RFC3339))
	case sc.Bucket < 0 || (sc.Bucket > 0 && sc.Bucket < time.Microsecond):
		return bad("bucket %v must be 0 (none) or at least 1µs", sc.Bucket)
	}
	seen := map[string]bool{}
	for i, a := range sc.Arms {
		if a == "" {
			return bad("arm %d has an empty name", i)
		}
		if seen[a] {
			return bad("arm %q is listed twice", a)
		}
		seen[a] = true
	}
	for i, st := range sc.Stages {
		if st.Start.IsZero() {
			return bad("stage %d (%q) has no start time", i, st.Name)
		}
	}
	return nil
}

// checkMetric rejects a metric definition the SQL could not answer.
func checkMetric(op string, m events.Metric) error {
	bad := func(format string, args ...any) error {
		return errorf(op, "metric (%s): %s", m.Kind, fmt.Sprintf(format, args...))
	}
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
		return errorf(op, "metric kind %q is not one of conversion, count, mean, ratio", m.Kind)
	}
	if m.Window < 0 || (m.Window > 0 && m.Window < time.Microsecond) {
		return bad("window %v must be 0 (until the end) or at least 1µs", m.Window)
	}
	if m.CUPEDLookback < 0 || (m.CUPEDLookback > 0 && m.CUPEDLookback < time.Microsecond) {
		return bad("CUPED lookback %v must be 0 (none) or at least 1µs", m.CUPEDLookback)
	}
	return nil
}
