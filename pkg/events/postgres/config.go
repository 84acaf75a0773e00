package postgres

import (
	"bytes"
	"fmt"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"gopkg.in/yaml.v3"

	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/plan"
)

// Config says how to reach the database and where the events are. Give
// either DSN, or Addr with Database, User and TLS; Password may accompany
// either (it replaces a password in the DSN). Without a password, pgx falls
// back to PGPASSWORD and ~/.pgpass like libpq.
type Config struct {
	// DSN is a libpq connection string: a postgres:// URL or key=value
	// pairs. Options pgx understands pass through (e.g. sslmode,
	// default_query_exec_mode=exec behind PgBouncer in transaction mode).
	DSN ConnString `yaml:"dsn,omitempty" json:"dsn,omitempty"`
	// Addr is host:port (port 5432 when omitted) or a Unix socket directory.
	Addr     string `yaml:"addr,omitempty" json:"addr,omitempty"`
	Database string `yaml:"database,omitempty" json:"database,omitempty"`
	User     string `yaml:"user,omitempty" json:"user,omitempty"`
	Password Secret `yaml:"password,omitempty" json:"password,omitempty"`
	TLS      TLS    `yaml:"tls,omitempty" json:"tls,omitempty"`
	// Mapping says which table and columns hold the events; when it is
	// left empty, liftgate's own schema (events.LiftgateMapping) is used.
	Mapping events.Mapping `yaml:"mapping,omitempty" json:"mapping,omitempty"`
	// QueryTimeout bounds every query on top of the caller's context.
	// 0 means DefaultQueryTimeout.
	QueryTimeout plan.Duration `yaml:"query_timeout,omitempty" json:"query_timeout,omitempty"`
	// MaxConns caps the connection pool; 0 means pgx's default (4, or the
	// number of CPUs when larger).
	MaxConns int32 `yaml:"max_conns,omitempty" json:"max_conns,omitempty"`
	// Settings are PostgreSQL settings applied to each query, local to its
	// transaction, e.g. {work_mem: 256MB} for large per-unit aggregations.
	Settings map[string]string `yaml:"settings,omitempty" json:"settings,omitempty"`
}

// TLS configures transport security when Addr is used (with DSN, put
// sslmode and friends in the DSN instead).
type TLS struct {
	// Mode is a libpq sslmode: disable, allow, prefer (the default),
	// require, verify-ca or verify-full.
	Mode string `yaml:"mode,omitempty" json:"mode,omitempty"`
	// CAFile is a PEM file of CA certificates that verify the server.
	CAFile string `yaml:"ca_file,omitempty" json:"ca_file,omitempty"`
	// CertFile and KeyFile are a client certificate and key (PEM).
	CertFile string `yaml:"cert_file,omitempty" json:"cert_file,omitempty"`
	KeyFile  string `yaml:"key_file,omitempty" json:"key_file,omitempty"`
}

// DefaultQueryTimeout bounds a query when Config.QueryTimeout is 0: long
// enough for per-unit aggregation over tens of millions of events, short
// enough that a stuck query does not hold an evaluation forever.
const DefaultQueryTimeout = 5 * time.Minute

// defaultConnectTimeout applies when the DSN sets no connect_timeout.
const defaultConnectTimeout = 10 * time.Second

