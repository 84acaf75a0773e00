package clickhouse

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/liftgate/liftgate/internal/testserver"
	"github.com/liftgate/liftgate/pkg/events"
)

func TestParseConfig(t *testing.T) {
	yamlText := `
addr: ch1.internal:9000, ch2.internal
database: analytics
user: liftgate
password: s3cret
tls:
  enabled: true
  server_name: ch.internal
mapping:
  table: analytics.events
  columns: {id: uuid, event: event, unit: distinct_id, time: timestamp, properties: properties}
query_timeout: 90s
dial_timeout: 5s
max_open_conns: 4
`
	c, err := ParseConfig([]byte(yamlText))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "ch1.internal:9000, ch2.internal" || c.Password.reveal() != "s3cret" || !c.TLS.Enabled ||
		c.Mapping.Columns.Unit != "distinct_id" ||
		c.QueryTimeout.D() != 90*time.Second || c.DialTimeout.D() != 5*time.Second || c.MaxOpenConns != 4 {
		t.Fatalf("parsed %+v", c)
	}
	opts, err := c.options()
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(opts.Addr) != "[ch1.internal:9000 ch2.internal:9000]" || opts.Auth.Password != "s3cret" ||
		opts.TLS == nil || opts.TLS.ServerName != "ch.internal" || opts.DialTimeout != 5*time.Second || opts.MaxOpenConns != 4 {
		t.Fatalf("options %+v", opts)
	}

	// JSON is YAML; the mapping defaults to liftgate's own.
	c, err = ParseConfig([]byte(`{"dsn": "clickhouse://u:p@localhost:9000/db?dial_timeout=2s"}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.withDefaults().Mapping != events.LiftgateMapping() || c.withDefaults().QueryTimeout.D() != DefaultQueryTimeout {
		t.Fatalf("defaults not applied: %+v", c.withDefaults())
	}
	opts, err = c.options()
	if err != nil {
		t.Fatal(err)
	}
	if opts.Auth.Username != "u" || opts.Auth.Password != "p" || opts.Auth.Database != "db" || opts.DialTimeout != 2*time.Second {
		t.Fatalf("dsn options %+v", opts)
	}
}

func TestConfigErrorsNameTheField(t *testing.T) {
	for _, c := range []struct {
		yaml, want string
	}{
		{`addr: h:9000` + "\n" + `pasword: x`, "field pasword not found"},
		{`database: x`, "addr: required"},
		{`dsn: clickhouse://h:9000` + "\n" + `addr: h:9000`, "set either dsn or addr"},
		{`dsn: "clickhouse://u:topsecret@h:notaport/db"`, "dsn: cannot parse clickhouse://u:[redacted]@h:notaport/db"},
		{`dsn: "clickhouse://u:topsecret@h:9000/db?dial_timeout=xx"`, "invalid duration"},
		{`addr: h:99999`, "addr:"},
		{`addr: ":9000"`, "has no host"},
		{`addr: h:9000,`, "empty address"},
		{`addr: h` + "\n" + `tls: {cert_file: a.pem}`, "cert_file and key_file go together"},
		{`addr: h` + "\n" + `tls: {ca_file: a.pem}`, "tls.enabled is false"},
		{`addr: h` + "\n" + `query_timeout: -1s`, "query_timeout: must not be negative"},
		{`addr: h` + "\n" + `query_timeout: soon`, "expected a duration"},
		{`addr: h` + "\n" + `max_open_conns: -1`, "max_open_conns"},
		{`addr: h` + "\n" + `mapping: {table: "a b", columns: {event: e, unit: u, time: t, properties: p}}`, "mapping.table"},
		{`addr: h` + "\n" + `mapping: {table: t, columns: {event: e, unit: u, time: t, properties: p}, properties: xml}`, "mapping.properties"},
	} {
		_, err := ParseConfig([]byte(c.yaml))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: want an error containing %q, got %v", c.yaml, c.want, err)
		}
		if err != nil && strings.Contains(err.Error(), "topsecret") {
			t.Errorf("%q: error shows the password: %v", c.yaml, err)
		}
	}
}

