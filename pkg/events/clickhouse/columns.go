package clickhouse

import (
	"context"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

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
