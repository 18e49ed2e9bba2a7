# iaobs — `make help` lists the targets.
# `make report` and `make test` work on a fresh clone: they create .venv, install the locked
# dependencies and the package, and (on Debian, as root) the system packages the project needs.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
LAB_STAMP := $(VENV)/.installed-lab
STUDY ?= .
PYTEST_ARGS ?=

# Debian packages: Pango for WeasyPrint (PDF), fonts; for the tests poppler (PDF checks), Chromium
# (browser tests) and R with the survey package (parity of every published figure).
DEB_RUNTIME := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-open-sans fonts-dejavu-core shared-mime-info
DEB_TEST := poppler-utils chromium r-base-core r-cran-survey r-cran-mass

export PIP_DISABLE_PIP_VERSION_CHECK := 1
export MPLBACKEND := Agg

## help: list the targets
.PHONY: help
help:
	@grep -hE '^## ' $(MAKEFILE_LIST) | sed -e 's/^## //' | awk -F': ' '{printf "  \033[1m%-10s\033[0m %s\n", $$1, $$2}'

$(STAMP): requirements.lock requirements-build.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "iaobs needs Python 3.11 or later (set PYTHON=python3.11)")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements-build.lock 2> >(grep -v "is ignored: it is neither" >&2)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock 2> >(grep -v "is ignored: it is neither" >&2)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e . 2> >(grep -v "is ignored: it is neither" >&2)
	@touch $@

# The development tools (pytest, ruff, mypy, playwright…) go only where tests and lint run.
$(DEV_STAMP): $(STAMP) requirements-dev.lock
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements-dev.lock 2> >(grep -v "is ignored: it is neither" >&2)
	@touch $@

## venv: create .venv with the locked dependencies and the package (done by the other targets)
.PHONY: venv
venv: $(STAMP)

## system: install the Debian packages the project needs (only when root on Debian; else checks)
.PHONY: system system-test
system:
	@bash scripts/system-packages.sh $(DEB_RUNTIME)
system-test:
	@bash scripts/system-packages.sh $(DEB_RUNTIME) $(DEB_TEST)

## report: the main job on the study in STUDY (default: the sample study of data/raw)
.PHONY: report
report: $(STAMP) system
	$(BIN)/iaobs run $(STUDY)

## test: run the test suite
.PHONY: test
test: $(DEV_STAMP) system-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## lint: ruff (lint and format check) and mypy on the package
.PHONY: lint
lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

## format: format the code with ruff
.PHONY: format
format: $(DEV_STAMP)
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

## bench: run every benchmark of bench/ and write docs/performance.md
.PHONY: bench
bench: $(DEV_STAMP) system
	$(BIN)/python bench/run_all.py

## sample: regenerate the synthetic sample study in data/raw (deterministic)
.PHONY: sample
sample: $(STAMP)
	$(BIN)/iaobs sample --output .

## lab: JupyterLab with jupytext, to edit the report templates of src/iaobs/notebooks/ as notebooks
.PHONY: lab
lab: $(DEV_STAMP) system
	@test -f $(LAB_STAMP) || { $(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements-lab.lock && touch $(LAB_STAMP); }
	$(BIN)/jupyter lab --notebook-dir=src/iaobs/notebooks

## lock: regenerate the lock files from pyproject.toml (needs uv)
.PHONY: lock
lock:
	echo 'setuptools>=77' | uv pip compile - --generate-hashes --python-version 3.11 -o requirements-build.lock
	uv pip compile pyproject.toml --generate-hashes --python-version 3.11 --python-platform x86_64-manylinux_2_28 -o requirements.lock
	uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 --python-platform x86_64-manylinux_2_28 -o requirements-dev.lock
	uv pip compile pyproject.toml --extra dev --extra lab --generate-hashes --python-version 3.11 --python-platform x86_64-manylinux_2_28 -o requirements-lab.lock

## clean: delete processed data and reports (everything `make report` rebuilds)
.PHONY: clean
clean:
	rm -rf data/processed/* reports/* .iaobs-cache
	@touch data/processed/.gitkeep reports/.gitkeep
