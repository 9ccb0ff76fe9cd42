# samenspel — `make help` lists the targets. Paths live here and nowhere else.
PYTHON ?= python3
VENV ?= .venv
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
FIELDWORK := fieldwork
.PHONY: help install lock system-deps reports fieldwork golden test lint format clean ingest bench bench-cfa bench-index bench-ingest bench-national

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

LOCK := requirements.lock
UV := uv==0.13.9

# Exactly the versions in the lock file, checked against their hashes; then samenspel itself.
$(INSTALLED): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

install: $(INSTALLED) ## create .venv and install samenspel with the locked dependencies

lock: $(INSTALLED) ## resolve the newest allowed versions into requirements.lock (review the diff)
	$(BIN)/python -m pip install --quiet $(UV)
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --generate-hashes \
		--python-version 3.11 --no-header --quiet -o $(LOCK)

DEBIAN_PACKAGES := $(shell grep -v '^\#' .ci/debian-packages.txt)
system-deps: ## install the Debian packages listed in .ci/debian-packages.txt (as root)
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages: $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

$(DEMO)/simulation.json: $(INSTALLED) $(INSTRUMENT) $(AREAS) $(wildcard pipeline/simulation/*.py)
	$(SAMENSPEL) simulate --out $(DEMO) --seed $(SEED)

$(STORE): $(DEMO)/simulation.json $(wildcard pipeline/ingest/*.py)
	rm -rf $(STORE) $(STORE).raw
	$(SAMENSPEL) ingest $(DEMO)/kobo_2025.csv --wave 2025 --store $(STORE)
	$(SAMENSPEL) ingest $(DEMO)/kobo_2026.csv --wave 2026 --store $(STORE)

$(RESULTS)/index.csv: $(STORE) $(wildcard pipeline/*.py pipeline/*/*.py) pipeline/methodology.yaml
	$(SAMENSPEL) analyse --store $(STORE) --out $(RESULTS)

$(SITE)/index.html: $(RESULTS)/index.csv $(AREAS) $(wildcard instrument/*.geojson reports/*.py reports/templates/*)
	$(SAMENSPEL) report --results $(RESULTS) --out $(SITE)

reports: $(SITE)/index.html ## simulate the demo, ingest it, compute the index, write site/index.html

$(FIELDWORK)/manifest.json: $(INSTALLED) $(INSTRUMENT) $(AREAS) $(wildcard instrument/*.py instrument/templates/*)
	rm -rf $(FIELDWORK)/paper $(FIELDWORK)/previews  # no stale forms of a removed role
	$(SAMENSPEL) fieldwork --out $(FIELDWORK) --instrument $(INSTRUMENT) --areas $(AREAS)
	mkdir -p $(FIELDWORK)/previews
	for pdf in $(FIELDWORK)/paper/*.pdf; do \
	  pdftoppm -png -r 60 -f 1 -l 1 "$$pdf" "$(FIELDWORK)/previews/$$(basename "$$pdf" .pdf)"; done

fieldwork: $(FIELDWORK)/manifest.json ## paper forms, show-cards, XLSForm, codebook, SPSS/XLSX templates in fieldwork/

golden: $(INSTALLED) ## rewrite the golden files (tests/golden/) after an intended change; review the diff
	SAMENSPEL_UPDATE_GOLDEN=1 $(BIN)/pytest -q tests/instrument -k golden

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

bench: bench-cfa bench-ingest bench-index bench-national ## run every benchmark and print its figures

bench-cfa: $(INSTALLED) ## time our full-instrument CFA on 2,000 respondents beside lavaan's (when R is installed)
	$(BIN)/python benchmarks/bench_cfa.py

bench-index: $(INSTALLED) ## time the index at national scale (3,000 areas x 5 waves, 1,000 replicates)
	$(BIN)/python benchmarks/bench_index.py

bench-national: $(INSTALLED) ## time and peak memory of every step at 300 and 3,000 areas (about 10 minutes)
	$(BIN)/python benchmarks/bench_national.py

clean: ## remove generated data, results and reports (keeps .venv)
	rm -rf data results site $(FIELDWORK)
