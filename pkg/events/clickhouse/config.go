package clickhouse

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"gopkg.in/yaml.v3"

	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/plan"
)

// Config says how to reach ClickHouse and where the events are. Give either
// DSN, or Addr with Database, User and TLS; Password may accompany either
// (it replaces a password in the DSN).
type Config struct {
	// DSN is a clickhouse-go URL for the native protocol,
	// clickhouse://user:password@host:9000/database?dial_timeout=10s.
	// Options clickhouse-go understands pass through (secure, skip_verify,
	// compress, ...).
	DSN DSN `yaml:"dsn,omitempty" json:"dsn,omitempty"`
	// Addr is host:port of the native protocol (port 9000 when omitted);
	// several comma-separated addresses are tried in order.
	Addr     string `yaml:"addr,omitempty" json:"addr,omitempty"`
	Database string `yaml:"database,omitempty" json:"database,omitempty"`
	User     string `yaml:"user,omitempty" json:"user,omitempty"`
	Password Secret `yaml:"password,omitempty" json:"password,omitempty"`
	TLS      TLS    `yaml:"tls,omitempty" json:"tls,omitempty"`
	// Mapping says which table and columns hold the events; when it is
	// left empty, liftgate's own schema (events.LiftgateMapping) is used.
	Mapping events.Mapping `yaml:"mapping,omitempty" json:"mapping,omitempty"`
	// QueryTimeout bounds every query on top of the caller's context; the
	// server is also told to give up (max_execution_time). 0 means
	// DefaultQueryTimeout.
	QueryTimeout plan.Duration `yaml:"query_timeout,omitempty" json:"query_timeout,omitempty"`
	// DialTimeout bounds connecting. 0 means DefaultDialTimeout.
	DialTimeout plan.Duration `yaml:"dial_timeout,omitempty" json:"dial_timeout,omitempty"`
	// MaxOpenConns caps the connection pool; 0 means clickhouse-go's
	// default (10).
	MaxOpenConns int `yaml:"max_open_conns,omitempty" json:"max_open_conns,omitempty"`
	// Settings are ClickHouse settings sent with every query, e.g.
	// max_bytes_before_external_group_by: 2147483648. Values are whole
	// numbers or strings. They come on top of the spill thresholds
	// liftgate sets by default (DefaultSpillBytes), which a setting of the
	// same name replaces; max_execution_time and join_use_nulls are the
	// source's own. Open checks that the server knows every name.
	Settings map[string]any `yaml:"settings,omitempty" json:"settings,omitempty"`
}

// TLS configures transport security when Addr is used (with DSN, use its
// secure and skip_verify options instead).
type TLS struct {
	// Enabled turns TLS on (the server's tcp_port_secure, usually 9440).
	Enabled bool `yaml:"enabled,omitempty" json:"enabled,omitempty"`
	// CAFile is a PEM file of CA certificates that verify the server;
	// empty means the system roots.
	CAFile string `yaml:"ca_file,omitempty" json:"ca_file,omitempty"`
	// CertFile and KeyFile are a client certificate and key (PEM).
	CertFile string `yaml:"cert_file,omitempty" json:"cert_file,omitempty"`
	KeyFile  string `yaml:"key_file,omitempty" json:"key_file,omitempty"`
	// ServerName overrides the name the certificate is checked against.
	ServerName string `yaml:"server_name,omitempty" json:"server_name,omitempty"`
	// InsecureSkipVerify accepts any certificate. For tests only.
	InsecureSkipVerify bool `yaml:"insecure_skip_verify,omitempty" json:"insecure_skip_verify,omitempty"`
}

// DefaultQueryTimeout bounds a query when Config.QueryTimeout is 0: long
// enough for per-unit aggregation over hundreds of millions of events, short
// enough that a stuck query does not hold an evaluation forever.
const DefaultQueryTimeout = 5 * time.Minute

// DefaultDialTimeout bounds connecting when Config.DialTimeout is 0.
const DefaultDialTimeout = 10 * time.Second

// defaultPort is the native protocol's port.
const defaultPort = 9000

// ParseConfig reads a Config from YAML or JSON (JSON is YAML). Unknown keys
// are errors, reported with their line.
func ParseConfig(data []byte) (Config, error) {
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return Config{}, fmt.Errorf("clickhouse config: %w", err)
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// withDefaults fills the mapping and timeouts.
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
	if c.DialTimeout == 0 {
		c.DialTimeout = plan.Duration(DefaultDialTimeout)
	}
	return c
}

