package sim

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/liftgate/liftgate/pkg/events"
)

func TestValidateNamesTheField(t *testing.T) {
	c := Config{Experiment: "x", Start: time.Now(), Speed: 0.5, UsersPerSecond: 10,
		Stages:     []Stage{{Name: "a", TreatmentWeight: 0.1}, {Name: "b", Offset: 0, TreatmentWeight: 1.5}},
		Regression: &Regression{Stage: "c", LatencyFactor: 2, ErrorRate: 0.1, ConversionFactor: 1}}
	c.defaults()
	err := c.Validate()
	if err == nil {
		t.Fatal("want an error")
	}
	for _, want := range []string{"Speed", "Stages[1].Offset", "Stages[1].TreatmentWeight", "Regression.Stage"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}

// The daily cycle averages 1 (so UsersPerSecond is the day's mean rate),
// and the night is much quieter than the evening.
func TestTrafficIntensity(t *testing.T) {
	day := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	var sum float64
	lo, hi := math.Inf(1), math.Inf(-1)
	const steps = 24 * 60
	for i := range steps {
		v := trafficIntensity(day.Add(time.Duration(i) * time.Minute))
		sum += v
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	if mean := sum / steps; math.Abs(mean-1) > 1e-9 {
		t.Errorf("mean intensity %g, want 1", mean)
	}
	night, evening := trafficIntensity(day.Add(6*time.Hour)), trafficIntensity(day.Add(19*time.Hour))
	if !(lo > 0 && night < 0.4 && evening > 1.3 && hi/lo > 4) {
		t.Errorf("cycle too flat or negative: night %g, evening %g, range [%g, %g]", night, evening, lo, hi)
	}
}

// The events the simulator writes are what the exporter's decoder reads:
// same id, name, unit, time and properties.
func TestEventsDecodeAsLiftgateEvents(t *testing.T) {
	at := time.Date(2026, 11, 2, 9, 30, 15, 123e6, time.UTC)
	in := newEvent("sim-1", "purchase", "u42", at, map[string]any{"amount": 12.5, "currency": "USD"})
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(in); err != nil {
		t.Fatal(err)
	}
	ev, err := events.NewNDJSONDecoder(&buf, "sim").Next()
	if err != nil {
		t.Fatal(err)
	}
	if ev.ID != "sim-1" || ev.Name != "purchase" || ev.Unit != "u42" || !ev.Time.Equal(at) {
		t.Errorf("decoded %+v", ev)
	}
	if amt, _ := ev.Properties["amount"].(json.Number); amt.String() != "12.5" || ev.Properties["currency"] != "USD" {
		t.Errorf("properties %v", ev.Properties)
	}
}

// fakeIngest stands in for the exporter's ingestion endpoint: it decodes
// every batch with liftgate's own decoder, fails the first request with a
// 503 (the sink must resend it), and keeps one event per id.
type fakeIngest struct {
	mu       sync.Mutex
	byID     map[string]events.Event
	requests int
}

func (f *fakeIngest) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests++
	body, _ := io.ReadAll(r.Body)
	if f.requests == 1 {
		http.Error(w, "not now", http.StatusServiceUnavailable)
		return
	}
	dec := events.NewNDJSONDecoder(bytes.NewReader(body), "post")
	n := 0
	for {
		ev, err := dec.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.byID[ev.ID] = ev
		n++
	}
	_ = json.NewEncoder(w).Encode(map[string]int{"received": n, "inserted": n})
}

func (f *fakeIngest) events() []events.Event {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []events.Event
	for _, e := range f.byID {
		out = append(out, e)
	}
	return out
}

// A short run with a regression from the start in the treatment: the
// split follows the weight, the treatment's telemetry is slower and
// flakier, its users buy less, a rollback webhook stops treatment
// exposures, and every event reaches the ingestion endpoint despite a 503.
func TestSimulatorRun(t *testing.T) {
	ingest := &fakeIngest{byID: map[string]events.Event{}}
	srv := httptest.NewServer(ingest)
	defer srv.Close()

	start := time.Now()
	cfg := Config{
		Experiment: "demo", Start: start, Speed: 720, UsersPerSecond: 3000, Seed: 7,
		Stages:     []Stage{{Name: "half", TreatmentWeight: 0.5}},
		Regression: &Regression{Stage: "half", After: 0, LatencyFactor: 3, ErrorRate: 0.2, ConversionFactor: 0.5},
		Tick:       50 * time.Millisecond, Flush: 100 * time.Millisecond,
	}
	var notes []Note
	var notesMu sync.Mutex
	s, err := New(cfg, srv.URL, "", func(n Note) { notesMu.Lock(); notes = append(notes, n); notesMu.Unlock() })
	if err != nil {
		t.Fatal(err)
	}
	hooks := httptest.NewServer(s.Handler())
	defer hooks.Close()

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	time.Sleep(1500 * time.Millisecond)

	// Telemetry per variant, before the rollback.
	before := s.Stats()
	reqsC := testutil.ToFloat64(s.tel.requests.WithLabelValues("control", "200")) + testutil.ToFloat64(s.tel.requests.WithLabelValues("control", "503"))
	failC := testutil.ToFloat64(s.tel.requests.WithLabelValues("control", "503"))
	reqsT := testutil.ToFloat64(s.tel.requests.WithLabelValues("treatment", "200")) + testutil.ToFloat64(s.tel.requests.WithLabelValues("treatment", "503"))
	failT := testutil.ToFloat64(s.tel.requests.WithLabelValues("treatment", "503"))
	if reqsC < 1000 || reqsT < 1000 {
		t.Fatalf("too little traffic: control %v, treatment %v requests", reqsC, reqsT)
	}
	if rc, rt := failC/reqsC, failT/reqsT; !(rc < 0.03 && rt > 0.15) {
		t.Errorf("error ratio control %.3f, treatment %.3f: want about %.2f and %.2f", rc, rt, baseErrorRate, cfg.Regression.ErrorRate)
	}

	// The rollback webhook, as Alertmanager sends it.
	payload := `{"version":"4","receiver":"liftgate-rollback-hook","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"LiftgateRollbackDecision","experiment":"demo","action":"rollback","severity":"critical"},"annotations":{"summary":"x"}}]}`
	resp, err := http.Post(hooks.URL+"/hooks/rollback", "application/json", strings.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || s.RolledBack().IsZero() {
		t.Fatalf("rollback hook: HTTP %d, rolled back at %v", resp.StatusCode, s.RolledBack())
	}
	time.Sleep(500 * time.Millisecond)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}

	after := s.Stats()
	// Binomial split check: within 5 standard errors of the weight.
	n := float64(before.Exposed["control"] + before.Exposed["treatment"])
	share := float64(before.Exposed["treatment"]) / n
	if math.Abs(share-0.5) > 5*math.Sqrt(0.25/n) {
		t.Errorf("treatment share %.4f of %v exposures, want 0.5", share, n)
	}

	// Every event arrived exactly once, and the product effect shows.
	got := ingest.events()
	if int64(len(got)) != after.Events || after.Acknowledged != after.Events {
		t.Errorf("ingested %d distinct events, simulated %d, acknowledged %d", len(got), after.Events, after.Acknowledged)
	}
	arm := map[string]string{}
	rb := s.RolledBack()
	for _, e := range got {
		if e.Name == "experiment_viewed" {
			arm[e.Unit] = e.Properties["variation_id"].(string)
			if !e.Time.Before(rb) {
				t.Errorf("exposure at %v, after the rollback at %v", e.Time, rb)
			}
		}
	}
	buyers := map[string]map[string]bool{"control": {}, "treatment": {}}
	for _, e := range got {
		if a, ok := arm[e.Unit]; ok && e.Name == "purchase" {
			buyers[a][e.Unit] = true
		}
	}
	conv := func(a string) float64 { return float64(len(buyers[a])) / float64(before.Exposed[a]) }
	if !(conv("treatment") < 0.7*conv("control")) {
		t.Errorf("conversion control %.3f, treatment %.3f: the regression should cut it", conv("control"), conv("treatment"))
	}
	notesMu.Lock()
	defer notesMu.Unlock()
	kinds := map[string]bool{}
	for _, n := range notes {
		kinds[n.Kind] = true
	}
	for _, k := range []string{NoteStage, NoteRegression, NoteRollback, NoteNotification} {
		if !kinds[k] {
			t.Errorf("no %s note in %v", k, notes)
		}
	}
}

// The metrics page is valid exposition text with the per-variant series.
func TestTelemetryExposition(t *testing.T) {
	tel := newTelemetry()
	tel.observe("treatment", []request{{latency: 0.3}, {latency: 1.2, failed: true}})
	tel.deploy("treatment", "v2", "", 1e9)
	problems, err := testutil.GatherAndLint(tel.registry)
	if err != nil || len(problems) > 0 {
		t.Fatalf("lint: %v %v", err, problems)
	}
	srv := httptest.NewServer((&Simulator{tel: tel}).Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	found := map[string]bool{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		for _, want := range []string{
			`checkout_requests_total{code="503",variant="treatment"} 1`,
			`checkout_request_duration_seconds_count{variant="treatment"} 2`,
			`checkout_build_info{variant="treatment",version="v2"} 1`,
		} {
			if sc.Text() == want {
				found[want] = true
			}
		}
	}
	if len(found) != 3 {
		t.Errorf("found only %v", found)
	}
}
