# Postdeck: `make run` starts the whole app on embedded defaults (`make login`
# prints its URL and login again); `make test` runs
# lint, types and the suite (SQLite, then a throwaway PostgreSQL cluster).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run login test lint audit bench mutate clean-var

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	@$(BIN)/python -m pip install --quiet -e . --group dev
	@touch $(STAMP)

install: $(STAMP)

.env: | $(STAMP)
	@$(BIN)/python scripts/write_env.py .env

run: $(STAMP) .env
	@$(BIN)/python scripts/run.py

login: $(STAMP) .env
	@$(BIN)/python scripts/run.py login

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

test: lint
	$(BIN)/python -m scripts.run_tests

# Needs the network (the package registry's vulnerability data); not part of `test`.
audit: $(STAMP)
	$(BIN)/python scripts/audit.py
	$(BIN)/bandit -q -c pyproject.toml -r config cms media_library tiktok_integration scripts

# Every benchmark at its small size; the scale benchmark's full size (10,000
# accounts, 100,000 posts a day) with: make bench BENCH_ARGS="scale --full"
bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

# Mutation testing of the core rules ([tool.mutmut] in pyproject.toml); slow, so
# not part of `test`. Two workers, for small machines; the survivors are listed.
mutate: $(STAMP)
	$(BIN)/mutmut run --max-children 2
	$(BIN)/python scripts/mutation_summary.py
	$(BIN)/mutmut results

clean-var:
	rm -rf var
