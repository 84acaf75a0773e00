package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/events/duckdb"
	"github.com/liftgate/liftgate/pkg/plan"
	"github.com/liftgate/liftgate/pkg/stats"
)

// The reference cases are computed by an independent Python implementation
// (scripts/reference/engine_reference.py: per-unit semantics in pandas,
// tests in SciPy/statsmodels) from committed event files; regenerate both
// with scripts/reference/regenerate.sh. This test loads the same events into
// a real DuckDB store and checks that engine.Analyze reports the same
// numbers, verdicts and decision.

// Tolerances. Counts and verdicts are exact. Sums and closed forms built
// from them agree to float64 rounding (the reference sums per-unit values in
// another order and uses two-pass variances). Anything through a t or χ²
// distribution goes through different special-function code (gonum vs
// SciPy), hence the looser bound.
const (
	tolSums   = 1e-9
	tolClosed = 1e-9
	tolDist   = 1e-6
)

// reference is one expected.json file.
type reference struct {
	Case            string           `json:"case"`
	Description     string           `json:"description"`
	Plan            string           `json:"plan"`
	Events          string           `json:"events"`
	Generator       string           `json:"generator"`
	At              string           `json:"at"`
	Segment         string           `json:"segment"`
	Arms            []referenceArm   `json:"arms"`
	ExcludedUnits   int64            `json:"excluded_units"`
	UnknownArmUnits int64            `json:"unknown_arm_units"`
	Stages          []referenceStage `json:"stages"`
	SRM             struct {
		ChiSquare float64 `json:"chi_square"`
		DF        float64 `json:"df"`
		PValue    float64 `json:"p_value"`
		Mismatch  bool    `json:"mismatch"`
	} `json:"srm"`
	Results  []referenceResult `json:"results"`
	Decision struct {
		Stage     string `json:"stage"`
		NextStage string `json:"next_stage"`
		Action    string `json:"action"`
	} `json:"decision"`
	// Exercised counts the edge cases present in the data (units exposed
	// before the start, events after a window, ...), for the log.
	Exercised map[string]int64 `json:"exercised"`
}

type referenceArm struct {
	Name           string  `json:"name"`
	Units          int64   `json:"units"`
	ExpectedWeight float64 `json:"expected_weight"`
	ObservedWeight float64 `json:"observed_weight"`
}

type referenceStage struct {
	Name  string           `json:"name"`
	Start time.Time        `json:"start"`
	Units map[string]int64 `json:"units"`
}

type referenceResult struct {
	Metric         string             `json:"metric"`
	Role           string             `json:"role"`
	Arm            string             `json:"arm"`
	SegmentValue   *string            `json:"segment_value"`
	BaselineStats  engine.ArmStats    `json:"baseline_stats"`
	ArmStats       engine.ArmStats    `json:"arm_stats"`
	Absolute       engine.Effect      `json:"absolute"`
	Relative       *engine.Effect     `json:"relative"`
	PValue         float64            `json:"p_value"`
	AdjustedPValue float64            `json:"adjusted_p_value"`
	Verdict        stats.Verdict      `json:"verdict"`
	Sums           []referenceSums    `json:"sums"`
	DF             *float64           `json:"df"`
	NaivePooled    *naivePooledResult `json:"naive_pooled"`
}

// naivePooledResult is the reference's fixed-horizon test that ignores the
// stages, kept to show what stratification protects against.
type naivePooledResult struct {
	Absolute engine.Effect  `json:"absolute"`
	Relative *engine.Effect `json:"relative"`
	PValue   float64        `json:"p_value"`
	Verdict  stats.Verdict  `json:"verdict"`
}

// referenceSums holds one stage's sums; fields the metric does not use are
// absent (nil) and not compared.
type referenceSums struct {
	Stage    string             `json:"stage"`
	Baseline map[string]float64 `json:"baseline"`
	Arm      map[string]float64 `json:"arm"`
}

