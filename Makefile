# AgentGate: the targets a newcomer expects. Every target creates the virtual environment if needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
PYTEST_ARGS ?=

.PHONY: venv dev test unit integration infra-test e2e lint format synth bench openapi openapi-check clean prices portal portal-test load

venv: $(STAMP)

$(STAMP): pyproject.toml layers/dependencies/requirements.txt sdk/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]' -e ./sdk
	touch $(STAMP)

## make portal: build portal/dist when its sources (or the API contract) changed
PORTAL_SOURCES := $(filter-out portal/src/api/schema.d.ts,$(shell find portal/src -type f 2>/dev/null)) \
	portal/index.html portal/vite.config.ts portal/tsconfig.json portal/package.json docs/openapi.json
NODE_STAMP := portal/node_modules/.installed

$(NODE_STAMP): portal/package.json portal/package-lock.json
	npm --prefix portal ci --no-audit --no-fund
	touch $(NODE_STAMP)

portal/dist/index.html: $(NODE_STAMP) $(PORTAL_SOURCES)
	npm --prefix portal run build

portal: portal/dist/index.html

## make portal-test: the portal's unit and component tests (Vitest)
portal-test: $(NODE_STAMP)
	npm --prefix portal test

## make dev: the whole stack on this machine (moto, gateway, pollers, timers, Step Functions, portal)
dev: $(STAMP) portal
	$(BIN)/python -m infra.local

## make test: every suite (portal, unit, integration, infra, e2e with the browser tests)
test: $(STAMP) portal portal-test
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
synth: $(STAMP) portal
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

## make prices: rebuild the shipped price table from pricing/ (the vendored map + curated entries).
## With FILE=<a downloaded model_prices_and_context_window.json> VERSION=<its LiteLLM release>
## [EFFECTIVE=YYYY-MM-DD] the map is refreshed first, superseded prices kept, and the changes printed.
prices: $(STAMP)
	$(BIN)/python pricing/build_prices.py $(if $(FILE),--refresh $(FILE) --version $(VERSION) --effective-from $(or $(EFFECTIVE),$(shell date -u +%F)))
	git diff --stat -- pricing layers/domain/python/agentgate/data/prices.json

clean:
	rm -rf cdk.out .build portal/dist
