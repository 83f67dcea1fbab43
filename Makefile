# make demo | make test | make test-unit | make bench | make airflow | make lint
# Each target creates .venv (pinned by constraints.txt) when missing or stale.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: demo test test-unit bench airflow lint constraints clean

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed (Airflow 3.3 providers): make PYTHON=python3.11 ...")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/nomasx1 demo

# the whole suite: lint (ruff, import contracts, mypy), then unit, integration and DAG tests
test: lint
	$(BIN)/pytest $(PYTEST_ARGS)

# the unit tests alone: no database, no Airflow metadata database, seconds
test-unit: $(STAMP)
	$(BIN)/pytest tests/unit $(PYTEST_ARGS)

# the anchors (dag-factory, dlt) only in the benchmark's environment: dag-factory registers an
# Airflow plugin that would otherwise load in every test and demo run
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test,bench]"
	$(BIN)/python bench/parse.py
	$(BIN)/python bench/sync.py
	$(BIN)/python bench/security.py --anchor
	$(BIN)/python bench/sod.py
	$(BIN)/python bench/license.py
	$(BIN)/python bench/license_position.py
	$(BIN)/python bench/ldap.py

# Airflow standalone on the demo's databases and connections (after `make demo`); another bundle or
# tenants file: make airflow BUNDLE=/path/to/bundle TENANTS=/path/to/tenants.yaml (see the script)
airflow: $(STAMP)
	BUNDLE="$(BUNDLE)" TENANTS="$(TENANTS)" ./scripts/airflow-standalone.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# Re-pin after changing dependencies: resolves from the package index, writes constraints.txt.
constraints:
	rm -rf .venv-pin && $(PYTHON) -m venv .venv-pin
	.venv-pin/bin/python -m pip install --quiet --upgrade pip
	.venv-pin/bin/python -m pip install --quiet -e ".[test,bench]"
	.venv-pin/bin/python -m pip freeze --exclude-editable | grep -v '^-e' > constraints.txt
	rm -rf .venv-pin

clean:
	rm -rf $(VENV) .demo .pytest_cache
