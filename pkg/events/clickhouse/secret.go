package clickhouse

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	ch "github.com/ClickHouse/clickhouse-go/v2"
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
func (s Secret) GoString() string { return `clickhouse.Secret("` + s.String() + `")` }

// MarshalJSON hides the value: a dumped configuration never carries it.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// MarshalYAML hides the value likewise.
func (s Secret) MarshalYAML() (any, error) { return s.String(), nil }

// reveal is the only way to the value.
func (s Secret) reveal() string { return string(s) }

// DSN is a clickhouse-go connection URL,
// clickhouse://user:password@host:9000/database?dial_timeout=10s&secure=true.
// It may embed a password, so it prints and marshals with the password
// replaced.
type DSN string

// String implements fmt.Stringer.
func (d DSN) String() string { return redactDSN(string(d)) }

// GoString implements fmt.GoStringer.
func (d DSN) GoString() string { return `clickhouse.DSN("` + d.String() + `")` }

// MarshalJSON writes the redacted form.
func (d DSN) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// MarshalYAML writes the redacted form.
func (d DSN) MarshalYAML() (any, error) { return d.String(), nil }

// parse reads the DSN with clickhouse-go. Its messages mask the password
// already; the password is scrubbed again in case a form slips through.
func (d DSN) parse() (*ch.Options, error) {
	opts, err := ch.ParseDSN(string(d))
	if err != nil {
		msg := err.Error()
		if pw := d.password(); pw != "" {
			msg = strings.ReplaceAll(msg, pw, redacted)
		}
		return nil, fmt.Errorf("dsn: cannot parse %s (expected clickhouse://user:password@host:9000/database): %s", d.String(), msg)
	}
	return opts, nil
}

// password returns the password of the URL's userinfo or its password
// query parameter ("" when there is none or the DSN does not parse).
func (d DSN) password() string {
	u, err := url.Parse(string(d))
	if err != nil {
		return ""
	}
	if pw, ok := u.User.Password(); ok {
		return pw
	}
	return u.Query().Get("password")
}

// redactionMarker stands in for the password while the URL is re-encoded
// (url.URL would percent-encode the brackets of "[redacted]").
const redactionMarker = "xLiftgateRedactedx"

// redactDSN hides the password of a DSN: the userinfo password and any
// password query parameter. The shape-based masks run on top of the URL
// rewrite because a password with unencoded reserved characters ("#", "/")
// can make a DSN parse into something else entirely; over-masking a
// password-less DSN that has an "@" in its query is the accepted price.
func redactDSN(s string) string {
	if s == "" {
		return ""
	}
	if u, err := url.Parse(s); err == nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), redactionMarker)
		}
		q := u.Query()
		if q.Has("password") {
			q.Set("password", redactionMarker)
			u.RawQuery = q.Encode()
		}
		s = strings.ReplaceAll(u.String(), redactionMarker, redacted)
	}
	return maskPasswordParam(maskUserinfo(s))
}

// userinfoPassword matches "scheme://user:secret@"; the secret may contain
// anything but whitespace, and the last "@" before the host ends it.
var userinfoPassword = regexp.MustCompile(`://([^:/@\s]*):\S*@`)

func maskUserinfo(s string) string {
	return userinfoPassword.ReplaceAllString(s, "://${1}:"+redacted+"@")
}

var passwordParam = regexp.MustCompile(`(?i)([?&]password=)[^&\s]*`)

func maskPasswordParam(s string) string {
	return passwordParam.ReplaceAllString(s, "${1}"+redacted)
}
