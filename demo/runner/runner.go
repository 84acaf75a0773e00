package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/liftgate/liftgate/demo/sim"
	"github.com/liftgate/liftgate/pkg/exporterclient"
)

// run is one demo in progress: the processes it started and what it saw.
type run struct {
	cfg      Config
	tl       *timeline
	report   *Report
	exporter *process
	prom     *process
	am       *process
	simSrv   *http.Server
	addrs    struct{ exporter, prom, am, sim string }
}

// Run runs the demo until the rollback has been carried out (and
// AfterRollback has passed), MaxDuration has passed, or ctx ends. It always
// stops what it started and writes report.json and timeline.txt into the
// data directory, also when it returns an error.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	r := &run{cfg: cfg, tl: &timeline{out: cfg.Out}}
	r.report = &Report{Scenario: "aa", Experiment: Experiment, DataDir: cfg.DataDir}
	if cfg.Regression {
		r.report.Scenario = "regression"
	}
	if err := prepareDataDir(cfg.DataDir); err != nil {
		return nil, err
	}
	defer r.stopAll()
	err := r.run(ctx)
	r.finish()
	return r.report, err
}

func prepareDataDir(dir string) error {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("runner: data directory %s is not empty; pick a new one so no run overwrites another", dir)
	}
	for _, sub := range []string{"plans", "exporter", "prometheus/data", "alertmanager/data"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return err
		}
	}
	return nil
}

func (r *run) say(format string, args ...any) {
	fmt.Fprintf(r.cfg.Out, "setup         "+format+"\n", args...)
}

func (r *run) run(ctx context.Context) error {
	cfg := r.cfg
	telemetry := supportsFlag(cfg.ExporterBin, "--prometheus.url")
	r.report.Telemetry = telemetry
	if !telemetry {
		r.say("this liftgate_exporter has no --prometheus.url: the plan leaves out its telemetry guardrails")
	}

	// The simulator's server listens first (in this process, so its port
	// cannot be taken); the simulator itself starts with the rollout.
	simLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	var handler atomic.Pointer[http.Handler]
	r.simSrv = &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if h := handler.Load(); h != nil {
			(*h).ServeHTTP(w, req)
			return
		}
		http.Error(w, "the rollout has not started", http.StatusServiceUnavailable)
	})}
	go func() { _ = r.simSrv.Serve(simLn) }()
	r.addrs.sim = simLn.Addr().String()
	for _, a := range []*string{&r.addrs.exporter, &r.addrs.prom, &r.addrs.am} {
		if *a, err = freeAddr(); err != nil {
			return err
		}
	}
	if err := r.startAlertmanager(ctx); err != nil {
		return err
	}
	if err := r.startExporter(ctx, telemetry); err != nil {
		return err
	}
	if err := r.startPrometheus(ctx); err != nil {
		return err
	}

	// The rollout starts two evaluation intervals ago, on a whole second:
	// the exporter's first evaluation of the plan, right after the reload,
	// is at the latest slot of its grid (up to one and a half intervals
	// back), which then already falls inside the plan; the simulator catches
	// up on those seconds in its first step.
	start := time.Now().Add(-2*cfg.EvaluationInterval - time.Second).Truncate(time.Second)
	r.tl.start, r.report.Start = start, start
	planPath, p, err := writePlan(filepath.Join(cfg.DataDir, "plans"), start, cfg.Stages, telemetry)
	if err != nil {
		return err
	}
	client, err := exporterclient.New("http://"+r.addrs.exporter, "")
	if err != nil {
		return err
	}
	if err := reloadPlans(ctx, "http://"+r.addrs.exporter); err != nil {
		return err
	}
	r.say("plan %s (hash %s) written to %s and loaded by the exporter", p.ID, p.Hash(), planPath)

	simCfg := sim.Config{
		Experiment: Experiment, Control: armControl, Treatment: armTreatment, Start: start,
		Speed: cfg.Speed, UsersPerSecond: cfg.UsersPerSecond, Seed: cfg.Seed,
	}
	var offset time.Duration
	for _, s := range cfg.Stages {
		simCfg.Stages = append(simCfg.Stages, sim.Stage{Name: s.Name, Offset: offset, TreatmentWeight: s.TreatmentWeight})
		offset += s.MinDuration
	}
	if cfg.Regression {
		simCfg.Regression = &sim.Regression{Stage: cfg.InjectStage, After: cfg.InjectAfter,
			LatencyFactor: 1.8, ErrorRate: 0.06, ConversionFactor: 0.85}
	}
	w := newWatcher(client, "http://"+r.addrs.prom, r.tl, r.report)
	simulator, err := sim.New(simCfg, "http://"+r.addrs.exporter, "", func(n sim.Note) {
		switch n.Kind {
		case sim.NoteError:
			w.problem("simulator: %s", n.Text)
		case sim.NoteRegression:
			w.setInjection(&Injection{At: n.At, Stage: cfg.InjectStage})
			fallthrough
		default:
			r.tl.add(n.At, "simulator", "%s", n.Text)
		}
	})
	if err != nil {
		return err
	}
	h := simulator.Handler()
	handler.Store(&h)
	r.say("rollout of %s starts at %s; timeline (T = seconds since the start):", Experiment, start.Format(time.TimeOnly))

	simCtx, stopSim := context.WithCancel(ctx)
	simDone := make(chan error, 1)
	go func() { simDone <- simulator.Run(simCtx) }()

	deadline := start.Add(cfg.MaxDuration)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var runErr error
	noted := false
