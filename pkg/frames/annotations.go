package frames

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/models"
	"github.com/liftgate/liftgate/pkg/plan"
	"github.com/liftgate/liftgate/pkg/telemetry"
)

// Annotation is one event on a dashboard's time axis with its evidence.
type Annotation struct {
	Time time.Time
	// TimeEnd, when set, makes the annotation a region: for a change seen
	// between two evaluations, the span in which it happened.
	TimeEnd *time.Time
	Kind    string // a models.Annotation* kind
	Title   string
	Text    string
	Tags    []string
}

// Annotations is the frame Grafana reads annotations from: time, timeEnd,
// title, text and tags (comma-separated), sorted by time.
func Annotations(list []Annotation, executed string) *data.Frame {
	sorted := slices.Clone(list)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Time.Before(sorted[j].Time) })
	f := data.NewFrame("annotations",
		data.NewField("time", nil, []time.Time{}),
		data.NewField("timeEnd", nil, []*time.Time{}),
		data.NewField("title", nil, []string{}),
		data.NewField("text", nil, []string{}),
		data.NewField("tags", nil, []string{}),
		data.NewField("kind", nil, []string{}),
	)
	for _, a := range sorted {
		f.AppendRow(a.Time, a.TimeEnd, a.Title, a.Text, strings.Join(a.Tags, ","), a.Kind)
	}
	f.Meta = &data.FrameMeta{ExecutedQueryString: executed}
	return f
}

// StageAnnotations marks each rollout stage that begins in [from, to] with
// its weights and gate.
func StageAnnotations(p *plan.Plan, from, to time.Time) []Annotation {
	var out []Annotation
	for _, s := range p.Schedule() {
		if s.Start.Before(from) || s.Start.After(to) {
			continue
		}
		var weights []string
		for _, arm := range p.ArmNames() {
			weights = append(weights, fmt.Sprintf("%s %g%%", arm, 100*s.Weights[arm]))
		}
		text := fmt.Sprintf("Weights: %s. Gate: at least %d units per arm", strings.Join(weights, ", "), s.MinUnitsPerArm)
		if s.MinDuration > 0 {
			text += fmt.Sprintf(" and %s in the stage", plan.Duration(s.MinDuration))
		}
		out = append(out, Annotation{
			Time:  s.Start,
			Kind:  models.AnnotationStages,
			Title: fmt.Sprintf("%s: stage %s begins", p.ID, s.Name),
			Text:  text + ".",
			Tags:  []string{"liftgate", "stage", p.ID, s.Name},
		})
	}
	return out
}

// ResultAnnotations compares consecutive evaluations and marks what
// changed: verdicts per metric and arm, the stage decision, and the sample
// ratio check. Each change is a region from the evaluation before it to the
// one that saw it, carrying the numbers behind the new state. keep selects
// the results whose verdicts are followed.
func ResultAnnotations(points []engine.LiftPoint, kinds []string, keep func(engine.MetricResult) bool) []Annotation {
	want := func(k string) bool { return len(kinds) == 0 || slices.Contains(kinds, k) }
	var out []Annotation
	for i := 1; i < len(points); i++ {
		prev, cur := points[i-1], points[i]
		begin := prev.At
		region := func(a Annotation) Annotation {
			a.Time, a.TimeEnd = begin, &cur.At
			return a
		}
		if want(models.AnnotationVerdicts) {
			before := map[seriesKey]engine.MetricResult{}
			for _, r := range prev.Result.Results {
				before[resultKey(r)] = r
			}
			for _, r := range cur.Result.Results {
				old, ok := before[resultKey(r)]
				if !ok || old.Verdict == r.Verdict || !keep(r) {
					continue
				}
				out = append(out, region(verdictAnnotation(cur.Result, old, r)))
			}
		}
		if want(models.AnnotationDecisions) && prev.Result.Decision.Action != cur.Result.Decision.Action {
			out = append(out, region(decisionAnnotation(cur.Result, prev.Result.Decision)))
		}
		if want(models.AnnotationSRM) && prev.Result.SRM.Mismatch != cur.Result.SRM.Mismatch {
			out = append(out, region(srmAnnotation(cur.Result)))
		}
	}
	return out
}

