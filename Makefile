# Set-up and everyday commands. `make build` and `make test` work on a fresh machine:
# they create .venv, install mobcontent into it (with its test extras), then run.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: build test setup system-deps bench bench-serve clean ui-catalog

build: $(STAMP)
	$(BIN)/mobcontent build

test: $(STAMP)
	$(BIN)/python -m pytest

setup: $(STAMP)

$(STAMP): setup.cfg pyproject.toml
	@sh .ci/system-deps || true
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

system-deps:
	sh .ci/system-deps

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# The preview's edit-to-reload time in Chromium (docs/performance.md, "Preview").
bench-serve: $(STAMP)
	$(BIN)/python benchmarks/bench_serve.py --write

# The tool's own messages: extract them (Babel) and merge into the Vietnamese catalog.
ui-catalog: $(STAMP)
	$(BIN)/python scripts/ui_catalog.py

clean:
	rm -rf build $(VENV) *.egg-info .pytest_cache
