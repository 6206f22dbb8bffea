#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for the tests and print the variables
# that point the tests at it. Usage: eval "$(bash .ci/postgres.sh)"
set -euo pipefail
PORT="${WORKERDESK_PG_TEST_PORT:-54329}"
DIR="${WORKERDESK_PG_TEST_DIR:-/tmp/workerdesk-pg}"

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "installing the PostgreSQL server" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi
BIN="$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")"

as_pg() {
  if [ "$(id -u)" = "0" ]; then
    su postgres -s /bin/bash -c "$*"
  else
    bash -c "$*"
  fi
}

if [ "${1:-}" = "--stop" ]; then
  as_pg "'$BIN/pg_ctl' -D '$DIR/data' -m fast -w stop"
  exit 0
fi

if ! as_pg "'$BIN/pg_isready' -q -h 127.0.0.1 -p $PORT"; then
  rm -rf "$DIR"
  mkdir -p "$DIR"
  if [ "$(id -u)" = "0" ]; then chown postgres "$DIR"; fi
  as_pg "'$BIN/initdb' -D '$DIR/data' -U postgres -A trust --no-sync -E UTF8" >/dev/null
  as_pg "'$BIN/pg_ctl' -D '$DIR/data' -l '$DIR/log' -w -o \"-p $PORT -k '$DIR' -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200\" start" >/dev/null
  as_pg "'$BIN/psql' -h 127.0.0.1 -p $PORT -U postgres -qc \"CREATE ROLE workerdesk LOGIN PASSWORD 'workerdesk' CREATEDB\"" >/dev/null
  as_pg "'$BIN/psql' -h 127.0.0.1 -p $PORT -U postgres -qc \"CREATE DATABASE workerdesk OWNER workerdesk\"" >/dev/null
fi
echo "export WORKERDESK_TEST_POSTGRES='host=127.0.0.1 port=$PORT dbname=workerdesk user=workerdesk password=workerdesk'"
