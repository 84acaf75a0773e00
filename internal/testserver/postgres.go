// Package testserver starts real database servers for tests, as plain
// processes on loopback ports, and stops them when the test ends.
package testserver

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// PostgresServer is a PostgreSQL server started for one test (or one group of
// subtests). It listens on 127.0.0.1 only and accepts password logins over
// TCP (scram-sha-256), so tests exercise the same authentication path as a
// real deployment.
type PostgresServer struct {
	Host     string // always 127.0.0.1
	Port     int
	User     string // the bootstrap superuser
	Password string
	Version  string // server_version, e.g. "15.18 (Debian 15.18-0+deb12u1)"

	dir       string // data directory's parent; holds the socket and the log
	databases atomic.Int64
}

// PostgresOption adjusts how the server is started.
type PostgresOption func(*postgresOptions)

type postgresOptions struct {
	settings map[string]string
	certPEM  []byte
	keyPEM   []byte
}

// WithPostgresSetting passes `-c name=value` to the server, e.g. a time zone
// or a memory setting for a benchmark.
func WithPostgresSetting(name, value string) PostgresOption {
	return func(o *postgresOptions) { o.settings[name] = value }
}

// WithPostgresTLS turns on TLS with the given PEM certificate (chain) and key.
func WithPostgresTLS(certPEM, keyPEM []byte) PostgresOption {
	return func(o *postgresOptions) { o.certPEM, o.keyPEM = certPEM, keyPEM }
}

// postgresInstallHint is what a missing server tells the developer.
const postgresInstallHint = "PostgreSQL server binaries (initdb, postgres) not found: run scripts/install-postgres.sh " +
	"(Debian package postgresql) or set LIFTGATE_PG_BIN to the directory holding them"

