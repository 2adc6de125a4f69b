# dynamo-wagtail developer tasks.
#
#   make demo        run the example site at http://127.0.0.1:8000/ (admin/admin)
#   make test        the suite on SQLite, Django 5.2 (the default virtualenv)
#   make test-all    everything CI runs: lint, docs, three databases x two Django versions,
#                    multiprocess, browser and packaging tests, and the benchmarks at a tiny size
#   make bench       the full benchmarks on SQLite and PostgreSQL -> docs/benchmarks.md
#   make soak        random schema evolution, 500 sequences on each of the three databases
#   make reliability the hostile corpus and schema evolution on three databases -> docs/reliability.md
#
# Database suites take PY_VENV to pick the virtualenv:
#   make test-postgres PY_VENV=.venv-dj6

SHELL := /bin/bash
.DEFAULT_GOAL := help

# Django 5.2 LTS on the default python3.
PYTHON ?= python3
VENV ?= .venv
# Django 6.x needs Python >= 3.12; prefer python3.13, falling back to pyenv's install.
PYTHON_DJ6 ?= $(firstword $(shell for p in python3.13 "$$(pyenv prefix 3.13 2>/dev/null)/bin/python3.13" python3.12; do "$$p" -c 'import sys; assert sys.version_info >= (3, 12)' >/dev/null 2>&1 && echo "$$p" && break; done) python3.13)
VENV_DJ6 ?= .venv-dj6

PY_VENV ?= $(VENV)

POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test
MARIADB_URL ?= mysql://root@127.0.0.1:3306/test

# System chromium for the browser tests (never `playwright install`).
CHROMIUM ?= $(firstword $(shell command -v chromium chromium-browser 2>/dev/null) /usr/bin/chromium)

PYTEST_ARGS ?=
# The hostile corpus (tests/hostile, marker "corpus") runs on its own: `make test-corpus`,
# `test-corpus-postgres` and `test-corpus-mariadb` (all three in test-all) and `make reliability`.
SUITE_MARKERS := not browser and not multiprocess and not packaging and not corpus and not schemathesis

PIP_INSTALL = -m pip install --quiet --disable-pip-version-check

# Run pytest; exit status 5 (no tests collected) is accepted for marker-selected suites that may
# still be empty.
define pytest_allow_empty
	set +e; $(1); rc=$$?; set -e; \
	if [ $$rc -eq 5 ]; then echo "(no tests selected)"; exit 0; fi; exit $$rc
endef

.PHONY: help venv venv-dj6 test test-sqlite test-postgres test-mariadb test-multiprocess \
	test-browser test-browser-postgres test-packaging test-all docs lint bench bench-smoke bench-install demo clean \
	test-corpus test-corpus-postgres test-corpus-mariadb soak reliability test-lane-dj52 test-lane-dj6 \
	test-schemathesis test-multiprocess-sqlite

help:
	@sed -n '1,12p' Makefile | sed 's/^# \{0,1\}//'

# --- virtualenvs --------------------------------------------------------------------------

venv: $(VENV)/.installed
venv-dj6: $(VENV_DJ6)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python $(PIP_INSTALL) --upgrade pip
	$(VENV)/bin/python $(PIP_INSTALL) -e ".[test,docs,lint]" "Django>=5.2,<5.3"
	touch $@

$(VENV_DJ6)/.installed: pyproject.toml
	$(PYTHON_DJ6) -m venv $(VENV_DJ6)
	$(VENV_DJ6)/bin/python $(PIP_INSTALL) --upgrade pip
	$(VENV_DJ6)/bin/python $(PIP_INSTALL) -e ".[test]" "Django>=6.0,<6.2"
	touch $@

