package main

import (
	"context"
	"fmt"

	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/events/duckdb"
	"github.com/liftgate/liftgate/pkg/events/storeconfig"
)

// --store names a store file (pkg/events/storeconfig): a ClickHouse or
// PostgreSQL database that `liftgate analyze` reads in place and `liftgate
// import` loads into liftgate's schema. The embedded DuckDB store keeps its
// own flags (--db, --events).

// openStoreFile loads a store file and connects to the store it names. A
// file that does not load is a usage error (exit 2); a store that cannot be
// reached is a runtime one (exit 1).
func openStoreFile(ctx context.Context, path string) (storeconfig.Writable, error) {
	cfg, err := storeconfig.Load(path)
	if err != nil {
		return nil, &exitError{code: 2, err: fmt.Errorf("--store: %w", err)}
	}
	s, err := storeconfig.OpenWritable(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("--store %s: %w", path, err)
	}
	return s, nil
}

// eventAppender is where the importer writes batches: the DuckDB store, or
// a SQL store through sqlImportTarget.
type eventAppender interface {
	Append(ctx context.Context, evs []events.Event) (duckdb.AppendResult, error)
}

// importTarget is an eventAppender the import command closes at the end.
type importTarget interface {
	eventAppender
	Close() error
}

var (
	_ importTarget = (*duckdb.Store)(nil)
	_ importTarget = sqlImportTarget{}
)

// openImportTarget opens the DuckDB file, or the store file's SQL store
// with liftgate's event table created if it is missing.
func openImportTarget(ctx context.Context, dbPath, storePath string) (importTarget, error) {
	if storePath == "" {
		s, err := duckdb.Open(dbPath)
		if err != nil {
			return nil, err // not a nil *Store in a non-nil interface
		}
		return s, nil
	}
	s, err := openStoreFile(ctx, storePath)
	if err != nil {
		return nil, err
	}
	if err := s.CreateLiftgateSchema(ctx); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("--store %s: %w", storePath, err)
	}
	return sqlImportTarget{s}, nil
}

// sqlImportTarget adapts a SQL store's Insert (which returns the number of
// new events) to the importer's Append.
type sqlImportTarget struct{ storeconfig.Writable }

func (t sqlImportTarget) Append(ctx context.Context, evs []events.Event) (duckdb.AppendResult, error) {
	n, err := t.Insert(ctx, evs)
	if err != nil {
		// ClickHouse may have stored earlier parts of the batch; the
		// importer reports the error, not counts.
		return duckdb.AppendResult{Inserted: int(n)}, err
	}
	return duckdb.AppendResult{Inserted: int(n), Duplicates: len(evs) - int(n)}, nil
}

// countGiven counts the options given, for "exactly one of" checks.
func countGiven(given ...bool) int {
	n := 0
	for _, g := range given {
		if g {
			n++
		}
	}
	return n
}
