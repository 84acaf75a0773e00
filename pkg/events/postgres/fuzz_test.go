package postgres

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// FuzzRedactConnString plants a password in connection strings of every
// form liftgate accepts and checks that the printable form never shows it.
func FuzzRedactConnString(f *testing.F) {
	for _, pw := range []string{"hunter22", "p@ss:w/rd?#", "with space's\\", "x' password=y", "ünï©ødé😀", "%41%42%43"} {
		f.Add(pw)
	}
	quote := func(pw string) string { return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(pw) + "'" }
	forms := []func(pw string) string{
		func(pw string) string {
			u := url.URL{Scheme: "postgres", User: url.UserPassword("alice", pw), Host: "db.example:5432", Path: "/analytics"}
			return u.String()
		},
		func(pw string) string {
			u := url.URL{Scheme: "postgresql", User: url.User("alice"), Host: "db.example", Path: "/analytics",
				RawQuery: url.Values{"password": {pw}, "sslmode": {"require"}}.Encode()}
			return u.String()
		},
		func(pw string) string {
			return "host=db.example user=alice password=" + quote(pw) + " dbname=analytics"
		},
		func(pw string) string { return "host=db.example password = " + quote(pw) },
	}
	bare := func(pw string) string { return "user=alice password=" + pw + " host=db.example" }
	f.Fuzz(func(t *testing.T, pw string) {
		if len(pw) < 6 {
			return // too short to tell apart from the rest of the string
		}
		all := forms
		if !strings.ContainsAny(pw, " '\\\t\n\r\v\f") {
			all = append(all, bare)
		}
		leaks := []string{pw, url.QueryEscape(pw), url.PathEscape(pw), url.UserPassword("", pw).String()[1:]}
		for _, form := range all {
			// A password that is part of the surrounding text (e.g.
			// "sword=" in "password=") cannot be told apart; skip it.
			static := form("QQQQQQQQ")
			staticOut := ConnString(static).String() + fmt.Sprintf("%v", Config{DSN: ConnString(static)})
			out := ConnString(form(pw)).String() + " " + fmt.Sprintf("%v %+v %#v", ConnString(form(pw)), Config{DSN: ConnString(form(pw))}, Config{DSN: ConnString(form(pw))})
			for _, leak := range leaks {
				if len(leak) < 6 || strings.Contains(static, leak) || strings.Contains(staticOut, leak) {
					continue
				}
				if strings.Contains(out, leak) {
					t.Fatalf("password %q leaks from %q as %q", pw, form(pw), out)
				}
			}
		}
	})
}
