package runner

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// PrintSummary writes what the run showed and how to look at its data.
func PrintSummary(w io.Writer, rep *Report, repoRoot string) {
	fmt.Fprintf(w, "\nSummary (%s run, experiment %s)\n", rep.Scenario, rep.Experiment)
	since := func(tm float64) string { return fmt.Sprintf("T%+.1fs", tm) }
	if inj := rep.Injection; inj != nil {
		fmt.Fprintf(w, "  regression injected          %s in stage %s\n", since(inj.At.Sub(rep.Start).Seconds()), inj.Stage)
	}
	if h := rep.FirstHarmful(); h != nil {
		delay := ""
		if rep.Injection != nil {
			delay = fmt.Sprintf(", %.1f s after the injection", h.At.Sub(rep.Injection.At).Seconds())
		}
		fmt.Fprintf(w, "  first harmful verdict        %s%s: %s (%s) in %s, stage %s, %s\n",
			since(h.At.Sub(rep.Start).Seconds()), delay, h.Metric, h.Role, h.Arm, h.Stage, h.Effect)
	} else {
		fmt.Fprintf(w, "  harmful verdicts             none\n")
	}
	if d := rep.FirstDecision("rollback"); d != nil {
		fmt.Fprintf(w, "  decision -> rollback         %s, stage %s\n", since(d.At.Sub(rep.Start).Seconds()), d.Stage)
	} else {
		fmt.Fprintf(w, "  decision -> rollback         never\n")
	}
	if fired := rep.Fired(); len(fired) > 0 {
		for _, name := range fired {
			a := rep.FirstAlert(name, "firing")
			fmt.Fprintf(w, "  alert firing                 %s %s\n", since(a.At.Sub(rep.Start).Seconds()), name)
		}
	} else {
		fmt.Fprintf(w, "  alerts firing                none\n")
	}
	if rep.RollbackAt != nil {
		fmt.Fprintf(w, "  rollback hook carried out    %s\n", since(rep.RollbackAt.Sub(rep.Start).Seconds()))
	}
	fmt.Fprintf(w, "  pager notifications          %d\n", rep.Pages())
	if dl := rep.DecisionLog; dl != nil {
		fmt.Fprintf(w, "  decision log                 %d entries (%d verdict changes, %d decision changes, %d stage changes, %d human decisions)\n",
			dl.Entries, dl.Kinds["verdict_change"], dl.Kinds["decision_change"], dl.Kinds["stage_change"], dl.Kinds["human_decision"])
		if ro := dl.Rollout; ro != nil {
			line := fmt.Sprintf("%s, %d rollback(s)", ro.Outcome, ro.Rollbacks)
			if ro.DetectionToRollbackSeconds != nil {
				line += fmt.Sprintf(", first harmful evidence to rollback decision %.1f s", *ro.DetectionToRollbackSeconds)
			}
			fmt.Fprintf(w, "  rollout outcome (the log)    %s\n", line)
		}
	}
	fmt.Fprintf(w, "  users %d (exposed: %v), events %d, acknowledged by the exporter %d\n",
		rep.Sim.Users, rep.Sim.Exposed, rep.Sim.Events, rep.Sim.Acknowledged)
	for _, p := range rep.Problems {
		fmt.Fprintf(w, "  problem: %s\n", p)
	}

	dir := rep.DataDir
	plan := filepath.Join(dir, "plans", rep.Experiment+".yaml")
	fmt.Fprintf(w, `
The data stays in %[1]s:
  timeline.txt, report.json       this run's timeline and what it detected
  history.json, history.csv       the rollout's record from the decision log (liftgate history export)
  exporter/decisions.json         the decision log (also in events.duckdb, table liftgate_decisions)
  plans/                          the preregistered plan
  exporter/events.duckdb          every product event (the exporter's embedded store)
  prometheus/data                 telemetry, liftgate_* metrics and ALERTS
  */*.log                         each server's log

Look at it again:
  bin/liftgate analyze --plan %[2]s --db %[1]s/exporter/events.duckdb
  prometheus --config.file=%[1]s/prometheus/prometheus.yml --storage.tsdb.path=%[1]s/prometheus/data --web.listen-address=127.0.0.1:9090
  bin/liftgate_exporter --plans.dir=%[1]s/plans --store.path=%[1]s/exporter/events.duckdb --prometheus.url=http://127.0.0.1:9090
  curl -s 'http://127.0.0.1:9781/api/v1/decisions?experiment=%[4]s' | jq .     (the decision log; docs/decision-log.md)
  bin/liftgate history export --db %[1]s/exporter/events.duckdb --format csv   (with the exporter above stopped)

Point a local Grafana at it through provisioning/ (the plugin built into dist/, the two servers above running):
  mkdir -p /tmp/grafana-plugins && ln -sfn %[3]s/dist /tmp/grafana-plugins/liftgate-rollout-datasource
  export GF_PATHS_PLUGINS=/tmp/grafana-plugins GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS=liftgate-rollout-datasource
  export GF_PATHS_PROVISIONING=%[3]s/provisioning/grafana LIFTGATE_DASHBOARDS_DIR=%[3]s/dashboards
  export LIFTGATE_EXPORTER_URL=http://127.0.0.1:9781 LIFTGATE_PROMETHEUS_URL=http://127.0.0.1:9090 LIFTGATE_EXPORTER_TOKEN=
  grafana server --homepath /usr/share/grafana
then open http://127.0.0.1:3000/d/liftgate-experiment?var-experiment=%[4]s (docs/demo.md has the details).
`, dir, plan, strings.TrimRight(repoRoot, "/"), rep.Experiment)
}
