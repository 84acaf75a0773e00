package telemetry

import (
	"context"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// rangeServer answers query_range with one series whose value at each step
// is its Unix time, recording every request, so tests can see how a range is
// split and which credentials arrive.
type rangeServer struct {
	mu       sync.Mutex
	requests []*http.Request
	forms    []map[string]string
}

func (rs *rangeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rs.mu.Lock()
	rs.requests = append(rs.requests, r)
	rs.forms = append(rs.forms, map[string]string{"query": r.Form.Get("query"), "start": r.Form.Get("start"), "end": r.Form.Get("end"), "step": r.Form.Get("step")})
	rs.mu.Unlock()
	start, _ := strconv.ParseFloat(r.Form.Get("start"), 64)
	end, _ := strconv.ParseFloat(r.Form.Get("end"), 64)
	step, _ := strconv.ParseFloat(r.Form.Get("step"), 64)
	var values []string
	for ts := start; ts <= end; ts += step {
		values = append(values, fmt.Sprintf(`[%.3f,"%.0f"]`, ts, ts))
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"x","variant":"a"},"values":[%s]}]}}`, strings.Join(values, ","))
}

func TestPrometheusSplitsLongRanges(t *testing.T) {
	rs := &rangeServer{}
	srv := httptest.NewServer(rs)
	defer srv.Close()
	p, err := NewPrometheus(PrometheusConfig{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	// 25,000 one-minute steps: three requests of at most 10,000 points.
	r := Range{Start: t0, End: t0.Add(25_000 * time.Minute), Step: time.Minute}
	series, err := p.QueryRange(context.Background(), `x`, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs.forms) != 3 {
		t.Fatalf("%d requests, want 3", len(rs.forms))
	}
	if len(series) != 1 || len(series[0].Points) != 25_001 {
		t.Fatalf("%d series, %d points; want 1 series of 25001 points", len(series), len(series[0].Points))
	}
	for i, pt := range series[0].Points {
		want := t0.Add(time.Duration(i) * time.Minute)
		if !pt.T.Equal(want) || pt.V != float64(want.Unix()) {
			t.Fatalf("point %d = %+v, want %s", i, pt, want)
		}
	}
	if series[0].Labels["variant"] != "a" || p.Name() != "prometheus at "+srv.URL {
		t.Errorf("labels %v, name %q", series[0].Labels, p.Name())
	}
}

func TestPrometheusSendsCredentials(t *testing.T) {
	rs := &rangeServer{}
	srv := httptest.NewTLSServer(rs)
	defer srv.Close()
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "token"), []byte("s3cret-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := Range{Start: t0, End: t0.Add(time.Minute), Step: time.Minute}
	for _, tc := range []struct {
		name, yaml, header string
	}{
		{"bearer token file", "authorization:\n  credentials_file: token\ntls_config:\n  ca_file: ca.pem\n", "Bearer s3cret-token"},
		{"basic auth", "basic_auth:\n  username: alice\n  password: wonder\ntls_config:\n  ca_file: ca.pem\n", "Basic YWxpY2U6d29uZGVy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".yml")
			if err := os.WriteFile(file, []byte(tc.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg, err := LoadHTTPConfig(file)
			if err != nil {
				t.Fatal(err)
			}
			p, err := NewPrometheus(PrometheusConfig{URL: srv.URL, HTTP: cfg})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.QueryRange(context.Background(), "x", r); err != nil {
				t.Fatal(err)
			}
			last := rs.requests[len(rs.requests)-1]
			if got := last.Header.Get("Authorization"); got != tc.header {
				t.Errorf("Authorization %q, want %q", got, tc.header)
			}
		})
	}
	// Without the CA the server's certificate is not trusted.
	p, _ := NewPrometheus(PrometheusConfig{URL: srv.URL})
	if _, err := p.QueryRange(context.Background(), "x", r); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("untrusted certificate: %v", err)
	}
}

func TestPrometheusConfigErrors(t *testing.T) {
	for _, u := range []string{"", "localhost:9090", "ftp://x", "http://"} {
		if _, err := NewPrometheus(PrometheusConfig{URL: u}); err == nil {
			t.Errorf("URL %q accepted", u)
		}
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yml")
	_ = os.WriteFile(bad, []byte("bearer_tokn: x\n"), 0o600)
	if _, err := LoadHTTPConfig(bad); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("unknown field: %v", err)
	}
	both := filepath.Join(dir, "both.yml")
	_ = os.WriteFile(both, []byte("bearer_token: x\nbasic_auth: {username: a, password: b}\n"), 0o600)
	if _, err := LoadHTTPConfig(both); err == nil {
		t.Error("bearer token and basic auth together accepted")
	}
	if _, err := LoadHTTPConfig(filepath.Join(dir, "missing.yml")); err == nil {
		t.Error("missing file accepted")
	}
	// Credentials in the URL never reach error messages.
	p, err := NewPrometheus(PrometheusConfig{URL: "http://user:pw@127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(p.Name(), "pw") {
		t.Errorf("name %q shows the password", p.Name())
	}
}
