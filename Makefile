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

run: demo
	@echo "Serving on http://127.0.0.1:$(PORT)"
	$(VENV)/bin/gunicorn --workers 2 --bind 127.0.0.1:$(PORT) --access-logfile - wsgi:app

# The suite runs on SQLite, then on PostgreSQL when TEST_DATABASE_URL names an empty database.
test: install
	TEST_DATABASE_URL= $(PY) -m pytest -q
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL: $$TEST_DATABASE_URL"; \
		$(PY) -m pytest -q -p no:cacheprovider; \
	else echo "TEST_DATABASE_URL is unset: PostgreSQL tests skipped (.ci/run sets it)"; fi

clean:
	rm -rf $(VENV) instance .pytest_cache
