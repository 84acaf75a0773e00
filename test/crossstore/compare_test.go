package crossstore_test

import (
	"fmt"
	"math"
	"regexp"
	"testing"

	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/plan"
	"github.com/liftgate/liftgate/pkg/stats"
)

// Tolerances. Counts, and sums of counts, are exact: every store must see
// the same units and events. Float sums (purchase amounts) differ in their
// last bits because each database adds in its own order. What the engine
// computes from the sums inherits that, slightly amplified (variances
// subtract, p-values sit in distribution tails); a one-unit or one-event
// disagreement moves these values by orders of magnitude more.
const (
	tolSums    = 1e-9 // float sums, relative
	tolDerived = 1e-6 // statistics computed from float sums, relative to max(|want|, scale)
	tolCounts  = 0    // anything computed from counts only is bit-for-bit the same
)

// compareResults checks that got (from some store) equals want (from the
// baseline) in everything a reader of `liftgate analyze` sees.
func compareResults(t *testing.T, what string, p *plan.Plan, want, got *engine.Result) {
	t.Helper()
	if got.Experiment != want.Experiment || got.PlanHash != want.PlanHash || !got.EvaluatedAt.Equal(want.EvaluatedAt) {
		t.Errorf("%s: evaluated %s/%s at %s, want %s/%s at %s", what, got.Experiment, got.PlanHash, got.EvaluatedAt, want.Experiment, want.PlanHash, want.EvaluatedAt)
	}
	if len(got.Arms) != len(want.Arms) {
		t.Fatalf("%s: %d arms, want %d", what, len(got.Arms), len(want.Arms))
	}
	for i, w := range want.Arms {
		g := got.Arms[i]
		if g.Name != w.Name || g.Units != w.Units {
			t.Errorf("%s: arm %d is %s with %d units, want %s with %d", what, i, g.Name, g.Units, w.Name, w.Units)
		}
		expectClose(t, what, "arm "+w.Name+" observed weight", g.ObservedWeight, w.ObservedWeight, tolCounts, 0)
		expectClose(t, what, "arm "+w.Name+" expected weight", g.ExpectedWeight, w.ExpectedWeight, tolCounts, 0)
	}
	if got.ExcludedUnits != want.ExcludedUnits || got.UnknownArmUnits != want.UnknownArmUnits {
		t.Errorf("%s: %d multi-arm and %d unknown-arm units, want %d and %d", what, got.ExcludedUnits, got.UnknownArmUnits, want.ExcludedUnits, want.UnknownArmUnits)
	}
	if len(got.Stages) != len(want.Stages) {
		t.Fatalf("%s: %d stages, want %d", what, len(got.Stages), len(want.Stages))
	}
	for i, w := range want.Stages {
		g := got.Stages[i]
		if g.Name != w.Name || !g.Start.Equal(w.Start) || fmt.Sprint(g.Units) != fmt.Sprint(w.Units) {
			t.Errorf("%s: stage %d is %s from %s with %v, want %s from %s with %v", what, i, g.Name, g.Start, g.Units, w.Name, w.Start, w.Units)
		}
	}
	if got.SRM.Mismatch != want.SRM.Mismatch || got.SRM.DF != want.SRM.DF {
		t.Errorf("%s: SRM mismatch %v (df %g), want %v (df %g)", what, got.SRM.Mismatch, got.SRM.DF, want.SRM.Mismatch, want.SRM.DF)
	}
	expectClose(t, what, "SRM chi-square", got.SRM.ChiSquare, want.SRM.ChiSquare, tolCounts, 0)
	expectClose(t, what, "SRM p-value", got.SRM.PValue, want.SRM.PValue, tolCounts, 0)

	compareHealth(t, what, want.Health, got.Health)

	if len(got.Results) != len(want.Results) {
		t.Fatalf("%s: %d results, want %d", what, len(got.Results), len(want.Results))
	}
	for i, w := range want.Results {
		compareMetric(t, what, exactSums(p, w.Metric), w, got.Results[i])
	}
	d, wd := got.Decision, want.Decision
	if d.Action != wd.Action || d.Stage != wd.Stage || d.NextStage != wd.NextStage || maskNumbers(fmt.Sprint(d.Reasons)) != maskNumbers(fmt.Sprint(wd.Reasons)) {
		t.Errorf("%s: decision %s at %s (next %q) because %q, want %s at %s (next %q) because %q",
			what, d.Action, d.Stage, d.NextStage, d.Reasons, wd.Action, wd.Stage, wd.NextStage, wd.Reasons)
	}
}

