package clickhouse

import "strings"

// timeExpr is how a time column reads as epoch microseconds, plus the raw
// column for a coarse filter that lets ClickHouse prune partitions and
// granules (an expression over the column can hide it from the index).
type timeExpr struct {
	micros string // Int64 epoch microseconds
	column string // the backquoted column
}

// timeExprOf maps a DateTime or DateTime64 column; other types are refused
// rather than guessed at (an integer could be seconds, ms or µs).
func (s *Source) timeExprOf(op, field, column, typ string) (timeExpr, error) {
	q := quoteIdent(column)
	switch {
	case typ == "DateTime" || strings.HasPrefix(typ, "DateTime("):
		return timeExpr{micros: "(toInt64(" + q + ") * 1000000)", column: q}, nil
	case strings.HasPrefix(typ, "DateTime64("):
		if !s.server.unixMicro {
			return timeExpr{}, errorf(op, "mapping.%s: column %s is %s, but this server (%s) lacks toUnixTimestamp64Micro", field, q, typ, s.server.version)
		}
		return timeExpr{micros: "toUnixTimestamp64Micro(" + q + ")", column: q}, nil
	}
	return timeExpr{}, errorf(op, "mapping.%s: column %s has type %s; expected DateTime or DateTime64", field, q, typ)
}

// maxDateTime is the last second a DateTime (UInt32) holds.
const maxDateTime = 1<<32 - 1

// within filters rows to [lo, hi) microseconds, where alias is the row's
// time in microseconds (defined by the query's WITH clause).
func (t timeExpr) within(p *params, alias string, lo, hi int64) string {
	// The coarse filter on whole seconds keeps a superset (⌊lo⌋ ≤ t < ⌈hi⌉)
	// and the exact one follows. Bounds are clamped to DateTime's range,
	// beyond which toDateTime wraps around.
	loSec := min(max(floorDiv(lo, 1e6), 0), maxDateTime)
	hiSec := min(max(ceilDiv(hi, 1e6), 0), maxDateTime+1)
	out := t.column + " >= toDateTime(" + p.int(loSec) + ") AND "
	if hiSec <= maxDateTime {
		out += t.column + " < toDateTime(" + p.int(hiSec) + ") AND "
	}
	return out + alias + " >= " + p.int(lo) + " AND " + alias + " < " + p.int(hi)
}

// ceilDiv is ⌈a/b⌉ for b > 0.
func ceilDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a > 0 {
		q++
	}
	return q
}

// floorDiv is ⌊a/b⌋ for b > 0.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}
