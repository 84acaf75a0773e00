package sim

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Config describes one simulated rollout.
type Config struct {
	// Experiment is the plan id the exposures carry (experiment_id).
	Experiment string
	// Control and Treatment are the arm names: the exposures' variation_id
	// and the telemetry's variant label.
	Control, Treatment string
	// Start is the wall-clock time the rollout begins (the plan's start).
	Start time.Time
	// Stages are the rollout's stages in order, the first at offset 0.
	Stages []Stage
	// Speed is how many simulated seconds pass per wall-clock second.
	Speed float64
	// SimStart is the simulated time of day at Start; it places the
	// rollout in the daily traffic cycle.
	SimStart time.Time
	// UsersPerSecond is the mean rate of new users per wall-clock second
	// over a simulated day (the daily cycle modulates it).
	UsersPerSecond float64
	// Regression, when set, degrades the treatment from a point on.
	Regression *Regression
	// Seed makes a run reproducible (up to scheduling jitter).
	Seed uint64
	// Tick is how often the simulation advances (default 200ms).
	Tick time.Duration
	// Flush is how often product events are posted (default 500ms).
	Flush time.Duration
}

// Stage is one step of the rollout.
type Stage struct {
	Name string
	// Offset is when the stage begins, after Config.Start.
	Offset time.Duration
	// TreatmentWeight is the share of new users assigned the treatment.
	TreatmentWeight float64
}

// Regression is a backend change that hurts the treatment.
type Regression struct {
	// Stage is the stage in which the regression appears; After is how long
	// after that stage begins (wall-clock time).
	Stage string
	After time.Duration
	// LatencyFactor multiplies the treatment's request latencies (e.g. 1.8).
	LatencyFactor float64
	// ErrorRate is the treatment's probability that a request fails.
	ErrorRate float64
	// ConversionFactor multiplies the treatment's purchase probability on
	// top of what slower, failing requests already cost (1 = no extra).
	ConversionFactor float64
}

// defaults fills the zero values that have one.
func (c *Config) defaults() {
	if c.Tick <= 0 {
		c.Tick = 200 * time.Millisecond
	}
	if c.Flush <= 0 {
		c.Flush = 500 * time.Millisecond
	}
	if c.Control == "" {
		c.Control = "control"
	}
	if c.Treatment == "" {
		c.Treatment = "treatment"
	}
	if c.SimStart.IsZero() {
		c.SimStart = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	}
}

// Validate says what is wrong with a configuration, naming the field.
func (c *Config) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("sim: %s: %s", field, fmt.Sprintf(format, args...)))
	}
	if c.Experiment == "" {
		bad("Experiment", "expected the plan id, got an empty string")
	}
	if c.Control == c.Treatment {
		bad("Treatment", "expected a name different from the control's %q", c.Control)
	}
	if c.Start.IsZero() {
		bad("Start", "expected the rollout's start time")
	}
	if !(c.Speed >= 1 && c.Speed <= 1e5) {
		bad("Speed", "expected simulated seconds per wall second in [1, 100000], got %g", c.Speed)
	}
	if !(c.UsersPerSecond > 0 && c.UsersPerSecond <= 10000) {
		bad("UsersPerSecond", "expected a rate in (0, 10000], got %g", c.UsersPerSecond)
	}
	if len(c.Stages) == 0 {
		bad("Stages", "expected at least one stage")
	}
	for i, s := range c.Stages {
		if s.Name == "" {
			bad(fmt.Sprintf("Stages[%d].Name", i), "expected a name")
		}
		if i == 0 && s.Offset != 0 {
			bad("Stages[0].Offset", "the first stage begins at offset 0, got %s", s.Offset)
		}
		if i > 0 && s.Offset <= c.Stages[i-1].Offset {
			bad(fmt.Sprintf("Stages[%d].Offset", i), "%s is not after the previous stage's %s", s.Offset, c.Stages[i-1].Offset)
		}
		if !(s.TreatmentWeight >= 0 && s.TreatmentWeight <= 1) {
			bad(fmt.Sprintf("Stages[%d].TreatmentWeight", i), "expected a share in [0, 1], got %g", s.TreatmentWeight)
		}
	}
	if r := c.Regression; r != nil {
		if c.stageIndex(r.Stage) < 0 {
			bad("Regression.Stage", "%q is not one of the stages", r.Stage)
		}
		if r.After < 0 {
			bad("Regression.After", "expected a non-negative delay, got %s", r.After)
		}
		if !(r.LatencyFactor >= 1 && r.LatencyFactor <= 100) {
			bad("Regression.LatencyFactor", "expected a factor in [1, 100], got %g", r.LatencyFactor)
		}
		if !(r.ErrorRate >= 0 && r.ErrorRate < 1) {
			bad("Regression.ErrorRate", "expected a probability in [0, 1), got %g", r.ErrorRate)
		}
		if !(r.ConversionFactor > 0 && r.ConversionFactor <= 1) || math.IsNaN(r.ConversionFactor) {
			bad("Regression.ConversionFactor", "expected a factor in (0, 1], got %g", r.ConversionFactor)
		}
	}
	return errors.Join(errs...)
}

func (c *Config) stageIndex(name string) int {
	for i, s := range c.Stages {
		if s.Name == name {
			return i
		}
	}
	return -1
}

// stageAt is the stage in force at wall time t (the first one before Start).
func (c *Config) stageAt(t time.Time) Stage {
	cur := c.Stages[0]
	for _, s := range c.Stages {
		if !t.Before(c.Start.Add(s.Offset)) {
			cur = s
		}
	}
	return cur
}

// InjectionTime is when the regression appears; zero without one.
func (c *Config) InjectionTime() time.Time {
	if c.Regression == nil {
		return time.Time{}
	}
	i := c.stageIndex(c.Regression.Stage)
	if i < 0 {
		return time.Time{}
	}
	return c.Start.Add(c.Stages[i].Offset + c.Regression.After)
}

// simTime maps a wall-clock time to the simulated clock.
func (c *Config) simTime(t time.Time) time.Time {
	return c.SimStart.Add(time.Duration(float64(t.Sub(c.Start)) * c.Speed))
}

// wall converts a simulated duration to wall-clock time.
func (c *Config) wall(simulated time.Duration) time.Duration {
	return time.Duration(float64(simulated) / c.Speed)
}
