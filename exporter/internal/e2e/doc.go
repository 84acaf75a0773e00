// Package e2e runs the real parts of an end-to-end test on loopback: the
// built liftgate_exporter as a child process, a real Prometheus (Debian's)
// scraping it, and a TCP proxy that can cut a store's connections. Every
// process is started by the test, stopped by its own PID, and its data
// lives in the test's temporary directory. Imported by tests only.
package e2e
