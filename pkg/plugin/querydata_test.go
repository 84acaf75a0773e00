package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/exporterclient"
	"github.com/liftgate/liftgate/pkg/models"
	"github.com/liftgate/liftgate/pkg/plan"
	"github.com/liftgate/liftgate/pkg/stats"
)

const testPlan = `id: tiny
start: 2026-11-01T00:00:00Z
control: control
arms: [{name: control, weight: 0.5}, {name: treatment, weight: 0.5}]
exposure: {event: exposure, experiment_property: experiment, arm_property: arm}
metrics:
  - {name: conversion, role: primary, kind: conversion, event: purchase, direction: increase}
  - {name: revenue, role: secondary, kind: mean, event: purchase, property: amount, direction: increase}
`

// fakePlans serves one plan; it panics on ListPlans when told to, standing
// in for a bug in a handler.
type fakePlans struct {
	p           *plan.Plan
	panicOnList bool
}

func (f fakePlans) ListPlans(context.Context) ([]exporterclient.PlanSummary, error) {
	if f.panicOnList {
		panic("bug in ListPlans")
	}
	return []exporterclient.PlanSummary{{ID: f.p.ID}}, nil
}

func (f fakePlans) Plan(_ context.Context, id string) (*plan.Plan, string, error) {
	if id != f.p.ID {
		return nil, "", &exporterclient.APIError{StatusCode: 404, Message: "not found"}
	}
	return f.p, f.p.Hash(), nil
}

func (f fakePlans) LastResult(context.Context, string) (*engine.Result, error) {
	return nil, errors.New("not used")
}

// fixedSums is an event source with fixed statistics: every baseline unit
// has the same value, and the treatment has no units at all, so effects
// are undefined; it may fail on cue.
type fixedSums struct{ fail error }

func (fixedSums) Name() string { return "fixed" }
func (fixedSums) Close() error { return nil }
func (f fixedSums) Exposures(context.Context, events.Scope) (events.ExposureCounts, error) {
	if f.fail != nil {
		return events.ExposureCounts{}, f.fail
	}
	return events.ExposureCounts{Groups: []events.GroupCount{{GroupKey: events.GroupKey{Arm: "control"}, Units: 500}}}, nil
}
func (f fixedSums) MetricSums(context.Context, events.Scope, events.Metric) ([]events.GroupSums, error) {
	return []events.GroupSums{{GroupKey: events.GroupKey{Arm: "control"}, Sums: stats.ArmSums{N: 500, SumY: 0, SumY2: 0}}}, nil
}

func testDatasource(t *testing.T, plans planSource, evs events.Source) *Datasource {
	t.Helper()
	cfg, err := models.LoadSettings(backend.DataSourceInstanceSettings{JSONData: []byte(`{"exporterUrl":"http://exporter:9781"}`)})
	if err != nil {
		t.Fatal(err)
	}
	return newDatasource(cfg, plans, evs, nil, nil)
}

func mustParse(t *testing.T) *plan.Plan {
	t.Helper()
	p, err := plan.Parse([]byte(testPlan), "tiny.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func dataQuery(ref, queryType, model string) backend.DataQuery {
	return backend.DataQuery{RefID: ref, QueryType: queryType, JSON: []byte(model),
		TimeRange: backend.TimeRange{From: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)}}
}

// A panicking handler costs its own query only: the plugin error is
// reported on that refId and the other queries of the request answer.
func TestPanicFailsOneQuery(t *testing.T) {
	ds := testDatasource(t, fakePlans{p: mustParse(t), panicOnList: true}, fixedSums{})
	resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{
		dataQuery("V", models.QueryTypeVariables, `{"variable":"experiments"}`),
		dataQuery("C", models.QueryTypeComparison, `{"experiment":"tiny"}`),
	}})
	if err != nil {
		t.Fatalf("the request failed as a whole: %v", err)
	}
	v := resp.Responses["V"]
	if v.Error == nil || v.ErrorSource != backend.ErrorSourcePlugin || !strings.Contains(v.Error.Error(), "bug in ListPlans") {
		t.Errorf("panicking query: %v (%s)", v.Error, v.ErrorSource)
	}
	if c := resp.Responses["C"]; c.Error != nil || len(c.Frames) == 0 {
		t.Errorf("the other query: %v, %d frames", c.Error, len(c.Frames))
	}
}

