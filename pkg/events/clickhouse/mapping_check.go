package clickhouse

import (
	"fmt"
	"strings"

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
	names := [][2]string{
		{"columns.id", m.Columns.ID}, {"columns.event", m.Columns.Event}, {"columns.unit", m.Columns.Unit},
		{"columns.time", m.Columns.Time}, {"columns.properties", m.Columns.Properties},
	}
	if a := m.Assignments; a != nil {
		names = append(names, [2]string{"assignments.unit", a.Unit}, [2]string{"assignments.time", a.Time},
			[2]string{"assignments.experiment", a.Experiment}, [2]string{"assignments.variant", a.Variant})
	}
	for _, n := range names {
		if strings.HasPrefix(strings.ToLower(n[1]), aliasPrefix) {
			return fmt.Errorf("mapping.%s: %q starts with %q, which liftgate reserves for its own aliases", n[0], n[1], aliasPrefix)
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
