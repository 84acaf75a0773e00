// Package telemetry reads per-arm time series from Prometheus-compatible
// servers (Prometheus, Mimir, Thanos, VictoriaMetrics) for liftgate's
// telemetry metrics, traffic-split check and deployment markers. Arm
// matchers are added to queries through the PromQL parser (package promql),
// series are cut onto a fixed time grid aligned to the plan's start, and
// counters become per-step increases in Go, reset-aware and without
// Prometheus's extrapolation, so every step adds up to the exact growth of
// the counter between two grid points. It computes no statistics: the
// engine hands its batches and steps to pkg/stats.
package telemetry

import (
	"context"
	"fmt"
	"time"
)

// Source runs PromQL range queries against one server.
type Source interface {
	// Name identifies the server in errors, e.g. "prometheus at http://…".
	Name() string
	// QueryRange evaluates query at r.Start, r.Start+r.Step, … up to r.End.
	// A partial answer (warnings) is an error: a verdict must not rest on
	// half the data.
	QueryRange(ctx context.Context, query string, r Range) ([]Series, error)
}

// Range is the evaluation range of a query.
type Range struct {
	Start, End time.Time
	Step       time.Duration
}

// Series is one series of a range query's answer.
type Series struct {
	Labels map[string]string
	Points []Point
}

// Point is one sample of a series.
type Point struct {
	T time.Time
	V float64
}

// QueryError names the server and the query that failed, so a slow or
// broken backend is identified in the reason of an insufficient_data result.
type QueryError struct {
	Server string
	Query  string
	Range  Range
	Err    error
}

func (e *QueryError) Error() string {
	return fmt.Sprintf("%s: query %s (%s to %s, step %s): %v", e.Server, e.Query,
		e.Range.Start.UTC().Format(time.RFC3339), e.Range.End.UTC().Format(time.RFC3339), e.Range.Step, e.Err)
}

func (e *QueryError) Unwrap() error { return e.Err }
