package models

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/liftgate/liftgate/pkg/plan"
)

// QueryError is a mistake in a query: it names the field and says what was
// expected. It is always the user's to fix (downstream).
type QueryError struct {
	Field   string
	Message string
}

func (e *QueryError) Error() string {
	if e.Field == "" {
		return "query: " + e.Message
	}
	return "query: " + e.Field + " " + e.Message
}

func queryError(field, format string, args ...any) error {
	return &QueryError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// LoadQuery decodes a query's JSON and checks the fields its query type
// needs. It never trusts the JSON: unknown values of enumerations and
// malformed durations are errors naming the field.
func LoadQuery(q backend.DataQuery) (*Query, error) {
	var out Query
	if len(q.JSON) > 0 {
		if err := json.Unmarshal(q.JSON, &out); err != nil {
			return nil, queryError("", "is not valid JSON for this data source: %v", err)
		}
	}
	if err := out.Validate(q.QueryType); err != nil {
		return nil, err
	}
	return &out, nil
}

// Validate checks the fields queryType reads.
func (q *Query) Validate(queryType string) error {
	if !slices.Contains(QueryTypes, queryType) {
		return queryError(FieldQueryType, "%q is not one of %v", queryType, QueryTypes)
	}
	if _, err := q.BucketDuration(); err != nil {
		return err
	}
	needExperiment := !(queryType == QueryTypeVariables && q.Variable == VariableExperiments)
	if needExperiment && q.Experiment == "" {
		return queryError(FieldExperiment, "is required: pick an experiment")
	}
	switch queryType {
	case QueryTypeComparison:
		return oneOf(FieldNumericValue, q.NumericValue, true, NumericValueVerdict, NumericValueDecision,
			NumericValueEffect, NumericValueRelativeEffect, NumericValuePValue, NumericValueSRMPValue)
	case QueryTypeLiftOverTime:
		return oneOf(FieldScale, q.Scale, true, ScaleRelative, ScaleAbsolute)
	case QueryTypeArmSeries:
		if err := oneOf(FieldSeries, q.Series, true, SeriesMetric, SeriesUnits); err != nil {
			return err
		}
		if q.Series != SeriesUnits && q.Metric == "" {
			return queryError(FieldMetric, "is required: pick the metric to chart per arm")
		}
	case QueryTypeTelemetryByArm:
		if q.Expr == "" && q.Metric == "" {
			return queryError(FieldExpr, "is required: a PromQL expression (the arm matcher is added to every selector), or pick one of the plan's Prometheus metrics")
		}
	case QueryTypeTelemetryBehaviour:
		if q.Expr == "" {
			return queryError(FieldExpr, "is required: the PromQL expression to join with the product metric")
		}
		if q.Metric == "" {
			return queryError(FieldMetric, "is required: the product metric to correlate with")
		}
		if _, err := q.MaxLagDuration(); err != nil {
			return err
		}
	case QueryTypeAnnotations:
		for _, k := range q.AnnotationKinds {
			if err := oneOf(FieldAnnotationKinds, k, false, AnnotationStages, AnnotationDeployments,
				AnnotationVerdicts, AnnotationDecisions, AnnotationSRM, AnnotationPlans,
				AnnotationHumanDecisions, AnnotationHealth); err != nil {
				return err
			}
		}
	case QueryTypeVariables:
		return oneOf(FieldVariable, q.Variable, false, VariableExperiments, VariableMetrics,
			VariableArms, VariableSegments, VariableStages)
	case QueryTypeExploratory:
		return q.Exploratory.validate()
	}
	return nil
}

// BucketDuration is Bucket parsed; 0 when empty.
func (q *Query) BucketDuration() (time.Duration, error) {
	return positiveDuration(FieldBucket, q.Bucket)
}

// MaxLagDuration is MaxLag parsed; 0 when empty.
func (q *Query) MaxLagDuration() (time.Duration, error) {
	if q.MaxLag == "" {
		return 0, nil
	}
	d, err := plan.ParseDuration(q.MaxLag)
	if err != nil {
		return 0, queryError(FieldMaxLag, "%v", err)
	}
	if d < 0 {
		return 0, queryError(FieldMaxLag, "must not be negative, got %s", q.MaxLag)
	}
	return d.D(), nil
}

// validate checks an exploratory comparison's fields. The metric itself is
// checked by the plan validation it is turned into, which names the field.
func (e *ExploratoryQuery) validate() error {
	const f = FieldExploratory + "."
	switch {
	case e == nil:
		return queryError(FieldExploratory, "is required: the exposure event, arm property, arms and metric to compare")
	case e.ExposureEvent == "":
		return queryError(f+"exposureEvent", "is required: the event that marks a unit entering the experiment")
	case e.ExperimentProperty == "":
		return queryError(f+"experimentProperty", "is required: the exposure event's property holding the experiment id")
	case e.ArmProperty == "":
		return queryError(f+"armProperty", "is required: the exposure event's property holding the arm")
	case e.Control == "":
		return queryError(f+"control", "is required: the baseline arm")
	case len(e.Arms) < 2:
		return queryError(f+"arms", "needs at least two arms (the control and a treatment), got %d", len(e.Arms))
	case !slices.Contains(e.Arms, e.Control):
		return queryError(f+"control", "%q is not one of the arms %v", e.Control, e.Arms)
	case e.Metric.Kind == "":
		return queryError(f+"metric.kind", "is required: conversion, count, mean or ratio")
	}
	if e.Metric.Window != "" {
		if _, err := positiveDuration(f+"metric.window", e.Metric.Window); err != nil {
			return err
		}
	}
	return nil
}

// positiveDuration parses an optional duration that must be positive.
func positiveDuration(field, s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := plan.ParseDuration(s)
	if err != nil {
		return 0, queryError(field, "%v", err)
	}
	if d <= 0 {
		return 0, queryError(field, "must be positive, got %s", s)
	}
	return d.D(), nil
}

// oneOf checks an enumeration; empty is allowed when optional.
func oneOf(field, v string, optional bool, allowed ...string) error {
	if v == "" && optional {
		return nil
	}
	if !slices.Contains(allowed, v) {
		return queryError(field, "%q is not one of %v", v, allowed)
	}
	return nil
}
