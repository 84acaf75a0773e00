package duckdb

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	duck "github.com/duckdb/duckdb-go/v2"

	"github.com/liftgate/liftgate/pkg/events"
)

// AppendResult counts what one Append did with its batch.
type AppendResult struct {
	Inserted   int // new events now stored
	Duplicates int // events skipped because their id was stored already or repeated in the batch
}

// stagingTable holds one batch before it is merged; it is a temporary table,
// private to the connection that fills it.
const stagingTable = "liftgate_staging"

// Append stores a batch atomically: either all of its new events are
// committed or none are. Events whose id is already stored, or repeated
// within the batch (the first occurrence wins), are skipped and counted. An
// event without an ID gets events.ContentID. When Append returns without
// error the batch is durable: DuckDB has written and synced its write-ahead
// log at commit.
//
// The batch goes through the Appender into a staging table, then one
// INSERT ... SELECT with an anti-join against the stored ids. The anti-join
// scans the id column (about 0.12 s per batch at 10M stored events on two
// cores) but needs memory only for the batch, unlike a PRIMARY KEY index,
// which must hold every id in memory.
func (s *Store) Append(ctx context.Context, evs []events.Event) (AppendResult, error) {
	if len(evs) == 0 {
		return AppendResult{}, nil
	}
	rows, err := stagingRows(evs)
	if err != nil {
		return AppendResult{}, err
	}

	s.appendMu.Lock()
	defer s.appendMu.Unlock()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return AppendResult{}, fmt.Errorf("duckdb: append: %w", err)
	}
	defer conn.Close()

	if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE `+stagingTable+` (
		seq BIGINT, id VARCHAR, event VARCHAR, unit_id VARCHAR, ts TIMESTAMP, properties VARCHAR)`); err != nil {
		return AppendResult{}, fmt.Errorf("duckdb: append: staging table: %w", err)
	}
	defer conn.ExecContext(context.Background(), `DROP TABLE IF EXISTS temp.`+stagingTable) //nolint:errcheck // best effort; the table dies with the connection anyway

	err = conn.Raw(func(dc any) error {
		driverConn, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		app, err := duck.NewAppender(driverConn, "temp", "main", stagingTable)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := app.AppendRow(r...); err != nil {
				return errors.Join(err, app.Close())
			}
		}
		return app.Close()
	})
	if err != nil {
		return AppendResult{}, fmt.Errorf("duckdb: append: staging: %w", err)
	}

	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return AppendResult{}, fmt.Errorf("duckdb: append: %w", err)
	}
	// DISTINCT ON keeps the batch's first occurrence of an id; NOT EXISTS
	// skips ids already stored; ORDER BY ts keeps row groups time-clustered.
	res, err := tx.ExecContext(ctx, `INSERT INTO events (id, event, unit_id, ts, properties, ingested_at)
		SELECT s.id, s.event, s.unit_id, s.ts, s.properties, make_timestamp($1::BIGINT)
		FROM (SELECT DISTINCT ON (id) * FROM temp.`+stagingTable+` ORDER BY id, seq) s
		WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.id = s.id)
		ORDER BY s.ts`, time.Now().UnixMicro())
	if err != nil {
		_ = tx.Rollback()
		return AppendResult{}, fmt.Errorf("duckdb: append: %w", err)
	}
	inserted, err := res.RowsAffected()
	if err != nil {
		_ = tx.Rollback()
		return AppendResult{}, fmt.Errorf("duckdb: append: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return AppendResult{}, fmt.Errorf("duckdb: append: commit: %w", err)
	}
	return AppendResult{Inserted: int(inserted), Duplicates: len(evs) - int(inserted)}, nil
}

// stagingRows validates the batch and converts it to Appender rows. One bad
// event fails the whole batch before anything is written.
func stagingRows(evs []events.Event) ([][]driver.Value, error) {
	rows := make([][]driver.Value, len(evs))
	for i, ev := range evs {
		if ev.ID == "" {
			ev.ID = events.ContentID(ev)
		}
		for _, f := range []struct{ name, v string }{{"id", ev.ID}, {"name", ev.Name}, {"unit", ev.Unit}} {
			switch {
			case f.v == "":
				return nil, fmt.Errorf("duckdb: append: event %d (id %q): %s is empty", i, ev.ID, f.name)
			case !utf8.ValidString(f.v) || strings.IndexByte(f.v, 0) >= 0:
				return nil, fmt.Errorf("duckdb: append: event %d (id %q): %s is not valid UTF-8 text without NUL", i, ev.ID, f.name)
			}
		}
		if y := ev.Time.UTC().Year(); ev.Time.IsZero() || y < 1 || y > 9999 {
			return nil, fmt.Errorf("duckdb: append: event %d (id %q): time %v is not set or outside the years 1 to 9999", i, ev.ID, ev.Time)
		}
		props := ev.Properties
		if props == nil {
			props = map[string]any{}
		}
		js, err := json.Marshal(props)
		if err != nil {
			return nil, fmt.Errorf("duckdb: append: event %d (id %q): properties: %w", i, ev.ID, err)
		}
		rows[i] = []driver.Value{int64(i), ev.ID, ev.Name, ev.Unit, ev.Time.UTC(), string(js)}
	}
	return rows, nil
}
