#!/usr/bin/env bash
# The SQLite and PostgreSQL suites side by side (a CI machine has two cores): each writes its
# own log, both logs are shown when both are done, and the run fails if either suite fails.
set -uo pipefail
cd "$(dirname "$0")/.."
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
.venv/bin/pytest --db=sqlite -p no:cacheprovider >"$logs/sqlite.log" 2>&1 &
sqlite=$!
FLOTILLA_TEST_DATABASE_URL="${FLOTILLA_TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/postgres}" \
  .venv/bin/pytest --db=postgresql -p no:cacheprovider >"$logs/postgresql.log" 2>&1 &
postgresql=$!
wait "$sqlite"; sqlite_status=$?
wait "$postgresql"; postgresql_status=$?
for suite in sqlite postgresql; do
  status_var="${suite}_status"
  echo "=== pytest on $suite (exit ${!status_var}) ==="
  if [ "${!status_var}" -eq 0 ]; then tail -n 3 "$logs/$suite.log"; else cat "$logs/$suite.log"; fi
done
[ "$sqlite_status" -eq 0 ] && [ "$postgresql_status" -eq 0 ]
