#!/usr/bin/env bash
# Installs what the telemetry tests need on Debian: the prometheus server and
# promtool (both in Debian's prometheus package). The tests start Prometheus
# themselves as a plain process on a loopback port, with a temporary data
# directory backfilled by promtool; no service is enabled. Idempotent: a
# machine that already has both does nothing.
#
# Debian 12 ships Prometheus 2.42; liftgate's queries are written for it and
# work with newer servers (and with Mimir, Thanos and VictoriaMetrics).
set -euo pipefail

if [ -x /usr/bin/prometheus ] && [ -x /usr/bin/promtool ]; then
  echo "install-prometheus: prometheus already installed"
  exit 0
fi

sudo=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-prometheus: run as root or install sudo" >&2; exit 1; }
  sudo=sudo
fi

export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
# No recommends: node-exporter and friends are not needed for the tests.
$sudo apt-get install -y -q --no-install-recommends prometheus

for bin in /usr/bin/prometheus /usr/bin/promtool; do
  test -x "$bin" || { echo "install-prometheus: $bin missing after install" >&2; exit 1; }
done
echo "install-prometheus: installed $(dpkg-query -W -f='${Version}' prometheus)"
