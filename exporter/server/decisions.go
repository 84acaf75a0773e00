package server

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/liftgate/liftgate/pkg/decisionlog"
	"github.com/liftgate/liftgate/pkg/exporterclient"
)

// maxDecisionBytes bounds a human decision's body.
const maxDecisionBytes = 64 << 10

// decisionHandlers serve the decision log. Only GET and POST are routed:
// the API cannot change or delete an entry (the mux answers 405).
type decisionHandlers struct {
	ev    Evaluator
	log   decisionlog.Log
	authn bool // an API token is required, so POSTs are authenticated
	now   func() time.Time
}

func (h *decisionHandlers) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := decisionlog.Filter{Experiment: q.Get("experiment"), Kind: decisionlog.Kind(q.Get("kind"))}
	if f.Kind != "" && !knownKind(f.Kind) {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("kind: %q is not one of %s", f.Kind, kindList()))
		return
	}
	if s := q.Get("since"); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("since: %q is not an RFC 3339 time such as 2026-11-01T00:00:00Z", s))
			return
		}
		f.Since = t
	}
	entries, err := h.log.List(r.Context(), f)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "reading the decision log: "+err.Error())
		return
	}
	writeJSON(w, http.StatusOK, exporterclient.DecisionList{Entries: entries})
}

// record stores a human decision against the plan version and stage in
// force for the experiment now.
func (h *decisionHandlers) record(w http.ResponseWriter, r *http.Request) {
	var req exporterclient.HumanDecisionRequest
	dec := json.NewDecoder(io.LimitReader(r.Body, maxDecisionBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "body: expected a JSON object with experiment, action, who, why and optionally link, metric, arm: "+err.Error())
		return
	}
	if req.Experiment == "" {
		writeError(w, http.StatusBadRequest, "experiment: missing")
		return
	}
	x, ok := h.ev.Experiment(req.Experiment)
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Sprintf("experiment: no experiment with id %q is evaluated here", req.Experiment))
		return
	}
	human := &decisionlog.HumanDecision{Who: strings.TrimSpace(req.Who), Action: req.Action, Why: req.Why, Link: req.Link, Authenticated: h.authn}
	if err := human.Validate(); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	e := decisionlog.Entry{
		Kind: decisionlog.KindHumanDecision, Time: h.now().UTC(), Experiment: x.Plan.ID, PlanHash: x.Hash,
		Stage: x.Stage, Metric: req.Metric, Arm: req.Arm, To: req.Action, Human: human,
		Reasons: []string{fmt.Sprintf("%s: %s", human.Who, human.Why)},
	}
	d := x.Decision
	e.Decision = &d
	stored, err := h.log.Append(r.Context(), e)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "storing the decision: "+err.Error())
		return
	}
	writeJSON(w, http.StatusCreated, stored[0])
}

func knownKind(k decisionlog.Kind) bool {
	for _, x := range decisionlog.Kinds() {
		if x == k {
			return true
		}
	}
	return false
}

func kindList() string {
	var s []string
	for _, k := range decisionlog.Kinds() {
		s = append(s, string(k))
	}
	return strings.Join(s, ", ")
}
