# Relais — the two commands: `make run` (install, load demo data, serve) and `make test` (install, lint, test).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test install install-test lint format migrate demo basemap bench messages clean

$(VENV)/.installed: pyproject.toml constraints.txt node_modules/.installed
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e .
	sh scripts/write-dev-env.sh .env
	touch $@

# Leaflet, markercluster, protomaps-leaflet and Chart.js (served by the app), axe-core (accessibility scans in the tests).
node_modules/.installed: package.json package-lock.json
	sh scripts/ensure-debian.sh npm nodejs npm
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENV)/.test-installed: $(VENV)/.installed pyproject.toml constraints.txt
	$(PY) -m pip install -q -c constraints.txt -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.test-installed
	sh scripts/ensure-debian.sh chromium chromium

migrate: install
	DEBUG=1 $(PY) manage.py migrate --noinput -v 0

demo: migrate
	DEBUG=1 $(PY) manage.py load_demo

# The default basemap of the maps (vector PMTiles, RELAIS_BASEMAP_PATH, var/ is not versioned): built from the
# territory tables when missing, in a few seconds.
basemap: demo
	DEBUG=1 $(PY) manage.py build_basemap --if-missing

# Development: e-mails (printed on the console) are sent at once, without a separate `db_worker`.
run: basemap
	DEBUG=1 RELAIS_TASKS_BACKEND=$${RELAIS_TASKS_BACKEND:-django_tasks.backends.immediate.ImmediateBackend} \
		RELAIS_BASE_URL=$${RELAIS_BASE_URL:-http://127.0.0.1:$(PORT)} \
		$(PY) manage.py runserver 127.0.0.1:$(PORT)

lint: $(VENV)/.test-installed
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

format: $(VENV)/.test-installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: install-test lint
	RELAIS_TESTING=1 $(VENV)/bin/pytest $(PYTEST_ARGS)

# The near-point and directory benchmarks compare with GeoDjango on PostGIS: Debian's PostGIS, GDAL, GEOS.
bench: install-test
	$(PY) -m pip install -q -c constraints.txt -e '.[test,bench]'
	sh scripts/ensure-postgis.sh
	RELAIS_TESTING=1 $(PY) benchmarks/places_near.py
	RELAIS_TESTING=1 $(PY) benchmarks/directory.py
	RELAIS_TESTING=1 $(PY) benchmarks/spaces.py
	$(PY) benchmarks/coverage.py

# The catalogs after a change of interface text: English to translate in relais/locale/en, French completed
# for its plurals by scripts/french_plurals.py; both compiled (the .mo files are committed).
MESSAGE_SCAN = --ignore=.venv --ignore=node_modules --ignore=benchmarks
messages: install
	DEBUG=1 $(PY) manage.py makemessages -l en -l fr -v0 $(MESSAGE_SCAN)
	$(PY) scripts/french_plurals.py relais/locale/fr/LC_MESSAGES/django.po
	DEBUG=1 $(PY) manage.py compilemessages -v0 --ignore=.venv --ignore=node_modules

clean:
	rm -rf $(VENV) node_modules staticfiles var db.sqlite3 db.sqlite3-wal db.sqlite3-shm
