# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PLUGINS := $(sort $(wildcard plugins/*/pyproject.toml))
STAMP  := $(VENV)/.gridgov-installed
DEMO_STAMP := $(VENV)/.gridgov-demo-installed

.PHONY: demo test docs lint typecheck pytest bench bench-tree bench-coverage bench-roster bench-store bench-outbox clean install

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Core with its test extras, then every plugin under plugins/ with its own.
$(STAMP): $(BIN)/python pyproject.toml $(PLUGINS)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@for p in $(dir $(PLUGINS)); do \
		echo "installing plugin $$p"; \
		$(BIN)/python -m pip install --quiet -e "$${p}[test]" || exit 1; \
	done
	@touch $@

$(DEMO_STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[cli]'
	@touch $@

install: $(STAMP)

demo: $(DEMO_STAMP)
	$(BIN)/gridgov demo

LINTED := src tests benchmarks plugins docs/conf.py docs/_ext

lint: $(STAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

typecheck: $(STAMP)
	$(BIN)/mypy src $(wildcard plugins/*/src)

# Every core by default (pytest-xdist), a test file a worker at a time (--dist loadfile:
# what a file's tests share, module fixtures, the doc blocks' demo and fork server, is made
# once). PYTEST_WORKERS=0 runs in this one process, as a plain `pytest` does.
PYTEST_WORKERS ?= auto

pytest: $(STAMP)
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile

test: lint typecheck pytest

DOCS_STAMP := $(VENV)/.gridgov-docs-installed

$(DOCS_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[docs]'
	@touch $@

# The documentation site (Sphinx + furo + MyST), warnings are errors; -E rereads every
# page because the references are generated from the code, which Sphinx does not watch.
docs: $(DOCS_STAMP)
	rm -rf docs/_build/html
	$(BIN)/sphinx-build -E -W --keep-going -q -b html docs docs/_build/html
	@echo "docs: docs/_build/html/index.html"

BENCH_STAMP := $(VENV)/.gridgov-bench-installed

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	@touch $@

# Each benchmark prints JSON rows comparing gridgov with its peers in the same run.
bench-tree: $(BENCH_STAMP)
	$(BIN)/python benchmarks/bench_tree.py
bench-coverage: $(BENCH_STAMP)
	$(BIN)/python benchmarks/bench_coverage.py
bench-roster: $(BENCH_STAMP)
	$(BIN)/python benchmarks/bench_roster.py --time-limit 60 --seeds 0,1,2 --jobs 2
bench-store: $(BENCH_STAMP)
	$(BIN)/python benchmarks/bench_store.py
bench-outbox: $(BENCH_STAMP)
	$(BIN)/python benchmarks/bench_outbox.py

bench: bench-tree bench-coverage bench-roster bench-store bench-outbox

clean:
	rm -rf $(VENV) docs/_build .mypy_cache .ruff_cache .pytest_cache .hypothesis gridgov-demo
