package clickhouse

import (
	"strconv"

	ch "github.com/ClickHouse/clickhouse-go/v2"
)

// params collects a query's bound values. Every name and value that comes
// from a plan or from data (experiment id, event and property names, arm
// values, times) enters SQL through here as an @pN placeholder, which
// clickhouse-go replaces with an escaped literal (18.16 has no server-side
// parameters). The SQL text itself is built only from constants, counts and
// backquoted identifiers of the validated mapping.
//
// Named placeholders, unlike positional "?", may be used several times and
// in any order, so expressions can be composed freely; an identical value
// reuses its placeholder, which keeps repeated sub-expressions textually
// identical so that ClickHouse computes them once.
type params struct {
	args  []any
	names map[any]string
}

// bind adds a string or integer and returns its placeholder.
func (p *params) bind(v any) string {
	if name, ok := p.names[v]; ok {
		return "@" + name
	}
	if p.names == nil {
		p.names = map[any]string{}
	}
	name := "p" + strconv.Itoa(len(p.args)+1)
	p.names[v] = name
	p.args = append(p.args, ch.Named(name, v))
	return "@" + name
}

// text binds a string.
func (p *params) text(s string) string { return p.bind(s) }

// int binds an integer as an Int64 expression (a bare literal would get the
// smallest type that holds it, and a negative one would be parsed as unary
// minus).
func (p *params) int(n int64) string { return "toInt64(" + p.bind(n) + ")" }

// list binds each value and returns "(@p1, @p2, ...)" for an IN list.
func (p *params) list(values []string) string {
	out := "("
	for i, v := range values {
		if i > 0 {
			out += ", "
		}
		out += p.text(v)
	}
	return out + ")"
}
