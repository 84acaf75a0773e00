# The bundle's checks and the demo (rules/, dashboards/, provisioning/,
# demo/). Included by the Makefile; `make demo` is the lead's choice.
#   make demo-full     the demo: a rollout with a regression, caught and rolled back (~3 min)
#   make demo-aa       the same rollout without the regression: nothing fires
#   make demo-test     the demo's test, shortened, both runs (~3 min)
#   make check-bundle  promtool and amtool over rules/ and provisioning/
GO ?= go
DEMO_FLAGS ?=

.PHONY: demo-full demo-aa demo-test check-bundle bundle-tools

demo-full:
	./demo/run.sh $(DEMO_FLAGS)

demo-aa:
	./demo/run.sh -aa $(DEMO_FLAGS)

demo-test: bundle-tools
	$(GO) test -count=1 -timeout 15m -run TestDemo -v ./test/demo/

check-bundle: bundle-tools
	./scripts/check-bundle.sh

bundle-tools:
	./scripts/install-bundle-tools.sh