watch:
	for {
		select {
		case <-ctx.Done():
			runErr = ctx.Err()
			break watch
		case now := <-tick.C:
			w.pollExporter(ctx)
			w.pollAlerts(ctx)
			rb := simulator.RolledBack()
			if !rb.IsZero() && !noted {
				noted = true
				r.recordOnCallNote(ctx, client)
			}
			if !rb.IsZero() && now.Sub(rb) >= cfg.AfterRollback {
				break watch
			}
			if now.After(deadline) {
				break watch
			}
			if err := r.checkAlive(); err != nil {
				runErr = err
				break watch
			}
		}
	}
	stopSim()
	if err := <-simDone; err != nil {
		r.report.Problems = append(r.report.Problems, "simulator: "+err.Error())
	}
	// One last look, with the final events in.
	final, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	w.pollExporter(final)
	w.pollAlerts(final)
	if err := r.collectDecisionLog(final, client); err != nil {
		r.report.Problems = append(r.report.Problems, err.Error())
	}
	cancel()
	if last := w.lastResult(); last != nil {
		// The exporter's full last result (every metric's reason included),
		// as GET /api/v1/experiments/{id}/result served it.
		if data, err := json.MarshalIndent(last, "", "  "); err == nil {
			_ = os.WriteFile(filepath.Join(cfg.DataDir, "exporter", "last-result.json"), append(data, '\n'), 0o644)
		}
	}
	r.report.Notifications = simulator.Notifications()
	r.report.Sim = simulator.Stats()
	if rb := simulator.RolledBack(); !rb.IsZero() {
		r.report.RollbackAt = &rb
	}
	return runErr
}

