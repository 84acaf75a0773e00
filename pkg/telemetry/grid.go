package telemetry

import (
	"fmt"
	"time"
)

// Grid is a fixed time grid: step k is the window [Start + k·Step,
// Start + (k+1)·Step). Every telemetry series and every product-metric
// bucket is placed on the same grid, aligned to the plan's start in UTC, so
// the same index means the same minutes in both.
type Grid struct {
	Start time.Time
	Step  time.Duration
	Steps int
}

// NewGrid covers [start, end) with whole steps; a trailing partial step is
// left out (its data are not complete yet).
func NewGrid(start, end time.Time, step time.Duration) (Grid, error) {
	if step <= 0 {
		return Grid{}, fmt.Errorf("grid step must be positive, got %s", step)
	}
	g := Grid{Start: start.UTC(), Step: step}
	if end.After(start) {
		g.Steps = int(end.Sub(start) / step)
	}
	return g, nil
}

// WindowStart is the start of step k.
func (g Grid) WindowStart(k int) time.Time { return g.Start.Add(time.Duration(k) * g.Step) }

// End is the end of the last whole step.
func (g Grid) End() time.Time { return g.WindowStart(g.Steps) }

// Index maps a time to its step, or -1 outside the grid.
func (g Grid) Index(t time.Time) int {
	if t.Before(g.Start) {
		return -1
	}
	k := int(t.Sub(g.Start) / g.Step)
	if k >= g.Steps {
		return -1
	}
	return k
}

// boundaryIndex maps an evaluation time that falls on a grid boundary to
// that boundary's number (0 at Start, Steps at End), or -1.
func (g Grid) boundaryIndex(t time.Time) int {
	d := t.Sub(g.Start)
	if d < 0 || d%g.Step != 0 {
		return -1
	}
	k := int(d / g.Step)
	if k > g.Steps {
		return -1
	}
	return k
}
