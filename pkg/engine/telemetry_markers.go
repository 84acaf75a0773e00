package engine

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/liftgate/liftgate/pkg/plan"
	"github.com/liftgate/liftgate/pkg/telemetry"
)

// Markers lists the timestamped events of [from, to) for annotations: every
// stage start from the plan's schedule, and the deployments that the plan's
// telemetry.deployments expression marks (when it has one and a telemetry
// source is given), at the telemetry step's resolution.
func Markers(ctx context.Context, p *plan.Plan, tel telemetry.Source, from, to time.Time) ([]telemetry.Marker, error) {
	out := []telemetry.Marker{}
	for _, s := range p.Schedule() {
		if s.Start.Before(from) || !s.Start.Before(to) {
			continue
		}
		out = append(out, telemetry.Marker{Time: s.Start.UTC(), Kind: telemetry.MarkerStage,
			Text: fmt.Sprintf("stage %s starts (%s)", s.Name, formatWeights(p, s.Weights))})
	}
	if tel != nil && p.Telemetry != nil && p.Telemetry.Deployments != "" {
		step := p.TelemetryArms("", nil, 0).Step
		// Deployments may predate the plan: align to the plan's start but
		// allow a grid that begins before it.
		start := p.Start.UTC()
		start = start.Add(from.Sub(start).Truncate(step)) // rounds toward the plan's start
		if start.After(from) {
			start = start.Add(-step)
		}
		grid, err := telemetry.NewGrid(start, to, step)
		if err != nil {
			return nil, err
		}
		deploys, err := telemetry.Deployments(ctx, tel, p.Telemetry.Deployments, grid)
		if err != nil {
			return nil, err
		}
		for _, d := range deploys {
			if !d.Time.Before(from) && d.Time.Before(to) {
				out = append(out, d)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out, nil
}

func formatWeights(p *plan.Plan, w map[string]float64) string {
	parts := make([]string, 0, len(w))
	for _, arm := range p.ArmNames() {
		parts = append(parts, fmt.Sprintf("%s %g%%", arm, 100*w[arm]))
	}
	return strings.Join(parts, ", ")
}
