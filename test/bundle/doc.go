// Package bundle holds the offline checks of liftgate's bundle: the rule
// files in rules/, the dashboards in dashboards/ and the provisioning files
// in provisioning/. They stand in for the tools that cannot run in CI here
// (Grafana's plugin validator and dashboard linter) and complement the real
// ones that can (promtool and amtool, run by scripts/check-bundle.sh): every
// file parses with the library its consumer uses, every reference between
// files resolves, and every dashboard query speaks the plugin's query model.
package bundle
