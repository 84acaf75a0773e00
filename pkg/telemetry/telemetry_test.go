package telemetry

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/liftgate/liftgate/pkg/plan"
)

// fakeSource answers queries from a table; the tests of the real client are
// in prometheus_test.go and, against a real server, in pkg/engine.
type fakeSource struct {
	answers map[string][]Series
	asked   []string
}

func (f *fakeSource) Name() string { return "fake" }
func (f *fakeSource) QueryRange(ctx context.Context, q string, r Range) ([]Series, error) {
	f.asked = append(f.asked, q)
	s, ok := f.answers[q]
	if !ok {
		return nil, &QueryError{Server: "fake", Query: q, Range: r, Err: errors.New("unexpected query")}
	}
	return s, nil
}

var t0 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// samples builds a series with one sample per minute from t0 (NaN skipped).
func samples(labels map[string]string, values ...float64) Series {
	s := Series{Labels: labels}
	for i, v := range values {
		if !math.IsNaN(v) {
			s.Points = append(s.Points, Point{T: t0.Add(time.Duration(i) * time.Minute), V: v})
		}
	}
	return s
}

var nan = math.NaN()

func testArms() Arms {
	return Arms{Label: "variant", Names: []string{"control", "treatment"}, Values: map[string]string{"control": "stable", "treatment": "canary"}}
}

func equalSteps(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !(a[i] == b[i] || (math.IsNaN(a[i]) && math.IsNaN(b[i]))) {
			return false
		}
	}
	return true
}

func TestCounterStepsHandleResetsAndGaps(t *testing.T) {
	g, _ := NewGrid(t0, t0.Add(6*time.Minute), time.Minute)
	got := counterSteps(g, samples(nil, 10, 15, 3, 7, nan, 9, 12))
	// 15-10; reset to 3 counts 3; 7-3; gap; gap; 12-9.
	want := []float64{5, 3, 4, nan, nan, 3}
	if !equalSteps(got, want) {
		t.Errorf("counterSteps = %v, want %v", got, want)
	}
}

func TestFetchRatioSumsSeriesPerArm(t *testing.T) {
	g, _ := NewGrid(t0, t0.Add(4*time.Minute), time.Minute)
	arms := testArms()
	num := `errors_total{job="api"}`
	den := `requests_total{job="api"}`
	src := &fakeSource{answers: map[string][]Series{
		`errors_total{job="api",variant="stable"}`:   {samples(map[string]string{"pod": "a"}, 0, 1, 1, 2, 2)},
		`requests_total{job="api",variant="stable"}`: {samples(map[string]string{"pod": "a"}, 0, 50, 100, 150, 200), samples(map[string]string{"pod": "b"}, 0, 50, 100, 5, 55)},
		// The canary's error counter does not exist yet: zero errors.
		`errors_total{job="api",variant="canary"}`:   {},
		`requests_total{job="api",variant="canary"}`: {samples(nil, 0, 10, 20, 30, 40)},
	}}
	d, err := Fetch(context.Background(), src, Metric{Form: plan.FormRatio, Numerator: num, Denominator: den}, arms, g)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := d.Steps("control"), []float64{1.0 / 100, 0, 1.0 / 55, 0}; !equalSteps(got, want) {
		t.Errorf("control steps %v, want %v", got, want)
	}
	// Window ratios are ratios of sums, not means of ratios.
	if got := d.Window("control", 0, 4); got != 2.0/355 {
		t.Errorf("control window = %g, want 2/355", got)
	}
	if got := d.Window("treatment", 0, 4); got != 0 {
		t.Errorf("treatment window = %g, want 0", got)
	}
	if got := d.Batches("control", 3); len(got) != 1 || got[0] != 2.0/(100+100+55) {
		t.Errorf("batches of 3 = %v (the partial fourth step is left out)", got)
	}
}

func TestFetchQueryWantsOneSeriesPerArm(t *testing.T) {
	g, _ := NewGrid(t0, t0.Add(3*time.Minute), time.Minute)
	src := &fakeSource{answers: map[string][]Series{
		`rate(x_total{variant="stable"}[1m])`: {samples(map[string]string{"pod": "a"}, nan, 1, 2, 3), samples(map[string]string{"pod": "b"}, nan, 1, 2, 3)},
	}}
	_, err := Fetch(context.Background(), src, Metric{Form: plan.FormQuery, Query: `rate(x_total[1m])`}, testArms(), g)
	var qe *QueryError
	if !errors.As(err, &qe) || !strings.Contains(err.Error(), "returned 2 series for arm control") || !strings.Contains(err.Error(), "aggregate") {
		t.Errorf("error %v, want one telling to aggregate", err)
	}
	if qe != nil && qe.Query != `rate(x_total{variant="stable"}[1m])` {
		t.Errorf("error names query %q", qe.Query)
	}
}

func TestFetchQueryPlacesValuesAtWindowEnds(t *testing.T) {
	g, _ := NewGrid(t0, t0.Add(3*time.Minute), time.Minute)
	src := &fakeSource{answers: map[string][]Series{
		`avg(lat{variant="stable"})`: {samples(nil, 99, 1, nan, 3)},
		`avg(lat{variant="canary"})`: {},
	}}
	d, err := Fetch(context.Background(), src, Metric{Form: plan.FormQuery, Query: `avg(lat)`}, testArms(), g)
	if err != nil {
		t.Fatal(err)
	}
	// The value at t0+1m describes step 0; the sample at t0 is outside.
	if got := d.Steps("control"); !equalSteps(got, []float64{1, nan, 3}) {
		t.Errorf("steps %v", got)
	}
	if d.HasData("treatment") {
		t.Error("treatment has data")
	}
	if got := d.Window("control", 0, 3); got != 2 {
		t.Errorf("window mean %g, want 2 (missing steps do not count)", got)
	}
}

