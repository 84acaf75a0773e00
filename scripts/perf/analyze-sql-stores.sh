#!/usr/bin/env bash
# Measures `liftgate analyze --store` on ClickHouse and PostgreSQL against
# the bare per-arm aggregation query typed into each database's own client
# (the SQL equivalent of scripts/perf/rawquery), and ClickHouse again at ten
# times the events. Results go to docs/performance.md ("ClickHouse and
# PostgreSQL") by hand.
#
# Usage: scripts/perf/analyze-sql-stores.sh [UNITS] [SESSIONS] [WORKDIR]
#   UNITS=1000000 SESSIONS=5.5 gives ~9.75M events (the default).
# Environment:
#   SCALE=10       ClickHouse copies of the events for the large run (100M
#                  events at the defaults); 0 skips it.
#   RUNS=3         runs of each measurement; RUNS_LARGE (default RUNS) for
#                  the large ClickHouse run.
#   CH_PORT=29123 PG_PORT=25433   loopback ports of the throw-away servers.
#
# The servers are started the way internal/testserver starts them for the
# tests: plain processes on 127.0.0.1 with their data under WORKDIR, stopped
# by their own PID (ClickHouse) or data directory (PostgreSQL, pg_ctl) at
# exit. Needs clickhouse-server/-client (scripts/install-clickhouse.sh),
# PostgreSQL (scripts/install-postgres.sh) and GNU time; run as root or as a
# user that may run PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/../.."
units=${1:-1000000}
sessions=${2:-5.5}
work=${3:-/tmp/liftgate-perf-sql}
scale=${SCALE:-10}
runs=${RUNS:-3}
runs_large=${RUNS_LARGE:-$runs}
ch_port=${CH_PORT:-29123}
pg_port=${PG_PORT:-25433}
at=2026-11-04T00:00:00Z
plan=examples/checkout-v2.yaml

for port in "$ch_port" "$pg_port"; do
  if ss -ltn | awk '{print $4}' | grep -q ":$port\$"; then
    echo "port $port is in use; set CH_PORT/PG_PORT" >&2
    exit 1
  fi
done
# Binaries of this run, apart from the repository's bin/ (which other
# builds overwrite).
bin="$work/bin"
mkdir -p "$bin"
go build -o "$bin/liftgate" ./cmd/liftgate
go build -o "$bin/generate" ./examples/generate

note() { echo "== $* (load average $(cut -d' ' -f1-3 /proc/loadavg))"; }
note "machine: $(nproc) cores, $(free -g | awk '/^Mem:/{print $2}') GiB RAM, $(. /etc/os-release && echo "$PRETTY_NAME"), disk free $(df -h --output=avail "$work" | tail -1 | tr -d ' ')"

# ---------------------------------------------------------------- servers
ch_pid=
pg_data="$work/pg/data"
as_pg=()
if [ "$(id -u)" = 0 ]; then
  as_pg=(setpriv --reuid=postgres --regid=postgres --init-groups)
fi
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
stop_servers() {
  if [ -n "$ch_pid" ]; then
    kill "$ch_pid" 2>/dev/null || true
    wait "$ch_pid" 2>/dev/null || true
  fi
  if [ -f "$pg_data/postmaster.pid" ]; then
    "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_data" -m fast stop >/dev/null || true
  fi
}
trap stop_servers EXIT

start_clickhouse() {
  local dir="$work/ch"
  mkdir -p "$dir"/{data,tmp,log,user_files,format_schemas}
  cat > "$dir/config.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$dir/log/server.log</log><errorlog>$dir/log/error.log</errorlog><console>0</console></logger>
  <listen_host>127.0.0.1</listen_host>
  <tcp_port>$ch_port</tcp_port>
  <path>$dir/data/</path>
  <tmp_path>$dir/tmp/</tmp_path>
  <user_files_path>$dir/user_files/</user_files_path>
  <format_schema_path>$dir/format_schemas/</format_schema_path>
  <users_config>$dir/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>1073741824</mark_cache_size>
  <query_log><database>system</database><table>query_log</table><flush_interval_milliseconds>1000</flush_interval_milliseconds></query_log>
</yandex>
EOF
  cat > "$dir/users.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <profiles><default>
    <max_memory_usage>12000000000</max_memory_usage>
    <log_queries>1</log_queries>
  </default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
EOF
  /usr/sbin/clickhouse-server --config-file="$dir/config.xml" > "$dir/log/console.log" 2>&1 &
  ch_pid=$!
  for _ in $(seq 300); do
    clickhouse-client --port "$ch_port" --query 'SELECT 1' >/dev/null 2>&1 && break
    sleep 0.2
  done
  note "clickhouse $(clickhouse-client --port "$ch_port" --query 'SELECT version()') on 127.0.0.1:$ch_port, pid $ch_pid"
}

