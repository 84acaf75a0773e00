// Package stores opens the event store the exporter evaluates against:
// the embedded DuckDB file it owns, or a ClickHouse or PostgreSQL database
// described by a config file.
package stores

import (
	"context"
	"fmt"
	"os"

	"gopkg.in/yaml.v3"

	"github.com/liftgate/liftgate/exporter/server"
	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/events/clickhouse"
	"github.com/liftgate/liftgate/pkg/events/duckdb"
	"github.com/liftgate/liftgate/pkg/events/postgres"
	"github.com/liftgate/liftgate/pkg/events/storeconfig"
)

// Store types accepted by --store.type.
const (
	TypeDuckDB     = "duckdb"
	TypeClickHouse = "clickhouse"
	TypePostgres   = "postgres"
)

// Config selects and configures the store.
type Config struct {
	// Type is duckdb, clickhouse or postgres; empty means the type the
	// config file names (duckdb without a config file).
	Type string
	// Path is the DuckDB file (TypeDuckDB).
	Path string
	// DuckDBMemoryMiB caps DuckDB's memory (0: the store's default).
	DuckDBMemoryMiB int
	// ConfigFile is the ClickHouse or PostgreSQL YAML config: the CLI's
	// store file (its type: decides the store when Type is empty), or the
	// store's own block typed by Type.
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
	if cfg.Type == "" && cfg.ConfigFile == "" {
		cfg.Type = TypeDuckDB
	}
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
	case "", TypeClickHouse, TypePostgres:
		sc, err := readConfig(cfg)
		if err != nil {
			return nil, err
		}
		open, healthChecks := sqlOpener(cfg, sc)
		l := &lazySource{name: sc.Type, open: open}
		if healthChecks {
			return &Store{Source: lazyHealthSource{l}, Writer: l, lazy: l}, nil
		}
		return &Store{Source: l, Writer: l, lazy: l}, nil
	}
	return nil, fmt.Errorf("--store.type: expected duckdb, clickhouse or postgres, got %q", cfg.Type)
}

// readConfig reads --store.config in either format: the store file the
// liftgate CLI reads with --store (type: plus a clickhouse: or postgres:
// block, mapping presets allowed), or the store's own block alone, typed
// by --store.type. It is validated now, so a typo fails at startup, not at
// the first evaluation.
func readConfig(cfg Config) (storeconfig.Config, error) {
	if cfg.ConfigFile == "" {
		return storeconfig.Config{}, fmt.Errorf("--store.config: required with --store.type=%s (a YAML file with dsn or addr/database/user)", cfg.Type)
	}
	data, err := os.ReadFile(cfg.ConfigFile)
	if err != nil {
		return storeconfig.Config{}, fmt.Errorf("--store.config: %w", err)
	}
	if hasTypeKey(data) {
		sc, err := storeconfig.Parse(data)
		if err != nil {
			return storeconfig.Config{}, fmt.Errorf("%s: %w", cfg.ConfigFile, err)
		}
		if cfg.Type != "" && cfg.Type != sc.Type {
			return storeconfig.Config{}, fmt.Errorf("--store.type=%s, but %s says type: %s", cfg.Type, cfg.ConfigFile, sc.Type)
		}
		return sc, nil
	}
	sc := storeconfig.Config{Type: cfg.Type}
	switch cfg.Type {
	case TypeClickHouse:
		c, err := clickhouse.ParseConfig(data)
		if err != nil {
			return storeconfig.Config{}, fmt.Errorf("%s: %w", cfg.ConfigFile, err)
		}
		sc.ClickHouse = &c
	case TypePostgres:
		c, err := postgres.ParseConfig(data)
		if err != nil {
			return storeconfig.Config{}, fmt.Errorf("%s: %w", cfg.ConfigFile, err)
		}
		sc.Postgres = &c
	default:
		return storeconfig.Config{}, fmt.Errorf("--store.type: required with %s, which has no type: key (clickhouse or postgres)", cfg.ConfigFile)
	}
	return sc, nil
}

// hasTypeKey reports whether data is a YAML mapping with a top-level type
// key: the store-file format. The stores' own configurations have none.
func hasTypeKey(data []byte) bool {
	var top map[string]yaml.Node
	if err := yaml.Unmarshal(data, &top); err != nil {
		return false
	}
	_, ok := top["type"]
	return ok
}

// sqlOpener returns how to connect to the configured SQL store and whether
// it runs data-health checks.
func sqlOpener(cfg Config, sc storeconfig.Config) (func(context.Context) (sqlSource, error), bool) {
	if sc.Type == TypeClickHouse {
		c := *sc.ClickHouse
		open := func(ctx context.Context) (*clickhouse.Source, error) { return clickhouse.Open(ctx, c) }
		return connector(open, cfg.CreateSchema), runsHealthChecks((*clickhouse.Source)(nil))
	}
	c := *sc.Postgres
	open := func(ctx context.Context) (*postgres.Source, error) { return postgres.Open(ctx, c) }
	return connector(open, cfg.CreateSchema), runsHealthChecks((*postgres.Source)(nil))
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