func (r *run) startAlertmanager(ctx context.Context) error {
	cfgData, err := alertmanagerConfig(r.cfg.RepoRoot, r.addrs.sim)
	if err != nil {
		return err
	}
	dir := filepath.Join(r.cfg.DataDir, "alertmanager")
	path := filepath.Join(dir, "alertmanager.yml")
	if err := os.WriteFile(path, cfgData, 0o644); err != nil {
		return err
	}
	r.am, err = startProcess("alertmanager", filepath.Join(dir, "alertmanager.log"), r.cfg.AlertmanagerBin,
		"--config.file="+path, "--storage.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+r.addrs.am, "--cluster.listen-address=")
	if err != nil {
		return err
	}
	if err := r.am.waitReady(ctx, "http://"+r.addrs.am+"/-/ready", r.cfg.StartupTimeout); err != nil {
		return err
	}
	r.say("Alertmanager   http://%s (shipped routing; webhooks to the simulator at %s)", r.addrs.am, r.addrs.sim)
	return nil
}

func (r *run) startExporter(ctx context.Context, telemetry bool) error {
	dir := filepath.Join(r.cfg.DataDir, "exporter")
	args := []string{
		"--plans.dir=" + filepath.Join(r.cfg.DataDir, "plans"),
		"--store.type=duckdb", "--store.path=" + filepath.Join(dir, "events.duckdb"),
		"--web.listen-address=" + r.addrs.exporter,
		"--evaluation.interval=" + r.cfg.EvaluationInterval.String(),
	}
	if telemetry {
		args = append(args, "--prometheus.url=http://"+r.addrs.prom)
	}
	var err error
	r.exporter, err = startProcess("liftgate_exporter", filepath.Join(dir, "exporter.log"), r.cfg.ExporterBin, args...)
	if err != nil {
		return err
	}
	if err := r.exporter.waitReady(ctx, "http://"+r.addrs.exporter+"/-/ready", r.cfg.StartupTimeout); err != nil {
		return err
	}
	r.say("exporter       http://%s (embedded DuckDB store, evaluation every %s)", r.addrs.exporter, r.cfg.EvaluationInterval)
	return nil
}

func (r *run) startPrometheus(ctx context.Context) error {
	cfgData, err := prometheusConfig(r.cfg.RepoRoot, r.cfg.ScrapeInterval, r.addrs.exporter, r.addrs.sim, r.addrs.am)
	if err != nil {
		return err
	}
	dir := filepath.Join(r.cfg.DataDir, "prometheus")
	path := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(path, cfgData, 0o644); err != nil {
		return err
	}
	r.prom, err = startProcess("prometheus", filepath.Join(dir, "prometheus.log"), r.cfg.PrometheusBin,
		"--config.file="+path, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+r.addrs.prom)
	if err != nil {
		return err
	}
	if err := r.prom.waitReady(ctx, "http://"+r.addrs.prom+"/-/ready", r.cfg.StartupTimeout); err != nil {
		return err
	}
	r.say("Prometheus     http://%s (shipped rules, scrape and rule evaluation every %s)", r.addrs.prom, r.cfg.ScrapeInterval)
	return nil
}

// checkAlive fails the run when a server it started has died.
func (r *run) checkAlive() error {
	for _, p := range []*process{r.exporter, r.prom, r.am} {
		if p != nil && p.exited() {
			return fmt.Errorf("%s exited during the demo (%v); the end of %s:\n%s", p.name, p.err, p.logPath, p.tail())
		}
	}
	return nil
}

// stopAll stops every process the run started, the exporter first so its
// DuckDB file is checkpointed and ready for `liftgate analyze`.
func (r *run) stopAll() {
	if r.simSrv != nil {
		_ = r.simSrv.Close()
	}
	for _, p := range []*process{r.exporter, r.prom, r.am} {
		if err := p.stop(30 * time.Second); err != nil {
			r.report.Problems = append(r.report.Problems, err.Error())
		}
	}
}

// finish writes the report and the timeline into the data directory.
func (r *run) finish() {
	r.report.End = time.Now()
	r.report.Timeline = r.tl.list()
	if data, err := json.MarshalIndent(r.report, "", "  "); err == nil {
		_ = os.WriteFile(filepath.Join(r.cfg.DataDir, "report.json"), append(data, '\n'), 0o644)
	}
	var b strings.Builder
	for _, e := range r.report.Timeline {
		fmt.Fprintf(&b, "T%+7.1fs  %-12s %s\n", e.Offset, e.Source, e.Text)
	}
	_ = os.WriteFile(filepath.Join(r.cfg.DataDir, "timeline.txt"), []byte(b.String()), 0o644)
}

// reloadPlans asks the exporter to reread its plans directory and checks
// the demo plan is among them.
func reloadPlans(ctx context.Context, base string) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/-/reload", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("reloading the exporter's plans: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("reloading the exporter's plans: HTTP %d", resp.StatusCode)
	}
	client, err := exporterclient.New(base, "")
	if err != nil {
		return err
	}
	plans, err := client.ListPlans(ctx)
	if err != nil {
		return err
	}
	for _, p := range plans {
		if p.ID == Experiment {
			return nil
		}
	}
	return errors.New("the exporter did not load the demo plan; see exporter/exporter.log in the data directory")
}

// supportsFlag reports whether a kingpin binary lists flag in its help.
func supportsFlag(bin, flag string) bool {
	out, _ := exec.Command(bin, "--help").CombinedOutput()
	return strings.Contains(string(out), flag+"=")
}