// Validate reports the first problem, naming the field.
func (c Config) Validate() error {
	c = c.withDefaults()
	bad := func(format string, args ...any) error {
		return fmt.Errorf("clickhouse config: "+format, args...)
	}
	fields := c.Addr != "" || c.Database != "" || c.User != "" || c.TLS != (TLS{})
	switch {
	case c.DSN != "" && fields:
		return bad("dsn: set either dsn or addr/database/user/tls, not both (password may go with either)")
	case c.DSN == "" && c.Addr == "":
		return bad("addr: required (host:port of the native protocol, usually port 9000), or give dsn instead")
	}
	if c.DSN != "" {
		if _, err := c.DSN.parse(); err != nil {
			return bad("%v", err)
		}
	}
	if c.Addr != "" {
		if _, err := splitAddrs(c.Addr); err != nil {
			return bad("addr: %v", err)
		}
	}
	if (c.TLS.CertFile == "") != (c.TLS.KeyFile == "") {
		return bad("tls: cert_file and key_file go together")
	}
	if !c.TLS.Enabled && (c.TLS.CAFile != "" || c.TLS.CertFile != "" || c.TLS.ServerName != "" || c.TLS.InsecureSkipVerify) {
		return bad("tls: settings given but tls.enabled is false")
	}
	if err := checkMapping(c.Mapping); err != nil {
		return bad("%v", err)
	}
	if c.QueryTimeout < 0 {
		return bad("query_timeout: must not be negative, got %s", c.QueryTimeout)
	}
	if c.DialTimeout < 0 {
		return bad("dial_timeout: must not be negative, got %s", c.DialTimeout)
	}
	if c.MaxOpenConns < 0 {
		return bad("max_open_conns: must not be negative, got %d", c.MaxOpenConns)
	}
	if err := checkSettings(c.Settings); err != nil {
		return bad("%v", err)
	}
	return nil
}

// String describes the configuration without its secrets.
func (c Config) String() string {
	var parts []string
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	add("dsn", c.DSN.String())
	add("addr", c.Addr)
	add("database", c.Database)
	add("user", c.User)
	add("password", c.Password.String())
	if c.TLS.Enabled {
		add("tls", "on")
	}
	add("table", c.Mapping.Table)
	if c.QueryTimeout != 0 {
		add("query_timeout", c.QueryTimeout.String())
	}
	return "clickhouse{" + strings.Join(parts, " ") + "}"
}

// GoString keeps "%#v" as safe as "%v".
func (c Config) GoString() string { return c.String() }

// options turns the configuration into clickhouse-go's. The password is set
// on the options directly, so it never passes through a string that an
// error message could quote.
func (c Config) options() (*ch.Options, error) {
	var opts *ch.Options
	if c.DSN != "" {
		parsed, err := c.DSN.parse()
		if err != nil {
			return nil, fmt.Errorf("clickhouse config: %v", err)
		}
		opts = parsed
	} else {
		addrs, err := splitAddrs(c.Addr)
		if err != nil {
			return nil, fmt.Errorf("clickhouse config: addr: %v", err)
		}
		opts = &ch.Options{Addr: addrs, Auth: ch.Auth{Database: c.Database, Username: c.User}}
		if c.TLS.Enabled {
			t, err := c.TLS.config()
			if err != nil {
				return nil, fmt.Errorf("clickhouse config: tls: %v", err)
			}
			opts.TLS = t
		}
	}
	// HTTP does not work with 18.16 (clickhouse-go sends a setting it does
	// not know), and the native protocol is faster anyway.
	opts.Protocol = ch.Native
	if c.Password != "" {
		opts.Auth.Password = c.Password.reveal()
	}
	if opts.DialTimeout == 0 { // a DSN's dial_timeout wins
		opts.DialTimeout = c.DialTimeout.D()
	}
	if c.MaxOpenConns > 0 {
		opts.MaxOpenConns = c.MaxOpenConns
		if opts.MaxIdleConns > c.MaxOpenConns {
			opts.MaxIdleConns = c.MaxOpenConns
		}
	}
	return opts, nil
}

// config builds the tls.Config.
func (t TLS) config() (*tls.Config, error) {
	out := &tls.Config{ServerName: t.ServerName, InsecureSkipVerify: t.InsecureSkipVerify, MinVersion: tls.VersionTLS12} //nolint:gosec // opt-in, documented as test-only
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("ca_file: %v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ca_file: %s holds no PEM certificate", t.CAFile)
		}
		out.RootCAs = pool
	}
	if t.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("cert_file/key_file: %v", err)
		}
		out.Certificates = []tls.Certificate{cert}
	}
	return out, nil
}

// splitAddrs reads "host[:port][,host[:port]...]".
func splitAddrs(s string) ([]string, error) {
	var out []string
	for _, a := range strings.Split(s, ",") {
		a = strings.TrimSpace(a)
		if a == "" {
			return nil, fmt.Errorf("%q has an empty address", s)
		}
		host, portText, err := net.SplitHostPort(a)
		if err != nil {
			if !strings.Contains(err.Error(), "missing port") {
				return nil, fmt.Errorf("%q is not host:port", a)
			}
			host, portText = strings.Trim(a, "[]"), strconv.Itoa(defaultPort)
		}
		port, err := strconv.Atoi(portText)
		if err != nil || port < 1 || port > 65535 {
			return nil, fmt.Errorf("%q: port must be a number from 1 to 65535", a)
		}
		if host == "" {
			return nil, fmt.Errorf("%q has no host", a)
		}
		out = append(out, net.JoinHostPort(host, strconv.Itoa(port)))
	}
	return out, nil
}
