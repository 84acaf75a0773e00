package promql

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// armMatchers parses q and returns, for every vector selector, the values
// of its matchers on label (so a test can check the injection by reading
// the printed query back with the parser, not by comparing strings).
func armMatchers(t *testing.T, q, label string) [][]*labels.Matcher {
	t.Helper()
	e, err := parser.NewParser(parser.Options{}).ParseExpr(q)
	if err != nil {
		t.Fatalf("injected query does not parse: %v\n%s", err, q)
	}
	var out [][]*labels.Matcher
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok {
			var ms []*labels.Matcher
			for _, m := range vs.LabelMatchers {
				if m.Name == label {
					ms = append(ms, m)
				}
			}
			out = append(out, ms)
		}
		return nil
	})
	return out
}

func TestInjectArmReachesEverySelector(t *testing.T) {
	tests := []struct {
		name      string
		expr      string
		selectors int
	}{
		{"plain", `http_requests_total`, 1},
		{"ratio of sums with on()", `sum(rate(errors_total[5m])) / on() group_left sum(rate(requests_total{job="api"}[5m]))`, 2},
		{"nested functions", `histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{job="api"}[5m])))`, 1},
		{"subquery", `max_over_time(rate(x_total[1m])[30m:1m])`, 1},
		{"subquery of a binary", `avg_over_time((sum(a) / sum(b))[10m:])`, 2},
		{"offset and at", `sum(x offset 1h) - sum(x @ 1793491200)`, 2},
		{"name matcher only", `{__name__="up", job="api"}`, 1},
		{"unless and or", `(a unless b) or c`, 3},
		{"label_replace", `label_replace(up, "x", "$1", "job", "(.*)")`, 1},
		{"aggregation with parameter", `topk(3, sum by (pod) (rate(cpu_seconds_total[5m])))`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := InjectArm(tt.expr, "variant", "canary")
			if err != nil {
				t.Fatal(err)
			}
			got := armMatchers(t, q, "variant")
			if len(got) != tt.selectors {
				t.Fatalf("%d selectors in %s, want %d", len(got), q, tt.selectors)
			}
			for i, ms := range got {
				if len(ms) != 1 || ms[0].Type != labels.MatchEqual || ms[0].Value != "canary" {
					t.Errorf("selector %d of %s: arm matchers %v, want exactly variant=\"canary\"", i, q, ms)
				}
			}
			// The rest of the query is unchanged: removing the matchers
			// gives back what the parser prints for the original.
			orig, _ := parser.NewParser(parser.Options{}).ParseExpr(tt.expr)
			back, _ := parser.NewParser(parser.Options{}).ParseExpr(q)
			parser.Inspect(back, func(n parser.Node, _ []parser.Node) error {
				if vs, ok := n.(*parser.VectorSelector); ok {
					kept := vs.LabelMatchers[:0]
					for _, m := range vs.LabelMatchers {
						if m.Name != "variant" {
							kept = append(kept, m)
						}
					}
					vs.LabelMatchers = kept
				}
				return nil
			})
			if back.String() != orig.String() {
				t.Errorf("query changed beyond the matcher:\n got %s\nwant %s", back, orig)
			}
		})
	}
}

// TestInjectArmHostileValues: quotes, backslashes, braces, newlines, PromQL
// syntax and unicode in an arm value stay one label value; the parser reads
// back exactly what was injected, and no selector gains anything else.
func TestInjectArmHostileValues(t *testing.T) {
	for _, v := range []string{
		`a"b`, `a\b`, `"} or vector(1) or {x="`, "line\nbreak", `{}[]()`, "ünïcødé ✓", "tab\there", `\"`, "",
		`variant="x"`, "\u0000nul", "\u202eright-to-left",
	} {
		q, err := InjectArm(`sum(rate(x_total{job="api"}[5m])) / sum(rate(y_total[5m]))`, "variant", v)
		if err != nil {
			t.Errorf("%q: %v", v, err)
			continue
		}
		for i, ms := range armMatchers(t, q, "variant") {
			if len(ms) != 1 || ms[0].Value != v {
				t.Errorf("%q: selector %d reads back %v in %s", v, i, ms, q)
			}
		}
		if n := len(armMatchers(t, q, "job")); n != 2 {
			t.Errorf("%q: %d selectors, want 2: %s", v, n, q)
		}
	}
}

func TestInjectArmUTF8LabelName(t *testing.T) {
	q, err := InjectArm(`sum(rate(http_server_requests_total[5m]))`, "feature_flag.result.variant", "on")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(q, `"feature_flag.result.variant"="on"`) {
		t.Errorf("UTF-8 label not quoted: %s", q)
	}
	if ms := armMatchers(t, q, "feature_flag.result.variant"); len(ms) != 1 || ms[0][0].Value != "on" {
		t.Errorf("read back %v", ms)
	}
	if LegacyLabelName("feature_flag.result.variant") || !LegacyLabelName("feature_flag_result_variant") {
		t.Error("LegacyLabelName is wrong about dots")
	}
}

