package storeconfig

import (
	"fmt"

	"github.com/liftgate/liftgate/pkg/events/clickhouse"
	"github.com/liftgate/liftgate/pkg/events/postgres"
)

// Store types a file may name.
const (
	TypeClickHouse = "clickhouse"
	TypePostgres   = "postgres"
)

// Config is one store configuration file: the type and that store's own
// configuration. Exactly the block named by Type is set.
type Config struct {
	Type       string             `yaml:"type" json:"type"`
	ClickHouse *clickhouse.Config `yaml:"clickhouse,omitempty" json:"clickhouse,omitempty"`
	Postgres   *postgres.Config   `yaml:"postgres,omitempty" json:"postgres,omitempty"`
}

// Validate checks that Type names the one block that is set, then the
// block itself; errors name the field.
func (c Config) Validate() error {
	switch c.Type {
	case TypeClickHouse:
		if c.Postgres != nil {
			return fmt.Errorf("postgres: given, but type is %s (give only the block the type names)", c.Type)
		}
		if c.ClickHouse == nil {
			return fmt.Errorf("clickhouse: required with type: clickhouse (addr or dsn, user, password, mapping, ...)")
		}
		return c.ClickHouse.Validate()
	case TypePostgres:
		if c.ClickHouse != nil {
			return fmt.Errorf("clickhouse: given, but type is %s (give only the block the type names)", c.Type)
		}
		if c.Postgres == nil {
			return fmt.Errorf("postgres: required with type: postgres (addr or dsn, user, password, mapping, ...)")
		}
		return c.Postgres.Validate()
	case "":
		return fmt.Errorf("type: required (clickhouse or postgres)")
	case "duckdb":
		return fmt.Errorf("type: duckdb is the embedded store and needs no store file; use --db FILE instead")
	}
	return fmt.Errorf("type: %q is not one of clickhouse, postgres", c.Type)
}

// String describes the configuration without its secrets (the stores'
// own String methods redact passwords and DSN passwords).
func (c Config) String() string {
	switch {
	case c.ClickHouse != nil && c.Postgres == nil:
		return c.ClickHouse.String()
	case c.Postgres != nil && c.ClickHouse == nil:
		return c.Postgres.String()
	case c.ClickHouse != nil:
		return "store{type=" + c.Type + " " + c.ClickHouse.String() + " " + c.Postgres.String() + "}"
	}
	return "store{type=" + c.Type + "}"
}

// GoString keeps "%#v" as safe as "%v".
func (c Config) GoString() string { return c.String() }
