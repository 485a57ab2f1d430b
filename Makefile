# VChata CRM — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run serve test lint format check browsers bench backup restore clean worker beat

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	@touch $@ $(VENV)/.runtime

## run: set everything up, load the demo data and serve on http://$(HOST):$(PORT)
run: $(VENV)/.runtime
	DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DEBUG=1 $(BIN)/python manage.py seed_demo
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

## serve: the production server, gunicorn with gunicorn.conf.py (GUNICORN_BIND, WEB_CONCURRENCY, …)
serve: $(VENV)/.runtime
	$(BIN)/gunicorn -c gunicorn.conf.py

## backup: dump DATABASE_URL to BACKUP_FILE (default backups/vchata-<UTC time>.dump), pg_dump custom format
BACKUP_FILE ?=
backup: $(VENV)/.runtime
	$(BIN)/python scripts/backup.py dump $(BACKUP_FILE)

## restore: load BACKUP_FILE into DATABASE_URL, an empty database (RESTORE_CLEAN=1: replace what it holds)
restore: $(VENV)/.runtime
	@test -n "$(BACKUP_FILE)" || { echo "usage: make restore BACKUP_FILE=backups/….dump"; exit 2; }
	$(BIN)/python scripts/backup.py restore $(BACKUP_FILE) $(if $(RESTORE_CLEAN),--clean)

## worker: run Celery workers for the background tasks (needs REDIS_URL; without it tasks run in-process)
worker: $(VENV)/.runtime
	$(BIN)/celery -A vchata worker --loglevel=INFO

## beat: send the scheduled tasks (outbox sweep, webhook retries, idle automation rules); one per deployment
beat: $(VENV)/.runtime
	$(BIN)/celery -A vchata beat --loglevel=INFO --schedule=$(VENV)/celerybeat-schedule

## test: install the dev requirements and run the whole suite (DATABASE_URL picks the database)
test: $(VENV)/.dev browsers
	$(BIN)/python -m pytest

## lint: ruff, the import layering (import-linter, contracts in pyproject.toml), Django's checks, missing migrations
lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## browsers: Debian's Chromium for the browser tests (installed when missing and we are root)
browsers:
	@bash scripts/ensure-chromium

## bench-analytics: the benchmark's analytics cases (app vs rollup floor vs the old live SQL) on an org of
## ANALYTICS_LEADS leads (made once); bench/analytics.py is the older route-vs-live-SQL comparison
ANALYTICS_DB    ?= postgres://postgres@127.0.0.1:5432/vchata_bench
ANALYTICS_LEADS ?= 100000
ANALYTICS_ARGS  ?=
.PHONY: bench-analytics
bench-analytics: $(VENV)/.dev
	DATABASE_URL=$(ANALYTICS_DB) $(BIN)/python -m bench.run --leads $(ANALYTICS_LEADS) --only analytics --skip-http $(ANALYTICS_ARGS)

## bench: the performance benchmark of issue 9 on PostgreSQL database vchata_perf (made once, 1,000,000 leads)
BENCH_DB   ?= postgres://postgres@127.0.0.1:5432/vchata_perf
BENCH_ARGS ?=
bench: $(VENV)/.dev
	DATABASE_URL=$(BENCH_DB) $(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles artifacts
