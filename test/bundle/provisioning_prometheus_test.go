package bundle

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// prometheusConfig is the part of Prometheus' configuration file the
// shipped one uses; strict decoding refuses anything else, so a new section
// gets a deliberate look (and promtool check config, in check-bundle.sh,
// validates the whole file).
type prometheusConfig struct {
	Global struct {
		ScrapeInterval     string            `yaml:"scrape_interval"`
		EvaluationInterval string            `yaml:"evaluation_interval"`
		ExternalLabels     map[string]string `yaml:"external_labels"`
	} `yaml:"global"`
	RuleFiles []string `yaml:"rule_files"`
	Alerting  struct {
		Alertmanagers []struct {
			StaticConfigs []staticConfig `yaml:"static_configs"`
		} `yaml:"alertmanagers"`
	} `yaml:"alerting"`
	ScrapeConfigs []struct {
		JobName        string         `yaml:"job_name"`
		ScrapeInterval string         `yaml:"scrape_interval"`
		MetricsPath    string         `yaml:"metrics_path"`
		StaticConfigs  []staticConfig `yaml:"static_configs"`
	} `yaml:"scrape_configs"`
}

type staticConfig struct {
	Targets []string          `yaml:"targets"`
	Labels  map[string]string `yaml:"labels"`
}

// The shipped Prometheus configuration loads exactly the rule files in
// rules/ (not their unit tests) and scrapes the exporter.
func TestPrometheusConfigLoadsTheRules(t *testing.T) {
	path := filepath.Join(repoRoot(t), "provisioning", "prometheus", "prometheus.yml")
	cfg := decodeStrictYAML[prometheusConfig](t, path)[0]
	loaded := map[string]bool{}
	for _, pattern := range cfg.RuleFiles {
		matches, err := filepath.Glob(filepath.Join(filepath.Dir(path), pattern))
		if err != nil {
			t.Fatalf("rule_files %q: %v", pattern, err)
		}
		for _, m := range matches {
			if strings.HasSuffix(m, "_test.yml") {
				t.Errorf("rule_files %q loads the unit test %s", pattern, rel(t, m))
			}
			loaded[filepath.Clean(m)] = true
		}
	}
	for _, want := range globRepo(t, "rules/*.rules.yml") {
		if !loaded[filepath.Clean(want)] {
			t.Errorf("%s is not loaded by rule_files %v", rel(t, want), cfg.RuleFiles)
		}
	}
	jobs := map[string]bool{}
	for _, sc := range cfg.ScrapeConfigs {
		jobs[sc.JobName] = len(sc.StaticConfigs) > 0 && len(sc.StaticConfigs[0].Targets) > 0
	}
	if !jobs["liftgate"] {
		t.Errorf("no liftgate scrape job with a target: %v", jobs)
	}
	if len(cfg.Alerting.Alertmanagers) == 0 {
		t.Error("no alertmanager configured: the rules would fire into the void")
	}
}

// alertmanagerConfig is the part of Alertmanager's configuration the
// shipped file uses (amtool check-config validates all of it).
type alertmanagerConfig struct {
	Global struct {
		ResolveTimeout string `yaml:"resolve_timeout"`
	} `yaml:"global"`
	Route     amRoute `yaml:"route"`
	Receivers []struct {
		Name           string `yaml:"name"`
		WebhookConfigs []struct {
			URL          string `yaml:"url"`
			SendResolved *bool  `yaml:"send_resolved"`
			MaxAlerts    int    `yaml:"max_alerts"`
		} `yaml:"webhook_configs"`
	} `yaml:"receivers"`
	InhibitRules []struct {
		SourceMatchers []string `yaml:"source_matchers"`
		TargetMatchers []string `yaml:"target_matchers"`
		Equal          []string `yaml:"equal"`
	} `yaml:"inhibit_rules"`
}

type amRoute struct {
	Receiver       string    `yaml:"receiver"`
	GroupBy        []string  `yaml:"group_by"`
	GroupWait      string    `yaml:"group_wait"`
	GroupInterval  string    `yaml:"group_interval"`
	RepeatInterval string    `yaml:"repeat_interval"`
	Matchers       []string  `yaml:"matchers"`
	Continue       bool      `yaml:"continue"`
	Routes         []amRoute `yaml:"routes"`
}

// alertnameMatcher finds alertname="X", alertname=~"X|Y" and alertname!="X".
var alertnameMatcher = regexp.MustCompile(`^alertname(=~|=|!=)"([^"]*)"$`)

// Every receiver a route names exists, and every alert name an inhibition
// or route matches is an alert the rules define: a typo there would make an
// inhibition or a route silently do nothing.
func TestAlertmanagerReferencesResolve(t *testing.T) {
	path := filepath.Join(repoRoot(t), "provisioning", "alertmanager", "alertmanager.yml")
	cfg := decodeStrictYAML[alertmanagerConfig](t, path)[0]
	receivers := map[string]bool{}
	for _, r := range cfg.Receivers {
		receivers[r.Name] = true
	}
	alerts := alertRules(t)
	checkMatchers := func(where string, matchers []string) {
		for _, m := range matchers {
			sub := alertnameMatcher.FindStringSubmatch(m)
			if sub == nil {
				continue
			}
			if sub[1] == "=~" && strings.HasSuffix(sub[2], ".*") {
				continue // a prefix match such as Liftgate.*
			}
			for _, name := range strings.Split(sub[2], "|") {
				if _, ok := alerts[name]; !ok {
					t.Errorf("%s: matcher %s names %q, which no rule defines", where, m, name)
				}
			}
		}
	}
	var walk func(r amRoute, where string)
	walk = func(r amRoute, where string) {
		if r.Receiver != "" && !receivers[r.Receiver] {
			t.Errorf("%s: receiver %q is not defined", where, r.Receiver)
		}
		checkMatchers(where, r.Matchers)
		for i, c := range r.Routes {
			walk(c, fmt.Sprintf("%s.routes[%d]", where, i))
		}
	}
	walk(cfg.Route, "route")
	for i, ir := range cfg.InhibitRules {
		where := fmt.Sprintf("inhibit_rules[%d]", i)
		checkMatchers(where, ir.SourceMatchers)
		checkMatchers(where, ir.TargetMatchers)
		if len(ir.SourceMatchers) == 0 || len(ir.TargetMatchers) == 0 {
			t.Errorf("%s: needs source and target matchers", where)
		}
	}
	// The rollback hook must receive the rollback decision.
	if r := alerts["LiftgateRollbackDecision"]; r.Labels["action"] != "rollback" {
		t.Errorf("LiftgateRollbackDecision: label action=%q, want rollback (the rollback hook routes on it)", r.Labels["action"])
	}
}