func resultKey(r engine.MetricResult) seriesKey {
	k := seriesKey{metric: r.Metric, arm: r.Arm}
	if r.SegmentValue != nil {
		k.segment = *r.SegmentValue
	}
	return k
}

func verdictAnnotation(res *engine.Result, old, r engine.MetricResult) Annotation {
	level := fmt.Sprintf("%g%%", 100*(1-res.Alpha))
	var b strings.Builder
	if r.Relative != nil {
		fmt.Fprintf(&b, "Lift %+.2f%% [%+.2f%%, %+.2f%%] (%s). ", 100*r.Relative.Estimate, 100*r.Relative.CILower, 100*r.Relative.CIUpper, level)
	}
	fmt.Fprintf(&b, "Effect %.4g [%.4g, %.4g]; p = %.3g (adjusted %.3g); units %g (%s) vs %g (%s).",
		r.Absolute.Estimate, r.Absolute.CILower, r.Absolute.CIUpper, r.PValue, r.AdjustedPValue,
		r.ArmStats.N, r.Arm, r.BaselineStats.N, r.Baseline)
	if r.Reason != "" {
		b.WriteString(" " + r.Reason)
	}
	subject := displayName(r.Metric, r.Arm)
	tags := []string{"liftgate", "verdict", res.Experiment, r.Metric, r.Arm, string(r.Verdict)}
	if r.SegmentValue != nil {
		subject = displayName(subject, res.Segment+"="+*r.SegmentValue)
		tags = append(tags, res.Segment+"="+*r.SegmentValue)
	}
	return Annotation{
		Kind:  models.AnnotationVerdicts,
		Title: fmt.Sprintf("%s: %s %s → %s", res.Experiment, subject, old.Verdict, r.Verdict),
		Text:  b.String(),
		Tags:  tags,
	}
}

func decisionAnnotation(res *engine.Result, old engine.Decision) Annotation {
	d := res.Decision
	return Annotation{
		Kind:  models.AnnotationDecisions,
		Title: fmt.Sprintf("%s: decision %s → %s (stage %s)", res.Experiment, old.Action, d.Action, d.Stage),
		Text:  strings.Join(d.Reasons, " "),
		Tags:  []string{"liftgate", "decision", res.Experiment, d.Action},
	}
}

func srmAnnotation(res *engine.Result) Annotation {
	var split []string
	for _, a := range res.Arms {
		split = append(split, fmt.Sprintf("%s %d units (%.2f%%, expected %.2f%%)", a.Name, a.Units, 100*a.ObservedWeight, 100*a.ExpectedWeight))
	}
	title := fmt.Sprintf("%s: sample ratio mismatch", res.Experiment)
	if !res.SRM.Mismatch {
		title = fmt.Sprintf("%s: sample ratio back in line", res.Experiment)
	}
	return Annotation{
		Kind:  models.AnnotationSRM,
		Title: title,
		Text: fmt.Sprintf("Chi-square %.3f, df %g, p = %.3g (threshold %g). %s.",
			res.SRM.ChiSquare, res.SRM.DF, res.SRM.PValue, res.SRM.Threshold, strings.Join(split, "; ")),
		Tags: []string{"liftgate", "srm", res.Experiment},
	}
}

// DeploymentAnnotation marks a deployment seen in telemetry, with the
// series that changed as evidence.
func DeploymentAnnotation(experiment string, m telemetry.Marker) Annotation {
	var series []string
	for _, s := range m.Series {
		series = append(series, labelsText(s))
	}
	text := m.Text
	if len(series) > 0 {
		text = strings.TrimSpace(text + " Series: " + strings.Join(series, "; ") + ".")
	}
	return Annotation{
		Time:  m.Time,
		Kind:  models.AnnotationDeployments,
		Title: fmt.Sprintf("%s: deployment", experiment),
		Text:  text,
		Tags:  []string{"liftgate", "deployment", experiment},
	}
}

// labelsText writes a label set the way PromQL does: {a="1", b="2"}.
func labelsText(l map[string]string) string {
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%q", k, l[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
