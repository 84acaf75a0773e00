// Package stats holds liftgate's statistics: pure functions over per-arm
// sufficient statistics. It does no I/O, keeps no globals and imports nothing
// from the rest of the project, so every store and shell computes the same
// numbers from the same sums.
package stats

// Kind says how a metric's per-unit values are summarised.
type Kind int

const (
	// KindMean is a per-unit mean of an arbitrary value (counts and sums too).
	KindMean Kind = iota
	// KindProportion is a per-unit 0/1 outcome (conversion).
	KindProportion
	// KindRatio is Σnumerator/Σdenominator with the unit as the cluster.
	KindRatio
)

// ArmSums are the sufficient statistics of one arm (optionally one stratum of
// an arm) over its randomisation units. A store can compute every field with
// SUM() in SQL. Y is the metric value (the numerator for ratio metrics), D the
// ratio denominator and X the CUPED pre-exposure covariate.
type ArmSums struct {
	N     float64 `json:"n"`      // units
	SumY  float64 `json:"sum_y"`  // Σy
	SumY2 float64 `json:"sum_y2"` // Σy²
	SumD  float64 `json:"sum_d,omitempty"`
	SumD2 float64 `json:"sum_d2,omitempty"`
	SumYD float64 `json:"sum_yd,omitempty"`
	SumX  float64 `json:"sum_x,omitempty"`
	SumX2 float64 `json:"sum_x2,omitempty"`
	SumXY float64 `json:"sum_xy,omitempty"`
}

// Add returns the field-wise sum, used to pool strata or buckets.
func (a ArmSums) Add(b ArmSums) ArmSums {
	return ArmSums{
		N: a.N + b.N, SumY: a.SumY + b.SumY, SumY2: a.SumY2 + b.SumY2,
		SumD: a.SumD + b.SumD, SumD2: a.SumD2 + b.SumD2, SumYD: a.SumYD + b.SumYD,
		SumX: a.SumX + b.SumX, SumX2: a.SumX2 + b.SumX2, SumXY: a.SumXY + b.SumXY,
	}
}

// Direction says which way a metric is good.
type Direction int

const (
	// Increase means larger treatment values are good.
	Increase Direction = iota
	// Decrease means smaller treatment values are good (errors, latency).
	Decrease
)

// Margin is a non-inferiority margin: how far to the bad side an effect may
// go before it is harmful. At most one of the two is non-zero; both zero means
// no margin (harmful as soon as the interval lies wholly on the bad side of 0).
type Margin struct {
	Relative float64 `json:"relative,omitempty"` // fraction of the control mean, e.g. 0.05
	Absolute float64 `json:"absolute,omitempty"` // in the metric's units
}

// Sequential configures always-valid inference (an asymptotic confidence
// sequence, equivalent to a normal-mixture mSPRT). Nil in CompareInput means
// fixed-horizon inference.
type Sequential struct {
	// TuningN is N*, the total sample size (both arms) at which the confidence
	// sequence is tightest. Zero means the package default (DefaultTuningN).
	TuningN float64 `json:"tuning_n"`
}

// Verdict is the outcome of one comparison.
type Verdict string

const (
	Beneficial       Verdict = "beneficial"
	Harmful          Verdict = "harmful"
	Inconclusive     Verdict = "inconclusive"
	InsufficientData Verdict = "insufficient_data"
)

// AllVerdicts lists every verdict in a stable order (for state-set metrics).
func AllVerdicts() []Verdict {
	return []Verdict{Beneficial, Harmful, Inconclusive, InsufficientData}
}
