# One command per job. `make run` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint format migrations-check clean serve bench bench-full bench-tools postman newman newman-if-npm

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# The embedded defaults: SQLite file, in-process cache, eager Celery, console e-mail.
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --users 20 --posts 500 --todos 5
	@echo ""
	@echo "  API        http://$(HOST):$(PORT)/api/v2/posts/"
	@echo "  Swagger UI http://$(HOST):$(PORT)/api/docs/"
	@echo "  Admin      http://$(HOST):$(PORT)/admin/"
	@echo "  Health     http://$(HOST):$(PORT)/api/health/"
	@echo ""
	$(PY) manage.py runserver $(HOST):$(PORT)

# Real PostgreSQL and Redis: the running ones on 127.0.0.1, else throwaway ones.
test: install newman-if-npm
	$(PY) -m support.devservices -- $(PY) -m pytest $(PYTEST_ARGS)

# The Postman collection (docs/postman/) run by newman against a server started like
# `make run`'s, on a temporary SQLite file. Extra newman options: POSTMAN_ARGS=--bail.
POSTMAN_DIR := docs/postman
postman: install newman
	$(PY) -m support.postman $(POSTMAN_ARGS)

# newman, pinned by docs/postman/package-lock.json, into docs/postman/node_modules (git-ignored).
NEWMAN_STAMP := $(POSTMAN_DIR)/node_modules/.installed
newman: $(NEWMAN_STAMP)

# For `make test`: without Node.js (or the npm registry) the suite skips the newman run and says why.
newman-if-npm:
	@if command -v npm >/dev/null 2>&1; then $(MAKE) -q $(NEWMAN_STAMP) || $(MAKE) --no-print-directory newman || \
		echo "newman could not be installed: the suite will skip the Postman run"; fi

$(NEWMAN_STAMP): $(POSTMAN_DIR)/package.json $(POSTMAN_DIR)/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "newman needs Node.js and npm (Debian: apt-get install nodejs npm)"; exit 1; }
	npm ci --prefix $(POSTMAN_DIR) --no-audit --no-fund --loglevel=error
	touch $@

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: install
	$(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles $(POSTMAN_DIR)/node_modules

# Benchmarks (never part of `make test`): gunicorn + PostgreSQL + Redis, load from wrk.
# Quick: 10,000 posts, about 4 minutes. Full: 1,000,000 posts. Results in bench/RESULTS.md.
bench: bench-tools
	$(PY) -m bench.run $(BENCH_ARGS)

bench-full: bench-tools
	$(PY) -m bench.run --full $(BENCH_ARGS)

bench-tools: install $(VENV)/.bench-installed
	@command -v wrk >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1 || \
			{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }; \
		else echo "wrk is missing: install Debian's wrk package (sudo apt-get install wrk)"; exit 1; fi; }

$(VENV)/.bench-installed: bench/requirements.txt $(VENV)/.installed
	$(PY) -m pip install --quiet -r bench/requirements.txt
	touch $@

# The production shape on this machine: honcho runs the Procfile (gunicorn with several
# workers, a Celery worker and beat) against the PostgreSQL and Redis of the environment.
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/blogapi REDIS_URL=redis://127.0.0.1:6379/0 \
#   SECRET_KEY=$(openssl rand -hex 32) make serve
SERVE_NEEDS := DATABASE_URL REDIS_URL SECRET_KEY
ifneq ($(filter serve,$(MAKECMDGOALS)),)
SERVE_MISSING := $(strip $(foreach name,$(SERVE_NEEDS),$(if $($(name))$(shell grep -s '^$(name)=.' .env),,$(name))))
ifneq ($(SERVE_MISSING),)
$(error make serve: set $(SERVE_MISSING) in the environment or .env, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/blogapi REDIS_URL=redis://127.0.0.1:6379/0 SECRET_KEY=<long random string> make serve)
endif
endif
serve: export DJANGO_SETTINGS_MODULE ?= blogapi.settings.production
ifneq ($(REDIS_URL),)
serve: export CELERY_BROKER_URL ?= $(REDIS_URL)
endif
serve: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" HOST=$(HOST) $(VENV)/bin/honcho start --port $(PORT)

# Reliability (docs/RELIABILITY.md); both start PostgreSQL and a redis-server of their own
# (initdb/postgres and redis-server binaries needed) and stop them by pid.
# Fuzz: schemathesis --checks all on both API versions, as a user then as an admin; a
# short run of it is part of `make test` (blogapi/tests/test_fuzz.py). E.g. FUZZ_ARGS="--max-examples 300".
# Drills: Redis killed and paused, the Celery worker killed, PostgreSQL restarted, read-your-writes,
# each against two gunicorns under load; one line of figures per drill. E.g. DRILLS_ARGS=redis-pause.
.PHONY: fuzz drills
fuzz: install
	$(PY) -m bench.fuzz $(FUZZ_ARGS)

drills: install
	$(PY) -m bench.drills $(DRILLS_ARGS)
