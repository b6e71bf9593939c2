# Two commands: `make run` serves the API on SQLite with demo data; `make test` runs the whole suite.
# `make reliability-report` runs it again, recording the figures the tests measure, into
# docs/reliability-report.md.
PYTHON ?= python3
VENV := .venv
TOOLS := .tools
UV := $(TOOLS)/bin/uv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint types pytest clean chromium screenshots

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==0.13.8

$(BIN)/caseworks: $(UV) pyproject.toml uv.lock
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --locked --quiet
	@touch $@

install: $(BIN)/caseworks

run: install
	$(BIN)/caseworks demo
	$(BIN)/caseworks serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

types: install
	$(BIN)/mypy

# The real-browser tests drive Debian's Chromium (never a downloaded one): installed here when
# missing and we are root; otherwise those tests skip loudly, or fail under CI=true.
CHROMIUM := /usr/bin/chromium
chromium:
	@if [ -x $(CHROMIUM) ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	else echo "*** $(CHROMIUM) is missing and we are not root: real-browser tests will NOT RUN" \
		"(apt-get install chromium) ***"; fi

pytest: install chromium
	$(BIN)/pytest

# The browser tests again, writing a screenshot of every page they visit into docs/screenshots/.
screenshots: install chromium
	CASEWORKS_SCREENSHOTS=$(abspath docs/screenshots) $(BIN)/pytest -q tests/console/browser

test: lint types pytest

clean:
	rm -rf $(VENV) $(TOOLS) .mypy_cache .pytest_cache .ruff_cache

# The suite with its figures recorded (not part of `make test`, which never reads them), PostgreSQL
# required (CI=true: its tests fail rather than skip), rendered as a dated report of that commit.
.PHONY: reliability-report
FIGURES := .reliability-figures.jsonl
RELIABILITY_TESTS ?= tests
reliability-report: install
	rm -f $(FIGURES)
	CI=true CASEWORKS_FIGURES=$(abspath $(FIGURES)) $(BIN)/pytest -q $(RELIABILITY_TESTS)
	$(BIN)/python -m tests.support.reliability_report $(FIGURES) docs/reliability-report.md \
		--ran "-q $(RELIABILITY_TESTS)"

# Benchmarks (not part of `make test`): need wrk (apt-get install wrk) and taskset.
.PHONY: openapi-snapshot
# After a deliberate change to an endpoint: record the OpenAPI document the tests compare with.
openapi-snapshot: install
	CASEWORKS_UPDATE_SNAPSHOT=1 $(BIN)/pytest -q tests/web/test_openapi_snapshot.py

.PHONY: fuzz
fuzz: install
	rm -f $(FIGURES)
	CASEWORKS_FIGURES=$(abspath $(FIGURES)) CASEWORKS_FUZZ_EXAMPLES=$${CASEWORKS_FUZZ_EXAMPLES:-100} \
		$(BIN)/pytest -q tests/web/test_openapi_fuzz.py
	$(BIN)/python -m tests.support.reliability_report $(FIGURES) - --ran "tests/web/test_openapi_fuzz.py"

.PHONY: bench bench-quick bench-sqlite
bench: install
	$(BIN)/python -m bench.run --database postgresql

bench-quick: install
	$(BIN)/python -m bench.run --database postgresql --quick

bench-sqlite: install
	$(BIN)/python -m bench.run --database sqlite
