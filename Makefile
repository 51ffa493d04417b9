# Policybound. `make run` and `make test` do all the set-up they need on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

export PYTHONPATH := $(CURDIR)/lambdas:$(CURDIR)
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint typecheck unit integration e2e clean

$(STAMP): requirements.txt lambdas/requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

## Run Policybound locally: API and sample site on http://127.0.0.1:3000, moto on :5000.
run: $(STAMP)
	$(PY) -m local

## Every gate: lint, types, unit, integration and end-to-end tests.
test: $(STAMP) lint typecheck
	$(PY) -m pytest

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: $(STAMP)
	$(PY) -m mypy

unit: $(STAMP)
	$(PY) -m pytest tests/unit

integration: $(STAMP)
	$(PY) -m pytest tests/integration

e2e: $(STAMP)
	$(PY) -m pytest tests/e2e

clean:
	rm -rf $(VENV) cdk.out node_modules .pytest_cache .mypy_cache .ruff_cache test-artifacts
