package stats

import (
	"fmt"
	"math"
	"slices"
)

// Kayenta defaults (NetflixACAJudge's MannWhitneyClassifier).
const (
	KayentaConfLevel = 0.98
	KayentaTolerance = 0.25
)

// Kayenta classifications.
const (
	KayentaHigh   = "high"
	KayentaLow    = "low"
	KayentaPass   = "pass"
	KayentaNodata = "nodata"
)

// KayentaInput is one metric of a Kayenta-style canary judgement: every
// point of the canary's series against every point of the baseline's.
type KayentaInput struct {
	Canary   []float64
	Baseline []float64
	// ConfLevel of the Mann–Whitney interval; 0 means 0.98.
	ConfLevel float64
	// Tolerance: a shift counts only when its interval clears
	// Tolerance·|estimate| on one side; 0 means 0.25.
	Tolerance float64
	Direction Direction
}

// KayentaResult is the classification with the evidence behind it.
type KayentaResult struct {
	Classification string  `json:"classification"`
	Verdict        Verdict `json:"verdict"`
	// MannWhitney is the test behind the classification; only its p-value
	// (1) is set when no test was run (no data, identical series).
	MannWhitney  MannWhitneyResult `json:"mann_whitney"`
	CanaryMean   float64           `json:"canary_mean"`
	BaselineMean float64           `json:"baseline_mean"`
	// MeanRatio is canary mean / baseline mean, Kayenta's effect size; 0
	// when RatioDefined is false (baseline mean 0).
	MeanRatio    float64 `json:"mean_ratio"`
	RatioDefined bool    `json:"ratio_defined"`
	Reason       string  `json:"reason"`
}

// KayentaClassify reproduces Kayenta's Mann–Whitney classifier, for teams
// migrating from it: R's wilcox.test(canary, baseline, conf.int = TRUE,
// exact = FALSE, correct = TRUE, conf.level = 0.98); the shift's bound is
// Tolerance·|estimate|; High when the interval's lower end exceeds the bound
// and the mean ratio is at least 1, Low when its upper end is below -bound
// and the ratio is at most 1, Pass otherwise (and when both series hold the
// same values). An empty series is Nodata. High and Low become harmful or
// beneficial by the metric's direction; Pass is inconclusive and Nodata
// insufficient data.
//
// Kayenta treats every point as independent. On autocorrelated series that
// overstates the evidence (see docs/statistics.md); prefer CompareBatches.
func KayentaClassify(in KayentaInput) (KayentaResult, error) {
	conf, tol := in.ConfLevel, in.Tolerance
	if conf == 0 {
		conf = KayentaConfLevel
	}
	if tol == 0 {
		tol = KayentaTolerance
	}
	if !(conf > 0 && conf < 1) {
		return KayentaResult{}, inputErrorf("ConfLevel", "must be in (0, 1) or 0 for 0.98, got %v", in.ConfLevel)
	}
	if !(tol > 0) || math.IsInf(tol, 0) {
		return KayentaResult{}, inputErrorf("Tolerance", "must be a finite number > 0 or 0 for 0.25, got %v", in.Tolerance)
	}
	if in.Direction != Increase && in.Direction != Decrease {
		return KayentaResult{}, inputErrorf("Direction", "must be Increase or Decrease, got %d", in.Direction)
	}
	for _, s := range []struct {
		name string
		v    []float64
	}{{"Canary", in.Canary}, {"Baseline", in.Baseline}} {
		for i, x := range s.v {
			if !isFinite(x) {
				return KayentaResult{}, inputErrorf(fmt.Sprintf("%s[%d]", s.name, i), "must be a finite number, got %v (drop missing points)", x)
			}
		}
	}
	if len(in.Canary) == 0 || len(in.Baseline) == 0 {
		return KayentaResult{Classification: KayentaNodata, Verdict: InsufficientData, MannWhitney: MannWhitneyResult{PValue: 1},
			Reason: fmt.Sprintf("no data: canary has %d points, baseline %d", len(in.Canary), len(in.Baseline))}, nil
	}
	res := KayentaResult{CanaryMean: meanVar(in.Canary).mean, BaselineMean: meanVar(in.Baseline).mean}
	if !isFinite(res.CanaryMean) || !isFinite(res.BaselineMean) {
		return KayentaResult{}, inputErrorf("Canary, Baseline", "values are too large for float64 arithmetic")
	}
	ratio := res.CanaryMean / res.BaselineMean // IEEE, as Kayenta: x/0 is ±Inf, 0/0 NaN
	if res.BaselineMean != 0 && isFinite(ratio) {
		res.MeanRatio, res.RatioDefined = ratio, true
	}
	a, b := slices.Clone(in.Canary), slices.Clone(in.Baseline)
	slices.Sort(a)
	slices.Sort(b)
	if slices.Equal(a, b) || (a[0] == a[len(a)-1] && b[0] == b[len(b)-1] && a[0] == b[0]) {
		res.Classification, res.Verdict = KayentaPass, Inconclusive
		res.MannWhitney.PValue = 1 // no test is run; nothing speaks against equality
		res.Reason = "canary and baseline hold the same values"
		return res, nil
	}
	mw, err := MannWhitney(in.Canary, in.Baseline, MannWhitneyOptions{ConfLevel: conf, Correct: true})
	if err != nil {
		return KayentaResult{}, err
	}
	if !isFinite(mw.Estimate) || !isFinite(mw.Lower) || !isFinite(mw.Upper) {
		// Shifts between values near ±1e308 overflow in the root search.
		return KayentaResult{}, inputErrorf("Canary, Baseline", "values are too far apart for float64 arithmetic")
	}
	res.MannWhitney = mw
	bound := tol * math.Abs(mw.Estimate)
	switch {
	case mw.Lower > bound && ratio >= 1:
		res.Classification = KayentaHigh
	case mw.Upper < -bound && ratio <= 1:
		res.Classification = KayentaLow
	default:
		res.Classification = KayentaPass
	}
	res.Verdict = kayentaVerdict(res.Classification, in.Direction)
	level := 100 * conf
	res.Reason = fmt.Sprintf("Kayenta Mann-Whitney: shift %.4g with %g%% interval [%.4g, %.4g] against the tolerance band ±%.4g (%g x |shift|), mean ratio %s: %s",
		mw.Estimate, level, mw.Lower, mw.Upper, bound, tol, formatRatio(res), res.Classification)
	return res, nil
}

// kayentaVerdict maps High/Low to harmful or beneficial by direction.
func kayentaVerdict(class string, dir Direction) Verdict {
	switch {
	case class == KayentaHigh && dir == Increase, class == KayentaLow && dir == Decrease:
		return Beneficial
	case class == KayentaHigh, class == KayentaLow:
		return Harmful
	}
	return Inconclusive
}

func formatRatio(r KayentaResult) string {
	if !r.RatioDefined {
		return "undefined (baseline mean 0)"
	}
	return fmt.Sprintf("%.4g", r.MeanRatio)
}
