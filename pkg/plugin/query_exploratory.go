package plugin

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/frames"
	"github.com/liftgate/liftgate/pkg/models"
	"github.com/liftgate/liftgate/pkg/plan"
)

// exploratoryNotice travels with every exploratory frame: without a plan
// fixed in advance, the numbers are for exploring, not for deciding.
const exploratoryNotice = "Exploratory comparison: no preregistered plan. The exposure, arms and metric were picked in the query, so treat verdicts as leads to preregister, not as decisions."

// handleExploratory compares arms without a plan: the query's exposure
// event, arm property and metric become an in-memory plan (validated like
// a plan file) evaluated by the engine over the time range.
func (ds *Datasource) handleExploratory(ctx context.Context, q *models.Query, dq backend.DataQuery) (data.Frames, error) {
	p, err := exploratoryPlan(q, dq.TimeRange.From)
	if err != nil {
		return nil, err
	}
	at := ds.evaluationTime(dq.TimeRange.To)
	if !at.After(p.Start) {
		return nil, &models.QueryError{Message: "the time range is empty: exposures are counted from its start to its end"}
	}
	hash := p.Hash()
	key := "explore\x00" + hash + "\x00" + at.Format(time.RFC3339Nano)
	v, _, err := ds.cache.do(ctx, key, ds.cfg.Timeout, func(ctx context.Context) (any, error) {
		return engine.Analyze(ctx, p, ds.events, engine.Options{At: at, Telemetry: ds.telemetry})
	})
	if err != nil {
		return nil, err
	}
	res := v.(*engine.Result)
	executed := ds.describe("analyze exploratory", "experiment="+p.ID, "plan="+hash, "from="+p.Start.Format(time.RFC3339), "at="+at.Format(time.RFC3339Nano))
	var out data.Frames
	if q.NumericValue != "" {
		f, err := frames.ComparisonNumeric(res, res.Results, q.NumericValue, executed)
		if err != nil {
			return nil, err
		}
		out = data.Frames{f}
	} else {
		out = frames.Comparison(res, res.Results, executed)
	}
	for _, f := range out {
		f.Meta.Custom = map[string]any{"exploratory": true}
		f.AppendNotices(data.Notice{Severity: data.NoticeSeverityInfo, Text: exploratoryNotice})
	}
	return out, nil
}

// exploratoryPlan turns the query into a plan starting at the range's
// start. Plan validation checks it; its field names are translated back to
// the query's so the editor can point at the right input.
func exploratoryPlan(q *models.Query, start time.Time) (*plan.Plan, error) {
	e := q.Exploratory
	p := &plan.Plan{
		ID:      q.Experiment,
		Name:    "exploratory",
		Start:   start.UTC(),
		Unit:    e.Unit,
		Control: e.Control,
		Exposure: plan.Exposure{
			Event:              e.ExposureEvent,
			ExperimentProperty: e.ExperimentProperty,
			ArmProperty:        e.ArmProperty,
		},
	}
	for _, a := range e.Arms {
		w := 1 / float64(len(e.Arms))
		if len(e.Weights) > 0 {
			w = e.Weights[a]
		}
		p.Arms = append(p.Arms, plan.Arm{Name: a, Weight: w})
	}
	m := plan.Metric{
		Name:      e.Metric.Name,
		Role:      plan.RolePrimary,
		Kind:      e.Metric.Kind,
		Event:     e.Metric.Event,
		Property:  e.Metric.Property,
		Direction: e.Metric.Direction,
	}
	if m.Name == "" {
		m.Name = strings.Trim(e.Metric.Kind+"_"+e.Metric.Event, "_")
	}
	if m.Direction == "" {
		m.Direction = plan.DirectionIncrease
	}
	if e.Metric.Window != "" {
		w, _ := plan.ParseDuration(e.Metric.Window) // checked by LoadQuery
		m.Window = w
	}
	if n := e.Metric.Numerator; n != nil {
		m.Numerator = &plan.EventValue{Event: n.Event, Property: n.Property}
	}
	if d := e.Metric.Denominator; d != nil {
		m.Denominator = &plan.EventValue{Event: d.Event, Property: d.Property}
	}
	p.Metrics = []plan.Metric{m}
	// The window's start is the user's choice, not the experiment's: units
	// exposed before it are the experiment's history, not stamped too
	// early, so the before-start data-health check neither warns nor
	// blocks (a rate never exceeds 1).
	never := 1.0
	p.Health = &plan.Health{BeforeStart: &plan.Threshold{Warn: &never, Block: &never}}
	p.ApplyDefaults()
	if err := p.Validate(); err != nil {
		return nil, exploratoryError(err)
	}
	return p, nil
}

// planFieldNames maps plan fields (by prefix) to the exploratory query's.
var planFieldNames = []struct{ plan, query string }{
	{"metrics[0]", models.FieldExploratory + ".metric"},
	{"exposure.event", models.FieldExploratory + ".exposureEvent"},
	{"exposure.experiment_property", models.FieldExploratory + ".experimentProperty"},
	{"exposure.arm_property", models.FieldExploratory + ".armProperty"},
	{"arms", models.FieldExploratory + ".arms"},
	{"control", models.FieldExploratory + ".control"},
	{"unit", models.FieldExploratory + ".unit"},
	{"id", models.FieldExperiment},
}

// queryField names a plan field as the query spells it.
func queryField(planField string) string {
	for _, m := range planFieldNames {
		if rest, ok := strings.CutPrefix(planField, m.plan); ok && (rest == "" || rest[0] == '.' || rest[0] == '[') {
			return m.query + rest
		}
	}
	return planField
}

func exploratoryError(err error) error {
	var ve *plan.ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) == 0 {
		return &models.QueryError{Field: models.FieldExploratory, Message: err.Error()}
	}
	var msgs []string
	for _, pr := range ve.Problems {
		msgs = append(msgs, queryField(pr.Field)+": "+pr.Message)
	}
	return &models.QueryError{Field: models.FieldExploratory, Message: "does not describe a valid comparison: " + strings.Join(msgs, "; ")}
}
