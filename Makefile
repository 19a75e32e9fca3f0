# The two Quick start commands (README) and the developer's gates.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint check bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Set up and serve the demo meeting at http://127.0.0.1:8000/
demo: $(STAMP)
	$(BIN)/meeting demo

## Set up and run every test (browser tests need Debian's chromium: installed when missing)
test: $(STAMP)
	@command -v chromium >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || \
		(apt-get update -qq && apt-get install -y -qq chromium >/dev/null)
	$(BIN)/pytest

## Formatting, lint and strict typing
lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

check: lint test

## Benchmarks against a bare ceiling (about ten minutes; installs Debian's wrk and gcc when missing)
bench: $(STAMP)
	@command -v wrk >/dev/null 2>&1 && command -v gcc >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || \
		(apt-get update -qq && apt-get install -y -qq wrk gcc >/dev/null)
	@# Compiled once, as pip compiles an installed package: with PYTHONDONTWRITEBYTECODE set,
	@# every `meeting import` the bench times would otherwise compile the project again.
	$(BIN)/python -m compileall -q meeting bench
	MEETING_BENCH_POSTGRES_URL=$${MEETING_BENCH_POSTGRES_URL-postgresql://postgres@127.0.0.1:5432/postgres} \
	MEETING_BENCH_REDIS_URL=$${MEETING_BENCH_REDIS_URL-redis://127.0.0.1:6379/15} \
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) var test-artifacts .pytest_cache .mypy_cache .ruff_cache
