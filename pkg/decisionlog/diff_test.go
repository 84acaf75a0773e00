package decisionlog

import (
	"reflect"
	"testing"
	"time"

	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/stats"
)

var t0 = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

func result(at time.Time, hash, stage, action string, verdicts ...string) *engine.Result {
	r := &engine.Result{Experiment: "exp", PlanHash: hash, EvaluatedAt: at,
		Decision: engine.Decision{Stage: stage, Action: action, Reasons: []string{"because " + action}}}
	for i := 0; i+2 < len(verdicts)+1; i += 3 {
		r.Results = append(r.Results, engine.MetricResult{Metric: verdicts[i], Arm: verdicts[i+1], Role: "primary",
			Verdict: stats.Verdict(verdicts[i+2]), Reason: "r-" + verdicts[i+2]})
	}
	return r
}

// summarize reduces entries to "kind metric/arm from>to" lines.
func summarize(es []Entry) []string {
	var out []string
	for _, e := range es {
		s := string(e.Kind) + " "
		if e.Metric != "" {
			s += e.Metric + "/" + e.Arm + " "
		}
		out = append(out, s+e.From+">"+e.To)
	}
	return out
}

func TestDiffFirstResult(t *testing.T) {
	cur := result(t0, "h1", "canary", "hold", "conv", "b", "inconclusive", "lat", "b", "insufficient_data")
	got := summarize(Diff(nil, cur))
	want := []string{"plan_change >h1", "verdict_change conv/b insufficient_data>inconclusive", "stage_change >canary"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestDiffChanges(t *testing.T) {
	prev := result(t0, "h1", "canary", "hold", "conv", "b", "inconclusive", "lat", "b", "inconclusive")
	cur := result(t0.Add(time.Minute), "h1", "half", "rollback", "conv", "b", "inconclusive", "lat", "b", "harmful")
	seg := "eu"
	cur.Results = append(cur.Results, engine.MetricResult{Metric: "conv", Arm: "b", SegmentValue: &seg, Verdict: stats.Harmful})
	es := Diff(prev, cur)
	got := summarize(es)
	want := []string{"verdict_change lat/b inconclusive>harmful", "stage_change canary>half", "decision_change hold>rollback"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for _, e := range es {
		if e.PlanHash != "h1" || !e.Time.Equal(cur.EvaluatedAt) || e.Reasons == nil {
			t.Errorf("entry %+v: want plan hash h1, time %s and reasons", e, cur.EvaluatedAt)
		}
	}
	if es[0].Result == nil || es[0].Result.Reason != "r-harmful" || es[0].Decision.Action != "rollback" {
		t.Errorf("verdict change lacks its evidence: %+v", es[0])
	}
	if !reflect.DeepEqual(es[2].Reasons, []string{"because rollback"}) {
		t.Errorf("decision reasons %q", es[2].Reasons)
	}
	if len(Diff(cur, cur)) != 0 {
		t.Errorf("a result compared with itself changed something")
	}
}

func TestDiffLateData(t *testing.T) {
	prev := result(t0, "h1", "s", "hold", "conv", "b", "inconclusive")
	cur := result(t0, "h2", "s", "hold", "conv", "b", "beneficial")
	got := summarize(Diff(prev, cur))
	want := []string{"plan_change h1>h2", "late_data_change conv/b inconclusive>beneficial"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestChangedFields(t *testing.T) {
	type planish struct {
		ID      string   `json:"id"`
		Metrics []string `json:"metrics"`
		Owner   string   `json:"owner,omitempty"`
	}
	a, err := PlanFields(planish{ID: "x", Metrics: []string{"m"}, Owner: "o"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := PlanFields(planish{ID: "x", Metrics: []string{"m", "n"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := ChangedFields(a, b); !reflect.DeepEqual(got, []string{"metrics", "owner"}) {
		t.Fatalf("changed %q", got)
	}
	if got := ChangedFields(nil, a); !reflect.DeepEqual(got, []string{"id", "metrics", "owner"}) {
		t.Fatalf("first version changed %q", got)
	}
	if _, err := PlanFields([]int{1}); err == nil {
		t.Fatal("an array is not a plan")
	}
}
