// Package stores opens the event store the exporter evaluates against:
// the embedded DuckDB file it owns, or a ClickHouse or PostgreSQL database
// described by a config file.
package stores

import (
	"context"
	"fmt"
	"os"

	"github.com/liftgate/liftgate/exporter/server"
	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/events/clickhouse"
	"github.com/liftgate/liftgate/pkg/events/duckdb"
	"github.com/liftgate/liftgate/pkg/events/postgres"
)

// Store types accepted by --store.type.
const (
	TypeDuckDB     = "duckdb"
	TypeClickHouse = "clickhouse"
	TypePostgres   = "postgres"
)

// Config selects and configures the store.
type Config struct {
	Type string
	// Path is the DuckDB file (TypeDuckDB).
	Path string
	// DuckDBMemoryMiB caps DuckDB's memory (0: the store's default).
	DuckDBMemoryMiB int
	// ConfigFile is the ClickHouse or PostgreSQL YAML config.
	ConfigFile string
	// CreateSchema creates liftgate's events table in a SQL store when it
	// is missing, so the exporter can ingest into it.
	CreateSchema bool
}

// Store is an opened store: the source evaluations read, and the writer
// ingestion appends to (nil when the store cannot insert).
type Store struct {
	Source events.Source
	Writer server.EventWriter

	duck *duckdb.Store // the embedded store, or
	lazy *lazySource   // the SQL store, connected on first use
}

// Close releases the store.
func (s *Store) Close() error { return s.Source.Close() }

// Open opens the configured store. A SQL store is connected lazily and
// reconnected on demand, so the exporter starts (and serves its gates as
// hold) while the database is still coming up.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	switch cfg.Type {
	case TypeDuckDB:
		if cfg.Path == "" {
			return nil, fmt.Errorf("--store.path: required with --store.type=duckdb (the DuckDB file the exporter owns)")
		}
		s, err := duckdb.OpenWithOptions(cfg.Path, duckdb.Options{MemoryLimitMiB: cfg.DuckDBMemoryMiB})
		if err != nil {
			return nil, err
		}
		return &Store{Source: s, Writer: duckdbWriter{s}, duck: s}, nil
	case TypeClickHouse, TypePostgres:
		data, err := readConfig(cfg)
		if err != nil {
			return nil, err
		}
		open, healthChecks, err := sqlOpener(cfg, data)
		if err != nil {
			return nil, err
		}
		l := &lazySource{name: cfg.Type, open: open}
		if healthChecks {
			return &Store{Source: lazyHealthSource{l}, Writer: l, lazy: l}, nil
		}
		return &Store{Source: l, Writer: l, lazy: l}, nil
	}
	return nil, fmt.Errorf("--store.type: expected duckdb, clickhouse or postgres, got %q", cfg.Type)
}

func readConfig(cfg Config) ([]byte, error) {
	if cfg.ConfigFile == "" {
		return nil, fmt.Errorf("--store.config: required with --store.type=%s (a YAML file with dsn or addr/database/user)", cfg.Type)
	}
	data, err := os.ReadFile(cfg.ConfigFile)
	if err != nil {
		return nil, fmt.Errorf("--store.config: %w", err)
	}
	return data, nil
}

// sqlOpener validates the config now (a typo fails at startup, not at the
// first evaluation) and returns how to connect and whether the store runs
// data-health checks.
func sqlOpener(cfg Config, data []byte) (func(context.Context) (sqlSource, error), bool, error) {
	switch cfg.Type {
	case TypeClickHouse:
		c, err := clickhouse.ParseConfig(data)
		if err != nil {
			return nil, false, fmt.Errorf("%s: %w", cfg.ConfigFile, err)
		}
		open := func(ctx context.Context) (*clickhouse.Source, error) { return clickhouse.Open(ctx, c) }
		return connector(open, cfg.CreateSchema), runsHealthChecks((*clickhouse.Source)(nil)), nil
	default:
		c, err := postgres.ParseConfig(data)
		if err != nil {
			return nil, false, fmt.Errorf("%s: %w", cfg.ConfigFile, err)
		}
		open := func(ctx context.Context) (*postgres.Source, error) { return postgres.Open(ctx, c) }
		return connector(open, cfg.CreateSchema), runsHealthChecks((*postgres.Source)(nil)), nil
	}
}

// schemaSource is a SQL store that can create liftgate's own tables.
type schemaSource interface {
	sqlSource
	CreateLiftgateSchema(ctx context.Context) error
}

// connector opens a store and, when asked, creates liftgate's schema in it,
// closing the connection again if that fails.
func connector[S schemaSource](open func(context.Context) (S, error), createSchema bool) func(context.Context) (sqlSource, error) {
	return func(ctx context.Context) (sqlSource, error) {
		s, err := open(ctx)
		if err != nil {
			return nil, err
		}
		if createSchema {
			if err := s.CreateLiftgateSchema(ctx); err != nil {
				_ = s.Close()
				return nil, err
			}
		}
		return s, nil
	}
}

// runsHealthChecks reports whether a store type implements the optional
// data-health interface, decided on its type before any connection.
func runsHealthChecks(typed events.Source) bool {
	_, ok := typed.(events.HealthChecker)
	return ok
}

// duckdbWriter adapts the embedded store's Append.
type duckdbWriter struct{ s *duckdb.Store }

func (w duckdbWriter) Write(ctx context.Context, evs []events.Event) (int, int, error) {
	res, err := w.s.Append(ctx, evs)
	return res.Inserted, res.Duplicates, err
}
