package testserver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// ClickHouseServer is a clickhouse-server started for one test (or one group
// of subtests). It listens on 127.0.0.1 only, speaks the native protocol (the
// only one clickhouse-go can use with the Debian 18.16 server) and has two
// users: "default" without a password and User with Password, so tests can
// exercise real password authentication.
type ClickHouseServer struct {
	Host     string // always 127.0.0.1
	Port     int    // native protocol port
	User     string // a user with a password
	Password string
	Version  string // SELECT version(), e.g. "18.16.1"

	dir       string
	databases atomic.Int64
}

// ClickHouseOption adjusts how the server is started.
type ClickHouseOption func(*clickhouseOptions)

type clickhouseOptions struct {
	clusters map[string][]string
}

// WithClickHouseCluster defines a cluster for Distributed tables whose
// shards are all this server, each shard reading its own database: a
// one-process stand-in for a sharded deployment. Create the shard databases
// (and their tables) before querying the Distributed table.
func WithClickHouseCluster(name string, shardDatabases ...string) ClickHouseOption {
	return func(o *clickhouseOptions) { o.clusters[name] = shardDatabases }
}

// clickhouseInstallHint is what a missing server tells the developer.
const clickhouseInstallHint = "clickhouse-server not found: run scripts/install-clickhouse.sh " +
	"(Debian package clickhouse-server) or set LIFTGATE_CLICKHOUSE_SERVER to the server binary"

// StartClickHouse starts a fresh server with its data in a temporary
// directory on a free loopback port and registers its shutdown with
// t.Cleanup. A missing installation fails the test: CI installs the server,
// so a skip would only hide a broken pipeline.
func StartClickHouse(t testing.TB, opts ...ClickHouseOption) *ClickHouseServer {
	t.Helper()
	o := clickhouseOptions{clusters: map[string][]string{}}
	for _, opt := range opts {
		opt(&o)
	}
	bin, err := clickhouseBinary()
	if err != nil {
		t.Fatal(err)
	}
	s := &ClickHouseServer{Host: "127.0.0.1", User: "liftgate", Password: clickhouseRandomPassword(t), dir: t.TempDir()}

	// A free port can be taken by someone else between probing and binding,
	// so a failed start is retried on a new port.
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := clickhouseFreePort()
		if err != nil {
			t.Fatalf("clickhouse test server: %v", err)
		}
		s.Port = port
		if lastErr = s.start(t, bin, attempt, o); lastErr == nil {
			return s
		}
	}
	t.Fatalf("clickhouse test server: %v", lastErr)
	return nil
}

// start writes the configuration, runs the server as a direct child (so its
// PID is the server's own and it is reaped), waits until it answers a query,
// and arranges the shutdown at cleanup.
func (s *ClickHouseServer) start(t testing.TB, bin string, attempt int, o clickhouseOptions) error {
	root := filepath.Join(s.dir, "run"+strconv.Itoa(attempt))
	for _, sub := range []string{"data", "tmp", "log", "user_files", "format_schemas"} {
		if err := os.MkdirAll(filepath.Join(root, sub), 0o755); err != nil {
			return err
		}
	}
	config := filepath.Join(root, "config.xml")
	if err := os.WriteFile(config, []byte(clickhouseConfigXML(root, s.Port, o.clusters)), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(root, "users.xml"), []byte(clickhouseUsersXML(s.User, s.Password)), 0o600); err != nil {
		return err
	}
	consolePath := filepath.Join(root, "log", "console.log")
	console, err := os.Create(consolePath)
	if err != nil {
		return err
	}
	defer console.Close()

	cmd := exec.Command(bin, "--config-file="+config)
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = console, console
	// Its own process group, so a Ctrl-C on `go test` does not reach it
	// before cleanup does.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", bin, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			// The data directory is thrown away, so a hard stop loses nothing.
			_ = cmd.Process.Kill()
			<-exited
		}
	}

	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case <-exited:
			return fmt.Errorf("clickhouse-server exited during start-up:\n%s\n%s",
				clickhouseTail(consolePath), clickhouseTail(filepath.Join(root, "log", "error.log")))
		default:
		}
		version, err := s.ping()
		if err == nil {
			s.Version = version
			break
		}
		if time.Now().After(deadline) {
			stop()
			return fmt.Errorf("clickhouse-server not ready after 30s: %v\n%s", err,
				clickhouseTail(filepath.Join(root, "log", "error.log")))
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Cleanup(stop)
	return nil
}

