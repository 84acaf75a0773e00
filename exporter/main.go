// Command liftgate_exporter evaluates liftgate plans on a schedule and
// publishes experiment state, verdicts and stage decisions as Prometheus
// metrics. It owns the embedded DuckDB event store (ingestion and query API),
// answers rollout gates for Argo Rollouts and Flagger, and shows a landing
// page for people. This file is flags and wiring only.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/promslog"
	"github.com/prometheus/common/promslog/flag"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"
	"github.com/prometheus/exporter-toolkit/web/kingpinflag"

	"github.com/liftgate/liftgate/exporter/collector"
	"github.com/liftgate/liftgate/exporter/evaluator"
	"github.com/liftgate/liftgate/exporter/server"
	"github.com/liftgate/liftgate/exporter/stores"
	"github.com/liftgate/liftgate/pkg/decisionlog"
	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/telemetry"
)

const exporterName = "liftgate_exporter"

func main() {
	var storeTypeSet bool // --store.type given, not defaulted
	var (
		metricsPath = kingpin.Flag("web.telemetry-path", "Path under which to expose metrics.").
				Default("/metrics").String()
		disableExporterMetrics = kingpin.Flag("web.disable-exporter-metrics", "Exclude metrics about the exporter itself (promhttp_*, process_*, go_*).").
					Bool()
		maxRequests = kingpin.Flag("web.max-requests", "Maximum number of parallel scrape requests. Use 0 to disable.").
				Default("40").Int()
		readTimeout = kingpin.Flag("web.read-timeout", "Maximum time to read one request, body included.").
				Default("1m").Duration()
		writeTimeout = kingpin.Flag("web.write-timeout", "Maximum time to answer one request.").
				Default("2m").Duration()
		toolkitFlags = kingpinflag.AddFlags(kingpin.CommandLine, ":9781")

		plansDir = kingpin.Flag("plans.dir", "Directory of plan files (*.yaml, *.yml). Reloaded on SIGHUP and POST /-/reload.").
				Required().String()
		interval = kingpin.Flag("evaluation.interval", "How often each plan is evaluated. Evaluation times are aligned to this grid, so an HA pair computes identical numbers.").
				Default("1m").Duration()
		evalTimeout = kingpin.Flag("evaluation.timeout", "Maximum time for one evaluation (0: the interval, at most 5m).").
				Default("0s").Duration()
		concurrency = kingpin.Flag("evaluation.concurrency", "Evaluations running at once.").
				Default("2").Int()
		shardFlag = kingpin.Flag("shard", "Evaluate only the plans of shard i of n (\"i/n\", 0 <= i < n), by a stable hash of the plan id.").
				Default("").String()

		storeType = kingpin.Flag("store.type", "Event store: duckdb (embedded, owned by this process), clickhouse or postgres. With a --store.config in the CLI's store-file format (type: ...), the file's type.").
				Default(stores.TypeDuckDB).IsSetByUser(&storeTypeSet).Enum(stores.TypeDuckDB, stores.TypeClickHouse, stores.TypePostgres)
		storePath = kingpin.Flag("store.path", "DuckDB database file (created if absent); --store.type=duckdb.").
				Default("liftgate.duckdb").String()
		storeConfig = kingpin.Flag("store.config", "YAML store config: the liftgate CLI's --store file (type: clickhouse or postgres and its block), or the store's own block with --store.type.").
				String()
		createSchema = kingpin.Flag("store.create-schema", "Create liftgate's events table in a SQL store when missing (needed to ingest into it).").
				Bool()
		duckdbMemory = kingpin.Flag("store.duckdb.memory-limit-mib", "DuckDB memory limit in MiB (0: 1024).").
				Default("0").Int()

		promURL = kingpin.Flag("prometheus.url", "Prometheus-compatible server that plans' prometheus metrics and telemetry traffic checks read (e.g. http://prometheus:9090).").
			String()
		promConfig = kingpin.Flag("prometheus.config", "Prometheus HTTP client config file for --prometheus.url (authorization, basic_auth, tls_config, proxy_url).").
				String()
		promTimeout = kingpin.Flag("prometheus.timeout", "Maximum time for one Prometheus query.").
				Default("30s").Duration()

		ingestTokenFile = kingpin.Flag("ingest.token-file", "File holding the bearer token required on POST /api/v1/events.").
				String()
		apiTokenFile = kingpin.Flag("api.token-file", "File holding the bearer token required on the store query, plans and results APIs.").
				String()
		ingestMaxBytes = kingpin.Flag("ingest.max-bytes", "Maximum size of one ingestion request body, decompressed.").
				Default("16MiB").Bytes()
		ingestMaxEvents = kingpin.Flag("ingest.max-events", "Maximum events in one ingestion request.").
				Default("100000").Int()
		ingestTimeout = kingpin.Flag("ingest.timeout", "Maximum time to store one ingestion request's batch.").
				Default("30s").Duration()

		decisionsEnabled = kingpin.Flag("decisions.enabled", "Keep the decision log (verdict, decision, stage and plan changes with their evidence, and people's decisions). --no-decisions.enabled turns it off.").
					Default("true").Bool()
		decisionsDir = kingpin.Flag("decisions.dir", "Keep the decision log in this directory (append-only JSON lines, fsynced per entry) instead of the event store's liftgate_decisions table; for a SQL store liftgate may only read.").
				String()
		decisionsRetention = kingpin.Flag("decisions.retention", "Keep decision log entries at least this long; older ones are deleted hourly (0: keep everything).").
					Default("0s").Duration()
	)
	logConfig := &promslog.Config{}
	flag.AddFlags(kingpin.CommandLine, logConfig)
	kingpin.Version(version.Print(exporterName))
	kingpin.HelpFlag.Short('h')
	kingpin.Parse()
	logger := promslog.New(logConfig)

	logger.Info("Starting "+exporterName, "version", version.Info())
	logger.Info("Build context", "build_context", version.BuildContext())

	shard, err := evaluator.ParseShard(*shardFlag)
	if err != nil {
		fatal(logger, "Bad flag", err)
	}
	ingestToken, err := readToken(*ingestTokenFile, "--ingest.token-file")
	if err != nil {
		fatal(logger, "Bad flag", err)
	}
	apiToken, err := readToken(*apiTokenFile, "--api.token-file")
	if err != nil {
		fatal(logger, "Bad flag", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	typ := *storeType
	if !storeTypeSet && *storeConfig != "" {
		typ = "" // the config file says
	}
	store, err := stores.Open(ctx, stores.Config{Type: typ, Path: *storePath, DuckDBMemoryMiB: *duckdbMemory,
		ConfigFile: *storeConfig, CreateSchema: *createSchema})
	if err != nil {
		fatal(logger, "Cannot open the event store", err)
	}
	defer func() {
		// Closing DuckDB checkpoints its write-ahead log into the file.
		if err := store.Close(); err != nil {
			logger.Error("Closing the event store", "err", err)
		}
	}()

	decisions, outcomes, onResult, err := openDecisionLog(ctx, store, *decisionsEnabled, *decisionsDir, *decisionsRetention, logger)
	if err != nil {
		fatal(logger, "Cannot open the decision log", err)
	}
	if decisions != nil {
		// Deferred after the store's Close, so it runs before it.
		defer decisions.Close()
	}

	tel, err := telemetrySource(*promURL, *promConfig, *promTimeout)
	if err != nil {
		fatal(logger, "Bad flag", err)
	}
	ev, err := evaluator.New(evaluator.Options{
		PlansDir: *plansDir, Source: store.Source, Telemetry: tel, Interval: *interval, Timeout: *evalTimeout,
		Concurrency: *concurrency, Shard: shard, Logger: logger,
		// Sums put the sufficient statistics behind each verdict into the
		// decision log (and the result API), so any entry can be recomputed.
		Engine:   engine.Options{IncludeSums: true},
		OnResult: onResult,
	})
	if err != nil {
		fatal(logger, "Cannot load plans", err)
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(versioncollector.NewCollector(exporterName), collector.New(ev, logger))
	if decisions != nil {
		reg.MustRegister(outcomes)
	}
	if !*disableExporterMetrics {
		reg.MustRegister(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), collectors.NewGoCollector())
	}
	var metrics http.Handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		ErrorLog:            slog.NewLogLogger(logger.Handler(), slog.LevelError),
		ErrorHandling:       promhttp.ContinueOnError,
		MaxRequestsInFlight: *maxRequests,
	})
	if !*disableExporterMetrics {
		metrics = promhttp.InstrumentMetricHandler(reg, metrics)
	}

	handler := server.New(server.Options{
		Decisions: decisions,
		Evaluator: ev, Source: store.Source, Writer: store.Writer,
		IngestToken: ingestToken, APIToken: apiToken,
		MaxIngestBytes: int64(*ingestMaxBytes), MaxIngestEvents: *ingestMaxEvents, IngestTimeout: *ingestTimeout,
		Metrics: metrics, MetricsPath: *metricsPath, Registerer: reg, Logger: logger, Version: version.Info(),
	})
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       *readTimeout,
		WriteTimeout:      *writeTimeout,
		IdleTimeout:       2 * time.Minute,
	}

	evalDone := make(chan struct{})
	go func() {
		defer close(evalDone)
		ev.Run(ctx)
	}()
	go reloadOnSIGHUP(ctx, ev, logger)
	go func() {
		<-ctx.Done()
		logger.Info("Shutting down")
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		// Shutdown lets in-flight ingestion requests finish their commit.
		_ = srv.Shutdown(shutdownCtx)
	}()

	if err := web.ListenAndServe(srv, toolkitFlags, logger); err != nil && !errors.Is(err, http.ErrServerClosed) {
		stop()
		<-evalDone
		fatalAfterCleanup(logger, store, err)
	}
	stop()
	<-evalDone
}