pg_password=
start_postgres() {
  mkdir -p "$work/pg"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$work/pg"; fi
  if [ ! -d "$pg_data" ]; then
    printf 'perf-%s\n' "$(date +%s%N)" > "$work/pg/pwfile"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$work/pg/pwfile"; fi
    "${as_pg[@]}" "$pg_bin/initdb" -D "$pg_data" -U liftgate --pwfile="$work/pg/pwfile" \
      --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C --no-sync >/dev/null
  fi
  # Durability off as in the tests (a throw-away server); memory sized for
  # a 24 GiB machine. work_mem for the analysis comes from the store file.
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_data" -l "$work/pg/server.log" -w -o \
    "-p $pg_port -k $work/pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=2GB -c max_wal_size=8GB" \
    start >/dev/null
  pg_password=$(cat "$work/pg/pwfile")
  export PGPASSWORD=$pg_password
  psql -X -q -h 127.0.0.1 -p "$pg_port" -U liftgate -d postgres -c 'CREATE DATABASE liftgate' 2>/dev/null || true
  note "postgres $(psql -X -At -h 127.0.0.1 -p "$pg_port" -U liftgate -d liftgate -c 'SHOW server_version') on 127.0.0.1:$pg_port"
}

start_clickhouse
start_postgres

cat > "$work/clickhouse.yaml" <<EOF
type: clickhouse
clickhouse:
  addr: 127.0.0.1:$ch_port
  database: default
  query_timeout: 30m
  mapping: liftgate
EOF
cat > "$work/postgres.yaml" <<EOF
type: postgres
postgres:
  addr: 127.0.0.1:$pg_port
  database: liftgate
  user: liftgate
  password: "$pg_password"
  tls: {mode: disable}
  query_timeout: 30m
  settings: {work_mem: 256MB}
  mapping: liftgate
EOF
chq() { clickhouse-client --port "$ch_port" "$@"; }
pgq() { psql -X -q -h 127.0.0.1 -p "$pg_port" -U liftgate -d liftgate "$@"; }

# ------------------------------------------------------------------- data
# Whole seconds: ClickHouse 18.16 keeps DateTime (seconds) only.
data="$work/events-$units.ndjson"
if [ "$(chq --query 'EXISTS TABLE events')" != 1 ] || [ "$(pgq -At -c "SELECT to_regclass('events') IS NOT NULL")" != t ]; then
  if [ ! -f "$data" ]; then
    "$bin/generate" -units "$units" -sessions "$sessions" -lift 0.2 -error-lift 0.4 -whole-seconds -out "$data"
  fi
  note "events: $(wc -l < "$data") lines, $(du -h "$data" | cut -f1)"
  if [ "$(chq --query 'EXISTS TABLE events')" != 1 ]; then
    note "import into clickhouse"
    /usr/bin/time -f 'import clickhouse: %e s wall, %M KiB peak RSS' \
      "$bin/liftgate" import --store "$work/clickhouse.yaml" --batch-size 100000 "$data" | tail -1
    chq --query 'OPTIMIZE TABLE events FINAL'
  fi
  if [ "$(pgq -At -c "SELECT to_regclass('events') IS NOT NULL")" != t ]; then
    note "import into postgres"
    /usr/bin/time -f 'import postgres: %e s wall, %M KiB peak RSS' \
      "$bin/liftgate" import --store "$work/postgres.yaml" --batch-size 100000 "$data" | tail -1
    pgq -c 'VACUUM ANALYZE events'
  fi
fi
note "stored: clickhouse $(chq --query 'SELECT count() FROM events') events, $(chq --query "SELECT formatReadableSize(sum(bytes_on_disk)) FROM system.parts WHERE active AND table = 'events'"); postgres $(pgq -At -c 'SELECT count(*) FROM events') events, $(pgq -At -c "SELECT pg_size_pretty(pg_total_relation_size('events'))")"

# -------------------------------------------------------------- bare query
# First exposure per unit, a 72h conversion per unit, then units and
# conversions per arm: what scripts/perf/rawquery runs in DuckDB.
ch_bare() {
  cat <<EOF
SELECT arm, count() AS units, sum(converted) AS conversions
FROM (
  SELECT unit_id, any(arm) AS arm, max(ts >= t0 AND ts < t0 + 259200) AS converted
  FROM (
    SELECT unit_id, min(ts) AS t0, argMin(visitParamExtractString(properties, 'variation_id'), ts) AS arm
    FROM $1
    WHERE event = 'experiment_viewed' AND visitParamExtractString(properties, 'experiment_id') = 'checkout-v2'
    GROUP BY unit_id
  )
  ALL LEFT JOIN (SELECT unit_id, ts FROM $1 WHERE event = 'purchase') USING unit_id
  GROUP BY unit_id
)
GROUP BY arm ORDER BY arm
EOF
}
pg_bare="
WITH first AS (
  SELECT DISTINCT ON (unit_id) unit_id, ts AS t0, properties->>'variation_id' AS arm
  FROM events
  WHERE event = 'experiment_viewed' AND properties->>'experiment_id' = 'checkout-v2'
  ORDER BY unit_id, ts
),
per_unit AS (
  SELECT f.arm, f.unit_id, (count(e.unit_id) > 0)::int AS converted
  FROM first f LEFT JOIN events e
    ON e.unit_id = f.unit_id AND e.event = 'purchase' AND e.ts >= f.t0 AND e.ts < f.t0 + interval '72 hours'
  GROUP BY f.arm, f.unit_id
)
SELECT arm, count(*) AS units, sum(converted) AS conversions FROM per_unit GROUP BY arm ORDER BY arm"

