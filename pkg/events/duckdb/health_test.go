package duckdb

import (
	"context"
	"strings"
	"testing"

	"github.com/liftgate/liftgate/internal/healthfixture"
	"github.com/liftgate/liftgate/pkg/events"
)

// TestHealth runs the data-health scenarios every store shares
// (internal/healthfixture), each on a fresh in-memory store.
func TestHealth(t *testing.T) {
	scenarios := append(healthfixture.Scenarios(), healthfixture.HostileNames(`x'); DROP TABLE events; --\' $1 ? "`))
	for _, sc := range scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			s := openMem(t)
			mustAppend(t, s, sc.Events...)
			r, err := s.Health(context.Background(), sc.Scope, sc.Request)
			if err != nil {
				t.Fatal(err)
			}
			want := sc.Want
			want.DuplicatesChecked = false // Append dedupes ids: none can be stored
			for _, d := range healthfixture.Diff(r, want) {
				t.Error(d)
			}
			var stored int
			if err := s.db.QueryRow("SELECT count(*) FROM events").Scan(&stored); err != nil || stored != len(sc.Events) {
				t.Errorf("the events table holds %d rows (%v) after the check, want %d", stored, err, len(sc.Events))
			}
		})
	}

	// DuckDB cannot run the duplicate-id scenario: Append skips the copies
	// and counts them (the importer reports them), so the store holds the
	// good events once and the report is that of clean data.
	t.Run("duplicate ids are skipped at ingest", func(t *testing.T) {
		dup := healthfixture.DuplicateIDs()
		s := openMem(t)
		mustAppend(t, s, dup.Events...)
		byID := map[string]events.Event{}
		for _, e := range dup.Events {
			byID[e.ID] = e
		}
		var copies []events.Event
		for _, id := range dup.Copies {
			copies = append(copies, byID[id])
		}
		if res := mustAppend(t, s, copies...); res.Inserted != 0 || res.Duplicates != len(copies) {
			t.Errorf("appending %d copies: %+v, want all skipped as duplicates", len(copies), res)
		}
		r, err := s.Health(context.Background(), dup.Scope, dup.Request)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range healthfixture.Diff(r, healthfixture.Clean().Want) {
			t.Error(d)
		}
	})

	t.Run("bad input", func(t *testing.T) {
		s := openMem(t)
		for _, b := range healthfixture.BadInputs() {
			if _, err := s.Health(context.Background(), b.Scope, b.Request); err == nil || !strings.Contains(err.Error(), b.ErrorContains) {
				t.Errorf("%s: err = %v, want one containing %q", b.Name, err, b.ErrorContains)
			}
		}
	})
}
