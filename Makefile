# Pranikah Kupang — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PORT   ?= 5000
export PORT  # config.py: links and QR codes point at the port served (unless PUBLIC_BASE_URL)
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app course_app
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run run-prod test test-fast test-pg test-clock faketime install install-dev lock translations extract-messages chromium db demo lint bench load wrk clean

## make run: set up everything on the embedded SQLite database and serve on 127.0.0.1:$(PORT)
run: install translations
	$(FLASK) db upgrade
	$(FLASK) content load
	$(FLASK) keys generate --if-missing
	$(FLASK) demo
	@echo "Serving on http://127.0.0.1:$(PORT)  (demo accounts above; Ctrl+C stops)"
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

## make run-prod: gunicorn with the production config (needs SECRET_KEY and MAIL_SERVER; DATABASE_URL recommended)
run-prod: install translations
	APP_ENV=production $(FLASK) db upgrade
	APP_ENV=production $(BIN)/gunicorn --bind 127.0.0.1:$(PORT) --workers 2 --access-logfile - \
		--access-logformat '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms' "course_app:create_app()"

## The suite runs in TEST_WORKERS processes (pytest-xdist), each with its own database
## (tests/conftest.py); worksteal hands the tests left of a busy worker to an idle one, so the
## long browser journeys don't hold up the end. TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= 2
PYTEST_PARALLEL := -n $(TEST_WORKERS) --dist worksteal

## make test: install what the tests need (Chromium included) and run the whole suite
test: install-dev translations chromium
	$(BIN)/pytest $(PYTEST_PARALLEL)

## make test-fast: the unit and web tests only (no Chromium, no throwaway PostgreSQL)
test-fast: install-dev translations
	$(BIN)/pytest $(PYTEST_PARALLEL) -m "not browser and not faults" tests/unit tests/web

## make test-pg: the same suite on the local PostgreSQL
test-pg:
	DATABASE_URL=$(PG_TEST_URL) $(MAKE) test

## make test-clock: unit and web tests with the whole process clock moved (libfaketime) to
## 16:30 and 23:30 UTC of today: 00:30 and 07:30 in Kupang, when the server's date is a day behind.
## The monotonic clock stays real: timed waits (threading.Timer) would otherwise sleep for hours.
CLOCK_TIMES ?= 16:30:00 23:30:00
test-clock: install-dev translations faketime
	@set -e; day=$$(date -u +%F); for at in $(CLOCK_TIMES); do \
		echo "== unit and web tests at $$day $$at UTC =="; \
		TZ=UTC FAKETIME_DONT_FAKE_MONOTONIC=1 faketime "$$day $$at" $(BIN)/pytest $(PYTEST_PARALLEL) -q tests/unit tests/web; \
	done

faketime:
	@command -v faketime >/dev/null 2>&1 || (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q faketime)

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

## Installs come from the locks (every package pinned, with hashes); a changed lock re-installs.
$(VENV)/.installed: requirements.lock | $(BIN)/activate
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock $(VENV)/.installed
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

## make lock: regenerate requirements.lock and requirements-dev.lock (pip-tools, with hashes) after
## changing requirements*.txt; existing pins are kept. LOCK_ARGS=--upgrade moves everything to
## the newest allowed releases. The dev lock is constrained by the runtime lock, so both agree.
LOCK_ARGS ?=
PIP_COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes \
	--allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links $(LOCK_ARGS)
lock: | $(BIN)/activate
	@test -x $(BIN)/pip-compile || $(BIN)/pip install --quiet "$$(grep -o '^pip-tools==[^ ]*' requirements-dev.txt)"
	$(PIP_COMPILE) -o requirements.lock requirements.txt
	$(PIP_COMPILE) -c requirements.lock -o requirements-dev.lock requirements-dev.txt

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

translations: install
	$(BIN)/pybabel compile --use-fuzzy -d course_app/translations -D messages --statistics 2>&1 | tail -n 2

extract-messages: install
	$(BIN)/pybabel extract -F course_app/translations/babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o course_app/translations/messages.pot .
	$(BIN)/pybabel update -i course_app/translations/messages.pot -d course_app/translations --no-fuzzy-matching

chromium:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium)

lint: install-dev
	$(BIN)/ruff check course_app tests bench config.py

clean:
	rm -rf $(VENV) instance/*.sqlite3 .pytest_cache

## make bench: measure every target of product §9 and print a table (wrk loads gunicorn)
bench: install wrk
	$(BIN)/python bench/run.py

## make load: 2-minute-bounded load test: quizzes and verification at once, gunicorn on a
## throwaway PostgreSQL database on 127.0.0.1:5432 (LOAD_PG_URL overrides; dropped afterwards)
load: install-dev
	$(BIN)/python bench/load.py

wrk:
	@command -v wrk >/dev/null 2>&1 || (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk)