func TestSecretsAreRedacted(t *testing.T) {
	const pw = "hunter2-Sup3r"
	cfgs := []Config{
		{Addr: "h:9000", User: "u", Password: pw},
		{DSN: DSN("clickhouse://u:" + pw + "@h:9000/db")},
		{DSN: DSN("clickhouse://h:9000/db?username=u&password=" + pw)},
		{DSN: DSN("clickhouse://u:" + url.QueryEscape(pw+"/#?") + "@h:9000/db"), Password: pw},
		// Unencoded reserved characters make the URL parse wrongly; the
		// password is masked anyway.
		{DSN: DSN("clickhouse://u:12#" + pw + "@h:9000/db")},
		{DSN: DSN("clickhouse://u:" + pw + "/x@h:9000/db")},
	}
	for _, c := range cfgs {
		views := []string{fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprintf("%s", c), //nolint:gosimple // each verb is a separate path
			fmt.Sprintf("%v", c.Password), fmt.Sprintf("%#v", c.Password), fmt.Sprintf("%v", c.DSN), fmt.Sprintf("%#v", c.DSN)}
		j, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		y, err := yaml.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		views = append(views, string(j), string(y))
		for _, v := range views {
			if strings.Contains(v, pw) {
				t.Errorf("password visible in %q", v)
			}
		}
		if !strings.Contains(fmt.Sprint(c), redacted) {
			t.Errorf("%v: no sign of the redacted password", c)
		}
	}
	// Redaction keeps the rest readable.
	if got := redactDSN("clickhouse://u:" + pw + "@h:9000/db?dial_timeout=2s"); got != "clickhouse://u:[redacted]@h:9000/db?dial_timeout=2s" {
		t.Errorf("redactDSN = %q", got)
	}
	if got := redactDSN("clickhouse://h:9000/db"); got != "clickhouse://h:9000/db" {
		t.Errorf("redactDSN without a password = %q", got)
	}
	// A driver message quoting the password would be scrubbed.
	err := &sourceError{op: "open", err: errors.New("auth failed for " + pw), password: pw}
	if strings.Contains(err.Error(), pw) || !strings.Contains(err.Error(), "clickhouse: open: auth failed for [redacted]") {
		t.Errorf("sourceError = %q", err.Error())
	}
}

func TestOpenAuthenticates(t *testing.T) {
	srv := testserver.StartClickHouse(t)
	db := srv.CreateDatabase(t)
	ctx := testCtx(t)

	// Through a DSN with the (URL-encoded) password; the server version is read.
	dsn := DSN((&url.URL{Scheme: "clickhouse", User: url.UserPassword(srv.User, srv.Password), Host: srv.Addr(), Path: "/" + db}).String())
	s, err := Open(ctx, Config{DSN: dsn})
	if err != nil {
		t.Fatalf("Open with DSN: %v", err)
	}
	if s.Name() != "clickhouse" || s.ServerVersion() != srv.Version {
		t.Fatalf("Name %q, version %q (server says %q)", s.Name(), s.ServerVersion(), srv.Version)
	}
	_ = s.Close()

	// A wrong password fails in Open, and the error names the source and
	// the target but shows neither password.
	wrong := srv.Password + "-wrong"
	for _, cfg := range []Config{
		{Addr: srv.Addr(), Database: db, User: srv.User, Password: Secret(wrong)},
		{DSN: dsn, Password: Secret(wrong)},
	} {
		_, err := Open(ctx, cfg)
		if err == nil {
			t.Fatal("Open accepted a wrong password")
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "clickhouse: open "+srv.Addr()) || strings.Contains(msg, wrong) || strings.Contains(msg, srv.Password) {
			t.Errorf("error %q: want it to name clickhouse and the address, without the password", msg)
		}
	}
}
