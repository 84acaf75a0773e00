#!/usr/bin/env bash
# Installs what the ClickHouse event-store tests need on Debian: the
# clickhouse-server binary (the tests start their own server as a plain
# process on a free loopback port; they do not use the packaged service) and
# clickhouse-client for manual checks. Idempotent: a machine that already has
# both does nothing.
#
# Debian 12 ships ClickHouse 18.16.1, the version the tests run against.
set -euo pipefail

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
if installed clickhouse-server && installed clickhouse-client && [ -x /usr/sbin/clickhouse-server ]; then
  echo "install-clickhouse: clickhouse-server $(dpkg-query -W -f='${Version}' clickhouse-server) already installed"
  exit 0
fi

sudo=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-clickhouse: run as root or install sudo" >&2; exit 1; }
  sudo=sudo
fi

export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends clickhouse-server clickhouse-client

test -x /usr/sbin/clickhouse-server || { echo "install-clickhouse: /usr/sbin/clickhouse-server missing after install" >&2; exit 1; }
echo "install-clickhouse: installed $(dpkg-query -W -f='${Version}' clickhouse-server)"
