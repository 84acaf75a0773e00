// Package crossstore_test loads the same generated events into the three
// event stores (embedded DuckDB, ClickHouse, PostgreSQL; real servers on
// loopback) and checks that the analysis engine and the CLI give the same
// answers on each: identical sufficient statistics (counts exactly, float
// sums to 1e-9 relative), results, verdicts and stage decisions for every
// metric kind, a segment breakdown and staged rollouts. The DuckDB store is
// itself checked against an independent Python reference
// (pkg/engine/engine_reference_test.go), so agreeing with it means agreeing
// with the reference semantics. PostHog-shaped data (the same events in
// PostHog's column layout, read through the shipped mapping) must give the
// same results as liftgate's own schema.
package crossstore_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/liftgate/liftgate/internal/testserver"
	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/events/duckdb"
	"github.com/liftgate/liftgate/pkg/events/storeconfig"
	"github.com/liftgate/liftgate/pkg/plan"
)

// dataset is one generated event file. The flags are those of the engine's
// reference cases (scripts/reference/regenerate.sh) plus -whole-seconds:
// ClickHouse 18.16 stores whole seconds only, and the other stores must see
// exactly the same times. Whole seconds also put many metric events in the
// same second as their unit's first exposure, which tests the inclusive
// window start and the exclusive CUPED end on every store.
type dataset struct {
	name  string
	flags []string
}

var datasets = []dataset{
	{"example", nil},
	{"three-arms", strings.Fields("-experiment checkout-three-arms -arms control,treatment,treatment-b:-0.1 -stages 0s:0.5 -units 20000 -seed 11")},
	{"trend", strings.Fields("-experiment checkout-trend -lift 0 -trend 3 -stages 0s:0.1,12h:0.3,24h:0.5 -units 20000 -seed 3")},
	{"exclusions", strings.Fields("-experiment checkout-exclusions -stages 0s:0.5 -multi-arm 0.06 -unknown-arm 0.04 -repeat-exposure 0.3 -duplicates 0.05 -units 12000 -seed 5")},
	{"srm", strings.Fields("-skew 0.9 -units 12000 -seed 8")},
}

// analysis is one plan evaluated on one dataset (the reference cases a-h).
type analysis struct {
	name, plan, data, at, segment string
}

var analyses = []analysis{
	{"a_example_sequential", "examples/checkout-v2.yaml", "example", "2026-11-04T00:00:00Z", ""},
	{"b_example_fixed", "examples/plans/checkout-v2-fixed.yaml", "example", "2026-11-04T00:00:00Z", ""},
	{"c_three_arms", "examples/plans/three-arms.yaml", "three-arms", "2026-11-04T12:00:00Z", ""},
	{"d_segments", "examples/checkout-v2.yaml", "example", "2026-11-05T00:00:00Z", "platform"},
	{"d2_segments_country", "examples/plans/checkout-v2-fixed.yaml", "example", "2026-11-05T00:00:00Z", "country"},
	{"e_trend_ramp", "examples/plans/trend-ramp.yaml", "trend", "2026-11-05T00:00:00Z", ""},
	{"f_exclusions", "examples/plans/exclusions.yaml", "exclusions", "2026-11-03T12:00:00Z", "platform"},
	{"g_windows", "examples/plans/windows.yaml", "example", "2026-11-03T00:00:00Z", ""},
	{"h_srm", "examples/checkout-v2.yaml", "srm", "2026-11-04T00:00:00Z", ""},
}

// stores names the stores in the order they are compared; duckdb is the
// baseline.
var stores = []string{"duckdb", "clickhouse", "postgres"}

