// Package postgres is an events.Source over an event table in PostgreSQL
// (14 or newer), read through pgx. Every query aggregates in the database,
// first per unit and then per arm × stage × segment × bucket, so Go only
// receives a handful of group rows whatever the number of events.
//
// The table is described by an events.Mapping: identifiers from the
// validated mapping are the only names that enter SQL text (quoted with
// pgx.Identifier); plan names, property names and values are always bound
// parameters. See docs/stores-postgres.md for configuration and DDL.
package postgres
