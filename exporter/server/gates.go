package server

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/liftgate/liftgate/exporter/evaluator"
	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/exporterclient"
	"github.com/liftgate/liftgate/pkg/plan"
)

// gateOf is the gate answer for one experiment, from the decision shown
// now (hold when there is no current result).
func gateOf(x *evaluator.ExperimentView) exporterclient.Gate {
	return gateFor(x, x.Decision)
}

// gateFor is the gate answer for one experiment with decision d: the
// overall decision, or one stage's gate.
func gateFor(x *evaluator.ExperimentView, d engine.Decision) exporterclient.Gate {
	g := exporterclient.Gate{
		Experiment: x.Plan.ID, PlanHash: x.Hash, Stage: d.Stage, NextStage: d.NextStage,
		Decision: d.Action,
		Proceed:  d.Action == engine.ActionProceed,
		Rollback: d.Action == engine.ActionRollback,
		Harmful:  x.Harmful(),
		Reasons:  d.Reasons,
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
// treats as inconclusive and pauses the rollout. ?stage=NAME answers the
// gate of that stage ("may NAME end now?") instead of the stage in force;
// an empty stage is the stage in force.
func (h *apiHandlers) gate(w http.ResponseWriter, r *http.Request) {
	x, ok := h.experiment(w, r)
	if !ok {
		return
	}
	stage := r.URL.Query().Get("stage")
	if stage == "" {
		writeJSON(w, http.StatusOK, gateOf(&x))
		return
	}
	d, err := stageDecision(&x, stage)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, gateFor(&x, d))
}

// stageDecision is the gate of the named stage: from the current result's
// stage gates, or hold for that stage when there is no current result (the
// same reasons as the overall decision then gives). A name that is not one
// of the plan's stages is an error naming them.
func stageDecision(x *evaluator.ExperimentView, stage string) (engine.Decision, error) {
	schedule := x.Plan.Schedule()
	idx := slices.IndexFunc(schedule, func(s plan.ScheduledStage) bool { return s.Name == stage })
	if idx < 0 {
		names := make([]string, len(schedule))
		for i, s := range schedule {
			names[i] = s.Name
		}
		return engine.Decision{}, fmt.Errorf("stage: %q is not a stage of plan %s; expected one of %s (or empty for the stage in force)", stage, x.Plan.ID, strings.Join(names, ", "))
	}
	if x.Last.OK() {
		for _, g := range x.Last.Result.StageGates {
			if g.Stage == stage {
				return g.Decision, nil
			}
		}
	}
	d := engine.Decision{Stage: stage, Action: engine.ActionHold, Reasons: x.Decision.Reasons}
	if idx+1 < len(schedule) {
		d.NextStage = schedule[idx+1].Name
	}
	if x.Last.OK() {
		// The evaluator forgets a result when its plan changes, so this is
		// not expected; hold rather than answer for another stage.
		d.Reasons = []string{fmt.Sprintf("the last evaluation has no gate for stage %s", stage)}
	}
	return d, nil
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

// flagger answers Flagger's webhooks. Flagger reads only the status: 2xx
// opens the gate, anything else keeps it shut (and Flagger logs the body).
// confirm-traffic-increase opens when the decision (the stage in force) is
// proceed; confirm-promotion when the plan's final stage may end, since
// promoting completes the rollout whatever stage the schedule is in;
// rollback opens on rollback, so Flagger aborts the canary. The experiment
// is metadata.experiment, else the ?experiment= query parameter, else the
// canary's name.
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
	if hook == hookConfirmPromotion {
		schedule := x.Plan.Schedule()
		final, err := stageDecision(&x, schedule[len(schedule)-1].Name)
		if err != nil { // not expected: the name comes from the plan
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		g = gateFor(&x, final)
	}
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
