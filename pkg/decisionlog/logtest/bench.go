package logtest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/liftgate/liftgate/pkg/decisionlog"
)

// BenchmarkAppend measures what one evaluation that changes a verdict and
// the decision costs the log: one durable append of three entries (the
// verdict change with its result and per-stage sums, the stage and the
// decision change), spread over 50 experiments.
func BenchmarkAppend(b *testing.B, l decisionlog.Log) {
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		exp := fmt.Sprintf("exp-%02d", i%50)
		at := T0.Add(time.Duration(i) * time.Minute)
		v := Verdict(at, exp, "errors", "inconclusive", "harmful")
		stage := decisionlog.Entry{Kind: decisionlog.KindStageChange, Time: at, Experiment: exp, PlanHash: "sha256:h1", From: "canary", To: "half"}
		decision := decisionlog.Entry{Kind: decisionlog.KindDecisionChange, Time: at, Experiment: exp, PlanHash: "sha256:h1", From: "hold", To: "rollback", Decision: v.Decision}
		if _, err := l.Append(ctx, v, stage, decision); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSync measures the read an exporter makes before judging each
// result: one experiment's entries after the last id it saw (none new), in
// a log of 1,000 entries over 50 experiments.
func BenchmarkSync(b *testing.B, l decisionlog.Log) {
	ctx := context.Background()
	for i := 0; i < 1000; i += 2 {
		exp := fmt.Sprintf("exp-%02d", (i/2)%50)
		at := T0.Add(time.Duration(i) * time.Minute)
		if _, err := l.Append(ctx, Verdict(at, exp, "errors", "inconclusive", "harmful"), Human(at, exp, decisionlog.HumanHold, "wait")); err != nil {
			b.Fatal(err)
		}
	}
	all, err := l.List(ctx, decisionlog.Filter{Experiment: "exp-07"})
	if err != nil || len(all) == 0 {
		b.Fatalf("list: %d entries, %v", len(all), err)
	}
	last := all[len(all)-1].ID
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		got, err := l.List(ctx, decisionlog.Filter{Experiment: "exp-07", AfterID: last})
		if err != nil || len(got) != 0 {
			b.Fatalf("sync: %d entries, %v", len(got), err)
		}
	}
}
