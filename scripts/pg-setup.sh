#!/usr/bin/env bash
# Starts the local PostgreSQL (Debian's cluster; no systemd on the build
# machines) and creates the role and database the central server's tests
# use. Idempotent; run as root. Prints the URL on its last line, for
# COMPTOIR_TEST_PG_URL (the role may create one database per test).
#
#   export COMPTOIR_TEST_PG_URL="$(sudo scripts/pg-setup.sh | tail -1)"
#   cargo test -p comptoir-server
set -euo pipefail
ROLE=comptoir_test
PASS=comptoir_test

if [[ $(id -u) -ne 0 ]]; then
  echo "pg-setup.sh must run as root (it starts the cluster as the postgres user)." >&2
  exit 1
fi
if ! command -v pg_lsclusters >/dev/null 2>&1; then
  echo "PostgreSQL is not installed: scripts/deps.sh --test installs it." >&2
  exit 1
fi

read -r VER NAME PORT STATUS _ < <(pg_lsclusters --no-header | head -1)
if [[ -z "${VER:-}" ]]; then
  echo "no PostgreSQL cluster: create one with pg_createcluster" >&2
  exit 1
fi
if [[ "$STATUS" != online* ]]; then
  # The server outlives this script: it must not keep the caller's open
  # files (a lock a test runner holds, a pipe a CI log reads) open with it.
  (
    for fd in /proc/"$BASHPID"/fd/*; do
      fd="${fd##*/}"
      if [[ "$fd" -gt 2 ]]; then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    exec pg_ctlcluster "$VER" "$NAME" start
  ) >&2
fi
for _ in $(seq 1 50); do
  su postgres -c "pg_isready -q -p $PORT" && break
  sleep 0.2
done
psql_pg() { su postgres -c "psql -p $PORT -qtAX -v ON_ERROR_STOP=1 -c \"$1\""; }
if [[ "$(psql_pg "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" != 1 ]]; then
  psql_pg "CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASS'" >&2
fi
if [[ "$(psql_pg "SELECT 1 FROM pg_database WHERE datname = '$ROLE'")" != 1 ]]; then
  psql_pg "CREATE DATABASE $ROLE OWNER $ROLE" >&2
fi
# Databases left by earlier test runs (one per test, named comptoir_t_…).
for db in $(psql_pg "SELECT datname FROM pg_database WHERE datname LIKE 'comptoir\_t\_%'"); do
  psql_pg "DROP DATABASE IF EXISTS $db" >&2
done
echo "postgres://$ROLE:$PASS@127.0.0.1:$PORT/$ROLE"
