// Package sim simulates a checkout service under a staged rollout, for
// liftgate's demo: users arrive with a daily cycle, belong to segments
// (platform, country), are assigned an arm with the weights of the stage in
// force, and make checkout requests whose latency and errors they feel. Some
// of them buy, for heavy-tailed amounts, and buying less often the slower
// and flakier checkout is.
//
// Both halves of what liftgate reads come out of the same simulated
// requests: product events (exposures, sessions, client errors, purchases)
// are posted to liftgate_exporter's ingestion endpoint, and per-arm
// telemetry (request counters and a latency histogram labelled by variant)
// is served on /metrics for Prometheus to scrape. At a chosen point a
// backend regression can be injected into the treatment; an Alertmanager
// webhook on /hooks/rollback rolls the treatment back.
//
// Time is compressed: event timestamps are wall-clock times (so the
// exporter, evaluating at "now", sees them as they happen), while the
// traffic's daily cycle and the delays between a user's actions follow a
// simulated clock running Speed times faster.
package sim
