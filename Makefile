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

.PHONY: install assets chromium java postgres-tools faketime lint docs suite test test-profile test-fast test-dates coverage demo demo-refresh bench clean

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

# PostgreSQL's programs: pg_dump and pg_restore for `joinedup backup` and `restore`, and the
# server's own (initdb, pg_ctl) for the fault test's private cluster.
postgres-tools:
	@command -v pg_dump >/dev/null 2>&1 && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  echo "Installing Debian's PostgreSQL programs for backups and the fault test"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql postgresql-client >/dev/null; }

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache --no-logo

# The generated parts of docs/ (cli.md from --help, security.md's role tables, metrics.md's
# metric sections): their tests compare them with the code, and write them when asked.
DOC_TESTS := tests/unit/test_cli_docs.py tests/unit/test_capability_docs.py tests/unit/test_metrics_docs.py
docs: $(STAMP)
	JOINEDUP_WRITE_DOCS=1 $(PYTEST) -p no:xdist -q $(DOC_TESTS)

# The suite runs on both cores (pytest-xdist, a database per worker; tests that share a costly
# set-up stay on one worker, tests/suite_layout.py). Every test runs on PostgreSQL, the
# production database, when JOINEDUP_TEST_POSTGRES_URL is set (.ci/run sets it), and those
# whose outcome depends on the database (marked both_databases) on SQLite too; without
# PostgreSQL every test runs on SQLite.
WORKERS ?= 2
PYTEST_PARALLEL := $(PYTEST) -n $(WORKERS) --dist loadgroup --no-loadscope-reorder
TEST_DEPS := $(STAMP) $(ASSETS) chromium java postgres-tools
PYTEST_ARGS ?=

suite: $(TEST_DEPS)
	@if [ -n "$$JOINEDUP_TEST_POSTGRES_URL" ]; then \
	  echo "PostgreSQL ($$JOINEDUP_TEST_POSTGRES_URL): every test"; \
	  JOINEDUP_DATABASE_URL="$$JOINEDUP_TEST_POSTGRES_URL" $(PYTEST_PARALLEL) $(PYTEST_ARGS) && \
	  echo "SQLite: the tests marked both_databases" && \
	  $(PYTEST_PARALLEL) -m both_databases $(PYTEST_ARGS); \
	else \
	  echo "JOINEDUP_TEST_POSTGRES_URL is not set: every test on SQLite"; \
	  $(PYTEST_PARALLEL) $(PYTEST_ARGS); \
	fi

test: lint suite

# The same run, then the 30 slowest tests and the time per directory and per marker.
test-profile: PYTEST_ARGS = --durations=30 --suite-profile
test-profile: suite

# The contributor's loop: unit, spec on DuckDB and integration on SQLite, no browser or Spark.
FAST := not browser and not spark and not slow
test-fast: $(STAMP) $(ASSETS)
	JOINEDUP_DATABASE_URL= $(PYTEST_PARALLEL) -m "$(FAST)"

# The fast suite under libfaketime from moments that break code which reads the clock
# carelessly (UTC): a leap day; New Year's Eve and a summer night, each crossing midnight
# during the run (in summer London's date changes an hour before UTC's); just after
# midnight UTC; British Summer Time starting mid-run; five years ahead. On SQLite, whose
# clock is this process's: PostgreSQL's server keeps the real time.
DATES := "2028-02-29 12:00:00" "2026-12-31 23:58:00" "2027-07-01 23:30:00" \
	"2027-07-02 00:00:30" "2027-03-28 00:58:00" "2031-12-07 09:00:00"
test-dates: $(STAMP) $(ASSETS) faketime
	@for when in $(DATES); do \
	  echo "== the fast suite from $$when UTC"; \
	  TZ=UTC JOINEDUP_DATABASE_URL= faketime -f "@$$when" $(PYTEST_PARALLEL) -q -m "$(FAST)" || exit 1; \
	done

faketime:
	@command -v faketime >/dev/null 2>&1 || { \
	  echo "Installing Debian's faketime for the dated runs"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null; }

# Branch coverage of src/joinedup over the whole run, both databases combined.
coverage: PYTEST_ARGS = --cov --cov-append --cov-report=
coverage: $(TEST_DEPS)
	$(BIN)/coverage erase
	$(MAKE) --no-print-directory suite PYTEST_ARGS="$(PYTEST_ARGS)"
	$(BIN)/coverage report --skip-covered --sort=cover | tail -25

demo: $(STAMP) $(ASSETS)
	$(BIN)/joinedup demo

# The demo city built again so its data end yesterday (a city built on an earlier day is
# served as it was, with a line saying to run this); what was done in the demo is lost.
demo-refresh: $(STAMP) $(ASSETS)
	$(BIN)/joinedup demo --refresh

bench: $(STAMP) java
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) node_modules var .pytest_cache .mypy_cache .ruff_cache .coverage .coverage.*
