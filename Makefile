# Worker Desk — developer commands. `make run` and `make test` are the quick start.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install demo lint bench package clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Worker Desk needs Python 3.11 ($(PYTHON) not found; set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

## Open the app on the demo workspace (created on first run in the default data folder).
run: $(STAMP)
	$(BIN)/workerdesk --demo

## Run every test (unit, integration, GUI offscreen, end-to-end, import contracts).
test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/lint-imports

## Print the benchmark ratios measured in one run.
bench: $(STAMP)
	$(BIN)/python -m tests.benchmarks.run_all

## Build the standalone application folder under dist/.
package: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[package]'
	$(BIN)/python packaging/build.py

clean:
	rm -rf $(VENV) build dist .pytest_cache
