#!/usr/bin/env bash
# Local services for tests and CI.
#
#   scripts/services.sh [up]                   make PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379)
#                                              reachable: start the installed servers, or install them
#                                              from Debian's packages first
#   scripts/services.sh browser                install Debian's Chromium for the explorer's browser test
#                                              when it is missing (best effort: the test skips without it)
#   scripts/services.sh with-scratch-db CMD…   run CMD with DATABASE_URL pointing at a new, empty
#                                              database, dropped afterwards (CMD's exit code is kept)
#
# TEST_ADMIN_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres) is the
# superuser connection the scratch databases are made with, as in the tests.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ADMIN_URL="${TEST_ADMIN_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"

log() { printf '[services] %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"; else
    log "need root for: $*"
    return 1
  fi
}

pg_up() { command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; }
redis_up() { command -v redis-cli >/dev/null 2>&1 && [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; }

wait_for() { # name, check function
  local _
  for _ in $(seq 1 60); do
    if "$2"; then return 0; fi
    sleep 0.5
  done
  log "$1 did not become reachable"
  return 1
}

install_packages() {
  log "installing from Debian's packages: $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

start_postgres() {
  local installed_now=0
  if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
    install_packages postgresql
    installed_now=1
  fi
  local version
  version="$(find /etc/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -1)"
  if [ "$installed_now" = 1 ]; then
    # A throwaway CI machine: the tests connect as postgres over TCP without a password,
    # as on the prepared machines (trust on loopback only).
    local hba="/etc/postgresql/$version/main/pg_hba.conf"
    as_root sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$hba"
  fi
  log "starting PostgreSQL $version"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  wait_for PostgreSQL pg_up
}

start_redis() {
  if ! command -v redis-server >/dev/null 2>&1; then install_packages redis-server; fi
  log "starting Redis"
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_for Redis redis_up
}

up() {
  if pg_up; then log "PostgreSQL is reachable"; else start_postgres; fi
  if redis_up; then log "Redis is reachable"; else start_redis; fi
}

# Creates/drops a database through the admin URL with node-postgres (no psql needed).
admin_sql() { # statement
  (cd "$ROOT" && node -e '
    const { Client } = require("pg");
    const c = new Client({ connectionString: process.argv[1] });
    c.connect()
      .then(() => c.query(process.argv[2]))
      .then(() => c.end(), (e) => { console.error(e.message); process.exit(1); });
  ' "$ADMIN_URL" "$1")
}

with_scratch_db() {
  [ $# -gt 0 ] || { log "usage: $0 with-scratch-db COMMAND…"; return 2; }
  local name="pillar_scratch_$$_${RANDOM}"
  local url
  url="$(node -e 'const u = new URL(process.argv[1]); u.pathname = "/" + process.argv[2]; console.log(u.toString())' "$ADMIN_URL" "$name")"
  admin_sql "create database \"$name\""
  local rc=0
  DATABASE_URL="$url" "$@" || rc=$?
  admin_sql "drop database if exists \"$name\" with (force)" || log "could not drop $name"
  return "$rc"
}

browser() {
  if [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then log "Chromium is installed"; return 0; fi
  install_packages chromium || log "could not install Chromium: the explorer's browser test will be skipped"
  return 0
}

case "${1:-up}" in
  up) up ;;
  browser) browser ;;
  with-scratch-db) shift; with_scratch_db "$@" ;;
  *) log "usage: $0 [up | browser | with-scratch-db COMMAND…]"; exit 2 ;;
esac
