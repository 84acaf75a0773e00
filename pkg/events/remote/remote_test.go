package remote_test

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/events/duckdb"
	"github.com/liftgate/liftgate/pkg/events/remote"
	"github.com/liftgate/liftgate/pkg/plan"
)

// loadExample fills a real in-memory DuckDB store with the engine's
// reference events.
func loadExample(t *testing.T) *duckdb.Store {
	t.Helper()
	f, err := os.Open("../../engine/testdata/checkout-v2.ndjson.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	store, err := duckdb.Open("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	dec := events.NewNDJSONDecoder(gz, "checkout-v2.ndjson")
	var batch []events.Event
	for {
		e, err := dec.Next()
		if err != nil {
			break
		}
		batch = append(batch, e)
	}
	if _, err := store.Append(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	return store
}

// The plugin reads the exporter's store through the API; an analysis over
// the API must equal one over the store itself, number for number.
func TestRemoteAnalysisEqualsLocal(t *testing.T) {
	store := loadExample(t)
	srv := httptest.NewServer(remote.Handler(store, remote.HandlerOptions{BearerToken: "s3cret"}))
	defer srv.Close()
	client, err := remote.NewClient(srv.URL, remote.ClientOptions{BearerToken: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()

	p, err := plan.Load("../../../examples/checkout-v2.yaml")
	if err != nil {
		t.Fatal(err)
	}
	opts := engine.Options{At: time.Date(2026, 11, 4, 0, 0, 0, 0, time.UTC), Segment: "platform", IncludeSums: true}
	local, err := engine.Analyze(context.Background(), p, store, opts)
	if err != nil {
		t.Fatal(err)
	}
	viaAPI, err := engine.Analyze(context.Background(), p, client, opts)
	if err != nil {
		t.Fatal(err)
	}
	// The health notes name the source they speak of; that is the only
	// text allowed to differ.
	if viaAPI.Health == nil || len(viaAPI.Health.Checks) == 0 {
		t.Fatalf("no data-health checks over the API: %+v", viaAPI.Health)
	}
	for i, n := range viaAPI.Health.Notes {
		viaAPI.Health.Notes[i] = strings.ReplaceAll(n, client.Name(), store.Name())
	}
	// DuckDB's parallel float sums may differ in the last bit between two
	// runs of the same query, so numbers are compared to 1e-9 relative.
	if diff := jsonDiff(t, local, viaAPI); diff != "" {
		t.Fatalf("analysis over the API differs from the local one: %s", diff)
	}
	if len(local.Results) == 0 || local.Arms[0].Units == 0 {
		t.Fatalf("the example produced no data: %+v", local.Arms)
	}

	// Buckets survive the round trip too.
	scope := events.Scope{Experiment: p.ID, Unit: p.Unit, Arms: p.ArmNames(), Start: p.Start, End: opts.At, Bucket: 6 * time.Hour,
		Exposure: events.Exposure{Event: p.Exposure.Event, ExperimentProperty: p.Exposure.ExperimentProperty, ArmProperty: p.Exposure.ArmProperty}}
	m := events.Metric{Kind: events.Conversion, Value: events.EventValue{Event: "purchase"}, Window: 72 * time.Hour}
	want, err := store.MetricSums(context.Background(), scope, m)
	if err != nil {
		t.Fatal(err)
	}
	got, err := client.MetricSums(context.Background(), scope, m)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) < 2 || jsonDiff(t, want, got) != "" {
		t.Fatalf("bucketed sums differ over the API: %d local rows, %d remote", len(want), len(got))
	}
}

func TestRemoteRefusesWithoutToken(t *testing.T) {
	store := loadExample(t)
	srv := httptest.NewServer(remote.Handler(store, remote.HandlerOptions{BearerToken: "s3cret", MaxRequestBytes: 4096}))
	defer srv.Close()

	for _, token := range []string{"", "wrong"} {
		client, _ := remote.NewClient(srv.URL, remote.ClientOptions{BearerToken: token})
		_, err := client.Exposures(context.Background(), events.Scope{Experiment: "x"})
		if err == nil || !strings.Contains(err.Error(), "401") {
			t.Fatalf("token %q: want 401, got %v", token, err)
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Fatalf("the error echoes the secret: %v", err)
		}
	}

	resp, err := http.Post(srv.URL+remote.PathExposures, "application/json", strings.NewReader(`{"scope":{"experiment":"`+strings.Repeat("x", 8192)+`"}}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unauthenticated oversized request: status %d, want 401 first", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+remote.PathExposures, strings.NewReader(`{"scope":{"experiment":"`+strings.Repeat("x", 8192)+`"}}`))
	req.Header.Set("Authorization", "Bearer s3cret")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized request: status %d, want 413", resp.StatusCode)
	}
}

func TestNewClientRejectsBadURL(t *testing.T) {
	for _, u := range []string{"", "ftp://x", "not a url", "http://"} {
		if _, err := remote.NewClient(u, remote.ClientOptions{}); err == nil {
			t.Errorf("%q accepted", u)
		}
	}
}

// jsonDiff compares two values through their JSON form, numbers to 1e-9
// relative, and describes the first difference ("" when equal).
func jsonDiff(t *testing.T, a, b any) string {
	t.Helper()
	var x, y any
	for _, p := range []struct {
		v    any
		into *any
	}{{a, &x}, {b, &y}} {
		raw, err := json.Marshal(p.v)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, p.into); err != nil {
			t.Fatal(err)
		}
	}
	return walkDiff("$", x, y)
}

func walkDiff(path string, x, y any) string {
	switch xv := x.(type) {
	case map[string]any:
		yv, ok := y.(map[string]any)
		if !ok || len(xv) != len(yv) {
			return path + ": objects differ in shape"
		}
		for k := range xv {
			if d := walkDiff(path+"."+k, xv[k], yv[k]); d != "" {
				return d
			}
		}
	case []any:
		yv, ok := y.([]any)
		if !ok || len(xv) != len(yv) {
			return path + ": arrays differ in length"
		}
		for i := range xv {
			if d := walkDiff(fmt.Sprintf("%s[%d]", path, i), xv[i], yv[i]); d != "" {
				return d
			}
		}
	case float64:
		yv, ok := y.(float64)
		if !ok || math.Abs(xv-yv) > 1e-9*math.Max(1, math.Max(math.Abs(xv), math.Abs(yv))) {
			return fmt.Sprintf("%s: %v != %v", path, x, y)
		}
	default:
		if x != y {
			return fmt.Sprintf("%s: %v != %v", path, x, y)
		}
	}
	return ""
}
