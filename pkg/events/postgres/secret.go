package postgres

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
)

// redacted is what a secret prints as.
const redacted = "[redacted]"

// Secret is a password. It prints, formats and marshals as "[redacted]" so
// that a configuration can be logged, dumped or put in an error without
// leaking it; only this package reads the value.
type Secret string

// String implements fmt.Stringer ("%v", "%s", "%+v").
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString implements fmt.GoStringer ("%#v").
func (s Secret) GoString() string { return `postgres.Secret("` + s.String() + `")` }

// MarshalJSON hides the value: a dumped configuration never carries it.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// MarshalYAML hides the value likewise.
func (s Secret) MarshalYAML() (any, error) { return s.String(), nil }

// reveal is the only way to the value.
func (s Secret) reveal() string { return string(s) }

// ConnString is a libpq connection string (postgres:// URL or key=value
// pairs). It may embed a password, so it prints and marshals with the
// password replaced.
type ConnString string

// String implements fmt.Stringer.
func (c ConnString) String() string { return redactConnString(string(c)) }

// GoString implements fmt.GoStringer.
func (c ConnString) GoString() string { return `postgres.ConnString("` + c.String() + `")` }

// MarshalJSON writes the redacted form.
func (c ConnString) MarshalJSON() ([]byte, error) { return json.Marshal(c.String()) }

// MarshalYAML writes the redacted form.
func (c ConnString) MarshalYAML() (any, error) { return c.String(), nil }

// keywordPassword matches password=value in key=value form, the value bare
// or single-quoted with backslash escapes, with optional spaces around "=".
var keywordPassword = regexp.MustCompile(`(?i)(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'?|\S*)`)

// redactConnString hides the password of a connection string. A URL's
// userinfo password and password query parameter are replaced; in key=value
// form every password value is. Anything that does not parse as a URL is
// treated as key=value, and as a last resort a "user:secret@" shape is
// masked too, so a malformed string does not leak either.
func redactConnString(s string) string {
	if s == "" {
		return ""
	}
	lower := strings.ToLower(s)
	if strings.HasPrefix(lower, "postgres://") || strings.HasPrefix(lower, "postgresql://") {
		u, err := url.Parse(s)
		if err != nil {
			return maskUserinfo(keywordPassword.ReplaceAllString(s, "${1}"+redacted))
		}
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), redactionMarker)
		}
		q := u.Query()
		if q.Has("password") {
			q.Set("password", redactionMarker)
			u.RawQuery = q.Encode()
		}
		return strings.ReplaceAll(u.String(), redactionMarker, redacted)
	}
	return maskUserinfo(keywordPassword.ReplaceAllString(s, "${1}"+redacted))
}

var userinfoPassword = regexp.MustCompile(`://([^:/@\s]*):[^@\s]*@`)

func maskUserinfo(s string) string {
	return userinfoPassword.ReplaceAllString(s, "://${1}:"+redacted+"@")
}

// redactionMarker stands in for the password while the URL is re-encoded
// (url.URL would percent-encode the brackets of "[redacted]").
const redactionMarker = "xLiftgateRedactedx"
