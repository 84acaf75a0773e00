package engine

import (
	"fmt"

	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/plan"
	"github.com/liftgate/liftgate/pkg/stats"
)

// assignment is what the exposure counts say about the split.
type assignment struct {
	arms   []ArmResult
	stages []StageUnits
	srm    SRMResult
	// unitsPerArm is the total number of assigned units per arm.
	unitsPerArm map[string]int64
}

// checkAssignment counts units per arm and stage and tests the split against
// the weights in force when each unit was exposed: the χ² statistic is summed
// over stages, so a ramp from 1% to 50% is not a mismatch.
func checkAssignment(p *plan.Plan, schedule []plan.ScheduledStage, counts events.ExposureCounts) (assignment, error) {
	armNames := p.ArmNames()
	perStage := make([]map[string]int64, len(schedule))
	for i := range perStage {
		perStage[i] = map[string]int64{}
	}
	total := map[string]int64{}
	for _, g := range counts.Groups {
		if g.Stage < 0 || g.Stage >= len(schedule) {
			return assignment{}, fmt.Errorf("store returned stage index %d, plan has %d stages", g.Stage, len(schedule))
		}
		perStage[g.Stage][g.Arm] += g.Units
		total[g.Arm] += g.Units
	}

	a := assignment{unitsPerArm: total, srm: SRMResult{Threshold: p.Analysis.SRMThreshold}}
	var strata []stats.SRMStratum
	var all int64
	expected := map[string]float64{}
	for i, s := range schedule {
		su := StageUnits{Name: s.Name, Start: s.Start, Weights: s.Weights, Units: map[string]int64{}}
		obs := make([]float64, len(armNames))
		w := make([]float64, len(armNames))
		var n int64
		for j, arm := range armNames {
			su.Units[arm] = perStage[i][arm]
			obs[j] = float64(perStage[i][arm])
			w[j] = s.Weights[arm]
			n += perStage[i][arm]
		}
		for _, arm := range armNames {
			expected[arm] += float64(n) * s.Weights[arm]
		}
		all += n
		a.stages = append(a.stages, su)
		if n > 0 {
			strata = append(strata, stats.SRMStratum{Observed: obs, Weights: w})
		}
	}
	for _, arm := range armNames {
		ar := ArmResult{Name: arm, Units: total[arm]}
		if all > 0 {
			ar.ExpectedWeight = expected[arm] / float64(all)
			ar.ObservedWeight = float64(total[arm]) / float64(all)
		} else {
			ar.ExpectedWeight = armWeight(p, arm)
		}
		a.arms = append(a.arms, ar)
	}
	if len(strata) == 0 {
		a.srm.PValue = 1
		return a, nil
	}
	r, err := stats.SRM(strata)
	if err != nil {
		return assignment{}, fmt.Errorf("sample ratio check: %w", err)
	}
	a.srm.ChiSquare, a.srm.DF, a.srm.PValue = r.ChiSquare, r.DF, r.PValue
	a.srm.UnplannedUnits = r.UnplannedUnits
	a.srm.Mismatch = r.PValue < p.Analysis.SRMThreshold
	return a, nil
}

// armWeight is the arm's planned weight.
func armWeight(p *plan.Plan, arm string) float64 {
	for _, a := range p.Arms {
		if a.Name == arm {
			return a.Weight
		}
	}
	return 0
}
