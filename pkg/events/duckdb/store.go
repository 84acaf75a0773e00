// Package duckdb is liftgate's embedded event store: one DuckDB file holding
// an events table that answers events.Source queries by aggregating in SQL.
//
// DuckDB needs cgo; pkg/events itself stays pure Go so that the Grafana
// plugin (built with CGO_ENABLED=0) can use the contract without this driver.
package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"runtime"
	"strings"
	"sync"

	duck "github.com/duckdb/duckdb-go/v2"

	"github.com/liftgate/liftgate/pkg/events"
)

// Options tune the DuckDB instance behind a Store.
type Options struct {
	// MemoryLimitMiB caps DuckDB's buffer memory; larger work spills to a
	// temporary directory next to the database file. 0 means 1024.
	MemoryLimitMiB int
	// Threads is DuckDB's worker count. 0 means the number of CPUs, at most 4.
	Threads int
}

// Default resource limits: aggregations over tens of millions of events stay
// within them (DuckDB streams scans and spills hash tables), and they leave
// room for other processes on small machines.
const (
	defaultMemoryLimitMiB = 1024
	maxDefaultThreads     = 4
)

// Store is an event store in one DuckDB database. Only one process may open
// a database file while anyone writes to it (DuckDB locks the file); within
// the process a Store is safe for concurrent use.
type Store struct {
	db *sql.DB
	// appendMu serialises Append: the duplicate check and the insert must
	// not interleave with another batch carrying the same ids.
	appendMu sync.Mutex
}

var _ events.Source = (*Store)(nil)

// Open opens or creates the store at path ("" or ":memory:" for an
// in-memory store) with default Options.
func Open(path string) (*Store, error) {
	return OpenWithOptions(path, Options{})
}

// OpenWithOptions opens or creates the store at path and creates the events
// table if it is absent.
func OpenWithOptions(path string, opts Options) (*Store, error) {
	if strings.Contains(path, "?") {
		return nil, fmt.Errorf("duckdb: database path %q must not contain '?'", path)
	}
	if opts.MemoryLimitMiB < 0 || opts.Threads < 0 {
		return nil, fmt.Errorf("duckdb: memory limit and threads must not be negative, got %d MiB and %d", opts.MemoryLimitMiB, opts.Threads)
	}
	if opts.MemoryLimitMiB == 0 {
		opts.MemoryLimitMiB = defaultMemoryLimitMiB
	}
	if opts.Threads == 0 {
		opts.Threads = min(runtime.NumCPU(), maxDefaultThreads)
	}
	connector, err := duck.NewConnector(path, func(execer driver.ExecerContext) error {
		// Every session in UTC, so no TIMESTAMPTZ conversion anywhere can
		// depend on the machine's zone.
		_, err := execer.ExecContext(context.Background(), "SET TimeZone = 'UTC'", nil)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("duckdb: opening %q: %w", displayPath(path), err)
	}
	// sql.DB closes the connector when it is closed.
	s := &Store{db: sql.OpenDB(connector)}
	if err := s.init(opts); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("duckdb: opening %q: %w", displayPath(path), err)
	}
	return s, nil
}

func displayPath(path string) string {
	if path == "" {
		return ":memory:"
	}
	return path
}

// schema is the events table. Rows are appended in batches ordered by ts, so
// each row group's zone map covers a narrow time range and the time filter
// of every query skips most of a long history. properties is JSON text: the
// set of properties differs per event and per customer, and DuckDB's JSON
// functions read it column-wise fast enough for per-unit aggregation. There
// is deliberately no PRIMARY KEY: an ART index over 10M string ids did not
// fit a 1 GiB memory limit (Append dedupes with an anti-join instead).
const schema = `CREATE TABLE IF NOT EXISTS events (
	id          VARCHAR   NOT NULL, -- unique per event; the dedupe key
	event       VARCHAR   NOT NULL, -- event name
	unit_id     VARCHAR   NOT NULL, -- the event's own unit (user_id)
	ts          TIMESTAMP NOT NULL, -- when it happened, UTC
	properties  JSON      NOT NULL, -- JSON object
	ingested_at TIMESTAMP NOT NULL  -- when it was appended, UTC
)`

var wantColumns = []string{"id VARCHAR", "event VARCHAR", "unit_id VARCHAR", "ts TIMESTAMP", "properties JSON", "ingested_at TIMESTAMP"}

func (s *Store) init(opts Options) error {
	ctx := context.Background()
	// Integers formatted by Go: no caller text reaches these statements.
	for _, stmt := range []string{
		fmt.Sprintf("SET memory_limit = '%dMiB'", opts.MemoryLimitMiB),
		fmt.Sprintf("SET threads = %d", opts.Threads),
		schema,
	} {
		if _, err := s.db.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return s.checkColumns(ctx)
}

// checkColumns refuses a database whose events table is not liftgate's, so
// opening some other DuckDB file fails here with a clear message rather than
// later with a confusing one.
func (s *Store) checkColumns(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_schema = 'main' AND table_name = 'events' ORDER BY ordinal_position`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return err
		}
		got = append(got, name+" "+typ)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if strings.Join(got, ", ") != strings.Join(wantColumns, ", ") {
		return fmt.Errorf("the events table has columns (%s), not liftgate's (%s)", strings.Join(got, ", "), strings.Join(wantColumns, ", "))
	}
	return nil
}

// Name identifies the source.
func (s *Store) Name() string { return "duckdb" }

// Close checkpoints and closes the database.
func (s *Store) Close() error {
	if s.db == nil {
		return nil
	}
	err := s.db.Close()
	s.db = nil
	return err
}
