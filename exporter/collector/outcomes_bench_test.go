package collector

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/liftgate/liftgate/pkg/decisionlog"
	"github.com/liftgate/liftgate/pkg/decisionlog/logtest"
	"github.com/liftgate/liftgate/pkg/events/duckdb"
)

// BenchmarkOutcomesScrape measures one gather of the rollout outcome
// metrics, which read the whole retained decision log, kept in the
// embedded DuckDB store: 200 experiments with 50 entries each (10,000
// entries, each verdict change carrying its full result and sums), about a
// year of a busy team's rollouts.
func BenchmarkOutcomesScrape(b *testing.B) {
	store, err := duckdb.Open(filepath.Join(b.TempDir(), "events.duckdb"))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	log, err := store.DecisionLog(context.Background(), decisionlog.Options{})
	if err != nil {
		b.Fatal(err)
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for x := 0; x < 200; x++ {
		exp := fmt.Sprintf("exp-%03d", x)
		batch := []decisionlog.Entry{logtest.Plan(t0, exp, "", "sha256:1")}
		for i := 1; i < 50; i++ {
			from, to := "inconclusive", "harmful"
			if i%2 == 0 {
				from, to = to, from
			}
			batch = append(batch, logtest.Verdict(t0.Add(time.Duration(i)*time.Minute), exp, "errors", from, to))
		}
		if _, err := log.Append(context.Background(), batch...); err != nil {
			b.Fatal(err)
		}
	}
	// full: every scrape rereads the log (the first scrape, and one an
	// hour); incremental: the scrapes in between.
	for _, full := range []bool{true, false} {
		name := map[bool]string{true: "full", false: "incremental"}[full]
		b.Run(name, func(b *testing.B) {
			o := NewOutcomes(log, nil)
			if full {
				o.log.fullEvery = 0
			}
			reg := prometheus.NewRegistry()
			reg.MustRegister(o)
			if _, err := reg.Gather(); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				mfs, err := reg.Gather()
				if err != nil || len(mfs) < 5 {
					b.Fatalf("gather: %d families, %v", len(mfs), err)
				}
			}
		})
	}
}