# ch_since returns the server's clock after a pause, so that every query
# finishing later is logged with a later second than anything before.
ch_since() {
  local t
  t=$(chq --query 'SELECT toString(now())')
  sleep 1.1
  echo "$t"
}

# ch_memory prints the time and peak memory of the ClickHouse queries that
# finished after the given time (the server's own accounting, from
# system.query_log), leaving out the catalogue reads liftgate does at Open.
ch_memory() {
  chq --query 'SYSTEM FLUSH LOGS'
  chq --query "SELECT concat('  server side: ', toString(count()), ' queries, ', toString(round(sum(query_duration_ms) / 1000, 2)), ' s, peak ', formatReadableSize(max(memory_usage))) FROM system.query_log WHERE type = 2 AND event_time > toDateTime('$1') AND query NOT LIKE '%system.%' AND query NOT LIKE 'SYSTEM %' AND query NOT LIKE 'SELECT version()%'"
}

measure_analyze() { # LABEL STOREFILE RUNS
  for _ in $(seq "$3"); do
    local since
    since=$(ch_since)
    note "analyze $1"
    /usr/bin/time -f "analyze $1 (whole command): %e s wall, %M KiB peak RSS" \
      "$bin/liftgate" analyze --plan "$plan" --store "$2" --at "$at" --timings > /dev/null 2> "$work/timings.txt" || echo "  FAILED (the message follows)"
    sed 's/^timing: /  /' "$work/timings.txt"
    case "$1" in clickhouse*) ch_memory "$since" ;; esac
  done
}

measure_ch_bare() { # TABLE RUNS
  for _ in $(seq "$2"); do
    local since
    since=$(ch_since)
    note "bare query clickhouse-client ($1)"
    /usr/bin/time -f 'clickhouse-client (whole program): %e s wall, %M KiB peak RSS' clickhouse-client --port "$ch_port" --time --query "$(ch_bare "$1")"
    ch_memory "$since"
  done
}

measure_pg_bare() { # RUNS
  for _ in $(seq "$1"); do
    note "bare query psql"
    /usr/bin/time -f 'psql (whole program): %e s wall, %M KiB peak RSS' \
      psql -X -q -h 127.0.0.1 -p "$pg_port" -U liftgate -d liftgate -c "SET work_mem = '256MB'" -c '\timing on' -c "$pg_bare"
  done
}

measure_analyze "clickhouse" "$work/clickhouse.yaml" "$runs"
measure_ch_bare events "$runs"
measure_analyze "postgres" "$work/postgres.yaml" "$runs"
measure_pg_bare "$runs"

# ------------------------------------------------- ClickHouse, ten times
# The large table is built inside ClickHouse from the loaded one: SCALE
# copies with distinct unit and event ids (SCALE times the units, same
# distribution), so it needs no file and no import.
if [ "$scale" -gt 0 ]; then
  big=events_x$scale
  if [ "$(chq --query "EXISTS TABLE $big")" = 1 ] &&
    [ "$(chq --query "SELECT (SELECT count() FROM $big) = $scale * (SELECT count() FROM events)")" != 1 ]; then
    chq --query "DROP TABLE $big" # an interrupted build
  fi
  if [ "$(chq --query "EXISTS TABLE $big")" != 1 ]; then
    chq --query "CREATE TABLE $big AS events"
    note "building $big"
    /usr/bin/time -f "insert-select x$scale: %e s wall" clickhouse-client --port "$ch_port" --query "
      INSERT INTO $big SELECT concat(id, '-', toString(k)), event, concat(unit_id, '-', toString(k)), ts, properties
      FROM events ARRAY JOIN range($scale) AS k"
    chq --query "OPTIMIZE TABLE $big FINAL"
  fi
  note "stored: $big $(chq --query "SELECT count() FROM $big") events, $(chq --query "SELECT formatReadableSize(sum(bytes_on_disk)) FROM system.parts WHERE active AND table = '$big'"), disk free $(df -h --output=avail "$work" | tail -1 | tr -d ' ')"
  cat > "$work/clickhouse-$big.yaml" <<EOF
type: clickhouse
clickhouse:
  addr: 127.0.0.1:$ch_port
  database: default
  query_timeout: 60m
  mapping:
    table: $big
    columns: {id: id, event: event, unit: unit_id, time: ts, properties: properties}
EOF
  measure_analyze "clickhouse-$big" "$work/clickhouse-$big.yaml" "$runs_large"
  measure_ch_bare "$big" "$runs_large"
fi
note "done"
