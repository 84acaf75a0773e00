package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/liftgate/liftgate/exporter/internal/fixture"
	"github.com/liftgate/liftgate/pkg/exporterclient"
)

// gateEnv serves exp-a with its primary metric's good direction turned to
// decrease, so a treatment purchase rate well above control's (10%) is
// harm and the decision rollback; an equal rate gives proceed.
func gateEnv(t *testing.T, treatmentRate float64) *env {
	t.Helper()
	return gateEnvWith(t, treatmentRate, "")
}

// gateEnvWith is gateEnv with planExtra appended to the plan (stages).
func gateEnvWith(t *testing.T, treatmentRate float64, planExtra string) *env {
	t.Helper()
	e := newEnv(t, Options{})
	harmful := strings.Replace(fixture.PlanYAML("exp-a", start), "window: 72h, direction: increase", "window: 72h, direction: decrease", 1) + planExtra
	fixture.WritePlan(t, e.dir, "a.yaml", harmful)
	if err := e.ev.Reload(); err != nil {
		t.Fatal(err)
	}
	evs := fixture.Events("exp-a", start, 1,
		fixture.Arm{Name: "control", Units: 400, PurchaseRate: 0.1},
		fixture.Arm{Name: "treatment", Units: 400, PurchaseRate: treatmentRate})
	if status, r := ingest(t, e, "", fixture.NDJSON(evs)); status != 200 {
		t.Fatalf("ingest: %d %+v", status, r)
	}
	return e
}

func gate(t *testing.T, e *env) exporterclient.Gate {
	t.Helper()
	status, body := e.do(t, http.MethodGet, "/api/v1/gates/exp-a", "", nil)
	if status != http.StatusOK {
		t.Fatalf("gate: %d %s", status, body)
	}
	var g exporterclient.Gate
	if err := json.Unmarshal(body, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

func flagger(t *testing.T, e *env, hook, body string) int {
	t.Helper()
	status, _ := e.do(t, http.MethodPost, "/api/v1/flagger/"+hook, "", []byte(body))
	return status
}

func TestGatesFollowTheDecision(t *testing.T) {
	e := gateEnv(t, 0.35)
	// Before any evaluation: hold, never proceed.
	if g := gate(t, e); g.Decision != "hold" || g.Proceed || g.EvaluationOK || g.Error == "" {
		t.Errorf("before evaluation: %+v, want hold", g)
	}
	e.ev.EvaluateAt(context.Background(), "exp-a", evalAt)
	g := gate(t, e)
	if g.Decision != "rollback" || !g.Rollback || g.Proceed || g.Harmful != 1 || !g.EvaluationOK || len(g.Reasons) == 0 {
		t.Fatalf("harmful primary: %+v, want rollback", g)
	}
	payload := `{"name":"podinfo","namespace":"test","phase":"Progressing","metadata":{"experiment":"exp-a"}}`
	if s := flagger(t, e, "rollback", payload); s != http.StatusOK {
		t.Errorf("rollback hook on a rollback decision: %d, want 200 (Flagger rolls back)", s)
	}
	if s := flagger(t, e, "confirm-promotion", payload); s != http.StatusPreconditionFailed {
		t.Errorf("confirm-promotion on a rollback decision: %d, want 412 (halt)", s)
	}

	// The store goes away: the gate falls back to hold, not the stale rollback
	// or a proceed.
	e.src.SetDown(true)
	e.ev.EvaluateAt(context.Background(), "exp-a", evalAt.Add(time.Minute))
	g = gate(t, e)
	if g.Decision != "hold" || g.EvaluationOK || !strings.Contains(g.Error, "switched off") {
		t.Errorf("store down: %+v, want hold with the error", g)
	}
	if s := flagger(t, e, "rollback", payload); s != http.StatusPreconditionFailed {
		t.Errorf("rollback hook with the store down: %d, want 412", s)
	}
}

func TestFlaggerConfirmPromotionOpensOnProceed(t *testing.T) {
	// Equal rates: no harm; the plan has one implicit stage with no
	// minimum duration, so the decision is proceed once units suffice.
	e := gateEnv(t, 0.1)
	e.ev.EvaluateAt(context.Background(), "exp-a", evalAt)
	if g := gate(t, e); g.Decision != "proceed" {
		t.Fatalf("decision %s (%v), want proceed", g.Decision, g.Reasons)
	}
	for _, c := range []struct {
		hook, path, body string
		want             int
	}{
		{"confirm-promotion", "", `{"name":"podinfo","metadata":{"experiment":"exp-a"}}`, 200},
		{"confirm-traffic-increase", "", `{"name":"exp-a"}`, 200},
		{"confirm-promotion", "?experiment=exp-a", `{"name":"podinfo"}`, 200},
		{"rollback", "", `{"name":"exp-a"}`, 412},
		{"confirm-promotion", "", `{"name":"podinfo"}`, 404},
		{"confirm-promotion", "", `not json`, 400},
		{"pre-rollout", "", `{"name":"exp-a"}`, 404},
	} {
		status, body := e.do(t, http.MethodPost, "/api/v1/flagger/"+c.hook+c.path, "", []byte(c.body))
		if status != c.want {
			t.Errorf("%s%s %s: %d %s, want %d", c.hook, c.path, c.body, status, body, c.want)
		}
	}
	if status, _ := e.do(t, http.MethodGet, "/api/v1/gates/unknown", "", nil); status != http.StatusNotFound {
		t.Errorf("unknown experiment gate: %d, want 404 (Argo counts it as an error)", status)
	}
}

// stagedPlan gives exp-a a durations-only schedule: canary 0–1h, ramp
// 1h–3h, half from 3h for at least 72h. At evalAt (48h) half is in force
// and has not met its minimum, while canary and ramp have met theirs. The
// weights stay 50/50 because the fixture's units are split evenly.
const stagedPlan = `stages:
  - {name: canary, weights: {control: 0.5, treatment: 0.5}, min_duration: 1h}
  - {name: ramp, weights: {control: 0.5, treatment: 0.5}, min_duration: 2h}
  - {name: half, weights: {control: 0.5, treatment: 0.5}, min_duration: 72h}
`

func stageGate(t *testing.T, e *env, stage string) exporterclient.Gate {
	t.Helper()
	status, body := e.do(t, http.MethodGet, "/api/v1/gates/exp-a?stage="+url.QueryEscape(stage), "", nil)
	if status != http.StatusOK {
		t.Fatalf("gate of stage %q: %d %s", stage, status, body)
	}
	var g exporterclient.Gate
	if err := json.Unmarshal(body, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

func TestStageGateAnswersForTheNamedStage(t *testing.T) {
	e := gateEnvWith(t, 0.1, stagedPlan)

	// No current result: hold for the named stage, never proceed.
	if g := stageGate(t, e, "canary"); g.Stage != "canary" || g.NextStage != "ramp" || g.Decision != "hold" || g.Proceed || g.EvaluationOK || g.Error == "" || len(g.Reasons) == 0 {
		t.Errorf("canary before evaluation: %+v, want hold for canary", g)
	}

	e.ev.EvaluateAt(context.Background(), "exp-a", evalAt)
	overall := gate(t, e)
	if overall.Stage != "half" || overall.Decision != "hold" || !strings.Contains(strings.Join(overall.Reasons, "; "), "stage half has run 45h0m0s of its minimum 72h0m0s") {
		t.Fatalf("overall gate %+v, want hold at half (45h of its 72h minimum)", overall)
	}
	// An empty stage is the stage in force: the same answer as no parameter.
	if g := stageGate(t, e, ""); !reflect.DeepEqual(g, overall) {
		t.Errorf("?stage= gave %+v, want the overall gate %+v", g, overall)
	}
	// The gate of the stage in force is the overall gate.
	if g := stageGate(t, e, "half"); !reflect.DeepEqual(g, overall) {
		t.Errorf("?stage=half gave %+v, want the overall gate %+v", g, overall)
	}
	for _, c := range []struct{ stage, next string }{{"canary", "ramp"}, {"ramp", "half"}} {
		g := stageGate(t, e, c.stage)
		if g.Stage != c.stage || g.NextStage != c.next || g.Decision != "proceed" || !g.Proceed || g.Rollback || !g.EvaluationOK || g.Experiment != "exp-a" || g.PlanHash != overall.PlanHash {
			t.Errorf("gate of %s: %+v, want proceed to %s", c.stage, g, c.next)
		}
		if !strings.Contains(strings.Join(g.Reasons, "; "), "proceed to "+c.next) {
			t.Errorf("gate of %s: reasons %q", c.stage, g.Reasons)
		}
	}

	// The client reads the same answer.
	c, err := exporterclient.New(e.srv.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	if g, err := c.StageGate(context.Background(), "exp-a", "ramp"); err != nil || g.Decision != "proceed" || g.Stage != "ramp" {
		t.Errorf("client StageGate(ramp) = %+v, %v; want proceed", g, err)
	}
}

func TestStageGateRejectsAnUnknownStage(t *testing.T) {
	e := gateEnvWith(t, 0.1, stagedPlan)
	e.ev.EvaluateAt(context.Background(), "exp-a", evalAt)
	status, body := e.do(t, http.MethodGet, "/api/v1/gates/exp-a?stage=ramp-5", "", nil)
	var eb exporterclient.ErrorBody
	_ = json.Unmarshal(body, &eb)
	if status != http.StatusBadRequest || !strings.HasPrefix(eb.Error, "stage: ") || !strings.Contains(eb.Error, `"ramp-5"`) || !strings.Contains(eb.Error, "canary, ramp, half") {
		t.Errorf("unknown stage: %d %s, want 400 naming stage, the value and the plan's stages", status, body)
	}
	// A plan without stages has the implicit stage "all".
	e = gateEnv(t, 0.1)
	status, body = e.do(t, http.MethodGet, "/api/v1/gates/exp-a?stage=canary", "", nil)
	if status != http.StatusBadRequest || !strings.Contains(string(body), "expected one of all") {
		t.Errorf("unknown stage of an unstaged plan: %d %s", status, body)
	}
	if g := stageGate(t, e, "all"); g.Stage != "all" || g.Decision != "hold" {
		t.Errorf("gate of the implicit stage before evaluation: %+v, want hold", g)
	}
}

func TestStageGateRollsBackEveryStageOnHarm(t *testing.T) {
	e := gateEnvWith(t, 0.35, stagedPlan)
	e.ev.EvaluateAt(context.Background(), "exp-a", evalAt)
	for _, stage := range []string{"canary", "ramp", "half"} {
		if g := stageGate(t, e, stage); g.Decision != "rollback" || !g.Rollback || g.Proceed || g.Harmful != 1 || g.Stage != stage {
			t.Errorf("gate of %s on a harmful primary: %+v, want rollback", stage, g)
		}
	}
	// The store goes away: every stage holds, not the stale rollback.
	e.src.SetDown(true)
	e.ev.EvaluateAt(context.Background(), "exp-a", evalAt.Add(time.Minute))
	if g := stageGate(t, e, "ramp"); g.Decision != "hold" || g.EvaluationOK || g.NextStage != "half" || !strings.Contains(g.Error, "switched off") {
		t.Errorf("gate of ramp with the store down: %+v, want hold with the error", g)
	}
}

// TestFlaggerConfirmPromotionWaitsForTheFinalStage: with explicit starts
// the stage in force (ramp, 47h into its 2h minimum) may end while the
// final stage has not begun. Flagger asks confirm-promotion after its last
// step weight, and promoting completes the rollout: it must wait for the
// final stage, while confirm-traffic-increase follows the stage in force.
func TestFlaggerConfirmPromotionWaitsForTheFinalStage(t *testing.T) {
	e := gateEnvWith(t, 0.1, `stages:
  - {name: canary, weights: {control: 0.5, treatment: 0.5}, min_duration: 1h}
  - {name: ramp, weights: {control: 0.5, treatment: 0.5}, min_duration: 2h}
  - {name: half, weights: {control: 0.5, treatment: 0.5}, min_duration: 24h, start: 2026-11-05T00:00:00Z}
`)
	e.ev.EvaluateAt(context.Background(), "exp-a", evalAt)
	if g := gate(t, e); g.Stage != "ramp" || g.Decision != "proceed" {
		t.Fatalf("overall gate %+v, want proceed from ramp", g)
	}
	payload := `{"name":"podinfo","metadata":{"experiment":"exp-a"}}`
	if s := flagger(t, e, "confirm-traffic-increase", payload); s != http.StatusOK {
		t.Errorf("confirm-traffic-increase: %d, want 200 (the stage in force may end)", s)
	}
	status, body := e.do(t, http.MethodPost, "/api/v1/flagger/confirm-promotion", "", []byte(payload))
	if status != http.StatusPreconditionFailed || !strings.Contains(string(body), "stage half begins at 2026-11-05T00:00:00Z") {
		t.Errorf("confirm-promotion: %d %s, want 412 naming the final stage's start", status, body)
	}
}
