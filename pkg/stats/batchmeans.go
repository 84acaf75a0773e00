package stats

import (
	"fmt"
	"math"
)

// DefaultMinBatches is the fewest paired batches a telemetry comparison
// accepts; below it the verdict is InsufficientData.
const DefaultMinBatches = 5

// DefaultTuningBatches is N* for telemetry confidence sequences, counted in
// paired batches: the sequence is tightest after about this many batches
// (four hours of 5-minute batches is 48).
const DefaultTuningBatches = 50

// BatchInput is a paired comparison of two time series cut into the same
// batches: Control[i] and Treatment[i] summarise the same window of time
// (the window's mean, ratio or quantile), so load that both arms share
// cancels in the difference.
type BatchInput struct {
	Control   []float64
	Treatment []float64
	// Lag1 is φ, the lag-1 autocorrelation of the step-level paired
	// differences (see Lag1Autocorrelation), and StepsPerBatch the steps per
	// batch; together they set the variance correction BatchInflation. Lag1
	// 0 treats the batches as independent.
	Lag1          float64
	StepsPerBatch int
	Alpha         float64
	// Sequential selects an always-valid confidence sequence over batches;
	// its TuningN counts paired batches (0 means DefaultTuningBatches).
	Sequential *Sequential
	Direction  Direction
	Margin     Margin
	// MinBatches is the fewest paired batches for a verdict (0 means
	// DefaultMinBatches, at least 3 are needed for an interval anyway).
	MinBatches int
}

// BatchComparison is a Comparison of batch means with the batching used.
// Control and Treatment summarise the batch values: N is the number of
// batches and SE the plain s/√b, for display.
type BatchComparison struct {
	Comparison
	Batches       int     `json:"batches"`
	StepsPerBatch int     `json:"steps_per_batch"`
	Lag1          float64 `json:"lag1"`
	// Inflation is the factor applied to the naive variance of the mean
	// difference for the autocorrelation left between batches.
	Inflation float64 `json:"variance_inflation"`
}

// CompareBatches compares treatment with control by paired batch means: the
// mean of the per-batch differences with a Student t interval on b-1 degrees
// of freedom (or an always-valid confidence sequence), its variance
// corrected by BatchInflation for the autocorrelation between batches. The
// relative lift (t̄ - c̄)/|c̄| uses the delta method on the same batches.
// Kayenta instead ranks every scrape point as if independent, which on
// autocorrelated series finds differences that are not there; see
// docs/statistics.md for the simulation.
func CompareBatches(in BatchInput) (BatchComparison, error) {
	if err := validateBatchInput(in); err != nil {
		return BatchComparison{}, err
	}
	b := len(in.Control)
	out := BatchComparison{Batches: b, StepsPerBatch: in.StepsPerBatch, Lag1: in.Lag1, Inflation: 1}
	ctl, trt := meanVar(in.Control), meanVar(in.Treatment)
	out.Control = ArmSummary{N: float64(b), Mean: ctl.mean, SE: math.Sqrt(ctl.variance / float64(b))}
	out.Treatment = ArmSummary{N: float64(b), Mean: trt.mean, SE: math.Sqrt(trt.variance / float64(b))}
	out.PValue = 1
	out.Verdict = InsufficientData

	minBatches := in.MinBatches
	if minBatches == 0 {
		minBatches = DefaultMinBatches
	}
	minBatches = max(minBatches, 3)
	if b < minBatches {
		out.Reason = fmt.Sprintf("fewer than %d paired batches (got %d): the window is too short for this batch length", minBatches, b)
		return finishBatch(out)
	}
	inflation, ok := BatchInflation(in.Lag1, in.StepsPerBatch, b)
	if !ok {
		out.Reason = fmt.Sprintf("the series is so autocorrelated (lag-1 %.2f) that %d batches of %d steps hold too little independent information; let it run longer", in.Lag1, b, in.StepsPerBatch)
		return finishBatch(out)
	}
	out.Inflation = inflation

	diffs := make([]float64, b)
	for i := range diffs {
		diffs[i] = in.Treatment[i] - in.Control[i]
	}
	d := meanVar(diffs)
	if !(d.variance > 0) {
		out.Reason = "the paired batch differences do not vary: the data cannot show any uncertainty"
		return finishBatch(out)
	}
	fb := float64(b)
	se := math.Sqrt(inflation * d.variance / fb)
	inf := batchInference(in, fb)
	out.DF = inf.df
	out.Absolute = inf.interval(d.mean, se)
	out.PValue = inf.pValueOf(d.mean, se)
	if ctl.mean != 0 {
		ratio := trt.mean / ctl.mean
		scale := math.Abs(ctl.mean)
		z := make([]float64, b)
		for i := range z {
			z[i] = (in.Treatment[i] - ratio*in.Control[i]) / scale
		}
		rel := inf.interval((trt.mean-ctl.mean)/scale, math.Sqrt(inflation*meanVar(z).variance/fb))
		if finiteInterval(rel) {
			out.Relative, out.RelativeDefined = rel, true
		}
	}
	out.Verdict = Inconclusive // inference was made; Decide refines it
	out.Verdict = Decide(out.Comparison, in.Direction, in.Margin)
	out.Reason = verdictReason(out.Comparison, CompareInput{Alpha: in.Alpha, Sequential: in.Sequential, Direction: in.Direction, Margin: in.Margin}) +
		fmt.Sprintf(" (%d paired batches of %d steps; lag-1 autocorrelation %.2f, variance x%.3g)", b, in.StepsPerBatch, in.Lag1, inflation)
	return finishBatch(out)
}