var tlsModes = []string{"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}

// ParseConfig reads a Config from YAML or JSON (JSON is YAML). Unknown keys
// are errors, reported with their line.
func ParseConfig(data []byte) (Config, error) {
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return Config{}, fmt.Errorf("postgres config: %w", err)
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// withDefaults fills the mapping and timeout.
func (c Config) withDefaults() Config {
	if c.Mapping == (events.Mapping{}) {
		c.Mapping = events.LiftgateMapping()
	}
	if c.Mapping.Properties == "" {
		c.Mapping.Properties = "json"
	}
	if c.QueryTimeout == 0 {
		c.QueryTimeout = plan.Duration(DefaultQueryTimeout)
	}
	return c
}

// Validate reports the first problem, naming the field.
func (c Config) Validate() error {
	c = c.withDefaults()
	bad := func(format string, args ...any) error {
		return fmt.Errorf("postgres config: "+format, args...)
	}
	fields := c.Addr != "" || c.Database != "" || c.User != "" || c.TLS != (TLS{})
	switch {
	case c.DSN != "" && fields:
		return bad("dsn: set either dsn or addr/database/user/tls, not both (password may go with either)")
	case c.DSN == "" && c.Addr == "":
		return bad("addr: required (host:port), or give dsn instead")
	}
	if c.Addr != "" && !strings.HasPrefix(c.Addr, "/") {
		if _, _, err := splitAddr(c.Addr); err != nil {
			return bad("addr: %v", err)
		}
	}
	if c.TLS.Mode != "" && !slices.Contains(tlsModes, c.TLS.Mode) {
		return bad("tls.mode: %q is not one of %s", c.TLS.Mode, strings.Join(tlsModes, ", "))
	}
	if (c.TLS.CertFile == "") != (c.TLS.KeyFile == "") {
		return bad("tls: cert_file and key_file go together")
	}
	if err := c.Mapping.Validate(); err != nil {
		return bad("%v", err)
	}
	if c.Mapping.Properties == "map" {
		return bad(`mapping.properties: "map" is a ClickHouse Map column; PostgreSQL reads "json" (a jsonb, json or text column holding an object)`)
	}
	if c.QueryTimeout < 0 {
		return bad("query_timeout: must not be negative, got %s", c.QueryTimeout)
	}
	if c.MaxConns < 0 {
		return bad("max_conns: must not be negative, got %d", c.MaxConns)
	}
	for name := range c.Settings {
		if !settingName.MatchString(name) {
			return bad("settings: %q is not a PostgreSQL setting name (lower-case letters, digits, _ and .)", name)
		}
	}
	return nil
}

// settingName is what a run-time setting is called, e.g. work_mem or
// pg_trgm.similarity_threshold.
var settingName = regexp.MustCompile(`^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$`)

// sortedSettings lists Settings in name order, so queries are reproducible.
func (c Config) sortedSettings() [][2]string {
	names := make([]string, 0, len(c.Settings))
	for name := range c.Settings {
		names = append(names, name)
	}
	slices.Sort(names)
	out := make([][2]string, len(names))
	for i, name := range names {
		out[i] = [2]string{name, c.Settings[name]}
	}
	return out
}

// String describes the configuration without its secrets.
func (c Config) String() string {
	var b strings.Builder
	b.WriteString("postgres{")
	add := func(k, v string) {
		if v == "" {
			return
		}
		if b.Len() > len("postgres{") {
			b.WriteString(" ")
		}
		b.WriteString(k + "=" + v)
	}
	add("dsn", c.DSN.String())
	add("addr", c.Addr)
	add("database", c.Database)
	add("user", c.User)
	add("password", c.Password.String())
	add("tls", c.TLS.Mode)
	add("table", c.Mapping.Table)
	if c.QueryTimeout != 0 {
		add("query_timeout", c.QueryTimeout.String())
	}
	b.WriteString("}")
	return b.String()
}

// GoString keeps "%#v" as safe as "%v".
func (c Config) GoString() string { return c.String() }

// poolConfig turns the configuration into pgx's, with the password set
// directly on the parsed config so it never passes through a string that an
// error message could quote.
func (c Config) poolConfig() (*pgxpool.Config, error) {
	var connString string
	if c.DSN != "" {
		connString = string(c.DSN)
	} else {
		connString = c.keywordString()
	}
	pc, err := pgxpool.ParseConfig(connString)
	if err != nil {
		// pgx's message quotes the string with a best-effort redaction;
		// ours does not quote it at all.
		if c.DSN != "" {
			return nil, fmt.Errorf("postgres config: dsn: cannot parse the connection string %s (expected a postgres:// URL or key=value pairs)", c.DSN.String())
		}
		return nil, fmt.Errorf("postgres config: %s", strings.ReplaceAll(err.Error(), connString, "<connection settings>"))
	}
	if c.Password != "" {
		pc.ConnConfig.Password = c.Password.reveal()
	}
	if pc.ConnConfig.ConnectTimeout == 0 {
		pc.ConnConfig.ConnectTimeout = defaultConnectTimeout
	}
	// Every session in UTC: timestamp-without-time-zone columns then mean
	// UTC, and nothing depends on the server's or role's TimeZone.
	pc.ConnConfig.RuntimeParams["timezone"] = "UTC"
	if _, ok := pc.ConnConfig.RuntimeParams["application_name"]; !ok {
		pc.ConnConfig.RuntimeParams["application_name"] = "liftgate"
	}
	if c.MaxConns > 0 {
		pc.MaxConns = c.MaxConns
	}
	return pc, nil
}

// keywordString renders Addr, Database, User and TLS as key=value pairs.
func (c Config) keywordString() string {
	var parts []string
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+"='"+strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v)+"'")
		}
	}
	if strings.HasPrefix(c.Addr, "/") {
		add("host", c.Addr)
	} else {
		host, port, _ := splitAddr(c.Addr)
		add("host", host)
		add("port", strconv.Itoa(port))
	}
	add("dbname", c.Database)
	add("user", c.User)
	add("sslmode", c.TLS.Mode)
	add("sslrootcert", c.TLS.CAFile)
	add("sslcert", c.TLS.CertFile)
	add("sslkey", c.TLS.KeyFile)
	return strings.Join(parts, " ")
}

// splitAddr reads host[:port].
func splitAddr(addr string) (string, int, error) {
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		if strings.Contains(err.Error(), "missing port") {
			return addr, 5432, nil
		}
		return "", 0, fmt.Errorf("%q is not host:port", addr)
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 1 || port > 65535 {
		return "", 0, fmt.Errorf("%q: port must be a number from 1 to 65535", addr)
	}
	if host == "" {
		return "", 0, fmt.Errorf("%q has no host", addr)
	}
	return host, port, nil
}
