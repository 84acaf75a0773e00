package storeconfig

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const testSecret = "Sekr1t-pw-42"

// Neither a printed or marshalled configuration nor an error about the file
// shows a password, wherever in the file it is given.
func TestSecretsStaySecret(t *testing.T) {
	good := []string{
		"type: clickhouse\nclickhouse: {addr: h, user: u, password: " + testSecret + "}\n",
		"type: clickhouse\nclickhouse: {dsn: 'clickhouse://u:" + testSecret + "@h:9000/db'}\n",
		"type: postgres\npostgres: {addr: h, password: " + testSecret + "}\n",
		"type: postgres\npostgres: {dsn: 'postgres://u:" + testSecret + "@h/db?sslmode=disable'}\n",
		"type: postgres\npostgres: {dsn: \"host=h user=u password='" + testSecret + "' dbname=db\"}\n",
	}
	for _, f := range good {
		c, err := Parse([]byte(f))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		js, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		ym, err := yaml.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		for _, shown := range []string{c.String(), fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), string(js), string(ym)} {
			if strings.Contains(shown, testSecret) {
				t.Errorf("secret shown: %s", shown)
			}
			if !strings.Contains(shown, "[redacted]") {
				t.Errorf("no redaction marker, so the test did not see the password field: %s", shown)
			}
		}
	}

	bad := []string{
		// The store's own rules fail after the password was read.
		"type: clickhouse\nclickhouse: {user: u, password: " + testSecret + "}\n",
		"type: clickhouse\nclickhouse: {dsn: 'clickhouse://u:" + testSecret + "@h:notaport/db'}\n",
		"type: clickhouse\nclickhouse: {dsn: 'clickhouse://u:" + testSecret + "@h/db', addr: h}\n",
		"type: postgres\npostgres: {dsn: 'postgres://u:" + testSecret + "@h/db', tls: {mode: sometimes}}\n",
		// The password given where a value is quoted back.
		"type: clickhouse\nclickhouse: {addr: h, max_open_conns: " + testSecret + ", password: " + testSecret + "}\n",
		"type: postgres\npostgres: {addr: h, password: " + testSecret + ", query_timeout: " + testSecret + "}\n",
		"type: " + testSecret + "\nclickhouse: {password: " + testSecret + "}\n",
		"type: clickhouse\nclickhouse: {password: " + testSecret + ", mapping: " + testSecret + "}\n",
	}
	for _, f := range bad {
		_, err := Parse([]byte(f))
		if err == nil {
			t.Fatalf("accepted:\n%s", f)
		}
		if strings.Contains(err.Error(), testSecret) {
			t.Errorf("error shows the password: %v", err)
		}
	}
}

// FuzzParseNeverShowsPassword puts an arbitrary password into files that
// fail in different places and checks the error never shows it, unless the
// same error shows it with another password too (then it is not the
// password being echoed but, say, a key name that happens to match).
func FuzzParseNeverShowsPassword(f *testing.F) {
	for _, seed := range []struct {
		pw   string
		form uint8
	}{
		{"hunter2", 0}, {"p@ss:w/rd?#%", 1}, {"a'b\\c", 2}, {"sp ace", 3}, {"ünï©ødé", 4}, {"x", 5}, {"%41%42", 6}, {"{pw}", 7},
	} {
		f.Add(seed.pw, seed.form)
	}
	templates := []string{
		"type: clickhouse\nclickhouse: {user: u, password: %s}\n",
		"type: clickhouse\nclickhouse: {max_open_conns: %[1]s, addr: h, password: %[1]s}\n",
		"type: postgres\npostgres: {query_timeout: %[1]s, addr: h, password: %[1]s}\n",
		"type: postgres\npostgres: {dsn: %s, tls: {mode: x}}\n",
		"type: clickhouse\nclickhouse: {dsn: %s, addr: h}\n",
		"type: %[1]s\npostgres: {password: %[1]s}\n",
		"type: clickhouse\nclickhouse: {password: %[1]s, mapping: %[1]s}\n",
		"type: postgres\npostgres: {addr: h, password: %[1]s, settings: {%[1]s: x}}\n",
	}
	f.Fuzz(func(t *testing.T, pw string, form uint8) {
		tmpl := templates[int(form)%len(templates)]
		fill := func(pw string) string {
			v := pw
			if strings.Contains(tmpl, "dsn: %s") {
				v = "postgres://u:" + pw + "@h:1/db"
				if strings.Contains(tmpl, "clickhouse") {
					v = "clickhouse://u:" + pw + "@h:1/db"
				}
			}
			q, _ := json.Marshal(v) // a YAML double-quoted scalar
			return fmt.Sprintf(tmpl, string(q))
		}
		// The redaction marker itself may contain a short password, so
		// only the text between markers counts.
		shows := func(err error) bool {
			if err == nil {
				return false
			}
			for _, piece := range strings.Split(err.Error(), redacted) {
				if strings.Contains(piece, pw) {
					return true
				}
			}
			return false
		}
		_, err := Parse([]byte(fill(pw)))
		if pw == "" || !shows(err) {
			return
		}
		if _, other := Parse([]byte(fill("Zq9Xv7Wk3Jm"))); shows(other) {
			return
		}
		t.Errorf("password %q shown in: %v", pw, err)
	})
}
