# Grafana plugin frontend (src/, scaffolded by @grafana/create-plugin).
# Included by the top-level Makefile. No Grafana server can run here, so the
# scaffold's Playwright e2e tests are not part of this; the editors are
# tested with jest and Testing Library instead.
NPM ?= npm

.PHONY: frontend-install frontend-test frontend-build

# Installs exactly what package-lock.json pins.
frontend-install:
	$(NPM) ci

# Types, lint, the editors' jest tests, then the production bundle in dist/
# (module.js, plugin.json with the version filled in, README, CHANGELOG,
# LICENSE, logo).
frontend-test:
	$(NPM) run typecheck && $(NPM) run lint && $(NPM) run test:ci && $(NPM) run build

frontend-build:
	$(NPM) run build
