package stats

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
)

// sumsFromMoments builds sums from a mean, a standard deviation and n.
func sumsFromMoments(mean, sd, n float64) ArmSums {
	return ArmSums{N: n, SumY: mean * n, SumY2: (n-1)*sd*sd + n*mean*mean}
}

// GrowthBook's published test values (gbstats tests/frequentist/test_tests.py),
// rounded there to 5 decimals.
func TestCompareMatchesGrowthBookFixedHorizon(t *testing.T) {
	got, err := Compare(CompareInput{
		Kind: KindMean, Alpha: 0.05,
		Control:   []ArmSums{sumsFromMoments(0.41, 3.9, 3407)},
		Treatment: []ArmSums{sumsFromMoments(0.70, 6.2, 3461)},
	})
	if err != nil {
		t.Fatal(err)
	}
	const tol = 5e-6
	checkNear(t, "Absolute.Estimate", got.Absolute.Estimate, 0.29, 0, tol)
	checkNear(t, "Absolute.Lower", got.Absolute.Lower, 0.04538, 0, tol)
	checkNear(t, "Absolute.Upper", got.Absolute.Upper, 0.53462, 0, tol)
	checkNear(t, "PValue", got.PValue, 0.02016, 0, tol)
	checkNear(t, "Relative.Estimate", got.Relative.Estimate, 0.70732, 0, tol)
	checkNear(t, "Relative.Lower", got.Relative.Lower, -0.03526, 0, tol)
	checkNear(t, "Relative.Upper", got.Relative.Upper, 1.44989, 0, tol)
	checkNear(t, "Relative.SE", got.Relative.SE, 0.37879, 0, tol)
}

func TestCompareMatchesGrowthBookSequential(t *testing.T) {
	const tol = 5e-6
	mean, err := Compare(CompareInput{
		Kind: KindMean, Alpha: 0.05, Sequential: &Sequential{TuningN: 1000},
		Control:   []ArmSums{{N: 3000, SumY: 1396.87, SumY2: 52377.9767}},
		Treatment: []ArmSums{{N: 3461, SumY: 2422.7, SumY2: 134698.29}},
	})
	if err != nil {
		t.Fatal(err)
	}
	checkNear(t, "mean Relative.Estimate", mean.Relative.Estimate, 0.50336, 0, tol)
	checkNear(t, "mean Relative.Lower", mean.Relative.Lower, -0.55844, 0, tol)
	checkNear(t, "mean Relative.Upper", mean.Relative.Upper, 1.56516, 0, tol)
	checkNear(t, "mean Relative.SE", mean.Relative.SE, 0.33341, 0, tol)

	prop, err := Compare(CompareInput{
		Kind: KindProportion, Alpha: 0.05, Sequential: &Sequential{}, // default N* = 5000
		Control:   []ArmSums{{N: 3000, SumY: 1396, SumY2: 1396}},
		Treatment: []ArmSums{{N: 3461, SumY: 2422, SumY2: 2422}},
	})
	if err != nil {
		t.Fatal(err)
	}
	checkNear(t, "proportion Relative.Estimate", prop.Relative.Estimate, 0.50386, 0, tol)
	checkNear(t, "proportion Relative.Lower", prop.Relative.Lower, 0.40098, 0, tol)
	checkNear(t, "proportion Relative.Upper", prop.Relative.Upper, 0.60675, 0, tol)
	checkNear(t, "proportion Relative.SE", prop.Relative.SE, 0.03386, 0, tol)
}

// validInput is a well-formed comparison the error tests break one field at
// a time.
func validInput() CompareInput {
	return CompareInput{
		Kind: KindMean, Alpha: 0.05,
		Control:   []ArmSums{sumsFromMoments(10, 2, 100)},
		Treatment: []ArmSums{sumsFromMoments(10.5, 2, 100)},
	}
}

