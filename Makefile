# collectscore: the two commands of the README, and a few helpers.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= build/demo

.PHONY: help install demo test lint format docs sample bench clean

help:
	@echo "make demo    create .venv, install, run the main job end to end"
	@echo "make test    install (if needed), run ruff and the whole test suite"
	@echo "make docs    regenerate docs/contract.md from the contract declarations"
	@echo "make sample  regenerate the committed sample in data/sample"
	@echo "make bench   run the benchmarks"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/collectscore demo --out $(DEMO_DIR)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/pytest

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

docs: $(STAMP)
	$(BIN)/pytest tests/test_docs.py tests/features/test_categorize.py tests/strategy/test_strategy_dataset.py::test_the_strategy_page_matches_the_declarations --regenerate-golden -q

sample: $(STAMP)
	$(BIN)/pytest tests/test_sample_data.py --regenerate-golden -q

bench: $(STAMP)
	$(BIN)/python benchmarks/sample_generation.py
	$(BIN)/python benchmarks/features.py
	$(BIN)/python benchmarks/categorize.py
	$(BIN)/python benchmarks/feature_quality.py
	$(BIN)/python benchmarks/propensity_synthetic.py
	$(BIN)/python benchmarks/taiwan_cv.py
	$(BIN)/python benchmarks/contact_policy.py

clean:
	rm -rf $(VENV) build .pytest_cache .ruff_cache
