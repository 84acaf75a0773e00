package plugin

import (
	"context"
	"slices"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/frames"
	"github.com/liftgate/liftgate/pkg/models"
	"github.com/liftgate/liftgate/pkg/plan"
	"github.com/liftgate/liftgate/pkg/telemetry"
)

// handleAnnotations marks stage changes, deployments, verdict and decision
// changes, SRM alarms and data-health problems in the time range, each with
// its evidence. When the exporter keeps a decision log, its entries (plan,
// stage, verdict and decision changes, people's decisions) are shown as
// recorded, and verdict and decision changes are recomputed only for the
// time before the log began.
func (ds *Datasource) handleAnnotations(ctx context.Context, q *models.Query, dq backend.DataQuery) (data.Frames, error) {
	p, hash, err := ds.planFor(ctx, q.Experiment)
	if err != nil {
		return nil, err
	}
	keep, err := selection(p, q, false)
	if err != nil {
		return nil, err
	}
	want := func(kind string) bool { return len(q.AnnotationKinds) == 0 || slices.Contains(q.AnnotationKinds, kind) }
	from, to := dq.TimeRange.From, ds.evaluationTime(dq.TimeRange.To)
	var list []frames.Annotation
	var notices []data.Notice

	logged, err := ds.logAnnotations(ctx, p.ID, from, to, want, q)
	if err != nil {
		return nil, err
	}
	list = append(list, logged.list...)
	if want(models.AnnotationStages) {
		list = append(list, frames.StageAnnotations(p, from, to)...)
	}
	if want(models.AnnotationVerdicts) || want(models.AnnotationDecisions) || want(models.AnnotationSRM) {
		// Changes are found between consecutive evaluations; the automatic
		// step is the lift-over-time panel's, so regions line up with its
		// points. One step before the range is evaluated too, so a change
		// at the range's very start shows.
		step := stepFor(q, dq, liftTargetPoints)
		points, err := ds.liftPoints(ctx, p, hash, from.Add(-step), to, step, "")
		if err != nil {
			return nil, err
		}
		var kinds []string
		for _, k := range []string{models.AnnotationVerdicts, models.AnnotationDecisions, models.AnnotationSRM} {
			if want(k) {
				kinds = append(kinds, k)
			}
		}
		for _, a := range frames.ResultAnnotations(points, kinds, keep) {
			if a.Kind != models.AnnotationSRM && logged.coveredByLog(a) {
				continue
			}
			list = append(list, a)
		}
	}
	if want(models.AnnotationHealth) {
		res, err := ds.analyze(ctx, p, hash, to, "")
		if err != nil {
			return nil, err
		}
		if a, ok := frames.HealthAnnotation(res); ok {
			list = append(list, a)
		}
	}
	if want(models.AnnotationDeployments) {
		marks, notice, err := ds.deploymentAnnotations(ctx, p, from, to, len(q.AnnotationKinds) > 0)
		if err != nil {
			return nil, err
		}
		list = append(list, marks...)
		if notice != "" {
			notices = append(notices, data.Notice{Severity: data.NoticeSeverityInfo, Text: notice})
		}
	}
	args := []string{"experiment=" + p.ID, "plan=" + hash, "from=" + from.UTC().Format(time.RFC3339), "to=" + to.Format(time.RFC3339)}
	if logged.ok {
		args = append(args, "decisions=exporter")
	}
	executed := ds.describe("annotations", args...)
	f := frames.Annotations(list, executed)
	f.AppendNotices(notices...)
	return data.Frames{f}, nil
}

// deploymentAnnotations reads deployment markers from Prometheus with the
// plan's telemetry.deployments expression. Without Prometheus or without
// that expression, asking for deployments explicitly is an error; when
// they were only implied (all kinds), a notice says why none show.
func (ds *Datasource) deploymentAnnotations(ctx context.Context, p *plan.Plan, from, to time.Time, explicit bool) ([]frames.Annotation, string, error) {
	var missing string
	switch {
	case p.Telemetry == nil || p.Telemetry.Deployments == "":
		missing = "experiment " + p.ID + " has no telemetry.deployments expression in its plan, so no deployment markers"
	case ds.telemetry == nil:
		missing = "no Prometheus URL is configured in the data source, so no deployment markers"
	}
	if missing != "" {
		if explicit {
			return nil, "", &models.QueryError{Field: models.FieldAnnotationKinds, Message: "deployments: " + missing}
		}
		return nil, missing, nil
	}
	marks, err := engine.Markers(ctx, p, ds.telemetry, from, to)
	if err != nil {
		return nil, "", err
	}
	var out []frames.Annotation
	for _, m := range marks {
		if m.Kind == telemetry.MarkerDeployment {
			out = append(out, frames.DeploymentAnnotation(p.ID, m))
		}
	}
	return out, "", nil
}
