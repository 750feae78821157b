#!/usr/bin/env bash
# Browser tests (or screenshots with SCREENSHOTS=1) against the real backend on a
# temporary SQLite database seeded with the demo group.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
export FLOTILLA_DATABASE_URL="sqlite:///$work/e2e.db"
export FLOTILLA_DEMO_PASSWORD="flotilla-demo"
export FLOTILLA_ARGON2_TIME_COST=1 FLOTILLA_ARGON2_MEMORY_KIB=8192
.venv/bin/flotilla db upgrade >/dev/null
.venv/bin/flotilla demo >/dev/null
.venv/bin/flotilla serve --port "$port" >"$work/server.log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
export FLOTILLA_BASE_URL="http://127.0.0.1:$port"
export CHROMIUM_PATH="${CHROMIUM_PATH:-$(command -v chromium || echo /usr/bin/chromium)}"
cd web
if [ "${SCREENSHOTS:-}" = "1" ]; then
  npm run --silent screenshots
else
  # E2E_ONLY=e2e/<file>.test.mjs runs one file while working on it.
  if [ -n "${E2E_ONLY:-}" ]; then
    node --test --test-concurrency=1 $E2E_ONLY || { echo "--- server log ---"; tail -50 "$work/server.log"; exit 1; }
  else
    npm run --silent e2e || { echo "--- server log ---"; tail -50 "$work/server.log"; exit 1; }
  fi
fi
