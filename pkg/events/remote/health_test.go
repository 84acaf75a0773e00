package remote_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/events/duckdb"
	"github.com/liftgate/liftgate/pkg/events/remote"
)

var healthStart = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

func healthAt(h float64) time.Time { return healthStart.Add(time.Duration(h * float64(time.Hour))) }

func healthScope() events.Scope {
	return events.Scope{
		Experiment: "exp1", Unit: "user_id",
		Exposure: events.Exposure{Event: "exposure", ExperimentProperty: "experiment", ArmProperty: "arm"},
		Arms:     []string{"control", "treatment"}, Start: healthStart, End: healthAt(240),
	}
}

func healthRequest() events.HealthRequest {
	return events.HealthRequest{
		Events:     []string{"purchase"},
		Properties: []events.EventValue{{Event: "purchase", Property: "amount"}},
		Now:        healthAt(240), ClockSkew: 5 * time.Minute, Examples: 3,
	}
}

// faultyStore is a real DuckDB store with good data and one or more of
// each fault it can hold.
func faultyStore(t *testing.T) *duckdb.Store {
	t.Helper()
	store, err := duckdb.Open("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	exp := func(id, unit string, h float64, arm any) events.Event {
		props := map[string]any{"experiment": "exp1"}
		if arm != nil {
			props["arm"] = arm
		}
		return events.Event{ID: id, Name: "exposure", Unit: unit, Time: healthAt(h), Properties: props}
	}
	buy := func(id, unit string, h float64, amount any) events.Event {
		props := map[string]any{}
		if amount != nil {
			props["amount"] = amount
		}
		return events.Event{ID: id, Name: "purchase", Unit: unit, Time: healthAt(h), Properties: props}
	}
	evs := []events.Event{
		exp("x1", "u1", 1, "control"), exp("x2", "u2", 2, "treatment"), exp("x3", "u3", 3, "control"),
		exp("x4", "u1", 4, "treatment"), // u1 in both arms
		exp("x5", "u5", 5, "treatmnet"), // unknown arm
		exp("x6", "u6", 6, nil),         // no arm
		exp("x7", "u7", -1, "control"),  // before the start
		buy("p1", "u1", 10, 12.5), buy("p2", "u2", 11, "12"), buy("p3", "u3", 12, nil),
		buy("p4", "u3", 250, 1), // from the future
	}
	if _, err := store.Append(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	return store
}

// The report through the API equals the store's own, count for count and
// example for example, faults included.
func TestRemoteHealthEqualsLocal(t *testing.T) {
	store := faultyStore(t)
	srv := httptest.NewServer(remote.Handler(store, remote.HandlerOptions{BearerToken: "s3cret"}))
	defer srv.Close()
	client, err := remote.NewClient(srv.URL, remote.ClientOptions{BearerToken: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()

	ctx := context.Background()
	local, err := store.Health(ctx, healthScope(), healthRequest())
	if err != nil {
		t.Fatal(err)
	}
	viaAPI, err := client.Health(ctx, healthScope(), healthRequest())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(local, viaAPI) {
		t.Fatalf("health over the API differs:\nlocal %+v\nAPI   %+v", local, viaAPI)
	}
	// The faults are really there, so the comparison is not of two empty
	// reports.
	for name, c := range map[string]events.HealthCount{
		"unknown arm": local.UnknownArm, "missing arm": local.MissingArm, "multi-arm": local.MultiArmUnits,
		"before start": local.BeforeStart, "future": local.Future,
		"missing amount": local.Properties[0].Missing, "non-numeric amount": local.Properties[0].NonNumeric,
	} {
		if c.Count != 1 || len(c.Examples) != 1 {
			t.Errorf("%s = %+v, want one with its example", name, c)
		}
	}
	if local.Watermark.IsZero() || viaAPI.Watermark.IsZero() {
		t.Error("no watermark")
	}
}

// hidden serves a store without its health checks.
type hidden struct{ events.Source }

func TestRemoteHealthUnsupportedAndBadRequests(t *testing.T) {
	store := faultyStore(t)
	plain := httptest.NewServer(remote.Handler(hidden{store}, remote.HandlerOptions{}))
	defer plain.Close()
	client, _ := remote.NewClient(plain.URL, remote.ClientOptions{})
	_, err := client.Health(context.Background(), healthScope(), healthRequest())
	if !errors.Is(err, remote.ErrHealthUnsupported) || !strings.Contains(err.Error(), "does not run data-health checks") {
		t.Fatalf("err = %v, want ErrHealthUnsupported with the server's reason", err)
	}

	srv := httptest.NewServer(remote.Handler(store, remote.HandlerOptions{}))
	defer srv.Close()
	client, _ = remote.NewClient(srv.URL, remote.ClientOptions{})
	bad := healthRequest()
	bad.Now = time.Time{}
	if _, err := client.Health(context.Background(), healthScope(), bad); err == nil || !strings.Contains(err.Error(), "now is not set") {
		t.Errorf("request without now: err = %v", err)
	}
	// The server checks too, whatever the client sends.
	resp, err := http.Post(srv.URL+remote.PathHealth, "application/json",
		strings.NewReader(`{"scope":{"experiment":"exp1","arms":["a"]},"now":"2026-03-01T00:00:00Z","clock_skew_seconds":-1}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("negative clock skew: status %d, want 400", resp.StatusCode)
	}
	noScope := healthScope()
	noScope.Experiment = ""
	if _, err := client.Health(context.Background(), noScope, healthRequest()); err == nil || !strings.Contains(err.Error(), "400") {
		t.Errorf("scope without experiment: err = %v, want a 400", err)
	}
}
