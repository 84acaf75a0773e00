package events

import (
	"time"

	"github.com/liftgate/liftgate/pkg/stats"
)

// Exposure says how a store recognises that a unit entered the experiment.
type Exposure struct {
	Event              string `yaml:"event" json:"event"`                             // event name, e.g. experiment_viewed
	ExperimentProperty string `yaml:"experiment_property" json:"experiment_property"` // property holding the experiment id
	ArmProperty        string `yaml:"arm_property" json:"arm_property"`               // property holding the arm name
}

// StageStart is the start of a rollout stage. Units are stratified by the
// stage in force at their first exposure: the last stage whose Start is at or
// before that exposure (units exposed before the first stage start belong to
// stage 0).
type StageStart struct {
	Name  string
	Start time.Time
}

// Scope is what every query shares: which experiment, which units, which time.
type Scope struct {
	Experiment string    // plan id; matched against Exposure.ExperimentProperty
	Unit       string    // unit identifier: "user_id" (the event's own unit) or a property name
	Exposure   Exposure  //
	Arms       []string  // planned arm names; exposures with other arm values are not assigned
	Start      time.Time // exposures at or after Start count
	End        time.Time // exposures and metric events strictly before End count (the evaluation time)
	Stages     []StageStart
	// Optional breakdowns. Segment is a property of the unit's first exposure
	// event ("" = none). Bucket groups units by the time bucket of their first
	// exposure, aligned to Start (0 = none).
	Segment string
	Bucket  time.Duration
}

// MetricKind mirrors the plan's event metric kinds.
type MetricKind string

const (
	Conversion MetricKind = "conversion" // 1 if the unit did Event within Window after first exposure
	Count      MetricKind = "count"      // number of Events after first exposure (within Window if set)
	Mean       MetricKind = "mean"       // sum of Property over the unit's Events (0 when none)
	Ratio      MetricKind = "ratio"      // Numerator and Denominator per unit, both as count or sum
)

// EventValue names an event and, optionally, a numeric property to sum; an
// empty Property counts events.
type EventValue struct {
	Event    string
	Property string
}

// Metric is one metric's per-unit definition.
type Metric struct {
	Kind        MetricKind
	Value       EventValue    // conversion, count, mean
	Numerator   EventValue    // ratio
	Denominator EventValue    // ratio
	Window      time.Duration // 0 = until End
	// CUPEDLookback > 0 asks for the covariate X: the same per-unit value over
	// [first exposure - lookback, first exposure).
	CUPEDLookback time.Duration
}

// GroupKey identifies one row of a breakdown.
type GroupKey struct {
	Arm     string
	Stage   int       // index into Scope.Stages (0 when there are none)
	Segment string    // "" unless Scope.Segment is set
	Bucket  time.Time // zero unless Scope.Bucket is set
}

// GroupSums are one group's sufficient statistics.
type GroupSums struct {
	GroupKey
	Sums stats.ArmSums
}

// ExposureCounts summarise assignment for SRM and data health.
type ExposureCounts struct {
	Groups []GroupCount
	// MultiArmUnits were exposed to more than one planned arm; they are
	// excluded from every metric.
	MultiArmUnits int64
	// UnknownArmUnits had only exposures whose arm value is not a planned arm.
	UnknownArmUnits int64
}

// GroupCount is the number of assigned units in one group.
type GroupCount struct {
	GroupKey
	Units int64
}
