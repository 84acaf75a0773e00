package events

import (
	"fmt"
	"regexp"
)

// Mapping tells a SQL store where events live in a schema the user already
// has. Only identifiers from a Mapping ever become part of SQL text (quoted);
// plan names and values are always bound parameters.
type Mapping struct {
	// Table holding one row per event, optionally database-qualified
	// ("analytics.events").
	Table   string       `yaml:"table" json:"table"`
	Columns EventColumns `yaml:"columns" json:"columns"`
	// Properties says how the properties column is stored: "json" (a
	// string/JSON/JSONB column holding an object) or "map" (a ClickHouse
	// Map(String, String)). Default "json".
	Properties string `yaml:"properties" json:"properties"`
	// Exposure, when set, overrides how exposure events are recognised for
	// every plan read through this mapping (PostHog: $feature_flag_called).
	Exposure *Exposure `yaml:"exposure,omitempty" json:"exposure,omitempty"`
	// Assignments, when set, reads exposures from a separate assignment
	// table instead of from events (GrowthBook-style).
	Assignments *AssignmentTable `yaml:"assignments,omitempty" json:"assignments,omitempty"`
}

// EventColumns names the event table's columns.
type EventColumns struct {
	ID         string `yaml:"id" json:"id"`
	Event      string `yaml:"event" json:"event"`
	Unit       string `yaml:"unit" json:"unit"`
	Time       string `yaml:"time" json:"time"`
	Properties string `yaml:"properties" json:"properties"`
}

// AssignmentTable is a table of (unit, time, experiment, variant) rows.
type AssignmentTable struct {
	Table      string `yaml:"table" json:"table"`
	Unit       string `yaml:"unit" json:"unit"`
	Time       string `yaml:"time" json:"time"`
	Experiment string `yaml:"experiment" json:"experiment"`
	Variant    string `yaml:"variant" json:"variant"`
	// Segment properties are not available from an assignment table; a
	// segment breakdown then reads them from the unit's first event of the
	// exposure event name if one is configured, else reports "(none)".
}

// LiftgateMapping is liftgate's own event schema (the one `liftgate import`
// and the exporter's ingestion write).
func LiftgateMapping() Mapping {
	return Mapping{
		Table:      "events",
		Columns:    EventColumns{ID: "id", Event: "event", Unit: "unit_id", Time: "ts", Properties: "properties"},
		Properties: "json",
	}
}

// PostHogMapping reads PostHog's ClickHouse events table, where exposures
// are $feature_flag_called events carrying the flag key and the variant.
func PostHogMapping() Mapping {
	return Mapping{
		Table:      "events",
		Columns:    EventColumns{ID: "uuid", Event: "event", Unit: "distinct_id", Time: "timestamp", Properties: "properties"},
		Properties: "json",
		Exposure: &Exposure{
			Event:              "$feature_flag_called",
			ExperimentProperty: "$feature_flag",
			ArmProperty:        "$feature_flag_response",
		},
	}
}

// identifierPattern is what a mapped identifier may look like: a plain or
// database-qualified name. Anything else is refused before it nears SQL.
var identifierPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$`)

// Validate checks every identifier and option; errors name the field.
func (m Mapping) Validate() error {
	check := func(field, v string, required bool) error {
		if v == "" {
			if required {
				return fmt.Errorf("mapping.%s: required", field)
			}
			return nil
		}
		if !identifierPattern.MatchString(v) {
			return fmt.Errorf("mapping.%s: %q is not a plain identifier (letters, digits, _ and $, optionally db.table)", field, v)
		}
		return nil
	}
	for _, c := range []struct {
		field, v string
	}{
		{"table", m.Table}, {"columns.event", m.Columns.Event}, {"columns.unit", m.Columns.Unit},
		{"columns.time", m.Columns.Time}, {"columns.properties", m.Columns.Properties},
	} {
		if err := check(c.field, c.v, true); err != nil {
			return err
		}
	}
	if err := check("columns.id", m.Columns.ID, false); err != nil {
		return err
	}
	switch m.Properties {
	case "", "json", "map":
	default:
		return fmt.Errorf("mapping.properties: %q is not one of json, map", m.Properties)
	}
	if a := m.Assignments; a != nil {
		for _, c := range []struct{ field, v string }{
			{"assignments.table", a.Table}, {"assignments.unit", a.Unit}, {"assignments.time", a.Time},
			{"assignments.experiment", a.Experiment}, {"assignments.variant", a.Variant},
		} {
			if err := check(c.field, c.v, true); err != nil {
				return err
			}
		}
	}
	return nil
}
