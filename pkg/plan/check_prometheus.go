package plan

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/liftgate/liftgate/pkg/telemetry/promql"
)

// minTelemetryStep is the finest resolution accepted: Prometheus rejects
// query_range steps below a millisecond and scrapes are seldom below 1s.
const minTelemetryStep = Duration(time.Second)

// checkPrometheusFields applies the metric-level rules of a prometheus
// metric: its series come from the prometheus block, so the event-store
// fields make no sense.
func checkPrometheusFields(c *checker, at string, m *Metric) {
	eventOnly := []struct {
		field string
		set   bool
	}{
		{"event", m.Event != ""},
		{"property", m.Property != ""},
		{"numerator", m.Numerator != nil},
		{"denominator", m.Denominator != nil},
		{"window", m.Window != 0},
		{"cuped", m.CUPED != nil},
	}
	for _, f := range eventOnly {
		if f.set {
			c.add(at+"."+f.field, "prometheus metrics read their series from the prometheus block; remove %s", f.field)
		}
	}
	if m.Prometheus == nil {
		c.add(at+".prometheus", "required for prometheus metrics: {query: PROMQL}, {numerator: SELECTOR, denominator: SELECTOR} or {histogram: SELECTOR_bucket, quantile: 0.99}")
	}
}

// checkTelemetry validates every prometheus block and the plan's telemetry
// block. PromQL is parsed with the Prometheus parser, so an expression the
// server would reject is reported here, at its line.
func checkTelemetry(c *checker, p *Plan) {
	for i := range p.Metrics {
		m := &p.Metrics[i]
		field := fieldAt("metrics", i, "prometheus")
		switch {
		case m.Prometheus == nil:
		case m.Kind != KindPrometheus:
			if m.Kind != "" {
				c.add(field, "only prometheus metrics have a prometheus block (this metric is kind %s)", m.Kind)
			}
		default:
			checkPrometheusBlock(c, field, p, m.Prometheus)
			if m.Prometheus.Method == MethodMannWhitney && m.Margin != nil {
				c.add(fieldAt("metrics", i, "margin"), "method: %s has no margin; its tolerance plays that part", MethodMannWhitney)
			}
		}
	}
	if p.Telemetry != nil {
		checkTelemetryBlock(c, p, p.Telemetry)
	}
}

func checkPrometheusBlock(c *checker, field string, p *Plan, pm *PrometheusMetric) {
	var forms []string
	if pm.Query != "" {
		forms = append(forms, "query")
	}
	if pm.Numerator != "" || pm.Denominator != "" {
		forms = append(forms, "numerator/denominator")
	}
	if pm.Histogram != "" || pm.Quantile != 0 {
		forms = append(forms, "histogram/quantile")
	}
	switch len(forms) {
	case 0:
		c.add(field, "set one of query (PromQL giving one series per arm), numerator and denominator (counter selectors), or histogram and quantile")
	case 1:
	default:
		c.add(field, "set only one of query, numerator/denominator or histogram/quantile; got %s", strings.Join(forms, " and "))
	}

	label := pm.ArmLabel
	labelField := field + ".arm_label"
	if label == "" && p.Telemetry != nil {
		label, labelField = p.Telemetry.ArmLabel, "telemetry.arm_label"
	}
	switch {
	case label == "":
		c.add(field+".arm_label", "required (here or as telemetry.arm_label): the series label that tells arms apart, e.g. variant")
	case pm.ArmLabel != "" && !promql.ValidLabelName(pm.ArmLabel):
		c.add(labelField, "%q is not a label name: UTF-8, not empty, not starting with __", pm.ArmLabel)
		label = ""
	case !promql.ValidLabelName(label):
		label = "" // reported with the telemetry block
	}

	if pm.Query != "" {
		if err := promql.CheckArmQuery(pm.Query, label); err != nil {
			c.add(field+".query", "invalid PromQL for a per-arm query: %v", err)
		}
	}
	if pm.Numerator != "" || pm.Denominator != "" {
		for _, part := range []struct{ name, expr string }{{"numerator", pm.Numerator}, {"denominator", pm.Denominator}} {
			if part.expr == "" {
				c.add(field+"."+part.name, "required: numerator and denominator go together, each a counter selector like http_requests_total{job=\"api\"}")
				continue
			}
			if err := promql.CheckSelector(part.expr, label, ""); err != nil {
				c.add(field+"."+part.name, "invalid counter selector: %v", err)
			}
		}
	}
	if pm.Histogram != "" || pm.Quantile != 0 {
		if pm.Histogram == "" {
			c.add(field+".histogram", "required with quantile: the histogram's _bucket selector, e.g. http_request_duration_seconds_bucket{job=\"api\"}")
		} else if err := promql.CheckSelector(pm.Histogram, label, "_bucket"); err != nil {
			c.add(field+".histogram", "invalid histogram selector: %v", err)
		}
		switch {
		case pm.Quantile == 0:
			c.add(field+".quantile", "required with histogram: a quantile in (0, 1), e.g. 0.99")
		case !(pm.Quantile > 0 && pm.Quantile < 1):
			c.add(field+".quantile", "must be in (0, 1), e.g. 0.99 for p99; got %g", pm.Quantile)
		}
	}

	if pm.ArmValues != nil {
		checkArmValues(c, field+".arm_values", p, pm.ArmValues)
	}
	checkStep(c, field+".step", pm.Step)
	step := p.TelemetryArms(pm.ArmLabel, pm.ArmValues, pm.Step).Step
	switch b := pm.Batch.D(); {
	case pm.Batch == 0:
	case b < step:
		c.add(field+".batch", "must be at least the step (%s), got %s", Duration(step), pm.Batch)
	case step > 0 && b%step != 0:
		c.add(field+".batch", "must be a whole number of steps (%s), got %s", Duration(step), pm.Batch)
	}

	methods := []string{MethodBatchMeans, MethodMannWhitney}
	if pm.Method != "" && !slices.Contains(methods, pm.Method) {
		c.add(field+".method", "must be one of %s, got %q", oneOf(methods...), pm.Method)
	}
	switch {
	case pm.Tolerance < 0:
		c.add(field+".tolerance", "must be > 0 (a fraction of |estimate|, Kayenta's default 0.25), got %g", pm.Tolerance)
	case pm.Tolerance > 0 && pm.Method != MethodMannWhitney:
		c.add(field+".tolerance", "only method: %s takes a tolerance; remove it or set the method", MethodMannWhitney)
	}
}

