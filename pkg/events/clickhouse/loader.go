package clickhouse

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/liftgate/liftgate/pkg/events"
)

// CreateLiftgateSchema creates the mapped event table with liftgate's column
// types, if it does not exist. It is a convenience for tests, demos and
// migrations; the usual deployment points the mapping at a table that
// already exists (PostHog's, for instance). An assignment table is never
// created.
//
// The time column is DateTime64(6, 'UTC') where the server has it (20.1
// and later) and DateTime('UTC') otherwise, which holds whole seconds only
// (Insert then refuses sub-second times rather than silently moving them).
// With an id column the engine is ReplacingMergeTree ordered by
// (event, unit, time, id), so a batch inserted twice by concurrent writers
// still collapses to one copy when parts merge; without one it is a plain
// MergeTree, which never drops rows.
func (s *Source) CreateLiftgateSchema(ctx context.Context) error {
	const op = "create schema"
	if s.mapping.Properties == "map" {
		return errorf(op, "mapping.properties: liftgate's schema stores properties as JSON text; use properties: json")
	}
	c := s.mapping.Columns
	timeType := "DateTime('UTC')"
	if s.server.dateTime64 {
		timeType = "DateTime64(6, 'UTC')"
	}
	var cols, order []string
	if c.ID != "" {
		cols = append(cols, quoteIdent(c.ID)+" String")
	}
	cols = append(cols,
		quoteIdent(c.Event)+" String",
		quoteIdent(c.Unit)+" String",
		quoteIdent(c.Time)+" "+timeType,
		quoteIdent(c.Properties)+" String",
	)
	order = append(order, quoteIdent(c.Event), quoteIdent(c.Unit), quoteIdent(c.Time))
	engine := "MergeTree()"
	if c.ID != "" {
		order = append(order, quoteIdent(c.ID))
		engine = "ReplacingMergeTree()"
	}
	ddl := "CREATE TABLE IF NOT EXISTS " + quoteIdent(s.mapping.Table) + " (\n\t" + strings.Join(cols, ",\n\t") + "\n) ENGINE = " + engine +
		"\nPARTITION BY toYYYYMM(" + quoteIdent(c.Time) + ")\nORDER BY (" + strings.Join(order, ", ") + ")"
	defer s.forgetColumns()
	return s.exec(ctx, op, ddl)
}

// maxInsertBatch bounds one PrepareBatch/Send round trip.
const maxInsertBatch = 100_000

// maxIDQuery bounds the text of one duplicate-id lookup, well below the
// server's default max_query_size of 256 KiB.
const maxIDQuery = 128 << 10

// Insert stores events in the mapped event table (created by
// CreateLiftgateSchema or shaped like it: String columns for id, event and
// unit, a DateTime or DateTime64 time, a String properties column that
// receives the properties as a JSON object). Events whose id is already
// stored, or repeated in the batch (the first wins), are skipped; an event
// without an ID gets events.ContentID. One bad event fails the call before
// anything is written. It returns how many events were new.
//
// ClickHouse has no transactions: a batch larger than 100,000 events is
// sent in parts, and a failure midway leaves the earlier parts stored
// (inserting the same events again is harmless, thanks to the ids).
// Concurrent Insert calls on one Source are serialised; writers in other
// processes may race, which the ReplacingMergeTree engine of
// CreateLiftgateSchema resolves when parts merge.
func (s *Source) Insert(ctx context.Context, evs []events.Event) (int64, error) {
	const op = "insert"
	if len(evs) == 0 {
		return 0, nil
	}
	if s.mapping.Properties == "map" {
		return 0, errorf(op, "mapping.properties: Insert writes properties as JSON text; a Map column is not supported")
	}
	m := s.mapping
	cols, err := s.columnsOf(ctx, op, "table", m.Table)
	if err != nil {
		return 0, err
	}
	timeType, err := cols.typeOf(op, "columns.time", m.Table, m.Columns.Time)
	if err != nil {
		return 0, err
	}
	wholeSeconds := timeType == "DateTime" || strings.HasPrefix(timeType, "DateTime(")
	rows, err := insertRows(evs, wholeSeconds)
	if err != nil {
		return 0, errorf(op, "%v", err)
	}

	s.insert.Lock()
	defer s.insert.Unlock()
	if m.Columns.ID != "" {
		if rows, err = s.dropStored(ctx, op, rows); err != nil {
			return 0, err
		}
	}
	target := []string{quoteIdent(m.Columns.Event), quoteIdent(m.Columns.Unit), quoteIdent(m.Columns.Time), quoteIdent(m.Columns.Properties)}
	if m.Columns.ID != "" {
		target = append([]string{quoteIdent(m.Columns.ID)}, target...)
	}
	// An explicit column list: without it clickhouse-go's batch expects no
	// columns at all.
	insert := "INSERT INTO " + quoteIdent(m.Table) + " (" + strings.Join(target, ", ") + ")"
	var inserted int64
	for start := 0; start < len(rows); start += maxInsertBatch {
		part := rows[start:min(start+maxInsertBatch, len(rows))]
		if err := s.sendBatch(ctx, op, insert, part, m.Columns.ID != ""); err != nil {
			return inserted, err
		}
		inserted += int64(len(part))
	}
	return inserted, nil
}

