package stats

import (
	"fmt"

	"gonum.org/v1/gonum/stat/distuv"
)

// SRMStratum is one stratum (rollout stage) of a sample-ratio check: units
// observed per arm and the planned traffic weights (need not sum to 1).
type SRMStratum struct {
	Observed []float64 `json:"observed"`
	Weights  []float64 `json:"weights"`
}

// SRMResult is a Pearson χ² goodness-of-fit test of the observed split.
type SRMResult struct {
	ChiSquare float64 `json:"chi_square"`
	DF        float64 `json:"df"`
	PValue    float64 `json:"p_value"`
	// UnplannedUnits counts units in arms whose weight was 0 when they were
	// exposed (an arm not launched yet). Any such unit is a certain
	// mismatch: PValue is then 0.
	UnplannedUnits float64 `json:"unplanned_units,omitempty"`
}

// SRM tests for a sample ratio mismatch: Pearson's χ² goodness of fit without
// continuity correction, expected counts w_i/Σw·N. Strata are independent, so
// statistics and degrees of freedom (k-1 each) add over the strata that have
// units; a ramp whose weights change between stages is tested against the
// weights of each stage. With one stratum it equals R's
// chisq.test(x, p = w/sum(w)). With no units at all it returns χ² = 0, DF = 0
// and p = 1 (no evidence of a mismatch). An arm with weight 0 (not launched
// in that stage) adds nothing when it has no units and takes no degree of
// freedom; units in it make the mismatch certain (p = 0).
func SRM(strata []SRMStratum) (SRMResult, error) {
	if len(strata) == 0 {
		return SRMResult{}, inputErrorf("strata", "need at least one stratum")
	}
	var res SRMResult
	for i, s := range strata {
		field := fmt.Sprintf("strata[%d]", i)
		if len(s.Observed) < 2 {
			return SRMResult{}, inputErrorf(field+".Observed", "needs at least 2 arms, got %d", len(s.Observed))
		}
		if len(s.Weights) != len(s.Observed) {
			return SRMResult{}, inputErrorf(field+".Weights", "has %d weights for %d arms; they must match", len(s.Weights), len(s.Observed))
		}
		total, weightSum := 0.0, 0.0
		for j := range s.Observed {
			if o := s.Observed[j]; !isFinite(o) || o < 0 {
				return SRMResult{}, inputErrorf(fmt.Sprintf("%s.Observed[%d]", field, j), "must be a finite count >= 0, got %v", o)
			}
			if w := s.Weights[j]; !isFinite(w) || w < 0 {
				return SRMResult{}, inputErrorf(fmt.Sprintf("%s.Weights[%d]", field, j), "must be a finite weight >= 0, got %v", w)
			}
			total += s.Observed[j]
			weightSum += s.Weights[j]
		}
		if !isFinite(total) || !isFinite(weightSum) {
			return SRMResult{}, inputErrorf(field, "counts or weights are too large to add up")
		}
		if weightSum == 0 {
			return SRMResult{}, inputErrorf(field+".Weights", "at least one weight must be > 0")
		}
		if total == 0 {
			continue
		}
		live := 0
		for j, o := range s.Observed {
			if s.Weights[j] == 0 {
				res.UnplannedUnits += o
				continue
			}
			live++
			e := total * (s.Weights[j] / weightSum)
			res.ChiSquare += (o - e) * (o - e) / e
		}
		if live > 1 {
			res.DF += float64(live - 1)
		}
	}
	if res.UnplannedUnits > 0 {
		if !isFinite(res.ChiSquare) {
			res.ChiSquare = 0
		}
		res.PValue = 0
		return res, nil
	}
	if res.DF == 0 {
		return SRMResult{PValue: 1}, nil
	}
	if !isFinite(res.ChiSquare) {
		return SRMResult{}, inputErrorf("strata", "counts are too large for float64 arithmetic")
	}
	res.PValue = distuv.ChiSquared{K: res.DF}.Survival(res.ChiSquare)
	return res, nil
}