// StartPostgres initialises a fresh cluster in a temporary directory, starts
// it on a free loopback port and registers its shutdown with t.Cleanup. A
// missing installation fails the test: CI installs the server, so a skip
// would only hide a broken pipeline.
func StartPostgres(t testing.TB, opts ...PostgresOption) *PostgresServer {
	t.Helper()
	o := postgresOptions{settings: map[string]string{}}
	for _, opt := range opts {
		opt(&o)
	}
	bin, err := postgresBinDir()
	if err != nil {
		t.Fatal(err)
	}
	cred, owner, err := postgresCredential()
	if err != nil {
		t.Fatal(err)
	}

	// Not t.TempDir: its parents are private to the test's user, and the
	// server runs as the postgres user when the test runs as root.
	dir, err := os.MkdirTemp("", "liftgate-pg-")
	if err != nil {
		t.Fatalf("postgres test server: temp dir: %v", err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	s := &PostgresServer{Host: "127.0.0.1", User: "liftgate", Password: "pw-" + strconv.FormatInt(time.Now().UnixNano(), 36), dir: dir}

	pwFile := filepath.Join(dir, "pwfile")
	if err := os.WriteFile(pwFile, []byte(s.Password+"\n"), 0o600); err != nil {
		t.Fatalf("postgres test server: %v", err)
	}
	if o.certPEM != nil {
		if err := os.WriteFile(filepath.Join(dir, "server.crt"), o.certPEM, 0o600); err != nil {
			t.Fatalf("postgres test server: %v", err)
		}
		if err := os.WriteFile(filepath.Join(dir, "server.key"), o.keyPEM, 0o600); err != nil {
			t.Fatalf("postgres test server: %v", err)
		}
		o.settings["ssl"] = "on"
		o.settings["ssl_cert_file"] = filepath.Join(dir, "server.crt")
		o.settings["ssl_key_file"] = filepath.Join(dir, "server.key")
	}
	if owner != nil {
		if err := postgresChownTree(dir, owner.uid, owner.gid); err != nil {
			t.Fatalf("postgres test server: %v", err)
		}
	}

	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", s.User, "--pwfile="+pwFile,
		"--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	initdb.Dir = dir
	if out, err := initdb.CombinedOutput(); err != nil {
		t.Fatalf("postgres test server: initdb: %v\n%s", err, out)
	}

	// A free port can be taken by someone else between probing and binding,
	// so a failed start is retried on a new port.
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := postgresFreePort()
		if err != nil {
			t.Fatalf("postgres test server: %v", err)
		}
		s.Port = port
		if lastErr = s.start(t, bin, data, cred, o.settings); lastErr == nil {
			return s
		}
	}
	t.Fatalf("postgres test server: %v", lastErr)
	return nil
}

// start runs the postmaster as a direct child (so its PID is the server's own
// and it is reaped), waits until it accepts a login, and arranges a fast
// shutdown at cleanup.
func (s *PostgresServer) start(t testing.TB, bin, data string, cred *syscall.Credential, settings map[string]string) error {
	args := []string{"-D", data, "-p", strconv.Itoa(s.Port), "-k", s.dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
		"-c", "full_page_writes=off", "-c", "max_connections=50"}
	names := make([]string, 0, len(settings))
	for k := range settings {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		args = append(args, "-c", k+"="+settings[k])
	}
	logPath := filepath.Join(s.dir, "server.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logFile.Close()
	cmd := exec.Command(filepath.Join(bin, "postgres"), args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()

	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case <-exited:
			return fmt.Errorf("postgres exited during start-up:\n%s", postgresTail(logPath))
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		conn, err := pgx.Connect(ctx, s.DSN("postgres"))
		if err == nil {
			err = conn.QueryRow(ctx, "SHOW server_version").Scan(&s.Version)
			_ = conn.Close(ctx)
		}
		cancel()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-exited
			return fmt.Errorf("postgres not ready after 30s: %v\n%s", err, postgresTail(logPath))
		}
		time.Sleep(50 * time.Millisecond)
	}

	t.Cleanup(func() {
		// SIGINT is PostgreSQL's fast shutdown: abort sessions, stop cleanly.
		_ = cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	return nil
}

// Addr is host:port for clients.
func (s *PostgresServer) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// DSN is a postgres:// URL for the superuser and the given database.
func (s *PostgresServer) DSN(database string) string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword(s.User, s.Password), Host: s.Addr(), Path: "/" + database}
	q := url.Values{"sslmode": {"disable"}}
	u.RawQuery = q.Encode()
	return u.String()
}

// CreateDatabase makes a fresh, empty database and returns its name, so
// subtests sharing one server do not see each other's tables.
func (s *PostgresServer) CreateDatabase(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("t%d", s.databases.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.DSN("postgres"))
	if err != nil {
		t.Fatalf("postgres test server: connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("postgres test server: create database: %v", err)
	}
	return name
}

// Exec runs SQL statements (test fixtures) in the given database.
func (s *PostgresServer) Exec(t testing.TB, database, sql string, args ...any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.DSN(database))
	if err != nil {
		t.Fatalf("postgres test server: connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql, args...); err != nil {
		t.Fatalf("postgres test server: %v\nSQL: %s", err, sql)
	}
}

// postgresBinDir finds the server binaries: $LIFTGATE_PG_BIN, else the
// newest Debian /usr/lib/postgresql/<v>/bin, else the directory of an
// `initdb` on PATH.
func postgresBinDir() (string, error) {
	has := func(dir string) bool {
		for _, b := range []string{"initdb", "postgres"} {
			if _, err := os.Stat(filepath.Join(dir, b)); err != nil {
				return false
			}
		}
		return true
	}
	if dir := os.Getenv("LIFTGATE_PG_BIN"); dir != "" {
		if has(dir) {
			return dir, nil
		}
		return "", fmt.Errorf("LIFTGATE_PG_BIN=%s holds no initdb and postgres; %s", dir, postgresInstallHint)
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return postgresMajor(dirs[i]) > postgresMajor(dirs[j]) })
	for _, d := range dirs {
		if has(d) {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil && has(filepath.Dir(real)) {
			return filepath.Dir(real), nil
		}
	}
	return "", fmt.Errorf("%s", postgresInstallHint)
}

// postgresMajor reads the version number out of /usr/lib/postgresql/<v>/bin.
func postgresMajor(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

type postgresOwner struct{ uid, gid int }

// postgresCredential says whom to run the server as. PostgreSQL refuses to
// run as root, so a root test runs it as the postgres user that the Debian
// package creates; anyone else runs it as themselves.
func postgresCredential() (*syscall.Credential, *postgresOwner, error) {
	if os.Geteuid() != 0 {
		return nil, nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, nil, fmt.Errorf("tests run as root and PostgreSQL refuses root, but there is no postgres user (%v); %s", err, postgresInstallHint)
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err1 != nil || err2 != nil {
		return nil, nil, fmt.Errorf("postgres user has non-numeric uid/gid %q/%q", u.Uid, u.Gid)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}, &postgresOwner{uid, gid}, nil
}

func postgresChownTree(root string, uid, gid int) error {
	return filepath.Walk(root, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	})
}

func postgresFreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// postgresTail returns the end of the server log for failure messages.
func postgresTail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no server log: " + err.Error() + ")"
	}
	s := string(b)
	if len(s) > 4000 {
		s = "..." + s[len(s)-4000:]
	}
	return strings.TrimSpace(s)
}
