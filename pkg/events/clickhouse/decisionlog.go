package clickhouse

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/liftgate/liftgate/pkg/decisionlog"
)

// DecisionLog is the decision log kept in the liftgate_decisions table of
// the configured ClickHouse database. An Append is one INSERT block, which
// MergeTree stores atomically (all of a batch shares recorded_at, so it
// lands in one part): all entries or none. Nothing updates a row; entries
// leave only through Compact, which drops whole days.
//
// ClickHouse has no sequences or transactions, so ids are max(id)+1 taken
// under a process-wide lock: unique within this process, but two processes
// appending at the same instant could pick the same id. Readers tolerate
// that (an id then names two entries); List orders by (id, recorded_at).
type DecisionLog struct {
	src    *Source
	maxAge time.Duration
	now    func() time.Time
	closed atomic.Bool
}

var (
	_ decisionlog.Log      = (*DecisionLog)(nil)
	_ decisionlog.Retainer = (*DecisionLog)(nil)
)

// decisionsMu serialises taking ids and inserting, and retention, across
// every DecisionLog of the process: two Sources on one database in one
// process still never give an id twice.
var decisionsMu sync.Mutex

// DecisionLog creates the decision log's table in the configured database
// if it is missing and returns the log. Closing the log leaves the Source
// open.
func (s *Source) DecisionLog(ctx context.Context, opts decisionlog.Options) (*DecisionLog, error) {
	if opts.MaxAge < 0 {
		return nil, errorf("decision log", "retention %s is negative", opts.MaxAge)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if err := s.createDecisionsTable(ctx); err != nil {
		return nil, err
	}
	return &DecisionLog{src: s, maxAge: opts.MaxAge, now: opts.Now}, nil
}

// Append implements decisionlog.Log.
func (l *DecisionLog) Append(ctx context.Context, entries ...decisionlog.Entry) ([]decisionlog.Entry, error) {
	const op = "decision log: append"
	if err := l.usable(ctx, op); err != nil {
		return nil, err
	}
	out, err := decisionlog.Prepare(entries, l.now().UTC())
	if err != nil {
		return nil, fmt.Errorf("clickhouse: %s: %w", op, err)
	}
	if len(out) == 0 {
		return out, nil
	}
	s := l.src
	decisionsMu.Lock()
	defer decisionsMu.Unlock()
	var last int64
	if err := s.query(ctx, op, "SELECT max(`id`) FROM `"+decisionsTable+"`", nil, func(r driver.Rows) error {
		return r.Scan(&last)
	}); err != nil {
		return nil, err
	}
	if last < 0 || last > math.MaxInt64-int64(len(out)) {
		return nil, errorf(op, "the largest stored id is %d; no room for %d more", last, len(out))
	}
	docs := make([]string, len(out))
	for i := range out {
		out[i].ID = uint64(last) + 1 + uint64(i)
		doc, err := json.Marshal(out[i])
		if err != nil {
			return nil, errorf(op, "entry %d: encoding: %v", i, err)
		}
		docs[i] = string(doc)
	}

	qctx, cancel := s.queryContext(ctx)
	defer cancel()
	batch, err := s.conn.PrepareBatch(qctx, "INSERT INTO `"+decisionsTable+"` (`id`, `recorded_at`, `time`, `experiment`, `kind`, `plan_hash`, `entry`)")
	if err != nil {
		return nil, s.wrap(ctx, qctx, op, err)
	}
	defer func() { _ = batch.Abort() }()
	for i, e := range out {
		if err := batch.Append(int64(e.ID), dateTime(e.RecordedAt), dateTime(e.Time), e.Experiment, string(e.Kind), e.PlanHash, docs[i]); err != nil {
			return nil, s.wrap(ctx, qctx, op, fmt.Errorf("entry %d: %w", i, err))
		}
	}
	// Sent as one block: one part, stored whole or not at all.
	if err := batch.Send(); err != nil {
		return nil, s.wrap(ctx, qctx, op, err)
	}
	return out, nil
}

// dateTime is t in a DateTime column: whole seconds (rounded down), clamped
// to the type's range (1970 to 2106), beyond which it would wrap around.
// Rounding down and clamping keep order, so a filter on the column with a
// bound treated the same way never loses an entry; the JSON keeps the
// exact time.
func dateTime(t time.Time) time.Time {
	return time.Unix(min(max(t.Unix(), 0), maxDateTime), 0).UTC()
}

// List implements decisionlog.Log. The time column holds whole seconds, so
// Since is applied coarsely in SQL and exactly on the decoded entries.
func (l *DecisionLog) List(ctx context.Context, f decisionlog.Filter) ([]decisionlog.Entry, error) {
	const op = "decision log: list"
	if err := l.usable(ctx, op); err != nil {
		return nil, err
	}
	out := []decisionlog.Entry{}
	if f.AfterID >= math.MaxInt64 {
		return out, nil // no id is larger
	}
	p := &params{}
	where := []string{"`id` > " + p.int(int64(f.AfterID))}
	if f.Experiment != "" {
		where = append(where, "`experiment` = "+p.text(f.Experiment))
	}
	if f.Kind != "" {
		where = append(where, "`kind` = "+p.text(string(f.Kind)))
	}
	if !f.Since.IsZero() {
		where = append(where, "`time` >= toDateTime("+p.int(dateTime(f.Since).Unix())+")")
	}
	sql := "SELECT `id`, `entry` FROM `" + decisionsTable + "` WHERE " + strings.Join(where, " AND ") + " ORDER BY `id`, `recorded_at`"
	err := l.src.query(ctx, op, sql, p.args, func(r driver.Rows) error {
		var id int64
		var doc string
		if err := r.Scan(&id, &doc); err != nil {
			return err
		}
		e, keep, err := decisionlog.Decode(id, []byte(doc), f)
		if keep {
			out = append(out, e)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Close implements decisionlog.Log. It only marks the log closed: the
// Source and its connections stay open for their other users.
func (l *DecisionLog) Close() error {
	l.closed.Store(true)
	return nil
}

// usable fails when the log is closed or the caller's context is done, so
// nothing is written for a cancelled request.
func (l *DecisionLog) usable(ctx context.Context, op string) error {
	if l.closed.Load() {
		return errorf(op, "the decision log is closed")
	}
	if err := ctx.Err(); err != nil {
		return l.src.wrap(ctx, ctx, op, err)
	}
	return nil
}