func TestAnalyzeMatchesReference(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/*.expected.json: run scripts/reference/regenerate.sh")
	}
	sort.Strings(files)
	stores := map[string]*duckdb.Store{} // one store per event file, shared by its cases
	t.Cleanup(func() {
		for _, s := range stores {
			s.Close()
		}
	})
	for _, file := range files {
		ref := readReference(t, file)
		t.Run(ref.Case, func(t *testing.T) {
			store, ok := stores[ref.Events]
			if !ok {
				store = loadStore(t, filepath.Join("..", "..", ref.Events))
				stores[ref.Events] = store
			}
			p, err := plan.Load(filepath.Join("..", "..", ref.Plan))
			if err != nil {
				t.Fatalf("plan %s: %v", ref.Plan, err)
			}
			at, err := time.Parse(time.RFC3339, ref.At)
			if err != nil {
				t.Fatalf("at %q: %v", ref.At, err)
			}
			got, err := engine.Analyze(context.Background(), p, store, engine.Options{At: at, Segment: ref.Segment, IncludeSums: true})
			if err != nil {
				t.Fatalf("Analyze: %v", err)
			}
			t.Logf("%s: %s", ref.Case, ref.Description)
			t.Logf("edge cases in the data: %s", formatCounts(ref.Exercised))
			compareAssignment(t, ref, got)
			compareResults(t, ref, got)
			compareDecision(t, ref, got)
			checkNaivePooled(t, ref)
		})
	}
}

func readReference(t *testing.T, path string) reference {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ref reference
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if ref.Case == "" || ref.Plan == "" || ref.Events == "" || len(ref.Results) == 0 {
		t.Fatalf("%s: incomplete reference (case %q, plan %q, events %q, %d results)", path, ref.Case, ref.Plan, ref.Events, len(ref.Results))
	}
	return ref
}

// loadStore decodes an event file and appends it to an in-memory DuckDB
// store, the way `liftgate import` does.
func loadStore(t *testing.T, path string) *duckdb.Store {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec, err := events.DecoderFor(path, f)
	if err != nil {
		t.Fatal(err)
	}
	store, err := duckdb.Open(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const batchSize = 20000
	batch := make([]events.Event, 0, batchSize)
	flush := func() {
		if _, err := store.Append(ctx, batch); err != nil {
			store.Close()
			t.Fatalf("append %s: %v", path, err)
		}
		batch = batch[:0]
	}
	for {
		ev, err := dec.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			store.Close()
			t.Fatalf("decode %s: %v", path, err)
		}
		batch = append(batch, ev)
		if len(batch) == batchSize {
			flush()
		}
	}
	if len(batch) > 0 {
		flush()
	}
	return store
}

func compareAssignment(t *testing.T, ref reference, got *engine.Result) {
	t.Helper()
	if len(got.Arms) != len(ref.Arms) {
		t.Fatalf("arms: got %d, want %d", len(got.Arms), len(ref.Arms))
	}
	for i, want := range ref.Arms {
		g := got.Arms[i]
		if g.Name != want.Name || g.Units != want.Units {
			t.Errorf("arm %d: got %s with %d units, want %s with %d", i, g.Name, g.Units, want.Name, want.Units)
		}
		expectClose(t, "arm "+want.Name+" expected weight", g.ExpectedWeight, want.ExpectedWeight, tolClosed, 0)
		expectClose(t, "arm "+want.Name+" observed weight", g.ObservedWeight, want.ObservedWeight, tolClosed, 0)
	}
	if got.ExcludedUnits != ref.ExcludedUnits {
		t.Errorf("excluded (multi-arm) units: got %d, want %d", got.ExcludedUnits, ref.ExcludedUnits)
	}
	if got.UnknownArmUnits != ref.UnknownArmUnits {
		t.Errorf("unknown-arm units: got %d, want %d", got.UnknownArmUnits, ref.UnknownArmUnits)
	}
	if len(got.Stages) != len(ref.Stages) {
		t.Fatalf("stages: got %d, want %d", len(got.Stages), len(ref.Stages))
	}
	for i, want := range ref.Stages {
		g := got.Stages[i]
		if g.Name != want.Name || !g.Start.Equal(want.Start) {
			t.Errorf("stage %d: got %s from %s, want %s from %s", i, g.Name, g.Start, want.Name, want.Start)
		}
		for arm, n := range want.Units {
			if g.Units[arm] != n {
				t.Errorf("stage %s, arm %s: got %d units, want %d", want.Name, arm, g.Units[arm], n)
			}
		}
	}
	expectClose(t, "SRM chi-square", got.SRM.ChiSquare, ref.SRM.ChiSquare, tolClosed, 0)
	if got.SRM.DF != ref.SRM.DF {
		t.Errorf("SRM df: got %g, want %g", got.SRM.DF, ref.SRM.DF)
	}
	expectClose(t, "SRM p-value", got.SRM.PValue, ref.SRM.PValue, tolDist, 0)
	if got.SRM.Mismatch != ref.SRM.Mismatch {
		t.Errorf("SRM mismatch: got %v, want %v (p = %g)", got.SRM.Mismatch, ref.SRM.Mismatch, got.SRM.PValue)
	}
}

func resultKey(metric, arm string, segment *string) string {
	if segment == nil {
		return metric + "/" + arm
	}
	return metric + "/" + arm + "/" + *segment
}

func compareResults(t *testing.T, ref reference, got *engine.Result) {
	t.Helper()
	byKey := map[string]engine.MetricResult{}
	for _, r := range got.Results {
		byKey[resultKey(r.Metric, r.Arm, r.SegmentValue)] = r
	}
	if len(got.Results) != len(ref.Results) {
		var keys []string
		for k := range byKey {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		t.Errorf("results: got %d (%s), want %d", len(got.Results), strings.Join(keys, ", "), len(ref.Results))
	}
	for _, want := range ref.Results {
		key := resultKey(want.Metric, want.Arm, want.SegmentValue)
		g, ok := byKey[key]
		if !ok {
			t.Errorf("%s: missing from the engine's results", key)
			continue
		}
		compareResult(t, key, want, g)
	}
}

func compareResult(t *testing.T, key string, want referenceResult, got engine.MetricResult) {
	t.Helper()
	if got.Verdict != want.Verdict {
		t.Errorf("%s: verdict %s, want %s (engine reason: %s)", key, got.Verdict, want.Verdict, got.Reason)
	}
	if got.Role != want.Role {
		t.Errorf("%s: role %s, want %s", key, got.Role, want.Role)
	}
	compareSums(t, key, want.Sums, got.Sums)
	for _, side := range []struct {
		name      string
		got, want engine.ArmStats
	}{{"baseline", got.BaselineStats, want.BaselineStats}, {"arm", got.ArmStats, want.ArmStats}} {
		if side.got.N != side.want.N {
			t.Errorf("%s: %s n = %g, want %g", key, side.name, side.got.N, side.want.N)
		}
		expectClose(t, key+" "+side.name+" mean", side.got.Mean, side.want.Mean, tolClosed, side.want.SE)
		expectClose(t, key+" "+side.name+" se", side.got.SE, side.want.SE, tolClosed, 0)
	}
	// Interval bounds go through a t quantile when the inference is Welch's.
	boundTol := tolClosed
	if want.DF != nil {
		boundTol = tolDist
	}
	compareEffect(t, key+" absolute", got.Absolute, want.Absolute, boundTol)
	switch {
	case want.Relative == nil && got.Relative != nil:
		t.Errorf("%s: relative effect %+v, want none", key, *got.Relative)
	case want.Relative != nil && got.Relative == nil:
		t.Errorf("%s: no relative effect, want %+v", key, *want.Relative)
	case want.Relative != nil:
		compareEffect(t, key+" relative", *got.Relative, *want.Relative, boundTol)
	}
	expectClose(t, key+" p-value", got.PValue, want.PValue, tolDist, 0)
	expectClose(t, key+" adjusted p-value", got.AdjustedPValue, want.AdjustedPValue, tolDist, 0)
}

func compareEffect(t *testing.T, what string, got, want engine.Effect, boundTol float64) {
	t.Helper()
	expectClose(t, what+" estimate", got.Estimate, want.Estimate, tolClosed, want.SE)
	expectClose(t, what+" se", got.SE, want.SE, tolClosed, 0)
	expectClose(t, what+" lower", got.CILower, want.CILower, boundTol, want.SE)
	expectClose(t, what+" upper", got.CIUpper, want.CIUpper, boundTol, want.SE)
}

// compareSums checks every sum the reference wrote for each stage; sums a
// metric does not use (the denominator of a mean, the covariate without
// CUPED) are absent from the reference and not compared.
func compareSums(t *testing.T, key string, want []referenceSums, got []engine.StageSums) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d stages of sums, want %d", key, len(got), len(want))
		return
	}
	for i, w := range want {
		g := got[i]
		if g.Stage != w.Stage {
			t.Errorf("%s: sums stage %d is %s, want %s", key, i, g.Stage, w.Stage)
		}
		for _, side := range []struct {
			name string
			got  stats.ArmSums
			want map[string]float64
		}{{"baseline", g.Baseline, w.Baseline}, {"arm", g.Arm, w.Arm}} {
			fields := map[string]float64{
				"n": side.got.N, "sum_y": side.got.SumY, "sum_y2": side.got.SumY2,
				"sum_d": side.got.SumD, "sum_d2": side.got.SumD2, "sum_yd": side.got.SumYD,
				"sum_x": side.got.SumX, "sum_x2": side.got.SumX2, "sum_xy": side.got.SumXY,
			}
			for name, v := range side.want {
				g, ok := fields[name]
				if !ok {
					t.Errorf("%s: the reference has an unknown sum %q", key, name)
					continue
				}
				what := fmt.Sprintf("%s stage %s %s %s", key, w.Stage, side.name, name)
				if name == "n" {
					if g != v {
						t.Errorf("%s = %g, want %g", what, g, v)
					}
					continue
				}
				expectClose(t, what, g, v, tolSums, 0)
			}
		}
	}
}

func compareDecision(t *testing.T, ref reference, got *engine.Result) {
	t.Helper()
	d := got.Decision
	if d.Action != ref.Decision.Action || d.Stage != ref.Decision.Stage || d.NextStage != ref.Decision.NextStage {
		t.Errorf("decision: %s at stage %s (next %q), want %s at stage %s (next %q); reasons: %s",
			d.Action, d.Stage, d.NextStage, ref.Decision.Action, ref.Decision.Stage, ref.Decision.NextStage, strings.Join(d.Reasons, "; "))
	}
}

// checkNaivePooled shows, where the reference ran it, what ignoring the
// stages would have concluded. The case exists to show a spurious verdict
// the engine avoids, so the committed reference must actually contain one.
func checkNaivePooled(t *testing.T, ref reference) {
	t.Helper()
	spurious := 0
	for _, r := range ref.Results {
		if r.NaivePooled == nil {
			continue
		}
		t.Logf("%s: stratified (engine) %s, p = %.3g; naive pooled %s, p = %.3g, relative %+.1f%%",
			r.Metric, r.Verdict, r.PValue, r.NaivePooled.Verdict, r.NaivePooled.PValue, 100*relativeEstimate(r.NaivePooled.Relative))
		if r.NaivePooled.Verdict == stats.Beneficial || r.NaivePooled.Verdict == stats.Harmful {
			spurious++
		}
		if r.Verdict == stats.Beneficial || r.Verdict == stats.Harmful {
			t.Errorf("%s: the reference itself reaches %s on data without an effect; pick another generator seed", r.Metric, r.Verdict)
		}
	}
	if spurious == 0 && hasNaive(ref) {
		t.Errorf("the naive pooled test finds nothing either, so this case shows nothing; strengthen -trend")
	}
}

func formatCounts(counts map[string]int64) string {
	keys := make([]string, 0, len(counts))
	for k, v := range counts {
		if v > 0 {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%d", k, counts[k])
	}
	return strings.Join(parts, " ")
}

func hasNaive(ref reference) bool {
	for _, r := range ref.Results {
		if r.NaivePooled != nil {
			return true
		}
	}
	return false
}

func relativeEstimate(e *engine.Effect) float64 {
	if e == nil {
		return math.NaN()
	}
	return e.Estimate
}

// expectClose reports got != want beyond a relative tolerance. scale, when
// positive, is a natural magnitude (a standard error) that keeps values near
// zero from demanding an impossible relative precision.
func expectClose(t *testing.T, what string, got, want, rel, scale float64) {
	t.Helper()
	if math.IsNaN(got) || math.IsInf(got, 0) {
		t.Errorf("%s: got %v, want %.17g", what, got, want)
		return
	}
	allowed := rel * math.Max(math.Max(math.Abs(want), math.Abs(got)), scale)
	if allowed == 0 {
		allowed = 1e-300
	}
	if math.Abs(got-want) > allowed {
		t.Errorf("%s: got %.17g, want %.17g (relative difference %.3g > %g)", what, got, want, math.Abs(got-want)/math.Max(math.Abs(want), 1e-300), rel)
	}
}