func TestStoresAgree(t *testing.T) {
	root := repoRoot(t)
	bin := buildBinaries(t, root)
	ch := testserver.StartClickHouse(t)
	pg := testserver.StartPostgres(t)
	work := t.TempDir()

	// targets[data][store] is the --db or --store argument pair for the CLI.
	targets := map[string]map[string][]string{}
	files := map[string]string{}
	for _, d := range datasets {
		file := filepath.Join(work, d.name+".ndjson")
		run(t, bin.generate, append(append([]string{}, d.flags...), "-whole-seconds", "-out", file)...)
		files[d.name] = file
		targets[d.name] = map[string][]string{
			"duckdb":     {"--db", filepath.Join(work, d.name+".duckdb")},
			"clickhouse": {"--store", writeStoreFile(t, work, d.name+"-ch.yaml", clickhouseStore(ch, ch.CreateDatabase(t), "liftgate"))},
			"postgres":   {"--store", writeStoreFile(t, work, d.name+"-pg.yaml", postgresStore(pg, pg.CreateDatabase(t)))},
		}
		// The same file through `liftgate import` into each store: the
		// same events are new, and the same ones are duplicates.
		var first string
		for _, s := range stores {
			out := run(t, bin.liftgate, append(append([]string{"import"}, targets[d.name][s]...), file)...)
			total := lastLine(out)
			if !strings.Contains(total, " 0 rejected") {
				t.Fatalf("%s into %s: %s", d.name, s, out)
			}
			if first == "" {
				first = total
				t.Logf("%s: %s", d.name, total)
			} else if total != first {
				t.Errorf("%s into %s: %q, but into duckdb: %q", d.name, s, total, first)
			}
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	sources := map[string]map[string]events.Source{}
	for _, d := range datasets {
		sources[d.name] = map[string]events.Source{}
		for _, s := range stores {
			sources[d.name][s] = openTarget(ctx, t, targets[d.name][s])
		}
	}
	t.Cleanup(func() {
		for _, m := range sources {
			for _, src := range m {
				src.Close()
			}
		}
	})

	baseline := map[string]*engine.Result{} // per analysis, DuckDB's
	for _, a := range analyses {
		t.Run(a.name, func(t *testing.T) {
			p := loadPlan(t, root, a.plan)
			opts := engine.Options{At: mustTime(t, a.at), Segment: a.segment, IncludeSums: true}
			want, err := engine.Analyze(ctx, p, sources[a.data]["duckdb"], opts)
			if err != nil {
				t.Fatalf("duckdb: %v", err)
			}
			checkNotVacuous(t, want, a.segment)
			t.Logf("%s: %d results, verdicts %v, decision %s", a.name, len(want.Results), verdictCounts(want), want.Decision.Action)
			baseline[a.name] = want
			for _, s := range stores[1:] {
				got, err := engine.Analyze(ctx, p, sources[a.data][s], opts)
				if err != nil {
					t.Fatalf("%s: %v", s, err)
				}
				compareResults(t, s+" vs duckdb", p, want, got)
			}
		})
	}

	// The CLI opens the DuckDB files itself, and DuckDB allows one process
	// per file.
	for _, d := range datasets {
		sources[d.name]["duckdb"].Close()
		delete(sources[d.name], "duckdb")
	}

	// The CLI, once per store, on the case with stages, CUPED, a ratio and
	// a segment: its JSON must carry the same numbers.
	t.Run("cli", func(t *testing.T) {
		a := analyses[3] // d_segments
		p := loadPlan(t, root, a.plan)
		want := baseline[a.name]
		if want == nil {
			t.Fatal("no baseline for " + a.name)
		}
		for _, s := range stores {
			args := append([]string{"analyze", "--plan", filepath.Join(root, a.plan), "--at", a.at, "--segment", a.segment, "--format", "json", "--sums"}, targets[a.data][s]...)
			var got engine.Result
			if err := json.Unmarshal([]byte(run(t, bin.liftgate, args...)), &got); err != nil {
				t.Fatalf("%s: %v", s, err)
			}
			compareResults(t, "liftgate analyze --format json on "+s+" vs engine.Analyze on duckdb", p, want, &got)
		}
	})

	t.Run("posthog", func(t *testing.T) {
		testPostHogLayout(ctx, t, root, ch, files, sources, baseline)
	})
}

// openTarget opens what a CLI target names, the way the CLI does.
func openTarget(ctx context.Context, t *testing.T, target []string) events.Source {
	t.Helper()
	if target[0] == "--db" {
		s, err := duckdb.Open(target[1])
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	cfg, err := storeconfig.Load(target[1])
	if err != nil {
		t.Fatal(err)
	}
	s, err := storeconfig.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// checkNotVacuous makes sure a comparison has something to compare.
func checkNotVacuous(t *testing.T, r *engine.Result, segment string) {
	t.Helper()
	var units int64
	for _, a := range r.Arms {
		units += a.Units
	}
	if units < 1000 || len(r.Results) == 0 {
		t.Fatalf("baseline has %d units and %d results: nothing to compare", units, len(r.Results))
	}
	segmented := 0
	for _, m := range r.Results {
		if len(m.Sums) == 0 {
			t.Fatalf("%s/%s: no sums in the baseline", m.Metric, m.Arm)
		}
		if m.SegmentValue != nil {
			segmented++
		}
	}
	if segment != "" && segmented == 0 {
		t.Fatalf("no per-%s results in the baseline", segment)
	}
}

func verdictCounts(r *engine.Result) map[string]int {
	out := map[string]int{}
	for _, m := range r.Results {
		out[string(m.Verdict)]++
	}
	return out
}

func loadPlan(t *testing.T, root, rel string) *plan.Plan {
	t.Helper()
	p, err := plan.Load(filepath.Join(root, rel))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// binaries are the commands under test, built once per run.
type binaries struct{ liftgate, generate string }

func buildBinaries(t *testing.T, root string) binaries {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-o", dir+string(filepath.Separator), "./cmd/liftgate", "./examples/generate")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return binaries{liftgate: filepath.Join(dir, "liftgate"), generate: filepath.Join(dir, "generate")}
}

// run runs a command and returns its standard output; a non-zero exit
// fails the test with both outputs.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	var stdout, stderr strings.Builder
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", filepath.Base(name), strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root not found from %s: %v", root, err)
	}
	return root
}
