# Kith: `make demo` serves the demo on SQLite; `make test` runs lint and the whole suite.
# PostgreSQL too: make test DATABASE_URL=postgres://postgres@127.0.0.1:5432/kith
# (the suite runs on SQLite first, then again on the database DATABASE_URL names).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEMO_ENV := DEBUG=true DATABASE_URL=sqlite:///db.sqlite3

.PHONY: install demo serve test lint format chromium bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --editable '.[dev]'
	@test -f .env || echo "DEBUG=true" > .env  # local development only (git-ignored)
	touch $@

install: $(INSTALLED)

demo: install
	$(DEMO_ENV) $(BIN)/python manage.py migrate --no-input
	$(DEMO_ENV) $(BIN)/python manage.py demo
	$(DEMO_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint
	env -u DATABASE_URL $(BIN)/python -m pytest $(PYTEST_ARGS)
	@if [ -n "$(DATABASE_URL)" ]; then \
		echo "--- again on $(DATABASE_URL)"; \
		DATABASE_URL="$(DATABASE_URL)" $(BIN)/python -m pytest $(PYTEST_ARGS); \
	fi

# Debian's chromium for the browser tests (they are skipped without it, except in CI).
chromium:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

# Benchmarks print figures (last line JSON); not part of the test run.
bench: install
	DEBUG=true $(BIN)/python manage.py bench scoring

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles media
