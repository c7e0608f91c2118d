# Two commands: `make run` (set up, then validate, reason and answer every
# competency question) and `make test` (set up with test extras, lint, test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint fmt clean tools

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/zonekg validate
	$(BIN)/zonekg reason -o build/inferred.ttl
	$(BIN)/zonekg query --all

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

# Independent RDF parsers and Graphviz for the export tests (Debian packages).
TOOLS := serdi rapper dot
tools:
	@missing=; for t in $(TOOLS); do command -v $$t >/dev/null 2>&1 || missing=1; done; \
	if [ -n "$$missing" ]; then \
		apt-get update && \
		apt-get install -y -o DPkg::Lock::Timeout=300 serdi raptor2-utils graphviz; \
	fi

test: lint tools
	$(BIN)/python -m pytest

fmt: $(STAMP)
	$(BIN)/ruff format src tests
	$(BIN)/zonekg fmt

clean:
	rm -rf build $(VENV)
