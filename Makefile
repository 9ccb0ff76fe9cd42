# samenspel — `make help` lists the targets. Paths live here and nowhere else.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SAMENSPEL := $(BIN)/samenspel
INSTALLED := $(VENV)/.installed

INSTRUMENT := instrument/samenspel.yaml
AREAS := instrument/areas.yaml
METHODOLOGY := pipeline/methodology.yaml
# The demo names the built-in files: outside a project no command takes them by itself.
BUILT_IN := --instrument $(INSTRUMENT) --areas $(AREAS)
# Everything the demo makes lives under demo/ and nowhere else: no target for one's own data
# writes there, and the demo's targets delete only what `samenspel clean` recognises as the
# demo's own (output folders it wrote whole, a store of simulated data only).
DEMO ?= demo
DEMO_EXPORTS := $(DEMO)/exports
DEMO_STORE := $(DEMO)/samenspel.duckdb
RESULTS := $(DEMO)/results
SITE := $(DEMO)/site
SEED ?= 2026
# Extra options of the demo's steps, e.g. ANALYSE_FLAGS="--replicates 200" for a quicker run.
SIMULATE_FLAGS ?=
ANALYSE_FLAGS ?=
REPORT_FLAGS ?=

.DEFAULT_GOAL := help
FIELDWORK ?= fieldwork
.PHONY: help install lock system-deps reports fieldwork golden test lint format clean ingest analyse report bench bench-cfa bench-index bench-ingest bench-national bench-panel

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

$(DEMO_EXPORTS)/simulation.json: $(INSTALLED) $(INSTRUMENT) $(AREAS) $(wildcard pipeline/simulation/*.py)
	$(SAMENSPEL) simulate --out $(DEMO_EXPORTS) --seed $(SEED) $(BUILT_IN) $(SIMULATE_FLAGS)

# A new demo store from the simulated exports; `clean` refuses a store holding real data.
$(DEMO_STORE): $(DEMO_EXPORTS)/simulation.json $(wildcard pipeline/ingest/*.py)
	$(SAMENSPEL) clean $(DEMO_STORE)
	$(SAMENSPEL) ingest $(DEMO_EXPORTS)/kobo_2025.csv --wave 2025 --store $(DEMO_STORE) $(BUILT_IN)
	$(SAMENSPEL) ingest $(DEMO_EXPORTS)/kobo_2026.csv --wave 2026 --store $(DEMO_STORE) $(BUILT_IN)

$(RESULTS)/index.csv: $(DEMO_STORE) $(wildcard pipeline/*.py pipeline/*/*.py) $(METHODOLOGY)
	$(SAMENSPEL) analyse --store $(DEMO_STORE) --out $(RESULTS) $(BUILT_IN) \
		--methodology $(METHODOLOGY) $(ANALYSE_FLAGS)

$(SITE)/index.html: $(RESULTS)/index.csv $(AREAS) $(wildcard instrument/*.geojson reports/*.py reports/templates/*)
	$(SAMENSPEL) report --results $(RESULTS) --out $(SITE) $(BUILT_IN) \
		--methodology $(METHODOLOGY) $(REPORT_FLAGS)

reports: $(SITE)/index.html ## simulate the demo, ingest it, compute the index, write demo/site/index.html

$(FIELDWORK)/manifest.json: $(INSTALLED) $(INSTRUMENT) $(AREAS) $(wildcard instrument/*.py instrument/templates/*)
	$(SAMENSPEL) fieldwork --out $(FIELDWORK) $(BUILT_IN)

fieldwork: $(FIELDWORK)/manifest.json ## paper forms, show-cards, XLSForm, codebook, SPSS/XLSX templates in fieldwork/

golden: $(INSTALLED) ## rewrite the golden files (tests/golden/) after an intended change; review the diff
	SAMENSPEL_UPDATE_GOLDEN=1 $(BIN)/pytest -q tests/instrument -k golden

# One's own data lives in a project (`samenspel init DIR`), never under demo/:
#   make ingest FILE=exports/wave3.sav WAVE=2027 PROJECT=monitor
# (STORE=, INSTRUMENT_FILE=, AREAS_FILE= override one file of the project.)
OWN = $(if $(PROJECT),--project $(PROJECT)) $(if $(STORE),--store $(STORE)) \
	$(if $(INSTRUMENT_FILE),--instrument $(INSTRUMENT_FILE)) $(if $(AREAS_FILE),--areas $(AREAS_FILE))
define own-data-only
	@test -n "$(PROJECT)$(STORE)" || { echo "usage: make $@ PROJECT=path/to/project ..."; exit 2; }
	@case "$(abspath $(or $(STORE),$(PROJECT)))" in "$(abspath $(DEMO))"|"$(abspath $(DEMO))"/*) \
	  echo "$(or $(STORE),$(PROJECT)) is inside the demo's folder $(DEMO)/; keep your data elsewhere"; \
	  exit 2;; esac
endef

ingest: $(INSTALLED) ## ingest FILE=<export> WAVE=<id> into PROJECT=<your project> (CSV, XLSX, SPSS .sav)
	@test -n "$(FILE)" && test -n "$(WAVE)" || { \
	  echo "usage: make ingest FILE=path/to/export WAVE=2027 PROJECT=path/to/project"; exit 2; }
	$(own-data-only)
	$(SAMENSPEL) ingest $(FILE) --wave $(WAVE) $(OWN)
	$(SAMENSPEL) status $(if $(PROJECT),--project $(PROJECT)) $(if $(STORE),--store $(STORE))

analyse: $(INSTALLED) ## analyse PROJECT=<your project>: its results folder
	$(own-data-only)
	$(SAMENSPEL) analyse $(OWN)

report: $(INSTALLED) ## report PROJECT=<your project>: its site, from its results
	$(own-data-only)
	$(SAMENSPEL) report $(OWN)

bench-ingest: $(INSTALLED) ## time and peak memory of ingesting a national export (1.2 M rows)
	$(BIN)/python benchmarks/bench_ingest.py

test: $(INSTALLED) ## run the test suite
	$(BIN)/pytest -q -n auto --durations=20

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

bench-panel: $(INSTALLED) ## time analyse of 3,000 areas with a 50% panel; BASELINE=python of a checkout to compare with
	$(BIN)/python benchmarks/bench_panel.py $(if $(BASELINE),--baseline $(BASELINE))

# Only what the demo targets made, each checked by samenspel first (see DEMO above).
clean: $(INSTALLED) ## remove the demo's data, results and report and the fieldwork folder (keeps .venv)
	$(SAMENSPEL) clean $(SITE) $(RESULTS) $(DEMO_STORE) $(DEMO_EXPORTS) $(FIELDWORK)
	@rmdir $(DEMO) 2>/dev/null || true