// Undefined numbers (no treatment units, zero baseline) travel as nulls,
// never as NaN, in every frame of every query type that shows them.
func TestNoNaNInFrames(t *testing.T) {
	ds := testDatasource(t, fakePlans{p: mustParse(t)}, fixedSums{})
	resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{
		dataQuery("C", models.QueryTypeComparison, `{"experiment":"tiny"}`),
		dataQuery("N", models.QueryTypeComparison, `{"experiment":"tiny","numericValue":"relative_effect"}`),
		dataQuery("L", models.QueryTypeLiftOverTime, `{"experiment":"tiny","bucket":"12h"}`),
		dataQuery("S", models.QueryTypeArmSeries, `{"experiment":"tiny","metric":"conversion","bucket":"12h"}`),
	}})
	if err != nil {
		t.Fatal(err)
	}
	for ref, dr := range resp.Responses {
		if dr.Error != nil {
			t.Fatalf("%s: %v", ref, dr.Error)
		}
		raw, err := json.Marshal(dr)
		if err != nil {
			t.Fatal(err)
		}
		// The SDK's JSON lists non-finite values as entities by kind.
		if strings.Contains(string(raw), `"NaN":`) || strings.Contains(string(raw), `"Inf":`) || strings.Contains(string(raw), `"NegInf":`) {
			t.Errorf("%s carries NaN or Inf: %s", ref, raw)
		}
	}
	// The relative effect is undefined for every row, so the alerting frame
	// has no rows rather than NaN rows.
	if n, _ := resp.Responses["N"].Frames[0].RowLen(); n != 0 {
		t.Errorf("relative_effect rows: %d, want 0", n)
	}
}

// Settings that cannot work answer every call with the reason, by name.
func TestMisconfiguredInstance(t *testing.T) {
	inst, err := NewDatasource(context.Background(), backend.DataSourceInstanceSettings{JSONData: []byte(`{"eventStore":"exporter"}`)})
	if err != nil {
		t.Fatalf("the factory failed: %v", err)
	}
	ds := inst.(*Datasource)
	resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{dataQuery("A", models.QueryTypeComparison, `{"experiment":"x"}`)}})
	if err != nil {
		t.Fatal(err)
	}
	a := resp.Responses["A"]
	if a.Error == nil || !strings.Contains(a.Error.Error(), "exporterUrl is required") || a.ErrorSource != backend.ErrorSourceDownstream {
		t.Errorf("query: %v (%s)", a.Error, a.ErrorSource)
	}
	h, err := ds.CheckHealth(context.Background(), &backend.CheckHealthRequest{})
	if err != nil || h.Status != backend.HealthStatusError || !strings.Contains(h.Message, "exporterUrl is required") {
		t.Errorf("health: %v %+v", err, h)
	}
	ds.Dispose() // must not panic on a half-built instance
}

// A failing store is named in the health check next to the sources that
// work.
func TestHealthNamesTheFailingSource(t *testing.T) {
	ds := testDatasource(t, fakePlans{p: mustParse(t)}, fixedSums{fail: errors.New("dial tcp 10.0.0.9:9000: connection refused")})
	h, err := ds.CheckHealth(context.Background(), &backend.CheckHealthRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if h.Status != backend.HealthStatusError ||
		!strings.Contains(h.Message, "OK liftgate exporter (plans) at http://exporter:9781: 1 plan(s) evaluated") ||
		!strings.Contains(h.Message, "FAILED event store fixed: dial tcp 10.0.0.9:9000: connection refused") {
		t.Errorf("health: %s\n%s", h.Status, h.Message)
	}
}
