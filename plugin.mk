# Grafana plugin backend (included from the Makefile). The SDK's mage
# targets read the top-level plugin.json (Magefile.go) and write
# dist/gpx_liftgate_linux_{amd64,arm64} with go_plugin_build_manifest,
# statically linked and without cgo.
MAGE ?= $(GO) run github.com/magefile/mage@v1.17.2

.PHONY: plugin-backend plugin-test plugin-dist-check plugin-bench

plugin-backend:
	$(MAGE) -v build:linux build:linuxARM64

# Unit tests of the plugin's packages, then the gRPC harness: the plugin
# built with mage, started as Grafana starts it, queried against the
# exporter, a real Prometheus and ClickHouse.
plugin-test:
	$(GO) test $(GOTESTFLAGS) ./pkg/models/... ./pkg/frames/... ./pkg/plugin/... ./test/plugin/...

# The plugin-validator stand-in on the built dist/ (the frontend must be
# built too: npm run build).
plugin-dist-check: plugin-backend
	$(GO) test -count=1 ./test/dist/...

# QueryData latency through gRPC, cold and cached (docs/performance.md).
# BENCH_UNITS sets the generated data's size (units; ~10 events each).
BENCH_UNITS ?= 100000
plugin-bench:
	LIFTGATE_BENCH_UNITS=$(BENCH_UNITS) LIFTGATE_PLUGIN_BUILD=go $(GO) test -run '^$$' -bench . -benchtime 5x -timeout 60m ./test/plugin/
