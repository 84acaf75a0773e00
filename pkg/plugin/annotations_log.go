package plugin

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/liftgate/liftgate/pkg/decisionlog"
	"github.com/liftgate/liftgate/pkg/exporterclient"
	"github.com/liftgate/liftgate/pkg/frames"
	"github.com/liftgate/liftgate/pkg/models"
)

// decisionSource is the exporter's decision log. It is separate from
// planSource because not every plan source has one.
type decisionSource interface {
	Decisions(ctx context.Context, q exporterclient.DecisionQuery) ([]decisionlog.Entry, error)
}

// loggedAnnotations is what the decision log says about a time range.
type loggedAnnotations struct {
	// ok is false when the exporter keeps no log; everything is then
	// recomputed from the events.
	ok   bool
	list []frames.Annotation
	// since is the time of the log's first entry for the experiment (zero
	// when it has none): changes from then on are the log's to tell, so
	// recomputed ones are dropped; earlier ones are only recomputed.
	since time.Time
}

// logAnnotations reads the exporter's decision log for the experiment over
// [from, to] and turns each entry the query asks for into an annotation.
// An exporter without a log (HTTP 501) is not an error. Entries naming a
// metric or arm are kept only when they match the query's.
func (ds *Datasource) logAnnotations(ctx context.Context, experiment string, from, to time.Time, want func(string) bool, q *models.Query) (loggedAnnotations, error) {
	src, ok := ds.plans.(decisionSource)
	if !ok {
		return loggedAnnotations{}, nil
	}
	entries, err := src.Decisions(ctx, exporterclient.DecisionQuery{Experiment: experiment, Since: from})
	var api *exporterclient.APIError
	if errors.As(err, &api) && api.StatusCode == http.StatusNotImplemented {
		return loggedAnnotations{}, nil
	}
	if err != nil {
		return loggedAnnotations{}, &sourceError{source: "decision log of the liftgate exporter at " + ds.cfg.Settings.ExporterURL, err: err}
	}
	// The log's first plan change is its first entry for the experiment
	// (the first evaluation it saw records the plan in force).
	firsts, err := src.Decisions(ctx, exporterclient.DecisionQuery{Experiment: experiment, Kind: decisionlog.KindPlanChange})
	if err != nil {
		return loggedAnnotations{}, &sourceError{source: "decision log of the liftgate exporter at " + ds.cfg.Settings.ExporterURL, err: err}
	}
	out := loggedAnnotations{ok: true}
	for _, e := range firsts {
		if out.since.IsZero() || e.Time.Before(out.since) {
			out.since = e.Time
		}
	}
	// An HA pair sharing one database can record a change twice; it is
	// one change on the dashboard.
	for _, e := range decisionlog.DropRepeats(entries) {
		if e.Time.After(to) || (q.Metric != "" && e.Metric != "" && e.Metric != q.Metric) || (q.Arm != "" && e.Arm != "" && e.Arm != q.Arm) {
			continue
		}
		a, ok := frames.LogAnnotation(e)
		if ok && want(a.Kind) {
			out.list = append(out.list, a)
		}
	}
	return out, nil
}

// coveredByLog reports whether a recomputed change falls in the time the
// log covers: the log then has the change as it was seen, so the
// recomputed copy would be a duplicate.
func (l loggedAnnotations) coveredByLog(a frames.Annotation) bool {
	if !l.ok || l.since.IsZero() {
		return false
	}
	end := a.Time
	if a.TimeEnd != nil {
		end = *a.TimeEnd
	}
	return !end.Before(l.since)
}
