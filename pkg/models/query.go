// Package models holds the plain structs the Grafana data source shares with
// its frontend: the query model (this file) and the data source settings.
// The JSON field names here are the contract src/types.ts mirrors; change
// them only together.
package models

// Query types, sent by the editor as the query's queryType and dispatched by
// the backend's QueryTypeMux.
const (
	// QueryTypeComparison is the comparison table of a planned experiment:
	// per metric and arm, estimates, effects with intervals, p-values,
	// verdicts, SRM and the stage decision (the numbers of `liftgate analyze`).
	QueryTypeComparison = "comparison"
	// QueryTypeLiftOverTime is the cumulative effect with its always-valid
	// band at each time step, per metric and arm, as time series.
	QueryTypeLiftOverTime = "lift_over_time"
	// QueryTypeArmSeries is a product metric per arm per time bucket
	// (conversion rate, mean, ratio) or the units exposed per bucket.
	QueryTypeArmSeries = "arm_series"
	// QueryTypeTelemetryByArm is a PromQL expression split by arm, aligned
	// to the same buckets as the product metrics.
	QueryTypeTelemetryByArm = "telemetry_by_arm"
	// QueryTypeTelemetryBehaviour joins a PromQL expression with a product
	// metric: the joined series, the correlation with its best lag, and the
	// scatter data.
	QueryTypeTelemetryBehaviour = "telemetry_behaviour"
	// QueryTypeAnnotations returns stage changes, deployment markers,
	// verdict and decision changes and SRM alarms as annotation events.
	QueryTypeAnnotations = "annotations"
	// QueryTypeVariables lists experiments, metrics, arms, segments or stages
	// for dashboard templating.
	QueryTypeVariables = "variables"
	// QueryTypeExploratory compares arms without a plan: the exposure event,
	// arm property and metric come from the query; the result is marked
	// exploratory.
	QueryTypeExploratory = "exploratory"
	// QueryTypeHealth is the data-health table of a planned experiment at
	// the end of the time range: one row per check with its counts, rate,
	// thresholds and status (the health section of `liftgate analyze`).
	QueryTypeHealth = "health"
)

// QueryTypes lists every query type, in the order the editor offers them.
var QueryTypes = []string{
	QueryTypeComparison,
	QueryTypeLiftOverTime,
	QueryTypeArmSeries,
	QueryTypeTelemetryByArm,
	QueryTypeTelemetryBehaviour,
	QueryTypeAnnotations,
	QueryTypeVariables,
	QueryTypeExploratory,
	QueryTypeHealth,
}

// JSON field names of the query model (Query below). Grafana's own fields
// (refId, queryType, hide, datasource, intervalMs, maxDataPoints) travel next
// to them.
const (
	FieldQueryType       = "queryType"
	FieldExperiment      = "experiment"
	FieldMetric          = "metric"
	FieldArm             = "arm"
	FieldSegment         = "segment"
	FieldBucket          = "bucket"
	FieldNumericValue    = "numericValue"
	FieldScale           = "scale"
	FieldSeries          = "series"
	FieldExpr            = "expr"
	FieldArmLabel        = "armLabel"
	FieldMaxLag          = "maxLag"
	FieldVariable        = "variable"
	FieldAnnotationKinds = "annotationKinds"
	FieldExploratory     = "exploratory"
)

// Query is the query model every query type reads; each type uses the fields
// its documentation names and ignores the rest.
type Query struct {
	// Experiment is the plan id (all types but exploratory and
	// variables=experiments).
	Experiment string `json:"experiment,omitempty"`
	// Metric is a plan metric name; empty means every metric (comparison,
	// lift_over_time) and is required where one metric is needed (arm_series,
	// telemetry_behaviour: the product metric). telemetry_by_arm charts the
	// plan's Prometheus metric of that name when Expr is empty.
	Metric string `json:"metric,omitempty"`
	// Arm keeps only one treatment arm's results; empty means every arm.
	Arm string `json:"arm,omitempty"`
	// Segment is one of the plan's segment properties; the comparison adds
	// per-value results for it, the series split by its values.
	Segment string `json:"segment,omitempty"`
	// Bucket is the time bucket or step as a Go/Prometheus duration ("1h",
	// "15m"); empty picks one from the panel's interval.
	Bucket string `json:"bucket,omitempty"`

	// NumericValue reduces a comparison to one number per metric, arm (and
	// segment value) so Grafana Alerting can evaluate it: one of the
	// NumericValue* constants. Empty returns the full table.
	NumericValue string `json:"numericValue,omitempty"`
	// Scale is the effect's scale for lift_over_time: ScaleRelative
	// (default) or ScaleAbsolute.
	Scale string `json:"scale,omitempty"`
	// Series picks what arm_series plots: SeriesMetric (default) or
	// SeriesUnits.
	Series string `json:"series,omitempty"`

	// Expr is the PromQL expression for telemetry_by_arm and
	// telemetry_behaviour; the arm matcher is added to every selector, and
	// it must return one series per arm (aggregate it, e.g. with sum).
	Expr string `json:"expr,omitempty"`
	// ArmLabel overrides the plan's telemetry arm label for Expr.
	ArmLabel string `json:"armLabel,omitempty"`
	// MaxLag bounds the lags telemetry_behaviour tries, as a duration
	// ("30m"); empty means 0 (no lag search).
	MaxLag string `json:"maxLag,omitempty"`

	// Variable is what a variables query lists: one of the Variable*
	// constants.
	Variable string `json:"variable,omitempty"`
	// AnnotationKinds keeps only these kinds of annotations (the
	// Annotation* constants); empty means all.
	AnnotationKinds []string `json:"annotationKinds,omitempty"`

	// Exploratory is the ad-hoc comparison of an exploratory query.
	Exploratory *ExploratoryQuery `json:"exploratory,omitempty"`
}

