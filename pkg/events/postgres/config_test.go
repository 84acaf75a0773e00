package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/liftgate/liftgate/internal/testserver"
	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/plan"
)

func TestParseConfigYAMLAndJSON(t *testing.T) {
	caPEM, _, _ := testCerts(t)
	caFile := writeFile(t, "db-ca.pem", caPEM)
	yamlText := `
addr: db.internal:6432
database: analytics
user: liftgate_ro
password: hunter2-secret
tls:
  mode: verify-full
  ca_file: /etc/ssl/db-ca.pem
query_timeout: 2m
max_conns: 8
mapping:
  table: analytics.events
  columns: {id: id, event: event, unit: unit_id, time: ts, properties: properties}
  properties: json
`
	jsonText := `{"addr": "db.internal:6432", "database": "analytics", "user": "liftgate_ro", "password": "hunter2-secret",
  "tls": {"mode": "verify-full", "ca_file": "/etc/ssl/db-ca.pem"}, "query_timeout": "2m", "max_conns": 8,
  "mapping": {"table": "analytics.events", "columns": {"id": "id", "event": "event", "unit": "unit_id", "time": "ts", "properties": "properties"}, "properties": "json"}}`
	for name, text := range map[string]string{"yaml": yamlText, "json": jsonText} {
		text = strings.ReplaceAll(text, "/etc/ssl/db-ca.pem", caFile)
		c, err := ParseConfig([]byte(text))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if c.Addr != "db.internal:6432" || c.Database != "analytics" || c.User != "liftgate_ro" || c.Password.reveal() != "hunter2-secret" ||
			c.TLS.Mode != "verify-full" || c.TLS.CAFile != caFile || c.QueryTimeout.D() != 2*time.Minute || c.MaxConns != 8 ||
			c.Mapping.Table != "analytics.events" || c.Mapping.Columns.Unit != "unit_id" {
			t.Errorf("%s: parsed %#v", name, c)
		}
		pc, err := c.poolConfig()
		if err != nil {
			t.Fatalf("%s: pool config: %v", name, err)
		}
		if pc.ConnConfig.Host != "db.internal" || pc.ConnConfig.Port != 6432 || pc.ConnConfig.Database != "analytics" ||
			pc.ConnConfig.User != "liftgate_ro" || pc.ConnConfig.Password != "hunter2-secret" || pc.MaxConns != 8 ||
			pc.ConnConfig.TLSConfig == nil || pc.ConnConfig.TLSConfig.ServerName != "db.internal" {
			t.Errorf("%s: pool config %+v", name, pc.ConnConfig)
		}
	}
}

func TestConfigDefaults(t *testing.T) {
	c, err := ParseConfig([]byte("dsn: postgres://u@localhost/db\n"))
	if err != nil {
		t.Fatal(err)
	}
	c = c.withDefaults()
	if c.Mapping != events.LiftgateMapping() || c.QueryTimeout.D() != DefaultQueryTimeout {
		t.Errorf("defaults: mapping %+v, timeout %s", c.Mapping, c.QueryTimeout)
	}
	pc, err := c.poolConfig()
	if err != nil {
		t.Fatal(err)
	}
	if pc.ConnConfig.RuntimeParams["timezone"] != "UTC" || pc.ConnConfig.ConnectTimeout != defaultConnectTimeout {
		t.Errorf("session settings: %+v, connect timeout %s", pc.ConnConfig.RuntimeParams, pc.ConnConfig.ConnectTimeout)
	}
}

func TestConfigErrorsNameTheField(t *testing.T) {
	for _, c := range []struct {
		text, want string
	}{
		{"{}", "addr: required"},
		{"addr: h:5432\ndsn: postgres://h/db", "set either dsn or addr"},
		{"addr: h:99999", "addr:"},
		{"addr: h:5432\ntls: {mode: sometimes}", "tls.mode"},
		{"addr: h:5432\ntls: {cert_file: c.pem}", "cert_file and key_file"},
		{"addr: h:5432\nquery_timeout: soon", "duration"},
		{"addr: h:5432\nquery_timeout: -1s", "query_timeout: must not be negative"},
		{"addr: h:5432\nmax_conns: -2", "max_conns"},
		{"addr: h:5432\nmapping: {table: events, columns: {event: e, unit: u, time: t, properties: p}, properties: map}", "mapping.properties"},
		{"addr: h:5432\nmapping: {table: 'x;y', columns: {event: e, unit: u, time: t, properties: p}}", "mapping.table"},
		{"addr: h:5432\nmapping: {table: events, columns: {event: e, time: t, properties: p}}", "mapping.columns.unit: required"},
		{"addr: h:5432\npasword: typo", "line 2"},
	} {
		_, err := ParseConfig([]byte(c.text))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want an error containing %q", c.text, err, c.want)
		}
	}
}

