package runner

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/exporterclient"
	"github.com/liftgate/liftgate/pkg/stats"
)

// fakeServers answers the exporter's result API and Prometheus' alerts API
// with whatever the test sets.
type fakeServers struct {
	mu     sync.Mutex
	result *engine.Result
	alerts []promAlert
}

func (f *fakeServers) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case r.URL.Path == "/api/v1/alerts":
		_ = json.NewEncoder(w).Encode(map[string]any{"status": "success", "data": map[string]any{"alerts": f.alerts}})
	case strings.HasSuffix(r.URL.Path, "/result"):
		if f.result == nil {
			http.Error(w, `{"error":"not evaluated yet"}`, http.StatusServiceUnavailable)
			return
		}
		_ = json.NewEncoder(w).Encode(f.result)
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeServers) set(res *engine.Result, alerts ...promAlert) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.result, f.alerts = res, alerts
}

func result(at time.Time, verdict stats.Verdict, action string) *engine.Result {
	rel := engine.Effect{Estimate: 0.5, CILower: 0.2, CIUpper: 0.8}
	return &engine.Result{Experiment: Experiment, EvaluatedAt: at,
		Results:  []engine.MetricResult{{Metric: "errors", Role: "guardrail", Kind: "ratio", Arm: "treatment", Verdict: verdict, Relative: &rel}},
		Decision: engine.Decision{Stage: "ramp", Action: action, Reasons: []string{"because"}}}
}

// The watcher records each change once, with the evaluation's time and
// stage, skips the insufficient_data starting point, ignores an evaluation
// it has already seen, and follows alerts from pending to firing to gone.
func TestWatcherRecordsChanges(t *testing.T) {
	fake := &fakeServers{}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	client, err := exporterclient.New(srv.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	rep := &Report{}
	w := newWatcher(client, srv.URL, &timeline{out: io.Discard, start: t0}, rep)
	ctx := context.Background()
	firing := func(state string) promAlert {
		return promAlert{Labels: map[string]string{"alertname": "LiftgateRollbackDecision", "experiment": Experiment}, State: state}
	}

	steps := []struct {
		res    *engine.Result
		alerts []promAlert
	}{
		{nil, nil}, // not evaluated yet
		{result(t0.Add(5*time.Second), stats.InsufficientData, engine.ActionHold), nil},
		{result(t0.Add(10*time.Second), stats.Inconclusive, engine.ActionHold), nil},
		{result(t0.Add(10*time.Second), stats.Harmful, engine.ActionRollback), nil}, // same evaluation time: ignored
		{result(t0.Add(15*time.Second), stats.Harmful, engine.ActionRollback), []promAlert{firing("pending")}},
		{result(t0.Add(20*time.Second), stats.Harmful, engine.ActionRollback), []promAlert{firing("firing")}},
		{result(t0.Add(25*time.Second), stats.Harmful, engine.ActionRollback), nil},
	}
	for _, s := range steps {
		fake.set(s.res, s.alerts...)
		w.pollExporter(ctx)
		w.pollAlerts(ctx)
	}

	if len(rep.Problems) > 0 {
		t.Fatalf("problems: %v", rep.Problems)
	}
	if len(rep.Verdicts) != 2 || rep.Verdicts[0].To != "inconclusive" || rep.Verdicts[0].From != "insufficient_data" ||
		rep.Verdicts[1].To != "harmful" || !rep.Verdicts[1].At.Equal(t0.Add(15*time.Second)) || rep.Verdicts[1].Stage != "ramp" ||
		rep.Verdicts[1].Effect != "lift +50.0% [+20.0%, +80.0%]" {
		t.Errorf("verdicts %+v", rep.Verdicts)
	}
	if h := rep.FirstHarmful(); h == nil || h.Metric != "errors" {
		t.Errorf("first harmful %+v", h)
	}
	if len(rep.Decisions) != 2 || rep.Decisions[0].From != "none" || rep.Decisions[0].To != "hold" || rep.Decisions[1].To != "rollback" {
		t.Errorf("decisions %+v", rep.Decisions)
	}
	var states []string
	for _, a := range rep.Alerts {
		states = append(states, a.State)
	}
	if strings.Join(states, ",") != "pending,firing,inactive" {
		t.Errorf("alert states %v", states)
	}
	if got := rep.Fired(); len(got) != 1 || got[0] != "LiftgateRollbackDecision" {
		t.Errorf("fired %v", got)
	}
}
