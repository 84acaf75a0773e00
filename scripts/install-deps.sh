#!/usr/bin/env bash
# Installs every system package the tests start or call, in one apt run, and
# only what is missing (a warm machine skips apt entirely):
#   prometheus, promtool          telemetry tests, the exporter e2e, rules tests, the demo
#   prometheus-alertmanager       amtool checks of the Alertmanager configuration
#   clickhouse-server/-client     the ClickHouse event source's tests (Debian's 18.16)
#   postgresql                    the PostgreSQL event source's tests (Debian's 15)
#   chromium                      the exporter's landing page test (headless)
#   build-essential               cgo for the embedded DuckDB store
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
need=()
for pkg in build-essential git make prometheus prometheus-alertmanager clickhouse-server clickhouse-client postgresql chromium nodejs; do
  installed "$pkg" || need+=("$pkg")
done
# nodejs may come from another repository on some images; npm alone suffices.
if command -v node >/dev/null && command -v npm >/dev/null; then
  need=("${need[@]/nodejs}")
fi
need=($(printf '%s\n' "${need[@]}" | grep -v '^$' || true))
if [ "${#need[@]}" -eq 0 ]; then
  echo "install-deps: nothing to install"
  exit 0
fi
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
echo "install-deps: installing ${need[*]}"
"${sudo[@]}" apt-get update -q
# No recommends: they would pull in (and try to start) node-exporter and friends.
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${need[@]}"
