package plan

import (
	"strings"
	"testing"
	"time"
)

// telemetryPlan is a valid plan with every telemetry form, one field per
// line so that a test can break one line and know where the problem must be
// reported (line numbers on the right, for reading only). A missing field is
// reported where its parent mapping starts: the line of the parent's first
// key.
var telemetryPlan = strings.Join([]string{
	"id: canary-api",                  //  1
	"start: 2026-11-01T00:00:00Z",     //  2
	"control: stable",                 //  3
	"arms:",                           //  4
	"  - {name: stable, weight: 0.5}", //  5
	"  - {name: canary, weight: 0.5}", //  6
	"exposure: {event: e, experiment_property: x, arm_property: y}", //  7
	"telemetry:",           //  8
	"  arm_label: variant", //  9
	"  step: 1m",           // 10
	`  requests: http_requests_total{job="api"}`, // 11
	"  deployments: changes(build_info[5m]) > 0", // 12
	"metrics:",                    // 13
	"  - name: error_rate",        // 14
	"    role: primary",           // 15
	"    kind: prometheus",        // 16
	"    direction: decrease",     // 17
	"    margin: {relative: 0.1}", // 18
	"    prometheus:",             // 19
	`      numerator: http_requests_total{job="api",code=~"5.."}`, // 20
	`      denominator: http_requests_total{job="api"}`,           // 21
	"      batch: 5m",         // 22
	"  - name: p99",           // 23
	"    role: guardrail",     // 24
	"    kind: prometheus",    // 25
	"    direction: decrease", // 26
	"    prometheus:",         // 27
	`      histogram: http_request_duration_seconds_bucket{job="api"}`, // 28
	"      quantile: 0.99",    // 29
	"  - name: cpu",           // 30
	"    role: secondary",     // 31
	"    kind: prometheus",    // 32
	"    direction: decrease", // 33
	"    prometheus:",         // 34
	`      query: sum(rate(process_cpu_seconds_total{job="api"}[1m]))`, // 35
	"      arm_label: version",                   // 36
	"      arm_values: {stable: v1, canary: v2}", // 37
	"      method: mann_whitney",                 // 38
	"      tolerance: 0.2",                       // 39
}, "\n") + "\n"

func editTelemetry(edits map[int]string) string {
	lines := strings.Split(strings.TrimSuffix(telemetryPlan, "\n"), "\n")
	for n, text := range edits {
		lines[n-1] = text
	}
	return strings.Join(lines, "\n") + "\n"
}

func TestTelemetryPlanIsValid(t *testing.T) {
	if problems := problemsOf(t, telemetryPlan); len(problems) != 0 {
		t.Fatalf("telemetry plan has problems:\n%s", problemLines(problems))
	}
}

