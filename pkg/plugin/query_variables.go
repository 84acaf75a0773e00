package plugin

import (
	"context"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/liftgate/liftgate/pkg/frames"
	"github.com/liftgate/liftgate/pkg/models"
)

// handleVariables lists experiments, or one experiment's metrics, arms,
// segments or stages, for dashboard variables.
func (ds *Datasource) handleVariables(ctx context.Context, q *models.Query, _ backend.DataQuery) (data.Frames, error) {
	choices, err := ds.choices(ctx, q.Variable, q.Experiment)
	if err != nil {
		return nil, err
	}
	executed := "list " + q.Variable
	if q.Variable != models.VariableExperiments {
		executed += " experiment=" + q.Experiment
	}
	return data.Frames{frames.Variables(choices, executed)}, nil
}

// choices lists one kind of value; the editors' resources use it too, so
// both always offer the same values.
func (ds *Datasource) choices(ctx context.Context, kind, experiment string) ([]frames.Choice, error) {
	if kind == models.VariableExperiments {
		list, err := ds.plans.ListPlans(ctx)
		if err != nil {
			return nil, &sourceError{source: "liftgate exporter at " + ds.cfg.Settings.ExporterURL, err: err}
		}
		out := make([]frames.Choice, 0, len(list))
		for _, s := range list {
			text := s.ID
			if s.Name != "" && s.Name != s.ID {
				text = s.ID + " (" + s.Name + ")"
			}
			out = append(out, frames.Choice{Text: text, Value: s.ID})
		}
		return out, nil
	}
	p, _, err := ds.planFor(ctx, experiment)
	if err != nil {
		return nil, err
	}
	var out []frames.Choice
	switch kind {
	case models.VariableMetrics:
		for _, m := range p.Metrics {
			out = append(out, frames.Choice{Text: m.Name + " (" + m.Role + ", " + m.Kind + ")", Value: m.Name})
		}
	case models.VariableArms:
		for _, a := range p.ArmNames() {
			text := a
			if a == p.Control {
				text += " (control)"
			}
			out = append(out, frames.Choice{Text: text, Value: a})
		}
	case models.VariableSegments:
		for _, s := range p.Segments {
			out = append(out, frames.Choice{Text: s, Value: s})
		}
	case models.VariableStages:
		for _, s := range p.Schedule() {
			out = append(out, frames.Choice{Text: s.Name, Value: s.Name})
		}
	default:
		return nil, &models.QueryError{Field: models.FieldVariable, Message: "is not one of experiments, metrics, arms, segments, stages"}
	}
	return out, nil
}