// compareHealth checks the data-health section: the window the verdicts
// rest on must be the same, and every check both stores ran must count the
// same rows. Which checks run differs by design (DuckDB drops duplicate ids
// at ingest, so it does not check them; docs/data-health.md), so a check
// only one side ran is not compared.
func compareHealth(t *testing.T, what string, want, got *engine.HealthResult) {
	t.Helper()
	if (want == nil) != (got == nil) {
		t.Errorf("%s: health section %v, want %v", what, got != nil, want != nil)
		return
	}
	if want == nil {
		return
	}
	if !got.DataEnd.Equal(want.DataEnd) || fmt.Sprint(got.Watermark) != fmt.Sprint(want.Watermark) {
		t.Errorf("%s: data end %s (watermark %v), want %s (watermark %v)", what, got.DataEnd, got.Watermark, want.DataEnd, want.Watermark)
	}
	// A check may appear more than once under one name and subject (a
	// property that is missing, and one that is not a number); the n-th
	// occurrence is compared with the n-th.
	key := func(seen map[string]int, c engine.HealthCheck) string {
		k := c.Name + "/" + c.Subject
		seen[k]++
		return fmt.Sprintf("%s#%d", k, seen[k])
	}
	ran := map[string]engine.HealthCheck{}
	seen := map[string]int{}
	for _, c := range got.Checks {
		ran[key(seen, c)] = c
	}
	seen = map[string]int{}
	for _, w := range want.Checks {
		g, ok := ran[key(seen, w)]
		if !ok {
			continue
		}
		if g.Status != w.Status || g.Count != w.Count || g.Total != w.Total {
			t.Errorf("%s: health check %s %s: %s, %d of %d; want %s, %d of %d", what, w.Name, w.Subject, g.Status, g.Count, g.Total, w.Status, w.Count, w.Total)
		}
	}
}

func compareMetric(t *testing.T, what string, exact bool, w, g engine.MetricResult) {
	t.Helper()
	key := w.Metric + "/" + w.Arm
	if w.SegmentValue != nil {
		key += "/" + *w.SegmentValue
	}
	if g.Metric != w.Metric || g.Arm != w.Arm || g.Baseline != w.Baseline || g.Role != w.Role || g.Kind != w.Kind ||
		g.Direction != w.Direction || g.CUPED != w.CUPED || fmt.Sprint(g.SegmentValue != nil) != fmt.Sprint(w.SegmentValue != nil) ||
		(g.SegmentValue != nil && *g.SegmentValue != *w.SegmentValue) {
		t.Errorf("%s: result %s/%s (segment %v, cuped %v) where %s (cuped %v) was expected", what, g.Metric, g.Arm, g.SegmentValue, g.CUPED, key, w.CUPED)
		return
	}
	if g.Verdict != w.Verdict || maskNumbers(g.Reason) != maskNumbers(w.Reason) {
		t.Errorf("%s: %s verdict %s (%s), want %s (%s)", what, key, g.Verdict, g.Reason, w.Verdict, w.Reason)
	}
	compareSums(t, what, key, exact, w.Sums, g.Sums)
	tol := tolDerived
	if exact {
		tol = tolCounts
	}
	for _, side := range []struct {
		name      string
		got, want engine.ArmStats
	}{{"baseline", g.BaselineStats, w.BaselineStats}, {"arm", g.ArmStats, w.ArmStats}} {
		if side.got.N != side.want.N {
			t.Errorf("%s: %s %s n = %g, want %g", what, key, side.name, side.got.N, side.want.N)
		}
		expectClose(t, what, key+" "+side.name+" mean", side.got.Mean, side.want.Mean, tol, side.want.SE)
		expectClose(t, what, key+" "+side.name+" se", side.got.SE, side.want.SE, tol, 0)
	}
	compareEffect(t, what, key+" absolute", tol, g.Absolute, w.Absolute)
	if (g.Relative == nil) != (w.Relative == nil) {
		t.Errorf("%s: %s relative effect %v, want %v", what, key, g.Relative, w.Relative)
	} else if w.Relative != nil {
		compareEffect(t, what, key+" relative", tol, *g.Relative, *w.Relative)
	}
	expectClose(t, what, key+" p-value", g.PValue, w.PValue, tol, 0)
	expectClose(t, what, key+" adjusted p-value", g.AdjustedPValue, w.AdjustedPValue, tol, 0)
}