# mysqlclient builds against libmariadb: only the MariaDB suites need it, so `make test` and
# `make demo` need no system packages.
%/.installed-mysql: %/.installed
	@pkg-config --exists libmariadb || pkg-config --exists mariadb || pkg-config --exists mysqlclient \
		|| { echo "mysqlclient needs the MariaDB client library: apt-get install libmariadb-dev pkg-config"; exit 1; }
	$*/bin/python $(PIP_INSTALL) -e ".[mysql]"
	touch $@

# --- tests --------------------------------------------------------------------------------

test: test-sqlite

test-sqlite: $(PY_VENV)/.installed
	$(PY_VENV)/bin/python -m pytest -m "$(SUITE_MARKERS)" $(PYTEST_ARGS)

test-postgres: $(PY_VENV)/.installed
	DATABASE_URL=$(POSTGRES_URL) $(PY_VENV)/bin/python -m pytest -m "$(SUITE_MARKERS)" $(PYTEST_ARGS)

test-mariadb: $(PY_VENV)/.installed-mysql
	DATABASE_URL=$(MARIADB_URL) $(PY_VENV)/bin/python -m pytest -m "$(SUITE_MARKERS)" $(PYTEST_ARGS)

# Start server processes (gunicorn workers) against one shared database and check that each
# follows every change: test-multiprocess on PostgreSQL (also LISTEN/NOTIFY and the racing
# writers), test-multiprocess-sqlite on one SQLite file (the run's test database), where the
# tests that need a database server are skipped.
test-multiprocess: $(PY_VENV)/.installed
	@$(call pytest_allow_empty,DATABASE_URL=$(POSTGRES_URL) $(PY_VENV)/bin/python -m pytest -m multiprocess $(PYTEST_ARGS))

test-multiprocess-sqlite: $(PY_VENV)/.installed
	@$(call pytest_allow_empty,$(PY_VENV)/bin/python -m pytest -m multiprocess $(PYTEST_ARGS))

# Drives the system chromium through the playwright package (its path in CHROMIUM_PATH).
test-browser: $(PY_VENV)/.installed
	@test -x "$(CHROMIUM)" || { echo "chromium not found (apt-get install chromium)"; exit 1; }
	@$(call pytest_allow_empty,CHROMIUM_PATH=$(CHROMIUM) $(PY_VENV)/bin/python -m pytest -m browser $(PYTEST_ARGS))

# The editor's journey and the admin screenshots again on PostgreSQL (the fresh-clone
# check of `make demo`/`make test` runs once, above, on SQLite).
test-browser-postgres: $(PY_VENV)/.installed
	@test -x "$(CHROMIUM)" || { echo "chromium not found (apt-get install chromium)"; exit 1; }
	CHROMIUM_PATH=$(CHROMIUM) DATABASE_URL=$(POSTGRES_URL) $(PY_VENV)/bin/python -m pytest -m browser \
		--deselect tests/test_fresh_clone.py $(PYTEST_ARGS)

# Builds the wheel and the sdist, installs the wheel into a new virtualenv beside a new
# `wagtail start` project and follows the README's install steps there (SQLite).
test-packaging: $(PY_VENV)/.installed
	$(PY_VENV)/bin/python -m pytest -m packaging $(PYTEST_ARGS)

# The example site's API against its live OpenAPI document (schemathesis, bounded).
test-schemathesis: $(PY_VENV)/.installed
	$(PY_VENV)/bin/python -m pytest -m schemathesis $(PYTEST_ARGS)

# The hostile corpus (every case through the API, ORM saves and the builder) on each database.
test-corpus: $(PY_VENV)/.installed
	$(PY_VENV)/bin/python -m pytest -m corpus $(PYTEST_ARGS)

test-corpus-postgres: $(PY_VENV)/.installed
	DATABASE_URL=$(POSTGRES_URL) $(PY_VENV)/bin/python -m pytest -m corpus $(PYTEST_ARGS)

test-corpus-mariadb: $(PY_VENV)/.installed-mysql
	DATABASE_URL=$(MARIADB_URL) $(PY_VENV)/bin/python -m pytest -m corpus $(PYTEST_ARGS)

