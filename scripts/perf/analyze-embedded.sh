#!/usr/bin/env bash
# Measures `liftgate analyze` on the embedded DuckDB store at a given size
# against the bare per-arm aggregation query (scripts/perf/rawquery).
# Usage: scripts/perf/analyze-embedded.sh UNITS SESSIONS [WORKDIR]
#   UNITS=1000000 SESSIONS=5.5 gives ~10M events.
set -euo pipefail
cd "$(dirname "$0")/../.."
units=${1:-1000000}
sessions=${2:-5.5}
work=${3:-/tmp/liftgate-perf}
mkdir -p "$work" bin
go build -o bin/liftgate ./cmd/liftgate
go build -o bin/rawquery ./scripts/perf/rawquery
go build -o bin/generate ./examples/generate

data="$work/events-$units.ndjson"
db="$work/events-$units.duckdb"
if [ ! -f "$db" ]; then
  bin/generate -units "$units" -sessions "$sessions" -lift 0.2 -error-lift 0.4 -out "$data"
  echo "events: $(wc -l < "$data")"
  /usr/bin/time -f 'import: %e s wall, %M KiB peak RSS' bin/liftgate import --db "$db" --batch-size 100000 "$data" > "$work/import-$units.log"
  rm -f "$data"
fi
for i in 1 2 3; do
  /usr/bin/time -f 'analyze (whole command): %e s wall, %M KiB peak RSS' \
    bin/liftgate analyze --plan examples/checkout-v2.yaml --db "$db" --at 2026-11-04T00:00:00Z --timings > /dev/null
done
for i in 1 2 3; do
  /usr/bin/time -f 'raw query (whole program): %e s wall, %M KiB peak RSS' bin/rawquery -db "$db"
done