func compareEffect(t *testing.T, what, key string, tol float64, g, w engine.Effect) {
	t.Helper()
	expectClose(t, what, key+" estimate", g.Estimate, w.Estimate, tol, w.SE)
	expectClose(t, what, key+" se", g.SE, w.SE, tol, 0)
	expectClose(t, what, key+" lower", g.CILower, w.CILower, tol, w.SE)
	expectClose(t, what, key+" upper", g.CIUpper, w.CIUpper, tol, w.SE)
}

// compareSums checks every sufficient statistic of every stage: the unit
// count always exactly, the sums exactly when they are sums of counts.
func compareSums(t *testing.T, what, key string, exact bool, want, got []engine.StageSums) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %s has sums for %d stages, want %d", what, key, len(got), len(want))
		return
	}
	tol := tolSums
	if exact {
		tol = tolCounts
	}
	for i, w := range want {
		g := got[i]
		if g.Stage != w.Stage {
			t.Errorf("%s: %s sums of stage %s, want %s", what, key, g.Stage, w.Stage)
		}
		for _, side := range []struct {
			name      string
			got, want stats.ArmSums
		}{{"baseline", g.Baseline, w.Baseline}, {"arm", g.Arm, w.Arm}} {
			prefix := fmt.Sprintf("%s stage %s %s ", key, w.Stage, side.name)
			if side.got.N != side.want.N {
				t.Errorf("%s: %sn = %g, want %g", what, prefix, side.got.N, side.want.N)
			}
			for _, f := range []struct {
				name      string
				got, want float64
			}{
				{"sum_y", side.got.SumY, side.want.SumY}, {"sum_y2", side.got.SumY2, side.want.SumY2},
				{"sum_d", side.got.SumD, side.want.SumD}, {"sum_d2", side.got.SumD2, side.want.SumD2}, {"sum_yd", side.got.SumYD, side.want.SumYD},
				{"sum_x", side.got.SumX, side.want.SumX}, {"sum_x2", side.got.SumX2, side.want.SumX2}, {"sum_xy", side.got.SumXY, side.want.SumXY},
			} {
				expectClose(t, what, prefix+f.name, f.got, f.want, tol, 0)
			}
		}
	}
}

// exactSums says whether a metric's per-unit values are counts (0/1
// conversions, event counts, ratios of counts), whose sums every store
// must get exactly.
func exactSums(p *plan.Plan, metric string) bool {
	for _, m := range p.Metrics {
		if m.Name != metric {
			continue
		}
		switch m.Kind {
		case "conversion", "count":
			return true
		case "ratio":
			return m.Numerator != nil && m.Numerator.Property == "" && m.Denominator != nil && m.Denominator.Property == ""
		}
		return false
	}
	return false
}

// expectClose fails when |got - want| > tol · max(|want|, scale); tol 0
// asks for equality (NaN equals NaN, so a NaN in both is reported by the
// engine's own tests, not as a store disagreement here).
func expectClose(t *testing.T, what, name string, got, want, tol, scale float64) {
	t.Helper()
	if got == want || (math.IsNaN(got) && math.IsNaN(want)) {
		return
	}
	if tol > 0 && math.Abs(got-want) <= tol*math.Max(math.Abs(want), scale) {
		return
	}
	t.Errorf("%s: %s = %.17g, want %.17g (relative difference %.3g)", what, name, got, want, math.Abs(got-want)/math.Max(math.Abs(want), 1e-300))
}

var number = regexp.MustCompile(`[-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?%?`)

// maskNumbers lets two reasons that differ only in a printed float (the
// last shown digit of a p-value computed from float sums) compare equal.
func maskNumbers(s string) string { return number.ReplaceAllString(s, "#") }