func TestCompareInputErrors(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*CompareInput)
		field string
	}{
		{"unknown kind", func(in *CompareInput) { in.Kind = 7 }, "Kind"},
		{"unknown direction", func(in *CompareInput) { in.Direction = 3 }, "Direction"},
		{"alpha 0", func(in *CompareInput) { in.Alpha = 0 }, "Alpha"},
		{"alpha 1", func(in *CompareInput) { in.Alpha = 1 }, "Alpha"},
		{"alpha NaN", func(in *CompareInput) { in.Alpha = nan() }, "Alpha"},
		{"both margins", func(in *CompareInput) { in.Margin = Margin{Relative: 0.1, Absolute: 1} }, "Margin"},
		{"negative relative margin", func(in *CompareInput) { in.Margin.Relative = -0.1 }, "Margin.Relative"},
		{"negative absolute margin", func(in *CompareInput) { in.Margin.Absolute = -1 }, "Margin.Absolute"},
		{"NaN min units", func(in *CompareInput) { in.MinUnits = nan() }, "MinUnits"},
		{"negative tuning N", func(in *CompareInput) { in.Sequential = &Sequential{TuningN: -5} }, "Sequential.TuningN"},
		{"no strata", func(in *CompareInput) { in.Control, in.Treatment = nil, nil }, "Control"},
		{"mismatched strata", func(in *CompareInput) { in.Treatment = append(in.Treatment, in.Treatment[0]) }, "Treatment"},
		{"negative N", func(in *CompareInput) { in.Control[0].N = -1 }, "Control[0].N"},
		{"NaN sum", func(in *CompareInput) { in.Treatment[0].SumY = nan() }, "Treatment[0].SumY"},
		{"Inf sum", func(in *CompareInput) { in.Treatment[0].SumXY = math.Inf(1) }, "Treatment[0].SumXY"},
		{"sums without units", func(in *CompareInput) { in.Control[0] = ArmSums{SumY: 3} }, "Control[0].SumY"},
		{"impossible sum of squares", func(in *CompareInput) { in.Control[0].SumY2 = 1 }, "Control[0].SumY2"},
		{"proportion above N", func(in *CompareInput) {
			in.Kind = KindProportion
			in.Control[0] = ArmSums{N: 10, SumY: 11, SumY2: 11}
		}, "Control[0].SumY"},
		{"CUPED ratio", func(in *CompareInput) { in.Kind, in.CUPED = KindRatio, true }, "CUPED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validInput()
			tt.edit(&in)
			_, err := Compare(in)
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v, want *InputError", err)
			}
			if ie.Field != tt.field {
				t.Fatalf("field = %q, want %q (%v)", ie.Field, tt.field, err)
			}
		})
	}
}

// assertNoInference checks the shape of an InsufficientData comparison: a
// reason, p = 1, no intervals, and nothing JSON cannot encode.
func assertNoInference(t *testing.T, c Comparison, reasonHas string) {
	t.Helper()
	if c.Verdict != InsufficientData {
		t.Fatalf("verdict = %s, want insufficient_data", c.Verdict)
	}
	if !strings.Contains(c.Reason, reasonHas) {
		t.Errorf("reason %q does not mention %q", c.Reason, reasonHas)
	}
	if c.PValue != 1 || c.Absolute != (Interval{}) || c.RelativeDefined || c.DF != 0 {
		t.Errorf("got inference for insufficient data: %+v", c)
	}
	if _, err := json.Marshal(c); err != nil {
		t.Errorf("json.Marshal: %v", err)
	}
}

