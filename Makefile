# Worker Desk — developer commands. `make run` and `make test` are the quick start.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
APP_STAMP := $(VENV)/.installed-app
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test install demo lint bench stress package clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Worker Desk needs Python 3.11 ($(PYTHON) not found; set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(APP_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $(APP_STAMP)

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(TEST_STAMP) $(APP_STAMP)

install: $(APP_STAMP)

## Open the app on the demo workspace (created on first run in an empty data folder).
run: $(APP_STAMP)
	$(BIN)/workerdesk --demo

## Run every test (unit, integration, GUI offscreen, end-to-end, import contracts).
test: $(TEST_STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

## Import contracts, and the domain's types (mypy, settings in pyproject.toml).
lint: $(TEST_STAMP)
	$(BIN)/lint-imports
	$(BIN)/mypy

## Print the benchmark ratios measured in one run.
bench: $(TEST_STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m tests.benchmarks.run_all

## Kill CLI processes at random moments (1,000 kill points) and check nothing is lost (not part of `make test`).
stress: $(TEST_STAMP)
	$(BIN)/python -m tests.stress.run --kills $${KILLS:-1000}

## Build the standalone application folder under dist/.
package: $(TEST_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[package]'
	$(BIN)/python packaging/build.py

clean:
	rm -rf $(VENV) build dist .pytest_cache
