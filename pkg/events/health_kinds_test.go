package events

import "testing"

// Every kind a store's health query emits lands in its own field; a
// property kind lands in its property; anything else is refused (nil), so a
// store's typo cannot silently count into the wrong check.
func TestHealthReportCountFor(t *testing.T) {
	r := HealthReport{Properties: make([]PropertyHealth, 2)}
	fields := map[string]*HealthCount{
		HealthKindUnknownArm: &r.UnknownArm, HealthKindMissingUnit: &r.MissingUnit, HealthKindMissingArm: &r.MissingArm,
		HealthKindMultiArm: &r.MultiArmUnits, HealthKindBeforeStart: &r.BeforeStart, HealthKindFuture: &r.Future,
		HealthKindDuplicate:             &r.Duplicates,
		HealthKindMissingProperty + "1": &r.Properties[1].Missing, HealthKindNonNumericProperty + "0": &r.Properties[0].NonNumeric,
	}
	for kind, want := range fields {
		if got := r.CountFor(kind); got != want {
			t.Errorf("%s: wrong field", kind)
		}
	}
	for _, kind := range []string{"", "unknown", HealthKindMissingProperty + "2", HealthKindNonNumericProperty + "-1", HealthKindMissingProperty + "x"} {
		if r.CountFor(kind) != nil {
			t.Errorf("%q: want nil", kind)
		}
	}
}
