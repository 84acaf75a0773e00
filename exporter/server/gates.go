package server

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/liftgate/liftgate/exporter/evaluator"
	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/exporterclient"
)

// gateOf is the gate answer for one experiment, from the decision shown
// now (hold when there is no current result).
func gateOf(x *evaluator.ExperimentView) exporterclient.Gate {
	g := exporterclient.Gate{
		Experiment: x.Plan.ID, PlanHash: x.Hash, Stage: x.Decision.Stage, NextStage: x.Decision.NextStage,
		Decision: x.Decision.Action,
		Proceed:  x.Decision.Action == engine.ActionProceed,
		Rollback: x.Decision.Action == engine.ActionRollback,
		Harmful:  x.Harmful(),
		Reasons:  x.Decision.Reasons,
	}
	if g.Reasons == nil {
		g.Reasons = []string{}
	}
	if x.Last != nil {
		at := x.Last.At
		g.EvaluatedAt = &at
		g.EvaluationOK = x.Last.OK()
		if x.Last.Err != nil {
			g.Error = x.Last.Err.Error()
		}
	} else {
		g.Error = "not evaluated yet"
	}
	return g
}

// gate serves the JSON Argo Rollouts' web metric provider reads, e.g. with
// jsonPath "{$.decision}", successCondition `result == "proceed"` and
// failureCondition `result == "rollback"`: hold is neither, which Argo
// treats as inconclusive and pauses the rollout.
func (h *apiHandlers) gate(w http.ResponseWriter, r *http.Request) {
	x, ok := h.experiment(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, gateOf(&x))
}

// Flagger webhook types this gate answers.
const (
	hookConfirmPromotion       = "confirm-promotion"
	hookConfirmTrafficIncrease = "confirm-traffic-increase"
	hookRollback               = "rollback"
)

// flaggerPayload is what Flagger POSTs to a webhook.
type flaggerPayload struct {
	Name      string            `json:"name"`
	Namespace string            `json:"namespace"`
	Phase     string            `json:"phase"`
	Metadata  map[string]string `json:"metadata"`
}

// flagger answers Flagger's webhooks from the current decision. Flagger
// reads only the status: 2xx opens the gate, anything else keeps it shut
// (and Flagger logs the body). confirm-promotion and
// confirm-traffic-increase open on proceed; rollback opens on rollback, so
// Flagger aborts the canary. The experiment is metadata.experiment, else
// the ?experiment= query parameter, else the canary's name.
func (h *apiHandlers) flagger(w http.ResponseWriter, r *http.Request) {
	hook := r.PathValue("hook")
	var want string
	switch hook {
	case hookConfirmPromotion, hookConfirmTrafficIncrease:
		want = engine.ActionProceed
	case hookRollback:
		want = engine.ActionRollback
	default:
		http.Error(w, fmt.Sprintf("unknown Flagger hook %q; use %s, %s or %s", hook, hookConfirmPromotion, hookConfirmTrafficIncrease, hookRollback), http.StatusNotFound)
		return
	}
	var p flaggerPayload
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&p); err != nil && err != io.EOF {
		http.Error(w, "body: expected Flagger's webhook JSON: "+err.Error(), http.StatusBadRequest)
		return
	}
	id := p.Metadata["experiment"]
	if id == "" {
		id = r.URL.Query().Get("experiment")
	}
	if id == "" {
		id = p.Name
	}
	if id == "" {
		http.Error(w, "no experiment: set metadata.experiment in the webhook, or ?experiment=ID in its URL", http.StatusBadRequest)
		return
	}
	x, ok := h.ev.Experiment(id)
	if !ok {
		http.Error(w, fmt.Sprintf("no experiment with id %q is evaluated here", id), http.StatusNotFound)
		return
	}
	g := gateOf(&x)
	msg := fmt.Sprintf("experiment %s stage %s: decision %s (%s)\n", id, g.Stage, g.Decision, strings.Join(g.Reasons, "; "))
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if g.Decision == want {
		w.WriteHeader(http.StatusOK)
	} else {
		// 412: the precondition for this hook (the decision it waits
		// for) does not hold now.
		w.WriteHeader(http.StatusPreconditionFailed)
	}
	_, _ = io.WriteString(w, msg)
}
