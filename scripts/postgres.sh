#!/usr/bin/env bash
# Prints a PostgreSQL URL for the tests: the server on 127.0.0.1:5432 when
# one answers (database "test", created if missing), otherwise a private
# server started in a temporary directory on a free port. Its data
# directory is printed on stderr; stop it with scripts/postgres.sh stop DIR.
set -euo pipefail

if [ "${1:-}" = stop ]; then
  dir=$2
  pg_ctl=$(ls /usr/lib/postgresql/*/bin/pg_ctl | sort -V | tail -n1)
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$pg_ctl" -D "$dir" -m fast stop >/dev/null 2>&1 || true
  else "$pg_ctl" -D "$dir" -m fast stop >/dev/null 2>&1 || true; fi
  exit 0
fi

try() { command -v psql >/dev/null && psql "$1" -Atqc 'select 1' >/dev/null 2>&1; }

for user in postgres root "$(id -un)"; do
  base="postgres://$user@127.0.0.1:${OPENVOD_PG_PROBE_PORT:-5432}"
  if try "$base/postgres?sslmode=disable"; then
    psql "$base/postgres?sslmode=disable" -Atqc "select 1 from pg_database where datname='test'" | grep -q 1 ||
      psql "$base/postgres?sslmode=disable" -qc 'create database test' >/dev/null
    echo "$base/test?sslmode=disable"
    exit 0
  fi
done

bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n1)")
dir=$(mktemp -d /tmp/openvod-pg.XXXXXX)
port=
for _ in 1 2 3 4 5 6 7 8; do
  p=$((20000 + RANDOM % 40000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
done
[ -n "$port" ] || { echo "no free port for PostgreSQL" >&2; exit 1; }
run() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$dir"
run "$bin/initdb" -D "$dir/data" -A trust -U postgres >/dev/null
run "$bin/pg_ctl" -D "$dir/data" -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" -l "$dir/log" -w start >/dev/null
psql "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable" -qc 'create database test' >/dev/null
echo "started PostgreSQL in $dir/data on port $port" >&2
echo "postgres://postgres@127.0.0.1:$port/test?sslmode=disable"
echo "$dir/data" > "${PG_DIR_FILE:-/dev/null}"