// insertRow is one validated event ready to append.
type insertRow struct {
	id, name, unit string
	time           time.Time
	properties     string
}

// insertRows validates the batch, fills missing ids, encodes properties and
// drops repeated ids (the first wins).
func insertRows(evs []events.Event, wholeSeconds bool) ([]insertRow, error) {
	rows := make([]insertRow, 0, len(evs))
	seen := make(map[string]bool, len(evs))
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
		switch {
		case ev.Time.IsZero():
			return nil, fmt.Errorf("event %d (id %q): time is not set", i, ev.ID)
		case wholeSeconds && ev.Time.Nanosecond() != 0:
			return nil, fmt.Errorf("event %d (id %q): time %s has a fraction of a second, but the time column is a DateTime (whole seconds; DateTime64 needs ClickHouse 20.1 or later)",
				i, ev.ID, ev.Time.UTC().Format(time.RFC3339Nano))
		case wholeSeconds && (ev.Time.Unix() < 0 || ev.Time.Unix() > maxDateTime):
			return nil, fmt.Errorf("event %d (id %q): time %s is outside a DateTime's range (1970 to 2106)", i, ev.ID, ev.Time.UTC().Format(time.RFC3339))
		}
		props, err := encodeProperties(ev.Properties)
		if err != nil {
			return nil, fmt.Errorf("event %d (id %q): properties: %v", i, ev.ID, err)
		}
		if seen[ev.ID] {
			continue
		}
		seen[ev.ID] = true
		rows = append(rows, insertRow{id: ev.ID, name: ev.Name, unit: ev.Unit, time: ev.Time.UTC().Truncate(time.Microsecond), properties: props})
	}
	return rows, nil
}

// encodeProperties writes the properties as a compact JSON object, with
// "<", ">" and "&" as themselves: 18.16's visitParam functions match keys
// byte for byte and would not find a key written as \u003c.
func encodeProperties(props map[string]any) (string, error) {
	if props == nil {
		return "{}", nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(props); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// dropStored removes rows whose id the table already holds. The ids go to
// the server in IN lists of bounded size.
func (s *Source) dropStored(ctx context.Context, op string, rows []insertRow) ([]insertRow, error) {
	stored := map[string]bool{}
	idCol := quoteIdent(s.mapping.Columns.ID)
	for start := 0; start < len(rows); {
		p := &params{}
		var ids []string
		size := 0
		for ; start < len(rows) && (len(ids) == 0 || size < maxIDQuery); start++ {
			ids = append(ids, rows[start].id)
			size += len(rows[start].id) + 16
		}
		sql := "SELECT DISTINCT toString(" + idCol + ") FROM " + quoteIdent(s.mapping.Table) + " WHERE toString(" + idCol + ") IN " + p.list(ids)
		err := s.query(ctx, op, sql, p.args, func(r driver.Rows) error {
			var id string
			if err := r.Scan(&id); err != nil {
				return err
			}
			stored[id] = true
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if len(stored) == 0 {
		return rows, nil
	}
	kept := rows[:0:0]
	for _, r := range rows {
		if !stored[r.id] {
			kept = append(kept, r)
		}
	}
	return kept, nil
}

// sendBatch appends rows to one native-protocol batch and sends it.
//
// The batch runs under QueryTimeout only, not the caller's cancellation,
// and that timeout is released a second after Send rather than at once:
// clickhouse-go's batch.Send stops its context watchdog without waiting
// for it, so a context that ends right after Send (the deferred cancel, or
// an ingestion request that finishes) can make the watchdog close the TCP
// connection Send had already returned to the pool, and the next query on
// it fails with "use of closed network connection"
// (ClickHouse/clickhouse-go#2032, open in v2.50).
func (s *Source) sendBatch(ctx context.Context, op, insert string, rows []insertRow, withID bool) error {
	qctx, cancel := s.queryContext(context.WithoutCancel(ctx))
	defer func() { time.AfterFunc(time.Second, cancel) }()
	batch, err := s.conn.PrepareBatch(qctx, insert)
	if err != nil {
		return s.wrap(ctx, qctx, op, err)
	}
	defer func() { _ = batch.Abort() }()
	for _, r := range rows {
		var err error
		if withID {
			err = batch.Append(r.id, r.name, r.unit, r.time, r.properties)
		} else {
			err = batch.Append(r.name, r.unit, r.time, r.properties)
		}
		if err != nil {
			return s.wrap(ctx, qctx, op, fmt.Errorf("event id %q: %w", r.id, err))
		}
	}
	if err := batch.Send(); err != nil {
		return s.wrap(ctx, qctx, op, err)
	}
	return nil
}
