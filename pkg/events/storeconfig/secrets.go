package storeconfig

import (
	"errors"
	"net/url"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// The stores redact their own secrets (clickhouse.Secret, postgres.Secret,
// the DSN types) wherever a configuration is printed. A file can still put
// a secret where a message might quote it, so every error Parse returns is
// also scrubbed of the passwords the file holds, found by key: the value of
// any "password" key, and the password inside any "dsn".

// redacted is what a scrubbed secret reads as, like the stores' own.
const redacted = "[redacted]"

// secrets are the password strings found in one file.
type secrets []string

// keywordPassword matches password=value in a libpq key=value string.
var keywordPassword = regexp.MustCompile(`(?i)\bpassword\s*=\s*('(?:[^'\\]|\\.)*'|[^\s&]+)`)

// collectSecrets walks the whole document.
func collectSecrets(n *yaml.Node) secrets {
	var s secrets
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if v.Kind == yaml.ScalarNode {
					switch strings.ToLower(k.Value) {
					case "password":
						s.add(v.Value)
					case "dsn":
						s.addFromDSN(v.Value)
					}
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
	return s
}

func (s *secrets) add(v string) {
	if v != "" {
		*s = append(*s, v)
		// A URL-encoded form may be what a message shows.
		if e := url.QueryEscape(v); e != v {
			*s = append(*s, e)
		}
		if e := url.PathEscape(v); e != v {
			*s = append(*s, e)
		}
	}
}

// addFromDSN finds the password of a URL (userinfo or password parameter)
// or of a key=value string.
func (s *secrets) addFromDSN(dsn string) {
	if u, err := url.Parse(dsn); err == nil {
		if pw, ok := u.User.Password(); ok {
			s.add(pw)
		}
		s.add(u.Query().Get("password"))
	}
	if i := strings.Index(dsn, "://"); i >= 0 {
		// A malformed URL: take user:secret@ by shape.
		rest := dsn[i+3:]
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			if _, pw, ok := strings.Cut(rest[:at], ":"); ok {
				s.add(pw)
			}
		}
	}
	for _, m := range keywordPassword.FindAllStringSubmatch(dsn, -1) {
		v := m[1]
		if strings.HasPrefix(v, "'") {
			v = strings.TrimSuffix(strings.TrimPrefix(v, "'"), "'")
			s.add(strings.NewReplacer(`\'`, `'`, `\\`, `\`).Replace(v))
		}
		s.add(v)
	}
}

// scrub replaces every secret in the error's text. The error's chain is
// not kept: an unwrapped cause could still carry the secret.
func (s secrets) scrub(err error) error {
	if err == nil || len(s) == 0 {
		return err
	}
	msg := err.Error()
	// Longest first, so a secret containing another is replaced whole.
	sorted := append(secrets(nil), s...)
	for i := 1; i < len(sorted); i++ {
		for j := i; j > 0 && len(sorted[j]) > len(sorted[j-1]); j-- {
			sorted[j], sorted[j-1] = sorted[j-1], sorted[j]
		}
	}
	for _, v := range sorted {
		msg = strings.ReplaceAll(msg, v, redacted)
	}
	if msg == err.Error() {
		return err
	}
	return errors.New(msg)
}
