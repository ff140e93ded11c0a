# collectscore: the two commands of the README, and a few helpers.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= build/demo

.PHONY: help install demo test lint format docs sample bench clean tools chromium report serve

help:
	@echo "make demo    create .venv, install, run the main job end to end"
	@echo "make test    install (if needed), run ruff and the whole test suite"
	@echo "make docs    regenerate the generated pages (contract, features, reason codes, strategy)"
	@echo "make sample  regenerate the committed sample in data/sample"
	@echo "make bench   run the benchmarks"
	@echo "make serve   start the HTTP scoring service (set COLLECTSCORE_API_KEYS first)"
	@echo "make report  write the champion's compliance report (report.html) and its screenshot"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,scale]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/collectscore demo --out $(DEMO_DIR)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Debian packages some tests use: chromium (the reports render in headless Chromium) and
# prometheus (promtool checks the service's alert rules). Installed when missing and
# possible (root with apt-get); otherwise the tests that need them say why they are skipped.
TOOLS := chromium=chromium promtool=prometheus
tools:
	@missing=""; for pair in $(TOOLS); do \
	  command -v "$${pair%%=*}" >/dev/null 2>&1 || missing="$$missing $${pair#*=}"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "not installed and cannot be installed here:$$missing (the tests that need them will be skipped)"; fi; fi

chromium: TOOLS := chromium=chromium
chromium: tools

test: lint tools
	$(BIN)/pytest

serve: $(STAMP)
	$(BIN)/collectscore serve

report: $(STAMP) chromium
	$(BIN)/collectscore report propensity --out report.html
	$(BIN)/python scripts/render_report.py report.html

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
	$(BIN)/python benchmarks/explain.py
	$(BIN)/python benchmarks/recommend.py
	$(BIN)/python benchmarks/serving.py
	$(BIN)/python benchmarks/scale.py

clean:
	rm -rf $(VENV) build .pytest_cache .ruff_cache
