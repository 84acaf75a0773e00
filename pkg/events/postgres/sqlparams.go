package postgres

import (
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// params collects a query's bound parameters. Every name and value that
// comes from a plan or from data (experiment id, event and property names,
// arm values, times, durations) enters SQL through here as a $n
// placeholder with an explicit type; the SQL text itself is built only
// from constants, counts and the validated mapping's quoted identifiers.
type params struct {
	args []any
}

func (p *params) bind(v any) string {
	p.args = append(p.args, v)
	return "$" + strconv.Itoa(len(p.args))
}

// text binds a string.
func (p *params) text(s string) string { return p.bind(s) + "::text" }

// texts binds a list of strings as text[] (for = ANY(...)).
func (p *params) texts(v []string) string { return p.bind(v) + "::text[]" }

// timestamp binds an instant as timestamptz. A timestamp (without time
// zone) column compared with it is read in the session's UTC.
func (p *params) timestamp(t time.Time) string { return p.bind(t.UTC()) + "::timestamptz" }

// interval binds a duration as an interval of microseconds only (no days or
// months), so adding it is exact and independent of calendars.
func (p *params) interval(d time.Duration) string {
	return p.bind(pgtype.Interval{Microseconds: d.Microseconds(), Valid: true}) + "::interval"
}

// bigint binds an integer.
func (p *params) bigint(n int64) string { return p.bind(n) + "::bigint" }

// ident quotes a mapped identifier; "db.table" becomes "db"."table"
// (schema-qualified in PostgreSQL).
func ident(name string) string { return pgx.Identifier(strings.Split(name, ".")).Sanitize() }
