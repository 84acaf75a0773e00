#!/usr/bin/env bash
# Architecture boundaries worth a test:
#  - pkg/stats imports nothing from the project (pure functions);
#  - nothing under pkg/ imports exporter/ or cmd/;
#  - packages the Grafana plugin uses build without cgo and never reach DuckDB.
set -euo pipefail
cd "$(dirname "$0")/.."
mod=$(go list -m)
fail=0

# -deps lists the package itself too; anything else from the module is a leak.
if go list -deps ./pkg/stats | grep "^$mod/" | grep -qv "^$mod/pkg/stats$"; then
  echo "boundary: pkg/stats imports project packages:"; go list -deps ./pkg/stats | grep "^$mod/" | grep -v "^$mod/pkg/stats$"; fail=1
fi

for p in $(go list ./pkg/...); do
  if go list -deps "$p" | grep -qE "^$mod/(exporter|cmd)(/|$)"; then
    echo "boundary: $p imports exporter/ or cmd/"; fail=1
  fi
done

# Every pkg/ package except the DuckDB store must build without cgo and must
# not link the DuckDB driver: the plugin binary is built with CGO_ENABLED=0.
nocgo=$(go list ./pkg/... | grep -v "/pkg/events/duckdb" || true)
if [ -n "$nocgo" ]; then
  CGO_ENABLED=0 go build $nocgo || { echo "boundary: pkg/ does not build without cgo"; fail=1; }
  for p in $nocgo; do
    if CGO_ENABLED=0 go list -deps "$p" | grep -q "duckdb"; then
      echo "boundary: $p reaches DuckDB"; fail=1
    fi
  done
fi

[ "$fail" = 0 ] && echo "boundaries: ok"
exit "$fail"
