package stats

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// ar1 fills x with a stationary AR(1) series of unit variance.
func ar1(rng *rand.Rand, x []float64, phi float64) {
	innovation := math.Sqrt(1 - phi*phi)
	x[0] = rng.NormFloat64()
	for t := 1; t < len(x); t++ {
		x[t] = phi*x[t-1] + innovation*rng.NormFloat64()
	}
}

// batchMeans runs the batch-means procedure the engine uses on two
// step-level series: PlanBatches on the differences (a series too
// autocorrelated for its length gives insufficient data), means over
// complete batches from the start of the grid, CompareBatches at alpha.
func batchMeans(control, treatment []float64, alpha float64) (BatchComparison, error) {
	return batchMeansWith(control, treatment, alpha, nil)
}

// batchMeansWith is batchMeans with an optional confidence sequence.
func batchMeansWith(control, treatment []float64, alpha float64, seq *Sequential) (BatchComparison, error) {
	diffs := make([]float64, len(control))
	for i := range diffs {
		diffs[i] = treatment[i] - control[i]
	}
	steps, lag1, ok := PlanBatches(diffs, 5, DefaultMinBatches)
	if !ok {
		return BatchComparison{Comparison: Comparison{Verdict: InsufficientData, PValue: 1}}, nil
	}
	b := len(control) / steps
	c, tr := make([]float64, b), make([]float64, b)
	for i := range b {
		c[i] = meanVar(control[i*steps : (i+1)*steps]).mean
		tr[i] = meanVar(treatment[i*steps : (i+1)*steps]).mean
	}
	return CompareBatches(BatchInput{Control: c, Treatment: tr, Lag1: lag1, StepsPerBatch: steps,
		Alpha: alpha, Direction: Decrease, Sequential: seq})
}

// simReps is the number of A/A pairs per scenario; LIFTGATE_SIM_REPS raises
// it for the figures in docs/statistics.md.
func simReps(t *testing.T, def int) int {
	if s := os.Getenv("LIFTGATE_SIM_REPS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("LIFTGATE_SIM_REPS=%q", s)
		}
		return n
	}
	return def
}

// binomialUpperP is P(X ≥ k) for X ~ Binomial(n, p).
func binomialUpperP(k, n int, p float64) float64 {
	if k <= 0 {
		return 1
	}
	return 1 - distuv.Binomial{N: float64(n), P: p}.CDF(float64(k-1))
}

