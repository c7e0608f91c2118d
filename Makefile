# Two commands: `make run` (set up, then validate, reason and answer every
# competency question) and `make test` (set up with test extras, lint, test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUN_STAMP := $(VENV)/.installed-run

.PHONY: run test check lint fmt schema-closure clean tools vendor chromium ckan jsonld-js bench bench-scale bench-remote

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# `make run` installs what running needs; `make test` adds the test extras.
$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUN_STAMP)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP) $(RUN_STAMP)

# One load for the whole pipeline: validate, reason (closure to build/inferred.ttl), every question.
run: $(RUN_STAMP)
	$(BIN)/zonekg run -o build/inferred.ttl

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports

# Independent RDF parsers and Graphviz for the export tests, Apache Jena (its riot reads our
# JSON-LD as a JSON-LD 1.0 processor; Debian ships the jars, tests/jena_support.py runs them)
# and Virtuoso 7 for the remote-store tests (they start their own on 127.0.0.1; no service
# is enabled) (Debian packages).
TOOLS := serdi rapper dot virtuoso-t isql-vt java
JARS := /usr/share/java/jena-cmds.jar
tools:
	@missing=; for t in $(TOOLS); do command -v $$t >/dev/null 2>&1 || missing=1; done; \
	for j in $(JARS); do [ -f $$j ] || missing=1; done; \
	if [ -n "$$missing" ]; then \
		apt-get update && \
		apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=300 \
			serdi raptor2-utils graphviz virtuoso-opensource-7-bin \
			libapache-jena-java default-jre-headless; \
	fi

# The tests run in parallel worker processes (pytest-xdist), a module to a worker (loadfile), so
# that a module's fixtures (a server, a bundle, a wheel) are made once; the long modules whose
# tests are independent are handed out test by test, the long work first (tests/conftest.py:
# SPREAD and the order; --no-loadscope-reorder keeps that order).
# PYTEST_ARGS adds options, e.g. `make check PYTEST_ARGS="--durations=20"`.
TEST_WORKERS ?= 3
PYTEST := $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder \
	$(PYTEST_ARGS)

test: lint tools vendor chromium ckan jsonld-js
	$(PYTEST)

# The quick loop: lint and the tests not marked slow (every test runs in `make test`).
check: lint tools vendor
	$(PYTEST) -m "not slow"

fmt: $(STAMP)
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/zonekg fmt

# What owlrl adds to the project's schema, shipped so that a first reasoning run does not
# pay owlrl's 1.2 s; test_reasoning_cache says when the ontology changed and it is stale.
schema-closure: $(STAMP)
	$(BIN)/python -c 'from zonekg.api.reasoning import write_shipped_schema as w; print(w())'

clean:
	rm -rf build $(VENV)

# The query page's SPARQL editor (YASGUI, MIT) comes from the npm registry at the
# version pinned in package-lock.json and is copied into the package, so pages never
# load code from a CDN. The copy is git-ignored (about 1 MB minified).
WEB := src/zonekg/web
VENDOR := $(WEB)/static/vendor/yasgui.min.js

vendor: $(VENDOR)

$(VENDOR): $(WEB)/package.json $(WEB)/package-lock.json
	command -v npm >/dev/null || (apt-get update && apt-get install -y npm)
	rm -rf build/npm && mkdir -p build/npm $(WEB)/static/vendor
	cp $(WEB)/package.json $(WEB)/package-lock.json build/npm/
	cd build/npm && npm ci --ignore-scripts --no-audit --no-fund
	cp build/npm/node_modules/@zazuko/yasgui/build/yasgui.min.css $(WEB)/static/vendor/
	cp build/npm/node_modules/@zazuko/yasgui/build/yasgui.min.js $(VENDOR)

# jsonld.js (the npm package `jsonld`), the JavaScript JSON-LD processor that
# tests/test_jsonld_processors.py reads every JSON-LD output with, at the version pinned in
# tests/jsonld-js/package-lock.json; installed into build/, never into the package.
JSONLD_JS := build/jsonld-js/node_modules/jsonld/package.json

jsonld-js: $(JSONLD_JS)

$(JSONLD_JS): tests/jsonld-js/package.json tests/jsonld-js/package-lock.json
	command -v npm >/dev/null || (apt-get update && apt-get install -y npm)
	rm -rf build/jsonld-js && mkdir -p build/jsonld-js
	cp tests/jsonld-js/package.json tests/jsonld-js/package-lock.json build/jsonld-js/
	cd build/jsonld-js && npm ci --ignore-scripts --no-audit --no-fund

# CKAN's DCAT extension for tests/test_dcat.py, which checks that a data portal harvests the
# release description. It lives in a venv of its own (CKAN pins versions the project does not
# share) and is run as a program, never imported into the project's venv.
CKAN_VENV := build/ckan-venv
CKAN_PACKAGES := ckanext-dcat==2.4.4 ckan==2.12.0 "sqlalchemy>=2.0,<2.1" flask flask-login \
	flask-babel simplejson msgspec tzlocal dominate markdown nh3 polib file-keeper alembic \
	requests passlib webassets packaging rq pysolr pyjwt

ckan: $(CKAN_VENV)/.installed

$(CKAN_VENV)/.installed: Makefile
	$(PYTHON) -m venv $(CKAN_VENV)
	$(CKAN_VENV)/bin/python -m pip install --quiet $(CKAN_PACKAGES)
	touch $@

# Debian's chromium for the browser tests (Playwright drives it; no browser download).
# A CJK font so that pages with Chinese and Japanese names render in screenshots.
chromium:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null \
		|| ! dpkg -s fonts-wqy-zenhei >/dev/null 2>&1; then \
		apt-get update && apt-get install -y chromium chromium-driver fonts-wqy-zenhei; fi

# Load benchmark of `zonekg serve` (not part of make test).
bench: $(STAMP) vendor bench-scale
	$(BIN)/python benchmarks/bench_serve.py

# The pipeline as users run it at 100k and 1M generated triples, beside the
# libraries it is built on and the reference engine (capped, reported as timed out);
# it ends with each target of issue 19, PASS or MISS.
# The bytecode is compiled first, as pip compiles an installed wheel's (where
# PYTHONDONTWRITEBYTECODE=1 is set, every cold process would compile zonekg from source).
bench-scale: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m compileall -q src >/dev/null
	$(BIN)/python benchmarks/bench_scale.py

# The pipeline inside a Virtuoso 7 store at 1M generated triples (push, validate, reason,
# every question), each answer against the embedded one (not part of make test; about
# half an hour on two cores). BENCH_REMOTE_ARGS="--size 100k" for a quick run.
bench-remote: $(STAMP) tools
	$(BIN)/python -m compileall -q src >/dev/null
	$(BIN)/python benchmarks/bench_remote.py $(BENCH_REMOTE_ARGS)
