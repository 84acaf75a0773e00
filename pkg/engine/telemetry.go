package engine

import (
	"context"

	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/plan"
)

// telemetryResults compares one telemetry (prometheus) metric per treatment
// arm. A failing or missing telemetry source yields insufficient_data with
// the reason, never a verdict and never a failed evaluation.
func telemetryResults(ctx context.Context, p *plan.Plan, m plan.Metric, schedule []plan.ScheduledStage, scope events.Scope, opts Options) []MetricResult {
	var out []MetricResult
	for _, arm := range treatmentArms(p) {
		out = append(out, unavailable(p, m, arm, "no telemetry source configured for prometheus metrics"))
	}
	return out
}
