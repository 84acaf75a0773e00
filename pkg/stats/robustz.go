package stats

import (
	"fmt"
	"math"
	"slices"
)

// MADConstant scales the median absolute deviation to the standard
// deviation of normal data, as R's mad() does (constant = 1.4826).
const MADConstant = 1.4826

// meanADConstant scales the mean absolute deviation from the median to the
// standard deviation of normal data (√(π/2)); the fallback when more than
// half the history ties at the median and the MAD is 0.
const meanADConstant = 1.253314

// MinRobustHistory is the fewest earlier periods a robust z-score uses.
const MinRobustHistory = 3

// RobustZResult scores a current value against earlier comparable values.
type RobustZResult struct {
	N      int     `json:"n"` // earlier values used
	Median float64 `json:"median"`
	MAD    float64 `json:"mad"` // scaled by MADConstant, as R's mad()
	// Scale is the spread used: the MAD, or 1.253314 times the mean absolute
	// deviation from the median when the MAD is 0.
	Scale float64 `json:"scale"`
	// Z is (current - median)/Scale; 0 when Defined is false.
	Z float64 `json:"z"`
	// Defined is false when every earlier value is the same: then any other
	// current value is unlike all of them (Constant says so) but has no
	// finite score.
	Defined  bool `json:"defined"`
	Constant bool `json:"constant"`
}

// Median is the middle value (the mean of the two middle ones for an even
// count), as R's median(). x must not be empty.
func Median(x []float64) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return s[n/2-1]/2 + s[n/2]/2
}

// MAD is R's mad(x): MADConstant times the median absolute deviation from
// the median. x must not be empty.
func MAD(x []float64) float64 {
	m := Median(x)
	dev := make([]float64, len(x))
	for i, v := range x {
		dev[i] = math.Abs(v - m)
	}
	return MADConstant * Median(dev)
}

// RobustZ scores current against history, the same window in earlier
// periods (the same hour yesterday, the same weekday last week): a robust z
// from the median and the MAD, so one earlier incident does not mask a
// regression the way a mean and standard deviation would.
func RobustZ(current float64, history []float64) (RobustZResult, error) {
	if !isFinite(current) {
		return RobustZResult{}, inputErrorf("current", "must be a finite number, got %v", current)
	}
	if len(history) < MinRobustHistory {
		return RobustZResult{}, inputErrorf("history", "needs at least %d earlier values, got %d", MinRobustHistory, len(history))
	}
	for i, v := range history {
		if !isFinite(v) {
			return RobustZResult{}, inputErrorf(fmt.Sprintf("history[%d]", i), "must be a finite number, got %v", v)
		}
	}
	res := RobustZResult{N: len(history), Median: Median(history), MAD: MAD(history)}
	res.Scale = res.MAD
	if res.Scale == 0 {
		sum := 0.0
		for _, v := range history {
			sum += math.Abs(v - res.Median)
		}
		res.Scale = meanADConstant * sum / float64(len(history))
	}
	switch {
	case res.Scale > 0:
		res.Z, res.Defined = (current-res.Median)/res.Scale, true
		if !isFinite(res.Z) {
			return RobustZResult{}, inputErrorf("current", "is too far from the history for float64 arithmetic")
		}
	case current == res.Median:
		res.Defined = true // no deviation from a constant history
	default:
		res.Constant = true
	}
	if !isFinite(res.MAD) || !isFinite(res.Scale) {
		return RobustZResult{}, inputErrorf("history", "values are too large for float64 arithmetic")
	}
	return res, nil
}
