package exporterclient

import (
	"encoding/json"
	"time"
)

// API paths served by liftgate_exporter, relative to its base URL.
const (
	PathPlans       = "/api/v1/plans"
	PathPlan        = "/api/v1/plans/{id}"
	PathResult      = "/api/v1/experiments/{id}/result"
	PathGate        = "/api/v1/gates/{id}"
	PathIngest      = "/api/v1/events"
	PathFlaggerGate = "/api/v1/flagger/{hook}"
)

// Plan lifecycle states, from the plan's start and end against the clock.
const (
	StateScheduled = "scheduled" // before the plan's start
	StateRunning   = "running"   // between start and end (or open-ended)
	StateEnded     = "ended"     // after the plan's end
)

// PlanSummary is one row of GET /api/v1/plans.
type PlanSummary struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	// Hash is the canonical hash of the plan being evaluated.
	Hash string `json:"hash"`
	// Stage is the rollout stage in force now.
	Stage string `json:"stage"`
	// State is StateScheduled, StateRunning or StateEnded.
	State string `json:"state"`
	// File is the plan file's name inside the exporter's plans directory.
	File string `json:"file"`
	// Decision is the last evaluation's stage decision (proceed, hold,
	// rollback); empty before the first evaluation.
	Decision string `json:"decision,omitempty"`
	// Outdated is set when the file no longer validates and the last good
	// version of the plan keeps running; LoadError says why.
	Outdated  bool   `json:"outdated,omitempty"`
	LoadError string `json:"load_error,omitempty"`
}

// PlanList is the body of GET /api/v1/plans.
type PlanList struct {
	Plans []PlanSummary `json:"plans"`
}

// PlanDocument is the body of GET /api/v1/plans/{id}: the plan being
// evaluated, decoded (defaults filled) and as its YAML source.
type PlanDocument struct {
	PlanSummary
	Plan json.RawMessage `json:"plan"`
	// Source is the YAML text the running plan was parsed from.
	Source string `json:"source"`
}

// ErrorBody is every non-2xx JSON body the exporter sends.
type ErrorBody struct {
	Error string `json:"error"`
	// EvaluatedAt is set when the error is a failed evaluation.
	EvaluatedAt *time.Time `json:"evaluated_at,omitempty"`
}

// Gate is the body of GET /api/v1/gates/{id}: the current decision in a
// shape rollout controllers can test with one expression, e.g. Argo
// Rollouts' web provider with jsonPath "{$.decision}" and successCondition
// `result == "proceed"`.
// With ?stage=NAME it is the gate of that stage (Stage is NAME): may the
// rollout leave NAME now?
type Gate struct {
	Experiment string `json:"experiment"`
	PlanHash   string `json:"plan_hash"`
	Stage      string `json:"stage"`
	NextStage  string `json:"next_stage,omitempty"`
	// Decision is proceed, hold or rollback. A failed or missing
	// evaluation is hold: a gate never sees a stale proceed.
	Decision string `json:"decision"`
	// Proceed and Rollback repeat Decision as booleans, for controllers that
	// compare numbers or booleans more easily than strings.
	Proceed  bool `json:"proceed"`
	Rollback bool `json:"rollback"`
	// Harmful counts primary and guardrail results whose verdict is harmful.
	Harmful int      `json:"harmful"`
	Reasons []string `json:"reasons"`
	// EvaluationOK is false when the last evaluation failed (or none has
	// run yet); Error then says why.
	EvaluationOK bool       `json:"evaluation_ok"`
	Error        string     `json:"error,omitempty"`
	EvaluatedAt  *time.Time `json:"evaluated_at,omitempty"`
}
