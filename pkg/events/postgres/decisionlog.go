package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/liftgate/liftgate/pkg/decisionlog"
)

// DecisionLog is the decision log kept in the liftgate_decisions table of
// the PostgreSQL database, beside the event table it judged. Every Append is
// one transaction, durable when it returns and all-or-none. It shares the
// Source's connection pool, so several exporters (an HA pair) may write one
// table: appenders are serialised by a table lock, which makes ids become
// visible in increasing order. The table's trigger refuses UPDATE and
// TRUNCATE; entries leave only through Compact.
type DecisionLog struct {
	src    *Source
	names  decisionsNames
	maxAge time.Duration
	now    func() time.Time
	closed atomic.Bool
}

var (
	_ decisionlog.Log      = (*DecisionLog)(nil)
	_ decisionlog.Retainer = (*DecisionLog)(nil)
)

// DecisionLog creates the decision log's table if it is missing (in the
// schema of the mapped event table, or the search_path's when that is not
// schema-qualified) and returns the log. Concurrent calls, from this
// process or others, are safe. Closing the log leaves the Source open.
func (s *Source) DecisionLog(ctx context.Context, opts decisionlog.Options) (*DecisionLog, error) {
	if opts.MaxAge < 0 {
		return nil, errorf("decision log", "retention %s is negative", opts.MaxAge)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	names := decisionsNamesFor(s.mapping.Table)
	if err := s.createDecisionsTable(ctx, names); err != nil {
		return nil, err
	}
	return &DecisionLog{src: s, names: names, maxAge: opts.MaxAge, now: opts.Now}, nil
}

// Append implements decisionlog.Log.
func (l *DecisionLog) Append(ctx context.Context, entries ...decisionlog.Entry) ([]decisionlog.Entry, error) {
	const op = "decision log: append"
	if err := l.usable(ctx, op); err != nil {
		return nil, err
	}
	out, err := decisionlog.Prepare(entries, l.now().UTC())
	if err != nil {
		return nil, fmt.Errorf("postgres: %s: %w", op, err)
	}
	if len(out) == 0 {
		return out, nil
	}
	s := l.src
	qctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	err = pgx.BeginFunc(qctx, s.pool, func(tx pgx.Tx) error {
		// The lock conflicts with itself and with DELETE but not with
		// readers: one appender at a time, in every process, takes ids and
		// commits before the next takes its own, so a reader that has seen
		// id N never later finds a new id below N.
		if _, err := tx.Exec(qctx, `LOCK TABLE `+l.names.table+` IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return err
		}
		ids, err := l.nextIDs(qctx, tx, len(out))
		if err != nil {
			return err
		}
		cols := decisionColumns{}
		for i := range out {
			out[i].ID = ids[i]
			if err := cols.add(out[i]); err != nil {
				return fmt.Errorf("entry %d: %w", i, err)
			}
		}
		_, err = tx.Exec(qctx, `INSERT INTO `+l.names.table+` (id, recorded_at, "time", experiment, kind, plan_hash, entry)
OVERRIDING SYSTEM VALUE
SELECT id, recorded_at, t, experiment, kind, plan_hash, entry::json
FROM unnest($1::bigint[], $2::timestamptz[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[])
	AS b(id, recorded_at, t, experiment, kind, plan_hash, entry)`,
			cols.id, cols.recordedAt, cols.time, cols.experiment, cols.kind, cols.planHash, cols.entry)
		return err
	})
	if err != nil {
		return nil, s.wrap(ctx, qctx, op, err)
	}
	return out, nil
}

// nextIDs draws n ids from the table's identity sequence, in increasing
// order. The entry's JSON carries its id, so ids are drawn before the
// insert rather than read back from it.
func (l *DecisionLog) nextIDs(ctx context.Context, tx pgx.Tx, n int) ([]uint64, error) {
	rows, err := tx.Query(ctx, `SELECT nextval(pg_get_serial_sequence($1::text, 'id')) FROM generate_series(1, $2::int)`, l.names.table, n)
	if err != nil {
		return nil, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, err
	}
	if len(ids) != n {
		return nil, fmt.Errorf("the id sequence gave %d ids for %d entries", len(ids), n)
	}
	slices.Sort(ids)
	out := make([]uint64, n)
	for i, id := range ids {
		if id <= 0 {
			return nil, fmt.Errorf("the id sequence gave %d; ids start at 1", id)
		}
		out[i] = uint64(id)
	}
	return out, nil
}

// decisionColumns are a batch as column arrays for one INSERT ... unnest.
type decisionColumns struct {
	id                         []int64
	recordedAt, time           []time.Time
	experiment, kind, planHash []string
	entry                      []string
}

func (c *decisionColumns) add(e decisionlog.Entry) error {
	doc, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encoding: %w", err)
	}
	c.id = append(c.id, int64(e.ID))
	c.recordedAt = append(c.recordedAt, e.RecordedAt.UTC())
	c.time = append(c.time, e.Time.UTC())
	c.experiment = append(c.experiment, columnText(e.Experiment))
	c.kind = append(c.kind, columnText(string(e.Kind)))
	c.planHash = append(c.planHash, columnText(e.PlanHash))
	c.entry = append(c.entry, string(doc))
	return nil
}

// columnText makes a string storable in a text column, which refuses NUL
// and invalid UTF-8. The JSON keeps the entry itself; these columns only
// narrow a List, which passes a filter value through the same function and
// then matches decoded entries exactly.
func columnText(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// List implements decisionlog.Log. The time column holds microseconds, so
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
	where := []string{"id > " + p.bigint(int64(f.AfterID))}
	if f.Experiment != "" {
		where = append(where, "experiment = "+p.text(columnText(f.Experiment)))
	}
	if f.Kind != "" {
		where = append(where, "kind = "+p.text(columnText(string(f.Kind))))
	}
	if !f.Since.IsZero() {
		// The column holds the time rounded down to the microsecond (as
		// pgx sends it), so rounding Since down keeps every match.
		where = append(where, `"time" >= `+p.timestamp(f.Since.Truncate(time.Microsecond)))
	}
	sql := `SELECT id, entry::text FROM ` + l.names.table + ` WHERE ` + strings.Join(where, " AND ") + ` ORDER BY id`
	err := l.src.query(ctx, op, sql, p.args, func(rows pgx.Rows) error {
		var id int64
		var doc string
		if err := rows.Scan(&id, &doc); err != nil {
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

// Compact implements decisionlog.Retainer: it deletes the entries recorded
// more than MaxAge before now, to the microsecond (rounding the cutoff down
// can keep an entry a microsecond longer, never drop one early).
func (l *DecisionLog) Compact(ctx context.Context, now time.Time) (int, error) {
	const op = "decision log: retention"
	if err := l.usable(ctx, op); err != nil {
		return 0, err
	}
	if l.maxAge == 0 {
		return 0, nil
	}
	cutoff := now.Add(-l.maxAge).UTC().Truncate(time.Microsecond)
	s := l.src
	qctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	tag, err := s.pool.Exec(qctx, `DELETE FROM `+l.names.table+` WHERE recorded_at < $1::timestamptz`, cutoff)
	if err != nil {
		return 0, s.wrap(ctx, qctx, op, err)
	}
	return int(tag.RowsAffected()), nil
}

// Close implements decisionlog.Log. It only marks the log closed: the
// Source and its pool stay open for their other users.
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
