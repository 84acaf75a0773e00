package collector

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/liftgate/liftgate/pkg/decisionlog"
)

// Rollout outcome families, computed from the decision log at scrape time
// (decisionlog.Histories), so they agree with the log by construction and
// survive restarts with it.
var (
	rolloutOutcome = newDesc("rollout_outcome",
		"Outcome of the experiment's rollout per the decision log as a state set: exactly one of rolled_back, completed, in_progress is 1.",
		"experiment", "outcome")
	rolloutRollbacks = newDesc("rollout_rollbacks",
		"Rollbacks of the experiment's rollout in the retained log: a decision change into rollback, or a human rollback, when not rolled back already.", byExperiment...)
	detectionToRollback = newDesc("rollout_detection_to_rollback_seconds",
		"Time from the first harmful primary or guardrail verdict to the first rollback decision after it; absent until both are recorded.", byExperiment...)
	timeToRestore = newDesc("rollout_time_to_restore_seconds",
		"Time from the first harmful primary or guardrail verdict until no such verdict was harmful any more; absent until restored.", byExperiment...)
	rollouts = newDesc("rollouts",
		"Rollouts (experiments) in the retained decision log by outcome.", "outcome")
	changeFailureRate = newDesc("rollout_change_failure_ratio",
		"Rolled-back rollouts divided by finished rollouts (rolled back or completed) in the retained log; absent with no finished rollout.")
	rollbacksPerRollout = newDesc("rollout_rollbacks_per_rollout",
		"Mean rollback decisions per rollout in the retained log; absent with no rollout.")
	meanTimeToRestore = newDesc("rollout_mean_time_to_restore_seconds",
		"Mean of liftgate_rollout_time_to_restore_seconds over restored rollouts; absent when none was.")
	logEntries = newDesc("decision_log_entries",
		"Entries in the retained decision log by kind.", "kind")
)

// Outcomes exports rollout outcome metrics from a decision log, and how
// often writing the log failed.
type Outcomes struct {
	log           *logCache
	logger        *slog.Logger
	writeFailures prometheus.Counter
}

// NewOutcomes returns a collector over log.
func NewOutcomes(log decisionlog.Log, logger *slog.Logger) *Outcomes {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Outcomes{log: newLogCache(log), logger: logger, writeFailures: prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: namespace, Name: "decision_log_write_failures_total",
		Help: "Successful evaluations whose changes could not be read from or written to the decision log; the next evaluation that can records them.",
	})}
}

// WriteFailed counts an evaluation whose changes could not be recorded.
func (o *Outcomes) WriteFailed() { o.writeFailures.Inc() }

// Describe implements prometheus.Collector.
func (o *Outcomes) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{rolloutOutcome, rolloutRollbacks, detectionToRollback, timeToRestore,
		rollouts, changeFailureRate, rollbacksPerRollout, meanTimeToRestore, logEntries, o.writeFailures.Desc()} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (o *Outcomes) Collect(ch chan<- prometheus.Metric) {
	ch <- o.writeFailures
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	entries, err := o.log.read(ctx)
	if err != nil {
		o.logger.Error("Reading the decision log for outcome metrics", "err", err)
		return
	}
	e := newEmitter(ch, o.logger)
	kinds := map[decisionlog.Kind]int{}
	for i := range entries {
		kinds[entries[i].Kind]++
	}
	for _, k := range decisionlog.Kinds() {
		e.gauge(logEntries, float64(kinds[k]), string(k))
	}
	hist := decisionlog.Histories(entries)
	byOutcome := map[string]int{}
	outcomes := []string{decisionlog.OutcomeRolledBack, decisionlog.OutcomeCompleted, decisionlog.OutcomeInProgress}
	for _, r := range hist {
		byOutcome[r.Outcome]++
		for _, oc := range outcomes {
			e.flag(rolloutOutcome, r.Outcome == oc, r.Experiment, oc)
		}
		e.gauge(rolloutRollbacks, float64(r.Rollbacks), r.Experiment)
		if r.DetectionToRollbackSeconds != nil {
			e.gauge(detectionToRollback, *r.DetectionToRollbackSeconds, r.Experiment)
		}
		if r.TimeToRestoreSeconds != nil {
			e.gauge(timeToRestore, *r.TimeToRestoreSeconds, r.Experiment)
		}
	}
	for _, oc := range outcomes {
		e.gauge(rollouts, float64(byOutcome[oc]), oc)
	}
	s := decisionlog.Summarize(hist)
	if s.ChangeFailureRate != nil {
		e.gauge(changeFailureRate, *s.ChangeFailureRate)
	}
	if s.RollbacksPerRollout != nil {
		e.gauge(rollbacksPerRollout, *s.RollbacksPerRollout)
	}
	if s.MeanTimeToRestoreSeconds != nil {
		e.gauge(meanTimeToRestore, *s.MeanTimeToRestoreSeconds)
	}
}
