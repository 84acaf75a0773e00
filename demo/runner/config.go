package runner

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// Config is one demo run.
type Config struct {
	// RepoRoot is the liftgate checkout: the shipped rules/ and
	// provisioning/ are read from it.
	RepoRoot string
	// DataDir receives the plan, the configurations, the exporter's DuckDB
	// file, Prometheus' TSDB, every log, timeline.txt and report.json. It is
	// created if missing and must be empty if it exists.
	DataDir string
	// ExporterBin is the built liftgate_exporter.
	ExporterBin string
	// PrometheusBin and AlertmanagerBin default to Debian's binaries on
	// PATH (prometheus, prometheus-alertmanager).
	PrometheusBin   string
	AlertmanagerBin string

	// Regression injects the backend regression into the treatment; false
	// runs an A/A rollout (the treatment is the same backend).
	Regression bool
	// Timing of the rollout in wall-clock time: how long each stage lasts
	// at least (the plan's min_duration), when in its stage the regression
	// appears, how long the run may take at most, and how long it goes on
	// after the rollback so the aftermath is on the timeline.
	Stages         []StageSpec
	InjectStage    string
	InjectAfter    time.Duration
	MaxDuration    time.Duration
	AfterRollback  time.Duration
	StartupTimeout time.Duration

	// Speed is the simulated clock's rate (simulated seconds per second);
	// UsersPerSecond the mean arrival rate of new users.
	Speed          float64
	UsersPerSecond float64
	Seed           uint64

	// EvaluationInterval is the exporter's --evaluation.interval;
	// ScrapeInterval is Prometheus' scrape and rule evaluation interval.
	EvaluationInterval time.Duration
	ScrapeInterval     time.Duration

	// Out receives the timeline as it happens (nil: stdout).
	Out io.Writer
}

// StageSpec is one rollout stage of the demo plan.
type StageSpec struct {
	Name            string
	TreatmentWeight float64
	MinDuration     time.Duration
}

// DefaultStages is the demo's rollout: a 5% canary, a 20% ramp and a 50%
// half, each long enough for the evaluation and alerting loop to see it.
func DefaultStages() []StageSpec {
	return []StageSpec{
		{Name: "canary", TreatmentWeight: 0.05, MinDuration: 40 * time.Second},
		{Name: "ramp", TreatmentWeight: 0.20, MinDuration: 60 * time.Second},
		{Name: "half", TreatmentWeight: 0.50, MinDuration: 60 * time.Second},
	}
}

// Defaults fills unset fields with the full demo's values.
func (c *Config) Defaults() {
	if len(c.Stages) == 0 {
		c.Stages = DefaultStages()
	}
	if c.InjectStage == "" {
		c.InjectStage = "ramp"
	}
	if c.InjectAfter == 0 {
		c.InjectAfter = 10 * time.Second
	}
	if c.MaxDuration == 0 {
		var total time.Duration
		for _, s := range c.Stages {
			total += s.MinDuration
		}
		c.MaxDuration = total + 30*time.Second
	}
	if c.AfterRollback == 0 {
		c.AfterRollback = 45 * time.Second
	}
	if c.StartupTimeout == 0 {
		c.StartupTimeout = 60 * time.Second
	}
	if c.Speed == 0 {
		c.Speed = 720 // a simulated day every two minutes
	}
	if c.UsersPerSecond == 0 {
		c.UsersPerSecond = 150
	}
	if c.Seed == 0 {
		c.Seed = 42
	}
	if c.EvaluationInterval == 0 {
		c.EvaluationInterval = 5 * time.Second
	}
	if c.ScrapeInterval == 0 {
		c.ScrapeInterval = time.Second
	}
	if c.PrometheusBin == "" {
		c.PrometheusBin = "prometheus"
	}
	if c.AlertmanagerBin == "" {
		c.AlertmanagerBin = "prometheus-alertmanager"
	}
	if c.Out == nil {
		c.Out = os.Stdout
	}
}

// Validate names what is missing or wrong.
func (c *Config) Validate() error {
	var errs []error
	if c.RepoRoot == "" {
		errs = append(errs, errors.New("runner: RepoRoot: expected the liftgate checkout"))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("runner: DataDir: expected a directory for the run's data"))
	}
	if c.ExporterBin == "" {
		errs = append(errs, errors.New("runner: ExporterBin: expected the built liftgate_exporter (go build -o bin/liftgate_exporter ./exporter)"))
	}
	found := false
	for _, s := range c.Stages {
		if s.Name == c.InjectStage {
			found = true
		}
		if !(s.TreatmentWeight > 0 && s.TreatmentWeight < 1) || s.MinDuration <= 0 {
			errs = append(errs, fmt.Errorf("runner: stage %s: expected a weight in (0, 1) and a positive duration", s.Name))
		}
	}
	if c.Regression && !found {
		errs = append(errs, fmt.Errorf("runner: InjectStage: %q is not one of the stages", c.InjectStage))
	}
	if c.ScrapeInterval < time.Second || c.EvaluationInterval < time.Second {
		errs = append(errs, errors.New("runner: ScrapeInterval and EvaluationInterval must be at least 1s"))
	}
	return errors.Join(errs...)
}
