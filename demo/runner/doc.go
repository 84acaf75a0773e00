// Package runner runs liftgate's demo: the whole loop of a rollout caught in
// time, on one machine, on loopback. It starts liftgate_exporter with its
// embedded store, a real Prometheus with the shipped configuration and rules
// (provisioning/prometheus, rules/), Alertmanager with the shipped routing
// (provisioning/alertmanager), and the checkout simulator (demo/sim), which
// follows the plan's stages, posts product events to the exporter and serves
// per-arm telemetry for Prometheus. It watches the exporter's verdicts and
// decision, Prometheus' alerts and Alertmanager's notifications, prints a
// timeline with the evidence, stops by itself and leaves everything in a
// data directory for inspection.
//
// The command is demo/run (demo/run.sh builds and starts it); the test in
// test/demo runs a shortened version and checks what it detected.
package runner
