# The README's two commands: `make run` (set up, seed the demo organisation, serve on
# http://127.0.0.1:8000) and `make test` (lint, the dependency rule, migration check, the whole
# test suite).
# docker-compose.yml runs the same manage.py / gunicorn / celery commands as the targets below.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# gunicorn: one process per core, two threads each (gthread). On the 2-core bench machine
# 2 x 2 had a lower p95 than 4 x 4 in every group of runs of the same code (README,
# "Load"): threads beyond the cores queue behind each process's GIL, and without Redis
# every worker computes the figures for itself.
WEB_WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
WEB_THREADS ?= 2

.PHONY: setup run test lint format worker beat serve rollup clean

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Upskill needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

static/vendor/.installed: package.json package-lock.json Makefile
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/
	cp node_modules/chart.js/dist/chart.umd.min.js static/vendor/chart.umd.min.js
	cp node_modules/chart.js/dist/chart.umd.min.js.map static/vendor/chart.umd.min.js.map
	cp node_modules/sortablejs/Sortable.min.js static/vendor/Sortable.min.js
	# axe-core is for the browser tests' accessibility scan (tests/browser/axe.py); no page loads it.
	cp node_modules/axe-core/axe.min.js static/vendor/axe.min.js
	@touch $@

setup: $(VENV)/.installed static/vendor/.installed

run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver $(HOST):$(PORT)

test: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The production processes, as docker-compose.yml runs them.
serve: setup
	$(PY) manage.py collectstatic --noinput
	$(VENV)/bin/gunicorn upskill.wsgi --bind $(HOST):$(PORT) --workers $(WEB_WORKERS) --worker-class gthread --threads $(WEB_THREADS) --keep-alive 10

worker: setup
	$(VENV)/bin/celery -A upskill worker --loglevel=INFO

beat: setup
	$(VENV)/bin/celery -A upskill beat --loglevel=INFO --schedule /tmp/upskill-celerybeat-schedule

rollup: setup
	$(PY) manage.py rollup

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles
