package server

import (
	"context"
	"encoding/json"
	"net/http"
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
	e := newEnv(t, Options{})
	harmful := strings.Replace(fixture.PlanYAML("exp-a", start), "window: 72h, direction: increase", "window: 72h, direction: decrease", 1)
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
