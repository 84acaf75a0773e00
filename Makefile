# liftgate build and test entry points. `make demo` runs the main job on the
# embedded store; `make test` runs every test the project has (CI calls it).
GO        ?= go
BIN       := bin
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X main.version=$(VERSION)
FUZZTIME  ?= 5s
# Two cores: keep package-level parallelism modest so DuckDB and the
# simulations do not starve each other.
GOTESTFLAGS ?= -p 2 -timeout 20m

.PHONY: all build test test-go test-deps vet fuzz-brief boundaries demo example example-data bench clean

all: build

include exporter/exporter.mk frontend.mk demo.mk plugin.mk

build: $(BIN)/liftgate $(BIN)/liftgate_exporter

$(BIN)/liftgate: FORCE
	@mkdir -p $(BIN)
	$(GO) build -ldflags '$(LDFLAGS)' -o $@ ./cmd/liftgate

FORCE:

vet:
	$(GO) vet ./...

test-go:
	$(GO) test $(GOTESTFLAGS) ./...

# Every fuzz target runs briefly on top of its seed corpus (which `go test`
# already ran); a crash fails the build and leaves the input in testdata/fuzz.
fuzz-brief:
	FUZZTIME=$(FUZZTIME) ./scripts/fuzz-brief.sh

boundaries:
	./scripts/check-boundaries.sh

# Node dependencies the tests need: the frontend's, and playwright-core for
# the exporter's landing-page test in Debian's chromium.
test-deps: frontend-install exporter-e2e-deps bundle-tools

# Order matters: webpack empties dist/, so the frontend is built before the
# plugin backend, and both before the Go tests that check dist/.
test: test-deps vet boundaries frontend-test plugin-backend test-go check-bundle fuzz-brief

# The command-line example: load the committed example events
# into DuckDB and analyze the example plan. `make example-data` regenerates
# the events with the committed generator (deterministic: same bytes).
EXAMPLE_FLAGS := -units 40000 -lift 0.2 -error-lift 0.4
EXAMPLE_DB    := examples/data/checkout-v2.duckdb

example: build
	$(BIN)/liftgate validate examples/checkout-v2.yaml
	rm -f $(EXAMPLE_DB) $(EXAMPLE_DB).wal
	$(BIN)/liftgate import --db $(EXAMPLE_DB) examples/data/checkout-v2.ndjson.gz
	$(BIN)/liftgate analyze --plan examples/checkout-v2.yaml --db $(EXAMPLE_DB) --at 2026-11-04T00:00:00Z

example-data:
	$(GO) run ./examples/generate $(EXAMPLE_FLAGS) -out examples/data/checkout-v2.ndjson.gz

# The demo: the exporter with its embedded store and a real Prometheus with
# the shipped rules, a simulated staged rollout with a regression injected,
# caught and rolled back (see docs/demo.md).
demo: demo-full

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./pkg/...

clean:
	rm -rf $(BIN) examples/data/*.duckdb examples/data/*.wal
