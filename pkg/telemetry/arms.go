package telemetry

import (
	"fmt"

	"github.com/liftgate/liftgate/pkg/plan"
	"github.com/liftgate/liftgate/pkg/telemetry/promql"
)

// Arms says how series are told apart by arm: the label and, for each plan
// arm in plan order, its value.
type Arms struct {
	Label  string
	Names  []string          // plan arms, in plan order
	Values map[string]string // plan arm -> label value
}

// ArmsFromPlan resolves a metric's (or the telemetry block's) arm label and
// values against the plan.
func ArmsFromPlan(p *plan.Plan, a plan.TelemetryArms) Arms {
	return Arms{Label: a.Label, Names: p.ArmNames(), Values: a.Values}
}

// Query returns template with the arm's matcher added to every selector.
func (a Arms) Query(template, arm string) (string, error) {
	v, ok := a.Values[arm]
	if !ok {
		return "", fmt.Errorf("arm %q has no label value", arm)
	}
	q, err := promql.InjectArm(template, a.Label, v)
	if err != nil {
		return "", fmt.Errorf("adding %s=%q to %s: %w", a.Label, v, template, err)
	}
	return q, nil
}
