package events

import (
	"strconv"
	"strings"
)

// Kinds of offending rows a store's health query labels its rows with, so
// every store routes them into a HealthReport the same way.
const (
	HealthKindUnknownArm  = "unknown_arm"
	HealthKindMissingUnit = "missing_unit"
	HealthKindMissingArm  = "missing_arm"
	HealthKindMultiArm    = "multi_arm"
	HealthKindBeforeStart = "before_start"
	HealthKindFuture      = "future"
	HealthKindDuplicate   = "duplicate"
	// Property kinds carry the index into HealthRequest.Properties.
	HealthKindMissingProperty    = "missing_property:"
	HealthKindNonNumericProperty = "non_numeric_property:"
)

// CountFor is the report's count for a kind of offending row, or nil for a
// kind (or property index) the report does not have.
func (r *HealthReport) CountFor(kind string) *HealthCount {
	switch kind {
	case HealthKindUnknownArm:
		return &r.UnknownArm
	case HealthKindMissingUnit:
		return &r.MissingUnit
	case HealthKindMissingArm:
		return &r.MissingArm
	case HealthKindMultiArm:
		return &r.MultiArmUnits
	case HealthKindBeforeStart:
		return &r.BeforeStart
	case HealthKindFuture:
		return &r.Future
	case HealthKindDuplicate:
		return &r.Duplicates
	}
	for prefix, pick := range map[string]func(*PropertyHealth) *HealthCount{
		HealthKindMissingProperty:    func(ph *PropertyHealth) *HealthCount { return &ph.Missing },
		HealthKindNonNumericProperty: func(ph *PropertyHealth) *HealthCount { return &ph.NonNumeric },
	} {
		if rest, ok := strings.CutPrefix(kind, prefix); ok {
			i, err := strconv.Atoi(rest)
			if err != nil || i < 0 || i >= len(r.Properties) {
				return nil
			}
			return pick(&r.Properties[i])
		}
	}
	return nil
}

// HealthExampleChars bounds an example's value: enough to recognise it,
// never a dump of a large property.
const HealthExampleChars = 64

// NewHealthReport is the empty report a store fills: one PropertyHealth per
// requested property, in request order, so property kinds can index it.
func NewHealthReport(req HealthRequest, duplicatesChecked bool) HealthReport {
	out := HealthReport{Properties: make([]PropertyHealth, len(req.Properties)), DuplicatesChecked: duplicatesChecked}
	for i, pr := range req.Properties {
		out.Properties[i] = PropertyHealth{Event: pr.Event, Property: pr.Property}
	}
	return out
}