// ping connects as the password user and reads the server version.
func (s *ClickHouseServer) ping() (string, error) {
	conn, err := s.open("default")
	if err != nil {
		return "", err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var version string
	if err := conn.QueryRow(ctx, "SELECT version()").Scan(&version); err != nil {
		return "", err
	}
	return version, nil
}

func (s *ClickHouseServer) open(database string) (clickhouse.Conn, error) {
	return clickhouse.Open(&clickhouse.Options{
		Protocol:    clickhouse.Native,
		Addr:        []string{s.Addr()},
		Auth:        clickhouse.Auth{Database: database, Username: s.User, Password: s.Password},
		DialTimeout: 2 * time.Second,
	})
}

// Addr is host:port of the native protocol for clients.
func (s *ClickHouseServer) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// CreateDatabase makes a fresh, empty database and returns its name, so
// subtests sharing one server do not see each other's tables.
func (s *ClickHouseServer) CreateDatabase(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("t%d", s.databases.Add(1))
	s.Exec(t, "default", "CREATE DATABASE `"+name+"`")
	return name
}

// Exec runs one SQL statement (a test fixture) in the given database.
// ClickHouse takes one statement per query. Over the native protocol an
// INSERT ... VALUES makes the server wait for data blocks, so fixtures insert
// with INSERT ... SELECT (or a batch).
func (s *ClickHouseServer) Exec(t testing.TB, database, sql string, args ...any) {
	t.Helper()
	conn, err := s.open(database)
	if err != nil {
		t.Fatalf("clickhouse test server: connect: %v", err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if err := conn.Exec(ctx, sql, args...); err != nil {
		t.Fatalf("clickhouse test server: %v\nSQL: %s", err, sql)
	}
}

// clickhouseConfigXML is a minimal server configuration: everything under
// root, loopback only, native protocol only (no HTTP port), UTC.
func clickhouseConfigXML(root string, port int, clusters map[string][]string) string {
	remote := ""
	names := make([]string, 0, len(clusters))
	for name := range clusters {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		remote += "    <" + name + ">\n"
		for _, db := range clusters[name] {
			// Shards connect as the passwordless default user.
			remote += "      <shard><replica><host>127.0.0.1</host><port>" + strconv.Itoa(port) +
				"</port><default_database>" + db + "</default_database></replica></shard>\n"
		}
		remote += "    </" + name + ">\n"
	}
	if remote != "" {
		remote = "  <remote_servers>\n" + remote + "  </remote_servers>\n"
	}
	return `<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>` + filepath.Join(root, "log", "server.log") + `</log>
    <errorlog>` + filepath.Join(root, "log", "error.log") + `</errorlog>
    <console>0</console>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <tcp_port>` + strconv.Itoa(port) + `</tcp_port>
  <path>` + filepath.Join(root, "data") + `/</path>
  <tmp_path>` + filepath.Join(root, "tmp") + `/</tmp_path>
  <user_files_path>` + filepath.Join(root, "user_files") + `/</user_files_path>
  <format_schema_path>` + filepath.Join(root, "format_schemas") + `/</format_schema_path>
  <users_config>` + filepath.Join(root, "users.xml") + `</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>134217728</mark_cache_size>
  <max_concurrent_queries>50</max_concurrent_queries>
` + remote + `</yandex>
`
}

// clickhouseUsersXML defines the passwordless default user and the password
// user, both limited to loopback.
func clickhouseUsersXML(user, password string) string {
	userXML := func(name, pw string) string {
		return `    <` + name + `>
      <password>` + pw + `</password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </` + name + `>
`
	}
	return `<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <max_memory_usage>4000000000</max_memory_usage>
      <max_threads>2</max_threads>
    </default>
  </profiles>
  <users>
` + userXML("default", "") + userXML(user, password) + `  </users>
  <quotas>
    <default>
      <interval>
        <duration>3600</duration>
        <queries>0</queries>
        <errors>0</errors>
        <result_rows>0</result_rows>
        <read_rows>0</read_rows>
        <execution_time>0</execution_time>
      </interval>
    </default>
  </quotas>
</yandex>
`
}

// clickhouseBinary finds the server: $LIFTGATE_CLICKHOUSE_SERVER, else the
// Debian path, else clickhouse-server on PATH.
func clickhouseBinary() (string, error) {
	if p := os.Getenv("LIFTGATE_CLICKHOUSE_SERVER"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("LIFTGATE_CLICKHOUSE_SERVER=%s: %v; %s", p, err, clickhouseInstallHint)
		}
		return p, nil
	}
	if _, err := os.Stat("/usr/sbin/clickhouse-server"); err == nil {
		return "/usr/sbin/clickhouse-server", nil
	}
	if p, err := exec.LookPath("clickhouse-server"); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("%s", clickhouseInstallHint)
}

// clickhouseRandomPassword makes a password with characters that need care
// in a DSN, so tests catch a client that mangles them. It is also valid
// inside users.xml (no '<' or '&').
func clickhouseRandomPassword(t testing.TB) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("clickhouse test server: %v", err)
	}
	return "pw:" + hex.EncodeToString(b) + "@/?#%"
}

func clickhouseFreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// clickhouseTail returns the end of a server log for failure messages.
func clickhouseTail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no log " + filepath.Base(path) + ": " + err.Error() + ")"
	}
	s := string(b)
	if len(s) > 4000 {
		s = "..." + s[len(s)-4000:]
	}
	return strings.TrimSpace(s)
}
