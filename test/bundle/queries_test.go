package bundle

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/liftgate/liftgate/pkg/models"
)

// grafanaQueryFields travel next to the plugin's own query fields in every
// target (Grafana adds and reads them).
var grafanaQueryFields = []string{"refId", "queryType", "hide", "datasource", "intervalMs", "maxDataPoints", "key"}

// checkPluginQuery checks a liftgate target against the plugin's query
// model: known fields only, a known query type, fixed vocabularies spelt as
// the backend expects, the fields its type needs, durations that parse and
// PromQL that parses.
func checkPluginQuery(q map[string]any, vars map[string]map[string]any) []string {
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	fields := append(jsonFieldNames(models.Query{}), grafanaQueryFields...)
	for k := range q {
		if !slices.Contains(fields, k) {
			fail("field %q is not part of the plugin's query model (pkg/models.Query)", k)
		}
	}
	qt := str(q[models.FieldQueryType])
	if !slices.Contains(models.QueryTypes, qt) {
		fail("queryType %q is not one of %v", qt, models.QueryTypes)
		return errs
	}
	// The frontend interpolates variables only in free-text fields; these
	// take one of the backend's constants, spelt out.
	oneOf := func(field string, allowed ...string) {
		if v, ok := q[field]; ok && !slices.Contains(allowed, str(v)) {
			fail("%s %v is not one of %v", field, v, allowed)
		}
	}
	oneOf(models.FieldNumericValue, models.NumericValueVerdict, models.NumericValueDecision, models.NumericValueEffect,
		models.NumericValueRelativeEffect, models.NumericValuePValue, models.NumericValueSRMPValue)
	oneOf(models.FieldScale, models.ScaleRelative, models.ScaleAbsolute)
	oneOf(models.FieldSeries, models.SeriesMetric, models.SeriesUnits)
	oneOf(models.FieldVariable, models.VariableExperiments, models.VariableMetrics, models.VariableArms,
		models.VariableSegments, models.VariableStages)
	if kinds, ok := q[models.FieldAnnotationKinds]; ok {
		all := []string{models.AnnotationStages, models.AnnotationDeployments, models.AnnotationVerdicts,
			models.AnnotationDecisions, models.AnnotationSRM}
		for _, k := range list(kinds) {
			if !slices.Contains(all, str(k)) {
				fail("annotationKinds entry %v is not one of %v", k, all)
			}
		}
	}

	need := func(field string) {
		if strings.TrimSpace(str(q[field])) == "" {
			fail("queryType %s needs %s", qt, field)
		}
	}
	switch qt {
	case models.QueryTypeExploratory:
	case models.QueryTypeVariables:
		need(models.FieldVariable)
		if str(q[models.FieldVariable]) != models.VariableExperiments {
			need(models.FieldExperiment)
		}
	default:
		need(models.FieldExperiment)
	}
	if qt == models.QueryTypeArmSeries || qt == models.QueryTypeTelemetryBehaviour {
		need(models.FieldMetric)
	}
	if qt == models.QueryTypeTelemetryByArm || qt == models.QueryTypeTelemetryBehaviour {
		need(models.FieldExpr)
		for _, e := range checkPromQL(str(q[models.FieldExpr])) {
			fail("expr: %s", e)
		}
	}
	for _, field := range []string{models.FieldBucket, models.FieldMaxLag} {
		v, ok := q[field]
		if !ok {
			continue
		}
		if s := str(v); !isVariable(s, vars) && !isDuration(s) {
			fail("%s %v is neither a duration like 15m nor a dashboard variable", field, v)
		}
	}
	return errs
}

var wholeVariable = regexp.MustCompile(`^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$`)

func isVariable(s string, vars map[string]map[string]any) bool {
	m := wholeVariable.FindStringSubmatch(s)
	return m != nil && vars[m[1]] != nil
}

func isDuration(s string) bool {
	if _, err := model.ParseDuration(s); err == nil {
		return true
	}
	_, err := time.ParseDuration(s)
	return err == nil
}

// grafanaIntervals are the built-in variables that stand for a range
// duration in PromQL; any duration makes the expression parse the same way.
var grafanaIntervals = regexp.MustCompile(`\$\{?__(rate_interval|interval|range)\}?`)

// checkPromQL parses an expression with Prometheus' own parser, after
// replacing Grafana's interval variables by a duration. Dashboard variables
// inside label matchers stay as they are: they are string literals to the
// parser, as they are to Prometheus after Grafana substitutes them.
func checkPromQL(expr string) []string {
	if strings.TrimSpace(expr) == "" {
		return []string{"empty PromQL expression"}
	}
	if _, err := parser.NewParser(parser.Options{}).ParseExpr(grafanaIntervals.ReplaceAllString(expr, "5m")); err != nil {
		return []string{fmt.Sprintf("PromQL %q does not parse: %v", expr, err)}
	}
	return nil
}

// prometheusVariable matches the Prometheus data source's variable
// functions: label_values(selector, label), label_values(label),
// query_result(expr) and metrics(regex).
var prometheusVariable = regexp.MustCompile(`^\s*(label_values|query_result|metrics)\((.*)\)\s*$`)

func checkPrometheusVariable(q string) []string {
	m := prometheusVariable.FindStringSubmatch(q)
	if m == nil {
		return []string{fmt.Sprintf("variable query %q is not label_values(...), query_result(...) or metrics(...)", q)}
	}
	switch m[1] {
	case "query_result":
		return checkPromQL(m[2])
	case "label_values":
		args := m[2]
		i := strings.LastIndex(args, ",")
		if i < 0 {
			return nil // label_values(label): no selector
		}
		label := strings.TrimSpace(args[i+1:])
		if !model.LabelName(label).IsValidLegacy() {
			return []string{fmt.Sprintf("label_values: %q is not a label name", label)}
		}
		return checkPromQL(args[:i])
	}
	return nil
}