// ExploratoryQuery describes a comparison without a plan. The experiment id
// is Query.Experiment; the evaluation time is the end of the time range and
// exposures count from its start.
type ExploratoryQuery struct {
	// ExposureEvent is the event that marks a unit entering the experiment.
	ExposureEvent string `json:"exposureEvent"`
	// ExperimentProperty holds the experiment id on the exposure event.
	ExperimentProperty string `json:"experimentProperty"`
	// ArmProperty holds the arm name on the exposure event.
	ArmProperty string `json:"armProperty"`
	// Unit is the unit identifier: "user_id" (default) or a property name.
	Unit string `json:"unit,omitempty"`
	// Control is the baseline arm; Arms are every arm, control included.
	Control string   `json:"control"`
	Arms    []string `json:"arms"`
	// Weights are the expected shares per arm for the SRM check; empty
	// means equal shares.
	Weights map[string]float64 `json:"weights,omitempty"`
	// Metric is the metric to compare.
	Metric ExploratoryMetric `json:"metric"`
}

// ExploratoryMetric is an ad-hoc metric definition, the same vocabulary as a
// plan's event metrics.
type ExploratoryMetric struct {
	// Name labels the result; empty uses Kind and Event.
	Name string `json:"name,omitempty"`
	// Kind is conversion, count, mean or ratio.
	Kind string `json:"kind"`
	// Event (and Property for mean) define conversion, count and mean.
	Event    string `json:"event,omitempty"`
	Property string `json:"property,omitempty"`
	// Numerator and Denominator define ratio.
	Numerator   *EventValue `json:"numerator,omitempty"`
	Denominator *EventValue `json:"denominator,omitempty"`
	// Window limits events to this long after first exposure ("7d", "24h").
	Window string `json:"window,omitempty"`
	// Direction is the good direction: increase (default) or decrease.
	Direction string `json:"direction,omitempty"`
}

// EventValue is an event, counted, or the sum of one of its properties.
type EventValue struct {
	Event    string `json:"event"`
	Property string `json:"property,omitempty"`
}

// NumericValue choices: what one number per row of an alerting comparison is.
const (
	// NumericValueVerdict is VerdictCode of the verdict.
	NumericValueVerdict = "verdict"
	// NumericValueDecision is DecisionCode of the stage decision (one row).
	NumericValueDecision = "decision"
	// NumericValueEffect is the absolute effect estimate.
	NumericValueEffect = "effect"
	// NumericValueRelativeEffect is the relative effect (lift); rows where
	// it is undefined (zero baseline) are left out.
	NumericValueRelativeEffect = "relative_effect"
	// NumericValuePValue is the (sequential) p-value adjusted for multiple
	// comparisons.
	NumericValuePValue = "p_value"
	// NumericValueSRMPValue is the sample-ratio check's p-value (one row).
	NumericValueSRMPValue = "srm_p_value"
)

// Verdict codes, ordered by how much a verdict should worry an alert rule:
// an alert on "harmful" is `>= 3`.
const (
	VerdictCodeBeneficial       = 0
	VerdictCodeInconclusive     = 1
	VerdictCodeInsufficientData = 2
	VerdictCodeHarmful          = 3
)

// Decision codes, ordered the same way: an alert on rollback is `>= 2`.
const (
	DecisionCodeProceed  = 0
	DecisionCodeHold     = 1
	DecisionCodeRollback = 2
)

// Scale choices for lift_over_time.
const (
	ScaleRelative = "relative"
	ScaleAbsolute = "absolute"
)

// Series choices for arm_series.
const (
	// SeriesMetric plots the metric's per-arm value per bucket: the
	// conversion rate, the mean per unit or the ratio.
	SeriesMetric = "metric"
	// SeriesUnits plots the units first exposed per arm per bucket.
	SeriesUnits = "units"
)

// Variable choices for variables queries (and the editors' resources).
const (
	VariableExperiments = "experiments"
	VariableMetrics     = "metrics"
	VariableArms        = "arms"
	VariableSegments    = "segments"
	VariableStages      = "stages"
)

// Annotation kinds.
const (
	AnnotationStages      = "stages"
	AnnotationDeployments = "deployments"
	AnnotationVerdicts    = "verdicts"
	AnnotationDecisions   = "decisions"
	AnnotationSRM         = "srm"
	// AnnotationPlans are plan changes recorded in the exporter's decision
	// log, with the fields that changed.
	AnnotationPlans = "plans"
	// AnnotationHumanDecisions are decisions people recorded in the
	// decision log (liftgate note): who, what, why and a link.
	AnnotationHumanDecisions = "human_decisions"
	// AnnotationHealth marks an evaluation whose data-health status is warn
	// or block, with the failing checks.
	AnnotationHealth = "health"
)
