# Two commands do everything on a fresh clone with only python3: `make run` and `make test`.
# Everything else here is tooling: lint, checks, benchmarks, the lock file.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
PORT ?= 8000
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help install setup run test test-fast test-clock lint format typecheck check bench load prod-check lock messages clean drill

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(INSTALLED): requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-virtualenv -r requirements.lock
	@touch $@

install: $(INSTALLED)  ## Create the virtualenv and install the locked dependencies

messages: $(INSTALLED)  ## Compile the Ukrainian translations
	$(PY) manage.py compile_translations

setup: $(INSTALLED)  ## Translations, migrate, reference and demo data, roles, schedules, demo login (one process)
	$(PY) manage.py setup_local

run: setup  ## Start web (http://127.0.0.1:8000), worker and beat in this terminal; Ctrl-C stops all three
	@echo "Web on http://127.0.0.1:$(PORT)/admin/  ·  API docs on http://127.0.0.1:$(PORT)/api/v1/docs/  ·  mail in var/mail/"
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" PORT=$(PORT) $(VENV)/bin/honcho -f Procfile.local start

test: $(INSTALLED) messages  ## Run the whole suite (SQLite unless DATABASE_URL is set)
	$(PY) -m pytest

test-fast: $(INSTALLED)  ## The suite without browser tests
	$(PY) -m pytest -m "not browser"

# After a change that adds or removes queries on purpose; run it on SQLite and with DATABASE_URL on PostgreSQL.
query-baselines: $(INSTALLED)  ## Rewrite tests/api/query_baselines.json from the measured API query counts
	$(PY) -m pytest -q -p no:cacheprovider tests/api/test_endpoints.py -k query_count --refresh-query-baselines

# The suite (without browser tests) at another moment: CLOCK=+400d, CLOCK=2028-02-29 or CLOCK=2027-03-28T03:30.
CLOCK ?= +400d
test-clock: $(INSTALLED) messages  ## The suite without browser tests with the clock moved (CLOCK=+400d by default)
	EUMAM_TEST_CLOCK=$(CLOCK) $(PY) -m pytest -m "not browser"

lint: $(INSTALLED)  ## ruff lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(INSTALLED)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The whole package: every app and config, views, serializers and the admin included (migrations and tests are
# excluded by [tool.mypy] in pyproject.toml; django-stubs and the DRF stubs are its plugins).
TYPED := academies trainees mission config

typecheck: $(INSTALLED)  ## mypy over the whole package (academies, trainees, mission, config)
	$(VENV)/bin/mypy $(TYPED)

check: $(INSTALLED)  ## Django system checks and the migrations check
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

bench: $(INSTALLED)  ## Benchmarks on PostgreSQL (see docs/performance.md)
	$(PY) -m bench

# Production hardening (issue 8): five minutes of mixed partner traffic against gunicorn on a loopback port.
# Redis as in production: the cache (and the API throttles' counters in it) and the broker.
LOAD_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/eumam_load
LOAD_REDIS_URL ?= redis://127.0.0.1:6379/0
load: $(INSTALLED)  ## Load test: 5 min of partner reads and writes against gunicorn (see docs/performance.md)
	createdb -h 127.0.0.1 -U postgres eumam_load 2>/dev/null || true
	DATABASE_URL=$(LOAD_DATABASE_URL) $(PY) bench/load.py --duration $${LOAD_SECONDS:-300} --users $${LOAD_USERS:-8} \
		--redis-url $(LOAD_REDIS_URL)

# Issue 19: a production-shaped cluster on loopback ports (PostgreSQL primary + streaming replica, PgBouncer, Redis,
# HAProxy, 2 web nodes, 2 workers, beat) broken five ways under load, then a backup restored. A few minutes.
DRILL_ARGS ?= --write-docs
drill: $(INSTALLED) messages  ## Cluster and backup drill: failover, killed nodes, Redis outage (see docs/deployment.md)
	$(PY) bench/drill.py $(DRILL_ARGS)

prod-check: $(INSTALLED)  ## Deploy checks with production settings and example environment values
	DJANGO_SETTINGS_MODULE=config.settings.production \
	DJANGO_SECRET_KEY='example-only-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ' \
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/eumam \
	REDIS_URL=redis://127.0.0.1:6379/0 \
	DJANGO_ALLOWED_HOSTS=eumam.example.eu \
	EMAIL_URL=smtp+tls://mailer:secret@smtp.example.eu:587 \
	EUMAM_RECORD_SIGNING_KEY=ZXhhbXBsZS1vbmx5LXNlZWQtMzItYnl0ZXMtbG9uZyE= \
	$(PY) manage.py check --deploy --fail-level WARNING

lock:  ## Regenerate requirements.lock from pyproject.toml
	$(PY) -m piptools compile --quiet --extra dev --strip-extras --allow-unsafe --no-emit-index-url \
		--no-emit-find-links -o requirements.lock pyproject.toml

clean:  ## Remove local data (var/); keeps the virtualenv
	rm -rf var
