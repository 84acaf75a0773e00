package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"strings"
	"sync"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/liftgate/liftgate/pkg/events"
)

// Source reads events from ClickHouse. It is safe for concurrent use.
type Source struct {
	conn     driver.Conn
	mapping  events.Mapping
	timeout  time.Duration
	password string // only to scrub error text
	server   serverInfo
	settings ch.Settings // sent with every query besides the timeout

	mu     sync.Mutex
	tables map[string]tableColumns // column types by table, read on first use
	insert sync.Mutex              // serialises Insert's duplicate check and write
}

var _ events.Source = (*Source)(nil)

// Open validates the configuration, connects, and reads what the server
// supports. It does not require the mapped tables to exist yet
// (CreateLiftgateSchema may create them); their columns are checked on first
// use.
func Open(ctx context.Context, cfg Config) (*Source, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	opts, err := cfg.options()
	if err != nil {
		return nil, err
	}
	s := &Source{mapping: cfg.Mapping, timeout: cfg.QueryTimeout.D(), password: opts.Auth.Password, tables: map[string]tableColumns{},
		settings: querySettings(cfg.Settings)}
	user := opts.Auth.Username
	if user == "" {
		user = "default"
	}
	database := opts.Auth.Database
	if database == "" {
		database = "(the user's default)"
	}
	op := fmt.Sprintf("open %s database %s as %q", strings.Join(opts.Addr, ","), database, user)
	conn, err := ch.Open(opts)
	if err != nil {
		return nil, s.wrap(ctx, ctx, op, err)
	}
	s.conn = conn
	qctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if err := conn.Ping(qctx); err != nil {
		_ = conn.Close()
		return nil, s.wrap(ctx, qctx, op, err)
	}
	if s.server, err = readServerInfo(qctx, conn); err != nil {
		_ = conn.Close()
		return nil, s.wrap(ctx, qctx, op, err)
	}
	if err := checkServerSettings(qctx, conn, s.server.version, s.settings); err != nil {
		_ = conn.Close()
		return nil, s.wrap(ctx, qctx, op, err)
	}
	return s, nil
}

// Name identifies the source in errors and metrics.
func (s *Source) Name() string { return "clickhouse" }

// ServerVersion is the server's version, e.g. "18.16.1".
func (s *Source) ServerVersion() string { return s.server.version }

// Close closes the connection pool.
func (s *Source) Close() error {
	if s.conn == nil {
		return nil
	}
	return s.conn.Close()
}

// queryContext adds QueryTimeout to the caller's context and tells the
// server the same limit, so a query the client gave up on does not keep
// running there. join_use_nulls is pinned because the queries rely on
// unmatched LEFT JOIN rows reading as 0. The configured settings (by
// default the spill thresholds) go with every query.
func (s *Source) queryContext(ctx context.Context) (context.Context, context.CancelFunc) {
	qctx, cancel := context.WithTimeout(ctx, s.timeout)
	settings := ch.Settings{
		"max_execution_time": int(math.Ceil(s.timeout.Seconds())),
		"join_use_nulls":     0,
	}
	for name, v := range s.settings {
		settings[name] = v
	}
	return ch.Context(qctx, ch.WithSettings(settings)), cancel
}

// query runs one statement under the caller's context and QueryTimeout and
// hands each row to scan. Errors name the source and the operation.
//
// A query that fails before its first row because the pooled connection
// was closed under it (net.ErrClosed: see sendBatch) is sent once more, on
// another connection: nothing has been read, so nothing is repeated.
func (s *Source) query(ctx context.Context, op, sql string, args []any, scan func(driver.Rows) error) error {
	qctx, cancel := s.queryContext(ctx)
	defer cancel()
	rows, err := s.conn.Query(qctx, sql, args...)
	if err != nil && errors.Is(err, net.ErrClosed) && qctx.Err() == nil {
		rows, err = s.conn.Query(qctx, sql, args...)
	}
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

// exec runs one statement that returns no rows.
func (s *Source) exec(ctx context.Context, op, sql string, args ...any) error {
	qctx, cancel := s.queryContext(ctx)
	defer cancel()
	if err := s.conn.Exec(qctx, sql, args...); err != nil {
		return s.wrap(ctx, qctx, op, err)
	}
	return nil
}

// wrap names the source and operation, says whether the caller cancelled
// or QueryTimeout expired, and scrubs the password from the text.
func (s *Source) wrap(callerCtx, queryCtx context.Context, op string, err error) error {
	var se *sourceError
	if errors.As(err, &se) {
		return err
	}
	if cause := ctxDone(callerCtx); cause != nil {
		return &sourceError{op: op, msg: "cancelled by the caller", err: cause, password: s.password}
	}
	if cause := ctxDone(queryCtx); cause != nil {
		return &sourceError{op: op, msg: "query timed out after " + s.timeout.String() + " (query_timeout)", err: cause, password: s.password}
	}
	return &sourceError{op: op, err: err, password: s.password}
}

// ctxDone is ctx.Err(), or DeadlineExceeded once the deadline has passed
// even if the context has not noticed yet: clickhouse-go sets the socket
// deadline from the context, so a read can time out a moment before the
// context's own timer fires.
func ctxDone(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
		return context.DeadlineExceeded
	}
	return nil
}

// sourceError is an error of one operation. Unwrap keeps errors.Is working
// (context.DeadlineExceeded, *clickhouse.Exception); Error never shows the
// password even if a driver message were to quote it.
type sourceError struct {
	op       string
	msg      string
	err      error
	password string
}

func (e *sourceError) Error() string {
	text := "clickhouse: " + e.op + ": "
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
	return errors.New("clickhouse: " + op + ": " + fmt.Sprintf(format, args...))
}
