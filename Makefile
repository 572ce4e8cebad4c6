# One runner for people and CI. Bootstraps its own virtualenv: needs only python3 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000
PYTEST_ARGS ?=
# `make test` runs the suite on TEST_JOBS pytest-xdist workers (2: this project's CI machine has
# 2 cores), each test file on one worker (--dist loadfile: a module's fixtures, e.g. a migrated
# PostgreSQL schema or a live server with Chromium, are built once, not once per worker).
# TEST_JOBS=0 runs it serially in one process; PYTEST_ARGS comes last and wins (-n 4, -x, -k).
TEST_JOBS ?= 2
# COV=1 (CI) measures coverage of src/tierdesk and fails under [tool.coverage.report]'s floor.
COV ?= 0
MYPY_TESTS := --disable-error-code no-any-return --disable-error-code comparison-overlap \
              --disable-error-code import-untyped --disable-error-code func-returns-value \
              --no-warn-unused-ignores

.PHONY: run test lint fmt typecheck bench docs install clean i18n-extract i18n-update i18n-compile

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/tierdesk serve --demo --host $(HOST) --port $(PORT)

# Bytecode caching on for the test run (some containers set PYTHONDONTWRITEBYTECODE=1): without it
# every process, each xdist worker and each `python -m tierdesk` a test starts, compiles tierdesk
# from source again (`tierdesk sla --help`: ~9 s instead of ~2 s on the shared 2-core box).
# __pycache__/ is in .gitignore.
test: export PYTHONDONTWRITEBYTECODE =
test: $(STAMP)
	$(BIN)/python -m pytest $(if $(filter 0,$(TEST_JOBS)),,-n $(TEST_JOBS) --dist loadfile) \
	  $(if $(filter 1,$(COV)),--cov --cov-report=term,) $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	@# Tests import their helpers by name (pytest puts each test directory on sys.path): one
	@# mypy run per directory, so the conftest.py of each is its own module. Strict like src,
	@# but a test may compare across types on purpose and return what a client library gave.
	@set -e; for d in $$(find tests -name '*.py' -not -path '*/vendor/*' -printf '%h\n' | sort -u); do \
	  MYPYPATH=$$d $(BIN)/mypy --no-error-summary $(MYPY_TESTS) $$d/*.py; done
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

fmt: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: $(STAMP)
	@for f in bench/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

docs: $(STAMP)
	$(BIN)/python -m tierdesk.policy.reference > docs/policy-reference.md

# Console message catalogs (babel.cfg): extract the strings, merge them into en and zh_TW,
# compile the .mo files (committed, so a fresh checkout runs without this step).
LOCALE := src/tierdesk/web/locale
i18n-extract: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output -o $(LOCALE)/messages.pot src/tierdesk/web

i18n-update: i18n-extract
	$(BIN)/pybabel update -i $(LOCALE)/messages.pot -d $(LOCALE) --no-fuzzy-matching --ignore-obsolete

i18n-compile: $(STAMP)
	$(BIN)/pybabel compile -d $(LOCALE) --statistics

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