func TestCompareInsufficientData(t *testing.T) {
	t.Run("one unit", func(t *testing.T) {
		in := validInput()
		in.Control[0] = ArmSums{N: 1, SumY: 3, SumY2: 9}
		c, err := Compare(in)
		if err != nil {
			t.Fatal(err)
		}
		assertNoInference(t, c, "at least 2 units")
		if c.Control.N != 1 || c.Control.Mean != 3 || c.Treatment.N != 100 {
			t.Errorf("arm summaries %+v / %+v, want the counts and plain means", c.Control, c.Treatment)
		}
	})
	t.Run("below MinUnits", func(t *testing.T) {
		in := validInput()
		in.MinUnits = 101
		c, err := Compare(in)
		if err != nil {
			t.Fatal(err)
		}
		assertNoInference(t, c, "minimum 101 units")
	})
	t.Run("zero variance in both arms", func(t *testing.T) {
		in := validInput()
		in.Control[0] = ArmSums{N: 50, SumY: 100, SumY2: 200}
		in.Treatment[0] = ArmSums{N: 50, SumY: 150, SumY2: 450}
		c, err := Compare(in)
		if err != nil {
			t.Fatal(err)
		}
		assertNoInference(t, c, "zero variance")
	})
	t.Run("no conversions anywhere", func(t *testing.T) {
		c, err := Compare(CompareInput{Kind: KindProportion, Alpha: 0.05,
			Control: []ArmSums{{N: 500}}, Treatment: []ArmSums{{N: 480}}})
		if err != nil {
			t.Fatal(err)
		}
		assertNoInference(t, c, "zero variance")
	})
	t.Run("every stratum too small", func(t *testing.T) {
		in := validInput()
		in.Control = []ArmSums{{N: 1, SumY: 1, SumY2: 1}, sumsFromMoments(3, 1, 40)}
		in.Treatment = []ArmSums{sumsFromMoments(3, 1, 40), {N: 1, SumY: 2, SumY2: 4}}
		c, err := Compare(in)
		if err != nil {
			t.Fatal(err)
		}
		assertNoInference(t, c, "no stratum")
		if c.Control.N != 41 || c.Treatment.N != 41 {
			t.Errorf("N = %v/%v, want 41/41 (dropped strata still count)", c.Control.N, c.Treatment.N)
		}
	})
	t.Run("ratio with zero denominators", func(t *testing.T) {
		c, err := Compare(CompareInput{Kind: KindRatio, Alpha: 0.05,
			Control:   []ArmSums{{N: 20, SumY: 0, SumY2: 0}},
			Treatment: []ArmSums{{N: 20, SumY: 0, SumY2: 0}}})
		if err != nil {
			t.Fatal(err)
		}
		assertNoInference(t, c, "no stratum")
	})
}

// A zero control mean leaves the relative lift undefined but the absolute
// comparison intact.
func TestCompareZeroControlMean(t *testing.T) {
	c, err := Compare(CompareInput{Kind: KindMean, Alpha: 0.05,
		Control:   []ArmSums{{N: 4, SumY: 0, SumY2: 8}},   // -1, -1, 1, 1 (mean 0, var 8/3)
		Treatment: []ArmSums{{N: 4, SumY: 8, SumY2: 24}}}) // 1, 1, 3, 3
	if err != nil {
		t.Fatal(err)
	}
	if c.RelativeDefined || c.Relative != (Interval{}) {
		t.Fatalf("relative = %+v (defined %v), want undefined zero value", c.Relative, c.RelativeDefined)
	}
	// Hand computation: Δ = 2, se = sqrt(8/3/4 + 8/3/4) = sqrt(4/3),
	// Welch df = 6, so the interval is 2 ± t_{6,0.975}·sqrt(4/3).
	checkNear(t, "Absolute.Estimate", c.Absolute.Estimate, 2, 1e-15, 0)
	checkNear(t, "Absolute.SE", c.Absolute.SE, math.Sqrt(4.0/3), 1e-15, 0)
	checkNear(t, "DF", c.DF, 6, 1e-12, 0)
	checkNear(t, "Absolute.Lower", c.Absolute.Lower, 2-2.4469118511449692*math.Sqrt(4.0/3), 1e-12, 0)
	if c.Verdict != Inconclusive {
		t.Errorf("verdict = %s, want inconclusive", c.Verdict)
	}
}

// Strata with fewer than 2 units in an arm are skipped, but their units count.
func TestCompareDropsTinyStrata(t *testing.T) {
	in := validInput()
	in.Control = append(in.Control, ArmSums{N: 1, SumY: 5, SumY2: 25})
	in.Treatment = append(in.Treatment, sumsFromMoments(10, 2, 30))
	c, err := Compare(in)
	if err != nil {
		t.Fatal(err)
	}
	single, err := Compare(validInput())
	if err != nil {
		t.Fatal(err)
	}
	if c.Control.N != 101 || c.Treatment.N != 130 {
		t.Errorf("N = %v/%v, want 101/130", c.Control.N, c.Treatment.N)
	}
	if c.Absolute != single.Absolute {
		t.Errorf("absolute %+v, want the first stratum's %+v", c.Absolute, single.Absolute)
	}
	if !strings.Contains(c.Reason, "strata [1] skipped") {
		t.Errorf("reason %q does not report the skipped stratum", c.Reason)
	}
}

