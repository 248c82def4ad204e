# Two commands: `make run` serves the demo, `make test` runs the tests.
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
PORT ?= 8080
export PYTHONPATH := $(CURDIR)

.PHONY: run test install migrate demo test-sqlite test-postgres clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

migrate: install
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo load

run: demo i18n-compile
	@echo "Serving on http://127.0.0.1:$(PORT)"
	$(VENV)/bin/gunicorn --workers 2 --bind 127.0.0.1:$(PORT) --access-logfile - wsgi:app

# The suite runs on SQLite, then on PostgreSQL when TEST_DATABASE_URL names an empty database.
test: install i18n-compile i18n-check
	TEST_DATABASE_URL= $(PY) -m pytest -q
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL: $$TEST_DATABASE_URL"; \
		$(PY) -m pytest -q -p no:cacheprovider; \
	else echo "TEST_DATABASE_URL is unset: PostgreSQL tests skipped (.ci/run sets it)"; fi

clean:
	rm -rf $(VENV) instance .pytest_cache

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
