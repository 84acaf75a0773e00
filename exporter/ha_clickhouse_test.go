package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/liftgate/liftgate/exporter/internal/e2e"
	"github.com/liftgate/liftgate/internal/testserver"
	"github.com/liftgate/liftgate/pkg/decisionlog"
	"github.com/liftgate/liftgate/pkg/exporterclient"
)

// TestClickHouseHAPairAndStoreOutage runs two exporters evaluating the same
// plans against one real ClickHouse (an HA pair): at the same evaluation
// slot they export the same numbers. Then the store goes away for one of
// them (its connections are cut by a proxy, as in a partition or a server
// restart): its verdicts turn insufficient_data with the evaluation marked
// failed and the gate on hold, never a stale proceed or rollback; when the
// store comes back it agrees with its twin again.
func TestClickHouseHAPairAndStoreOutage(t *testing.T) {
	ch := testserver.StartClickHouse(t)
	database := ch.CreateDatabase(t)
	proxy := e2e.StartProxy(t, ch.Addr())

	dir := t.TempDir()
	plansDir := filepath.Join(dir, "plans")
	if err := os.Mkdir(plansDir, 0o755); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(repoPath("examples", "checkout-v2.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	e2e.WriteFile(t, plansDir, "checkout-v2.yaml", src)
	config := func(name, addr string) string {
		return e2e.WriteFile(t, dir, name, []byte(fmt.Sprintf(
			"addr: %s\ndatabase: %s\nuser: %s\npassword: %s\ndial_timeout: 2s\nquery_timeout: 20s\n",
			addr, database, ch.User, ch.Password)))
	}
	args := func(cfg string) []string {
		return []string{"--plans.dir=" + plansDir, "--store.type=clickhouse", "--store.config=" + cfg,
			"--store.create-schema", "--evaluation.interval=3s", "--evaluation.timeout=10s"}
	}
	// a reaches ClickHouse through the proxy; b directly.
	a := e2e.StartExporter(t, exporterBin, args(config("a.yaml", proxy.Addr))...)
	b := e2e.StartExporter(t, exporterBin, args(config("b.yaml", ch.Addr()))...)

	// Debian's ClickHouse (18.16) has no DateTime64: whole seconds only.
	lines := exampleEvents(t)
	for i, l := range lines {
		lines[i] = fractionalSeconds.ReplaceAll(l, []byte("Z\""))
	}
	inserted, _ := ingestAll(t, a.URL, "", lines, 20000)
	if inserted == 0 {
		t.Fatal("nothing inserted into ClickHouse")
	}
	ids := []string{"checkout-v2"}
	waitEvaluations(t, a, ids, 2)
	waitEvaluations(t, b, ids, 2)

	// The pair agrees at the same slot.
	ma, mb := sameSlot(t, a, b, "clickhouse")
	compareFamilies(t, ma, mb)
	if v, _ := e2e.Sample(ma, "liftgate_experiment_verdict", map[string]string{"metric": "purchase_conversion", "verdict": "insufficient_data"}); v != 0 {
		t.Fatal("setup: with the example data the verdicts are not insufficient_data")
	}
	decisionBefore := gateOf(t, a).Decision

	// The store goes away for a.
	proxy.Cut()
	waitMetric(t, a, "liftgate_last_evaluation_success", map[string]string{"experiment": "checkout-v2", "source": "clickhouse"}, 0)
	mfs, err := a.Scrape()
	if err != nil {
		t.Fatal(err)
	}
	for _, metric := range []string{"purchase_conversion", "revenue", "errors_per_session"} {
		if v, _ := e2e.Sample(mfs, "liftgate_experiment_verdict", map[string]string{"metric": metric, "verdict": "insufficient_data"}); v != 1 {
			t.Errorf("%s: not insufficient_data while the store is away", metric)
		}
	}
	if v, _ := e2e.Sample(mfs, "liftgate_experiment_decision", map[string]string{"decision": "hold"}); v != 1 {
		t.Error("decision is not hold while the store is away")
	}
	if _, ok := e2e.Sample(mfs, "liftgate_experiment_absolute_effect", nil); ok {
		t.Error("stale effects are still exported while the store is away")
	}
	if g := gateOf(t, a); g.Decision != "hold" || g.EvaluationOK {
		t.Errorf("gate while the store is away: %+v, want hold", g)
	}
	if errs, _ := e2e.Sample(mfs, "liftgate_evaluation_errors_total", map[string]string{"source": "clickhouse"}); errs < 1 {
		t.Error("evaluation_errors_total did not move")
	}
	// Ingestion into the missing store is refused as retryable.
	if status, _, _ := postBatch(a.URL, "", exampleEvents(t)[:10]); status != http.StatusServiceUnavailable {
		t.Errorf("ingestion with the store away: %d, want 503", status)
	}

	// It comes back.
	proxy.Restore()
	waitMetric(t, a, "liftgate_last_evaluation_success", map[string]string{"experiment": "checkout-v2", "source": "clickhouse"}, 1)
	ma, mb = sameSlot(t, a, b, "clickhouse")
	compareFamilies(t, ma, mb)
	if g := gateOf(t, a); g.Decision != decisionBefore {
		t.Errorf("after the store came back the gate says %s, before it said %s", g.Decision, decisionBefore)
	}
	checkSharedDecisionLog(t, a, b)
}

// checkSharedDecisionLog checks the pair keeps one decision log in the
// shared ClickHouse: both serve the same entries, a note sent to one is
// seen by the other, and each change counts once in the outcome metrics
// even when both exporters recorded it in the same instant.
func checkSharedDecisionLog(t *testing.T, a, b *e2e.Exporter) {
	t.Helper()
	ctx := context.Background()
	ca, _ := exporterclient.New(a.URL, "")
	cb, _ := exporterclient.New(b.URL, "")
	note, err := ca.RecordDecision(ctx, exporterclient.HumanDecisionRequest{Experiment: "checkout-v2", Action: "rollback", Who: "alice", Why: "errors up"})
	if err != nil {
		t.Fatal(err)
	}
	var ea, eb []decisionlog.Entry
	deadline := time.Now().Add(30 * time.Second)
	for {
		ea, err = ca.Decisions(ctx, exporterclient.DecisionQuery{Experiment: "checkout-v2"})
		if err != nil {
			t.Fatal(err)
		}
		eb, err = cb.Decisions(ctx, exporterclient.DecisionQuery{Experiment: "checkout-v2"})
		if err != nil {
			t.Fatal(err)
		}
		if len(ea) == len(eb) && len(eb) > 0 && eb[len(eb)-1].ID >= note.ID {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the two exporters serve %d and %d entries; want one shared log with the note", len(ea), len(eb))
		}
		time.Sleep(200 * time.Millisecond)
	}
	ja, _ := json.Marshal(ea)
	jb, _ := json.Marshal(eb)
	if string(ja) != string(jb) {
		t.Fatalf("the pair serves different logs:\n%s\n%s", ja, jb)
	}
	changes := decisionlog.DropRepeats(eb)
	t.Logf("shared log: %d entries, %d after dropping repeated changes", len(eb), len(changes))
	rollbacks, plans := 0, 0
	for _, e := range changes {
		switch {
		case e.Kind == decisionlog.KindPlanChange:
			plans++
		case e.Kind == decisionlog.KindDecisionChange && e.To == "rollback":
			rollbacks++
		}
	}
	if plans != 1 || rollbacks != 1 {
		t.Errorf("shared log holds %d plan changes and %d rollback decisions once repeats are dropped; want 1 and 1", plans, rollbacks)
	}
	// The gate's rollback and alice's confirmation are one rollback, on
	// both exporters.
	for _, e := range []*e2e.Exporter{a, b} {
		waitMetric(t, e, "liftgate_rollout_rollbacks", map[string]string{"experiment": "checkout-v2"}, 1)
	}
}

var fractionalSeconds = regexp.MustCompile(`\.\d+Z"`)

// sameSlot scrapes both exporters until they show the same evaluation time.
func sameSlot(t *testing.T, a, b *e2e.Exporter, source string) (map[string]*dto.MetricFamily, map[string]*dto.MetricFamily) {
	t.Helper()
	lbl := map[string]string{"experiment": "checkout-v2", "source": source}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		ma, err1 := a.Scrape()
		mb, err2 := b.Scrape()
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		ta, _ := e2e.Sample(ma, "liftgate_last_evaluation_timestamp_seconds", lbl)
		tb, _ := e2e.Sample(mb, "liftgate_last_evaluation_timestamp_seconds", lbl)
		sa, _ := e2e.Sample(ma, "liftgate_last_evaluation_success", lbl)
		sb, _ := e2e.Sample(mb, "liftgate_last_evaluation_success", lbl)
		if ta == tb && ta > 0 && sa == 1 && sb == 1 {
			return ma, mb
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("the two exporters never showed the same successful evaluation slot")
	return nil, nil
}

// deterministic families are those an HA pair must agree on: everything
// about the experiment except timings and the counters, which depend on
// when each process started.
func deterministic(name string) bool {
	return strings.HasPrefix(name, "liftgate_experiment_") &&
		!strings.HasSuffix(name, "_total") && name != "liftgate_experiment_last_evaluation_duration_seconds"
}

func compareFamilies(t *testing.T, a, b map[string]*dto.MetricFamily) {
	t.Helper()
	flat := func(mfs map[string]*dto.MetricFamily) map[string]float64 {
		out := map[string]float64{}
		for name, mf := range mfs {
			if !deterministic(name) {
				continue
			}
			for _, m := range mf.GetMetric() {
				var labels []string
				for _, lp := range m.GetLabel() {
					labels = append(labels, lp.GetName()+"="+lp.GetValue())
				}
				sort.Strings(labels)
				out[name+"{"+strings.Join(labels, ",")+"}"] = m.GetGauge().GetValue()
			}
		}
		return out
	}
	fa, fb := flat(a), flat(b)
	if len(fa) < 20 {
		t.Fatalf("only %d deterministic series", len(fa))
	}
	for k, va := range fa {
		if vb, ok := fb[k]; !ok || va != vb {
			t.Errorf("%s: %v on one exporter, %v (present %v) on the other", k, va, vb, ok)
		}
	}
	for k := range fb {
		if _, ok := fa[k]; !ok {
			t.Errorf("%s only on one exporter", k)
		}
	}
}

func gateOf(t *testing.T, e *e2e.Exporter) exporterclient.Gate {
	t.Helper()
	resp, err := http.Get(e.URL + "/api/v1/gates/checkout-v2")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var g exporterclient.Gate
	if err := json.NewDecoder(resp.Body).Decode(&g); err != nil {
		t.Fatal(err)
	}
	return g
}
