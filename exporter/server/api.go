package server

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/liftgate/liftgate/exporter/evaluator"
	"github.com/liftgate/liftgate/pkg/exporterclient"
)

type apiHandlers struct {
	ev Evaluator
}

// summary is a plan's row in the plans list.
func summary(x *evaluator.ExperimentView) exporterclient.PlanSummary {
	return exporterclient.PlanSummary{
		ID: x.Plan.ID, Name: x.Plan.Name, Hash: x.Hash, Stage: x.Stage, State: x.State, File: x.File,
		Decision: x.Decision.Action, Outdated: x.Outdated, LoadError: x.LoadError,
	}
}

func (h *apiHandlers) listPlans(w http.ResponseWriter, r *http.Request) {
	s := h.ev.Snapshot()
	list := exporterclient.PlanList{Plans: []exporterclient.PlanSummary{}}
	for i := range s.Experiments {
		list.Plans = append(list.Plans, summary(&s.Experiments[i]))
	}
	writeJSON(w, http.StatusOK, list)
}

// experiment finds the experiment named in the path, answering 404 itself.
func (h *apiHandlers) experiment(w http.ResponseWriter, r *http.Request) (evaluator.ExperimentView, bool) {
	id := r.PathValue("id")
	x, ok := h.ev.Experiment(id)
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no experiment with id %q is evaluated here (see GET %s)", id, exporterclient.PathPlans))
	}
	return x, ok
}

func (h *apiHandlers) plan(w http.ResponseWriter, r *http.Request) {
	x, ok := h.experiment(w, r)
	if !ok {
		return
	}
	encoded, err := json.Marshal(x.Plan)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "encoding the plan: "+err.Error())
		return
	}
	writeJSON(w, http.StatusOK, exporterclient.PlanDocument{PlanSummary: summary(&x), Plan: encoded, Source: string(x.Source)})
}

// result serves the last engine.Result. Without a current one (not evaluated
// yet, or the last evaluation failed) it answers 503 and never an older
// result, so no reader mistakes stale numbers for current ones.
func (h *apiHandlers) result(w http.ResponseWriter, r *http.Request) {
	x, ok := h.experiment(w, r)
	if !ok {
		return
	}
	switch {
	case x.Last == nil:
		writeError(w, http.StatusServiceUnavailable, "not evaluated yet")
	case !x.Last.OK():
		at := x.Last.At
		writeJSON(w, http.StatusServiceUnavailable, exporterclient.ErrorBody{Error: "last evaluation failed: " + x.Last.Err.Error(), EvaluatedAt: &at})
	default:
		writeJSON(w, http.StatusOK, x.Last.Result)
	}
}
