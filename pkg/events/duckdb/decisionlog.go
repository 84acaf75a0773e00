package duckdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/liftgate/liftgate/pkg/decisionlog"
)

// decisionsSchema is the decision log's table in the store's own file, so
// the log lives (and is backed up) with the events it judged. entry is the
// whole entry as JSON and is what readers decode: times keep their
// nanoseconds and new fields need no migration. The other columns exist to
// filter and to apply retention.
//
// Ids come from a sequence, which lives in the file too: retention deleting
// the newest entries never lets an id be given again.
var decisionsSchema = []string{`CREATE SEQUENCE IF NOT EXISTS liftgate_decisions_id START 1`, `CREATE TABLE IF NOT EXISTS liftgate_decisions (
	id          BIGINT    PRIMARY KEY, -- assigned by Append, increasing
	recorded_at TIMESTAMP NOT NULL,    -- when the log stored the entry, UTC
	time        TIMESTAMP NOT NULL,    -- when the recorded fact holds, UTC
	experiment  VARCHAR   NOT NULL,
	kind        VARCHAR   NOT NULL,
	plan_hash   VARCHAR   NOT NULL,
	entry       VARCHAR   NOT NULL     -- the entry as JSON: authoritative
)`}

// DecisionLog is the decision log kept in the DuckDB store. Only the
// process that owns the file writes it (DuckDB locks the file). An Append is one transaction: it
// is durable when it returns (DuckDB syncs its write-ahead log at commit)
// and all of its entries are stored or none. Nothing in it updates a row:
// entries leave only through Compact.
type DecisionLog struct {
	s      *Store
	maxAge time.Duration
	now    func() time.Time

	mu     sync.Mutex
	closed bool
}

var (
	_ decisionlog.Log      = (*DecisionLog)(nil)
	_ decisionlog.Retainer = (*DecisionLog)(nil)
)

// DecisionLog creates the decision log's table if it is missing and returns
// the log. The log shares the store: Close it before the store.
func (s *Store) DecisionLog(ctx context.Context, opts decisionlog.Options) (*DecisionLog, error) {
	if opts.MaxAge < 0 {
		return nil, fmt.Errorf("duckdb: decision log: retention %s is negative", opts.MaxAge)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	for _, stmt := range decisionsSchema {
		if _, err := s.db.ExecContext(ctx, stmt); err != nil {
			return nil, fmt.Errorf("duckdb: decision log: creating liftgate_decisions: %w", err)
		}
	}
	return &DecisionLog{s: s, maxAge: opts.MaxAge, now: opts.Now}, nil
}

// Append implements decisionlog.Log.
func (l *DecisionLog) Append(ctx context.Context, entries ...decisionlog.Entry) ([]decisionlog.Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, errors.New("duckdb: decision log is closed")
	}
	if len(entries) == 0 {
		return []decisionlog.Entry{}, nil
	}
	now := l.now().UTC()
	out, err := decisionlog.Prepare(entries, now)
	if err != nil {
		return nil, fmt.Errorf("duckdb: decision log: %w", err)
	}

	tx, err := l.s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("duckdb: decision log: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	for i := range out {
		// l.mu keeps a batch's ids consecutive; a rolled-back batch
		// leaves a gap, which readers never rely on.
		var id int64
		if err := tx.QueryRowContext(ctx, `SELECT nextval('liftgate_decisions_id')`).Scan(&id); err != nil {
			return nil, fmt.Errorf("duckdb: decision log: %w", err)
		}
		out[i].ID = uint64(id)
		doc, err := json.Marshal(out[i])
		if err != nil {
			return nil, fmt.Errorf("duckdb: decision log: entry %d: encoding: %w", i, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO liftgate_decisions (id, recorded_at, time, experiment, kind, plan_hash, entry)
			VALUES ($1, make_timestamp($2::BIGINT), make_timestamp($3::BIGINT), $4, $5, $6, $7)`,
			int64(out[i].ID), now.UnixMicro(), out[i].Time.UTC().UnixMicro(),
			out[i].Experiment, string(out[i].Kind), out[i].PlanHash, string(doc)); err != nil {
			return nil, fmt.Errorf("duckdb: decision log: entry %d: %w", i, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("duckdb: decision log: commit: %w", err)
	}
	return out, nil
}

// List implements decisionlog.Log. The time column holds microseconds, so
// Since is applied coarsely in SQL and exactly on the decoded entries.
func (l *DecisionLog) List(ctx context.Context, f decisionlog.Filter) ([]decisionlog.Entry, error) {
	if err := l.open(); err != nil {
		return nil, err
	}
	var where []string
	var args []any
	arg := func(clause string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(clause, len(args)))
	}
	arg("id > $%d", int64(f.AfterID))
	if f.Experiment != "" {
		arg("experiment = $%d", f.Experiment)
	}
	if f.Kind != "" {
		arg("kind = $%d", string(f.Kind))
	}
	if !f.Since.IsZero() {
		arg("time >= make_timestamp($%d::BIGINT)", f.Since.UTC().Truncate(time.Microsecond).UnixMicro())
	}
	rows, err := l.s.db.QueryContext(ctx, `SELECT id, entry FROM liftgate_decisions WHERE `+strings.Join(where, " AND ")+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("duckdb: decision log: %w", err)
	}
	defer rows.Close()
	out := []decisionlog.Entry{}
	for rows.Next() {
		var id int64
		var doc string
		if err := rows.Scan(&id, &doc); err != nil {
			return nil, fmt.Errorf("duckdb: decision log: %w", err)
		}
		e, keep, err := decisionlog.Decode(id, []byte(doc), f)
		if err != nil {
			return nil, fmt.Errorf("duckdb: decision log: %w", err)
		}
		if keep {
			out = append(out, e)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("duckdb: decision log: %w", err)
	}
	return out, nil
}

// Compact implements decisionlog.Retainer: it deletes the entries recorded
// more than MaxAge before now.
func (l *DecisionLog) Compact(ctx context.Context, now time.Time) (int, error) {
	if err := l.open(); err != nil {
		return 0, err
	}
	if l.maxAge == 0 {
		return 0, ctx.Err()
	}
	res, err := l.s.db.ExecContext(ctx, `DELETE FROM liftgate_decisions
		WHERE recorded_at < make_timestamp($1::BIGINT)`, now.Add(-l.maxAge).UTC().UnixMicro())
	if err != nil {
		return 0, fmt.Errorf("duckdb: decision log: retention: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

func (l *DecisionLog) open() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return errors.New("duckdb: decision log is closed")
	}
	return nil
}

// Close implements decisionlog.Log; it leaves the store open.
func (l *DecisionLog) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	return nil
}
