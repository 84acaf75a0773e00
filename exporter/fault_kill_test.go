package main

import (
	"bytes"
	"database/sql"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // opens the exporter's file directly to count what it stored

	"github.com/liftgate/liftgate/exporter/internal/e2e"
	"github.com/liftgate/liftgate/exporter/internal/fixture"
)

// TestFaultSIGKILLDuringIngestion kills the exporter with SIGKILL while two
// clients are sending batches, then checks the DuckDB file: every event the
// exporter acknowledged is there, and no event is stored twice. The clients
// then resend everything (what was in flight, and what was acknowledged, as
// an at-least-once client does) to the restarted exporter: each event is
// still stored once and each unit counted once.
func TestFaultSIGKILLDuringIngestion(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "events.duckdb")
	plansDir := filepath.Join(dir, "plans")
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	if err := mkdir(plansDir); err != nil {
		t.Fatal(err)
	}
	fixture.WritePlan(t, plansDir, "kill.yaml", fixture.PlanYAML("kill", start))
	const unitsPerArm = 3000
	evs := fixture.Events("kill", start, 7,
		fixture.Arm{Name: "control", Units: unitsPerArm, PurchaseRate: 0.1},
		fixture.Arm{Name: "treatment", Units: unitsPerArm, PurchaseRate: 0.1})
	lines := bytes.Split(bytes.TrimSpace(fixture.NDJSON(evs)), []byte("\n"))
	const batchSize = 150
	var batches [][][]byte
	for i := 0; i < len(lines); i += batchSize {
		batches = append(batches, lines[i:min(i+batchSize, len(lines))])
	}

	args := []string{"--plans.dir=" + plansDir, "--store.path=" + db, "--evaluation.interval=1s"}
	exp := e2e.StartExporter(t, exporterBin, args...)

	// Two clients, each sending every other batch in order; the test kills
	// the exporter once a third of the batches are acknowledged.
	var mu sync.Mutex
	acked := map[int]bool{}
	var wg sync.WaitGroup
	killed := make(chan struct{})
	for c := 0; c < 2; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for b := c; b < len(batches); b += 2 {
				status, r, err := postBatch(exp.URL, "", batches[b])
				if err != nil || status != 200 {
					return // the exporter is gone: this batch is not acknowledged
				}
				if r.Inserted+r.Duplicates != len(batches[b]) {
					t.Errorf("batch %d: %+v", b, r)
				}
				mu.Lock()
				acked[b] = true
				n := len(acked)
				mu.Unlock()
				if n == len(batches)/3 {
					go func() { exp.Kill(); close(killed) }()
				}
			}
		}(c)
	}
	wg.Wait()
	<-killed
	if len(acked) == 0 || len(acked) == len(batches) {
		t.Fatalf("%d of %d batches acknowledged: the kill did not land mid-ingestion", len(acked), len(batches))
	}

	want := map[string]bool{}
	for b := range acked {
		for _, e := range eventIDs(t, batches[b]) {
			want[e] = true
		}
	}
	stored, total := storedIDs(t, db)
	for id := range want {
		if !stored[id] {
			t.Fatalf("acknowledged event %s is missing after SIGKILL (%d of %d acknowledged stored)", id, countIn(want, stored), len(want))
		}
	}
	if total != len(stored) {
		t.Fatalf("%d rows for %d distinct ids after SIGKILL: something is stored twice", total, len(stored))
	}
	t.Logf("killed after %d of %d batches acknowledged; %d acknowledged events, %d stored (in-flight batches may have committed)",
		len(acked), len(batches), len(want), len(stored))

	// Restart on the same file and resend everything.
	exp = e2e.StartExporter(t, exporterBin, args...)
	for b := range batches {
		if status, r, err := postBatch(exp.URL, "", batches[b]); err != nil || status != 200 {
			t.Fatalf("resending batch %d: %d %+v %v", b, status, r, err)
		}
	}
	waitMetric(t, exp, "liftgate_experiment_arm_units", map[string]string{"experiment": "kill", "arm": "treatment"}, unitsPerArm)
	waitMetric(t, exp, "liftgate_experiment_arm_units", map[string]string{"experiment": "kill", "arm": "control"}, unitsPerArm)
	exp.Stop()
	stored, total = storedIDs(t, db)
	if total != len(lines) || len(stored) != len(lines) {
		t.Fatalf("after resending: %d rows, %d distinct ids; want each of the %d events once", total, len(stored), len(lines))
	}
}

func mkdir(path string) error { return os.MkdirAll(path, 0o755) }

// eventIDs reads the "id" of each NDJSON line.
func eventIDs(t *testing.T, lines [][]byte) []string {
	t.Helper()
	var ids []string
	for _, l := range lines {
		i := bytes.Index(l, []byte(`"id":"`))
		if i < 0 {
			t.Fatalf("no id in %s", l)
		}
		rest := l[i+6:]
		ids = append(ids, string(rest[:bytes.IndexByte(rest, '"')]))
	}
	return ids
}

// storedIDs opens the exporter's DuckDB file (the exporter must not be
// running: DuckDB locks the file) and reads every stored id.
func storedIDs(t *testing.T, path string) (map[string]bool, int) {
	t.Helper()
	db, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT id FROM events")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	ids := map[string]bool{}
	total := 0
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids[id] = true
		total++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids, total
}

func countIn(want, have map[string]bool) int {
	n := 0
	for id := range want {
		if have[id] {
			n++
		}
	}
	return n
}
