package duckdb

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/liftgate/liftgate/pkg/decisionlog"
	"github.com/liftgate/liftgate/pkg/decisionlog/logtest"
)

// TestDecisionLogConformance runs the suite on a DuckDB file that each open
// reopens, as the exporter does after a restart.
func TestDecisionLogConformance(t *testing.T) {
	logtest.Run(t, func(t *testing.T) logtest.Opener {
		path := filepath.Join(t.TempDir(), "events.duckdb")
		var open *Store
		return func(t *testing.T, opts decisionlog.Options) decisionlog.Log {
			// DuckDB locks its file to one process and one open database:
			// a reopen closes the store the previous log used.
			if open != nil {
				if err := open.Close(); err != nil {
					t.Fatal(err)
				}
			}
			s, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			open = s
			t.Cleanup(func() { _ = s.Close() })
			l, err := s.DecisionLog(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			return l
		}
	})
}

// TestDecisionLogBesideEvents checks the log shares the file with the
// events without disturbing them, and that the events table check still
// accepts a file holding the log.
func TestDecisionLogBesideEvents(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.duckdb")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	l, err := s.DecisionLog(context.Background(), decisionlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append(context.Background(), logtest.Human(logtest.T0, "a", decisionlog.HumanHold, "wait")); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(path)
	if err != nil {
		t.Fatalf("reopening a store that holds a decision log: %v", err)
	}
	defer s2.Close()
	var n int
	if err := s2.db.QueryRow(`SELECT count(*) FROM liftgate_decisions`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("decisions after reopen: %d %v", n, err)
	}
	if _, err := s2.DecisionLog(context.Background(), decisionlog.Options{MaxAge: -1}); err == nil || !strings.Contains(err.Error(), "negative") {
		t.Fatalf("a negative retention: %v", err)
	}
}

// BenchmarkDecisionLogAppend and BenchmarkDecisionLogSync run the shared
// decision log benchmarks on a DuckDB file (docs/performance.md).
func BenchmarkDecisionLogAppend(b *testing.B) { logtest.BenchmarkAppend(b, benchDecisionLog(b)) }

func BenchmarkDecisionLogSync(b *testing.B) { logtest.BenchmarkSync(b, benchDecisionLog(b)) }

func benchDecisionLog(b *testing.B) decisionlog.Log {
	s, err := Open(filepath.Join(b.TempDir(), "events.duckdb"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	l, err := s.DecisionLog(context.Background(), decisionlog.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return l
}
