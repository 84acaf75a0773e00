// Package server is liftgate_exporter's HTTP surface: event ingestion into
// the store, the store's query API for the Grafana plugin, the plans and
// results API, the rollout gates (Argo Rollouts web provider, Flagger
// webhooks), plan reloads and the landing page for people. It reads the
// evaluator's snapshots and never computes statistics itself.
package server
