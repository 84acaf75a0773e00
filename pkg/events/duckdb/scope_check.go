package duckdb

import (
	"fmt"

	"github.com/liftgate/liftgate/pkg/events"
)

// checkScope rejects a scope the SQL could not answer meaningfully.
func checkScope(sc events.Scope) error {
	if err := sc.Check(sc.Exposure, true); err != nil {
		return fmt.Errorf("duckdb: %w", err)
	}
	return nil
}

// checkMetric rejects a metric definition the SQL could not answer.
func checkMetric(m events.Metric) error {
	if err := m.Check(); err != nil {
		return fmt.Errorf("duckdb: %w", err)
	}
	return nil
}
