package storeconfig

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/liftgate/liftgate/internal/testserver"
	"github.com/liftgate/liftgate/pkg/events"
)

// quoted makes a YAML scalar of any string (JSON strings are YAML).
func quoted(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// A store file opens the store it names: the schema is created, events go
// in, and exposures come back, on real servers with password logins.
func TestOpenRealStores(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ch := testserver.StartClickHouse(t)
	pg := testserver.StartPostgres(t)
	files := map[string]struct{ file, password string }{
		"clickhouse": {"type: clickhouse\nclickhouse:\n  addr: " + quoted(ch.Addr()) + "\n  database: " + ch.CreateDatabase(t) +
			"\n  user: " + quoted(ch.User) + "\n  password: " + quoted(ch.Password) + "\n  mapping: liftgate\n", ch.Password},
		"postgres": {"type: postgres\npostgres:\n  addr: " + quoted(pg.Addr()) + "\n  database: " + pg.CreateDatabase(t) +
			"\n  user: " + quoted(pg.User) + "\n  password: " + quoted(pg.Password) + "\n  tls: {mode: disable}\n  mapping: liftgate\n", pg.Password},
	}
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	exposure := func(id, unit, arm string, at time.Duration) events.Event {
		return events.Event{ID: id, Name: "experiment_viewed", Unit: unit, Time: t0.Add(at),
			Properties: map[string]any{"experiment_id": "exp", "variation_id": arm}}
	}
	evs := []events.Event{
		exposure("e1", "u1", "control", time.Hour),
		exposure("e2", "u2", "treatment", time.Hour),
		exposure("e3", "u3", "treatment", 2*time.Hour),
		exposure("e4", "u3", "control", 3*time.Hour), // u3 saw both arms
		exposure("e5", "u4", "treatment", 2*time.Hour),
	}
	for name, f := range files {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "store.yaml")
			if err := os.WriteFile(path, []byte(f.file), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			s, err := OpenWritable(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if s.Name() != name {
				t.Errorf("Name() = %q", s.Name())
			}
			if err := s.CreateLiftgateSchema(ctx); err != nil {
				t.Fatal(err)
			}
			n, err := s.Insert(ctx, append(evs, evs[0])) // the repeat is skipped
			if err != nil || n != int64(len(evs)) {
				t.Fatalf("Insert = %d, %v; want %d new", n, err, len(evs))
			}
			got, err := s.Exposures(ctx, events.Scope{
				Experiment: "exp", Unit: "user_id",
				Exposure: events.Exposure{Event: "experiment_viewed", ExperimentProperty: "experiment_id", ArmProperty: "variation_id"},
				Arms:     []string{"control", "treatment"}, Start: t0, End: t0.Add(24 * time.Hour),
			})
			if err != nil {
				t.Fatal(err)
			}
			units := map[string]int64{}
			for _, g := range got.Groups {
				units[g.Arm] += g.Units
			}
			if units["control"] != 1 || units["treatment"] != 2 || got.MultiArmUnits != 1 {
				t.Errorf("exposures = %v, multi-arm %d; want control 1, treatment 2, multi-arm 1", units, got.MultiArmUnits)
			}

			// A wrong password fails in Open, and the error does not show it.
			wrong := strings.Replace(f.file, quoted(f.password), quoted("WrongPw-7731"), 1)
			cfg, err = Parse([]byte(wrong))
			if err != nil {
				t.Fatal(err)
			}
			bad, err := Open(ctx, cfg)
			if err == nil {
				bad.Close()
				t.Fatal("opened with a wrong password")
			}
			if bad != nil {
				t.Errorf("Open returned a non-nil source with its error")
			}
			if strings.Contains(err.Error(), "WrongPw-7731") {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
}
