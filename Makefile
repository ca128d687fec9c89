# Two entry points: `make up` runs the exchange, `make test` runs every check. Both build the
# virtual environment in .venv on first use (and again whenever pyproject.toml changes).
PYTHON ?= python3
VENV ?= .venv

# the modules setup.py compiles with mypyc: editing one rebuilds the extension
COMPILED := $(shell sed -n 's/^ *"\(m[a-z]*\/[a-z_]*\.py\)",$$/\1/p' setup.py)

.PHONY: up test bench lint build

$(VENV)/.installed: pyproject.toml setup.py $(COMPILED)
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $@

build: $(VENV)/.installed

up: $(VENV)/.installed
	$(VENV)/bin/perpx up

test: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: $(VENV)/.installed
	$(VENV)/bin/perpx bench --mode matching --workload ../shared/bench/workload_n200000_seed42.csv
