# Flotilla — the two commands are `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3
INSTALLED := $(VENV)/.installed
WEB_DIST := src/flotilla/web_dist/index.html
WEB_DEPS := web/node_modules/.package-lock.json
WEB_SOURCES := $(shell find web/src web/index.html web/vite.config.ts web/package.json web/tsconfig*.json -type f 2>/dev/null)
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run serve test lint typecheck migrations-check pytest pytest-sqlite pytest-postgres \
        web web-deps web-check web-test e2e screenshots openapi clean

install: $(INSTALLED)

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

web-deps: $(WEB_DEPS)

$(WEB_DEPS): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

web: $(WEB_DIST)

$(WEB_DIST): $(WEB_DEPS) $(WEB_SOURCES)
	cd web && npm run build --silent

run: install web
	$(BIN)/flotilla db upgrade
	$(BIN)/flotilla demo --if-empty
	$(BIN)/flotilla serve --host $(HOST) --port $(PORT)

serve: install
	$(BIN)/flotilla serve --host $(HOST) --port $(PORT)

openapi: install
	$(BIN)/flotilla openapi --output web/openapi.json

lint: install
	$(BIN)/ruff check src tests migrations bench
	$(BIN)/ruff format --check src tests migrations bench

typecheck: install
	$(BIN)/mypy

migrations-check: install
	@tmp=$$(mktemp -d); \
	FLOTILLA_DATABASE_URL=sqlite:///$$tmp/check.db $(BIN)/flotilla db upgrade >/dev/null && \
	FLOTILLA_DATABASE_URL=sqlite:///$$tmp/check.db $(BIN)/flotilla db check; \
	status=$$?; rm -rf $$tmp; exit $$status

pytest-sqlite: install
	$(BIN)/pytest --db=sqlite

pytest-postgres: install
	FLOTILLA_TEST_DATABASE_URL=$${FLOTILLA_TEST_DATABASE_URL:-$(PG_TEST_URL)} $(BIN)/pytest --db=postgresql

# PostgreSQL runs when CI=true or FLOTILLA_TEST_DATABASE_URL is set (side by side with SQLite);
# in CI it is required.
pytest: install
	@if [ "$${CI:-}" = "true" ] || [ -n "$${FLOTILLA_TEST_DATABASE_URL:-}" ]; then \
		FLOTILLA_TEST_DATABASE_URL=$${FLOTILLA_TEST_DATABASE_URL:-$(PG_TEST_URL)} bash scripts/pytest-both.sh; \
	else \
		$(BIN)/pytest --db=sqlite && \
		echo "PostgreSQL suite skipped (set CI=true or FLOTILLA_TEST_DATABASE_URL to run it)"; \
	fi

web-check: web-deps openapi
	cd web && npm run --silent gen:api
	@git diff --exit-code --stat -- web/openapi.json web/src/api/schema.d.ts || \
		(echo "the generated API client is stale: run 'make openapi && (cd web && npm run gen:api)' and commit" && exit 1)
	cd web && npm run --silent typecheck

web-test: web-check
	cd web && npm test --silent

e2e: install web
	bash scripts/e2e.sh

screenshots: install web
	SCREENSHOTS=1 bash scripts/e2e.sh

test: lint typecheck migrations-check pytest web-test e2e

clean:
	rm -rf $(VENV) var src/flotilla/web_dist web/node_modules .pytest_cache .mypy_cache .ruff_cache
