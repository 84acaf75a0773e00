package events

import "context"

// Source is an event store that aggregates in place: it answers with
// sufficient statistics, never with raw events. DuckDB (embedded), ClickHouse,
// PostgreSQL and the exporter's HTTP API implement it.
type Source interface {
	// Name identifies the source in errors and metrics, e.g. "duckdb".
	Name() string
	// Exposures counts assigned units per group, and the excluded ones.
	Exposures(ctx context.Context, scope Scope) (ExposureCounts, error)
	// MetricSums returns per-group sufficient statistics of one metric over
	// the assigned units (units without metric events count as zero).
	MetricSums(ctx context.Context, scope Scope, m Metric) ([]GroupSums, error)
	Close() error
}
