# Set-up and everyday commands. Everything runs from the project's own virtualenv (.venv),
# created on first use with the Python found as $(PYTHON).
#
#   make run      install, migrate the SQLite database, load the demo company, start the dev server
#   make test     install with the dev tools and run the whole test suite (on PostgreSQL)
#   make lint     ruff check .
#   make migrate / demo / worker / beat / clean

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

# The tests run on PostgreSQL (pytest-django creates and drops test_costing itself) and the
# tests that need a real Celery worker use this Redis database. Both can be overridden.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/costing
TEST_CELERY_BROKER_URL ?= redis://127.0.0.1:6379/15

export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint migrate demo worker beat clean

# -- the virtualenv ----------------------------------------------------------------------------
# Stamp files make a second run quick: pip runs again only when pyproject.toml changes.

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

# -- running -----------------------------------------------------------------------------------
# The embedded default: SQLite file db.sqlite3 in the project folder, Celery tasks in-process.

run: export DEBUG ?= true
run: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo
	@echo "Open http://$(HOST):$(PORT)/ and sign in with the demo login shown above."
	@echo
	$(PY) manage.py runserver $(HOST):$(PORT)

migrate: $(VENV)/.installed
	$(PY) manage.py migrate --noinput

demo: $(VENV)/.installed
	$(PY) manage.py load_demo

# Needs CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/0) and a database shared with the web app.
worker: $(VENV)/.installed
	$(PY) -m celery -A config worker -l info

beat: $(VENV)/.installed
	$(PY) -m celery -A config beat -l info

# -- checking ----------------------------------------------------------------------------------

test: export DATABASE_URL ?= $(TEST_DATABASE_URL)
test: export CELERY_TEST_BROKER_URL ?= $(TEST_CELERY_BROKER_URL)
test: $(VENV)/.installed-dev
	$(PY) -m pytest

lint: $(VENV)/.installed-dev
	$(PY) -m ruff check .

# Removes the virtualenv and caches; keeps the database (db.sqlite3).
clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles build *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
