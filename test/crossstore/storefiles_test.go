package crossstore_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/liftgate/liftgate/internal/testserver"
)

// quoted makes a YAML scalar of any string (JSON strings are YAML); the
// test servers' passwords contain ':', '@', '/', '?', '#' and '%'.
func quoted(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// clickhouseStore is a store file for one database of the test server, with
// a mapping preset (liftgate or posthog).
func clickhouseStore(s *testserver.ClickHouseServer, database, mapping string) string {
	return "type: clickhouse\nclickhouse:\n" +
		"  addr: " + quoted(s.Addr()) + "\n" +
		"  database: " + quoted(database) + "\n" +
		"  user: " + quoted(s.User) + "\n" +
		"  password: " + quoted(s.Password) + "\n" +
		"  mapping: " + mapping + "\n"
}

// postgresStore is a store file for one database of the test server, with
// liftgate's schema.
func postgresStore(s *testserver.PostgresServer, database string) string {
	return "type: postgres\npostgres:\n" +
		"  addr: " + quoted(s.Addr()) + "\n" +
		"  database: " + quoted(database) + "\n" +
		"  user: " + quoted(s.User) + "\n" +
		"  password: " + quoted(s.Password) + "\n" +
		"  tls: {mode: disable}\n" +
		"  mapping: liftgate\n"
}

func writeStoreFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
