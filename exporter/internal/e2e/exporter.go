package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Exporter is a running liftgate_exporter child process.
type Exporter struct {
	URL  string // http://127.0.0.1:PORT
	Port int

	cmd    *exec.Cmd
	log    *syncBuffer
	exited chan struct{}
	once   sync.Once
}

// syncBuffer collects the child's log lines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// StartExporter runs bin with args plus a free --web.listen-address and
// waits until it answers /-/healthy. The process is stopped at cleanup
// (SIGTERM, then SIGKILL) unless the test stopped it already.
func StartExporter(t testing.TB, bin string, args ...string) *Exporter {
	t.Helper()
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port := FreePort(t)
		e, err := startExporter(bin, port, args)
		if err == nil {
			t.Cleanup(func() {
				e.Stop()
				if t.Failed() {
					t.Logf("exporter on port %d logged:\n%s", e.Port, tail(e.log.String(), 60))
				}
			})
			return e
		}
		lastErr = err
	}
	t.Fatalf("liftgate_exporter did not start: %v", lastErr)
	return nil
}

func startExporter(bin string, port int, args []string) (*Exporter, error) {
	e := &Exporter{Port: port, URL: fmt.Sprintf("http://127.0.0.1:%d", port), log: &syncBuffer{}, exited: make(chan struct{})}
	e.cmd = exec.Command(bin, append([]string{fmt.Sprintf("--web.listen-address=127.0.0.1:%d", port), "--log.level=debug"}, args...)...)
	e.cmd.Stdout, e.cmd.Stderr = e.log, e.log
	e.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := e.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { _ = e.cmd.Wait(); close(e.exited) }()
	if err := WaitHTTP(e.URL+"/-/healthy", 30*time.Second); err != nil {
		e.Kill()
		return nil, fmt.Errorf("%v\n%s", err, tail(e.log.String(), 30))
	}
	return e, nil
}

// Log is what the process has logged so far.
func (e *Exporter) Log() string { return e.log.String() }

// Signal sends sig to the process.
func (e *Exporter) Signal(sig syscall.Signal) error { return e.cmd.Process.Signal(sig) }

// Kill ends the process with SIGKILL, as a crash or an OOM kill would, and
// waits for it.
func (e *Exporter) Kill() {
	_ = e.cmd.Process.Signal(syscall.SIGKILL)
	<-e.exited
}

// Stop ends the process with SIGTERM (a clean shutdown that checkpoints
// DuckDB), falling back to SIGKILL after 30 s.
func (e *Exporter) Stop() {
	e.once.Do(func() {
		select {
		case <-e.exited:
			return
		default:
		}
		_ = e.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-e.exited:
		case <-time.After(30 * time.Second):
			e.Kill()
		}
	})
}

// Exited reports whether the process has ended.
func (e *Exporter) Exited() bool {
	select {
	case <-e.exited:
		return true
	default:
		return false
	}
}

// Scrape reads /metrics into families by name.
func (e *Exporter) Scrape() (map[string]*dto.MetricFamily, error) {
	resp, err := http.Get(e.URL + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		return nil, fmt.Errorf("/metrics: HTTP %d: %s", resp.StatusCode, body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	return p.TextToMetricFamilies(resp.Body)
}

// Sample finds the value of the series of family name whose labels include
// want.
func Sample(mfs map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	mf := mfs[name]
	if mf == nil {
		return 0, false
	}
next:
	for _, m := range mf.GetMetric() {
		have := map[string]string{}
		for _, lp := range m.GetLabel() {
			have[lp.GetName()] = lp.GetValue()
		}
		for k, v := range want {
			if have[k] != v {
				continue next
			}
		}
		switch {
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		case m.Untyped != nil:
			return m.GetUntyped().GetValue(), true
		}
	}
	return 0, false
}

// WriteFile writes content to dir/name.
func WriteFile(t testing.TB, dir, name string, content []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func tail(s string, lines int) string {
	parts := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(parts) > lines {
		parts = parts[len(parts)-lines:]
	}
	return strings.Join(parts, "\n")
}
