# Two commands from a fresh clone: `make serve` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-stamp

.PHONY: setup serve build test check bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test,serve]'
	touch $(STAMP)

setup: $(STAMP)

## build the static tree into feeds/, then serve the live app on http://127.0.0.1:8000/
serve: setup
	$(BIN)/feedsmith build
	$(BIN)/feedsmith serve

build: setup
	$(BIN)/feedsmith build

## the test suite, then a validation of everything a build would publish
test: setup
	$(BIN)/pytest -q
	$(BIN)/feedsmith check --quiet

bench: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) feeds .feedsmith .pytest_cache .hypothesis
