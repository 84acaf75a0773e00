package storeconfig

import (
	"context"
	"fmt"

	"github.com/liftgate/liftgate/pkg/decisionlog"
	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/events/clickhouse"
	"github.com/liftgate/liftgate/pkg/events/postgres"
)

// DecisionLog returns the decision log kept in an opened SQL store (its
// liftgate_decisions table, created if missing): the exporter writes it,
// and `liftgate history export --store` reads it in place.
func DecisionLog(ctx context.Context, src events.Source, opts decisionlog.Options) (decisionlog.Log, error) {
	// Each case returns its own nil on error, as in OpenWritable.
	switch s := src.(type) {
	case *clickhouse.Source:
		l, err := s.DecisionLog(ctx, opts)
		if err != nil {
			return nil, err
		}
		return l, nil
	case *postgres.Source:
		l, err := s.DecisionLog(ctx, opts)
		if err != nil {
			return nil, err
		}
		return l, nil
	}
	return nil, fmt.Errorf("the %s store keeps no decision log", src.Name())
}
