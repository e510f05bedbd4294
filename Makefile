# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Two install sets: everything (tests, lab, PostgreSQL and Spark engines), and only what the demo needs.
STAMP := $(VENV)/.installed
DEMO_STAMP := $(VENV)/.installed-demo
OUT ?= outputs

.PHONY: help venv demo lab dashboard test lint typecheck unit bench clean

help:  ## list the targets
	@grep -E '^[a-z]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[pdf,lab,postgres,spark,dev]'
	touch $(STAMP) $(DEMO_STAMP)

# A fresh clone's first report should not wait for Spark, database drivers or test tools;
# `make test` later finds no $(STAMP) and installs the rest (the full set also satisfies the demo).
$(DEMO_STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[pdf]'
	touch $(DEMO_STAMP)

venv: $(STAMP)  ## create .venv and install leadkit with its dev tools

demo: $(DEMO_STAMP)  ## the three reports on the demo company: Oct-Dec 2025 and the whole year
	$(BIN)/leadkit batch params/demo.yaml --from 2025-10 --to 2025-12 --every month --out $(OUT)/demo > /dev/null
	$(BIN)/leadkit run params/demo.yaml --period 2025 --out $(OUT)/demo > /dev/null
	@echo "Demo reports: $(abspath $(OUT))/demo/index.html"

lab: $(STAMP)  ## JupyterLab on the notebooks (demo data, live filter widgets)
	cd notebooks && ../$(BIN)/jupyter lab

dashboard: $(STAMP)  ## the three reports as a live dashboard on the demo (Voilà, http://127.0.0.1:8866/)
	$(BIN)/leadkit serve params/demo.yaml

lint: $(STAMP)  ## ruff lint and format check
	$(BIN)/ruff check leadkit tests benchmarks
	$(BIN)/ruff format --check leadkit tests benchmarks

typecheck: $(STAMP)  ## mypy on the package
	$(BIN)/mypy

unit: $(STAMP)  ## the test suite
	$(BIN)/pytest -n 2 --dist loadgroup -q

test: lint typecheck unit  ## everything CI checks

bench: $(STAMP)  ## every benchmark script (about an hour); see benchmarks/RESULTS.md
	$(BIN)/python benchmarks/data.py
	$(BIN)/python benchmarks/reports.py
	$(BIN)/python benchmarks/filter_change.py
	$(BIN)/python benchmarks/excel_engines.py
	$(BIN)/python benchmarks/batch_year.py
	$(BIN)/python benchmarks/ingest.py --rows 10000000 --repeat 3
	$(BIN)/python benchmarks/many_groups.py --managers 1000 5000 20000
	$(BIN)/python benchmarks/fresh_demo.py

clean:  ## remove the environment and generated outputs
	rm -rf $(VENV) $(OUT)/* params/.leadkit-cache .pytest_cache .mypy_cache .ruff_cache
