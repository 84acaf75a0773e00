package collector

import (
	"testing"

	dto "github.com/prometheus/client_model/go"
)

// The late-data counter is served for every experiment, 0 before any
// change, and carries the evaluator's count as a counter.
func TestLateDataVerdictChangesCounter(t *testing.T) {
	ev, _ := setup(t)
	s := ev.Snapshot()
	id := s.Experiments[0].Plan.ID
	lbl := map[string]string{"experiment": id}
	if v, ok := value(gather(t, New(fakeSnapshot{s}, nil)), "liftgate_late_data_verdict_changes_total", lbl); !ok || v != 0 {
		t.Fatalf("before any late data: %v (served %v), want 0", v, ok)
	}
	s.Experiments[0].LateDataVerdictChanges = 3
	mfs := gather(t, New(fakeSnapshot{s}, nil))
	if v, ok := value(mfs, "liftgate_late_data_verdict_changes_total", lbl); !ok || v != 3 {
		t.Errorf("after 3 late-data changes: %v (served %v), want 3", v, ok)
	}
	if mfs["liftgate_late_data_verdict_changes_total"].GetType() != dto.MetricType_COUNTER {
		t.Errorf("type %s, want counter", mfs["liftgate_late_data_verdict_changes_total"].GetType())
	}
}
