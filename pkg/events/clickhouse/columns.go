package clickhouse

import (
	"context"
	"fmt"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/liftgate/liftgate/pkg/events"
)

// aliasPrefix starts every alias the generated SQL defines. A mapped column
// with that prefix could be shadowed by an alias, so checkMapping refuses it.
const aliasPrefix = "_lg_"

// checkMapping validates the mapping's identifiers and refuses the few
// names the generated SQL reserves.
func checkMapping(m events.Mapping) error {
	if err := m.Validate(); err != nil {
		return err
	}
	names := map[string]string{
		"columns.id": m.Columns.ID, "columns.event": m.Columns.Event, "columns.unit": m.Columns.Unit,
		"columns.time": m.Columns.Time, "columns.properties": m.Columns.Properties,
	}
	if a := m.Assignments; a != nil {
		names["assignments.unit"] = a.Unit
		names["assignments.time"] = a.Time
		names["assignments.experiment"] = a.Experiment
		names["assignments.variant"] = a.Variant
	}
	for field, v := range names {
		if strings.HasPrefix(strings.ToLower(v), aliasPrefix) {
			return fmt.Errorf("mapping.%s: %q starts with %q, which liftgate reserves for its own aliases", field, v, aliasPrefix)
		}
	}
	return nil
}

// quoteIdent backquotes a validated identifier, "db.table" part by part.
// The mapping's pattern allows no backquote, so nothing can break out.
func quoteIdent(name string) string {
	parts := strings.Split(name, ".")
	for i, p := range parts {
		parts[i] = "`" + p + "`"
	}
	return strings.Join(parts, ".")
}

// tableColumns maps a table's column names to their ClickHouse types.
type tableColumns map[string]string

// columnsOf reads a table's column types, once per Source (the cache is
// dropped by CreateLiftgateSchema). field names the mapping entry in errors.
func (s *Source) columnsOf(ctx context.Context, op, field, table string) (tableColumns, error) {
	s.mu.Lock()
	cols, ok := s.tables[table]
	s.mu.Unlock()
	if ok {
		return cols, nil
	}
	p := &params{}
	database := "currentDatabase()"
	name := table
	if i := strings.IndexByte(table, '.'); i >= 0 {
		database, name = p.text(table[:i]), table[i+1:]
	}
	sql := "SELECT name, type FROM system.columns WHERE database = " + database + " AND table = " + p.text(name)
	cols = tableColumns{}
	err := s.query(ctx, op, sql, p.args, func(rows driver.Rows) error {
		var n, t string
		if err := rows.Scan(&n, &t); err != nil {
			return err
		}
		cols[n] = t
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		return nil, errorf(op, "mapping.%s: table %s does not exist (or has no columns visible to this user)", field, quoteIdent(table))
	}
	s.mu.Lock()
	s.tables[table] = cols
	s.mu.Unlock()
	return cols, nil
}

// forgetColumns drops cached column types after a schema change.
func (s *Source) forgetColumns() {
	s.mu.Lock()
	s.tables = map[string]tableColumns{}
	s.mu.Unlock()
}

// typeOf returns a column's type or an error naming the mapping field.
func (c tableColumns) typeOf(op, field, table, column string) (string, error) {
	t, ok := c[column]
	if !ok {
		return "", errorf(op, "mapping.%s: table %s has no column %s", field, quoteIdent(table), quoteIdent(column))
	}
	return t, nil
}

// baseType strips the Nullable and LowCardinality wrappers off a type.
func baseType(typ string) string {
	for {
		switch {
		case strings.HasPrefix(typ, "Nullable(") && strings.HasSuffix(typ, ")"):
			typ = typ[len("Nullable(") : len(typ)-1]
		case strings.HasPrefix(typ, "LowCardinality(") && strings.HasSuffix(typ, ")"):
			typ = typ[len("LowCardinality(") : len(typ)-1]
		default:
			return typ
		}
	}
}

// textExpr reads any column as String; NULL reads as "".
func textExpr(column, typ string) string {
	if strings.Contains(typ, "Nullable(") {
		return "ifNull(toString(" + quoteIdent(column) + "), '')"
	}
	return "toString(" + quoteIdent(column) + ")"
}

// timeExpr is how a time column reads as epoch microseconds, plus a coarse
// filter on the raw column that lets ClickHouse prune partitions and
// granules (an expression over the column would hide it from the index).
type timeExpr struct {
	micros  string // Int64 epoch microseconds
	seconds string // the raw column when it is a DateTime (whole seconds), else ""
}

// timeExprOf maps a DateTime or DateTime64 column; other types are refused
// rather than guessed at (an integer could be seconds, ms or µs).
func (s *Source) timeExprOf(op, field, column, typ string) (timeExpr, error) {
	q := quoteIdent(column)
	switch {
	case typ == "DateTime" || strings.HasPrefix(typ, "DateTime("):
		return timeExpr{micros: "(toInt64(" + q + ") * 1000000)", seconds: q}, nil
	case strings.HasPrefix(typ, "DateTime64("):
		if !s.server.unixMicro {
			return timeExpr{}, errorf(op, "mapping.%s: column %s is %s, but this server (%s) lacks toUnixTimestamp64Micro", field, q, typ, s.server.version)
		}
		return timeExpr{micros: "toUnixTimestamp64Micro(" + q + ")"}, nil
	}
	return timeExpr{}, errorf(op, "mapping.%s: column %s has type %s; expected DateTime or DateTime64", field, q, typ)
}

// maxDateTime is the last second a DateTime (UInt32) holds.
const maxDateTime = 1<<32 - 1

// within filters rows to [lo, hi) microseconds, where alias is the row's
// time in microseconds (defined by the query's WITH clause).
func (t timeExpr) within(p *params, alias string, lo, hi int64) string {
	out := ""
	if t.seconds != "" {
		// Whole seconds: t ≥ lo ⇔ sec ≥ ⌈lo/1e6⌉ and t < hi ⇔ sec < ⌈hi/1e6⌉,
		// clamped to DateTime's range, beyond which toDateTime wraps around.
		loSec, hiSec := min(max(ceilDiv(lo, 1e6), 0), maxDateTime), min(max(ceilDiv(hi, 1e6), 0), maxDateTime+1)
		out = t.seconds + " >= toDateTime(" + p.int(loSec) + ") AND "
		if hiSec <= maxDateTime {
			out += t.seconds + " < toDateTime(" + p.int(hiSec) + ") AND "
		}
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
