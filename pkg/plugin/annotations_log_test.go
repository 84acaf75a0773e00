package plugin

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/liftgate/liftgate/pkg/decisionlog"
	"github.com/liftgate/liftgate/pkg/exporterclient"
	"github.com/liftgate/liftgate/pkg/frames"
	"github.com/liftgate/liftgate/pkg/models"
)

// loggingPlans is fakePlans with a decision log that filters like the
// exporter's (experiment, kind, since) or fails with err.
type loggingPlans struct {
	fakePlans
	entries []decisionlog.Entry
	err     error
}

func (l loggingPlans) Decisions(_ context.Context, q exporterclient.DecisionQuery) ([]decisionlog.Entry, error) {
	if l.err != nil {
		return nil, l.err
	}
	f := decisionlog.Filter{Experiment: q.Experiment, Kind: q.Kind, Since: q.Since}
	var out []decisionlog.Entry
	for i := range l.entries {
		if f.Match(&l.entries[i]) {
			out = append(out, l.entries[i])
		}
	}
	return out, nil
}

func annotationRows(t *testing.T, dr backend.DataResponse) (kinds, titles []string, times []time.Time, executed string) {
	t.Helper()
	if dr.Error != nil {
		t.Fatal(dr.Error)
	}
	f := dr.Frames[0]
	n, _ := f.RowLen()
	for i := range n {
		kinds = append(kinds, fieldString(f, "kind", i))
		titles = append(titles, fieldString(f, "title", i))
		tf, _ := f.FieldByName("time")
		times = append(times, tf.At(i).(time.Time))
	}
	return kinds, titles, times, f.Meta.ExecutedQueryString
}

func fieldString(f *data.Frame, name string, i int) string {
	fld, _ := f.FieldByName(name)
	return fld.At(i).(string)
}

// The annotations query shows the log's entries in the range at their
// recorded times, leaves out entries after the range, other experiments'
// and other metrics', and says in the executed query that it read the log.
func TestAnnotationsReadTheDecisionLog(t *testing.T) {
	p := mustParse(t)
	day := func(d, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, time.UTC) }
	entry := func(at time.Time, kind decisionlog.Kind, exp, metric string) decisionlog.Entry {
		return decisionlog.Entry{Time: at, Kind: kind, Experiment: exp, PlanHash: "h1", Metric: metric, Arm: "treatment", From: "inconclusive", To: "harmful"}
	}
	human := entry(day(2, 12), decisionlog.KindHumanDecision, "tiny", "")
	human.Human = &decisionlog.HumanDecision{Who: "alice", Action: "rollback", Why: "errors up"}
	log := loggingPlans{fakePlans: fakePlans{p: p}, entries: []decisionlog.Entry{
		{Time: day(2, 0), Kind: decisionlog.KindPlanChange, Experiment: "tiny", PlanHash: "h1", To: "h1", Plan: &decisionlog.PlanChange{NewHash: "h1"}},
		entry(day(2, 6), decisionlog.KindVerdictChange, "tiny", "conversion"),
		entry(day(2, 7), decisionlog.KindVerdictChange, "tiny", "revenue"),
		entry(day(2, 8), decisionlog.KindVerdictChange, "other", "conversion"),
		human,
		entry(day(3, 6), decisionlog.KindVerdictChange, "tiny", "conversion"), // after the range
	}}
	ds := testDatasource(t, log, fixedSums{})
	ds.now = func() time.Time { return day(10, 0) }
	resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{
		dataQuery("A", models.QueryTypeAnnotations, `{"experiment":"tiny","metric":"conversion","annotationKinds":["verdicts","plans","human_decisions"]}`),
	}})
	if err != nil {
		t.Fatal(err)
	}
	kinds, titles, times, executed := annotationRows(t, resp.Responses["A"])
	want := []struct {
		kind  string
		at    time.Time
		title string
	}{
		{models.AnnotationPlans, day(2, 0), "tiny: plan (none) → h1"},
		{models.AnnotationVerdicts, day(2, 6), "tiny: metric conversion in arm treatment: inconclusive → harmful"},
		{models.AnnotationHumanDecisions, day(2, 12), "alice: rollback (treatment)"},
	}
	if len(kinds) != len(want) {
		t.Fatalf("annotations %v %v, want %d", kinds, titles, len(want))
	}
	for i, w := range want {
		if kinds[i] != w.kind || !times[i].Equal(w.at) || titles[i] != w.title {
			t.Errorf("annotation %d: %s %s %q, want %s %s %q", i, kinds[i], times[i], titles[i], w.kind, w.at, w.title)
		}
	}
	if !strings.Contains(executed, "decisions=exporter") {
		t.Errorf("executed query %q does not say the log was read", executed)
	}
}

