package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStoreFlagsAreExclusive(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "store.yaml")
	if err := os.WriteFile(store, []byte("type: postgres\npostgres: {addr: 127.0.0.1}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	events := writeEventFile(t, dir, "a.ndjson", goodNDJSON)
	plan := filepath.Join("..", "..", "examples", "checkout-v2.yaml")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"analyze", "--plan", plan}, "give exactly one of --events FILE..., --db FILE or --store STORE.yaml"},
		{[]string{"analyze", "--plan", plan, "--db", "x.duckdb", "--store", store}, "exactly one of"},
		{[]string{"analyze", "--plan", plan, "--events", events, "--store", store}, "exactly one of"},
		{[]string{"import", events}, "give exactly one of --db FILE or --store STORE.yaml"},
		{[]string{"import", "--db", filepath.Join(dir, "x.duckdb"), "--store", store, events}, "exactly one of"},
	} {
		code, _, stderr := runCLI(c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", c.args, code, stderr, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "x.duckdb")); err == nil {
		t.Error("a refused import created its DuckDB file")
	}
}

func TestBadStoreFileIsAUsageError(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "store.yaml")
	if err := os.WriteFile(store, []byte("type: clickhouse\nclickhouse:\n  addr: 127.0.0.1\n  mapping: segment\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	events := writeEventFile(t, dir, "a.ndjson", goodNDJSON)
	for _, args := range [][]string{
		{"analyze", "--plan", filepath.Join("..", "..", "examples", "checkout-v2.yaml"), "--store", store},
		{"import", "--store", store, events},
	} {
		code, _, stderr := runCLI(args...)
		want := store + `: line 4: clickhouse.mapping: "segment" is not a preset`
		if code != 2 || !strings.Contains(stderr, "--store: "+want) {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 and %q", args[0], code, stderr, want)
		}
	}
}

// An unreachable store is a runtime failure (exit 1) that names the flag
// and the file but not the password.
func TestUnreachableStoreKeepsThePasswordSecret(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	dir := t.TempDir()
	const password = "Pw-Never-Shown-4821"
	for _, typ := range []string{"clickhouse", "postgres"} {
		store := filepath.Join(dir, typ+".yaml")
		body := "type: " + typ + "\n" + typ + ":\n  addr: " + addr + "\n  user: app\n  password: " + password + "\n"
		if err := os.WriteFile(store, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := runCLI("analyze", "--plan", filepath.Join("..", "..", "examples", "checkout-v2.yaml"), "--store", store)
		if code != 1 || !strings.Contains(stderr, "--store "+store+": "+typ) {
			t.Errorf("%s: exit %d, stderr %q; want exit 1 naming --store %s", typ, code, stderr, store)
		}
		if strings.Contains(stderr, password) {
			t.Errorf("%s: the password is shown: %s", typ, stderr)
		}
	}
}
