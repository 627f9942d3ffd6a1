# The two commands of the README: `make demo` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
PYTEST := $(PY) -m pytest
STAMP := $(VENV)/.installed-stamp
DEMO_ENV := DJANGO_DEBUG=1
# Two workers on CI's two cores; override with `make test JOBS=1`.
JOBS ?= 2

.PHONY: demo test test-worker install lint bench e2e messages clean-demo contract

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# seed_demo ends by printing the accounts, what each finds today and a respondent link to try;
# it runs right before the server, so that is what the console shows above the server's banner.
demo: $(STAMP)
	$(DEMO_ENV) $(PY) manage.py compilemessages --ignore=.venv -v0 || true
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py seed_demo
	$(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:8000

# The whole suite (SQLite unless DATABASE_URL is set). pytest exits 5 when no test ran,
# and make fails with it.
test: $(STAMP)
	$(PYTEST) -q -n $(JOBS) -m "not worker" --dist loadfile

# Tests that need a real Celery worker and Redis (REDIS_URL); CI runs them.
test-worker: $(STAMP)
	$(PYTEST) -q -m worker -p no:xdist

e2e: $(STAMP)
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(PYTEST) -q -m e2e -p no:xdist

lint: $(STAMP)
	$(VENV)/bin/ruff check .

bench: $(STAMP)
	ONLY=$(ONLY) $(PY) benchmarks/run.py

# Extract, then compile the English catalogue (translate every new entry in between; see tests/test_i18n.py).
messages: $(STAMP)
	$(DEMO_ENV) $(PY) manage.py makemessages -l en --ignore=.venv --ignore=node_modules --ignore=benchmarks --no-obsolete
	$(DEMO_ENV) $(PY) manage.py compilemessages --ignore=.venv

contract: $(STAMP)
	$(PY) ../shared/contract/check.py
