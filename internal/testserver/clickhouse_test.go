package testserver

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

func TestStartClickHouse(t *testing.T) {
	s := StartClickHouse(t)
	if !strings.HasPrefix(s.Version, "1") && !strings.HasPrefix(s.Version, "2") {
		t.Fatalf("unexpected server version %q", s.Version)
	}
	db := s.CreateDatabase(t)
	s.Exec(t, db, "CREATE TABLE x (a Int32) ENGINE = Memory")
	s.Exec(t, db, "INSERT INTO x SELECT toInt32(number + 1) FROM system.numbers LIMIT 2")

	conn, err := clickhouse.Open(&clickhouse.Options{
		Addr: []string{s.Addr()},
		Auth: clickhouse.Auth{Database: db, Username: s.User, Password: s.Password},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var n int64
	var tz string
	if err := conn.QueryRow(ctx, "SELECT toInt64(sum(a)), toString(toDateTime(86400)) FROM x").Scan(&n, &tz); err != nil {
		t.Fatal(err)
	}
	if n != 3 || tz != "1970-01-02 00:00:00" {
		t.Fatalf("sum = %d, epoch = %q; want 3 and 1970-01-02 00:00:00 (server time zone UTC)", n, tz)
	}

	// The password is really checked: a wrong one is refused.
	bad, err := clickhouse.Open(&clickhouse.Options{
		Addr: []string{s.Addr()},
		Auth: clickhouse.Auth{Database: db, Username: s.User, Password: s.Password + "x"},
	})
	if err == nil {
		defer bad.Close()
		err = bad.Ping(ctx)
	}
	if err == nil {
		t.Fatal("a wrong password was accepted")
	}

	// A second database is separate from the first.
	if other := s.CreateDatabase(t); other == db {
		t.Fatalf("CreateDatabase returned %q twice", db)
	}
}

func TestClickHouseMissingBinaryNamesTheInstallScript(t *testing.T) {
	t.Setenv("LIFTGATE_CLICKHOUSE_SERVER", t.TempDir()+"/no-such-clickhouse-server")
	_, err := clickhouseBinary()
	if err == nil || !strings.Contains(err.Error(), "scripts/install-clickhouse.sh") {
		t.Fatalf("want an error pointing at scripts/install-clickhouse.sh, got %v", err)
	}
}