// An exporter without a log (501) is no error: the annotations are the
// recomputed ones. Any other failure of the log is the query's error.
func TestAnnotationsWithoutALog(t *testing.T) {
	p := mustParse(t)
	noLog := loggingPlans{fakePlans: fakePlans{p: p}, err: &exporterclient.APIError{StatusCode: 501, Message: "this exporter keeps no decision log"}}
	ds := testDatasource(t, noLog, fixedSums{})
	resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{
		dataQuery("A", models.QueryTypeAnnotations, `{"experiment":"tiny","annotationKinds":["verdicts","decisions"]}`),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, executed := annotationRows(t, resp.Responses["A"]); strings.Contains(executed, "decisions=exporter") {
		t.Errorf("executed query %q claims a log the exporter does not keep", executed)
	}

	broken := loggingPlans{fakePlans: fakePlans{p: p}, err: &exporterclient.APIError{StatusCode: 500, Message: "disk full"}}
	ds = testDatasource(t, broken, fixedSums{})
	resp, _ = ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{
		dataQuery("A", models.QueryTypeAnnotations, `{"experiment":"tiny"}`),
	}})
	if dr := resp.Responses["A"]; dr.Error == nil || !strings.Contains(dr.Error.Error(), "decision log") || dr.ErrorSource != backend.ErrorSourceDownstream {
		t.Errorf("a failing log: %v (%s), want a downstream error naming the decision log", dr.Error, dr.ErrorSource)
	}
}

// Recomputed changes that end at or after the log's first entry are the
// log's to tell; earlier ones stay.
func TestCoveredByLog(t *testing.T) {
	since := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	l := loggedAnnotations{ok: true, since: since}
	before, at := since.Add(-time.Hour), since
	if l.coveredByLog(frames.Annotation{Time: before.Add(-time.Hour), TimeEnd: &before}) {
		t.Error("a change before the log began counted as covered")
	}
	if !l.coveredByLog(frames.Annotation{Time: before, TimeEnd: &at}) {
		t.Error("a change ending when the log began was not covered")
	}
	if (loggedAnnotations{ok: true}).coveredByLog(frames.Annotation{Time: at}) || (loggedAnnotations{since: since}).coveredByLog(frames.Annotation{Time: at}) {
		t.Error("an empty log or no log covered a change")
	}
}

// The health query answers a table even when the source runs no checks,
// saying so instead of failing.
func TestHealthQueryWithoutChecks(t *testing.T) {
	ds := testDatasource(t, fakePlans{p: mustParse(t)}, fixedSums{})
	resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{
		dataQuery("H", models.QueryTypeHealth, `{"experiment":"tiny"}`),
		dataQuery("X", models.QueryTypeHealth, `{"experiment":"nope"}`),
	}})
	if err != nil {
		t.Fatal(err)
	}
	h := resp.Responses["H"]
	if h.Error != nil || len(h.Frames) != 1 || h.Frames[0].Name != "health" || h.Frames[0].RefID != "H" {
		t.Fatalf("health query: %v, %d frames", h.Error, len(h.Frames))
	}
	var notes []string
	for _, n := range h.Frames[0].Meta.Notices {
		notes = append(notes, n.Text)
	}
	if !strings.Contains(strings.Join(notes, "|"), "does not run data-health checks") {
		t.Errorf("notices %v do not say the source runs no checks", notes)
	}
	if x := resp.Responses["X"]; x.Error == nil || x.ErrorSource != backend.ErrorSourceDownstream {
		t.Errorf("unknown experiment: %v (%s), want a downstream error", x.Error, x.ErrorSource)
	}
}
