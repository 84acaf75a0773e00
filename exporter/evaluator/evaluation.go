package evaluator

import (
	"fmt"
	"time"

	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/exporterclient"
	"github.com/liftgate/liftgate/pkg/plan"
	"github.com/liftgate/liftgate/pkg/stats"
)

// Evaluation is one run of engine.Analyze for one plan.
type Evaluation struct {
	// At is the evaluation time: data before it counts. It is aligned to the
	// evaluation interval, so two exporters evaluating the same plan against
	// the same store compute the same numbers.
	At       time.Time
	Started  time.Time
	Duration time.Duration
	// Source is the event store's name; Sources what each source queried
	// (the store, and Prometheus when the plan reads telemetry) saw.
	Source   string
	Sources  []SourceOutcome
	PlanHash string
	// Result is nil when Err is set.
	Result *engine.Result
	Err    error
}

// OK reports whether the evaluation produced a result.
func (e *Evaluation) OK() bool { return e != nil && e.Err == nil && e.Result != nil }

// VerdictKey names one verdict: a metric compared in one treatment arm.
type VerdictKey struct {
	Metric string
	Arm    string
}

// CurrentVerdict is what gates and metrics show for one metric and arm.
type CurrentVerdict struct {
	VerdictKey
	Role    string
	Verdict stats.Verdict
	Reason  string
	// Result is the engine's comparison behind the verdict; nil when there
	// is no current result (not evaluated yet, or the evaluation failed).
	Result *engine.MetricResult
}

// currentVerdicts lists one verdict per metric and treatment arm of p, in
// plan order. Without a current result every verdict is insufficient_data
// with the reason, so a gate always sees a value and never a stale one.
func currentVerdicts(p *plan.Plan, ev *Evaluation) []CurrentVerdict {
	byKey := map[VerdictKey]*engine.MetricResult{}
	if ev.OK() {
		for i := range ev.Result.Results {
			r := &ev.Result.Results[i]
			if r.SegmentValue == nil {
				byKey[VerdictKey{Metric: r.Metric, Arm: r.Arm}] = r
			}
		}
	}
	missing := noResultReason(ev)
	var out []CurrentVerdict
	for _, m := range p.Metrics {
		for _, arm := range treatmentArms(p) {
			k := VerdictKey{Metric: m.Name, Arm: arm}
			cv := CurrentVerdict{VerdictKey: k, Role: m.Role, Verdict: stats.InsufficientData, Reason: missing}
			if r, ok := byKey[k]; ok {
				cv.Verdict, cv.Reason, cv.Result = r.Verdict, r.Reason, r
			}
			out = append(out, cv)
		}
	}
	return out
}

// currentDecision is the stage decision gates act on: the result's, or hold
// when there is no current result.
func currentDecision(p *plan.Plan, ev *Evaluation, now time.Time) engine.Decision {
	if ev.OK() {
		return ev.Result.Decision
	}
	stage := p.StageAt(now)
	d := engine.Decision{Stage: stage.Name, Action: engine.ActionHold, Reasons: []string{noResultReason(ev)}}
	for i, s := range p.Schedule() {
		if s.Name == stage.Name && i+1 < len(p.Schedule()) {
			d.NextStage = p.Schedule()[i+1].Name
		}
	}
	return d
}

// noResultReason says why there is no current result.
func noResultReason(ev *Evaluation) string {
	switch {
	case ev == nil:
		return "not evaluated yet"
	case ev.Err != nil:
		return fmt.Sprintf("evaluation at %s failed: %v", ev.At.Format(time.RFC3339), ev.Err)
	case ev.Result == nil:
		return "evaluation produced no result"
	}
	return ""
}

// treatmentArms are p's arms other than the control, in plan order.
func treatmentArms(p *plan.Plan) []string {
	var out []string
	for _, a := range p.ArmNames() {
		if a != p.Control {
			out = append(out, a)
		}
	}
	return out
}

// lifecycleState places now against the plan's start and end.
func lifecycleState(p *plan.Plan, now time.Time) string {
	switch {
	case now.Before(p.Start):
		return exporterclient.StateScheduled
	case p.End != nil && !now.Before(*p.End):
		return exporterclient.StateEnded
	}
	return exporterclient.StateRunning
}
