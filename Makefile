# Two entry points: `make up` runs the exchange (`make demo`: with bots trading on it), `make test`
# runs every check. Both build the virtual environment in .venv on first use (and again whenever
# pyproject.toml, setup.py or a compiled module changes). `make up ARGS="--always-open"` passes options to `perpx up`.
PYTHON ?= python3
VENV ?= .venv
ARGS ?=

# the modules setup.py compiles with mypyc: editing one rebuilds the extension
COMPILED := $(shell sed -n 's/^ *"\(m[a-z]*\/[a-z_]*\.py\)",$$/\1/p' setup.py)
# every package mypy --strict checks (tests are not type-checked)
TYPED := messages matching margin streams ops views oracle funding engine_service api bots perpx

.PHONY: up demo test bench lint typecheck build

$(VENV)/.installed: pyproject.toml setup.py $(COMPILED)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "perpx needs Python 3.11 or newer; this is " + sys.version.split()[0])'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	@echo "Installing perpx and its dependencies into $(VENV); mypyc compiles the matching engine and margin"
	@echo "into a C extension (about 3 minutes the first time, about 1 after an edit of a compiled module)..."
	$(VENV)/bin/pip install --progress-bar off -e '.[dev]'
	touch $@
	@echo "Installed: $(VENV)/bin/perpx"

build: $(VENV)/.installed

up: $(VENV)/.installed
	$(VENV)/bin/perpx up $(ARGS)

demo: $(VENV)/.installed
	$(VENV)/bin/perpx demo $(ARGS)

test: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy --strict $(TYPED)
	$(VENV)/bin/pytest

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy --strict $(TYPED)

bench: $(VENV)/.installed
	$(VENV)/bin/perpx bench --mode matching --workload ../shared/bench/workload_n200000_seed42.csv
