package clickhouse

import (
	"context"

	"github.com/liftgate/liftgate/pkg/events"
)

// eventTable is the mapped event table as SQL: every column read through
// an expression that fits its actual type.
type eventTable struct {
	from  string // backquoted table
	event string // event name as String
	unit  string // unit column as String
	id    string // event id as String; '' without an id column
	time  timeExpr
	props propertyReader
}

// eventTableFor reads the event table's column types and maps them.
func (s *Source) eventTableFor(ctx context.Context, op string) (eventTable, error) {
	m := s.mapping
	cols, err := s.columnsOf(ctx, op, "table", m.Table)
	if err != nil {
		return eventTable{}, err
	}
	typeOf := func(field, column string) (string, error) { return cols.typeOf(op, field, m.Table, column) }
	t := eventTable{from: quoteIdent(m.Table), id: "''"}
	for _, c := range []struct {
		field, column string
		dst           *string
	}{
		{"columns.event", m.Columns.Event, &t.event},
		{"columns.unit", m.Columns.Unit, &t.unit},
		{"columns.id", m.Columns.ID, &t.id},
	} {
		if c.column == "" {
			continue
		}
		typ, err := typeOf(c.field, c.column)
		if err != nil {
			return eventTable{}, err
		}
		*c.dst = textExpr(c.column, typ)
	}
	typ, err := typeOf("columns.time", m.Columns.Time)
	if err != nil {
		return eventTable{}, err
	}
	if t.time, err = s.timeExprOf(op, "columns.time", m.Columns.Time, typ); err != nil {
		return eventTable{}, err
	}
	if typ, err = typeOf("columns.properties", m.Columns.Properties); err != nil {
		return eventTable{}, err
	}
	if t.props, err = s.propertyReaderFor(op, m.Columns.Properties, typ); err != nil {
		return eventTable{}, err
	}
	return t, nil
}

// unitOf is the unit of an event row as a String: the mapped unit column
// for "user_id" (or ""), else the named property (empty when absent, and such
// rows are skipped).
func (t eventTable) unitOf(p *params, sc events.Scope) string {
	if sc.Unit == "" || sc.Unit == "user_id" {
		return t.unit
	}
	return t.props.text(p, sc.Unit)
}

// assignmentTable is the mapped assignment table as SQL.
type assignmentTable struct {
	from                    string
	unit, experiment, value string
	time                    timeExpr
}

// assignmentTableFor reads the assignment table's column types.
func (s *Source) assignmentTableFor(ctx context.Context, op string) (assignmentTable, error) {
	a := s.mapping.Assignments
	cols, err := s.columnsOf(ctx, op, "assignments.table", a.Table)
	if err != nil {
		return assignmentTable{}, err
	}
	t := assignmentTable{from: quoteIdent(a.Table)}
	for _, c := range []struct {
		field, column string
		dst           *string
	}{
		{"assignments.unit", a.Unit, &t.unit},
		{"assignments.experiment", a.Experiment, &t.experiment},
		{"assignments.variant", a.Variant, &t.value},
	} {
		typ, err := cols.typeOf(op, c.field, a.Table, c.column)
		if err != nil {
			return assignmentTable{}, err
		}
		*c.dst = textExpr(c.column, typ)
	}
	typ, err := cols.typeOf(op, "assignments.time", a.Table, a.Time)
	if err != nil {
		return assignmentTable{}, err
	}
	if t.time, err = s.timeExprOf(op, "assignments.time", a.Time, typ); err != nil {
		return assignmentTable{}, err
	}
	return t, nil
}
