# Two commands: `make run` serves the demo, `make test` runs the tests.
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
PORT ?= 8080
# Login limits and ended sessions kept in memory hold within one process: several
# workers need a store they share (RATELIMIT_STORAGE_URI=redis://...).
WORKERS ?= $(if $(RATELIMIT_STORAGE_URI),2,1)
export PYTHONPATH := $(CURDIR)

.PHONY: run test install migrate demo test-sqlite test-postgres clean e2e chromium audit-tools

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

migrate: install
	$(FLASK) db upgrade

# The demo goes into an empty database only: records deleted since stay deleted on the
# next start (`flask --app wsgi demo load --force` tops it up).
demo: migrate
	$(FLASK) demo load

run: demo i18n-compile
	@echo "Serving on http://127.0.0.1:$(PORT)"
	$(VENV)/bin/gunicorn --workers $(WORKERS) --threads 4 --bind 127.0.0.1:$(PORT) --access-logfile - wsgi:app

# The suite runs on SQLite, then on PostgreSQL when TEST_DATABASE_URL names an empty database;
# then the browser tests, once (Chromium and poppler-utils installed when missing, as root).
test: install i18n-compile i18n-check audit-tools chromium
	TEST_DATABASE_URL= $(PY) -m pytest -q --ignore=tests/e2e
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL: $$TEST_DATABASE_URL"; \
		$(PY) -m pytest -q -p no:cacheprovider --ignore=tests/e2e; \
	else echo "TEST_DATABASE_URL is unset: PostgreSQL tests skipped (.ci/run sets it)"; fi
	@echo "== browser tests (tests/e2e)"
	$(E2E)

# Browser tests (tests/e2e): Playwright drives Debian's Chromium (headless) against the app
# served by gunicorn on 127.0.0.1, over a fresh demo database. Screenshots: tests/screenshots/.
CHROMIUM ?= /usr/bin/chromium
E2E = TEST_DATABASE_URL= CHROMIUM=$(CHROMIUM) $(PY) -m pytest -q -p no:cacheprovider tests/e2e

e2e: install i18n-compile chromium audit-tools
	$(E2E)

# Debian's Chromium, installed when missing (as root; Playwright's own browser download is never
# used), and poppler-utils: the print tests read Chromium's PDFs with pdftotext and pdftoppm.
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		echo "== $(CHROMIUM) is missing: apt-get install -y chromium"; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	fi
	@command -v pdftotext >/dev/null && command -v pdftoppm >/dev/null || { \
		echo "== poppler-utils is missing: apt-get install -y poppler-utils"; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q poppler-utils; }

# The browser tests' audits (tests/e2e/test_audit.py): axe-core and the W3C checker vnu, from
# the npm registry, as locked in tests/e2e/package-lock.json; vnu runs with the machine's Java.
AUDIT_TOOLS := tests/e2e/node_modules/.installed
audit-tools: $(AUDIT_TOOLS)
$(AUDIT_TOOLS): tests/e2e/package.json tests/e2e/package-lock.json
	@command -v java >/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q default-jre-headless; }
	npm ci --prefix tests/e2e --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

clean:
	rm -rf $(VENV) instance .pytest_cache

# The REST API under schemathesis with all its checks, longer than in `make test`: new cases
# every run (FUZZ_EXAMPLES per operation and phase); on PostgreSQL too when TEST_DATABASE_URL is set.
.PHONY: fuzz
FUZZ_EXAMPLES ?= 100
fuzz: install i18n-compile
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_RANDOM=1 $(PY) -m pytest -q -s -p no:cacheprovider tests/test_fuzz.py -k schemathesis

# Translations (translations/README.md): the app's own catalog in translations/, the
# strings Flask-AppBuilder lacks in translations/framework/. The .mo files are built, not kept.
PYBABEL := $(abspath $(VENV))/bin/pybabel
FAB_PARENT = $(shell $(PY) -c 'import flask_appbuilder as m, pathlib; print(pathlib.Path(m.__file__).parent.parent)')
FAB_VERSION = $(shell $(PY) -c 'import flask_appbuilder as m; print(m.__version__)')

.PHONY: i18n-extract i18n-compile i18n-check i18n-framework

# The app's strings into translations/messages.pot and the ru and bg catalogs (never the framework's).
i18n-extract: install
	$(PYBABEL) -q extract -F translations/babel.cfg --no-wrap --project Libnet -o translations/messages.pot app
	$(PYBABEL) update -d translations -i translations/messages.pot --no-wrap --ignore-obsolete

i18n-compile: install
	$(PYBABEL) -q compile -d translations
	$(PYBABEL) -q compile -d translations/framework

# Fails on an untranslated, fuzzy or stale entry, a changed placeholder, a wrong plural count.
i18n-check: install
	$(PY) translations/check.py

# After a Flask-AppBuilder upgrade: its strings into the framework template and catalogs.
i18n-framework: install
	cd $(FAB_PARENT) && $(PYBABEL) -q extract -F $(CURDIR)/translations/framework/babel.cfg \
		--no-wrap --project Flask-AppBuilder --version $(FAB_VERSION) \
		-o $(CURDIR)/translations/framework/messages.pot flask_appbuilder
	$(PYBABEL) update -d translations/framework -i translations/framework/messages.pot --no-wrap --ignore-obsolete

# National size: figures per role and page, and throughput (bench/run.py).
.PHONY: bench
bench: install i18n-compile
	$(PY) bench/run.py

# How long a list's export of 10,000 rows takes, as XLSX and CSV (bench/export.py).
.PHONY: bench-export
bench-export: install
	$(PY) bench/export.py
