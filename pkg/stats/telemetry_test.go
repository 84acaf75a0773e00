package stats

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestCompareBatchesInsufficient(t *testing.T) {
	base := BatchInput{Alpha: 0.05, StepsPerBatch: 5, Direction: Decrease}
	tests := []struct {
		name   string
		edit   func(*BatchInput)
		reason string
	}{
		{"too few batches", func(in *BatchInput) {
			in.Control, in.Treatment = []float64{1, 2, 3, 4}, []float64{1, 2, 3, 5}
		}, "fewer than 5 paired batches (got 4)"},
		{"custom minimum", func(in *BatchInput) {
			in.Control, in.Treatment = []float64{1, 2, 3, 4, 5, 6}, []float64{2, 2, 3, 5, 5, 7}
			in.MinBatches = 8
		}, "fewer than 8 paired batches"},
		{"constant difference", func(in *BatchInput) {
			in.Control, in.Treatment = []float64{1, 2, 3, 4, 5, 6}, []float64{2, 3, 4, 5, 6, 7}
		}, "do not vary"},
		{"autocorrelation swamps the batches", func(in *BatchInput) {
			in.Control, in.Treatment = []float64{1, 2, 3, 4, 5}, []float64{2, 2, 3, 5, 4}
			in.Lag1, in.StepsPerBatch = 0.99, 1
		}, "so autocorrelated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := base
			tt.edit(&in)
			got, err := CompareBatches(in)
			if err != nil {
				t.Fatal(err)
			}
			if got.Verdict != InsufficientData || got.PValue != 1 || !strings.Contains(got.Reason, tt.reason) {
				t.Errorf("verdict %s p %g reason %q, want insufficient_data, 1, %q", got.Verdict, got.PValue, got.Reason, tt.reason)
			}
			if got.Control.N != float64(len(in.Control)) {
				t.Errorf("control N %g, want the batch count %d", got.Control.N, len(in.Control))
			}
		})
	}
}

func TestCompareBatchesInputErrors(t *testing.T) {
	good := func() BatchInput {
		return BatchInput{Control: []float64{1, 2, 3, 4, 5}, Treatment: []float64{1, 3, 3, 4, 6}, Alpha: 0.05, StepsPerBatch: 1}
	}
	tests := []struct {
		field string
		edit  func(*BatchInput)
	}{
		{"Treatment", func(in *BatchInput) { in.Treatment = in.Treatment[:4] }},
		{"Control[2]", func(in *BatchInput) { in.Control[2] = math.NaN() }},
		{"Treatment[0]", func(in *BatchInput) { in.Treatment[0] = math.Inf(1) }},
		{"Alpha", func(in *BatchInput) { in.Alpha = 0 }},
		{"StepsPerBatch", func(in *BatchInput) { in.StepsPerBatch = 0 }},
		{"Lag1", func(in *BatchInput) { in.Lag1 = 1 }},
		{"Lag1", func(in *BatchInput) { in.Lag1 = -0.1 }},
		{"Direction", func(in *BatchInput) { in.Direction = 7 }},
		{"Margin", func(in *BatchInput) { in.Margin = Margin{Relative: 0.1, Absolute: 1} }},
		{"Sequential.TuningN", func(in *BatchInput) { in.Sequential = &Sequential{TuningN: math.NaN()} }},
	}
	for _, tt := range tests {
		in := good()
		tt.edit(&in)
		_, err := CompareBatches(in)
		var ie *InputError
		if !errors.As(err, &ie) || ie.Field != tt.field {
			t.Errorf("%s: error %v, want an InputError on %s", tt.field, err, tt.field)
		}
	}
}

// TestCompareBatchesDirectionAndMargin: the same batches judged under both
// directions and with a margin that absorbs the effect.
func TestCompareBatchesDirectionAndMargin(t *testing.T) {
	control := []float64{100, 102, 98, 101, 99, 100, 103, 97}
	treatment := []float64{110, 111, 109, 112, 108, 110, 113, 108}
	in := BatchInput{Control: control, Treatment: treatment, Alpha: 0.05, StepsPerBatch: 5, Direction: Decrease}
	got, err := CompareBatches(in)
	if err != nil {
		t.Fatal(err)
	}
	if got.Verdict != Harmful || !(got.Absolute.Lower > 0) || !got.RelativeDefined {
		t.Fatalf("latency up 10%%: %s %+v", got.Verdict, got.Absolute)
	}
	in.Direction = Increase
	if got, _ := CompareBatches(in); got.Verdict != Beneficial {
		t.Errorf("throughput up 10%%: %s", got.Verdict)
	}
	in.Direction, in.Margin = Decrease, Margin{Relative: 0.2}
	if got, _ := CompareBatches(in); got.Verdict != Inconclusive {
		t.Errorf("10%% worse within a 20%% margin: %s (relative %+v)", got.Verdict, got.Relative)
	}
	in.Margin = Margin{Relative: 0.05}
	if got, _ := CompareBatches(in); got.Verdict != Harmful {
		t.Errorf("10%% worse beyond a 5%% margin: %s", got.Verdict)
	}
	// The confidence sequence is wider than the t interval at these sizes.
	in.Margin, in.Sequential = Margin{}, &Sequential{}
	seq, _ := CompareBatches(in)
	if !(seq.Absolute.Upper-seq.Absolute.Lower > got.Absolute.Upper-got.Absolute.Lower) || !math.IsInf(seq.DF, 1) {
		t.Errorf("sequential interval %+v not wider than fixed %+v (df %g)", seq.Absolute, got.Absolute, seq.DF)
	}
}

