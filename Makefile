# Groupket: the two commands (`make run`, `make test`) and the developer's helpers.
# Everything installs from pip into .venv; nothing else is needed (translations compile with polib, not GNU gettext).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Newer than every requirements file once they are installed; pip runs again only when one of them changes.
STAMP := $(VENV)/.installed
REQUIREMENTS := requirements.txt requirements-dev.txt
# `make run PORT=8100` serves on another port; the links in the development mail (var/mail/) follow it,
# unless GROUPKET_SITE_URL is set in the environment.
PORT ?= 8000
RUN_SITE_URL = $(or $(GROUPKET_SITE_URL),http://127.0.0.1:$(PORT))
# The sandbox payment gateway and shipping partner `make run` starts beside the site (on a free port if one is taken).
GATEWAY_PORT ?= 8765
PARTNER_PORT ?= 8766

.DEFAULT_GOAL := help
.PHONY: help install translations run test lint format messages clean bench cluster-test

help:
	@echo "make run       install, migrate, load the demo members and staff account, serve http://127.0.0.1:8000 (PORT=8100: another port)"
	@echo "               with the sandbox card gateway (GATEWAY_PORT=8765) and shipping partner (PARTNER_PORT=8766) beside it"
	@echo "make test      install and run the whole test suite"
	@echo "make lint      ruff check and ruff format --check"
	@echo "make format    apply ruff's fixes and formatting"
	@echo "make messages  update the Korean .po catalogue from the code (needs GNU gettext's xgettext)"
	@echo "make clean     remove caches, compiled translations and collected static files"
	@echo "make bench     run the benchmarks in bench/ and record their results in bench/results/"
	@echo "make cluster-test  nginx, two gunicorn nodes, a Celery worker and beat on loopback, under load and faults"

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(REQUIREMENTS) | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

translations: install
	$(PY) manage.py compile_translations

# The site, with the sandbox gateway and partner beside it (README, "make run"). `exec`: the shell gives way to the
# server, so a SIGTERM that make passes on reaches it, and it stops both sandboxes (Ctrl-C reaches it directly).
run: translations
	$(PY) manage.py migrate --noinput
	GROUPKET_SITE_URL=$(RUN_SITE_URL) $(PY) manage.py load_demo
	GROUPKET_SITE_URL=$(RUN_SITE_URL) $(PY) manage.py load_spaces_demo
	GROUPKET_SITE_URL=$(RUN_SITE_URL) $(PY) manage.py load_orders_demo
	GROUPKET_SITE_URL=$(RUN_SITE_URL) $(PY) manage.py load_staff_demo
	GROUPKET_SITE_URL=$(RUN_SITE_URL) exec $(PY) manage.py serve_with_sandboxes 127.0.0.1:$(PORT) --gateway-port $(GATEWAY_PORT) --partner-port $(PARTNER_PORT)

# pytest's own exit status is make's: any failure, and exit 5 (no tests ran), fails the target.
test: translations
	$(PY) -m pytest

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

# makemessages runs GNU gettext's xgettext: a translator's tool, not needed to run or test.
messages: install
	$(PY) manage.py makemessages --locale ko --no-obsolete --no-location --ignore ".venv/*" --ignore "var/*" --ignore "bench/*" --ignore "tests/*"
	$(PY) manage.py compile_translations

# Benchmarks, not tests: every bench/<name>.py but the shared modules, each on a throwaway database (SQLite, or
# PostgreSQL groupket_bench_* and Redis db 12 where production's figure matters), writing bench/results/<name>.json;
# then bench/README.md's table of every result. All run; the target fails if any misses its target.
BENCH_SHARED := common report feed_baseline
bench: translations
	status=0; for path in bench/*.py; do name=$$(basename $$path .py); \
	  case " $(BENCH_SHARED) " in *" $$name "*) continue;; esac; \
	  echo "=== bench $$name"; $(PY) -m bench.$$name || status=1; done; \
	$(PY) -m bench.report; exit $$status

# README, "make cluster-test": needs Debian's nginx, redis-server, PostgreSQL and RabbitMQ on this machine.
cluster-test: translations
	$(PY) -m cluster.run

# var/ is kept: it holds the laptop database and its keyring, without which that data cannot be read.
clean:
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache .hypothesis staticfiles
	find groupket -name "*.mo" -path "*/locale/*" -delete
