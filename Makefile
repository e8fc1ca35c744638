# Two commands matter: `make demo` and `make test`. Both set up whatever is missing first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup system demo test lint docs clean

setup: system $(STAMP)

system:
	@PYTHON=$(PYTHON) scripts/ensure-system-packages.sh runtime test

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

demo: setup
	@scripts/run-demo.sh $(BIN)/kiosk

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest

docs: setup
	$(BIN)/python -m bridge.docs > docs/events.md
	$(BIN)/python -m kiosk.config_docs > docs/configuration.md

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
