#!/usr/bin/env bash
# Start a local PostgreSQL (Debian package) for the integration tests and create the test database.
# Prints the export line for TIERDESK_TEST_POSTGRES_URL. Idempotent: safe to run twice.
set -euo pipefail
# Only the export line goes to stdout (the caller evals it); everything else to stderr.
exec 3>&1 1>&2
ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | grep -q "^$ver main"; then
  pg_createcluster "$ver" main >/dev/null
fi
pg_ctlcluster "$ver" main start 2>/dev/null || true
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 && break
  sleep 0.5
done
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='tierdesk'\"" | grep -q 1 \
  || su postgres -c "psql -qc \"CREATE ROLE tierdesk LOGIN CREATEDB PASSWORD 'tierdesk'\""
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='tierdesk_test'\"" | grep -q 1 \
  || su postgres -c "createdb -O tierdesk tierdesk_test"
echo >&3 "export TIERDESK_TEST_POSTGRES_URL=postgresql+psycopg://tierdesk:tierdesk@127.0.0.1:5432/tierdesk_test"
