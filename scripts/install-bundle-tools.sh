#!/usr/bin/env bash
# Installs what scripts/check-bundle.sh and the demo run: Debian's Prometheus
# (prometheus, promtool) and Alertmanager (prometheus-alertmanager, amtool).
# Idempotent: a machine that has them skips apt entirely. Recommends are left
# out so apt does not also pull in (and try to start) the node exporter.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

need=()
{ command -v prometheus && command -v promtool; } >/dev/null 2>&1 || need+=(prometheus)
{ command -v prometheus-alertmanager && command -v amtool; } >/dev/null 2>&1 || need+=(prometheus-alertmanager)
if [ "${#need[@]}" -eq 0 ]; then
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  sudo=(sudo)
fi
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${need[@]}"
