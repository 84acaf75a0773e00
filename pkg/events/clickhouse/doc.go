// Package clickhouse reads experiment events from ClickHouse and answers
// events.Source queries by aggregating in SQL: per unit, then per arm ×
// stage × segment × bucket. Go receives group rows only, whatever the number
// of events.
//
// It speaks the native protocol through clickhouse-go v2 and works with the
// oldest server liftgate can install on Debian (18.16), which has no JSON*
// functions, no DateTime64, no Map type and no server-side query parameters.
// Where a newer server offers something better the package detects it and
// uses it (JSONExtractRaw, DateTime64 columns, Map properties). Plan names
// and values enter SQL only as bound literals escaped by the driver;
// identifiers come only from the validated events.Mapping, backquoted.
package clickhouse