// secrets are the passwords the redaction tests plant.
const (
	fieldSecret = "Fld-s3cret-Pw"
	dsnSecret   = "Dsn-s3cret-Pw"
	querySecret = "Qry-s3cret-Pw"
)

func TestSecretsNeverPrint(t *testing.T) {
	configs := []Config{
		{Addr: "db:5432", Database: "d", User: "u", Password: fieldSecret},
		{DSN: ConnString("postgres://u:" + dsnSecret + "@db:5432/d?sslmode=disable&password=" + querySecret), Password: fieldSecret},
		{DSN: ConnString("host=db user=u password=" + dsnSecret + " dbname=d")},
		{DSN: ConnString("host=db user=u password = '" + dsnSecret + ` x\' y' dbname=d`)},
		{DSN: ConnString("postgres://u:" + dsnSecret + "@db:5432/d%zz")}, // an invalid URL escape
	}
	for i, c := range configs {
		y, _ := yaml.Marshal(c)
		j, _ := json.Marshal(c)
		outputs := []string{
			fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprintf("%s", c),
			fmt.Sprintf("%v", &c), fmt.Sprintf("%v", c.Password), fmt.Sprintf("%#v", c.Password),
			fmt.Sprintf("%v", c.DSN), fmt.Sprintf("%#v", c.DSN), string(y), string(j),
		}
		for _, out := range outputs {
			for _, secret := range []string{fieldSecret, dsnSecret, querySecret, "x\\' y"} {
				if strings.Contains(out, secret) {
					t.Errorf("config %d leaks %q in %q", i, secret, out)
				}
			}
		}
		if c.Password != "" && !strings.Contains(fmt.Sprintf("%v", c), "password=[redacted]") {
			t.Errorf("config %d: %v does not show that a password is set", i, c)
		}
	}
	// The redacted forms still say where the database is.
	if s := configs[1].DSN.String(); !strings.Contains(s, "db:5432/d") || !strings.Contains(s, "u:") {
		t.Errorf("redacted DSN lost the address: %s", s)
	}
}

// TestSecretsNeverInErrors provokes connection errors with passwords set.
func TestSecretsNeverInErrors(t *testing.T) {
	srv := testserver.StartPostgres(t)
	ctx := context.Background()
	cases := map[string]Config{
		"wrong password":        {Addr: srv.Addr(), Database: "postgres", User: srv.User, Password: fieldSecret},
		"wrong password in DSN": {DSN: ConnString(fmt.Sprintf("postgres://%s:%s@%s/postgres?sslmode=disable", srv.User, dsnSecret, srv.Addr()))},
		"closed port":           {Addr: "127.0.0.1:1", Database: "d", User: "u", Password: fieldSecret},
		"unparsable DSN":        {DSN: ConnString("postgres://u:" + dsnSecret + "@db:notaport/d")},
		"unparsable kv DSN":     {DSN: ConnString("host=db password='" + dsnSecret + " port=x")},
	}
	for name, c := range cases {
		c.QueryTimeout = plan.Duration(5 * time.Second)
		src, err := Open(ctx, c)
		if err == nil {
			src.Close()
			t.Errorf("%s: connected", name)
			continue
		}
		msg := err.Error()
		t.Logf("%s: %s", name, msg)
		if !strings.HasPrefix(msg, "postgres") {
			t.Errorf("%s: error does not name the source: %s", name, msg)
		}
		for _, secret := range []string{fieldSecret, dsnSecret} {
			if strings.Contains(msg, secret) {
				t.Errorf("%s: error leaks the password: %s", name, msg)
			}
		}
	}
}
