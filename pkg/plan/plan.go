// Package plan is the preregistered experiment plan: its schema, parsing with
// line-aware errors, validation and canonical hash. A plan fixes the analysis
// before data flows; every result carries the hash of the plan behind it.
package plan

import "time"

// Plan is one preregistered experiment.
type Plan struct {
	ID         string    `yaml:"id" json:"id"`
	Name       string    `yaml:"name,omitempty" json:"name,omitempty"`
	Hypothesis string    `yaml:"hypothesis,omitempty" json:"hypothesis,omitempty"`
	Owner      string    `yaml:"owner,omitempty" json:"owner,omitempty"`
	Start      time.Time `yaml:"start" json:"start"`
	// End, when set, stops counting exposures and events at that time.
	End      *time.Time `yaml:"end,omitempty" json:"end,omitempty"`
	Unit     string     `yaml:"unit" json:"unit"`
	Control  string     `yaml:"control" json:"control"`
	Arms     []Arm      `yaml:"arms" json:"arms"`
	Exposure Exposure   `yaml:"exposure" json:"exposure"`
	Analysis Analysis   `yaml:"analysis" json:"analysis"`
	Metrics  []Metric   `yaml:"metrics" json:"metrics"`
	Segments []string   `yaml:"segments,omitempty" json:"segments,omitempty"`
	Stages   []Stage    `yaml:"stages,omitempty" json:"stages,omitempty"`
	// Telemetry holds plan-wide settings for prometheus metrics, the
	// traffic-split check and deployment markers (see prometheus.go).
	Telemetry *Telemetry `yaml:"telemetry,omitempty" json:"telemetry,omitempty"`
	// Health holds data-health thresholds and late-data settings (health.go).
	Health *Health `yaml:"health,omitempty" json:"health,omitempty"`
}

// Arm is one variant with its planned share of units (weights sum to 1).
type Arm struct {
	Name   string  `yaml:"name" json:"name"`
	Weight float64 `yaml:"weight" json:"weight"`
}

// Exposure says how exposure events are recognised.
type Exposure struct {
	Event              string `yaml:"event" json:"event"`
	ExperimentProperty string `yaml:"experiment_property" json:"experiment_property"`
	ArmProperty        string `yaml:"arm_property" json:"arm_property"`
}

// Analysis holds the inference settings. Defaults are filled by Parse.
type Analysis struct {
	Alpha      float64 `yaml:"alpha" json:"alpha"`           // default 0.05
	Sequential *bool   `yaml:"sequential" json:"sequential"` // default true (always-valid)
	Correction string  `yaml:"correction" json:"correction"` // holm (default) | bh | none
	// MinUnitsPerArm below which verdicts are insufficient_data (default 100).
	MinUnitsPerArm int `yaml:"min_units_per_arm" json:"min_units_per_arm"`
	// TuningN is the confidence sequence's N* (default 5000 total units).
	TuningN float64 `yaml:"tuning_n,omitempty" json:"tuning_n,omitempty"`
	// SRMThreshold is the p-value under which a sample-ratio mismatch is
	// declared (default 0.001).
	SRMThreshold float64 `yaml:"srm_threshold,omitempty" json:"srm_threshold,omitempty"`
}

// IsSequential reports whether always-valid inference is used.
func (a Analysis) IsSequential() bool { return a.Sequential == nil || *a.Sequential }

// Metric roles.
const (
	RolePrimary   = "primary"
	RoleSecondary = "secondary"
	RoleGuardrail = "guardrail"
)

// Metric kinds.
const (
	KindConversion = "conversion"
	KindCount      = "count"
	KindMean       = "mean"
	KindRatio      = "ratio"
	KindPrometheus = "prometheus" // telemetry read from Prometheus
)

// Metric is one preregistered metric.
type Metric struct {
	Name        string   `yaml:"name" json:"name"`
	Description string   `yaml:"description,omitempty" json:"description,omitempty"`
	Role        string   `yaml:"role" json:"role"`
	Kind        string   `yaml:"kind" json:"kind"`
	Event       string   `yaml:"event,omitempty" json:"event,omitempty"`
	Property    string   `yaml:"property,omitempty" json:"property,omitempty"`
	Window      Duration `yaml:"window,omitempty" json:"window,omitempty"`
	// Numerator and Denominator define ratio metrics.
	Numerator   *EventValue `yaml:"numerator,omitempty" json:"numerator,omitempty"`
	Denominator *EventValue `yaml:"denominator,omitempty" json:"denominator,omitempty"`
	Direction   string      `yaml:"direction" json:"direction"` // increase | decrease
	Margin      *Margin     `yaml:"margin,omitempty" json:"margin,omitempty"`
	CUPED       *CUPED      `yaml:"cuped,omitempty" json:"cuped,omitempty"`
	// Prometheus defines a telemetry metric (kind: prometheus).
	Prometheus *PrometheusMetric `yaml:"prometheus,omitempty" json:"prometheus,omitempty"`
}

// EventValue is an event, counted, or the sum of one of its properties.
type EventValue struct {
	Event    string `yaml:"event" json:"event"`
	Property string `yaml:"property,omitempty" json:"property,omitempty"`
}

// Margin is a non-inferiority margin; exactly one field is set.
type Margin struct {
	Relative float64 `yaml:"relative,omitempty" json:"relative,omitempty"`
	Absolute float64 `yaml:"absolute,omitempty" json:"absolute,omitempty"`
}

// CUPED asks for variance reduction with the metric's own pre-exposure value.
type CUPED struct {
	Lookback Duration `yaml:"lookback" json:"lookback"`
}

// Stage is one step of a staged rollout.
type Stage struct {
	Name        string             `yaml:"name" json:"name"`
	Weights     map[string]float64 `yaml:"weights" json:"weights"`
	MinDuration Duration           `yaml:"min_duration,omitempty" json:"min_duration,omitempty"`
	// MinUnitsPerArm overrides analysis.min_units_per_arm for this stage's gate.
	MinUnitsPerArm int `yaml:"min_units_per_arm,omitempty" json:"min_units_per_arm,omitempty"`
	// Start, when set, is when the stage actually began. Without it a stage
	// begins when the previous one's min_duration has passed (the first at
	// the plan's start).
	Start *time.Time `yaml:"start,omitempty" json:"start,omitempty"`
}
