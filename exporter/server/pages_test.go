package server

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/liftgate/liftgate/exporter/internal/fixture"
)

func TestLandingPageShowsEveryExperimentWithPlots(t *testing.T) {
	e := gateEnv(t, 0.35)
	fixture.WritePlan(t, e.dir, "z.yaml", "id: [broken")
	_ = e.ev.Reload()
	e.ev.EvaluateAt(context.Background(), "exp-a", evalAt)

	status, body := e.do(t, http.MethodGet, "/", "", nil)
	page := string(body)
	if status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	for _, want := range []string{
		`data-experiment="exp-a"`, `data-decision="rollback"`, `href="/plans/exp-a"`,
		`<svg class="forest-plot" data-metric="purchase_conversion"`, `<svg class="forest-plot" data-metric="revenue"`,
		`data-verdict="harmful"`, `class="estimate"`, "SRM p =", "z.yaml", "is harmful in treatment",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("landing page lacks %q", want)
		}
	}
	if strings.Contains(page, "<script") {
		t.Error("landing page has a script; it must work without")
	}
	if strings.Contains(strings.ReplaceAll(page, `xmlns="http://www.w3.org/2000/svg"`, ""), "http") {
		t.Error("landing page links to an external URL")
	}

	status, body = e.do(t, http.MethodGet, "/plans/exp-a", "", nil)
	if status != http.StatusOK || !strings.Contains(string(body), "direction: decrease") {
		t.Errorf("plan page: %d, want the YAML source", status)
	}
	if status, _ := e.do(t, http.MethodGet, "/plans/nope", "", nil); status != http.StatusNotFound {
		t.Errorf("unknown plan page: %d", status)
	}
	if status, _ := e.do(t, http.MethodGet, "/nothing-here", "", nil); status != http.StatusNotFound {
		t.Errorf("unknown path: %d", status)
	}
}

func TestReloadEndpoint(t *testing.T) {
	e := newEnv(t, Options{})
	if status, _ := e.do(t, http.MethodPost, "/-/reload", "", nil); status != http.StatusOK {
		t.Errorf("clean reload: %d", status)
	}
	fixture.WritePlan(t, e.dir, "a.yaml", "garbage: [")
	status, body := e.do(t, http.MethodPost, "/-/reload", "", nil)
	if status != http.StatusInternalServerError || !strings.Contains(string(body), "a.yaml") {
		t.Errorf("reload of a corrupted file: %d %s, want 500 naming the file", status, body)
	}
	if x, ok := e.ev.Experiment("exp-a"); !ok || !x.Outdated {
		t.Error("the last good exp-a must keep running, marked outdated")
	}
	if status, _ := e.do(t, http.MethodGet, "/-/healthy", "", nil); status != http.StatusOK {
		t.Error("healthy")
	}
}
