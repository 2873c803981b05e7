# Kith: `make demo` serves the demo on SQLite; `make test` runs lint and the whole suite.
# PostgreSQL too: make test DATABASE_URL=postgres://postgres@127.0.0.1:5432/kith
# (the suite runs on SQLite first, then again on the database DATABASE_URL names).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEMO_ENV := DEBUG=true DATABASE_URL=sqlite:///db.sqlite3

# Exact versions with hashes, compiled from pyproject.toml's ranges by `make lock`:
# dev.lock (the app, the redis extra and the dev tools) for development and CI,
# main.lock (the app and the redis extra) for servers. Python 3.11, Linux x86_64.
LOCK := requirements/dev.lock
LOCK_MAIN := requirements/main.lock
UV_COMPILE := $(BIN)/uv pip compile pyproject.toml --quiet --generate-hashes \
	--python-version 3.11 --custom-compile-command "make lock"

.PHONY: install lock demo serve test lint format chromium gettext messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Re-runs whenever the lock (or the project's own metadata) changes. DEBUG is never
# written to a file: `make demo` sets it, and settings take it from the environment only.
$(INSTALLED): $(LOCK) pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes --requirement $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --editable .
	touch $@

install: $(INSTALLED)

# Refresh the locks after changing pyproject.toml: versions already locked stay unless a
# range excludes them. `make lock LOCK_ARGS=--upgrade` takes the newest each range allows
# (or --upgrade-package NAME); then `make install` and `make test`, and commit both files.
lock: install
	$(UV_COMPILE) --extra dev --extra redis $(LOCK_ARGS) --output-file $(LOCK)
	$(UV_COMPILE) --extra redis --constraint $(LOCK) --output-file $(LOCK_MAIN)

demo: install
	$(DEMO_ENV) $(BIN)/python manage.py migrate --no-input
	$(DEMO_ENV) $(BIN)/python manage.py demo
	$(DEMO_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports  # the import rule: [tool.importlinter] in pyproject.toml

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

# GNU gettext, for `make messages` and the catalogue test (skipped without it, except in CI).
gettext:
	@command -v xgettext >/dev/null || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq gettext; }

# The Welsh catalogue: refresh it from the code and templates, then compile it (the .mo is
# committed, so running Kith needs no gettext). Translate what is new in
# locale/cy/LC_MESSAGES/django.po, run this again, commit both files (locale/cy/GLOSSARY.md).
messages: install gettext
	$(BIN)/python manage.py makemessages --locale cy
	$(BIN)/python manage.py compilemessages --locale cy --ignore .venv

# Benchmarks print figures (last line JSON); not part of the test run.
bench: install
	DEBUG=true $(BIN)/python manage.py bench scoring

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles media
