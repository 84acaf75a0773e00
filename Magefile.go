//go:build mage

// Magefile builds the Grafana plugin backend with the SDK's build targets
// (`mage -v build:linux`). plugin.json lives at the top level of the
// repository, the single source of truth for the plugin's id and executable.
package main

import (
	"os"

	// mage:import
	build "github.com/grafana/grafana-plugin-sdk-go/build"
)

func init() {
	build.SetBeforeBuildCallback(func(cfg build.Config) (build.Config, error) {
		cfg.PluginJSONPath = "."
		// LIFTGATE_PLUGIN_OUT sends the binaries and the manifest to another
		// directory than dist/: the gRPC harness (test/plugin) builds with
		// mage into a temporary directory, so it never rewrites dist/ while
		// the dist checks (test/dist) read it.
		if out := os.Getenv("LIFTGATE_PLUGIN_OUT"); out != "" {
			cfg.OutputBinaryPath = out
		}
		return cfg, nil
	})
}

// Default builds the backend for every platform Grafana supports.
var Default = build.BuildAll
