package plan

import "time"

// Health holds the data-health thresholds, the clock-skew tolerance, the
// settling delay and the late-data policy (docs/data-health.md). Every
// field is optional; HealthSettings fills what a plan leaves out.
type Health struct {
	// ClockSkew is how far an event may be stamped after the evaluation
	// time before it counts as from the future (default 5m).
	ClockSkew *Duration `yaml:"clock_skew,omitempty" json:"clock_skew,omitempty"`
	// SettlingDelay holds verdicts back from the newest data: events are
	// counted only up to min(evaluation time - settling delay, watermark)
	// (default 0: batch imports are complete when analysed; streaming
	// pipelines should set their delivery lag, e.g. 15m).
	SettlingDelay *Duration `yaml:"settling_delay,omitempty" json:"settling_delay,omitempty"`
	// LateData says what a verdict of an already published window changed
	// by late data does: warn (record and count it, the default) or block
	// (also hold the decision until someone looks).
	LateData string `yaml:"late_data,omitempty" json:"late_data,omitempty"`

	UnknownArm    *Threshold `yaml:"unknown_arm,omitempty" json:"unknown_arm,omitempty"`
	MissingUnit   *Threshold `yaml:"missing_unit,omitempty" json:"missing_unit,omitempty"`
	MissingArm    *Threshold `yaml:"missing_arm,omitempty" json:"missing_arm,omitempty"`
	MultiArm      *Threshold `yaml:"multi_arm,omitempty" json:"multi_arm,omitempty"`
	BeforeStart   *Threshold `yaml:"before_start,omitempty" json:"before_start,omitempty"`
	FutureEvents  *Threshold `yaml:"future_events,omitempty" json:"future_events,omitempty"`
	Duplicates    *Threshold `yaml:"duplicates,omitempty" json:"duplicates,omitempty"`
	Properties    *Threshold `yaml:"properties,omitempty" json:"properties,omitempty"`
	TelemetryGaps *Threshold `yaml:"telemetry_gaps,omitempty" json:"telemetry_gaps,omitempty"`
}

// Threshold is when a check's rate (offending rows over their population)
// warns and when it blocks verdicts. A rate above Warn warns, above Block
// blocks; 0 means any occurrence, 1 means never (rates do not exceed 1).
type Threshold struct {
	Warn  *float64 `yaml:"warn,omitempty" json:"warn,omitempty"`
	Block *float64 `yaml:"block,omitempty" json:"block,omitempty"`
}

// Late-data policies.
const (
	LateDataWarn  = "warn"
	LateDataBlock = "block"
)

// Health checks, as named in the plan, results and docs.
const (
	CheckUnknownArm    = "unknown_arm"
	CheckMissingUnit   = "missing_unit"
	CheckMissingArm    = "missing_arm"
	CheckMultiArm      = "multi_arm"
	CheckBeforeStart   = "before_start"
	CheckFutureEvents  = "future_events"
	CheckDuplicates    = "duplicates"
	CheckProperties    = "properties"
	CheckTelemetryGaps = "telemetry_gaps"
)

// Health defaults.
const (
	DefaultClockSkew     = Duration(5 * time.Minute)
	DefaultSettlingDelay = Duration(0)
	DefaultLateData      = LateDataWarn
)

// Levels is a resolved threshold.
type Levels struct {
	Warn  float64 `json:"warn"`
	Block float64 `json:"block"`
}

// DefaultHealthLevels are the thresholds a plan gets for checks it leaves
// out. Assignment faults block early (a 1% share of broken exposures already
// biases small effects); property and ordering faults get more room, since
// they cost precision before they cost validity.
var DefaultHealthLevels = map[string]Levels{
	CheckUnknownArm:    {Warn: 0.001, Block: 0.01},
	CheckMissingUnit:   {Warn: 0.001, Block: 0.01},
	CheckMissingArm:    {Warn: 0.001, Block: 0.01},
	CheckMultiArm:      {Warn: 0.005, Block: 0.02},
	CheckBeforeStart:   {Warn: 0.001, Block: 0.05},
	CheckFutureEvents:  {Warn: 0, Block: 0.01},
	CheckDuplicates:    {Warn: 0.001, Block: 0.05},
	CheckProperties:    {Warn: 0.001, Block: 0.05},
	CheckTelemetryGaps: {Warn: 0, Block: 0.5},
}

// HealthSettings are a plan's health settings with every default filled.
type HealthSettings struct {
	ClockSkew     time.Duration
	SettlingDelay time.Duration
	LateData      string
	Levels        map[string]Levels // by check name
}

// HealthSettings resolves the plan's health block against the defaults.
func (p *Plan) HealthSettings() HealthSettings {
	s := HealthSettings{
		ClockSkew:     DefaultClockSkew.D(),
		SettlingDelay: DefaultSettlingDelay.D(),
		LateData:      DefaultLateData,
		Levels:        map[string]Levels{},
	}
	for name, l := range DefaultHealthLevels {
		s.Levels[name] = l
	}
	h := p.Health
	if h == nil {
		return s
	}
	if h.ClockSkew != nil {
		s.ClockSkew = h.ClockSkew.D()
	}
	if h.SettlingDelay != nil {
		s.SettlingDelay = h.SettlingDelay.D()
	}
	if h.LateData != "" {
		s.LateData = h.LateData
	}
	for name, t := range h.thresholds() {
		if t == nil {
			continue
		}
		l := s.Levels[name]
		if t.Warn != nil {
			l.Warn = *t.Warn
		}
		if t.Block != nil {
			l.Block = *t.Block
		}
		s.Levels[name] = l
	}
	return s
}

// thresholds lists the block's thresholds by check name.
func (h *Health) thresholds() map[string]*Threshold {
	return map[string]*Threshold{
		CheckUnknownArm:    h.UnknownArm,
		CheckMissingUnit:   h.MissingUnit,
		CheckMissingArm:    h.MissingArm,
		CheckMultiArm:      h.MultiArm,
		CheckBeforeStart:   h.BeforeStart,
		CheckFutureEvents:  h.FutureEvents,
		CheckDuplicates:    h.Duplicates,
		CheckProperties:    h.Properties,
		CheckTelemetryGaps: h.TelemetryGaps,
	}
}
