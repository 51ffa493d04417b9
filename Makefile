# Policybound. `make run` and `make test` do all the set-up they need on a fresh machine.
SHELL := /bin/bash
comma := ,
# The Lambda runtime's minor version (stacks/dependency_layer.py RUNTIME): tests, local mode and the
# bytecode shipped to Lambda all use it. Found as python3.13 on PATH, else among pyenv's versions.
PYTHON_VERSION := 3.13
ifndef PYTHON
PYTHON := $(shell for p in python$(PYTHON_VERSION) $${PYENV_ROOT:-$$HOME/.pyenv}/versions/$(PYTHON_VERSION)*/bin/python$(PYTHON_VERSION); do \
	$$p -c 'import sys; sys.exit(sys.version_info[:2] != ($(subst .,$(comma),$(PYTHON_VERSION))))' 2>/dev/null && { echo $$p; break; }; done)
endif
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# A venv made by another minor version is made again.
VENV_VERSION := $(shell $(PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
STALE_VENV := $(if $(VENV_VERSION),$(filter-out $(PYTHON_VERSION),$(VENV_VERSION)))
# The Lambda runtime's libraries only (requirements-runtime.txt): functions started from cdk.out run here.
RUNTIME_VENV := .venv-runtime
RUNTIME_STAMP := $(RUNTIME_VENV)/.installed

export PYTHONPATH := $(CURDIR)/lambdas:$(CURDIR)
# jsii matches this against the Node major version (a list such as "20,22"), not a boolean.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: python-found browser fuzz run test test-prerequisites lint typecheck unit integration e2e bench bench-letters bench-sweeper sweep clean synth deploy

python-found:
	@test -n "$(PYTHON)" || { echo "Python $(PYTHON_VERSION) (the Lambda runtime's version) is needed: install it (e.g. apt-get install python$(PYTHON_VERSION) or pyenv install $(PYTHON_VERSION)), or pass PYTHON=/path/to/python$(PYTHON_VERSION)." >&2; exit 1; }

# uv installs the same pinned requirements as pip, in a third of the time (seen here: 32 s against 94 s
# for requirements.txt on 2 cores). It compiles bytecode as pip does: where PYTHONDONTWRITEBYTECODE is
# set, every process would otherwise compile each module it imports. pip stays the fallback.
UV_VERSION := 0.13.9
UV := $(VENV)/bin/uv

# $(1): the interpreter to install into; $(2): the requirements file.
define install-requirements
$(UV) pip install --quiet --compile-bytecode --python $(1) -r $(2) || { echo "uv failed; installing with pip" >&2; $(1) -m pip install --quiet -r $(2); }
endef

$(STAMP): requirements.txt requirements-runtime.txt lambdas/requirements.txt $(if $(STALE_VENV),python-found)
	@$(MAKE) --no-print-directory python-found
	$(if $(STALE_VENV),rm -rf $(VENV) &&) test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet uv==$(UV_VERSION)
	$(call install-requirements,$(PY),requirements.txt)
	touch $@

# Infrastructure tools: the CDK CLI pinned in package-lock.json (./node_modules, never global) and
# checkov in its own virtualenv, because its pinned dependencies conflict with ours.
CDK := node_modules/.bin/cdk
CDK_FLAGS := --no-notices
NPM_STAMP := node_modules/.installed
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CHECKOV_STAMP): requirements-checkov.txt | $(STAMP)
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(call install-requirements,$(CHECKOV_VENV)/bin/python,requirements-checkov.txt)
	touch $@

$(RUNTIME_STAMP): requirements-runtime.txt | $(STAMP)
	$(PY) -m tools.lambda_runtime

# The browser tests drive Debian's Chromium (never a downloaded browser); Nanum fonts render Korean.
browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -d /usr/share/fonts/truetype/nanum ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-nanum; \
	  else \
	    echo "The browser tests need Debian's Chromium and Nanum fonts: run 'sudo apt-get install chromium fonts-nanum' (or make test as root)." >&2; exit 1; \
	  fi; \
	fi

## Synthesize every stack into cdk.out (ap-northeast-2; cdk-nag gates; no AWS credentials needed).
synth: $(STAMP) $(NPM_STAMP)
	$(CDK) synth --quiet $(CDK_FLAGS)

## Bootstrap and deploy every stack to ap-northeast-2 (credentials and real settings: docs/deploy.md).
deploy: $(STAMP) $(NPM_STAMP)
	$(CDK) bootstrap $(CDK_FLAGS) -c require_deployable_settings=true
	$(CDK) deploy --all $(CDK_FLAGS) -c require_deployable_settings=true --require-approval broadening

## Run Policybound locally: API and sample site on http://127.0.0.1:3000, moto on :5000.
run: $(STAMP)
	$(PY) -m local

# pytest-xdist workers for `make test` (one per core, at most 4); TEST_WORKERS=0 runs every test in one process.
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); echo $$(( n > 4 ? 4 : n )))

test-prerequisites: $(STAMP) lint typecheck $(CHECKOV_STAMP) $(RUNTIME_STAMP) browser synth

## Every gate: lint, types, unit, integration and end-to-end tests. The set-up and the static gates run
## two at a time; then the tests, spread over workers by tests/conftest.py's worker groups.
test:
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-prerequisites
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: $(STAMP)
	$(PY) -m mypy

unit: $(STAMP)
	$(PY) -m pytest tests/unit

integration: $(STAMP)
	$(PY) -m pytest tests/integration

e2e: $(STAMP) $(NPM_STAMP)
	$(PY) -m pytest tests/e2e

## A long schema fuzz of every route in local mode (make test runs a bounded one).
fuzz: $(STAMP)
	POLICYBOUND_FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-300} $(PY) -m pytest tests/e2e/test_fuzz.py

## Performance evidence: prints a Markdown table and writes bench/results.md (asset sizes need `make synth`).
bench: $(STAMP) $(RUNTIME_STAMP) synth
	$(PY) -m bench.run

## Run the real sweeper against a running `make run`, as of AS_OF (RFC 3339; default now), with a progress bar.
sweep: $(STAMP)
	$(PY) -m local.sweep $(if $(AS_OF),--as-of "$(AS_OF)")

## A letter to 2,000 subscribers in local mode; writes section (h) of bench/results.md (takes minutes).
bench-letters: $(STAMP)
	$(PY) -m bench.letters

## Items the sweeper reads per destroyed record at 10,000 and 100,000 stored records (prints; takes minutes).
bench-sweeper: $(STAMP)
	$(PY) -m bench.sweeper_reads

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) $(RUNTIME_VENV) cdk.out node_modules .pytest_cache .mypy_cache .ruff_cache test-artifacts
