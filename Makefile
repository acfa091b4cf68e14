# Everything a fresh machine needs is installed from here: Python packages from the lock
# file, NHS.UK front-end assets with npm, Debian's chromium and Java runtime with apt-get
# when missing.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ASSETS := var/static/.collected
PYTEST := $(BIN)/pytest
export DJANGO_SETTINGS_MODULE := joinedup.settings

.PHONY: install assets chromium java lint test test-sqlite test-postgres demo bench clean

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

$(ASSETS): $(STAMP) node_modules/.installed $(shell find src/joinedup -path '*/static/*' -type f 2>/dev/null)
	$(BIN)/joinedup manage collectstatic --noinput --clear --verbosity 0
	touch $@

assets: $(ASSETS)

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Spark (the metrics' second engine) runs on a Java runtime.
java:
	@command -v java >/dev/null 2>&1 || { \
	  echo "Installing Debian's Java runtime for Spark"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless >/dev/null; }

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

test-sqlite: $(STAMP) $(ASSETS) chromium java
	$(PYTEST)

# The same suite again on PostgreSQL (CI sets JOINEDUP_TEST_POSTGRES_URL); the slow
# calibration tests and the metrics engines' tests touch no database, so they run once.
test-postgres: $(STAMP) $(ASSETS) chromium java
	@if [ -n "$$JOINEDUP_TEST_POSTGRES_URL" ]; then \
	  echo "PostgreSQL: $$JOINEDUP_TEST_POSTGRES_URL"; \
	  JOINEDUP_DATABASE_URL="$$JOINEDUP_TEST_POSTGRES_URL" $(PYTEST) -m "not slow and not engines"; \
	else echo "JOINEDUP_TEST_POSTGRES_URL is not set: PostgreSQL tests skipped"; fi

test: lint test-sqlite test-postgres

demo: $(STAMP) $(ASSETS)
	$(BIN)/joinedup demo

bench: $(STAMP) java
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) node_modules var .pytest_cache .mypy_cache .ruff_cache
