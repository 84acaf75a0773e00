package plugin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/liftgate/liftgate/pkg/decisionlog"
	"github.com/liftgate/liftgate/pkg/exporterclient"
)

// loggingExporter runs an exporter of its own (the shared one must keep
// its data untouched) on the example events with the decision log where it
// is kept by default, in the DuckDB file, and returns its URL.
func loggingExporter(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	evs, err := readEvents(eventsFile)
	if err != nil {
		t.Fatal(err)
	}
	storePath := filepath.Join(dir, "events.duckdb")
	if err := writeStore(storePath, evs); err != nil {
		t.Fatal(err)
	}
	plans := filepath.Join(dir, "plans")
	src, err := os.ReadFile(planFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(plans, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(plans, filepath.Base(planFile)), src, 0o644); err != nil {
		t.Fatal(err)
	}
	tokenFile := filepath.Join(dir, "api-token")
	if err := os.WriteFile(tokenFile, []byte(apiToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	cmd := exec.Command(suite.exporterBin,
		"--plans.dir="+plans, "--store.path="+storePath, "--web.listen-address="+addr,
		"--api.token-file="+tokenFile,
		"--evaluation.interval=1h", "--log.level=warn")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	url := "http://" + addr
	for deadline := time.Now().Add(120 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if ok, _ := exporterServes(url); ok {
			return url
		}
		if time.Now().After(deadline) {
			t.Fatalf("the exporter did not serve %s within 120s; its log:\n%s", experiment, logs.String())
		}
	}
}

// waitForVerdictChange waits for the exporter's first evaluation to log
// the verdicts it found (each a change from insufficient_data).
func waitForVerdictChange(t *testing.T, c *exporterclient.Client) {
	t.Helper()
	for deadline := time.Now().Add(120 * time.Second); ; time.Sleep(500 * time.Millisecond) {
		got, err := c.Decisions(context.Background(), exporterclient.DecisionQuery{Experiment: experiment, Kind: decisionlog.KindVerdictChange})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the exporter logged no verdict change for the example experiment within 120s")
		}
	}
}

// ingestUnknownArm posts n exposures to an arm the plan does not name
// through the exporter's ingestion endpoint.
func ingestUnknownArm(t *testing.T, url string, n int) {
	t.Helper()
	var body bytes.Buffer
	at := time.Date(2026, 11, 5, 12, 0, 0, 0, time.UTC)
	for i := range n {
		line, _ := json.Marshal(map[string]any{
			"id": fmt.Sprintf("fault-%05d", i), "event": "experiment_viewed", "user_id": fmt.Sprintf("fault-u%05d", i),
			"timestamp":  at.Add(time.Duration(i) * time.Second).Format(time.RFC3339),
			"properties": map[string]any{"experiment_id": experiment, "variation_id": "treatment-b"},
		})
		body.Write(append(line, '\n'))
	}
	req, _ := http.NewRequest(http.MethodPost, url+exporterclient.PathIngest, &body)
	req.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("ingesting the fault: HTTP %d: %s", resp.StatusCode, msg)
	}
}

// The annotations query shows the exporter's decision log as recorded:
// every entry in the range, at its time, with its kind; a person's
// decision with who, why and link. With a data fault injected (exposures
// to an arm the plan does not name), the health query reports the
// unknown_arm check with its count and the annotations mark the problem.
func TestDecisionLogAndHealthThroughGRPC(t *testing.T) {
	url := loggingExporter(t)
	c, err := exporterclient.New(url, apiToken)
	if err != nil {
		t.Fatal(err)
	}
	waitForVerdictChange(t, c)
	note, err := c.RecordDecision(context.Background(), exporterclient.HumanDecisionRequest{
		Experiment: experiment, Action: decisionlog.HumanRollback, Who: "alice", Why: "checkout errors up in EU",
		Link: "https://incidents.example/42"})
	if err != nil {
		t.Fatal(err)
	}
	const faults = 500
	ingestUnknownArm(t, url, faults)

	from := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	to := time.Now().Add(time.Minute)
	entries, err := c.Decisions(context.Background(), exporterclient.DecisionQuery{Experiment: experiment, Since: from})
	if err != nil {
		t.Fatal(err)
	}
	h := startPlugin(t, suite.pluginBin)
	ds := dataSource{uid: "decision-log", jsonData: map[string]any{"exporterUrl": url, "eventStore": "exporter", "cacheTtl": "30s"},
		secure: map[string]string{"exporterToken": apiToken}, updated: time.Unix(1700000000, 0)}
	resp := h.queryData(t, ds,
		query{refID: "A", queryType: "annotations", from: from, to: to,
			model: map[string]any{"experiment": experiment, "annotationKinds": []string{"plans", "stages", "decisions", "human_decisions", "health"}}},
		query{refID: "H", queryType: "health", from: from, to: to, model: map[string]any{"experiment": experiment}})

	healthResp := resp

	// Every log entry of a kind asked for is an annotation at its time.
	f := response(t, resp, "A").Frames[0]
	type mark struct {
		kind string
		at   time.Time
	}
	got := map[mark]int{}
	var human, healthTitle, healthText string
	for i := range mustRows(t, f) {
		kind := column(t, f, "kind").At(i).(string)
		at := column(t, f, "time").At(i).(time.Time)
		got[mark{kind, at.UTC()}]++
		switch kind {
		case "human_decisions":
			human = column(t, f, "title").At(i).(string) + " | " + column(t, f, "text").At(i).(string) + " | " + column(t, f, "tags").At(i).(string)
			if !at.Equal(note.Time) {
				t.Errorf("human decision annotated at %s, logged at %s", at, note.Time)
			}
		case "health":
			healthTitle, healthText = column(t, f, "title").At(i).(string), column(t, f, "text").At(i).(string)
		}
	}
	kindOf := map[decisionlog.Kind]string{decisionlog.KindPlanChange: "plans", decisionlog.KindStageChange: "stages",
		decisionlog.KindDecisionChange: "decisions", decisionlog.KindHumanDecision: "human_decisions"}
	checked := 0
	for _, e := range entries {
		k, ok := kindOf[e.Kind]
		if !ok || e.Time.After(to) {
			continue
		}
		checked++
		m := mark{k, e.Time.UTC()}
		if got[m] == 0 {
			t.Errorf("log entry %s at %s (%s → %s) has no annotation", e.Kind, e.Time, e.From, e.To)
		}
		got[m]--
	}
	if checked < 3 {
		t.Fatalf("only %d log entries to compare (%+v); want a plan change, a decision and the note at least", checked, entries)
	}
	for _, want := range []string{"alice: rollback", "checkout errors up in EU", "https://incidents.example/42", "human_decision," + experiment} {
		if !strings.Contains(human, want) {
			t.Errorf("human decision annotation %q lacks %q", human, want)
		}
	}

	// Verdict changes: the log's, at their times, titled from → to.
	resp = h.queryData(t, ds, query{refID: "V", queryType: "annotations", from: from, to: to, interval: 24 * time.Hour,
		model: map[string]any{"experiment": experiment, "annotationKinds": []string{"verdicts"}, "bucket": "24h"}})
	vf := response(t, resp, "V").Frames[0]
	titles := map[time.Time][]string{}
	for i := range mustRows(t, vf) {
		titles[column(t, vf, "time").At(i).(time.Time).UTC()] = append(titles[column(t, vf, "time").At(i).(time.Time).UTC()], column(t, vf, "title").At(i).(string))
	}
	verdicts := 0
	for _, e := range entries {
		if e.Kind != decisionlog.KindVerdictChange {
			continue
		}
		verdicts++
		want := fmt.Sprintf("%s: metric %s in arm %s: %s → %s", experiment, e.Metric, e.Arm, e.From, e.To)
		found := false
		for _, title := range titles[e.Time.UTC()] {
			found = found || title == want
		}
		if !found {
			t.Errorf("verdict change %q at %s not annotated (annotations there: %v)", want, e.Time, titles[e.Time.UTC()])
		}
	}
	if verdicts == 0 {
		t.Fatal("no verdict change in the log to compare")
	}

	// The health table has the injected fault, counted exactly.
	hf := response(t, healthResp, "H").Frames[0]
	if hf.Meta.Type != data.FrameTypeNumericLong {
		t.Errorf("health frame type %s, want numeric-long", hf.Meta.Type)
	}
	var row = -1
	for i := range mustRows(t, hf) {
		if column(t, hf, "check").At(i).(string) == "unknown_arm" {
			row = i
		}
	}
	if row < 0 {
		t.Fatal("no unknown_arm row in the health table")
	}
	count, rate := float(t, column(t, hf, "count"), row), float(t, column(t, hf, "rate"), row)
	warn, block := float(t, column(t, hf, "warn"), row), float(t, column(t, hf, "block"), row)
	status := column(t, hf, "status").At(row).(string)
	if want := float64(faults + unplannedArmExposures(t)); count != want {
		t.Errorf("unknown_arm count %g, want %g (the example data's own and the %d injected)", count, want, faults)
	}
	wantStatus := "ok"
	switch {
	case rate > block:
		wantStatus = "block"
	case rate > warn:
		wantStatus = "warn"
	}
	if wantStatus == "ok" || status != wantStatus {
		t.Errorf("unknown_arm status %s at rate %g (warn %g, block %g), want %s and not ok", status, rate, warn, block, wantStatus)
	}
	// The first example may be the example data's own unplanned arm.
	if ex := column(t, hf, "example").At(row).(string); !strings.Contains(ex, `value "`) || strings.Contains(ex, `value "control"`) || strings.Contains(ex, `value "treatment"`) {
		t.Errorf("unknown_arm example %q does not show an unplanned arm", ex)
	}
	if !strings.Contains(healthTitle, "data health "+status) || !strings.Contains(healthText, "unknown_arm") {
		t.Errorf("health annotation %q / %q does not report the unknown_arm %s", healthTitle, healthText, status)
	}
}

// unplannedArmExposures counts the example data's own exposures to arms
// the plan does not name, straight from the event file.
func unplannedArmExposures(t *testing.T) int {
	t.Helper()
	evs, err := readEvents(eventsFile)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range evs {
		arm, _ := e.Properties["variation_id"].(string)
		if e.Name == "experiment_viewed" && e.Properties["experiment_id"] == experiment && arm != "control" && arm != "treatment" {
			n++
		}
	}
	return n
}
