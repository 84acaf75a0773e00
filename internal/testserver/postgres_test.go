package testserver

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestStartPostgres(t *testing.T) {
	s := StartPostgres(t, WithPostgresSetting("timezone", "Asia/Kathmandu"))
	if !strings.HasPrefix(s.Version, "1") {
		t.Fatalf("unexpected server version %q", s.Version)
	}
	db := s.CreateDatabase(t)
	s.Exec(t, db, "CREATE TABLE x (a int); INSERT INTO x VALUES (1), (2)")
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, s.DSN(db))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	var tz string
	if err := conn.QueryRow(ctx, "SELECT sum(a), current_setting('TimeZone') FROM x").Scan(&n, &tz); err != nil {
		t.Fatal(err)
	}
	if n != 3 || tz != "Asia/Kathmandu" {
		t.Fatalf("got sum %d, time zone %q; want 3, Asia/Kathmandu", n, tz)
	}
	// Password logins are enforced over TCP: a wrong password must fail.
	bad := strings.Replace(s.DSN(db), s.Password, "wrong", 1)
	if c, err := pgx.Connect(ctx, bad); err == nil {
		c.Close(ctx)
		t.Fatal("connected with a wrong password")
	}
}

func TestPostgresMissingBinaryNamesInstallScript(t *testing.T) {
	t.Setenv("LIFTGATE_PG_BIN", t.TempDir())
	_, err := postgresBinDir()
	if err == nil || !strings.Contains(err.Error(), "scripts/install-postgres.sh") {
		t.Fatalf("want an error naming scripts/install-postgres.sh, got %v", err)
	}
}
