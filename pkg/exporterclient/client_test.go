package exporterclient

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/plan"
)

// examplePlan loads the repository's example plan, so the round trip below
// covers every field a real plan uses (durations, margins, stages, CUPED).
func examplePlan(t *testing.T) (*plan.Plan, []byte) {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	path := filepath.Join(filepath.Dir(file), "..", "..", "examples", "checkout-v2.yaml")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Parse(src, path)
	if err != nil {
		t.Fatal(err)
	}
	return p, src
}

func TestPlanRoundTripKeepsTheHash(t *testing.T) {
	p, src := examplePlan(t)
	encoded, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var gotAuth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth = r.Header.Get("Authorization")
		if r.URL.Path != "/api/v1/plans/checkout-v2" {
			http.NotFound(w, r)
			return
		}
		_ = json.NewEncoder(w).Encode(PlanDocument{
			PlanSummary: PlanSummary{ID: p.ID, Hash: p.Hash(), Stage: "canary", State: StateRunning},
			Plan:        encoded, Source: string(src),
		})
	}))
	defer srv.Close()

	c, err := New(srv.URL+"/", "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	got, hash, err := c.Plan(context.Background(), "checkout-v2")
	if err != nil {
		t.Fatal(err)
	}
	if gotAuth != "Bearer s3cret" {
		t.Errorf("Authorization header = %q, want the bearer token", gotAuth)
	}
	if hash != p.Hash() {
		t.Errorf("hash = %q, want %q", hash, p.Hash())
	}
	// The decoded plan must be the same plan: its own hash, recomputed on
	// this side, matches the one computed from the YAML file.
	if got.Hash() != p.Hash() {
		t.Errorf("decoded plan hashes to %q, the file to %q: the JSON round trip lost something", got.Hash(), p.Hash())
	}
	if len(got.Metrics) != 3 || got.Metrics[2].Margin == nil || got.Metrics[2].Margin.Relative != 0.05 {
		t.Errorf("decoded metrics %+v lack the guardrail margin", got.Metrics)
	}
}

func TestErrorsMatchSentinels(t *testing.T) {
	at := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v1/experiments/missing/result":
			w.WriteHeader(http.StatusNotFound)
			_ = json.NewEncoder(w).Encode(ErrorBody{Error: `no plan with id "missing"`})
		case "/api/v1/experiments/broken/result":
			w.WriteHeader(http.StatusServiceUnavailable)
			_ = json.NewEncoder(w).Encode(ErrorBody{Error: "last evaluation failed: duckdb exposures: gone", EvaluatedAt: &at})
		case "/api/v1/experiments/proxy/result":
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte("<html>bad gateway</html>"))
		default:
			t.Errorf("unexpected path %s", r.URL.Path)
		}
	}))
	defer srv.Close()
	c, err := New(srv.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	_, err = c.LastResult(ctx, "missing")
	if !errors.Is(err, ErrNotFound) || errors.Is(err, ErrNoResult) {
		t.Errorf("404: err = %v, want ErrNotFound only", err)
	}
	_, err = c.LastResult(ctx, "broken")
	var apiErr *APIError
	if !errors.Is(err, ErrNoResult) || !errors.As(err, &apiErr) || apiErr.EvaluatedAt == nil || !apiErr.EvaluatedAt.Equal(at) {
		t.Errorf("503: err = %#v, want ErrNoResult with the evaluation time", err)
	}
	_, err = c.LastResult(ctx, "proxy")
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadGateway || apiErr.Message != "<html>bad gateway</html>" {
		t.Errorf("502 with HTML: err = %v, want the body text", err)
	}
}

func TestLastResultDecodesEngineJSON(t *testing.T) {
	want := engine.Result{Experiment: "x", PlanHash: "sha256:0123456789abcdef", Alpha: 0.05,
		Decision: engine.Decision{Stage: "all", Action: engine.ActionHold, Reasons: []string{"arm b has 3 units, stage all needs 100"}}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(want)
	}))
	defer srv.Close()
	c, _ := New(srv.URL, "")
	got, err := c.LastResult(context.Background(), "x")
	if err != nil {
		t.Fatal(err)
	}
	if got.PlanHash != want.PlanHash || got.Decision.Action != engine.ActionHold || len(got.Decision.Reasons) != 1 {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestNewRejectsNonHTTPURLs(t *testing.T) {
	for _, u := range []string{"", "localhost:9781", "ftp://x", "http://"} {
		if _, err := New(u, ""); err == nil {
			t.Errorf("New(%q) accepted a URL that is not http(s)", u)
		}
	}
}

func TestIDIsPathEscaped(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.EscapedPath()
		_ = json.NewEncoder(w).Encode(Gate{Experiment: "a/b", Decision: "hold"})
	}))
	defer srv.Close()
	c, _ := New(srv.URL, "")
	if _, err := c.Gate(context.Background(), "a/b"); err != nil {
		t.Fatal(err)
	}
	if got != "/api/v1/gates/a%2Fb" {
		t.Errorf("path = %q, want the id escaped as one segment", got)
	}
}

func TestStageGateBindsTheStageAsAQueryParameter(t *testing.T) {
	var gotPath string
	var gotStage []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotPath, gotStage = r.URL.EscapedPath(), r.URL.Query()["stage"]
		if r.URL.Query().Get("stage") == "nope" {
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(ErrorBody{Error: `stage: "nope" is not a stage of plan a/b; expected one of canary, ramp-5, half`})
			return
		}
		_ = json.NewEncoder(w).Encode(Gate{Experiment: "a/b", Stage: r.URL.Query().Get("stage"), NextStage: "half", Decision: "proceed", Proceed: true})
	}))
	defer srv.Close()
	c, _ := New(srv.URL, "")
	// A stage name with characters that mean something in a query string
	// must arrive as one value, not as extra parameters.
	g, err := c.StageGate(context.Background(), "a/b", "ramp 5&stage=half")
	if err != nil {
		t.Fatal(err)
	}
	if gotPath != "/api/v1/gates/a%2Fb" || len(gotStage) != 1 || gotStage[0] != "ramp 5&stage=half" {
		t.Errorf("path %q, stage %q: want the id escaped as one segment and the stage as one query value", gotPath, gotStage)
	}
	if g.Stage != "ramp 5&stage=half" || !g.Proceed || g.NextStage != "half" {
		t.Errorf("gate = %+v, want the server's answer decoded", g)
	}
	_, err = c.StageGate(context.Background(), "a/b", "nope")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest || apiErr.Message == "" {
		t.Errorf("unknown stage: err = %v, want a 400 APIError with the server's message", err)
	}
}