func TestInjectArmRejects(t *testing.T) {
	var conflict *ArmLabelConflictError
	if _, err := InjectArm(`sum(x) / sum(y{variant="a"})`, "variant", "b"); !errors.As(err, &conflict) || conflict.Selector != `y{variant="a"}` {
		t.Errorf("an existing matcher on the arm label: %v", err)
	}
	if _, err := InjectArm(`sum(x{variant=~"a|b"})`, "variant", "b"); !errors.As(err, &conflict) {
		t.Errorf("an existing regex matcher on the arm label: %v", err)
	}
	for _, bad := range []struct{ expr, label string }{
		{`1 + 1`, "variant"},
		{`sum(x`, "variant"},
		{``, "variant"},
		{`x`, "__name__"},
		{`x`, ""},
		{"x\xff", "variant"},
	} {
		if _, err := InjectArm(bad.expr, bad.label, "a"); err == nil {
			t.Errorf("InjectArm(%q, %q) accepted", bad.expr, bad.label)
		}
	}
	if _, err := InjectArm("x", "variant", "bad\xff"); err == nil {
		t.Error("invalid UTF-8 value accepted")
	}
	if _, err := Parse(strings.Repeat("x", maxExprBytes+1)); err == nil {
		t.Error("huge expression accepted")
	}
}

func TestCheckSelector(t *testing.T) {
	ok := []string{`http_requests_total`, `http_requests_total{code=~"5.."}`, `{__name__="x_bucket", job="a"}`}
	for _, s := range ok {
		if err := CheckSelector(s, "variant", ""); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	bad := map[string]string{
		`rate(x[5m])`:        "function call",
		`sum(x)`:             "aggregation",
		`x[5m]`:              "range selector",
		`x offset 5m`:        "offset",
		`x @ 100`:            "offset or @",
		`{job="a"}`:          "must name a metric",
		`x{variant="a"}`:     "already matches",
		`a / b`:              "binary expression",
		`x_sum{job="a"}`:     "", // checked below with a suffix
		`x_bucket{le="0.1"}`: "",
	}
	for s, want := range bad {
		if want == "" {
			continue
		}
		if err := CheckSelector(s, "variant", ""); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", s, err, want)
		}
	}
	if err := CheckSelector(`x_sum{job="a"}`, "variant", "_bucket"); err == nil || !strings.Contains(err.Error(), "_bucket") {
		t.Errorf("histogram suffix: %v", err)
	}
	if err := CheckSelector(`x_bucket{le="0.1"}`, "variant", "_bucket"); err != nil {
		t.Errorf("bucket selector: %v", err)
	}
}

func TestBuilders(t *testing.T) {
	q, err := SumIncrease(`x_total{job="a"}`, 5*time.Minute, "le")
	if err != nil || q != `sum by (le) (increase(x_total{job="a"}[5m]))` {
		t.Errorf("SumIncrease = %q, %v", q, err)
	}
	q, err = HistogramQuantile(0.99, `h_bucket`, time.Minute)
	if err != nil || q != `histogram_quantile(0.99, sum by (le) (increase(h_bucket[1m])))` {
		t.Errorf("HistogramQuantile = %q, %v", q, err)
	}
	if _, err := SumIncrease(`rate(x[1m])`, time.Minute); err == nil {
		t.Error("SumIncrease of a function accepted")
	}
	if _, err := SumIncrease(`x`, 0); err == nil {
		t.Error("zero window accepted")
	}
}

// FuzzInjectArm: whatever the arm value, the injected query parses and every
// selector matches exactly that value; whatever the expression, InjectArm
// returns an error or a query with one arm matcher per selector, never a
// panic.
func FuzzInjectArm(f *testing.F) {
	f.Add(`sum(rate(x_total[5m])) / on() sum(rate(y_total[5m]))`, "canary")
	f.Add(`histogram_quantile(0.9, sum by (le) (rate(h_bucket[1m])))`, `"} or {`)
	f.Add(`max_over_time(x[5m:1m])`, "\\\"")
	f.Add(`{__name__=~".+"}`, "ü")
	f.Add(`1`, "x")
	f.Fuzz(func(t *testing.T, expr, value string) {
		q, err := InjectArm(expr, "variant", value)
		if err != nil {
			return
		}
		e, err := parser.NewParser(parser.Options{}).ParseExpr(q)
		if err != nil {
			t.Fatalf("injected query %q does not parse: %v", q, err)
		}
		parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
			if vs, ok := n.(*parser.VectorSelector); ok {
				count := 0
				for _, m := range vs.LabelMatchers {
					if m.Name == "variant" {
						count++
						if m.Type != labels.MatchEqual || m.Value != value {
							t.Fatalf("selector %s has %s, want variant=%q", vs, m, value)
						}
					}
				}
				if count != 1 {
					t.Fatalf("selector %s has %d arm matchers", vs, count)
				}
			}
			return nil
		})
	})
}
