package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/liftgate/liftgate/exporter/internal/e2e"
	"github.com/liftgate/liftgate/exporter/internal/fixture"
	"github.com/liftgate/liftgate/pkg/exporterclient"
)

// TestShardSplitsPlans runs two exporters with --shard=0/2 and 1/2 on the
// same plans directory: every plan is evaluated by exactly one of them.
func TestShardSplitsPlans(t *testing.T) {
	dir := t.TempDir()
	plansDir := filepath.Join(dir, "plans")
	if err := os.Mkdir(plansDir, 0o755); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var all []string
	for i := 0; i < 8; i++ {
		id := fmt.Sprintf("shard-exp-%d", i)
		fixture.WritePlan(t, plansDir, id+".yaml", fixture.PlanYAML(id, start))
		all = append(all, id)
	}
	var got [][]string
	for i := 0; i < 2; i++ {
		exp := e2e.StartExporter(t, exporterBin, "--plans.dir="+plansDir, fmt.Sprintf("--shard=%d/2", i),
			"--store.path="+filepath.Join(dir, fmt.Sprintf("shard%d.duckdb", i)))
		resp, err := http.Get(exp.URL + "/api/v1/plans")
		if err != nil {
			t.Fatal(err)
		}
		var list exporterclient.PlanList
		err = json.NewDecoder(resp.Body).Decode(&list)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, p := range list.Plans {
			ids = append(ids, p.ID)
		}
		got = append(got, ids)
	}
	seen := map[string]int{}
	for _, ids := range got {
		if len(ids) == 0 || len(ids) == len(all) {
			t.Errorf("a shard runs %d of %d plans; the split is degenerate: %v", len(ids), len(all), got)
		}
		for _, id := range ids {
			seen[id]++
		}
	}
	for _, id := range all {
		if seen[id] != 1 {
			t.Errorf("%s is evaluated by %d shards, want exactly 1", id, seen[id])
		}
	}
	sort.Strings(got[0])
	t.Logf("shard 0: %v; shard 1: %v", got[0], got[1])
}
