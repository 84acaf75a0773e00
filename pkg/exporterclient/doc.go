// Package exporterclient reads liftgate_exporter's HTTP API: the plans it
// evaluates, each plan's source, and the last engine.Result per experiment.
//
// It is pure Go and never reaches the DuckDB driver, so the Grafana plugin
// (built with CGO_ENABLED=0) can use it. The JSON shapes defined here are
// the wire contract: the exporter's server encodes these very types, so the
// two sides cannot drift apart.
package exporterclient