func TestCompareBatchesZeroControlMean(t *testing.T) {
	got, err := CompareBatches(BatchInput{
		Control: []float64{-1, 1, -1, 1, 0}, Treatment: []float64{0, 2, 1, 1, 1},
		Alpha: 0.05, StepsPerBatch: 1, Margin: Margin{Relative: 0.1},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.RelativeDefined || got.Relative != (Interval{}) {
		t.Errorf("relative lift defined with a zero control mean: %+v", got.Relative)
	}
}

func TestPlanBatches(t *testing.T) {
	flat := make([]float64, 240)
	for i := range flat {
		flat[i] = float64(i%2) - 0.5 // strongly negative autocorrelation
	}
	steps, lag1, ok := PlanBatches(flat, 5, 5)
	if steps != 5 || !ok || lag1 > 0.1 {
		t.Errorf("alternating series: steps %d lag1 %g ok %v, want the minimum batch", steps, lag1, ok)
	}
	smooth := make([]float64, 240)
	for i := range smooth {
		smooth[i] = math.Sin(float64(i) / 20)
	}
	steps, lag1, ok = PlanBatches(smooth, 5, 5)
	if lag1 < 0.9 || steps <= 5 {
		t.Errorf("smooth series: steps %d lag1 %g, want long batches", steps, lag1)
	}
	if ok && BatchMeanLag1(lag1, steps) > BatchTargetLag1 {
		t.Errorf("ok with batch autocorrelation %g", BatchMeanLag1(lag1, steps))
	}
	short := smooth[:30]
	if _, _, ok := PlanBatches(short, 5, 5); ok {
		t.Error("30 smooth steps accepted for batch means")
	}
	if steps := BatchSteps(0.5, 3, 100); steps%3 != 0 {
		t.Errorf("BatchSteps = %d, not a multiple of the minimum", steps)
	}
}

func TestLag1AutocorrelationUndefined(t *testing.T) {
	for _, x := range [][]float64{{1, 2, 3}, {5, 5, 5, 5, 5}, {1, math.NaN(), 2, math.NaN(), 3, math.NaN(), 4}} {
		if _, ok := Lag1Autocorrelation(x); ok {
			t.Errorf("Lag1Autocorrelation(%v) ok", x)
		}
	}
}

func TestCorrelationUndefined(t *testing.T) {
	c, err := Pearson([]float64{1, 2, 3, 4}, []float64{5, 5, 5, 5}, 0.05)
	if err != nil || c.Defined || c.PValue != 1 || c.Lower != -1 || c.Upper != 1 {
		t.Errorf("constant y: %+v, %v", c, err)
	}
	c, _ = Spearman([]float64{1, 2, 3, 4, 5}, []float64{2, 4, 6, 8, 10}, 0.05)
	if !c.Defined || c.R != 1 || c.PValue != 0 || c.Lower != 1 || c.Upper != 1 {
		t.Errorf("perfect rank correlation: %+v", c)
	}
	c, _ = Pearson([]float64{1, 2, 3}, []float64{1, 3, 2}, 0.05)
	if c.Lower != -1 || c.Upper != 1 || !c.Defined {
		t.Errorf("n = 3 has no Fisher interval: %+v", c)
	}
	for _, bad := range []struct {
		x, y  []float64
		alpha float64
	}{
		{[]float64{1, 2}, []float64{1, 2}, 0.05},
		{[]float64{1, 2, 3}, []float64{1, 2}, 0.05},
		{[]float64{1, math.NaN(), 3}, []float64{1, 2, 3}, 0.05},
		{[]float64{1, 2, 3}, []float64{1, 2, 3}, 1},
	} {
		if _, err := Pearson(bad.x, bad.y, bad.alpha); err == nil {
			t.Errorf("Pearson(%v, %v, %g) accepted", bad.x, bad.y, bad.alpha)
		}
	}
}

func TestLeadLagEdges(t *testing.T) {
	x := []float64{1, 2, 3, 4, 5, 6, 7, 8}
	res, err := LeadLag(x, []float64{1, 1, 1, 1, 1, 1, 1, 1}, 2, 0.05)
	if err != nil || res.Defined || res.BonferroniP != 1 || res.ShiftP != 1 {
		t.Errorf("constant y: %+v %v", res, err)
	}
	res, err = LeadLag(x, []float64{3, 1, 4, 1, 5, 9, 2, 6}, 1, 0.05)
	if err != nil || !res.Defined || res.ShiftPDefined {
		t.Errorf("8 steps: defined %v, shift p defined %v (%d shifts) %v", res.Defined, res.ShiftPDefined, res.Shifts, err)
	}
	if _, err := LeadLag(x, x, 8, 0.05); err == nil {
		t.Error("maxLag = n accepted")
	}
	if _, err := LeadLag(x, x[:7], 1, 0.05); err == nil {
		t.Error("unequal lengths accepted")
	}
	y := append([]float64(nil), x...)
	y[3] = math.Inf(1)
	if _, err := LeadLag(x, y, 1, 0.05); err == nil {
		t.Error("infinite value accepted")
	}
}

// TestLeadLagShiftTestResistsSmoothSeries: two independent smooth series
// often show a "significant" Pearson p-value; the shift test should not.
func TestLeadLagShiftTestResistsSmoothSeries(t *testing.T) {
	n := 200
	x, y := make([]float64, n), make([]float64, n)
	for i := range x {
		x[i] = math.Sin(float64(i)/15) + 0.1*math.Sin(float64(i)*1.7)
		y[i] = math.Cos(float64(i)/23+1) + 0.1*math.Cos(float64(i)*2.3)
	}
	res, err := LeadLag(x, y, 5, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	if !(res.Pearson.PValue < 0.01) {
		t.Skipf("these smooth series happen not to correlate naively (p = %g)", res.Pearson.PValue)
	}
	if !res.ShiftPDefined || res.ShiftP < 0.05 {
		t.Errorf("shift test p = %g on unrelated smooth series (naive p = %g)", res.ShiftP, res.Pearson.PValue)
	}
}

func TestRobustZEdges(t *testing.T) {
	// More than half the history ties: the MAD is 0 and the mean absolute
	// deviation takes over.
	got, err := RobustZ(20, []float64{10, 10, 10, 10, 12, 14})
	if err != nil {
		t.Fatal(err)
	}
	wantScale := 1.253314 * (2 + 4) / 6.0
	if got.MAD != 0 || math.Abs(got.Scale-wantScale) > 1e-12 || math.Abs(got.Z-10/wantScale) > 1e-12 {
		t.Errorf("tied history: %+v, want scale %g", got, wantScale)
	}
	got, _ = RobustZ(5, []float64{5, 5, 5})
	if !got.Defined || got.Z != 0 || got.Constant {
		t.Errorf("equal to a constant history: %+v", got)
	}
	got, _ = RobustZ(6, []float64{5, 5, 5})
	if got.Defined || !got.Constant || got.Z != 0 {
		t.Errorf("unlike a constant history: %+v", got)
	}
	if _, err := RobustZ(1, []float64{1, 2}); err == nil {
		t.Error("two earlier values accepted")
	}
	if _, err := RobustZ(math.NaN(), []float64{1, 2, 3}); err == nil {
		t.Error("NaN accepted")
	}
	if m := Median([]float64{4, 1, 3, 2}); m != 2.5 {
		t.Errorf("Median = %g, want 2.5", m)
	}
}

func TestKayentaEdges(t *testing.T) {
	got, err := KayentaClassify(KayentaInput{Canary: nil, Baseline: []float64{1}, Direction: Decrease})
	if err != nil || got.Classification != KayentaNodata || got.Verdict != InsufficientData {
		t.Errorf("no canary data: %+v %v", got, err)
	}
	got, _ = KayentaClassify(KayentaInput{Canary: []float64{2, 1, 3}, Baseline: []float64{3, 2, 1}, Direction: Decrease})
	if got.Classification != KayentaPass || got.Verdict != Inconclusive {
		t.Errorf("same values: %+v", got)
	}
	// Baseline mean 0, canary errors: the ratio is +Inf for Kayenta, which
	// still counts as an increase; liftgate reports it as undefined.
	got, _ = KayentaClassify(KayentaInput{Canary: []float64{0.2, 0.3, 0.25, 0.3}, Baseline: []float64{0, 0, 0, 0}, Direction: Decrease})
	if got.Classification != KayentaHigh || got.Verdict != Harmful || got.RatioDefined || got.MeanRatio != 0 {
		t.Errorf("errors appear in the canary only: %+v", got)
	}
	if _, err := KayentaClassify(KayentaInput{Canary: []float64{math.NaN()}, Baseline: []float64{1}}); err == nil {
		t.Error("NaN accepted")
	}
	if _, err := KayentaClassify(KayentaInput{Canary: []float64{1}, Baseline: []float64{1}, ConfLevel: 1}); err == nil {
		t.Error("confidence 1 accepted")
	}
}
