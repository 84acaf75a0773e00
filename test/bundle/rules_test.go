package bundle

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/common/model"
	"github.com/prometheus/common/promslog"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
	"gopkg.in/yaml.v3"
)

// ruleFiles parses every rule file the way Prometheus does, failing the
// test on any error.
func ruleFiles(t *testing.T) map[string]*rulefmt.RuleGroups {
	t.Helper()
	out := map[string]*rulefmt.RuleGroups{}
	for _, path := range globRepo(t, "rules/*.rules.yml") {
		groups, errs := rulefmt.ParseFile(path, false, model.UTF8Validation, parser.NewParser(parser.Options{}), promslog.NewNopLogger())
		for _, err := range errs {
			t.Errorf("%s: %v", rel(t, path), err)
		}
		if groups != nil {
			out[path] = groups
		}
	}
	return out
}

// alertRules lists every alerting rule by name.
func alertRules(t *testing.T) map[string]rulefmt.Rule {
	t.Helper()
	out := map[string]rulefmt.Rule{}
	for path, groups := range ruleFiles(t) {
		for _, g := range groups.Groups {
			for _, r := range g.Rules {
				if r.Alert == "" {
					continue
				}
				if _, dup := out[r.Alert]; dup {
					t.Errorf("%s: alert %s is defined twice", rel(t, path), r.Alert)
				}
				out[r.Alert] = r
			}
		}
	}
	return out
}

func TestRuleFilesParse(t *testing.T) {
	files := ruleFiles(t)
	if len(files) == 0 {
		t.Fatal("no rule file parsed")
	}
}

// Recording rule names follow Prometheus' level:metric:operations.
var recordingName = regexp.MustCompile(`^[a-z_]+:liftgate_[a-z_]+:[a-z_]+$`)

func TestRecordingRuleNames(t *testing.T) {
	for path, groups := range ruleFiles(t) {
		for _, g := range groups.Groups {
			for _, r := range g.Rules {
				if r.Record != "" && !recordingName.MatchString(r.Record) {
					t.Errorf("%s: recording rule %q is not level:liftgate_metric:operation", rel(t, path), r.Record)
				}
			}
		}
	}
}

// evidenceAnnotations are what an alert about a rollout's verdicts carries
// beyond its summary, so the receiver can act without opening a dashboard.
var evidenceAnnotations = map[string][]string{
	"LiftgateGuardrailHarmful":      {"stage", "effect", "interval"},
	"LiftgatePrimaryHarmful":        {"stage", "effect", "interval"},
	"LiftgateRollbackDecision":      {"stage", "evidence"},
	"LiftgateRegressionMultiSignal": {"stage", "telemetry", "behaviour"},
	"LiftgateSampleRatioMismatch":   {"stage", "units"},
}

func TestAlertsCarrySeverityRunbookAndEvidence(t *testing.T) {
	alerts := alertRules(t)
	for name := range evidenceAnnotations {
		if _, ok := alerts[name]; !ok {
			t.Errorf("alert %s is missing from rules/", name)
		}
	}
	docs := string(readFile(t, filepath.Join(repoRoot(t), "docs", "bundle.md")))
	for name, r := range alerts {
		if sev := r.Labels["severity"]; sev != "critical" && sev != "warning" {
			t.Errorf("%s: severity label %q, want critical or warning", name, sev)
		}
		for _, a := range []string{"summary", "description", "runbook_url"} {
			if strings.TrimSpace(r.Annotations[a]) == "" {
				t.Errorf("%s: no %s annotation", name, a)
			}
		}
		for _, a := range evidenceAnnotations[name] {
			if strings.TrimSpace(r.Annotations[a]) == "" {
				t.Errorf("%s: no %s annotation (evidence)", name, a)
			}
		}
		// The runbook is a section of docs/bundle.md named after the alert.
		anchor := strings.ToLower(name)
		if want := "docs/bundle.md#" + anchor; !strings.HasSuffix(r.Annotations["runbook_url"], want) {
			t.Errorf("%s: runbook_url %q does not end in %s", name, r.Annotations["runbook_url"], want)
		}
		if !strings.Contains(docs, "### "+name+"\n") {
			t.Errorf("%s: docs/bundle.md has no \"### %s\" runbook section", name, name)
		}
	}
}

// promtoolTests is the part of a promtool unit-test file this check reads.
type promtoolTests struct {
	RuleFiles []string `yaml:"rule_files"`
	Tests     []struct {
		Name      string `yaml:"name"`
		AlertTest []struct {
			Alertname string           `yaml:"alertname"`
			ExpAlerts []map[string]any `yaml:"exp_alerts"`
		} `yaml:"alert_rule_test"`
	} `yaml:"tests"`
}

// Every alert has unit tests in which it fires and in which it does not,
// and every rule file is loaded by some test file.
func TestEveryAlertIsUnitTestedBothWays(t *testing.T) {
	fires, quiet := map[string]bool{}, map[string]bool{}
	tested := map[string]bool{}
	for _, path := range globRepo(t, "rules/tests/*_test.yml") {
		var f promtoolTests
		if err := yaml.Unmarshal(readFile(t, path), &f); err != nil {
			t.Fatalf("%s: %v", rel(t, path), err)
		}
		for _, rf := range f.RuleFiles {
			abs := filepath.Clean(filepath.Join(filepath.Dir(path), rf))
			if _, err := os.Stat(abs); err != nil {
				t.Errorf("%s: rule file %s: %v", rel(t, path), rf, err)
			}
			tested[abs] = true
		}
		for _, tc := range f.Tests {
			for _, at := range tc.AlertTest {
				if len(at.ExpAlerts) > 0 {
					fires[at.Alertname] = true
				} else {
					quiet[at.Alertname] = true
				}
			}
		}
	}
	for path := range ruleFiles(t) {
		if !tested[path] {
			t.Errorf("%s is not loaded by any rules/tests/*_test.yml", rel(t, path))
		}
	}
	for name := range alertRules(t) {
		if !fires[name] {
			t.Errorf("%s: no unit test where it fires", name)
		}
		if !quiet[name] {
			t.Errorf("%s: no unit test where it stays quiet", name)
		}
	}
}

// Every alert's routing is pinned by a case in scripts/check-bundle.sh,
// which amtool verifies against the Alertmanager configuration.
func TestEveryAlertHasARoutingCase(t *testing.T) {
	script := string(readFile(t, filepath.Join(repoRoot(t), "scripts", "check-bundle.sh")))
	for name, r := range alertRules(t) {
		line := regexp.MustCompile(`(?m)^[a-z,-]+\|.*\balertname=` + name + `\b.*$`).FindString(script)
		if line == "" {
			t.Errorf("%s: no routing case in scripts/check-bundle.sh", name)
			continue
		}
		if want := "severity=" + r.Labels["severity"]; !slices.Contains(strings.Fields(strings.SplitN(line, "|", 2)[1]), want) {
			t.Errorf("%s: routing case %q does not carry the rule's %s", name, line, want)
		}
	}
}
