# stengage: `make run` starts the platform, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
TEST_PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: install vendor translations messages run test test-sqlite test-postgres lint clean-vendor

install: $(VENV)/.installed
vendor: static/vendor/.installed
translations: install
	$(BIN)/pybabel compile -d stengage/translations >/dev/null

# Re-extract every user-facing string and merge it into the catalogues (then translate them).
messages: install
	$(BIN)/pybabel extract -F stengage/translations/babel.cfg -k _l -k lazy_gettext --no-location \
	  --ignore-dirs '.* __pycache__ node_modules' \
	  --sort-output --project stengage --copyright-holder stengage -o stengage/translations/messages.pot .
	$(BIN)/pybabel update -i stengage/translations/messages.pot -d stengage/translations --no-fuzzy-matching

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Third-party front-end code is installed from the npm registry and copied here, never committed.
static/vendor/.installed: node_modules/.package-lock.json
	rm -rf static/vendor && mkdir -p static/vendor/axe-core static/vendor/htmx static/vendor/leaflet
	cp node_modules/axe-core/axe.min.js static/vendor/axe-core/
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css \
	  node_modules/leaflet/dist/images static/vendor/leaflet/
	touch $@

run: install vendor translations
	STENGAGE_ENV=development $(FLASK) db upgrade
	STENGAGE_ENV=development $(FLASK) seed-demo --if-empty
	STENGAGE_ENV=development $(FLASK) run --host 127.0.0.1 --port 5000

lint: install
	$(BIN)/ruff check .

# The whole suite on SQLite (with the browser journeys), then again on PostgreSQL.
# pytest's exit code 5 ("no tests collected") is not a failure of the run itself.
test: install vendor translations lint test-sqlite test-postgres

test-sqlite:
	$(BIN)/pytest -q; rc=$$?; [ $$rc -eq 5 ] && rc=0; exit $$rc

test-postgres:
	@if [ -n "$$STENGAGE_REQUIRE_POSTGRES" ] || $(BIN)/python -c "import psycopg; psycopg.connect('$(subst +psycopg,,$(TEST_PG_URL))', connect_timeout=3).close()" 2>/dev/null; then \
	  STENGAGE_TEST_DATABASE_URL=$(TEST_PG_URL) $(BIN)/pytest -q -m "not e2e"; rc=$$?; [ $$rc -eq 5 ] && rc=0; exit $$rc; \
	else echo "PostgreSQL not reachable at $(TEST_PG_URL): skipping the PostgreSQL run (set STENGAGE_REQUIRE_POSTGRES=1 to require it)."; fi

clean-vendor:
	rm -rf node_modules static/vendor
