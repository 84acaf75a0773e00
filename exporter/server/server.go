package server

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/liftgate/liftgate/exporter/evaluator"
	"github.com/liftgate/liftgate/pkg/decisionlog"
	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/events/remote"
	"github.com/liftgate/liftgate/pkg/exporterclient"
)

// Evaluator is what the server reads and drives.
type Evaluator interface {
	Snapshot() evaluator.Snapshot
	Experiment(id string) (evaluator.ExperimentView, bool)
	Reload() error
}

// Options configure the HTTP surface.
type Options struct {
	Evaluator Evaluator
	// Source backs the store query API; nil turns it off.
	Source events.Source
	// Writer backs ingestion; nil turns it off (a store that cannot insert).
	Writer EventWriter
	// IngestToken, when set, is required on POST /api/v1/events.
	IngestToken string
	// APIToken, when set, is required on the store query API and the plans
	// and results API. Gates, metrics and the landing page stay open (they
	// show no more than /metrics); protect them with --web.config.file.
	APIToken string
	// MaxIngestBytes bounds one ingestion body, decompressed (default 16 MiB).
	MaxIngestBytes int64
	// MaxIngestEvents bounds the records of one request (default 100000).
	MaxIngestEvents int
	// IngestTimeout bounds storing one request's batch (default 30s).
	IngestTimeout time.Duration
	// MaxQueryBytes bounds a query API request body (default 1 MiB).
	MaxQueryBytes int64
	// Metrics is the /metrics handler, served at MetricsPath.
	Metrics     http.Handler
	MetricsPath string
	Registerer  prometheus.Registerer
	Logger      *slog.Logger
	Version     string

	// Decisions is the decision log; nil turns its API off.
	Decisions decisionlog.Log
}

// New returns the exporter's HTTP handler.
func New(opts Options) http.Handler {
	if opts.MaxIngestBytes <= 0 {
		opts.MaxIngestBytes = 16 << 20
	}
	if opts.MaxIngestEvents <= 0 {
		opts.MaxIngestEvents = 100_000
	}
	if opts.IngestTimeout <= 0 {
		opts.IngestTimeout = 30 * time.Second
	}
	if opts.MetricsPath == "" {
		opts.MetricsPath = "/metrics"
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	mux := http.NewServeMux()
	if opts.Metrics != nil {
		mux.Handle("GET "+opts.MetricsPath, opts.Metrics)
	}
	if opts.Writer != nil {
		ingest := &ingestHandler{writer: opts.Writer, maxBytes: opts.MaxIngestBytes, maxEvents: opts.MaxIngestEvents,
			timeout: opts.IngestTimeout, metrics: newIngestMetrics(opts.Registerer)}
		mux.Handle("POST "+exporterclient.PathIngest, requireBearer(opts.IngestToken, ingest))
	} else {
		mux.HandleFunc("POST "+exporterclient.PathIngest, func(w http.ResponseWriter, r *http.Request) {
			writeError(w, http.StatusNotImplemented, "this exporter's store does not accept events; ingest into the store directly, or run with --store.type=duckdb")
		})
	}
	if opts.Source != nil {
		mux.Handle("POST /api/v1/events/", requireBearer(opts.APIToken,
			remote.Handler(opts.Source, remote.HandlerOptions{MaxRequestBytes: opts.MaxQueryBytes})))
	}

	api := &apiHandlers{ev: opts.Evaluator}
	mux.Handle("GET "+exporterclient.PathPlans, requireBearer(opts.APIToken, http.HandlerFunc(api.listPlans)))
	mux.Handle("GET "+exporterclient.PathPlan, requireBearer(opts.APIToken, http.HandlerFunc(api.plan)))
	mux.Handle("GET "+exporterclient.PathResult, requireBearer(opts.APIToken, http.HandlerFunc(api.result)))
	mux.HandleFunc("GET "+exporterclient.PathGate, api.gate)
	mux.HandleFunc("POST "+exporterclient.PathFlaggerGate, api.flagger)

	if opts.Decisions != nil {
		dh := &decisionHandlers{ev: opts.Evaluator, log: opts.Decisions, authn: opts.APIToken != "", now: time.Now}
		mux.Handle("GET "+exporterclient.PathDecisions, requireBearer(opts.APIToken, http.HandlerFunc(dh.list)))
		mux.Handle("POST "+exporterclient.PathDecisions, requireBearer(opts.APIToken, http.HandlerFunc(dh.record)))
	} else {
		mux.HandleFunc(exporterclient.PathDecisions, func(w http.ResponseWriter, r *http.Request) {
			writeError(w, http.StatusNotImplemented, "this exporter keeps no decision log (it runs with --no-decisions.enabled)")
		})
	}

	lifecycle := &lifecycleHandlers{ev: opts.Evaluator, log: opts.Logger}
	mux.HandleFunc("POST /-/reload", lifecycle.reload)
	mux.HandleFunc("PUT /-/reload", lifecycle.reload)
	mux.HandleFunc("GET /-/healthy", lifecycle.healthy)
	mux.HandleFunc("GET /-/ready", lifecycle.healthy)

	pages := newPages(opts.Evaluator, opts.MetricsPath, opts.Version)
	mux.HandleFunc("GET /{$}", pages.landing)
	mux.HandleFunc("GET /plans/{id}", pages.plan)
	return mux
}
