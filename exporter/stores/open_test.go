package stores

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/liftgate/liftgate/exporter/internal/fixture"
	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/events/clickhouse"
	"github.com/liftgate/liftgate/pkg/events/duckdb"
	"github.com/liftgate/liftgate/pkg/events/postgres"
)

func TestOpenRejectsBadConfiguration(t *testing.T) {
	dir := t.TempDir()
	badYAML := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(badYAML, []byte("adress: typo:9000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{Type: "mysql"}, "--store.type"},
		{Config{Type: TypeDuckDB}, "--store.path"},
		{Config{Type: TypeClickHouse}, "--store.config"},
		{Config{Type: TypePostgres, ConfigFile: filepath.Join(dir, "missing.yaml")}, "--store.config"},
		{Config{Type: TypeClickHouse, ConfigFile: badYAML}, "adress"},
	} {
		_, err := Open(context.Background(), c.cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Open(%+v) = %v, want an error mentioning %q", c.cfg, err, c.want)
		}
	}
}

func TestDuckDBStoreWritesAndReads(t *testing.T) {
	s, err := Open(context.Background(), Config{Type: TypeDuckDB, Path: filepath.Join(t.TempDir(), "x.duckdb")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	evs := fixture.Events("x", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), 1, fixture.Arm{Name: "control", Units: 5})
	ins, dup, err := s.Writer.Write(context.Background(), append(evs, evs[0]))
	if err != nil || ins != len(evs) || dup != 1 {
		t.Fatalf("Write: %d inserted, %d duplicates, %v; want %d and 1", ins, dup, err, len(evs))
	}
	if s.Source.Name() != "duckdb" {
		t.Errorf("name %q", s.Source.Name())
	}
}

// A SQL store that is down at start-up is connected on a later use.
func TestLazySourceConnectsWhenTheStoreComesUp(t *testing.T) {
	mem, err := duckdb.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	up := false
	opens := 0
	l := &lazySource{name: "clickhouse", open: func(context.Context) (sqlSource, error) {
		opens++
		if !up {
			return nil, errors.New("connection refused")
		}
		return insertable{mem}, nil
	}}
	ctx := context.Background()
	if _, err := l.Exposures(ctx, events.Scope{}); err == nil {
		t.Fatal("a store that is down answered")
	}
	if l.Name() != "clickhouse" {
		t.Errorf("name before connecting = %q", l.Name())
	}
	up = true
	evs := fixture.Events("x", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), 1, fixture.Arm{Name: "control", Units: 2})
	if ins, _, err := l.Write(ctx, evs); err != nil || ins != len(evs) {
		t.Fatalf("after the store came up: %d, %v", ins, err)
	}
	if _, _, err := l.Write(ctx, evs); err != nil {
		t.Fatal(err)
	}
	if opens != 2 {
		t.Errorf("%d connection attempts, want 2 (one failed, one kept)", opens)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}

// insertable gives the DuckDB store the SQL stores' Insert.
type insertable struct{ *duckdb.Store }

func (s insertable) Insert(ctx context.Context, evs []events.Event) (int64, error) {
	r, err := s.Append(ctx, evs)
	return int64(r.Inserted), err
}

// A SQL store's wrapper claims data-health checks only if the store type
// runs them.
func TestSQLStoresKeepTheirHealthInterface(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(cfg, []byte("addr: 127.0.0.1:1\ndatabase: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{TypeClickHouse, TypePostgres} {
		s, err := Open(context.Background(), Config{Type: typ, ConfigFile: cfg})
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		_, wrapped := s.Source.(events.HealthChecker)
		var native bool
		switch typ {
		case TypeClickHouse:
			native = runsHealthChecks((*clickhouse.Source)(nil))
		default:
			native = runsHealthChecks((*postgres.Source)(nil))
		}
		if wrapped != native {
			t.Errorf("%s: wrapper runs health checks %v, the store %v", typ, wrapped, native)
		}
		// Nothing listens on port 1: the first query fails, no panic.
		if _, err := s.Source.Exposures(context.Background(), events.Scope{}); err == nil {
			t.Errorf("%s: a query against a closed port succeeded", typ)
		}
	}
}

// The exporter reads the liftgate CLI's store file too: its type: picks the
// store when --store.type is not given, and must agree when it is.
func TestOpenReadsTheCLIStoreFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	cliFile := write("store.yaml", "type: postgres\npostgres:\n  dsn: postgres://liftgate:s3cret@127.0.0.1:1/events\n")
	s, err := Open(context.Background(), Config{ConfigFile: cliFile})
	if err != nil {
		t.Fatalf("the CLI's store file: %v", err)
	}
	if s.Source.Name() != TypePostgres {
		t.Errorf("store %q, want postgres from the file's type", s.Source.Name())
	}
	_ = s.Close()
	if s, err := Open(context.Background(), Config{Type: TypePostgres, ConfigFile: cliFile}); err != nil {
		t.Errorf("--store.type agreeing with the file: %v", err)
	} else {
		_ = s.Close()
	}
	legacy := write("pg.yaml", "dsn: postgres://liftgate@127.0.0.1:1/events\n")
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{Type: TypeClickHouse, ConfigFile: cliFile}, "says type: postgres"},
		{Config{ConfigFile: legacy}, "--store.type: required"},
		{Config{ConfigFile: write("typo.yaml", "type: postgres\npostgres:\n  dsn: postgres://x@h/db\n  tabel: events\n")}, "tabel"},
		{Config{ConfigFile: write("pw.yaml", "type: clickhouse\nclickhouse:\n  addr: h:9000\n  password: hunter2\n  mapping: {preset: nope}\n")}, "preset"},
	} {
		_, err := Open(context.Background(), c.cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Open(%+v) = %v, want an error mentioning %q", c.cfg, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error shows the password: %v", err)
		}
	}
}
