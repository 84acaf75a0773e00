package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// shippedAddress is the loopback address the shipped Alertmanager
// configuration sends the demo's webhooks to (the simulator's default).
const shippedSimAddress = "127.0.0.1:9782"

// prometheusConfig derives the demo's Prometheus configuration from the
// shipped one (provisioning/prometheus/prometheus.yml): the same rules and
// jobs, with the run's addresses, absolute rule paths and the compressed
// timeline's intervals. Everything else is kept as shipped.
func prometheusConfig(repoRoot string, interval time.Duration, exporterAddr, simAddr, alertmanagerAddr string) ([]byte, error) {
	shipped := filepath.Join(repoRoot, "provisioning", "prometheus", "prometheus.yml")
	data, err := os.ReadFile(shipped)
	if err != nil {
		return nil, err
	}
	var cfg map[string]any
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		return nil, fmt.Errorf("%s: %w", shipped, err)
	}
	global, _ := cfg["global"].(map[string]any)
	if global == nil {
		global = map[string]any{}
		cfg["global"] = global
	}
	global["scrape_interval"] = interval.String()
	global["evaluation_interval"] = interval.String()

	rules, _ := cfg["rule_files"].([]any)
	for i, r := range rules {
		pattern, _ := r.(string)
		if !filepath.IsAbs(pattern) {
			rules[i] = filepath.Join(filepath.Dir(shipped), pattern)
		}
	}

	targets := map[string]string{"liftgate": exporterAddr, "checkout": simAddr}
	jobs, _ := cfg["scrape_configs"].([]any)
	for _, j := range jobs {
		job, _ := j.(map[string]any)
		name, _ := job["job_name"].(string)
		addr, ok := targets[name]
		if !ok {
			return nil, fmt.Errorf("%s: scrape job %q is not one the demo knows how to point (liftgate, checkout)", shipped, name)
		}
		job["static_configs"] = []any{map[string]any{"targets": []any{addr}}}
		delete(targets, name)
	}
	if len(targets) > 0 {
		return nil, fmt.Errorf("%s: the scrape jobs liftgate and checkout are both needed, missing %v", shipped, targets)
	}
	cfg["alerting"] = map[string]any{"alertmanagers": []any{map[string]any{
		"static_configs": []any{map[string]any{"targets": []any{alertmanagerAddr}}},
	}}}
	return yaml.Marshal(cfg)
}

// alertmanagerConfig is the shipped Alertmanager configuration with the
// webhooks pointed at the simulator's address for this run.
func alertmanagerConfig(repoRoot, simAddr string) ([]byte, error) {
	shipped := filepath.Join(repoRoot, "provisioning", "alertmanager", "alertmanager.yml")
	data, err := os.ReadFile(shipped)
	if err != nil {
		return nil, err
	}
	text := string(data)
	if !strings.Contains(text, shippedSimAddress) {
		return nil, fmt.Errorf("%s: no webhook at %s to point at the simulator", shipped, shippedSimAddress)
	}
	return []byte(strings.ReplaceAll(text, shippedSimAddress, simAddr)), nil
}
