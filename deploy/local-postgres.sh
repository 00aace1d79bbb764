#!/usr/bin/env bash
# Starts a local PostgreSQL for manual runs of HueGrains and prints the connection string to use.
#   deploy/local-postgres.sh            start (data in $HUE_PGDATA, default /tmp/huegrains-pg; port $HUE_PGPORT, default 5432)
#   deploy/local-postgres.sh stop       stop it
# Needs initdb/pg_ctl (Debian: apt-get install postgresql). As root, the server runs as the postgres user.
set -euo pipefail
data="${HUE_PGDATA:-/tmp/huegrains-pg}"
port="${HUE_PGPORT:-5432}"

bin=""
if ! command -v initdb >/dev/null 2>&1; then
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)/"
  [ -x "${bin}initdb" ] || { echo "PostgreSQL binaries not found: apt-get install postgresql" >&2; exit 1; }
fi
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

if [ "${1:-start}" = stop ]; then
  as_owner "${bin}pg_ctl" -D "$data" stop -m fast
  exit 0
fi

if [ ! -f "$data/PG_VERSION" ]; then
  mkdir -p "$data"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$data"
  as_owner "${bin}initdb" -D "$data" -U hue --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
fi
if ! as_owner "${bin}pg_ctl" -D "$data" status >/dev/null 2>&1; then
  as_owner "${bin}pg_ctl" -D "$data" -l "$data/server.log" -w \
    -o "-p $port -k $data -c listen_addresses=127.0.0.1" start >/dev/null
fi
as_owner "${bin}psql" -h 127.0.0.1 -p "$port" -U hue -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'hue'" | grep -q 1 \
  || as_owner "${bin}createdb" -h 127.0.0.1 -p "$port" -U hue hue
echo "PostgreSQL is running. Use:"
echo "  export ConnectionStrings__Hue='Host=127.0.0.1;Port=$port;Database=hue;Username=hue'"
