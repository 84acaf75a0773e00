// Package storeconfig reads the store configuration file shared by the CLI
// (`liftgate analyze --store`, `liftgate import --store`), the exporter and
// the docs: one YAML or JSON file that says which SQL store holds the events
// and how to reach it.
//
//	type: clickhouse            # or postgres
//	clickhouse:                 # a clickhouse.Config (see docs/stores-clickhouse.md)
//	  addr: 127.0.0.1:9000
//	  user: liftgate
//	  password: s3cr3t          # printed and marshalled as [redacted]
//	  mapping: posthog          # liftgate | posthog | {table: ..., columns: {...}}
//
// The block named by type is the store's own configuration, read with the
// same keys as clickhouse.ParseConfig or postgres.ParseConfig; the only
// addition is that mapping may name a preset (liftgate for liftgate's own
// event schema, posthog for PostHog's events table) instead of spelling the
// mapping out. Unknown keys are errors with their line and dotted path.
//
// The package is pure Go (no cgo, no DuckDB): the embedded store is chosen
// with --db, not with a store file.
package storeconfig
