# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= outputs

.PHONY: help venv demo test lint typecheck unit clean

help:  ## list the targets
	@grep -E '^[a-z]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)  ## create .venv and install leadkit with its dev tools

demo: $(STAMP)  ## the three reports on the built-in demo data
	mkdir -p $(OUT)/demo
	for r in lead_conversion lost_leads employee_performance; do \
	  $(BIN)/leadkit compute params/demo.yaml --report $$r --format json > $(OUT)/demo/$$r.json.tmp && \
	  mv $(OUT)/demo/$$r.json.tmp $(OUT)/demo/$$r.json || exit 1; \
	  $(BIN)/leadkit compute params/demo.yaml --report $$r --format table; \
	done
	@echo "Demo reports written to $(abspath $(OUT))/demo/"

lint: $(STAMP)  ## ruff lint and format check
	$(BIN)/ruff check leadkit tests benchmarks
	$(BIN)/ruff format --check leadkit tests benchmarks

typecheck: $(STAMP)  ## mypy on the package
	$(BIN)/mypy

unit: $(STAMP)  ## the test suite
	$(BIN)/pytest -n 2 -q

test: lint typecheck unit  ## everything CI checks

clean:  ## remove the environment and generated outputs
	rm -rf $(VENV) $(OUT)/* .pytest_cache .mypy_cache .ruff_cache
