package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/liftgate/liftgate/exporter/evaluator"
	"github.com/liftgate/liftgate/exporter/internal/fixture"
	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/events/duckdb"
	"github.com/liftgate/liftgate/pkg/events/remote"
	"github.com/liftgate/liftgate/pkg/exporterclient"
)

var (
	start  = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	evalAt = start.Add(48 * time.Hour)
)

type duckWriter struct{ s *duckdb.Store }

func (w duckWriter) Write(ctx context.Context, evs []events.Event) (int, int, error) {
	r, err := w.s.Append(ctx, evs)
	return r.Inserted, r.Duplicates, err
}

type env struct {
	srv   *httptest.Server
	store *duckdb.Store
	src   *fixture.Switchable
	ev    *evaluator.Evaluator
	dir   string
}

// newEnv runs the handler over an empty store and one plan, exp-a.
func newEnv(t *testing.T, opts Options) *env {
	t.Helper()
	store, err := duckdb.Open("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	src := &fixture.Switchable{Source: store}
	dir := t.TempDir()
	fixture.WritePlan(t, dir, "a.yaml", fixture.PlanYAML("exp-a", start))
	ev, err := evaluator.New(evaluator.Options{PlansDir: dir, Source: src, Now: func() time.Time { return evalAt }})
	if err != nil {
		t.Fatal(err)
	}
	opts.Evaluator, opts.Source = ev, src
	if opts.Writer == nil {
		opts.Writer = duckWriter{store}
	}
	srv := httptest.NewServer(New(opts))
	t.Cleanup(srv.Close)
	return &env{srv: srv, store: store, src: src, ev: ev, dir: dir}
}

func (e *env) do(t *testing.T, method, path, token string, body []byte, header ...string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}

func ingest(t *testing.T, e *env, token string, body []byte, header ...string) (int, IngestResponse) {
	t.Helper()
	status, data := e.do(t, http.MethodPost, "/api/v1/events", token, body, header...)
	var r IngestResponse
	_ = json.Unmarshal(data, &r)
	return status, r
}

func TestIngestCommitsDedupesAndReportsBadRecords(t *testing.T) {
	e := newEnv(t, Options{})
	evs := fixture.Events("exp-a", start, 1,
		fixture.Arm{Name: "control", Units: 300, PurchaseRate: 0.1},
		fixture.Arm{Name: "treatment", Units: 300, PurchaseRate: 0.3})
	body := fixture.NDJSON(evs)
	body = append(body, []byte("{\"event\":\"purchase\"}\nnot json\n")...)

	status, r := ingest(t, e, "", body)
	if status != http.StatusOK || r.Inserted != len(evs) || r.Rejected != 2 || r.Received != len(evs)+2 {
		t.Fatalf("status %d, %+v; want %d inserted and 2 rejected", status, r, len(evs))
	}
	if r.Errors[0].Line != len(evs)+1 || r.Errors[1].Line != len(evs)+2 {
		t.Errorf("errors %+v, want lines %d and %d", r.Errors, len(evs)+1, len(evs)+2)
	}

	// The same events again, as a JSON array: all duplicates.
	var arr bytes.Buffer
	arr.WriteString("[")
	arr.Write(bytes.ReplaceAll(bytes.TrimSpace(fixture.NDJSON(evs)), []byte("\n"), []byte(",")))
	arr.WriteString("]")
	status, r = ingest(t, e, "", arr.Bytes())
	if status != http.StatusOK || r.Inserted != 0 || r.Duplicates != len(evs) {
		t.Fatalf("resend: status %d, %+v; want every event a duplicate", status, r)
	}

	// What was acknowledged is what the engine counts.
	e.ev.EvaluateAt(context.Background(), "exp-a", evalAt)
	x, _ := e.ev.Experiment("exp-a")
	if !x.Last.OK() {
		t.Fatal(x.Last.Err)
	}
	for _, a := range x.Last.Result.Arms {
		if a.Units != 300 {
			t.Errorf("arm %s has %d units after ingestion, want 300", a.Name, a.Units)
		}
	}
}

func TestIngestGzipLimitsAndAllBad(t *testing.T) {
	e := newEnv(t, Options{MaxIngestBytes: 2048, MaxIngestEvents: 5})
	one := fixture.NDJSON(fixture.Events("exp-a", start, 1, fixture.Arm{Name: "control", Units: 1}))

	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(one)
	_ = zw.Close()
	if status, r := ingest(t, e, "", gz.Bytes(), "Content-Encoding", "gzip"); status != http.StatusOK || r.Inserted != 1 {
		t.Errorf("gzip: %d %+v", status, r)
	}
	if status, _ := ingest(t, e, "", one, "Content-Encoding", "br"); status != http.StatusUnsupportedMediaType {
		t.Errorf("brotli: status %d, want 415", status)
	}
	if status, _ := ingest(t, e, "", bytes.Repeat([]byte(" "), 4096)); status != http.StatusRequestEntityTooLarge {
		t.Errorf("4 KiB body over a 2 KiB limit: status %d, want 413", status)
	}
	// A small gzip body that inflates past the limit is refused too.
	gz.Reset()
	zw = gzip.NewWriter(&gz)
	_, _ = zw.Write(bytes.Repeat([]byte(" "), 1<<20))
	_ = zw.Close()
	if status, _ := ingest(t, e, "", gz.Bytes(), "Content-Encoding", "gzip"); status != http.StatusRequestEntityTooLarge {
		t.Errorf("gzip bomb: status %d, want 413", status)
	}
	six := bytes.Repeat([]byte(`{"event":"x"}`+"\n"), 6)
	if status, _ := ingest(t, e, "", six); status != http.StatusRequestEntityTooLarge {
		t.Errorf("6 records over a limit of 5: status %d, want 413", status)
	}
	if status, r := ingest(t, e, "", []byte(`{"event":"x"}`)); status != http.StatusBadRequest || r.Rejected != 1 {
		t.Errorf("only bad records: %d %+v, want 400", status, r)
	}
}

type failingWriter struct{}

func (failingWriter) Write(context.Context, []events.Event) (int, int, error) {
	return 0, 0, errors.New("disk full")
}

func TestIngestStoreFailureIs503(t *testing.T) {
	e := newEnv(t, Options{Writer: failingWriter{}})
	one := fixture.NDJSON(fixture.Events("exp-a", start, 1, fixture.Arm{Name: "control", Units: 1}))
	status, data := e.do(t, http.MethodPost, "/api/v1/events", "", one)
	if status != http.StatusServiceUnavailable || !strings.Contains(string(data), "disk full") {
		t.Errorf("status %d %s, want 503 naming the cause", status, data)
	}
}

func TestTokens(t *testing.T) {
	e := newEnv(t, Options{IngestToken: "in", APIToken: "api"})
	one := fixture.NDJSON(fixture.Events("exp-a", start, 1, fixture.Arm{Name: "control", Units: 1}))
	for _, c := range []struct {
		method, path, token string
		body                []byte
		want                int
	}{
		{"POST", "/api/v1/events", "", one, 401},
		{"POST", "/api/v1/events", "api", one, 401},
		{"POST", "/api/v1/events", "in", one, 200},
		{"GET", "/api/v1/plans", "", nil, 401},
		{"GET", "/api/v1/plans", "in", nil, 401},
		{"GET", "/api/v1/plans", "api", nil, 200},
		{"GET", "/api/v1/plans/exp-a", "", nil, 401},
		{"GET", "/api/v1/experiments/exp-a/result", "", nil, 401},
		{"POST", "/api/v1/events/exposures", "", []byte(`{}`), 401},
		// Gates answer what /metrics shows anyway; they stay open so that
		// Flagger (which cannot send headers) can call them.
		{"GET", "/api/v1/gates/exp-a", "", nil, 200},
		{"POST", "/api/v1/flagger/confirm-promotion", "", []byte(`{"name":"exp-a"}`), 412},
	} {
		if status, body := e.do(t, c.method, c.path, c.token, c.body); status != c.want {
			t.Errorf("%s %s with token %q: %d %s, want %d", c.method, c.path, c.token, status, body, c.want)
		}
	}
}

func TestPlansResultAndQueryAPIThroughTheClients(t *testing.T) {
	e := newEnv(t, Options{APIToken: "api"})
	evs := fixture.Events("exp-a", start, 1,
		fixture.Arm{Name: "control", Units: 300, PurchaseRate: 0.1},
		fixture.Arm{Name: "treatment", Units: 300, PurchaseRate: 0.3})
	if status, _ := ingest(t, e, "", fixture.NDJSON(evs)); status != 200 {
		t.Fatal("ingest failed")
	}
	c, err := exporterclient.New(e.srv.URL, "api")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.LastResult(ctx, "exp-a"); !errors.Is(err, exporterclient.ErrNoResult) {
		t.Errorf("before evaluation: %v, want ErrNoResult", err)
	}
	e.ev.EvaluateAt(ctx, "exp-a", evalAt)

	plans, err := c.ListPlans(ctx)
	if err != nil || len(plans) != 1 || plans[0].ID != "exp-a" || plans[0].File != "a.yaml" || plans[0].State != exporterclient.StateRunning {
		t.Fatalf("plans = %+v, %v", plans, err)
	}
	p, hash, err := c.Plan(ctx, "exp-a")
	if err != nil || hash != plans[0].Hash || p.Hash() != hash {
		t.Fatalf("plan: %v; hash %s, list %s, recomputed %s", err, hash, plans[0].Hash, p.Hash())
	}
	doc, _ := c.PlanDocument(ctx, "exp-a")
	if doc.Source != fixture.PlanYAML("exp-a", start) {
		t.Errorf("source differs from the file:\n%s", doc.Source)
	}
	res, err := c.LastResult(ctx, "exp-a")
	if err != nil {
		t.Fatal(err)
	}
	// The result served is the engine's on the same data and time.
	want, err := engine.Analyze(ctx, p, e.store, engine.Options{At: evalAt})
	if err != nil {
		t.Fatal(err)
	}
	if res.Results[0].Absolute != want.Results[0].Absolute || res.Decision.Action != want.Decision.Action {
		t.Errorf("served %+v, engine %+v", res.Results[0], want.Results[0])
	}
	if _, err := c.LastResult(ctx, "nope"); !errors.Is(err, exporterclient.ErrNotFound) {
		t.Errorf("unknown id: %v, want ErrNotFound", err)
	}

	// The store query API answers the engine's queries: analysing through
	// it gives the same result as analysing the store directly.
	rc, err := remote.NewClient(e.srv.URL, remote.ClientOptions{BearerToken: "api"})
	if err != nil {
		t.Fatal(err)
	}
	viaAPI, err := engine.Analyze(ctx, p, rc, engine.Options{At: evalAt})
	if err != nil {
		t.Fatal(err)
	}
	if viaAPI.Results[0].Absolute != want.Results[0].Absolute || viaAPI.Arms[0].Units != want.Arms[0].Units {
		t.Errorf("via the query API %+v, direct %+v", viaAPI.Results[0], want.Results[0])
	}

	// A failed evaluation answers 503 with its time, never the old result.
	e.src.SetDown(true)
	e.ev.EvaluateAt(ctx, "exp-a", evalAt.Add(time.Minute))
	_, err = c.LastResult(ctx, "exp-a")
	var apiErr *exporterclient.APIError
	if !errors.As(err, &apiErr) || !errors.Is(err, exporterclient.ErrNoResult) || apiErr.EvaluatedAt == nil || !strings.Contains(apiErr.Message, "switched off") {
		t.Errorf("after a failed evaluation: %v, want 503 with the cause", err)
	}
}
