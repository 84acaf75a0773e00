package events

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Check reports what makes a scope one no store's SQL can answer
// meaningfully: every store runs it before building a query, so the same
// mistake gets the same words whichever store reads it. exposure is how
// the store recognises exposures for the scope (Mapping.ExposureFor); with
// an assignment table (needExposure false) its fields are not needed.
func (sc Scope) Check(exposure Exposure, needExposure bool) error {
	bad := func(format string, args ...any) error { return fmt.Errorf("scope: "+format, args...) }
	if needExposure {
		switch {
		case exposure.Event == "":
			return bad("exposure event is empty")
		case exposure.ExperimentProperty == "":
			return bad("exposure experiment property is empty")
		case exposure.ArmProperty == "":
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

// Check reports what makes a metric definition one no store's SQL can
// answer.
func (m Metric) Check() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("metric (%s): %s", m.Kind, fmt.Sprintf(format, args...))
	}
	switch m.Kind {
	case Conversion, Count:
		if m.Value.Event == "" {
			return bad("value event is empty")
		}
	case Mean:
		if m.Value.Event == "" || m.Value.Property == "" {
			return bad("a mean needs a value event and the numeric property to sum")
		}
	case Ratio:
		if m.Numerator.Event == "" || m.Denominator.Event == "" {
			return bad("a ratio needs numerator and denominator events")
		}
	default:
		return fmt.Errorf("metric kind %q is not one of conversion, count, mean, ratio", m.Kind)
	}
	if m.Window < 0 || (m.Window > 0 && m.Window < time.Microsecond) {
		return bad("window %v must be 0 (until the end) or at least 1µs", m.Window)
	}
	if m.CUPEDLookback < 0 || (m.CUPEDLookback > 0 && m.CUPEDLookback < time.Microsecond) {
		return bad("CUPED lookback %v must be 0 (none) or at least 1µs", m.CUPEDLookback)
	}
	return nil
}

// ExposureFor is how this mapping recognises exposures for a scope: the
// scope's (the plan's) exposure, with each field the mapping sets (PostHog:
// $feature_flag_called, $feature_flag, $feature_flag_response) taking
// precedence.
func (m Mapping) ExposureFor(sc Scope) Exposure {
	e := sc.Exposure
	if o := m.Exposure; o != nil {
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

// NewGroupKey turns one group's key columns as the stores' SQL returns
// them (arm, stage index, segment, bucket index) into a GroupKey. The
// bucket comes back as an index so that its time is computed here,
// exactly, rather than through SQL time zones.
func NewGroupKey(sc Scope, arm string, stage int64, segment string, bucket int64) GroupKey {
	k := GroupKey{Arm: arm, Stage: int(stage), Segment: segment}
	if sc.Bucket > 0 {
		k.Bucket = time.UnixMicro(sc.Start.UnixMicro() + bucket*sc.Bucket.Microseconds()).UTC()
	}
	return k
}

// CompareGroupKeys orders groups by planned arm order, then stage, segment
// and bucket, so every store returns them in the same, plan order.
func CompareGroupKeys(sc Scope) func(a, b GroupKey) int {
	armIndex := func(arm string) int { return slices.Index(sc.Arms, arm) }
	return func(a, b GroupKey) int {
		if c := armIndex(a.Arm) - armIndex(b.Arm); c != 0 {
			return c
		}
		if c := a.Stage - b.Stage; c != 0 {
			return c
		}
		if c := strings.Compare(a.Segment, b.Segment); c != 0 {
			return c
		}
		return a.Bucket.Compare(b.Bucket)
	}
}
