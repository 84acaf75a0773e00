package collector

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/liftgate/liftgate/pkg/decisionlog"
	"github.com/liftgate/liftgate/pkg/engine"
)

// TestOutcomesMatchTheLog writes a small log by hand (two rollouts: one
// rolled back 4 minutes after harm and restored 30 minutes after it, one
// completed) and checks the exported figures against those numbers.
func TestOutcomesMatchTheLog(t *testing.T) {
	log, err := decisionlog.OpenFile(t.TempDir(), decisionlog.FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	t0 := time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	entry := func(min int, exp string, kind decisionlog.Kind, role, to, next string) decisionlog.Entry {
		e := decisionlog.Entry{Time: at(min), Kind: kind, Experiment: exp, PlanHash: "sha256:1", Role: role, To: to, Metric: "m", Arm: "b"}
		if kind == decisionlog.KindDecisionChange {
			e.Decision = &engine.Decision{Action: to, NextStage: next}
		}
		return e
	}
	if _, err := log.Append(context.Background(),
		entry(0, "bad", decisionlog.KindVerdictChange, "guardrail", "harmful", ""),
		entry(4, "bad", decisionlog.KindDecisionChange, "", "rollback", "half"),
		entry(30, "bad", decisionlog.KindVerdictChange, "guardrail", "inconclusive", ""),
		entry(10, "good", decisionlog.KindDecisionChange, "", "proceed", ""),
	); err != nil {
		t.Fatal(err)
	}
	c := NewOutcomes(log, nil)
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	want := map[string]float64{
		"liftgate_rollout_detection_to_rollback_seconds": 240,
		"liftgate_rollout_time_to_restore_seconds":       1800,
		"liftgate_rollout_change_failure_ratio":          0.5,
		"liftgate_rollout_rollbacks_per_rollout":         0.5,
		"liftgate_rollout_mean_time_to_restore_seconds":  1800,
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if w, ok := want[mf.GetName()]; ok {
			if len(mf.Metric) != 1 || mf.Metric[0].GetGauge().GetValue() != w {
				t.Errorf("%s = %v, want one series of %v", mf.GetName(), mf.Metric, w)
			}
			delete(want, mf.GetName())
		}
	}
	if len(want) != 0 {
		t.Errorf("missing families: %v", want)
	}
	if n := testutil.CollectAndCount(c, "liftgate_rollout_outcome"); n != 6 {
		t.Errorf("%d outcome series, want 3 states for each of 2 rollouts", n)
	}
}

// TestOutcomesCountWriteFailures: the counter is served from the start (at
// 0, so an alert on its increase works) and even when the log cannot be
// read, when the outcome figures are absent rather than wrong.
func TestOutcomesCountWriteFailures(t *testing.T) {
	log, err := decisionlog.OpenFile(t.TempDir(), decisionlog.FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := NewOutcomes(log, nil)
	if got := testutil.ToFloat64(c.writeFailures); got != 0 {
		t.Fatalf("write failures start at %v", got)
	}
	c.WriteFailed()
	c.WriteFailed()
	log.Close() // a closed file log still lists; make the list fail instead
	c.log = newLogCache(unreadableLog{})
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	if len(mfs) != 1 || mfs[0].GetName() != "liftgate_decision_log_write_failures_total" || mfs[0].Metric[0].GetCounter().GetValue() != 2 {
		t.Fatalf("with an unreadable log: %v", mfs)
	}
}

type unreadableLog struct{ decisionlog.Log }

func (unreadableLog) List(context.Context, decisionlog.Filter) ([]decisionlog.Entry, error) {
	return nil, context.DeadlineExceeded
}
