#!/usr/bin/env bash
# Start a local PostgreSQL (Debian package) for the integration tests and create the test database
# (xdist workers create theirs from it, tierdesk_test_gw0 and so on, so the role may CREATEDB).
# Idempotent: safe to run twice. The caller sets TIERDESK_TEST_POSTGRES_URL (see .ci/run).
#
# Run it as a plain command, never inside "$(...)": the server daemon inherits the shell's open file
# descriptors, and a command substitution waits until every holder of its pipe has closed it, i.e.
# forever. That hang cost a whole CI run once; the server is therefore started with stdin, stdout and
# stderr pointed away from the caller.
set -euo pipefail
ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | grep -q "^$ver main"; then
  pg_createcluster "$ver" main >/dev/null
fi
pg_ctlcluster "$ver" main start </dev/null >/dev/null 2>&1 || true
for _ in $(seq 1 60); do
  pg_isready -q -h 127.0.0.1 && break
  sleep 0.5
done
pg_isready -h 127.0.0.1 >&2
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='tierdesk'\"" | grep -q 1 \
  || su postgres -c "psql -qc \"CREATE ROLE tierdesk LOGIN CREATEDB PASSWORD 'tierdesk'\""
# Under pytest-xdist each worker creates its own database (tierdesk_test_gw0, ...: tests/conftest.py)
# as this role: a role made before that needs CREATEDB too.
su postgres -c "psql -qc \"ALTER ROLE tierdesk CREATEDB\""
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='tierdesk_test'\"" | grep -q 1 \
  || su postgres -c "createdb -O tierdesk tierdesk_test"
