// Command run is liftgate's demo: a staged rollout of a checkout change,
// caught in time. It starts liftgate_exporter (embedded store), Prometheus
// and Alertmanager with the shipped configuration and rules on loopback,
// runs the checkout simulator with a backend regression injected into the
// treatment, prints a timeline with the evidence (verdicts turning harmful,
// the decision flipping to rollback, the alert firing, the rollback hook),
// stops by itself and leaves the data for inspection. demo/run.sh builds
// everything and starts it; -aa runs the same rollout without the
// regression, which should raise nothing.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/liftgate/liftgate/demo/runner"
)

func main() {
	var cfg runner.Config
	var aa bool
	flag.StringVar(&cfg.RepoRoot, "repo", ".", "the liftgate checkout (rules/ and provisioning/ are read from it)")
	flag.StringVar(&cfg.DataDir, "data", "", "directory for the run's data (default: a new one under $TMPDIR)")
	flag.StringVar(&cfg.ExporterBin, "exporter", "bin/liftgate_exporter", "the built liftgate_exporter")
	flag.StringVar(&cfg.PrometheusBin, "prometheus", "prometheus", "Prometheus server binary")
	flag.StringVar(&cfg.AlertmanagerBin, "alertmanager", "prometheus-alertmanager", "Alertmanager binary")
	flag.BoolVar(&aa, "aa", false, "run an A/A rollout: no regression (nothing should fire)")
	flag.Float64Var(&cfg.Speed, "speed", 720, "simulated seconds per wall-clock second (720: a day every two minutes)")
	flag.Float64Var(&cfg.UsersPerSecond, "users", 150, "new users per second, averaged over the daily cycle")
	flag.Uint64Var(&cfg.Seed, "seed", 42, "random seed of the simulator")
	flag.DurationVar(&cfg.MaxDuration, "max", 0, "stop after this long at most (default: every stage plus 30s)")
	flag.DurationVar(&cfg.InjectAfter, "inject-after", 10*time.Second, "how long into the ramp stage the regression appears")
	flag.Parse()
	cfg.Regression = !aa

	if cfg.DataDir == "" {
		dir, err := os.MkdirTemp("", "liftgate-demo-")
		if err != nil {
			fail(err)
		}
		cfg.DataDir = dir
	}
	for _, p := range []*string{&cfg.RepoRoot, &cfg.DataDir, &cfg.ExporterBin} {
		abs, err := filepath.Abs(*p)
		if err != nil {
			fail(err)
		}
		*p = abs
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := runner.Run(ctx, cfg)
	if rep != nil {
		runner.PrintSummary(os.Stdout, rep, cfg.RepoRoot)
	}
	if err != nil && ctx.Err() == nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "demo: %v\n", err)
	os.Exit(1)
}
