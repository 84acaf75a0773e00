// Package collector turns the evaluator's latest evaluations into
// liftgate_* metrics. It builds const metrics at scrape time from a
// snapshot: a scrape never evaluates anything, finished or removed
// experiments leave no stale series, and label sets are deduplicated so one
// bad plan cannot break the whole scrape.
package collector

import "github.com/prometheus/client_golang/prometheus"

const namespace = "liftgate"

func newDesc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(prometheus.BuildFQName(namespace, "", name), help, labels, nil)
}

// Label sets shared by several families.
var (
	byExperiment       = []string{"experiment"}
	byArm              = []string{"experiment", "arm"}
	byMetric           = []string{"experiment", "metric"}
	byMetricArm        = []string{"experiment", "metric", "arm"}
	byExperimentSource = []string{"experiment", "source"}
)

var (
	experimentInfo = newDesc("experiment_info",
		"Experiment metadata from the plan in force; always 1. state is scheduled, running or ended; stage is the rollout stage in force.",
		"experiment", "name", "owner", "plan_hash", "stage", "state", "control")
	metricInfo = newDesc("experiment_metric_info",
		"The plan's metrics; always 1. Join on (experiment, metric) to select verdicts by role, kind or good direction.",
		"experiment", "metric", "role", "kind", "direction")
	planOutdated = newDesc("experiment_plan_outdated",
		"1 when the experiment's plan file fails validation and the last good version keeps running, else 0.", byExperiment...)

	armUnits = newDesc("experiment_arm_units",
		"Units (e.g. users) first exposed to the arm, as counted by the last successful evaluation.", byArm...)
	armExpectedShare = newDesc("experiment_arm_expected_share_ratio",
		"Share of units the plan expects in the arm, given when units were exposed (stage weights mixed by units).", byArm...)
	excludedUnits = newDesc("experiment_excluded_units",
		"Units left out of the analysis: reason=multiple_arms were exposed to more than one arm, reason=unknown_arm only to arms the plan does not name.",
		"experiment", "reason")
	srmPValue = newDesc("experiment_srm_p_value",
		"P-value of the sample-ratio-mismatch chi-square test against the weights in force.", byExperiment...)
	srmMismatch = newDesc("experiment_srm_mismatch",
		"1 when the sample-ratio test rejects the planned split (p below liftgate_experiment_srm_p_value_threshold), else 0.", byExperiment...)
	srmThreshold = newDesc("experiment_srm_p_value_threshold",
		"P-value under which a sample-ratio mismatch is declared (analysis.srm_threshold).", byExperiment...)
	significance = newDesc("experiment_significance_level",
		"Significance level alpha of the intervals and tests (analysis.alpha).", byExperiment...)
	stageMinUnits = newDesc("experiment_stage_min_units_per_arm",
		"Units each arm needs before the stage in force may proceed.", byExperiment...)

	dataHealth = newDesc("experiment_data_health",
		"Data-health status of the last successful evaluation as a state set: exactly one of ok, warn, block is 1 (block makes verdicts insufficient_data).",
		"experiment", "status")
	dataWatermark = newDesc("experiment_data_watermark_timestamp_seconds",
		"Latest event time the event store holds for the experiment's events, as the data-health check saw it.", byExperiment...)
	trafficSplit = newDesc("experiment_telemetry_traffic",
		"Telemetry traffic-split check (telemetry.requests) as a state set: exactly one of ok, mismatch, insufficient_data is 1; absent when the plan names no request counter.",
		"experiment", "status")
	trafficPValue = newDesc("experiment_telemetry_traffic_p_value",
		"P-value of the telemetry traffic-split check (Bonferroni over arms).", byExperiment...)

	metricEstimate = newDesc("experiment_metric_estimate",
		"Estimate of the metric in the arm: conversion rate, mean per unit, or ratio of sums (CUPED-adjusted when the plan asks).", byMetricArm...)
	absoluteEffect = newDesc("experiment_absolute_effect",
		"Treatment minus control, in the metric's unit; arm is the treatment arm.", byMetricArm...)
	absoluteLower = newDesc("experiment_absolute_effect_lower_bound",
		"Lower bound of the absolute effect's interval (confidence sequence when sequential).", byMetricArm...)
	absoluteUpper = newDesc("experiment_absolute_effect_upper_bound",
		"Upper bound of the absolute effect's interval (confidence sequence when sequential).", byMetricArm...)
	relativeEffect = newDesc("experiment_relative_effect_ratio",
		"Relative lift (treatment - control) / control; absent when the control mean is 0.", byMetricArm...)
	relativeLower = newDesc("experiment_relative_effect_lower_bound_ratio",
		"Lower bound of the relative lift's interval.", byMetricArm...)
	relativeUpper = newDesc("experiment_relative_effect_upper_bound_ratio",
		"Upper bound of the relative lift's interval.", byMetricArm...)
	pValue = newDesc("experiment_p_value",
		"P-value of the comparison (always valid when sequential).", byMetricArm...)
	adjustedPValue = newDesc("experiment_adjusted_p_value",
		"P-value adjusted for multiple comparisons (analysis.correction) across the plan's overall results.", byMetricArm...)
	relativeMargin = newDesc("experiment_metric_relative_margin_ratio",
		"Non-inferiority margin in force for the metric, as a fraction of the control mean.", byMetric...)
	absoluteMargin = newDesc("experiment_metric_absolute_margin",
		"Non-inferiority margin in force for the metric, in the metric's unit.", byMetric...)

	verdict = newDesc("experiment_verdict",
		"Verdict per metric and treatment arm as a state set: exactly one of beneficial, harmful, inconclusive, insufficient_data is 1. Without a current result (not evaluated yet, evaluation failed) it is insufficient_data.",
		"experiment", "metric", "arm", "role", "verdict")
	verdictTransitions = newDesc("experiment_verdict_transitions_total",
		"Times the verdict changed into the labelled state since the exporter started.",
		"experiment", "metric", "arm", "verdict")
	decision = newDesc("experiment_decision",
		"Stage decision as a state set: exactly one of proceed, hold, rollback is 1. Without a current result it is hold.",
		"experiment", "decision")
	decisionTransitions = newDesc("experiment_decision_transitions_total",
		"Times the stage decision changed into the labelled state since the exporter started.", "experiment", "decision")

	evaluationWall = newDesc("experiment_last_evaluation_duration_seconds",
		"Wall time the latest evaluation of the experiment took, all sources included.", byExperiment...)
	lastEvaluationTimestamp = newDesc("last_evaluation_timestamp_seconds",
		"Evaluation time (data up to this instant counts) of the latest evaluation that queried the source.", byExperimentSource...)
	lastEvaluationDuration = newDesc("last_evaluation_duration_seconds",
		"Time the latest evaluation spent in the source's queries.", byExperimentSource...)
	lastEvaluationSuccess = newDesc("last_evaluation_success",
		"1 when the source answered every query of the latest evaluation. For the event store 0 means the evaluation failed and every verdict is insufficient_data; for prometheus, that the telemetry metrics are.", byExperimentSource...)
	lastSuccessTimestamp = newDesc("last_successful_evaluation_timestamp_seconds",
		"Evaluation time of the latest evaluation in which the source answered every query.", byExperimentSource...)
	evaluations = newDesc("evaluations_total",
		"Evaluations that queried the source since the exporter started.", byExperimentSource...)
	evaluationErrors = newDesc("evaluation_errors_total",
		"Evaluations in which the source failed (for the event store: failed evaluations) since the exporter started.", byExperimentSource...)

	reloadSuccessful = newDesc("plans_last_reload_successful",
		"1 when every plan file loaded at the last reload, else 0 (see liftgate_plan_file_status).")
	reloadSuccessTimestamp = newDesc("plans_last_reload_success_timestamp_seconds",
		"When the plans were last reloaded without any problem.")
	planFileStatus = newDesc("plan_file_status",
		"Outcome of loading each plan file as a state set: loaded, invalid (the last good version, if any, keeps running) or duplicate (id already defined by an earlier file; ignored).",
		"file", "status")
)

// allDescs is every family this collector emits, for Describe.
var allDescs = []*prometheus.Desc{
	experimentInfo, metricInfo, planOutdated, armUnits, armExpectedShare, excludedUnits,
	srmPValue, srmMismatch, srmThreshold, significance, stageMinUnits,
	dataHealth, dataWatermark, trafficSplit, trafficPValue,
	metricEstimate, absoluteEffect, absoluteLower, absoluteUpper,
	relativeEffect, relativeLower, relativeUpper, pValue, adjustedPValue,
	relativeMargin, absoluteMargin, verdict, verdictTransitions, decision, decisionTransitions,
	evaluationWall, lastEvaluationTimestamp, lastEvaluationDuration, lastEvaluationSuccess, lastSuccessTimestamp,
	evaluations, evaluationErrors, reloadSuccessful, reloadSuccessTimestamp, planFileStatus,
	lateDataVerdictChanges,
}
