package telemetry

import (
	"context"
	"math"
	"sort"
	"time"
)

// Marker kinds.
const (
	MarkerStage      = "stage"
	MarkerDeployment = "deployment"
)

// Marker is a timestamped event for annotations: a stage change from the
// plan or a deployment seen in telemetry.
type Marker struct {
	Time time.Time `json:"time"`
	Kind string    `json:"kind"`
	Text string    `json:"text"`
	// Series are the label sets of the series that marked a deployment.
	Series []map[string]string `json:"series,omitempty"`
}

// Deployments evaluates expr (e.g. changes(build_info{job="api"}[5m]) > 0)
// at the end of every grid step, as written, without an arm matcher. Each
// run of consecutive steps in which a series has a non-zero sample is one
// deployment, marked at the run's first step end; series marking the same
// time share one marker.
func Deployments(ctx context.Context, src Source, expr string, g Grid) ([]Marker, error) {
	if g.Steps == 0 {
		return nil, nil
	}
	series, err := src.QueryRange(ctx, expr, windowEndRange(g))
	if err != nil {
		return nil, err
	}
	byTime := map[time.Time]*Marker{}
	for _, s := range series {
		active := make([]bool, g.Steps)
		for _, p := range s.Points {
			if k := g.windowEndIndex(p.T); k >= 0 && p.V != 0 && !math.IsNaN(p.V) {
				active[k] = true
			}
		}
		for k, on := range active {
			if !on || (k > 0 && active[k-1]) {
				continue
			}
			t := g.WindowStart(k + 1)
			m, ok := byTime[t]
			if !ok {
				m = &Marker{Time: t, Kind: MarkerDeployment, Text: "deployment: " + expr}
				byTime[t] = m
			}
			m.Series = append(m.Series, s.Labels)
		}
	}
	out := make([]Marker, 0, len(byTime))
	for _, m := range byTime {
		out = append(out, *m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out, nil
}
