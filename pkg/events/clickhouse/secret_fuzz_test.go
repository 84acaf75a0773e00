package clickhouse

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// plainUser is a user name that needs no escaping in a URL.
var plainUser = regexp.MustCompile(`^[A-Za-z0-9_.-]*$`)

// FuzzRedactDSN checks that a DSN's password never survives redaction,
// whether the DSN is written properly (URL-encoded) or by hand with
// reserved characters left raw.
func FuzzRedactDSN(f *testing.F) {
	for _, seed := range [][2]string{
		{"default", "s3cret"}, {"u", "p@ss:w/rd?#%"}, {"", "only-password"}, {"u.1", "12#frag"},
		{"u", "a%zzb"}, {"u", "%41%42%43"}, {"bob", "pw with spaces"}, {"u", "ü🚀päss"}, {"u", "9000"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, user, password string) {
		if len(password) < 4 || !plainUser.MatchString(user) {
			t.Skip()
		}
		// What a redacted DSN may show: the password must not be part of it.
		for _, public := range []string{"clickhouse://" + user + ":" + redacted + "@h:9000/db?dial_timeout=1s&password=" + redacted} {
			if strings.Contains(public, password) {
				t.Skip() // the password is also part of what may be shown
			}
		}
		encoded := (&url.URL{Scheme: "clickhouse", User: url.UserPassword(user, password), Host: "h:9000", Path: "/db", RawQuery: "dial_timeout=1s"}).String()
		dsns := []string{encoded, "clickhouse://h:9000/db?password=" + url.QueryEscape(password)}
		if !strings.ContainsFunc(password, unicode.IsSpace) {
			dsns = append(dsns, "clickhouse://"+user+":"+password+"@h:9000/db?dial_timeout=1s")
		}
		for _, d := range dsns {
			got := redactDSN(d)
			if strings.Contains(got, password) || strings.Contains(got, url.QueryEscape(password)) || strings.Contains(got, url.PathEscape(password)) {
				t.Fatalf("redactDSN(%q) = %q still shows the password", d, got)
			}
		}
	})
}
