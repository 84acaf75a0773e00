package runner

import (
	"testing"
	"time"

	"github.com/liftgate/liftgate/pkg/plan"
)

// The demo plan validates with and without telemetry, and its schedule is
// the stages the simulator follows.
func TestDemoPlanValidates(t *testing.T) {
	start := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	for _, telemetry := range []bool{false, true} {
		p, err := plan.Parse([]byte(demoPlan(start, DefaultStages(), telemetry)), "demo.yaml")
		if err != nil {
			t.Fatalf("telemetry=%v: %v", telemetry, err)
		}
		sched := p.Schedule()
		if len(sched) != 3 || !sched[0].Start.Equal(start) || !sched[1].Start.Equal(start.Add(40*time.Second)) ||
			!sched[2].Start.Equal(start.Add(100*time.Second)) || sched[1].Weights[armTreatment] != 0.2 {
			t.Errorf("telemetry=%v: schedule %+v", telemetry, sched)
		}
		kinds := map[string]int{}
		for _, m := range p.Metrics {
			kinds[m.Kind]++
		}
		if want := map[bool]int{false: 0, true: 2}[telemetry]; kinds[plan.KindPrometheus] != want {
			t.Errorf("telemetry=%v: %d prometheus metrics, want %d", telemetry, kinds[plan.KindPrometheus], want)
		}
	}
}
