# liftgate_exporter build and test targets. The top-level Makefile includes
# this file; it also works alone: make -f exporter/exporter.mk bin/liftgate_exporter
GO      ?= go
BIN     ?= bin
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
EXPORTER_REVISION := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
EXPORTER_BRANCH   := $(shell git rev-parse --abbrev-ref HEAD 2>/dev/null || echo unknown)
# prometheus/common/version feeds --version, the build_context log line and
# liftgate_exporter_build_info.
EXPORTER_LDFLAGS := \
	-X github.com/prometheus/common/version.Version=$(VERSION) \
	-X github.com/prometheus/common/version.Revision=$(EXPORTER_REVISION) \
	-X github.com/prometheus/common/version.Branch=$(EXPORTER_BRANCH) \
	-X github.com/prometheus/common/version.BuildDate=$(shell date -u +%Y%m%d-%H:%M:%S)

.PHONY: exporter test-exporter exporter-e2e-deps exporter-landing-screenshot bench-exporter

exporter: $(BIN)/liftgate_exporter

# cgo is needed: the embedded DuckDB store is linked in.
$(BIN)/liftgate_exporter: FORCE
	@mkdir -p $(BIN)
	CGO_ENABLED=1 $(GO) build -ldflags '$(EXPORTER_LDFLAGS)' -o $@ ./exporter

# The browser test's Node dependencies (playwright-core; the browser is
# Debian's chromium, nothing is downloaded).
exporter-e2e-deps:
	cd exporter/e2e && npm ci --no-audit --no-fund

# Unit, end-to-end (real Prometheus, ClickHouse, chromium) and fault tests.
test-exporter: exporter-e2e-deps
	$(GO) test -p 2 -timeout 20m ./exporter/... ./pkg/exporterclient

# Regenerates the README's screenshot of the landing page.
exporter-landing-screenshot: exporter-e2e-deps
	$(GO) test -count=1 -run TestLandingPageInHeadlessChromium ./exporter -args -landing.screenshot=$(CURDIR)/docs/img/exporter-landing.png

# docs/performance.md, "Exporter".
bench-exporter:
	$(GO) test ./exporter/server -run '^$$' -bench 'IngestDurable|Metrics100' -benchtime=30x -count=4
	$(GO) test ./exporter/collector -run '^$$' -bench Scrape100 -benchtime=100x
	$(GO) test ./exporter/collector -run '^$$' -bench OutcomesScrape -benchtime=20x -benchmem -count=2

FORCE:
