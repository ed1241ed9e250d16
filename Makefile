# The two commands that matter: `make run` and `make test`. `make help` lists the rest.
SHELL := /bin/bash
.DEFAULT_GOAL := help
UV_VERSION := 0.13.8
BOOTSTRAP := .data/bootstrap
UV := $(shell command -v uv 2>/dev/null || echo $(BOOTSTRAP)/bin/uv)
PYTHON := .venv/bin/python
ROLES ?= operator
SUBJECT ?= local-developer
DEPARTMENTS ?=

.PHONY: help install run test lint format token prepare benchmark clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(BOOTSTRAP)/bin/uv:
	@python3 -m venv $(BOOTSTRAP)
	@$(BOOTSTRAP)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Bytecode is compiled once here, for the locked packages and for ours: the command line
# then starts in a fraction of the time, even where Python is told not to write bytecode.
install: $(if $(shell command -v uv 2>/dev/null),,$(BOOTSTRAP)/bin/uv) ## Build the locked environment in .venv (safe to repeat)
	@$(UV) sync --locked --quiet --compile-bytecode
	@$(PYTHON) -m compileall -q libs services deploy >/dev/null

run: install ## Start PostgreSQL, NATS and the four services (Ctrl-C stops them)
	@$(PYTHON) -m devstack run

test: install ## Lint, type-check and run every test against real PostgreSQL and NATS
	@$(UV) run --locked --quiet ruff check .
	@$(UV) run --locked --quiet ruff format --check .
	@$(UV) run --locked --quiet mypy libs/common/src deploy/local/src services/membership/src services/sortition/src services/deliberation/src services/responses/src
	@$(PYTHON) -m pytest -q

lint: install ## ruff and mypy only
	@$(UV) run --locked --quiet ruff check .
	@$(UV) run --locked --quiet ruff format --check .
	@$(UV) run --locked --quiet mypy libs/common/src deploy/local/src services/membership/src services/sortition/src services/deliberation/src services/responses/src

format: install ## Format and fix what ruff can
	@$(UV) run --locked --quiet ruff format .
	@$(UV) run --locked --quiet ruff check --fix .

token: install ## Print a bearer token: make -s token ROLES=member SUBJECT=<respondent id> [DEPARTMENTS=A,B]
	@$(PYTHON) -m common.auth --roles "$(ROLES)" --subject "$(SUBJECT)" --departments "$(DEPARTMENTS)"

prepare: install ## Create schemas and roles and migrate (against DATABASE_URL or the embedded server)
	@$(PYTHON) -m devstack prepare

benchmark: install ## Sortition benchmark against sortition-algorithms (installed apart, in .data/bench)
	@$(PYTHON) benchmarks/sortition/run.py

clean: ## Remove the environment and local data (.venv, .data)
	rm -rf .venv .data
