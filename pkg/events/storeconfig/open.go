package storeconfig

import (
	"context"
	"fmt"

	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/events/clickhouse"
	"github.com/liftgate/liftgate/pkg/events/postgres"
)

// Writable is a SQL store that can also hold liftgate's own event schema:
// what `liftgate import --store` and the exporter's ingestion write to.
type Writable interface {
	events.Source
	// CreateLiftgateSchema creates the mapped event table if it is missing.
	CreateLiftgateSchema(ctx context.Context) error
	// Insert stores events, skipping ids already stored; it returns how
	// many were new.
	Insert(ctx context.Context, evs []events.Event) (int64, error)
}

var (
	_ Writable = (*clickhouse.Source)(nil)
	_ Writable = (*postgres.Source)(nil)
)

// Open validates the configuration and connects to the store it names.
func Open(ctx context.Context, c Config) (events.Source, error) {
	return OpenWritable(ctx, c)
}

// OpenWritable is Open for callers that also create the schema or insert.
func OpenWritable(ctx context.Context, c Config) (Writable, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	// Each case returns its own nil on error: a nil *Source in a non-nil
	// interface would look like an open store to the caller.
	switch c.Type {
	case TypeClickHouse:
		s, err := clickhouse.Open(ctx, *c.ClickHouse)
		if err != nil {
			return nil, err
		}
		return s, nil
	case TypePostgres:
		s, err := postgres.Open(ctx, *c.Postgres)
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	return nil, fmt.Errorf("type: %q is not one of clickhouse, postgres", c.Type)
}