// TestTelemetryRules breaks one telemetry rule at a time; each problem must
// name the field, sit on the line that holds it and say what was expected.
func TestTelemetryRules(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		field   string
		line    int
		message string
	}{
		{"no block", editTelemetry(map[int]string{19: "#", 20: "#", 21: "#", 22: "#"}), "metrics[0].prometheus", 14, "required for prometheus metrics"},
		{"no form", editTelemetry(map[int]string{20: "#", 21: "#"}), "metrics[0].prometheus", 22, "set one of query"},
		{"two forms", editTelemetry(map[int]string{22: "      query: sum(up)"}), "metrics[0].prometheus", 20, "set only one of query, numerator/denominator or histogram/quantile; got query and numerator/denominator"},
		{"numerator alone", editTelemetry(map[int]string{21: "#"}), "metrics[0].prometheus.denominator", 20, "numerator and denominator go together"},
		{"numerator not a selector", editTelemetry(map[int]string{20: "      numerator: rate(x[1m])"}), "metrics[0].prometheus.numerator", 20, "must be a plain series selector"},
		{"numerator offset", editTelemetry(map[int]string{20: "      numerator: x offset 5m"}), "metrics[0].prometheus.numerator", 20, "must not use offset"},
		{"numerator bad syntax", editTelemetry(map[int]string{20: `      numerator: 'x{job="api"'`}), "metrics[0].prometheus.numerator", 20, "invalid counter selector"},
		{"numerator sets arm label", editTelemetry(map[int]string{20: `      numerator: 'x{variant="canary"}'`}), "metrics[0].prometheus.numerator", 20, `already matches on the arm label "variant"`},
		{"histogram not bucket", editTelemetry(map[int]string{28: "      histogram: http_request_duration_seconds_sum"}), "metrics[1].prometheus.histogram", 28, "_bucket"},
		{"quantile missing", editTelemetry(map[int]string{29: "#"}), "metrics[1].prometheus.quantile", 28, "required with histogram"},
		{"quantile one", editTelemetry(map[int]string{29: "      quantile: 1"}), "metrics[1].prometheus.quantile", 29, "must be in (0, 1)"},
		{"quantile without histogram", editTelemetry(map[int]string{28: "#"}), "metrics[1].prometheus.histogram", 29, "required with quantile"},
		{"query range vector", editTelemetry(map[int]string{35: "      query: process_cpu_seconds_total[5m]"}), "metrics[2].prometheus.query", 35, "instant vector, got a matrix"},
		{"query scalar", editTelemetry(map[int]string{35: "      query: 1 + 1"}), "metrics[2].prometheus.query", 35, "instant vector, got a scalar"},
		{"query bad syntax", editTelemetry(map[int]string{35: "      query: sum(rate(x[1m])"}), "metrics[2].prometheus.query", 35, "invalid PromQL"},
		{"query already on arm label", editTelemetry(map[int]string{35: `      query: sum(x{version="v1"})`}), "metrics[2].prometheus.query", 35, `already matches on the arm label "version"`},
		{"query arm label in subquery", editTelemetry(map[int]string{35: `      query: max_over_time(sum(x{version=~"v.*"})[5m:1m])`}), "metrics[2].prometheus.query", 35, "already matches"},
		{"arm label reserved", editTelemetry(map[int]string{36: "      arm_label: __name__"}), "metrics[2].prometheus.arm_label", 36, "not a label name"},
		{"no arm label anywhere", editTelemetry(map[int]string{9: "#", 11: "#"}), "metrics[0].prometheus.arm_label", 20, "required (here or as telemetry.arm_label)"},
		{"arm values unknown arm", editTelemetry(map[int]string{37: "      arm_values: {stable: v1, beta: v2}"}), "metrics[2].prometheus.arm_values.beta", 37, "not an arm"},
		{"arm values empty", editTelemetry(map[int]string{37: `      arm_values: {stable: "", canary: v2}`}), "metrics[2].prometheus.arm_values.stable", 37, "must not be empty"},
		{"arm values clash", editTelemetry(map[int]string{37: "      arm_values: {stable: canary}"}), "metrics[2].prometheus.arm_values", 37, "both map to the label value \"canary\""},
		{"method unknown", editTelemetry(map[int]string{38: "      method: t_test"}), "metrics[2].prometheus.method", 38, `must be one of batch_means, mann_whitney, got "t_test"`},
		{"tolerance without mann whitney", editTelemetry(map[int]string{38: "#"}), "metrics[2].prometheus.tolerance", 39, "only method: mann_whitney takes a tolerance"},
		{"tolerance negative", editTelemetry(map[int]string{39: "      tolerance: -1"}), "metrics[2].prometheus.tolerance", 39, "must be > 0"},
		{"batch below step", editTelemetry(map[int]string{22: "      batch: 30s"}), "metrics[0].prometheus.batch", 22, "at least the step (1m)"},
		{"batch not whole steps", editTelemetry(map[int]string{22: "      batch: 90s"}), "metrics[0].prometheus.batch", 22, "whole number of steps"},
		{"step too fine", editTelemetry(map[int]string{10: "  step: 10ms"}), "telemetry.step", 10, "at least 1s"},
		{"event field on prometheus", editTelemetry(map[int]string{17: "    direction: decrease\n    event: purchase"}), "metrics[0].event", 18, "remove event"},
		{"window on prometheus", editTelemetry(map[int]string{17: "    direction: decrease\n    window: 1h"}), "metrics[0].window", 18, "remove window"},
		{"block on event metric", strings.Replace(basePlan, "    direction: increase\n", "    direction: increase\n    prometheus: {query: sum(up)}\n", 1), "metrics[0].prometheus", 23, "only prometheus metrics have a prometheus block"},
		{"requests not a selector", editTelemetry(map[int]string{11: "  requests: sum(http_requests_total)"}), "telemetry.requests", 11, "plain series selector"},
		{"requests without arm label", editTelemetry(map[int]string{9: "#"}), "telemetry.arm_label", 10, "required with telemetry.requests"},
		{"deployments bad", editTelemetry(map[int]string{12: "  deployments: changes(build_info[5m] > 0"}), "telemetry.deployments", 12, "invalid PromQL"},
		{"telemetry unknown field", editTelemetry(map[int]string{12: "  deploys: x"}), "telemetry.deploys", 12, "unknown field"},
		{"prometheus unknown field", editTelemetry(map[int]string{22: "      interval: 5m"}), "metrics[0].prometheus.interval", 22, "unknown field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems := problemsOf(t, tt.src)
			for _, p := range problems {
				if p.Field == tt.field && strings.Contains(p.Message, tt.message) {
					if p.Line != tt.line {
						t.Errorf("reported on line %d, want %d: %s", p.Line, tt.line, p)
					}
					return
				}
			}
			t.Errorf("no problem %s: %q among:\n%s", tt.field, tt.message, problemLines(problems))
		})
	}
}

