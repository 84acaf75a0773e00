package frames

import (
	"fmt"
	"strings"

	"github.com/liftgate/liftgate/pkg/decisionlog"
	"github.com/liftgate/liftgate/pkg/models"
)

// LogAnnotation turns one decision log entry into an annotation at the
// entry's time: the title says what changed, the text carries the evidence
// the log kept (effect and interval, reasons, the person's why and link)
// and the plan version, the tags are [kind, experiment, metric, arm] (the
// last two when the entry names them). ok is false for a kind this version
// does not know.
func LogAnnotation(e decisionlog.Entry) (a Annotation, ok bool) {
	a = Annotation{Time: e.Time, Tags: []string{string(e.Kind), e.Experiment}}
	if e.Metric != "" {
		a.Tags = append(a.Tags, e.Metric)
	}
	if e.Arm != "" {
		a.Tags = append(a.Tags, e.Arm)
	}
	var text []string
	switch e.Kind {
	case decisionlog.KindVerdictChange, decisionlog.KindLateDataChange:
		a.Kind = models.AnnotationVerdicts
		a.Title = fmt.Sprintf("%s: metric %s in arm %s: %s → %s", e.Experiment, e.Metric, e.Arm, orNone(e.From), e.To)
		if e.Kind == decisionlog.KindLateDataChange {
			a.Title += " (late data)"
		}
		if r := e.Result; r != nil {
			if r.Relative != nil {
				text = append(text, fmt.Sprintf("Lift %+.2f%% [%+.2f%%, %+.2f%%].", 100*r.Relative.Estimate, 100*r.Relative.CILower, 100*r.Relative.CIUpper))
			}
			text = append(text, fmt.Sprintf("Effect %.4g [%.4g, %.4g]; p = %.3g (adjusted %.3g); units %g (%s) vs %g (%s).",
				r.Absolute.Estimate, r.Absolute.CILower, r.Absolute.CIUpper, r.PValue, r.AdjustedPValue,
				r.ArmStats.N, r.Arm, r.BaselineStats.N, r.Baseline))
		}
	case decisionlog.KindDecisionChange:
		a.Kind = models.AnnotationDecisions
		a.Title = fmt.Sprintf("%s: decision %s → %s (stage %s)", e.Experiment, orNone(e.From), e.To, e.Stage)
	case decisionlog.KindStageChange:
		a.Kind = models.AnnotationStages
		a.Title = fmt.Sprintf("%s: stage %s → %s", e.Experiment, orNone(e.From), e.To)
	case decisionlog.KindPlanChange:
		a.Kind = models.AnnotationPlans
		a.Title = fmt.Sprintf("%s: plan %s → %s", e.Experiment, orNone(e.From), e.To)
		if e.Plan != nil && len(e.Plan.Changed) > 0 {
			a.Title += " (" + strings.Join(e.Plan.Changed, ", ") + ")"
		}
	case decisionlog.KindHumanDecision:
		if e.Human == nil {
			return Annotation{}, false
		}
		a.Kind = models.AnnotationHumanDecisions
		a.Title = fmt.Sprintf("%s: %s", e.Human.Who, e.Human.Action)
		if e.Metric != "" || e.Arm != "" {
			a.Title += fmt.Sprintf(" (%s)", displayName(e.Metric, e.Arm))
		}
		text = append(text, "Why: "+e.Human.Why)
		if e.Human.Link != "" {
			text = append(text, "Link: "+e.Human.Link)
		}
		if !e.Human.Authenticated {
			text = append(text, "(not authenticated)")
		}
		// The exporter's reason for a human entry only repeats who and why.
		e.Reasons = nil
	default:
		return Annotation{}, false
	}
	text = append(text, e.Reasons...)
	text = append(text, "Plan "+e.PlanHash+".")
	a.Text = strings.Join(text, " ")
	return a, true
}

// orNone names a missing previous value (the first one the log saw).
func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