// TestAutocorrelatedAAFalsePositives is the simulation behind the telemetry
// method: A/A pairs of AR(1) series (4 hours at 1-minute steps, level 10,
// unit noise; in two rows with a load change both arms share), judged per point as Kayenta does (Mann–Whitney, 98%,
// tolerance 0.25) and by batch means at alpha 0.05 (Student t, and the
// confidence sequence the engine uses for sequential plans). A false positive is any
// verdict other than inconclusive or insufficient data. Batch means must
// stay at or below alpha (a one-sided binomial test at 0.001 guards against
// Monte Carlo noise); Kayenta's rate must rise far above its nominal 2% once
// the series are autocorrelated, which is the problem its users report.
func TestAutocorrelatedAAFalsePositives(t *testing.T) {
	if testing.Short() {
		t.Skip("simulation")
	}
	const (
		steps = 240
		alpha = 0.05
	)
	reps := simReps(t, 600)
	rng := rand.New(rand.NewPCG(2026, 11))
	control, treatment := make([]float64, steps), make([]float64, steps)
	diffs := make([]float64, steps)
	t.Logf("%-5s %-6s %-6s %-8s %-8s %-8s %-12s %-12s %s", "phi", "shared", "reps", "kayenta", "batch", "batch-cs", "insufficient", "shift found", "mean batches")
	for _, sc := range []struct {
		phi float64
		// shared is a load change both arms see from 60% of the run on:
		// the level rises by 3 noise standard deviations and the noise
		// grows by half. It must cancel in the paired difference.
		shared bool
	}{{0, false}, {0.5, false}, {0.8, false}, {0.9, false}, {0.5, true}, {0.8, true}} {
		phi := sc.phi
		kayentaFP, batchFP, seqFP, batches, insufficient, shifts := 0, 0, 0, 0, 0, 0
		for range reps {
			ar1(rng, control, phi)
			ar1(rng, treatment, phi)
			for i := range control {
				control[i] += 10
				treatment[i] += 10
				if sc.shared && i >= steps*6/10 {
					control[i] = 13 + 1.5*(control[i]-10)
					treatment[i] = 13 + 1.5*(treatment[i]-10)
				}
				diffs[i] = treatment[i] - control[i]
			}
			if s, ok := FindLevelShift(diffs); ok && s.Significant() {
				shifts++
			}
			k, err := KayentaClassify(KayentaInput{Canary: treatment, Baseline: control, Direction: Decrease})
			if err != nil {
				t.Fatal(err)
			}
			if k.Verdict == Harmful || k.Verdict == Beneficial {
				kayentaFP++
			}
			b, err := batchMeans(control, treatment, alpha)
			if err != nil {
				t.Fatal(err)
			}
			switch b.Verdict {
			case Harmful, Beneficial:
				batchFP++
			case InsufficientData:
				insufficient++
			}
			batches += b.Batches
			cs, err := batchMeansWith(control, treatment, alpha, &Sequential{})
			if err != nil {
				t.Fatal(err)
			}
			if cs.Verdict == Harmful || cs.Verdict == Beneficial {
				seqFP++
			}
		}
		kRate, bRate := float64(kayentaFP)/float64(reps), float64(batchFP)/float64(reps)
		meanBatches := 0.0
		if tested := reps - insufficient; tested > 0 {
			meanBatches = float64(batches) / float64(tested)
		}
		sRate := float64(seqFP) / float64(reps)
		t.Logf("%-5.2f %-6v %-6d %-8.3f %-8.3f %-8.3f %-12.3f %-12.3f %.1f", phi, sc.shared, reps, kRate, bRate, sRate,
			float64(insufficient)/float64(reps), float64(shifts)/float64(reps), meanBatches)
		if p := binomialUpperP(batchFP, reps, alpha); p < 0.001 {
			t.Errorf("phi %.2f shared shift %v: batch means false-positive rate %.3f exceeds alpha %.2f (binomial p = %.2g)", phi, sc.shared, bRate, alpha, p)
		}
		if p := binomialUpperP(seqFP, reps, alpha); p < 0.001 {
			t.Errorf("phi %.2f shared shift %v: batch means with a confidence sequence: false-positive rate %.3f exceeds alpha %.2f", phi, sc.shared, sRate, alpha)
		}
		// The change test runs at LevelShiftAlpha; in an A/A difference
		// there is no change to find.
		if p := binomialUpperP(shifts, reps, LevelShiftAlpha); p < 0.001 {
			t.Errorf("phi %.2f shared shift %v: a level shift found in %.3f of A/A differences, above %.2f", phi, sc.shared, float64(shifts)/float64(reps), LevelShiftAlpha)
		}
		if phi >= 0.5 && !sc.shared {
			if p := binomialUpperP(kayentaFP, reps, 0.02); p > 0.001 {
				t.Errorf("phi %.2f: Kayenta's rate %.3f is not clearly above its nominal 2%%; the simulation no longer shows the problem", phi, kRate)
			}
		}
	}
}

// TestBatchMeansDetectsShift guards against a procedure that is safe only
// because it never decides: a latency regression of half a noise standard
// deviation at phi 0.5 must mostly be found.
func TestBatchMeansDetectsShift(t *testing.T) {
	if testing.Short() {
		t.Skip("simulation")
	}
	const steps, reps = 240, 200
	rng := rand.New(rand.NewPCG(7, 7))
	control, treatment := make([]float64, steps), make([]float64, steps)
	found := 0
	for range reps {
		ar1(rng, control, 0.5)
		ar1(rng, treatment, 0.5)
		for i := range treatment {
			treatment[i] += 0.5
		}
		b, err := batchMeans(control, treatment, 0.05)
		if err != nil {
			t.Fatal(err)
		}
		if b.Verdict == Harmful {
			found++
		}
		if b.Verdict == Beneficial {
			t.Fatalf("a regression judged beneficial: %s", b.Reason)
		}
	}
	if rate := float64(found) / reps; rate < 0.8 {
		t.Errorf("found the regression in %.2f of runs, want at least 0.8", rate)
	} else {
		t.Log(fmt.Sprintf("power %.2f", rate))
	}
}