// reloadOnSIGHUP rereads the plans directory on every SIGHUP.
func reloadOnSIGHUP(ctx context.Context, ev *evaluator.Evaluator, logger *slog.Logger) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			if err := ev.Reload(); err != nil {
				logger.Error("Reload after SIGHUP had problems; the last good plans keep running", "err", err)
			}
		}
	}
}

// openDecisionLog opens the decision log (in the event store, or in
// --decisions.dir), its outcome metrics and its recorder, and starts
// retention. It returns a nil log when the log is turned off.
func openDecisionLog(ctx context.Context, store *stores.Store, enabled bool, dir string, retention time.Duration, logger *slog.Logger) (decisionlog.Log, *collector.Outcomes, func(context.Context, *evaluator.LoadedPlan, *engine.Result), error) {
	if !enabled {
		logger.Info("Decision log is off (--no-decisions.enabled)")
		return nil, nil, nil, nil
	}
	opts := decisionlog.Options{MaxAge: retention}
	var (
		log   decisionlog.Log
		err   error
		where = "the event store's liftgate_decisions table"
	)
	if dir != "" {
		var fl *decisionlog.FileLog
		if fl, err = decisionlog.OpenFile(dir, opts); err == nil {
			log, where = fl, dir
		}
	} else {
		log, err = store.DecisionLog(ctx, opts)
	}
	if err != nil {
		return nil, nil, nil, err
	}
	if r, ok := log.(decisionlog.Retainer); ok && retention > 0 {
		go decisionlog.CompactEvery(ctx, r, time.Hour, nil, func(err error) { logger.Error("Decision log retention", "err", err) })
	}
	logger.Info("Decision log open", "in", where, "retention", retention)
	outcomes := collector.NewOutcomes(log, logger)
	return log, outcomes, recordDecisions(decisionlog.NewRecorder(log), outcomes, logger), nil
}

