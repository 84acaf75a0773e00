#!/usr/bin/env bash
# Runs every Go fuzz target in the module for FUZZTIME (default 5s) each.
set -euo pipefail
fuzztime="${FUZZTIME:-5s}"
cd "$(dirname "$0")/.."
count=0
for pkg in $(go list ./...); do
  for target in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
    echo "fuzz: $pkg $target ($fuzztime)"
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg" >/tmp/liftgate-fuzz.log 2>&1 || {
      cat /tmp/liftgate-fuzz.log; echo "fuzz: $pkg $target FAILED"; exit 1; }
    count=$((count + 1))
  done
done
echo "fuzz: $count targets ran for $fuzztime each"
