# samenspel — `make help` lists the targets. Paths live here and nowhere else.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SAMENSPEL := $(BIN)/samenspel
INSTALLED := $(VENV)/.installed

INSTRUMENT := instrument/samenspel.yaml
AREAS := instrument/areas.yaml
DEMO := data/demo
STORE := data/samenspel.duckdb
RESULTS := results
SITE := site
SEED ?= 2026

.DEFAULT_GOAL := help
.PHONY: help install reports test lint format clean ingest bench-ingest

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(INSTALLED) ## create .venv and install samenspel with its dependencies

$(DEMO)/simulation.json: $(INSTALLED) $(INSTRUMENT) $(AREAS) pipeline/simulate.py
	$(SAMENSPEL) simulate --out $(DEMO) --seed $(SEED)

$(STORE): $(DEMO)/simulation.json pipeline/ingest.py pipeline/readers.py pipeline/store.py pipeline/quality.py
	rm -rf $(STORE) $(STORE).raw
	$(SAMENSPEL) ingest $(DEMO)/kobo_2025.csv --wave 2025 --store $(STORE)
	$(SAMENSPEL) ingest $(DEMO)/kobo_2026.csv --wave 2026 --store $(STORE)

$(RESULTS)/index.csv: $(STORE) pipeline/index.py pipeline/score.py pipeline/methodology.yaml
	$(SAMENSPEL) analyse --store $(STORE) --out $(RESULTS)

$(SITE)/index.html: $(RESULTS)/index.csv $(wildcard reports/*.py reports/templates/*)
	$(SAMENSPEL) report --results $(RESULTS) --out $(SITE)

reports: $(SITE)/index.html ## simulate the demo, ingest it, compute the index, write site/index.html

# Ingest one export into the store: make ingest FILE=exports/wave3.sav WAVE=2027
ingest: $(INSTALLED) ## ingest FILE=<export> WAVE=<id> into the store (CSV, XLSX, SPSS .sav)
	@test -n "$(FILE)" && test -n "$(WAVE)" || { echo "usage: make ingest FILE=path/to/export WAVE=2027"; exit 2; }
	$(SAMENSPEL) ingest $(FILE) --wave $(WAVE) --store $(STORE)
	$(SAMENSPEL) status --store $(STORE)

bench-ingest: $(INSTALLED) ## time and peak memory of ingesting a national export (1.2 M rows)
	$(BIN)/python benchmarks/bench_ingest.py

test: $(INSTALLED) ## run the test suite
	$(BIN)/pytest -q

lint: $(INSTALLED) ## check style with ruff
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(INSTALLED) ## format the code with ruff
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

clean: ## remove generated data, results and reports (keeps .venv)
	rm -rf data results site
