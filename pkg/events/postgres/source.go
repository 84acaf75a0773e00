package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/liftgate/liftgate/pkg/events"
)

// minServerVersion is PostgreSQL 14: extract(epoch ...) returns an exact
// numeric there, which bucket boundaries rely on.
const minServerVersion = 140000

// Source reads events from PostgreSQL. It is safe for concurrent use.
type Source struct {
	pool     *pgxpool.Pool
	mapping  events.Mapping
	timeout  time.Duration
	settings [][2]string // Config.Settings, sorted by name
	password string      // only to scrub error text
}

var _ events.Source = (*Source)(nil)

// Open validates the configuration, connects and checks the server version.
// It does not require the mapped tables to exist yet (CreateLiftgateSchema
// may create them).
func Open(ctx context.Context, cfg Config) (*Source, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	pc, err := cfg.poolConfig()
	if err != nil {
		return nil, err
	}
	s := &Source{mapping: cfg.Mapping, timeout: cfg.QueryTimeout.D(), settings: cfg.sortedSettings(), password: pc.ConnConfig.Password}
	where := fmt.Sprintf("%s:%d database %q as %q", pc.ConnConfig.Host, pc.ConnConfig.Port, pc.ConnConfig.Database, pc.ConnConfig.User)
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, s.wrap(ctx, ctx, "open "+where, err)
	}
	s.pool = pool
	if err := s.checkServer(ctx); err != nil {
		pool.Close()
		return nil, s.wrap(ctx, ctx, "open "+where, err)
	}
	return s, nil
}

// checkServer connects once (so a wrong address or password fails in Open,
// not in the first analysis) and refuses servers older than 14.
func (s *Source) checkServer(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	var num string
	if err := conn.QueryRow(ctx, "SHOW server_version_num").Scan(&num); err != nil {
		return err
	}
	v, err := strconv.Atoi(num)
	if err != nil {
		return fmt.Errorf("unexpected server_version_num %q", num)
	}
	if v < minServerVersion {
		return fmt.Errorf("server version %s is older than PostgreSQL 14, which liftgate needs", conn.Conn().PgConn().ParameterStatus("server_version"))
	}
	return nil
}

// Name identifies the source in errors and metrics.
func (s *Source) Name() string { return "postgres" }

// Close closes the connection pool.
func (s *Source) Close() error {
	if s.pool != nil {
		s.pool.Close()
	}
	return nil
}

// plannerSettings apply to every query, scoped to its transaction.
// Nested loops are off: the planner cannot estimate how many units survive
// the jsonb filters and per-unit classification, guesses one row, and a
// nested loop over "one" unit that is really 100,000 units rescans the
// event table per unit (minutes instead of a second at 1M events). Hash
// joins and aggregates are right at every size these queries see.
var plannerSettings = [][2]string{{"enable_nestloop", "off"}}

// query runs one statement in a read-only transaction under the caller's
// context and QueryTimeout, after the planner and user settings (bound
// parameters of set_config, local to the transaction), and hands each row to
// scan. Errors name the source and the operation.
func (s *Source) query(ctx context.Context, op, sql string, args []any, scan func(pgx.Rows) error) error {
	qctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	tx, err := s.pool.BeginTx(qctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return s.wrap(ctx, qctx, op, err)
	}
	defer func() {
		// Nothing was written; rolling back just ends the transaction. A
		// connection broken by cancellation is discarded by pgx.
		rctx, rcancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer rcancel()
		_ = tx.Rollback(rctx)
	}()
	if set, setArgs := s.setConfig(); set != "" {
		if _, err := tx.Exec(qctx, set, setArgs...); err != nil {
			return s.wrap(ctx, qctx, op, fmt.Errorf("applying settings: %w", err))
		}
	}
	rows, err := tx.Query(qctx, sql, args...)
	if err != nil {
		return s.wrap(ctx, qctx, op, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return s.wrap(ctx, qctx, op, err)
		}
	}
	if err := rows.Err(); err != nil {
		return s.wrap(ctx, qctx, op, err)
	}
	return nil
}

// setConfig is one SELECT applying every setting with set_config(name,
// value, true): names and values are parameters, never SQL text.
func (s *Source) setConfig() (string, []any) {
	all := append(append([][2]string{}, plannerSettings...), s.settings...)
	var calls []string
	var args []any
	for _, kv := range all {
		args = append(args, kv[0], kv[1])
		calls = append(calls, fmt.Sprintf("set_config($%d, $%d, true)", len(args)-1, len(args)))
	}
	if len(calls) == 0 {
		return "", nil
	}
	return "SELECT " + strings.Join(calls, ", "), args
}

// wrap names the source and operation, says whether the caller cancelled
// or QueryTimeout expired, and scrubs the password from the text.
func (s *Source) wrap(callerCtx, queryCtx context.Context, op string, err error) error {
	switch {
	case callerCtx.Err() != nil:
		return &sourceError{op: op, msg: "cancelled by the caller", err: callerCtx.Err(), password: s.password}
	case queryCtx.Err() != nil:
		return &sourceError{op: op, msg: "query timed out after " + s.timeout.String() + " (query_timeout)", err: queryCtx.Err(), password: s.password}
	}
	return &sourceError{op: op, err: err, password: s.password}
}

// sourceError is an error of one operation. Unwrap keeps errors.Is working
// (context.DeadlineExceeded, *pgconn.PgError); Error never shows the
// password even if a driver message were to quote it.
type sourceError struct {
	op       string
	msg      string
	err      error
	password string
}

func (e *sourceError) Error() string {
	text := "postgres: " + e.op + ": "
	if e.msg != "" {
		text += e.msg + ": "
	}
	text += e.err.Error()
	if e.password != "" {
		text = strings.ReplaceAll(text, e.password, redacted)
	}
	return text
}

func (e *sourceError) Unwrap() error { return e.err }

// errorf makes a plain error of this source for an operation.
func errorf(op, format string, args ...any) error {
	return errors.New("postgres: " + op + ": " + fmt.Sprintf(format, args...))
}
