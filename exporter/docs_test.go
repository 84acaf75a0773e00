package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/liftgate/liftgate/exporter/collector"
	"github.com/liftgate/liftgate/exporter/internal/e2e"
)

// TestMetricsDocPromQL parses every PromQL example of docs/metrics.md and
// checks that each liftgate_* name it uses is a family the exporter serves,
// and that every family the exporter serves is documented.
func TestMetricsDocPromQL(t *testing.T) {
	doc, err := os.ReadFile(repoPath("docs", "metrics.md"))
	if err != nil {
		t.Fatal(err)
	}
	served := servedFamilies(t)

	blocks := regexp.MustCompile("(?s)```promql\n(.*?)```").FindAllStringSubmatch(string(doc), -1)
	if len(blocks) < 20 {
		t.Fatalf("only %d promql blocks in docs/metrics.md", len(blocks))
	}
	p := parser.NewParser(parser.Options{})
	for _, b := range blocks {
		for _, expr := range splitExpressions(b[1]) {
			e, err := p.ParseExpr(expr)
			if err != nil {
				t.Errorf("docs/metrics.md: %q does not parse: %v", expr, err)
				continue
			}
			parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
				if vs, ok := n.(*parser.VectorSelector); ok && strings.HasPrefix(vs.Name, "liftgate_") && !served[baseFamily(vs.Name)] {
					t.Errorf("docs/metrics.md uses %s, which the exporter does not serve", vs.Name)
				}
				return nil
			})
		}
	}
	for name := range served {
		if strings.HasPrefix(name, "liftgate_") && !strings.Contains(string(doc), name) {
			t.Errorf("%s is served but not documented in docs/metrics.md", name)
		}
	}
}

// servedFamilies scrapes a running exporter with one evaluated plan with
// data and ingestion traffic, and adds the families the collector declares.
func servedFamilies(t *testing.T) map[string]bool {
	t.Helper()
	dir := t.TempDir()
	src, err := os.ReadFile(repoPath("examples", "checkout-v2.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	plansDir := dir + "/plans"
	if err := os.Mkdir(plansDir, 0o755); err != nil {
		t.Fatal(err)
	}
	e2e.WriteFile(t, plansDir, "checkout-v2.yaml", src)
	exp := e2e.StartExporter(t, exporterBin, "--plans.dir="+plansDir, "--store.path="+dir+"/events.duckdb", "--evaluation.interval=1s")
	ingestAll(t, exp.URL, "", exampleEvents(t)[:30000], 30000)
	waitEvaluations(t, exp, []string{"checkout-v2"}, 2)
	mfs, err := exp.Scrape()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for name := range mfs {
		out[name] = true
	}
	// Families this scrape cannot show (telemetry needs a Prometheus) are
	// still declared by the collector.
	ch := make(chan *prometheus.Desc, 100)
	collector.New(nil, nil).Describe(ch)
	close(ch)
	fqName := regexp.MustCompile(`fqName: "([^"]+)"`)
	for d := range ch {
		if m := fqName.FindStringSubmatch(d.String()); m != nil {
			out[m[1]] = true
		}
	}
	return out
}

// splitExpressions splits a block into its expressions: comment lines are
// dropped and a blank line (or a new comment after an expression) starts
// the next expression.
func splitExpressions(block string) []string {
	var out []string
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.Join(cur, "\n"))
			cur = nil
		}
	}
	for _, line := range strings.Split(block, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "":
			flush()
		case strings.HasPrefix(trimmed, "#"):
			flush()
		default:
			// A line that does not continue the previous one (continuations
			// are indented) starts a new expression.
			if len(cur) > 0 && !strings.HasPrefix(line, " ") {
				flush()
			}
			cur = append(cur, line)
		}
	}
	flush()
	return out
}

// baseFamily maps histogram series names to their family.
func baseFamily(name string) string {
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		if strings.HasSuffix(name, "_seconds"+suffix) {
			return strings.TrimSuffix(name, suffix)
		}
	}
	return name
}