# Random schema evolution (tests/test_evolution.py) at soak length on every database; the
# database suites run 50 sequences each. Not part of test-all.
SOAK_SEQUENCES ?= 500
SOAK = DYNAMO_EVOLUTION_SEQUENCES=$(SOAK_SEQUENCES) $(VENV)/bin/python -m pytest tests/test_evolution.py $(PYTEST_ARGS)

soak: $(VENV)/.installed-mysql
	$(SOAK)
	DATABASE_URL=$(POSTGRES_URL) $(SOAK)
	DATABASE_URL=$(MARIADB_URL) $(SOAK)

# docs/reliability.md: the corpus and the evolution figures on SQLite, PostgreSQL and MariaDB.
RELIABILITY_ARGS ?=

reliability: $(VENV)/.installed-mysql
	$(VENV)/bin/python -m tests.reliability --db sqlite --db postgres --db mariadb \
		--postgres-url $(POSTGRES_URL) --mariadb-url $(MARIADB_URL) \
		--output docs/reliability.md $(RELIABILITY_ARGS)

# The Django 5.2 suites carry the counts (50 evolution sequences, 50 race trials a database);
# the Django 6 suites run the same tests shorter, and the corpus runs every channel on SQLite
# and the API's on the other two, half the cases on each (`make reliability` runs every case
# through every channel on every database), to keep CI well inside its time.
DJ6_SHORT = DYNAMO_EVOLUTION_SEQUENCES=10 DYNAMO_RACE_TRIALS=10

# Two lanes side by side (CI has two cores; every run has its own test databases, see
# tests/settings.py): Django 5.2 in one, Django 6 and the browser in the other. The
# virtualenvs are built first, one at a time.
test-all: lint docs $(VENV)/.installed-mysql $(VENV_DJ6)/.installed-mysql bench-install
	$(MAKE) -j2 --output-sync=target test-lane-dj52 test-lane-dj6

test-lane-dj52:
	$(MAKE) test-sqlite PY_VENV=$(VENV)
	$(MAKE) test-postgres PY_VENV=$(VENV)
	$(MAKE) test-mariadb PY_VENV=$(VENV)
	$(MAKE) test-corpus PY_VENV=$(VENV)
	$(MAKE) test-multiprocess PY_VENV=$(VENV)
	$(MAKE) test-multiprocess-sqlite PY_VENV=$(VENV)
	$(MAKE) test-packaging PY_VENV=$(VENV)

test-lane-dj6:
	$(DJ6_SHORT) $(MAKE) test-sqlite PY_VENV=$(VENV_DJ6)
	$(DJ6_SHORT) $(MAKE) test-postgres PY_VENV=$(VENV_DJ6)
	$(DJ6_SHORT) $(MAKE) test-mariadb PY_VENV=$(VENV_DJ6)
	DYNAMO_CORPUS_CHANNELS=api DYNAMO_CORPUS_PART=1/2 $(MAKE) test-corpus-postgres PY_VENV=$(VENV)
	DYNAMO_CORPUS_CHANNELS=api DYNAMO_CORPUS_PART=2/2 $(MAKE) test-corpus-mariadb PY_VENV=$(VENV)
	$(MAKE) test-browser PY_VENV=$(VENV)
	$(MAKE) test-browser-postgres PY_VENV=$(VENV)
	$(MAKE) test-schemathesis PY_VENV=$(VENV)
	$(MAKE) bench-smoke

# --- docs, lint, benchmarks ---------------------------------------------------------------

docs: $(VENV)/.installed
	$(VENV)/bin/python -m sphinx -W --keep-going -b html docs docs/_build/html

# ruff; import-linter keeps the layers of docs/architecture.md (contracts in pyproject.toml);
# mypy with django-stubs checks the package's types.
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

