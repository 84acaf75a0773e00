package plugin

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/common/config"

	"github.com/liftgate/liftgate/pkg/models"
	"github.com/liftgate/liftgate/pkg/plan"
	"github.com/liftgate/liftgate/pkg/telemetry"
	"github.com/liftgate/liftgate/pkg/telemetry/promql"
)

// openTelemetry builds the Prometheus source the settings name; nil when
// no Prometheus URL is configured (telemetry queries then say so). It does
// not contact the server.
func openTelemetry(cfg *models.DataSourceConfig) (telemetry.Source, error) {
	st := cfg.Settings
	if st.PrometheusURL == "" {
		return nil, nil
	}
	httpCfg := config.DefaultHTTPClientConfig
	switch st.PrometheusAuth {
	case models.PrometheusAuthBasic:
		httpCfg.BasicAuth = &config.BasicAuth{Username: st.PrometheusUser, Password: config.Secret(cfg.Secrets.PrometheusPassword)}
	case models.PrometheusAuthBearer:
		httpCfg.Authorization = &config.Authorization{Type: "Bearer", Credentials: config.Secret(cfg.Secrets.PrometheusToken)}
	}
	src, err := telemetry.NewPrometheus(telemetry.PrometheusConfig{URL: st.PrometheusURL, HTTP: httpCfg, Timeout: cfg.Timeout})
	if err != nil {
		return nil, &models.SettingsError{Field: "prometheusUrl", Message: err.Error()}
	}
	return src, nil
}

// checkTelemetry runs a query every Prometheus answers.
func checkTelemetry(ctx context.Context, src telemetry.Source, now time.Time) error {
	_, err := src.QueryRange(ctx, "vector(1)", telemetry.Range{Start: now.Add(-time.Minute), End: now, Step: time.Minute})
	return err
}

// errNoPrometheus is the answer to a telemetry query without Prometheus.
var errNoPrometheus = &models.SettingsError{Field: "prometheusUrl", Message: "is empty: telemetry queries need a Prometheus URL in the data source settings"}

// adHocMetric is the name of the prometheus metric a query's PromQL
// expression becomes; parentheses keep it from clashing with plan names.
const adHocMetric = "(query)"

// telemetryMetric returns the plan (a copy when the query brings its own
// expression) and the name of the prometheus metric to read: the query's
// expression with its arm label, or one of the plan's prometheus metrics.
// step, when positive, overrides the metric's step.
func telemetryMetric(p *plan.Plan, q *models.Query, expr string, metric string, step time.Duration) (*plan.Plan, string, error) {
	var m plan.Metric
	if expr != "" {
		m = plan.Metric{Name: adHocMetric, Role: plan.RoleSecondary, Kind: plan.KindPrometheus, Direction: plan.DirectionIncrease,
			Prometheus: &plan.PrometheusMetric{Query: expr, ArmLabel: q.ArmLabel}}
	} else {
		pm, ok := p.MetricByName(metric)
		if !ok || pm.Kind != plan.KindPrometheus {
			return nil, "", &models.QueryError{Field: models.FieldMetric, Message: fmt.Sprintf("%q is not a Prometheus metric of experiment %s; pick one or write a PromQL expression", metric, p.ID)}
		}
		m = *pm
		cp := *pm.Prometheus
		m.Prometheus = &cp
		if q.ArmLabel != "" {
			m.Prometheus.ArmLabel = q.ArmLabel
		}
	}
	if step > 0 {
		m.Prometheus.Step = plan.Duration(step)
	}
	label := p.Resolved(&m).ArmLabel
	switch {
	case label == "":
		return nil, "", &models.QueryError{Field: models.FieldArmLabel, Message: fmt.Sprintf("is required: the series label that tells arms apart (experiment %s sets no telemetry.arm_label)", p.ID)}
	case !promql.ValidLabelName(label):
		return nil, "", &models.QueryError{Field: models.FieldArmLabel, Message: fmt.Sprintf("%q is not a Prometheus label name", label)}
	}
	if expr != "" {
		if err := promql.CheckArmQuery(expr, label); err != nil {
			return nil, "", &models.QueryError{Field: models.FieldExpr, Message: err.Error()}
		}
	}
	out := *p
	out.Metrics = make([]plan.Metric, 0, len(p.Metrics)+1)
	for _, pm := range p.Metrics {
		if pm.Name != m.Name {
			out.Metrics = append(out.Metrics, pm)
		}
	}
	out.Metrics = append(out.Metrics, m)
	return &out, m.Name, nil
}
