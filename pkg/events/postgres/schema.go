package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/liftgate/liftgate/pkg/events"
)

// CreateLiftgateSchema creates the mapped event table with liftgate's column
// types, if it does not exist, plus an index on (event, time) that every
// query's filter uses and a unique index on the id that makes Insert
// idempotent. It is a convenience for tests, demos and migrations; the
// usual deployment points the mapping at a table that already exists. An
// assignment table is never created.
func (s *Source) CreateLiftgateSchema(ctx context.Context) error {
	const op = "create schema"
	c := s.mapping.Columns
	table := ident(s.mapping.Table)
	base := s.mapping.Table[strings.LastIndex(s.mapping.Table, ".")+1:]
	var cols []string
	if c.ID != "" {
		cols = append(cols, ident(c.ID)+" text NOT NULL")
	}
	cols = append(cols,
		ident(c.Event)+" text NOT NULL",
		ident(c.Unit)+" text NOT NULL",
		ident(c.Time)+" timestamptz NOT NULL",
		ident(c.Properties)+" jsonb NOT NULL DEFAULT '{}'::jsonb",
	)
	stmts := []string{"CREATE TABLE IF NOT EXISTS " + table + " (\n\t" + strings.Join(cols, ",\n\t") + "\n)"}
	stmts = append(stmts, "CREATE INDEX IF NOT EXISTS "+ident(base+"_event_time_idx")+" ON "+table+" ("+ident(c.Event)+", "+ident(c.Time)+")")
	if c.ID != "" {
		stmts = append(stmts, "CREATE UNIQUE INDEX IF NOT EXISTS "+ident(base+"_id_key")+" ON "+table+" ("+ident(c.ID)+")")
	}
	qctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	err := pgx.BeginFunc(qctx, s.pool, func(tx pgx.Tx) error {
		for _, stmt := range stmts {
			if _, err := tx.Exec(qctx, stmt); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return s.wrap(ctx, qctx, op, err)
	}
	return nil
}

// stagingColumns are the columns of Insert's temporary table.
var stagingColumns = []string{"seq", "id", "event", "unit", "ts", "properties"}

// Insert stores a batch in the mapped event table (created by
// CreateLiftgateSchema or shaped like it) atomically: the batch is copied
// into a temporary table with COPY, then merged with one INSERT ... SELECT.
// Events whose id is already stored, or repeated in the batch (the first
// wins), are skipped; an event without an ID gets events.ContentID. It
// returns how many events were new.
func (s *Source) Insert(ctx context.Context, evs []events.Event) (int64, error) {
	const op = "insert"
	if len(evs) == 0 {
		return 0, nil
	}
	rows, err := stagingRows(evs)
	if err != nil {
		return 0, errorf(op, "%v", err)
	}
	c := s.mapping.Columns
	var target, source []string
	if c.ID != "" {
		target = append(target, ident(c.ID))
		source = append(source, "id")
	}
	target = append(target, ident(c.Event), ident(c.Unit), ident(c.Time), ident(c.Properties))
	source = append(source, "event", "unit", "ts", "properties::jsonb")
	merge := "INSERT INTO " + ident(s.mapping.Table) + " (" + strings.Join(target, ", ") + ")\n"
	if c.ID != "" {
		merge += "SELECT " + strings.Join(source, ", ") + " FROM (SELECT DISTINCT ON (id) * FROM liftgate_staging ORDER BY id, seq) b ORDER BY ts\n" +
			"ON CONFLICT (" + ident(c.ID) + ") DO NOTHING"
	} else {
		merge += "SELECT " + strings.Join(source, ", ") + " FROM liftgate_staging ORDER BY ts"
	}

	qctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	var inserted int64
	err = pgx.BeginFunc(qctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(qctx, `CREATE TEMP TABLE liftgate_staging (
	seq bigint, id text, event text, unit text, ts timestamptz, properties text) ON COMMIT DROP`); err != nil {
			return err
		}
		if _, err := tx.CopyFrom(qctx, pgx.Identifier{"liftgate_staging"}, stagingColumns, pgx.CopyFromRows(rows)); err != nil {
			return err
		}
		tag, err := tx.Exec(qctx, merge)
		if err != nil {
			return err
		}
		inserted = tag.RowsAffected()
		return nil
	})
	if err != nil {
		return 0, s.wrap(ctx, qctx, op, err)
	}
	return inserted, nil
}

// stagingRows validates the batch and converts it to COPY rows. One bad
// event fails the whole batch before anything is written.
func stagingRows(evs []events.Event) ([][]any, error) {
	rows := make([][]any, len(evs))
	for i, ev := range evs {
		if ev.ID == "" {
			ev.ID = events.ContentID(ev)
		}
		for _, f := range []struct{ name, v string }{{"id", ev.ID}, {"name", ev.Name}, {"unit", ev.Unit}} {
			switch {
			case f.v == "":
				return nil, fmt.Errorf("event %d (id %q): %s is empty", i, ev.ID, f.name)
			case !utf8.ValidString(f.v) || strings.IndexByte(f.v, 0) >= 0:
				return nil, fmt.Errorf("event %d (id %q): %s is not valid UTF-8 text without NUL", i, ev.ID, f.name)
			}
		}
		if ev.Time.IsZero() {
			return nil, fmt.Errorf("event %d (id %q): time is not set", i, ev.ID)
		}
		props := ev.Properties
		if props == nil {
			props = map[string]any{}
		}
		js, err := json.Marshal(props)
		if err != nil {
			return nil, fmt.Errorf("event %d (id %q): properties: %w", i, ev.ID, err)
		}
		if hasNUL(props) {
			return nil, fmt.Errorf("event %d (id %q): properties contain a NUL character, which jsonb cannot hold", i, ev.ID)
		}
		rows[i] = []any{int64(i), ev.ID, ev.Name, ev.Unit, ev.Time.UTC(), string(js)}
	}
	return rows, nil
}

// hasNUL reports a NUL character in any key or string of a properties
// value; PostgreSQL's jsonb refuses \u0000.
func hasNUL(v any) bool {
	switch x := v.(type) {
	case string:
		return strings.IndexByte(x, 0) >= 0
	case map[string]any:
		for k, e := range x {
			if strings.IndexByte(k, 0) >= 0 || hasNUL(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if hasNUL(e) {
				return true
			}
		}
	}
	return false
}
