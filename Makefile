# AgentGate: the targets a newcomer expects. Every target creates the virtual environment if needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
PYTEST_ARGS ?=

.PHONY: venv dev test unit integration infra-test e2e lint format synth bench load openapi openapi-check clean

venv: $(STAMP)

$(STAMP): pyproject.toml layers/dependencies/requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## make dev: the whole stack on this machine (moto, gateway, pollers, timers, Step Functions, portal)
dev: $(STAMP)
	$(BIN)/python -m infra.local

## make test: every suite (unit, integration, infra, e2e)
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile $(PYTEST_ARGS) tests

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit $(PYTEST_ARGS)

integration: $(STAMP)
	$(BIN)/python -m pytest tests/integration $(PYTEST_ARGS)

infra-test: $(STAMP)
	$(BIN)/python -m pytest tests/infra $(PYTEST_ARGS)

e2e: $(STAMP)
	$(BIN)/python -m pytest tests/e2e $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## make synth: CloudFormation templates in cdk.out/ (no Docker, no AWS account needed)
synth: $(STAMP)
	$(BIN)/python infra/app.py

## make bench: cold-start and throughput figures, printed with their ratios
bench: $(STAMP)
	$(BIN)/python -m tests.load.bench

## make load: the locust scenarios with thresholds (p95 < 500 ms, errors < 1 %), non-zero exit on a breach.
## Without URL a fresh local stack; make load URL=https://... USERS=50 DURATION=300 (AGENTGATE_ADMIN_KEY set)
URL ?=
USERS ?=
DURATION ?=
load: $(STAMP)
	URL="$(URL)" USERS="$(USERS)" DURATION="$(DURATION)" $(BIN)/python -m tests.load.run

## make openapi: regenerate docs/openapi.json from the routes table and the models
openapi: $(STAMP)
	$(BIN)/python -m agentgate.openapi_cli docs/openapi.json

clean:
	rm -rf cdk.out .build
