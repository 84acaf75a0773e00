#!/usr/bin/env bash
# Installs what pkg/events/postgres's tests need on Debian: the PostgreSQL
# server binaries (initdb, postgres) and the postgres system user, which the
# Debian package creates. Tests start their own throw-away servers on
# loopback ports, so no cluster or service is wanted. Idempotent: a machine
# that already has both is left alone.
set -euo pipefail

have_server() {
  for d in /usr/lib/postgresql/*/bin; do
    if [ -x "$d/initdb" ] && [ -x "$d/postgres" ]; then
      return 0
    fi
  done
  return 1
}

if have_server && getent passwd postgres >/dev/null; then
  echo "install-postgres: server binaries and postgres user present; nothing to do"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-postgres: run as root (apt-get install postgresql)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# Keep the package from starting a system cluster during installation: a
# policy-rc.d that denies service starts is the Debian way (containers
# usually ship one; add a temporary one when there is none).
policy=/usr/sbin/policy-rc.d
added_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  added_policy=1
fi
cleanup() { if [ "$added_policy" = 1 ]; then rm -f "$policy"; fi; }
trap cleanup EXIT

apt-get update -q
apt-get install -y -q --no-install-recommends postgresql

if ! have_server; then
  echo "install-postgres: postgresql installed but no /usr/lib/postgresql/*/bin/initdb found" >&2
  exit 1
fi
ls -d /usr/lib/postgresql/*/bin
