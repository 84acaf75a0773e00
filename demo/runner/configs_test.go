package runner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		if filepath.Dir(dir) == dir {
			t.Fatal("no go.mod above")
		}
		dir = filepath.Dir(dir)
	}
}

// The derived Prometheus configuration keeps the shipped rules (made
// absolute) and points every job and the Alertmanager at the run's
// addresses.
func TestPrometheusConfigFromShipped(t *testing.T) {
	root := repoRoot(t)
	data, err := prometheusConfig(root, 2*time.Second, "127.0.0.1:1001", "127.0.0.1:1002", "127.0.0.1:1003")
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Global        map[string]string `yaml:"global"`
		RuleFiles     []string          `yaml:"rule_files"`
		ScrapeConfigs []struct {
			JobName       string `yaml:"job_name"`
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
		Alerting struct {
			Alertmanagers []struct {
				StaticConfigs []struct {
					Targets []string `yaml:"targets"`
				} `yaml:"static_configs"`
			} `yaml:"alertmanagers"`
		} `yaml:"alerting"`
	}
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Global["scrape_interval"] != "2s" || cfg.Global["evaluation_interval"] != "2s" {
		t.Errorf("global %v", cfg.Global)
	}
	matched := 0
	for _, r := range cfg.RuleFiles {
		files, _ := filepath.Glob(r)
		matched += len(files)
		if !filepath.IsAbs(r) {
			t.Errorf("rule file pattern %q is not absolute", r)
		}
	}
	if want, _ := filepath.Glob(filepath.Join(root, "rules", "*.rules.yml")); matched != len(want) || matched == 0 {
		t.Errorf("rule patterns %v match %d files, want the %d in rules/", cfg.RuleFiles, matched, len(want))
	}
	got := map[string]string{}
	for _, j := range cfg.ScrapeConfigs {
		got[j.JobName] = j.StaticConfigs[0].Targets[0]
	}
	if got["liftgate"] != "127.0.0.1:1001" || got["checkout"] != "127.0.0.1:1002" {
		t.Errorf("targets %v", got)
	}
	if am := cfg.Alerting.Alertmanagers[0].StaticConfigs[0].Targets[0]; am != "127.0.0.1:1003" {
		t.Errorf("alertmanager %s", am)
	}
}

func TestAlertmanagerConfigPointsHooksAtTheSimulator(t *testing.T) {
	data, err := alertmanagerConfig(repoRoot(t), "127.0.0.1:4242")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	if strings.Contains(text, shippedSimAddress) || !strings.Contains(text, "http://127.0.0.1:4242/hooks/rollback") {
		t.Errorf("hooks not rewritten:\n%s", text)
	}
}
