package engine

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/liftgate/liftgate/internal/testserver"
	"github.com/liftgate/liftgate/pkg/stats"
	"github.com/liftgate/liftgate/pkg/telemetry"
)

// closedPortURL is the address of a loopback port nobody listens on.
func closedPortURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

// TestTelemetryFaultsGiveInsufficientData: a Prometheus that is down,
// answers 500, is too slow or answers only in part yields insufficient_data
// for every telemetry result and the traffic check, with a reason naming the
// server and the query, never a verdict; event metrics are unaffected and
// the evaluation itself does not fail.
func TestTelemetryFaultsGiveInsufficientData(t *testing.T) {
	fx, _ := loadTelFixture(t)
	start := time.Unix(fx.Start, 0).UTC()
	at := start.Add(6 * time.Hour)
	ev := fixtureEvents{fx: fx, bucket: 5 * time.Minute}
	p := parseTelPlan(t, telPlanYAML(`http_requests_total{job="checkout"}`))

	cases := []struct {
		name    string
		url     string
		timeout time.Duration
		want    string
	}{
		{"down", closedPortURL(t), 0, "connection refused"},
		{"500", testserver.StartFaultyPrometheus(t, testserver.FaultServerError, 0).URL, 0, "query engine exploded"},
		{"slow", testserver.StartFaultyPrometheus(t, testserver.FaultSlow, 10*time.Second).URL, 300 * time.Millisecond, "no answer within 300ms"},
		{"partial", testserver.StartFaultyPrometheus(t, testserver.FaultPartial, 0).URL, 0, "partial result"},
		{"not the API", testserver.StartFaultyPrometheus(t, testserver.FaultNotJSON, 0).URL, 0, "invalid character"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src, err := telemetry.NewPrometheus(telemetry.PrometheusConfig{URL: tc.url, Timeout: tc.timeout})
			if err != nil {
				t.Fatal(err)
			}
			began := time.Now()
			res, err := Analyze(context.Background(), p, ev, Options{At: at, Telemetry: src})
			if err != nil {
				t.Fatalf("the evaluation failed instead of reporting insufficient data: %v", err)
			}
			if tc.timeout > 0 && time.Since(began) > 30*time.Second {
				t.Errorf("took %s with a %s timeout per query", time.Since(began), tc.timeout)
			}
			server := "prometheus at " + tc.url
			for _, r := range res.Results {
				if r.Kind != "prometheus" {
					if r.Verdict == stats.InsufficientData {
						t.Errorf("event metric %s lost its verdict: %s", r.Metric, r.Reason)
					}
					continue
				}
				if r.Verdict != stats.InsufficientData || r.PValue != 1 {
					t.Errorf("%s: verdict %s (p %g), want insufficient_data", r.Metric, r.Verdict, r.PValue)
				}
				if !strings.Contains(r.Reason, server) || !strings.Contains(r.Reason, "query ") || !strings.Contains(r.Reason, tc.want) {
					t.Errorf("%s: reason %q should name %s, the query and %q", r.Metric, r.Reason, server, tc.want)
				}
			}
			if res.Traffic == nil || res.Traffic.Status != TrafficInsufficientData || !strings.Contains(res.Traffic.Reason, server) {
				t.Errorf("traffic %+v, want insufficient_data naming the server", res.Traffic)
			}
			// The fixture's conversion metric is harmful, so the gate rolls
			// back; it must never proceed on guardrails it could not read.
			if res.Decision.Action == ActionProceed {
				t.Errorf("decision proceed while guardrails have no data: %v", res.Decision.Reasons)
			}
			if _, err := Markers(context.Background(), p, src, start, at); err == nil || !strings.Contains(err.Error(), server) {
				t.Errorf("Markers error %v, want one naming the server", err)
			}
		})
	}
}

func TestTelemetryWithoutSource(t *testing.T) {
	fx, _ := loadTelFixture(t)
	p := parseTelPlan(t, telPlanYAML(`http_requests_total{job="checkout"}`))
	res, err := Analyze(context.Background(), p, fixtureEvents{fx: fx, bucket: 5 * time.Minute}, Options{At: p.Start.Add(6 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Traffic != nil {
		t.Errorf("traffic %+v without a telemetry source", res.Traffic)
	}
	for _, r := range res.Results {
		if r.Kind == "prometheus" && (r.Verdict != stats.InsufficientData || !strings.Contains(r.Reason, "--prometheus")) {
			t.Errorf("%s: %s %q", r.Metric, r.Verdict, r.Reason)
		}
	}
}
