package plan

import (
	"maps"
	"time"
)

// Telemetry comparison methods.
const (
	// MethodBatchMeans compares per-arm batch means of the series, sized so
	// that autocorrelation does not masquerade as evidence (the default).
	MethodBatchMeans = "batch_means"
	// MethodMannWhitney is Kayenta's judge: a rank test on every point at 98%
	// confidence with an effect-size tolerance, for teams migrating from it.
	MethodMannWhitney = "mann_whitney"
)

// Telemetry defaults.
const (
	DefaultTelemetryStep  = Duration(time.Minute)
	DefaultTelemetryBatch = Duration(5 * time.Minute)
	DefaultTolerance      = 0.25
)

// PrometheusMetric is a telemetry metric read from Prometheus (kind:
// prometheus). Exactly one form is set:
//
//   - Query: a PromQL expression evaluated once per arm, with the arm matcher
//     added to every selector; it must return one series (aggregate it);
//   - Numerator and Denominator: counter selectors whose increases per arm
//     form a ratio (errors per request);
//   - Histogram and Quantile: a classic histogram's _bucket selector and the
//     quantile to compare (0.99 for p99).
//
// ArmLabel, ArmValues and Step fall back to the plan's telemetry block.
type PrometheusMetric struct {
	Query       string  `yaml:"query,omitempty" json:"query,omitempty"`
	Numerator   string  `yaml:"numerator,omitempty" json:"numerator,omitempty"`
	Denominator string  `yaml:"denominator,omitempty" json:"denominator,omitempty"`
	Histogram   string  `yaml:"histogram,omitempty" json:"histogram,omitempty"`
	Quantile    float64 `yaml:"quantile,omitempty" json:"quantile,omitempty"`
	// ArmLabel is the series label that tells arms apart, e.g. variant.
	ArmLabel string `yaml:"arm_label,omitempty" json:"arm_label,omitempty"`
	// ArmValues maps plan arm names to that label's values; an arm left out
	// uses its own name.
	ArmValues map[string]string `yaml:"arm_values,omitempty" json:"arm_values,omitempty"`
	// Step is the resolution of the series (query_range step and the window
	// of each increase).
	Step Duration `yaml:"step,omitempty" json:"step,omitempty"`
	// Batch is the shortest batch for batch means, a multiple of Step; the
	// engine lengthens it when the series is strongly autocorrelated.
	Batch  Duration `yaml:"batch,omitempty" json:"batch,omitempty"`
	Method string   `yaml:"method,omitempty" json:"method,omitempty"`
	// Tolerance is Kayenta's effect-size tolerance (mann_whitney only): a
	// shift counts only when its interval clears Tolerance·|estimate|.
	Tolerance float64 `yaml:"tolerance,omitempty" json:"tolerance,omitempty"`
}

// Telemetry is plan-wide telemetry configuration: defaults for prometheus
// metrics, the request counter for the traffic-split check and the
// expression that marks deployments.
type Telemetry struct {
	ArmLabel  string            `yaml:"arm_label,omitempty" json:"arm_label,omitempty"`
	ArmValues map[string]string `yaml:"arm_values,omitempty" json:"arm_values,omitempty"`
	Step      Duration          `yaml:"step,omitempty" json:"step,omitempty"`
	// Requests is a counter selector (e.g. http_requests_total{job="api"})
	// whose increase per arm is checked against the weights in force.
	Requests string `yaml:"requests,omitempty" json:"requests,omitempty"`
	// Deployments is PromQL whose samples mark deployments, e.g.
	// changes(build_info{job="api"}[5m]) > 0; evaluated as written.
	Deployments string `yaml:"deployments,omitempty" json:"deployments,omitempty"`
}

// TelemetryArms is how one telemetry query tells arms apart.
type TelemetryArms struct {
	Label string
	// Values maps every plan arm to its label value.
	Values map[string]string
	Step   time.Duration
}

// Form names of a prometheus metric.
const (
	FormQuery     = "query"
	FormRatio     = "ratio"
	FormHistogram = "histogram"
)

// Form says which of the three forms the metric uses ("" when none is set).
func (pm *PrometheusMetric) Form() string {
	switch {
	case pm == nil:
		return ""
	case pm.Query != "":
		return FormQuery
	case pm.Numerator != "" || pm.Denominator != "":
		return FormRatio
	case pm.Histogram != "":
		return FormHistogram
	}
	return ""
}

// Resolved returns the metric's settings with every default filled: the
// plan's telemetry block for the arm label, arm values and step, each arm's
// own name for an unmapped arm, 1m steps, batches of the fewest whole steps
// lasting 5m, batch means, and a 0.25 tolerance for mann_whitney.
func (p *Plan) Resolved(m *Metric) PrometheusMetric {
	var out PrometheusMetric
	if m.Prometheus != nil {
		out = *m.Prometheus
	}
	arms := p.TelemetryArms(out.ArmLabel, out.ArmValues, out.Step)
	out.ArmLabel, out.ArmValues, out.Step = arms.Label, arms.Values, Duration(arms.Step)
	if out.Batch == 0 && out.Step > 0 {
		// The shortest whole number of steps lasting at least 5m.
		steps := (DefaultTelemetryBatch + out.Step - 1) / out.Step
		out.Batch = steps * out.Step
	}
	if out.Method == "" {
		out.Method = MethodBatchMeans
	}
	if out.Method == MethodMannWhitney && out.Tolerance == 0 {
		out.Tolerance = DefaultTolerance
	}
	return out
}

// TelemetryArms resolves an arm label, arm values and step against the
// plan's telemetry block and arms. Empty arguments take the block's values,
// then the defaults (each arm's own name, 1m).
func (p *Plan) TelemetryArms(label string, values map[string]string, step Duration) TelemetryArms {
	var t Telemetry
	if p.Telemetry != nil {
		t = *p.Telemetry
	}
	if label == "" {
		label = t.ArmLabel
	}
	if values == nil {
		values = t.ArmValues
	}
	if step == 0 {
		step = t.Step
	}
	if step == 0 {
		step = DefaultTelemetryStep
	}
	resolved := make(map[string]string, len(p.Arms))
	for _, a := range p.Arms {
		v, ok := values[a.Name]
		if !ok {
			v = a.Name
		}
		resolved[a.Name] = v
	}
	return TelemetryArms{Label: label, Values: resolved, Step: step.D()}
}

// normalized fills the defaults that do not depend on the rest of the plan,
// so that writing them out or leaving them out hashes alike.
func (pm *PrometheusMetric) normalized() *PrometheusMetric {
	if pm == nil {
		return nil
	}
	n := *pm
	n.ArmValues = maps.Clone(pm.ArmValues)
	if n.Method == "" {
		n.Method = MethodBatchMeans
	}
	if n.Method == MethodMannWhitney && n.Tolerance == 0 {
		n.Tolerance = DefaultTolerance
	}
	return &n
}
