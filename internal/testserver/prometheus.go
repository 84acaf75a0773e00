package testserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// PrometheusServer is a real Prometheus started for one test, on a loopback
// port, serving series backfilled from OpenMetrics text.
type PrometheusServer struct {
	URL     string // http://127.0.0.1:PORT
	Version string // e.g. "2.42.0+ds"
	dir     string
}

const prometheusInstallHint = "prometheus and promtool not found: run scripts/install-prometheus.sh " +
	"(Debian package prometheus) or set LIFTGATE_PROMETHEUS_BIN to the directory holding them"

// prometheusBinDir finds prometheus and promtool.
func prometheusBinDir() (string, error) {
	dirs := []string{"/usr/bin"}
	if d := os.Getenv("LIFTGATE_PROMETHEUS_BIN"); d != "" {
		dirs = []string{d}
	}
	for _, d := range dirs {
		if prometheusExecutable(filepath.Join(d, "prometheus")) && prometheusExecutable(filepath.Join(d, "promtool")) {
			return d, nil
		}
	}
	return "", fmt.Errorf("%s", prometheusInstallHint)
}

func prometheusExecutable(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

// StartPrometheus backfills openMetrics (OpenMetrics text ending in "# EOF",
// timestamps in seconds) into a fresh TSDB with promtool, starts Prometheus
// on a free loopback port with nothing to scrape, and waits until the
// backfilled series are queryable. The server is stopped by its own PID when
// the test ends. A missing installation fails the test: CI installs
// Prometheus, so a skip would only hide a broken pipeline.
func StartPrometheus(t testing.TB, openMetrics []byte) *PrometheusServer {
	t.Helper()
	bin, err := prometheusBinDir()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	s := &PrometheusServer{dir: dir}
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		t.Fatalf("prometheus test server: %v", err)
	}
	if len(openMetrics) > 0 {
		in := filepath.Join(dir, "backfill.om")
		if err := os.WriteFile(in, openMetrics, 0o644); err != nil {
			t.Fatalf("prometheus test server: %v", err)
		}
		// Blocks of up to 2h (the default) keep the backfill quick.
		cmd := exec.Command(filepath.Join(bin, "promtool"), "tsdb", "create-blocks-from", "openmetrics", in, data)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("prometheus test server: promtool backfill: %v\n%s", err, out)
		}
	}
	cfg := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfg, []byte("global:\n  scrape_interval: 1m\nscrape_configs: []\n"), 0o644); err != nil {
		t.Fatalf("prometheus test server: %v", err)
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := prometheusFreePort()
		if err != nil {
			t.Fatalf("prometheus test server: %v", err)
		}
		if lastErr = s.start(t, bin, cfg, data, port); lastErr == nil {
			if len(openMetrics) > 0 {
				if err := s.waitForData(90 * time.Second); err != nil {
					t.Fatalf("prometheus test server: %v (log: %s)", err, s.log())
				}
			}
			return s
		}
	}
	t.Fatalf("prometheus test server: %v", lastErr)
	return nil
}

func prometheusFreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (s *PrometheusServer) log() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "prometheus.log"))
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// start runs the server as a direct child and waits for /-/ready.
func (s *PrometheusServer) start(t testing.TB, bin, cfg, data string, port int) error {
	logFile, err := os.Create(filepath.Join(s.dir, "prometheus.log"))
	if err != nil {
		return err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(filepath.Join(bin, "prometheus"),
		"--config.file="+cfg,
		"--storage.tsdb.path="+data,
		"--storage.tsdb.retention.time=100y", // backfilled data may be weeks old
		"--web.listen-address="+addr,
		"--log.level=warn")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return fmt.Errorf("start prometheus: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait(); logFile.Close() }()
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}
	s.URL = "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-exited:
			return fmt.Errorf("prometheus exited during start-up (%v): %s", err, s.log())
		default:
		}
		resp, err := http.Get(s.URL + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			stop()
			return fmt.Errorf("prometheus not ready on %s after 30s: %s", addr, s.log())
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Cleanup(stop)
	if v, err := s.buildVersion(); err == nil {
		s.Version = v
	}
	return nil
}

func (s *PrometheusServer) buildVersion() (string, error) {
	var body struct {
		Data struct {
			Version string `json:"version"`
		} `json:"data"`
	}
	if err := s.getJSON("/api/v1/status/buildinfo", nil, &body); err != nil {
		return "", err
	}
	return body.Data.Version, nil
}

// waitForData polls until the TSDB lists the backfilled metric names.
func (s *PrometheusServer) waitForData(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		var body struct {
			Data []string `json:"data"`
		}
		err := s.getJSON("/api/v1/label/__name__/values", url.Values{
			"start": {"0"}, "end": {strconv.FormatInt(time.Now().Add(100*24*time.Hour).Unix(), 10)},
		}, &body)
		if err == nil && len(body.Data) > 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("backfilled series not queryable after %s (last error %v)", limit, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (s *PrometheusServer) getJSON(path string, q url.Values, into any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	u := s.URL + path
	if q != nil {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %s", path, resp.Status, buf.String())
	}
	return json.Unmarshal(buf.Bytes(), into)
}