func checkTelemetryBlock(c *checker, p *Plan, t *Telemetry) {
	label := t.ArmLabel
	if label != "" && !promql.ValidLabelName(label) {
		c.add("telemetry.arm_label", "%q is not a label name: UTF-8, not empty, not starting with __", label)
		label = ""
	}
	if t.ArmValues != nil {
		checkArmValues(c, "telemetry.arm_values", p, t.ArmValues)
	}
	checkStep(c, "telemetry.step", t.Step)
	if t.Requests != "" {
		if t.ArmLabel == "" {
			c.add("telemetry.arm_label", "required with telemetry.requests: the series label that tells arms apart, e.g. variant")
		}
		if err := promql.CheckSelector(t.Requests, label, ""); err != nil {
			c.add("telemetry.requests", "invalid counter selector: %v", err)
		}
	}
	if t.Deployments != "" {
		if err := promql.CheckVector(t.Deployments); err != nil {
			c.add("telemetry.deployments", "invalid PromQL: %v", err)
		}
	}
}

// checkArmValues wants known arms mapped to distinct, non-empty label values
// (an arm left out keeps its own name, and counts in the distinctness).
func checkArmValues(c *checker, field string, p *Plan, values map[string]string) {
	arms := p.ArmNames()
	for _, arm := range sortedKeys(values) {
		v := values[arm]
		switch {
		case !c.failedUnder("arms") && !slices.Contains(arms, arm):
			c.add(field+"."+arm, "not an arm; arm_values maps the arms (%s) to label values", oneOf(arms...))
		case v == "":
			c.add(field+"."+arm, "must not be empty: the label value of this arm's series")
		case !utf8.ValidString(v):
			c.add(field+"."+arm, "must be valid UTF-8")
		}
	}
	if c.failedUnder("arms") {
		return
	}
	owner := map[string]string{}
	for _, arm := range arms {
		v, ok := values[arm]
		if !ok {
			v = arm
		}
		if prev, dup := owner[v]; dup {
			c.add(field, "arms %s and %s both map to the label value %q; each arm needs its own", prev, arm, v)
			continue
		}
		owner[v] = arm
	}
}

func checkStep(c *checker, field string, step Duration) {
	if step != 0 && step < minTelemetryStep {
		c.add(field, "must be at least %s, got %s", minTelemetryStep, step)
	}
}
