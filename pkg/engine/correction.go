package engine

import (
	"fmt"

	"github.com/liftgate/liftgate/pkg/plan"
	"github.com/liftgate/liftgate/pkg/stats"
)

// applyCorrection adjusts the p-values of one family of results: the primary
// and secondary metrics across all treatment arms. Guardrails stay out of the
// family (as GrowthBook's and Spotify's "spot-1" variants do): they exist to
// catch harm, and correcting them would only make that slower. A beneficial
// or harmful verdict whose adjusted p-value is not below alpha becomes
// inconclusive, so the verdict and the adjusted p-value never disagree. A
// result with a non-inferiority margin keeps its verdict: its harm test is
// against the margin, not against zero, which the p-value does not measure.
func applyCorrection(results []MetricResult, idx []int, method string, alpha float64) error {
	for _, i := range idx {
		results[i].AdjustedPValue = results[i].PValue
	}
	family := indicesNotOfRole(results, idx, plan.RoleGuardrail)
	if len(family) == 0 {
		return nil
	}
	ps := make([]float64, len(family))
	for k, i := range family {
		ps[k] = results[i].PValue
	}
	var adj []float64
	var err error
	switch method {
	case "holm":
		adj, err = stats.HolmAdjust(ps)
	case "bh":
		adj, err = stats.BHAdjust(ps)
	case "none", "":
		adj = ps
	default:
		return fmt.Errorf("unknown correction %q", method)
	}
	if err != nil {
		return fmt.Errorf("%s correction: %w", method, err)
	}
	for k, i := range family {
		r := &results[i]
		r.AdjustedPValue = adj[k]
		if (r.Verdict == stats.Beneficial || r.Verdict == stats.Harmful) && adj[k] >= alpha && r.Margin == nil {
			r.Verdict = stats.Inconclusive
			r.Reason = fmt.Sprintf("adjusted p-value %.4g (%s over %d comparisons) is not below alpha %.4g", adj[k], method, len(family), alpha)
		}
	}
	return nil
}

func indicesOfRole(results []MetricResult, idx []int, role string) []int {
	var out []int
	for _, i := range idx {
		if results[i].Role == role {
			out = append(out, i)
		}
	}
	return out
}

// indicesNotOfRole also leaves out results without a verdict: their p-value
// says nothing, and counting them would only inflate the family.
func indicesNotOfRole(results []MetricResult, idx []int, role string) []int {
	var out []int
	for _, i := range idx {
		if results[i].Role != role && results[i].Verdict != stats.InsufficientData {
			out = append(out, i)
		}
	}
	return out
}
