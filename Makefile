# Mutuo Aiuto — `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app mutuo_aiuto
HOST ?= 127.0.0.1
PORT ?= 5000
# pytest-xdist workers for `make test`: one per core; 0 runs the suite in one process.
# Work stealing: a worker that runs out takes tests from the other, so a long browser
# journey at the end does not leave a core idle.
TEST_WORKERS ?= auto
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The versions of requirements/lock.txt as constraints, without the hashes (pip
# refuses an editable install in hash-checking mode): a release upstream changes
# nothing here until `make lock` records it.
LOCK_PINS := $(VENV)/lock-pins.txt
$(LOCK_PINS): requirements/lock.txt | $(BIN)/python
	sed -n 's/^\([A-Za-z0-9][^ ;\\]*==[^ ;\\]*\).*/\1/p' $< > $@

# One stamp per set of extras: reinstall when setup.cfg or the lock changes.
$(VENV)/.stamp-run: setup.cfg pyproject.toml $(LOCK_PINS) | $(BIN)/python
	$(BIN)/pip install --quiet -e . -c $(LOCK_PINS)
	touch $@

$(VENV)/.stamp-test: setup.cfg pyproject.toml $(LOCK_PINS) | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,dev]' -c $(LOCK_PINS)
	touch $@ $(VENV)/.stamp-run

$(VENV)/.stamp-deploy: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[deploy]'
	touch $@ $(VENV)/.stamp-run

$(VENV)/.stamp-bench: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[bench]'
	touch $@

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sort | \
	  awk 'BEGIN {FS = ":.*## "}; {printf "  make %-14s %s\n", $$1, $$2}'

.PHONY: install
install: $(VENV)/.stamp-run compile-translations ## Create .venv and install the app

# The server and the scheduler are told where the app is served, so that the links
# in mails follow PORT (config.py derives BASE_URL from these when it is not set).
RUN_ENV = FLASK_RUN_HOST=$(HOST) FLASK_RUN_PORT=$(PORT)

.PHONY: run
run: install ## Migrate the SQLite database, load the demo data if empty, serve on :5000 (PORT=…) with the scheduler
	$(RUN_ENV) $(FLASK) db upgrade
	$(RUN_ENV) $(FLASK) seed-demo --if-empty
	@# The scheduler runs beside the server and stops with it (Ctrl-C or any exit).
	$(RUN_ENV) $(FLASK) scheduler & scheduler=$$!; \
	  trap 'kill $$scheduler 2>/dev/null; wait $$scheduler' EXIT INT TERM; \
	  $(RUN_ENV) $(FLASK) run --host $(HOST) --port $(PORT)

# `make serve-prod`: the production shape on this machine (gunicorn, PostgreSQL, Redis).
SERVE_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/mutuo_aiuto
SERVE_REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: serve-prod
serve-prod: $(VENV)/.stamp-deploy compile-translations ## gunicorn (gunicorn.conf.py) on :8000 with PostgreSQL, Redis and the scheduler
	@# PostgreSQL and Redis must be running; the database is created and migrated here.
	@# Behind a TLS proxy add ENVIRONMENT=production, SECRET_KEY, ENCRYPTION_KEYS and BASE_URL (README).
	export DATABASE_URL="$${DATABASE_URL:-$(SERVE_DATABASE_URL)}" \
	  RATELIMIT_STORAGE_URI="$${RATELIMIT_STORAGE_URI:-$(SERVE_REDIS_URL)}"; \
	  $(FLASK) create-database && $(FLASK) db upgrade && $(FLASK) seed-demo --if-empty && \
	  { $(FLASK) scheduler & scheduler=$$!; \
	    trap 'kill $$scheduler 2>/dev/null; wait $$scheduler' EXIT INT TERM; \
	    $(BIN)/gunicorn --config gunicorn.conf.py; }

.PHONY: test
test: $(VENV)/.stamp-test compile-translations ## Install the test extras and run the whole suite (one worker per core)
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

.PHONY: lint
lint: $(VENV)/.stamp-test ## ruff, bandit, mypy (configured in setup.cfg), and the installed versions against requirements/lock.txt
	$(BIN)/ruff check .
	$(BIN)/bandit -q -c bandit.yaml -r mutuo_aiuto
	$(BIN)/mypy
	$(BIN)/python requirements/check_lock.py

# pip-tools lives in a virtualenv of its own, so it never changes .venv's versions.
LOCK_VENV := .venv-lock

.PHONY: lock
lock: ## Record the exact dependency set (app, test and dev extras) with hashes in requirements/lock.txt
	test -x $(LOCK_VENV)/bin/pip-compile || \
	  { $(PYTHON) -m venv $(LOCK_VENV) && $(LOCK_VENV)/bin/pip install --quiet pip-tools; }
	$(LOCK_VENV)/bin/pip-compile --quiet --upgrade --generate-hashes --allow-unsafe \
	  --extra test --extra dev --strip-extras --no-emit-index-url --no-emit-find-links \
	  --output-file requirements/lock.txt setup.cfg

.PHONY: bench
bench: $(VENV)/.stamp-bench ## Run the matcher benchmark (prints its figures)
	$(BIN)/python benchmarks/bench_matching.py

.PHONY: translations
translations: $(VENV)/.stamp-run ## Extract strings, update every catalogue, compile
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k ngettext:1,2 -k _n:1,2 \
	  -k lazy_ngettext:1,2 -k pgettext:1c,2 -k lazy_pgettext:1c,2 \
	  --add-comments=TRANSLATORS: --sort-output --no-wrap -o translations/messages.pot mutuo_aiuto
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-wrap \
	  --ignore-obsolete --no-fuzzy-matching
	$(BIN)/python translations/fill_english.py
	$(MAKE) compile-translations

.PHONY: compile-translations
compile-translations: $(VENV)/.stamp-run ## Compile the catalogues (done by install and test)
	$(BIN)/pybabel compile -d translations --statistics

.PHONY: clean
clean: ## Remove the virtualenv and caches (keeps instance/ and its database)
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