func TestFetchHistogram(t *testing.T) {
	g, _ := NewGrid(t0, t0.Add(2*time.Minute), time.Minute)
	le := func(b string) map[string]string { return map[string]string{"le": b} }
	src := &fakeSource{answers: map[string][]Series{
		`h_bucket{variant="stable"}`: {
			samples(le("0.1"), 0, 50, 60), samples(le("0.5"), 0, 90, 100), samples(le("+Inf"), 0, 100, 200),
		},
		`h_bucket{variant="canary"}`: {
			samples(le("0.1"), 0, 10, 20), samples(le("0.5"), 0, 20, 40), samples(le("+Inf"), 0, 100, 200),
		},
	}}
	d, err := Fetch(context.Background(), src, Metric{Form: plan.FormHistogram, Histogram: `h_bucket`, Quantile: 0.5}, testArms(), g)
	if err != nil {
		t.Fatal(err)
	}
	// Step 0, control: 50 of 100 under 0.1 -> the median is 0.1.
	if got := d.Steps("control")[0]; math.Abs(got-0.1) > 1e-15 {
		t.Errorf("control step 0 median %g, want 0.1", got)
	}
	// Both steps, control: counts 60, 100, 200; rank 100 lies at the top of
	// the 0.5 bucket.
	if got := d.Window("control", 0, 2); math.Abs(got-0.5) > 1e-15 {
		t.Errorf("control window median %g, want 0.5", got)
	}
	// Canary, both steps: 20, 40, 200: rank 100 falls in +Inf -> 0.5.
	if got := d.Window("treatment", 0, 2); got != 0.5 {
		t.Errorf("canary window median %g, want the highest finite bound", got)
	}

	src.answers[`h_bucket{variant="canary"}`] = []Series{samples(le("0.2"), 0, 1, 2), samples(le("+Inf"), 0, 2, 4)}
	if _, err := Fetch(context.Background(), src, Metric{Form: plan.FormHistogram, Histogram: `h_bucket`, Quantile: 0.5}, testArms(), g); err == nil || !strings.Contains(err.Error(), "different histogram buckets") {
		t.Errorf("different layouts: %v", err)
	}
	src.answers[`h_bucket{variant="canary"}`] = []Series{samples(nil, 0, 1, 2)}
	if _, err := Fetch(context.Background(), src, Metric{Form: plan.FormHistogram, Histogram: `h_bucket`, Quantile: 0.5}, testArms(), g); err == nil || !strings.Contains(err.Error(), "no le label") {
		t.Errorf("series without le: %v", err)
	}
}

func TestBucketQuantileEdges(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		q            float64
		upper, count []float64
		want         float64
		ok           bool
	}{
		{0.5, []float64{1, 2, inf}, []float64{10, 20, 20}, 1, true},
		{0.75, []float64{1, 2, inf}, []float64{10, 20, 20}, 1.5, true},
		{0.99, []float64{1, 2, inf}, []float64{10, 20, 40}, 2, true},            // in +Inf: highest finite bound
		{0.5, []float64{inf, 2, 1}, []float64{20, 20, 10}, 1, true},             // unsorted input
		{0.5, []float64{1, 2, inf}, []float64{12, 10, 20}, 1 * 10 / 12.0, true}, // non-monotonic counts fixed
		{0.5, []float64{-1, 2, inf}, []float64{10, 20, 20}, -1, true},           // first bound <= 0
		{0.5, []float64{1, 2, inf}, []float64{0, 0, 0}, 0, false},
		{0.5, []float64{1, 2}, []float64{1, 2}, 0, false},
		{0.5, []float64{inf}, []float64{5}, 0, false},
	}
	for i, tt := range tests {
		got, ok := BucketQuantile(tt.q, tt.upper, tt.count)
		if ok != tt.ok || (ok && math.Abs(got-tt.want) > 1e-12) {
			t.Errorf("case %d: BucketQuantile = %g, %v; want %g, %v", i, got, ok, tt.want, tt.ok)
		}
	}
}

func TestDeploymentsMergeRunsAndSeries(t *testing.T) {
	g, _ := NewGrid(t0, t0.Add(8*time.Minute), time.Minute)
	expr := `changes(build_info[5m]) > 0`
	src := &fakeSource{answers: map[string][]Series{expr: {
		// Runs start at the values for t0+2m and t0+6m (steps 1 and 5).
		samples(map[string]string{"pod": "a"}, nan, nan, 1, 1, 1, nan, 1, nan, nan),
		samples(map[string]string{"pod": "b"}, nan, nan, 1, nan, nan, nan, nan, nan, nan),
	}}}
	got, err := Deployments(context.Background(), src, expr, g)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !got[0].Time.Equal(t0.Add(2*time.Minute)) || !got[1].Time.Equal(t0.Add(6*time.Minute)) {
		t.Fatalf("markers %+v", got)
	}
	if len(got[0].Series) != 2 || len(got[1].Series) != 1 || got[0].Kind != MarkerDeployment {
		t.Errorf("series per marker: %d and %d", len(got[0].Series), len(got[1].Series))
	}
}

func TestGrid(t *testing.T) {
	g, err := NewGrid(t0, t0.Add(150*time.Second), time.Minute)
	if err != nil || g.Steps != 2 || !g.End().Equal(t0.Add(2*time.Minute)) {
		t.Fatalf("grid %+v %v", g, err)
	}
	if g.Index(t0.Add(119*time.Second)) != 1 || g.Index(t0.Add(2*time.Minute)) != -1 || g.Index(t0.Add(-time.Second)) != -1 {
		t.Error("Index is off")
	}
	if _, err := NewGrid(t0, t0, 0); err == nil {
		t.Error("zero step accepted")
	}
}
