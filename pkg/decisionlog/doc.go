// Package decisionlog is liftgate's decision log: an append-only record of
// what the system knew and decided for each experiment (verdict, decision,
// stage and plan changes, with the evidence behind them) and of the
// decisions people took beside it. It also derives the rollout history and
// outcome figures (time from harmful evidence to rollback, rollbacks per
// rollout, change-failure rate, time to restore) from that record.
//
// The package is pure Go so the CLI, the exporter and the Grafana plugin
// can all read the same model.
package decisionlog