// recordDecisions appends what each successful evaluation changes to the
// decision log. A failed append is logged, counted and retried at the next
// evaluation (the recorder keeps its state), never fatal to evaluation.
func recordDecisions(rec *decisionlog.Recorder, outcomes *collector.Outcomes, logger *slog.Logger) func(context.Context, *evaluator.LoadedPlan, *engine.Result) {
	return func(ctx context.Context, lp *evaluator.LoadedPlan, res *engine.Result) {
		fields, err := decisionlog.PlanFields(lp.Plan)
		if err != nil {
			logger.Warn("Decision log: cannot fingerprint the plan", "experiment", lp.Plan.ID, "err", err)
		}
		if _, err := rec.Observe(ctx, res, fields); err != nil {
			outcomes.WriteFailed()
			logger.Error("Decision log: appending failed", "experiment", lp.Plan.ID, "err", err)
		}
	}
}

// telemetrySource builds the Prometheus client for telemetry metrics; nil
// when no URL is given (such metrics are then insufficient_data).
func telemetrySource(url, configFile string, timeout time.Duration) (telemetry.Source, error) {
	if url == "" {
		if configFile != "" {
			return nil, errors.New("--prometheus.config needs --prometheus.url")
		}
		return nil, nil
	}
	cfg := telemetry.PrometheusConfig{URL: url, Timeout: timeout}
	if configFile != "" {
		httpCfg, err := telemetry.LoadHTTPConfig(configFile)
		if err != nil {
			return nil, fmt.Errorf("--prometheus.config: %w", err)
		}
		cfg.HTTP = httpCfg
	}
	p, err := telemetry.NewPrometheus(cfg)
	if err != nil {
		return nil, fmt.Errorf("--prometheus.url: %w", err)
	}
	return p, nil
}

// readToken reads a bearer token file; "" means no token.
func readToken(path, flagName string) (string, error) {
	if path == "" {
		return "", nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%s: %w", flagName, err)
	}
	token := strings.TrimSpace(string(data))
	if token == "" {
		return "", fmt.Errorf("%s: %s is empty", flagName, path)
	}
	return token, nil
}

func fatal(logger *slog.Logger, msg string, err error) {
	logger.Error(msg, "err", err)
	os.Exit(1)
}

// fatalAfterCleanup closes the store (checkpointing DuckDB) before exiting,
// since os.Exit skips deferred calls.
func fatalAfterCleanup(logger *slog.Logger, store *stores.Store, err error) {
	logger.Error("Server failed", "err", err)
	_ = store.Close()
	os.Exit(1)
}
