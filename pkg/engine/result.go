// Package engine turns a plan plus its sources into results, verdicts and a
// stage decision. It is the only place that composes stores, telemetry and
// statistics; the CLI, the exporter and the Grafana plugin are thin shells
// over it and never compute statistics themselves.
package engine

import (
	"time"

	"github.com/liftgate/liftgate/pkg/stats"
)

// Result is one evaluation of one plan. Its JSON encoding is the contract
// other tools read (`liftgate analyze --format json`).
type Result struct {
	Experiment    string      `json:"experiment"`
	PlanHash      string      `json:"plan_hash"`
	EvaluatedAt   time.Time   `json:"evaluated_at"`
	Sequential    bool        `json:"sequential"`
	Alpha         float64     `json:"alpha"`
	Correction    string      `json:"correction"`
	Segment       string      `json:"segment,omitempty"`
	Arms          []ArmResult `json:"arms"`
	ExcludedUnits int64       `json:"excluded_units"`
	// UnknownArmUnits were exposed only with arm values the plan does not
	// name; they are not analysed either.
	UnknownArmUnits int64          `json:"unknown_arm_units"`
	SRM             SRMResult      `json:"srm"`
	Stages          []StageUnits   `json:"stages"`
	Results         []MetricResult `json:"results"`
	Decision        Decision       `json:"decision"`
	// StageGates answer, for every scheduled stage in schedule order, "may
	// this stage end now?", so a rollout controller can gate each traffic
	// increase on the stage it is in rather than on the one the schedule
	// says is in force. Decision is the gate of the stage in force.
	StageGates []StageGate `json:"stage_gates"`
	// Traffic is the telemetry traffic-split check (see traffic.go); absent
	// when the plan names no request counter or no telemetry source is set.
	Traffic *TrafficResult `json:"traffic,omitempty"`
	// Health is the data-health section (health.go).
	Health *HealthResult `json:"health"`
}

// ArmResult is an arm's exposure count against its expected share.
type ArmResult struct {
	Name  string `json:"name"`
	Units int64  `json:"units"`
	// ExpectedWeight is the share of units the plan expects for this arm given
	// when units were exposed (stage weights mixed by each stage's units).
	ExpectedWeight float64 `json:"expected_weight"`
	ObservedWeight float64 `json:"observed_weight"`
}

// StageUnits is the exposure count per arm of one rollout stage.
type StageUnits struct {
	Name    string             `json:"name"`
	Start   time.Time          `json:"start"`
	Weights map[string]float64 `json:"weights"`
	Units   map[string]int64   `json:"units"`
}

// SRMResult is the sample-ratio check against the weights in force.
type SRMResult struct {
	ChiSquare float64 `json:"chi_square"`
	DF        float64 `json:"df"`
	PValue    float64 `json:"p_value"`
	Threshold float64 `json:"threshold"`
	Mismatch  bool    `json:"mismatch"`
	// UnplannedUnits were exposed to an arm whose weight was 0 at the time.
	UnplannedUnits float64 `json:"unplanned_units,omitempty"`
}

// ArmStats summarises one arm of a comparison.
type ArmStats struct {
	N    float64 `json:"n"`
	Mean float64 `json:"mean"`
	SE   float64 `json:"se"`
}

// Effect is an estimate with its interval.
type Effect struct {
	Estimate float64 `json:"estimate"`
	CILower  float64 `json:"ci_lower"`
	CIUpper  float64 `json:"ci_upper"`
	SE       float64 `json:"se"`
}

// MetricResult is one metric's comparison of one arm against the baseline.
type MetricResult struct {
	Metric    string `json:"metric"`
	Role      string `json:"role"`
	Kind      string `json:"kind"`
	Direction string `json:"direction"`
	Arm       string `json:"arm"`
	Baseline  string `json:"baseline"`
	// SegmentValue is set when the result is for one value of Result.Segment.
	SegmentValue  *string  `json:"segment_value,omitempty"`
	BaselineStats ArmStats `json:"baseline_stats"`
	ArmStats      ArmStats `json:"arm_stats"`
	Absolute      Effect   `json:"absolute"`
	// Relative is absent when the baseline mean is zero (lift undefined).
	Relative       *Effect       `json:"relative"`
	CUPED          bool          `json:"cuped"`
	PValue         float64       `json:"p_value"`
	AdjustedPValue float64       `json:"adjusted_p_value"`
	Margin         *stats.Margin `json:"margin,omitempty"`
	Verdict        stats.Verdict `json:"verdict"`
	Reason         string        `json:"reason,omitempty"`
	// Sums are the per-stage sufficient statistics behind the result, so any
	// reader can recompute it.
	Sums []StageSums `json:"sums,omitempty"`
}

// StageSums are the sufficient statistics of both arms in one stage.
type StageSums struct {
	Stage    string        `json:"stage"`
	Baseline stats.ArmSums `json:"baseline"`
	Arm      stats.ArmSums `json:"arm"`
}

// Actions a stage decision can take.
const (
	ActionProceed  = "proceed"
	ActionHold     = "hold"
	ActionRollback = "rollback"
)

// StageGate is the gate of one stage: proceed means the stage may end
// (Decision.NextStage is the stage after it, empty after the last).
type StageGate struct {
	Stage    string   `json:"stage"`
	Decision Decision `json:"decision"`
}

// Decision is the stage gate's answer with the reasons behind it.
type Decision struct {
	Stage     string   `json:"stage"`
	NextStage string   `json:"next_stage,omitempty"`
	Action    string   `json:"action"`
	Reasons   []string `json:"reasons"`
}