# Benchmarks are not tests: `bench` runs them at full size on SQLite and PostgreSQL, and the
# scale benchmark on MariaDB too (POSTGRES_BENCH_URL, MARIADB_BENCH_URL: servers where it may
# create and drop bench_dynamo*) and writes docs/benchmarks.md; `bench-smoke` runs every
# benchmark at a tiny size so it cannot rot (results go to a temporary file).
POSTGRES_BENCH_URL ?= postgres://postgres@127.0.0.1:5432
MARIADB_BENCH_URL ?= mysql://root@127.0.0.1:3306
BENCH_ARGS ?=

bench-install: $(VENV)/.installed
	@$(VENV)/bin/python -c "import eav" 2>/dev/null || \
		$(VENV)/bin/python $(PIP_INSTALL) -e ".[bench]" "Django>=5.2,<5.3"

bench: bench-install $(VENV)/.installed-mysql
	BENCH_POSTGRES_URL=$(POSTGRES_BENCH_URL) BENCH_MARIADB_URL=$(MARIADB_BENCH_URL) \
		$(VENV)/bin/python -m bench --size full --db all \
		--output docs/benchmarks.md $(BENCH_ARGS)

bench-smoke: bench-install $(VENV)/.installed-mysql
	@out=$$(mktemp --suffix=.md); \
	BENCH_POSTGRES_URL=$(POSTGRES_BENCH_URL) BENCH_MARIADB_URL=$(MARIADB_BENCH_URL) \
		$(VENV)/bin/python -m bench --size small --db all \
		--output $$out $(BENCH_ARGS) && echo "bench-smoke: ok ($$out)"

# --- example site -------------------------------------------------------------------------

# The example site needs only the package's dependencies: no test, docs or lint extras and no
# pip upgrade, so a fresh clone serves its first page quickly. Its manage.py imports the package
# from the checkout, so the package itself is not installed (no build of an editable wheel);
# --no-compile leaves Python to byte-compile only the modules the site imports, when it first
# does. A virtualenv already made by `make venv` has all of it and is used as it is.
DEMO_ADDR ?= 127.0.0.1:8000
DEMO_MANAGE = $(VENV)/bin/python example_site/manage.py
PROJECT_DEPENDENCIES = import tomllib; \
	print(*tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"], sep="\n")

$(VENV)/.installed-demo: pyproject.toml
	@test -x $(VENV)/bin/python || { echo "$(PYTHON) -m venv $(VENV)"; $(PYTHON) -m venv $(VENV); }
	@if [ $(VENV)/.installed -nt pyproject.toml ]; then echo "using $(VENV) as made by make venv"; \
	else echo "installing the dependencies of dynamo-wagtail and Django 5.2 into $(VENV)"; \
		$(VENV)/bin/python $(PIP_INSTALL) --no-compile "Django>=5.2,<5.3" \
			-r <($(VENV)/bin/python -c '$(PROJECT_DEPENDENCIES)'); fi
	touch $@

# Migrations, the admin user and the demo content in one process (each Django start costs
# seconds); dynamo_demo only adds what is missing.
define DEMO_SETUP
from django.contrib.auth import get_user_model
from django.core.management import call_command

call_command("migrate", interactive=False)
User = get_user_model()
if not User.objects.filter(username="admin").exists():
    User.objects.create_superuser("admin", "admin@example.com", "admin")
call_command("dynamo_demo")
endef
export DEMO_SETUP

demo: $(VENV)/.installed-demo
	$(DEMO_MANAGE) shell --verbosity 0 -c "$$DEMO_SETUP"
	@echo
	@echo "Admin login: http://$(DEMO_ADDR)/admin/  user: admin  password: admin"
	@echo
	$(DEMO_MANAGE) runserver $(DEMO_ADDR)

clean:
	rm -rf $(VENV) $(VENV_DJ6) docs/_build tests/artifacts build dist *.egg-info \
		example_site/db.sqlite3 example_site/media .pytest_cache .ruff_cache
	find . -path ./.git -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
