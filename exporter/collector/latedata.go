package collector

import "github.com/liftgate/liftgate/exporter/evaluator"

// lateDataVerdictChanges is the late-data counter: a verdict of a window
// already published that changed when the same window was evaluated again.
// It is exported for every experiment (0 included) so an alert on
// increase() sees the series before the first change.
var lateDataVerdictChanges = newDesc("late_data_verdict_changes_total",
	"Verdicts that changed between two consecutive evaluations of the same data window (same plan, same data end) since the exporter started: late-arriving or removed data changed an already published answer.",
	byExperiment...)

func collectLateData(e *emitter, x *evaluator.ExperimentView) {
	e.counter(lateDataVerdictChanges, float64(x.LateDataVerdictChanges), x.Plan.ID)
}
