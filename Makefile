# The two commands a newcomer needs: `make run` and `make test`. Both bootstrap themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test screenshots bootstrap browser checkers lint lock check-deploy bench clean

run: $(STAMP)  ## Serve the site on embedded defaults with demo content at http://127.0.0.1:8000/
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# PostgreSQL and RabbitMQ are used where they answer at their default local addresses (see
# bin/local-services); the first lines say what the run uses.
LOCAL_SERVICES = eval "$$($(BIN)/python bin/local-services)"

test: $(STAMP) browser checkers  ## Every check of `make lint`, then the whole test suite (browser tests included)
	@$(LOCAL_SERVICES) && $(MAKE) --no-print-directory lint && $(BIN)/pytest

screenshots: $(STAMP) browser checkers  ## Refresh docs/screenshots from the browser tests
	@$(LOCAL_SERVICES) && GUIDEBOOK_SCREENSHOTS=docs/screenshots $(BIN)/pytest -m browser

bootstrap: $(STAMP)

# Reinstall whenever a lock file changes.
$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Guidebook needs Python 3.11 or newer (found $$($(PYTHON) --version))"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

browser:  ## Install Debian's chromium for the browser tests, if missing and we may
	@bin/ensure-chromium

checkers:  ## Install the pinned vnu.jar and axe-core (tests/tools) for the browser tests' HTML checks
	@bin/ensure-checkers

lint: $(STAMP)  ## ruff (lint and format), mypy on the typed modules, migrations complete
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python manage.py makemigrations --check --dry-run

lock: $(STAMP)  ## Regenerate the pinned lock files from pyproject.toml
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links \
		-o requirements.txt pyproject.toml
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links \
		--extra dev -c requirements.txt -o requirements-dev.txt pyproject.toml

# The database, cache and bucket are placeholders (check --deploy connects to none); production
# refuses a SQLite database, local media or a per-process cache unless SINGLE_MACHINE=true
# (docs/deploy.md).
check-deploy: $(STAMP)  ## `check --deploy` with a realistic production environment
	DJANGO_SETTINGS_MODULE=config.settings.production DEBUG=false \
	SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))') \
	ALLOWED_HOSTS=guidebook.example.com AWS_STORAGE_BUCKET_NAME=guidebook-media \
	DATABASE_URL=postgres://guidebook@db.example.com:5432/guidebook \
	REDIS_URL=redis://cache.example.com:6379/0 \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

bench: $(STAMP)  ## Run every benchmark in bench/ on this machine's services
	$(BIN)/python bench/report.py

clean:
	rm -rf $(VENV) staticfiles build .pytest_cache .ruff_cache .mypy_cache tests/tools/node_modules
