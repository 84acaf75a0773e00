package plugin_test

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// countingProxy sits between the plugin and the exporter and counts the
// requests per path, to see how many scans the plugin asks for.
type countingProxy struct {
	*httptest.Server
	mu     sync.Mutex
	counts map[string]int
}

func newCountingProxy(t *testing.T) *countingProxy {
	t.Helper()
	target, err := url.Parse(suite.exporterURL)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	p := &countingProxy{counts: map[string]int{}}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.counts[r.URL.Path]++
		p.mu.Unlock()
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *countingProxy) count(path string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.counts[path]
}

// Twenty panels of one experiment, loading at once as a dashboard does,
// share one evaluation: one exposure scan and one scan per metric.
func TestTwentyPanelsOneScan(t *testing.T) {
	proxy := newCountingProxy(t)
	h := startPlugin(t, suite.pluginBin)
	ds := exporterSource("dashboard")
	ds.jsonData = map[string]any{"exporterUrl": proxy.URL, "cacheTtl": "1m"}

	metrics := []string{"", "purchase_conversion", "revenue", "errors_per_session"}
	var wg sync.WaitGroup
	var failed atomic.Int32
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each panel is its own request, as in Grafana.
			resp := h.queryData(t, ds, query{refID: "A", queryType: "comparison",
				model: map[string]any{"experiment": experiment, "metric": metrics[i%len(metrics)]}, from: rangeFrom, to: rangeTo})
			if resp.Responses["A"].Error != nil {
				failed.Add(1)
				t.Errorf("panel %d: %v", i, resp.Responses["A"].Error)
			}
		}()
	}
	wg.Wait()
	if failed.Load() > 0 {
		t.FailNow()
	}
	if got := proxy.count("/api/v1/events/exposures"); got != 1 {
		t.Errorf("exposure scans: %d, want 1", got)
	}
	if got := proxy.count("/api/v1/events/metric-sums"); got != 3 {
		t.Errorf("metric scans: %d, want 3 (one per metric)", got)
	}
	if got := proxy.count("/api/v1/plans/" + experiment); got != 1 {
		t.Errorf("plan fetches: %d, want 1", got)
	}

	t.Run("another time range is another evaluation", func(t *testing.T) {
		before := proxy.count("/api/v1/events/exposures")
		h.queryData(t, ds, query{refID: "A", queryType: "comparison", model: map[string]any{"experiment": experiment}, from: rangeFrom, to: rangeTo.Add(-time.Hour)})
		if got := proxy.count("/api/v1/events/exposures"); got != before+1 {
			t.Errorf("exposure scans %d → %d, want one more", before, got)
		}
	})

	t.Run("cacheTtl 0s turns sharing off", func(t *testing.T) {
		off := exporterSource("no-cache")
		off.jsonData = map[string]any{"exporterUrl": proxy.URL, "cacheTtl": "0s"}
		before := proxy.count("/api/v1/events/exposures")
		for i := 0; i < 3; i++ {
			response(t, h.queryData(t, off, query{refID: "A", queryType: "comparison", model: map[string]any{"experiment": experiment}, from: rangeFrom, to: rangeTo}), "A")
		}
		if got := proxy.count("/api/v1/events/exposures") - before; got != 3 {
			t.Errorf("exposure scans without cache: %d, want 3", got)
		}
	})
}

// A settings change reaches the plugin as a new instance: a data source
// whose token was wrong works as soon as Grafana sends the corrected
// settings with a new update time, and the health check names the exporter
// while the token is wrong.
func TestSettingsChangeMakesANewInstance(t *testing.T) {
	h := startPlugin(t, suite.pluginBin)
	ds := exporterSource("lifecycle")
	ds.secure = map[string]string{"exporterToken": "wrong-token"}

	health := h.checkHealth(t, ds)
	if health.Status.String() == "OK" || !strings.Contains(health.Message, "FAILED liftgate exporter (plans)") || !strings.Contains(health.Message, "FAILED event store exporter") {
		t.Fatalf("health with a wrong token: %s %s", health.Status, health.Message)
	}
	if strings.Contains(health.Message, "wrong-token") {
		t.Errorf("the health message repeats the token: %s", health.Message)
	}
	q := query{refID: "A", queryType: "comparison", model: map[string]any{"experiment": experiment}, from: rangeFrom, to: rangeTo}
	dr := h.queryData(t, ds, q).Responses["A"]
	if dr.Error == nil || dr.ErrorSource != "downstream" || dr.Status != 401 {
		t.Fatalf("query with a wrong token: %v (status %d, %s)", dr.Error, dr.Status, dr.ErrorSource)
	}

	ds.secure = map[string]string{"exporterToken": apiToken}
	ds.updated = ds.updated.Add(time.Minute)
	response(t, h.queryData(t, ds, q), "A")
	if health := h.checkHealth(t, ds); health.Status.String() != "OK" {
		t.Fatalf("health after the fix: %s %s", health.Status, health.Message)
	}
}

// Settings that cannot work are reported by name, by the health check and
// by every query, without taking the plugin down.
func TestBadSettings(t *testing.T) {
	h := startPlugin(t, suite.pluginBin)
	for _, tc := range []struct {
		name     string
		jsonData map[string]any
		want     string
	}{
		{"no exporter", map[string]any{}, "exporterUrl is required"},
		{"not a URL", map[string]any{"exporterUrl": "exporter:9781"}, `exporterUrl "exporter:9781" is not an http(s) URL`},
		{"unknown store", map[string]any{"exporterUrl": suite.exporterURL, "eventStore": "mysql"}, `eventStore "mysql" is not one of`},
		{"bad TTL", map[string]any{"exporterUrl": suite.exporterURL, "cacheTtl": "soon"}, "cacheTtl expected a duration"},
		{"clickhouse without address", map[string]any{"exporterUrl": suite.exporterURL, "eventStore": "clickhouse"}, "clickhouse.addr is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds := dataSource{uid: "bad-" + strings.ReplaceAll(tc.name, " ", "-"), jsonData: tc.jsonData, updated: time.Unix(1700000000, 0)}
			health := h.checkHealth(t, ds)
			if health.Status.String() == "OK" || !strings.Contains(health.Message, tc.want) {
				t.Errorf("health: %s %q, want %q", health.Status, health.Message, tc.want)
			}
			dr := h.queryData(t, ds, query{refID: "A", queryType: "comparison", model: map[string]any{"experiment": experiment}, from: rangeFrom, to: rangeTo}).Responses["A"]
			if dr.Error == nil || !strings.Contains(dr.Error.Error(), tc.want) || dr.ErrorSource != "downstream" {
				t.Errorf("query: %v (%s), want a downstream error saying %q", dr.Error, dr.ErrorSource, tc.want)
			}
		})
	}
	// The plugin is still serving.
	response(t, h.queryData(t, exporterSource("still-fine"), query{refID: "A", queryType: "comparison", model: map[string]any{"experiment": experiment}, from: rangeFrom, to: rangeTo}), "A")
}
