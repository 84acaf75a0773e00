package sim

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// telemetry is the checkout service's own instrumentation, labelled by
// variant the way a feature-flagged service labels it (OpenFeature's
// feature_flag.result.variant, shortened), so Prometheus can split every
// series by arm.
type telemetry struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	build    *prometheus.GaugeVec
	deployed *prometheus.GaugeVec
	posted   *prometheus.CounterVec
}

// latencyBuckets resolve the demo's latencies (a ~200 ms median, a ~1 s
// p99 once the regression hits) finely enough for histogram_quantile.
var latencyBuckets = []float64{0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 5}

func newTelemetry() *telemetry {
	t := &telemetry{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "checkout_requests_total",
			Help: "Checkout API requests by variant and HTTP status code.",
		}, []string{"variant", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "checkout_request_duration_seconds",
			Help:    "Checkout API request latency by variant.",
			Buckets: latencyBuckets,
		}, []string{"variant"}),
		build: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "checkout_build_info",
			Help: "The build each variant runs; always 1.",
		}, []string{"variant", "version"}),
		deployed: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "checkout_last_deploy_timestamp_seconds",
			Help: "When each variant's running build was deployed (a deployment marker for liftgate).",
		}, []string{"variant"}),
		posted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "demo_events_posted_total",
			Help: "Product events the simulator posted to liftgate_exporter, by outcome (acknowledged, rejected).",
		}, []string{"outcome"}),
	}
	t.registry.MustRegister(t.requests, t.duration, t.build, t.deployed, t.posted)
	return t
}

func (t *telemetry) observe(variant string, reqs []request) {
	for _, q := range reqs {
		code := 200
		if q.failed {
			code = 503
		}
		t.requests.WithLabelValues(variant, strconv.Itoa(code)).Inc()
		t.duration.WithLabelValues(variant).Observe(q.latency)
	}
}

// deploy records that variant now runs version, deployed at unix seconds.
func (t *telemetry) deploy(variant, version, previous string, unix float64) {
	if previous != "" {
		t.build.DeleteLabelValues(variant, previous)
	}
	t.build.WithLabelValues(variant, version).Set(1)
	t.deployed.WithLabelValues(variant).Set(unix)
}
