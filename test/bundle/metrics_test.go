package bundle

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/liftgate/liftgate/exporter/collector"
	"github.com/liftgate/liftgate/exporter/evaluator"
)

// noSnapshots satisfies collector.Snapshotter for Describe, which never
// reads a snapshot.
type noSnapshots struct{}

func (noSnapshots) Snapshot() evaluator.Snapshot { return evaluator.Snapshot{} }

var descName = regexp.MustCompile(`fqName: "([^"]+)".*variableLabels: \{([^}]*)\}`)

// exporterFamilies lists what liftgate_exporter publishes, family name to
// label names, straight from its collectors.
func exporterFamilies(t *testing.T) map[string][]string {
	t.Helper()
	ch := make(chan *prometheus.Desc, 256)
	collector.New(noSnapshots{}, nil).Describe(ch)
	// The rollout outcomes come from the decision log's own collector.
	collector.NewOutcomes(nil, nil).Describe(ch)
	versioncollector.NewCollector("liftgate_exporter").Describe(ch)
	close(ch)
	out := map[string][]string{}
	for d := range ch {
		m := descName.FindStringSubmatch(d.String())
		if m == nil {
			t.Fatalf("cannot read %s", d)
		}
		var labels []string
		for _, l := range strings.Split(m[2], ",") {
			if l = strings.TrimSpace(l); l != "" {
				labels = append(labels, l)
			}
		}
		out[m[1]] = labels
	}
	if len(out) < 10 {
		t.Fatalf("only %d families described", len(out))
	}
	return out
}

// bundleExprs collects every PromQL expression of the bundle that reads
// liftgate's metrics: rule expressions, Prometheus dashboard queries and the
// controllers' queries.
func bundleExprs(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for path, groups := range ruleFiles(t) {
		for _, g := range groups.Groups {
			for _, r := range g.Rules {
				out[rel(t, path)+": "+r.Alert+r.Record] = r.Expr
			}
		}
	}
	for _, d := range loadDashboards(t) {
		for _, p := range d.panels() {
			for i, tg := range list(p["targets"]) {
				if str(obj(obj(tg)["datasource"])["type"]) == "prometheus" {
					out[d.name+": "+panelName(p)+" target "+fmt.Sprint(i)] = str(obj(tg)["expr"])
				}
			}
		}
	}
	docs := loadControllerDocs(t)
	for _, at := range docs.analysisTemplates {
		for _, m := range at.Spec.Metrics {
			if m.Provider.Prometheus != nil {
				out["AnalysisTemplate "+at.Metadata.Name+"/"+m.Name] = argoArg.ReplaceAllString(m.Provider.Prometheus.Query, "x")
			}
		}
	}
	for _, mt := range docs.metricTemplates {
		out["MetricTemplate "+mt.Metadata.Name] = flaggerVar.ReplaceAllString(mt.Spec.Query, "x")
	}
	return out
}

// Every liftgate metric the bundle reads is one the exporter publishes (or
// a recording rule), and every label it matches on is one that family has
// (or a target label): a renamed metric or label in the exporter would
// otherwise leave alerts and gates silently reading nothing.
func TestBundleReadsTheExporterMetrics(t *testing.T) {
	families := exporterFamilies(t)
	recorded := map[string]bool{}
	for _, groups := range ruleFiles(t) {
		for _, g := range groups.Groups {
			for _, r := range g.Rules {
				if r.Record != "" {
					recorded[r.Record] = true
				}
			}
		}
	}
	targetLabels := []string{"job", "instance", "__name__"}
	used := map[string]bool{}
	for where, expr := range bundleExprs(t) {
		e, err := parser.NewParser(parser.Options{}).ParseExpr(grafanaIntervals.ReplaceAllString(expr, "5m"))
		if err != nil {
			t.Errorf("%s: %v", where, err)
			continue
		}
		parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
			vs, ok := n.(*parser.VectorSelector)
			if !ok || !strings.Contains(vs.Name, "liftgate_") {
				return nil
			}
			used[vs.Name] = true
			if recorded[vs.Name] {
				return nil
			}
			labels, ok := families[vs.Name]
			if !ok {
				t.Errorf("%s: reads %s, which liftgate_exporter does not publish", where, vs.Name)
				return nil
			}
			for _, m := range vs.LabelMatchers {
				if !slices.Contains(labels, m.Name) && !slices.Contains(targetLabels, m.Name) {
					t.Errorf("%s: matches %s on label %q; the family has %v", where, vs.Name, m.Name, labels)
				}
			}
			return nil
		})
	}
	// The families an operator needs are all read somewhere in the bundle.
	for _, want := range []string{"liftgate_experiment_verdict", "liftgate_experiment_decision", "liftgate_experiment_srm_mismatch",
		"liftgate_last_evaluation_success", "liftgate_last_evaluation_timestamp_seconds", "liftgate_exporter_build_info",
		"liftgate_experiment_metric_info"} {
		if !used[want] {
			t.Errorf("no rule, dashboard or gate reads %s", want)
		}
	}
	var names []string
	for n := range used {
		names = append(names, n)
	}
	sort.Strings(names)
	t.Logf("liftgate series read by the bundle: %v", names)
}