func TestResolvedTelemetrySettings(t *testing.T) {
	p, err := Parse([]byte(telemetryPlan), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	errRate := p.Resolved(&p.Metrics[0])
	if errRate.ArmLabel != "variant" || errRate.ArmValues["stable"] != "stable" || errRate.ArmValues["canary"] != "canary" {
		t.Errorf("error_rate arms = %q %v, want the telemetry block's label and the arms' own names", errRate.ArmLabel, errRate.ArmValues)
	}
	if errRate.Step.D() != time.Minute || errRate.Batch.D() != 5*time.Minute || errRate.Method != MethodBatchMeans {
		t.Errorf("error_rate step/batch/method = %s/%s/%s", errRate.Step, errRate.Batch, errRate.Method)
	}
	if got := p.Metrics[0].Prometheus.Form(); got != FormRatio {
		t.Errorf("form = %q, want ratio", got)
	}
	cpu := p.Resolved(&p.Metrics[2])
	if cpu.ArmLabel != "version" || cpu.ArmValues["stable"] != "v1" || cpu.ArmValues["canary"] != "v2" || cpu.Tolerance != 0.2 {
		t.Errorf("cpu = %+v, want its own label, values and tolerance", cpu)
	}
	if cpu.Batch.D() != 5*time.Minute {
		t.Errorf("cpu batch = %s, want the 5m default", cpu.Batch)
	}
	p.Metrics[2].Prometheus.Step = Duration(2 * time.Minute)
	if got := p.Resolved(&p.Metrics[2]).Batch.D(); got != 6*time.Minute {
		t.Errorf("default batch with 2m steps = %s, want 6m (3 whole steps)", got)
	}
	p.Metrics[2].Prometheus.Step = 0
	if p.Metrics[2].Prometheus.ArmValues["stable"] != "v1" || p.Metrics[0].Prometheus.ArmValues != nil {
		t.Error("Resolved changed the plan")
	}
}

// TestTelemetryHashIgnoresDefaults: writing a default out does not change
// the plan's hash, and changing a telemetry setting does.
func TestTelemetryHashIgnoresDefaults(t *testing.T) {
	hash := func(src string) string {
		t.Helper()
		p, err := Parse([]byte(src), "t.yaml")
		if err != nil {
			t.Fatal(err)
		}
		return p.Hash()
	}
	base := hash(telemetryPlan)
	same := hash(editTelemetry(map[int]string{22: "      batch: 5m\n      method: batch_means"}))
	if same != base {
		t.Errorf("method: batch_means written out changes the hash: %s vs %s", same, base)
	}
	if other := hash(editTelemetry(map[int]string{29: "      quantile: 0.95"})); other == base {
		t.Error("changing the quantile leaves the hash unchanged")
	}
	if other := hash(editTelemetry(map[int]string{12: "#"})); other == base {
		t.Error("removing the deployments expression leaves the hash unchanged")
	}
}