// finishBatch guards the promise that no field is NaN or infinite (DF
// aside, +Inf for sequential inference).
func finishBatch(c BatchComparison) (BatchComparison, error) {
	if !finiteComparison(c.Comparison) || !isFinite(c.Inflation) {
		return BatchComparison{}, inputErrorf("Control, Treatment", "values are too large for float64 arithmetic")
	}
	return c, nil
}

// batchInference is Student t on b-1 degrees of freedom, or the confidence
// sequence with N = b batches.
type batchInf struct {
	df   float64
	crit float64
	cs   *confidenceSequence
}

func batchInference(in BatchInput, b float64) batchInf {
	if in.Sequential != nil {
		tuning := in.Sequential.TuningN
		if tuning == 0 {
			tuning = DefaultTuningBatches
		}
		cs := newConfidenceSequence(in.Alpha, b, tuning)
		return batchInf{df: math.Inf(1), cs: &cs}
	}
	df := b - 1
	return batchInf{df: df, crit: tQuantileUpper(in.Alpha/2, df)}
}

func (f batchInf) interval(est, se float64) Interval {
	hw := f.crit * se
	if f.cs != nil {
		hw = f.cs.halfWidth(se)
	}
	return Interval{Estimate: est, Lower: est - hw, Upper: est + hw, SE: se}
}

func (f batchInf) pValueOf(est, se float64) float64 {
	if f.cs != nil {
		return f.cs.pValue(est, se)
	}
	return twoSidedTP(est/se, f.df)
}

type meanVariance struct{ mean, variance float64 }

// meanVar is the mean and the n-1 sample variance (two passes, for
// accuracy when the values are large and close together).
func meanVar(x []float64) meanVariance {
	if len(x) == 0 {
		return meanVariance{}
	}
	sum := 0.0
	for _, v := range x {
		sum += v
	}
	mean := sum / float64(len(x))
	if len(x) < 2 {
		return meanVariance{mean: mean}
	}
	ss := 0.0
	for _, v := range x {
		ss += (v - mean) * (v - mean)
	}
	return meanVariance{mean: mean, variance: ss / float64(len(x)-1)}
}

func validateBatchInput(in BatchInput) error {
	if len(in.Control) != len(in.Treatment) {
		return inputErrorf("Treatment", "has %d batches, Control has %d; batches are paired by window", len(in.Treatment), len(in.Control))
	}
	for _, arm := range []struct {
		name string
		v    []float64
	}{{"Control", in.Control}, {"Treatment", in.Treatment}} {
		for i, x := range arm.v {
			if !isFinite(x) {
				return inputErrorf(fmt.Sprintf("%s[%d]", arm.name, i), "must be a finite number, got %v (drop missing batches from both arms)", x)
			}
		}
	}
	if !(in.Alpha > 0 && in.Alpha < 1) {
		return inputErrorf("Alpha", "must be in (0, 1), got %v", in.Alpha)
	}
	if in.Direction != Increase && in.Direction != Decrease {
		return inputErrorf("Direction", "must be Increase or Decrease, got %d", in.Direction)
	}
	if in.StepsPerBatch < 1 {
		return inputErrorf("StepsPerBatch", "must be at least 1, got %d", in.StepsPerBatch)
	}
	if !(in.Lag1 >= 0 && in.Lag1 < 1) {
		return inputErrorf("Lag1", "must be in [0, 1), got %v", in.Lag1)
	}
	if in.MinBatches < 0 {
		return inputErrorf("MinBatches", "must be >= 0, got %d", in.MinBatches)
	}
	if in.Sequential != nil && !(in.Sequential.TuningN >= 0 && isFinite(in.Sequential.TuningN)) {
		return inputErrorf("Sequential.TuningN", "must be a finite number >= 0, got %v", in.Sequential.TuningN)
	}
	if err := validateMargin(in.Margin); err != nil {
		return err
	}
	return nil
}
