// Package evaluator keeps liftgate_exporter's plans and their latest
// evaluations. It loads the plans directory (keeping the last good version of
// a plan whose file stops validating), evaluates each plan in the background
// on its own timer through engine.Analyze, and hands out consistent
// snapshots to the metrics collector, the gates and the landing page, so no
// reader ever triggers or waits for an evaluation.
package evaluator
