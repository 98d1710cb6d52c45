# ivrgraph: `make run` starts the product, `make test` runs every test. Both set everything up themselves.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check lint typecheck pytest scenario-tests bench system clean

$(STAMP): pyproject.toml examples/plugins/ivrgraph-sms/pyproject.toml
	bash scripts/setup-system.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]' -e examples/plugins/ivrgraph-sms
	touch $(STAMP)

system:
	bash scripts/setup-system.sh

# The designer's targets (ui-install, ui-build, ui-test, ui-e2e, ui-check) live beside it.
-include designer_ui/ui.mk

run: $(STAMP)
	bash scripts/run.sh

test: $(STAMP)
	bash scripts/test.sh

check: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The example plugin as well, strict as the engine is (pyproject.toml): the API a plugin author types against.
typecheck: $(STAMP)
	$(BIN)/mypy graph_engine blocks schemas agi_server voice examples/plugins/ivrgraph-sms/ivrgraph_sms

pytest: $(STAMP)
	$(BIN)/pytest -q -n auto

scenario-tests: $(STAMP)
	$(BIN)/ivrgraph test examples

bench: $(STAMP)
	$(BIN)/python -m bench.validate_bench
	$(BIN)/python -m bench.engine_bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
