package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Prometheus is Debian's Prometheus server scraping targets on loopback.
type Prometheus struct {
	URL string
	dir string
}

// prometheusBinary is Debian's /usr/bin/prometheus unless
// LIFTGATE_PROMETHEUS_BIN names the directory holding it.
func prometheusBinary() (string, error) {
	dir := "/usr/bin"
	if d := os.Getenv("LIFTGATE_PROMETHEUS_BIN"); d != "" {
		dir = d
	}
	bin := filepath.Join(dir, "prometheus")
	if st, err := os.Stat(bin); err != nil || st.Mode()&0o111 == 0 {
		return "", fmt.Errorf("prometheus not found at %s: install Debian's prometheus package (CI does) or set LIFTGATE_PROMETHEUS_BIN", bin)
	}
	return bin, nil
}

// StartPrometheus starts a Prometheus that scrapes targets (host:port)
// every scrapeInterval under job "liftgate", with its TSDB in a temporary
// directory, and stops it by its PID at cleanup. A missing installation
// fails the test: CI installs Prometheus, a skip would hide a broken
// pipeline.
func StartPrometheus(t testing.TB, scrapeInterval time.Duration, targets ...string) *Prometheus {
	t.Helper()
	bin, err := prometheusBinary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	quoted := make([]string, len(targets))
	for i, tg := range targets {
		quoted[i] = strconv.Quote(tg)
	}
	cfg := fmt.Sprintf(`global:
  scrape_interval: %s
  evaluation_interval: %s
scrape_configs:
  - job_name: liftgate
    scrape_interval: %s
    scrape_timeout: %s
    static_configs:
      - targets: [%s]
`, scrapeInterval, scrapeInterval, scrapeInterval, scrapeInterval, strings.Join(quoted, ", "))
	cfgPath := WriteFile(t, dir, "prometheus.yml", []byte(cfg))

	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port := FreePort(t)
		p := &Prometheus{URL: fmt.Sprintf("http://127.0.0.1:%d", port), dir: dir}
		logFile, err := os.Create(filepath.Join(dir, fmt.Sprintf("prometheus-%d.log", attempt)))
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, "--config.file="+cfgPath,
			"--storage.tsdb.path="+filepath.Join(dir, fmt.Sprintf("data-%d", attempt)),
			fmt.Sprintf("--web.listen-address=127.0.0.1:%d", port))
		cmd.Stdout, cmd.Stderr = logFile, logFile
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Start(); err != nil {
			logFile.Close()
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); logFile.Close(); close(exited) }()
		stop := func() {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(10 * time.Second):
				_ = cmd.Process.Kill()
				<-exited
			}
		}
		if lastErr = WaitHTTP(p.URL+"/-/ready", 30*time.Second); lastErr == nil {
			t.Cleanup(stop)
			return p
		}
		stop()
		log, _ := os.ReadFile(logFile.Name())
		lastErr = fmt.Errorf("%v\n%s", lastErr, tail(string(log), 20))
	}
	t.Fatalf("prometheus did not start: %v", lastErr)
	return nil
}

// VectorSample is one series of an instant query.
type VectorSample struct {
	Metric map[string]string
	Value  float64
}

// Query runs an instant PromQL query and returns its vector.
func (p *Prometheus) Query(expr string) ([]VectorSample, error) {
	resp, err := http.Get(p.URL + "/api/v1/query?" + url.Values{"query": {expr}}.Encode())
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			ResultType string `json:"resultType"`
			Result     []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, err
	}
	if body.Status != "success" {
		return nil, fmt.Errorf("query %s: %s", expr, body.Error)
	}
	if body.Data.ResultType != "vector" {
		return nil, fmt.Errorf("query %s: got a %s, want a vector", expr, body.Data.ResultType)
	}
	out := make([]VectorSample, 0, len(body.Data.Result))
	for _, r := range body.Data.Result {
		s, _ := r.Value[1].(string)
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("query %s: value %q: %w", expr, s, err)
		}
		out = append(out, VectorSample{Metric: r.Metric, Value: v})
	}
	return out, nil
}

// WaitFor polls expr until it returns at least one sample whose value
// satisfies ok, and returns the samples.
func (p *Prometheus) WaitFor(expr string, limit time.Duration, ok func([]VectorSample) bool) ([]VectorSample, error) {
	deadline := time.Now().Add(limit)
	var last []VectorSample
	var lastErr error
	for time.Now().Before(deadline) {
		last, lastErr = p.Query(expr)
		if lastErr == nil && len(last) > 0 && ok(last) {
			return last, nil
		}
		time.Sleep(250 * time.Millisecond)
	}
	return last, fmt.Errorf("%s: not satisfied after %s (last %v, err %v)", expr, limit, last, lastErr)
}