// TestStratificationRemovesRampBias is the reason strata exist: during a
// ramp the treatment share grows from 10% to 50% while the metric drifts up
// for everyone. Pooling the stages credits the drift to the treatment; the
// stratified comparison must not.
func TestStratificationRemovesRampBias(t *testing.T) {
	// Stage 1: mean 10 for both arms, 9000 control / 1000 treatment.
	// Stage 2: mean 12 for both arms, 5000 / 5000. No treatment effect.
	stage := func(n, mean float64) ArmSums { return sumsFromMoments(mean, 3, n) }
	control := []ArmSums{stage(9000, 10), stage(5000, 12)}
	treatment := []ArmSums{stage(1000, 10), stage(5000, 12)}

	stratified, err := Compare(CompareInput{Kind: KindMean, Alpha: 0.05, Control: control, Treatment: treatment})
	if err != nil {
		t.Fatal(err)
	}
	if stratified.Absolute.Estimate != 0 || stratified.Verdict != Inconclusive {
		t.Errorf("stratified: estimate %v, verdict %s; want 0 and inconclusive", stratified.Absolute.Estimate, stratified.Verdict)
	}

	pooled, err := Compare(CompareInput{Kind: KindMean, Alpha: 0.05,
		Control:   []ArmSums{control[0].Add(control[1])},
		Treatment: []ArmSums{treatment[0].Add(treatment[1])}})
	if err != nil {
		t.Fatal(err)
	}
	// Pooled means: control (9000·10+5000·12)/14000 ≈ 10.714, treatment
	// (1000·10+5000·12)/6000 ≈ 11.667, a spurious +0.95.
	if pooled.Verdict != Beneficial || pooled.Absolute.Estimate < 0.9 {
		t.Errorf("pooled: estimate %v, verdict %s; the bias this test guards against is gone?", pooled.Absolute.Estimate, pooled.Verdict)
	}
}

// A covariate without variance leaves CUPED nothing to adjust with: the
// result is the unadjusted comparison (θ = 0).
func TestCUPEDConstantCovariateFallsBack(t *testing.T) {
	in := validInput()
	plain, err := Compare(in)
	if err != nil {
		t.Fatal(err)
	}
	in.CUPED = true
	for i := range in.Control {
		for _, s := range []*ArmSums{&in.Control[i], &in.Treatment[i]} {
			s.SumX, s.SumX2, s.SumXY = 2*s.N, 4*s.N, 2*s.SumY
		}
	}
	adjusted, err := Compare(in)
	if err != nil {
		t.Fatal(err)
	}
	if !near(adjusted.Absolute.Estimate, plain.Absolute.Estimate, 1e-12, 0) || !near(adjusted.Absolute.SE, plain.Absolute.SE, 1e-12, 0) {
		t.Errorf("CUPED with a constant covariate: %+v, want %+v", adjusted.Absolute, plain.Absolute)
	}
}

// The +Inf df of z-based inference must survive JSON (as null).
func TestComparisonJSONRoundTrip(t *testing.T) {
	c, err := Compare(CompareInput{Kind: KindProportion, Alpha: 0.05,
		Control:   []ArmSums{{N: 1000, SumY: 100, SumY2: 100}},
		Treatment: []ArmSums{{N: 1000, SumY: 130, SumY2: 130}}})
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsInf(c.DF, 1) {
		t.Fatalf("DF = %v, want +Inf for a z test", c.DF)
	}
	data, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"df":null`) || !strings.Contains(string(data), `"verdict":"beneficial"`) {
		t.Errorf("JSON %s lacks df null or the verdict", data)
	}
	var back Comparison
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if back != c {
		t.Errorf("round trip: %+v, want %+v", back, c)
	}
}
