package engine

import (
	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/stats"
)

// armStrata holds one arm's sums per stage for one segment value.
type armStrata map[string][]stats.ArmSums

// splitBySegment turns store rows into per-segment, per-arm stage arrays
// (zero sums where a stage saw no units).
func splitBySegment(rows []events.GroupSums, nStages int) map[string]armStrata {
	out := map[string]armStrata{}
	for _, r := range rows {
		seg := out[r.Segment]
		if seg == nil {
			seg = armStrata{}
			out[r.Segment] = seg
		}
		strata := seg[r.Arm]
		if strata == nil {
			strata = make([]stats.ArmSums, nStages)
			seg[r.Arm] = strata
		}
		if r.Stage >= 0 && r.Stage < nStages {
			// Buckets (if any) are pooled: the comparison is per stage.
			strata[r.Stage] = strata[r.Stage].Add(r.Sums)
		}
	}
	return out
}

// stratumOrZero returns an arm's strata, or zeros when the arm has no units.
func (a armStrata) stratumOrZero(arm string, nStages int) []stats.ArmSums {
	if s, ok := a[arm]; ok {
		return s
	}
	return make([]stats.ArmSums, nStages)
}
