package duckdb

import (
	"strconv"
	"strings"
	"time"
)

// params collects a query's bound parameters. Every name and value that
// comes from a plan or from data (experiment id, event names, property
// names, arm values, times) enters SQL through here as a $n placeholder;
// the SQL text itself is built only from constants and counts.
type params struct {
	args []any
}

// bind adds a value and returns its placeholder.
func (p *params) bind(v any) string {
	p.args = append(p.args, v)
	return "$" + strconv.Itoa(len(p.args))
}

// timestamp binds t as a TIMESTAMP. It goes in as epoch microseconds rather
// than a time.Time, which the driver would send as TIMESTAMPTZ and DuckDB
// would convert through the session time zone.
func (p *params) timestamp(t time.Time) string {
	return "make_timestamp(" + p.bind(t.UnixMicro()) + "::BIGINT)"
}

// interval binds a duration as an INTERVAL of microseconds.
func (p *params) interval(d time.Duration) string {
	return "to_microseconds(" + p.bind(d.Microseconds()) + "::BIGINT)"
}

// list binds each value and returns "($1, $2, ...)" for an IN list.
func (p *params) list(values []string) string {
	ph := make([]string, len(values))
	for i, v := range values {
		ph[i] = p.bind(v)
	}
	return "(" + strings.Join(ph, ", ") + ")"
}

// property binds the JSON pointer of a top-level property and returns the
// expression extracting it as text (NULL when absent or JSON null).
func (p *params) property(column, name string) string {
	return "json_extract_string(" + column + ", " + p.bind(jsonPointer(name)) + ")"
}

// jsonPointer addresses a top-level JSON property by name (RFC 6901: "~"
// becomes "~0", "/" becomes "~1"). DuckDB's other path syntax, $."name",
// treats a quoted * as a wildcard, so a property named "*" would change the
// result type; a pointer has no wildcards and addresses every name.
func jsonPointer(name string) string {
	return "/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(name)
}
