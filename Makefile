# The project's commands. Each one sets up what it needs first (a local .venv).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup reports test test-fast lab sample bench bench-large clean

$(STAMP): pyproject.toml
	@test -x "$(BIN)/python" || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

setup: $(STAMP)  ## create .venv and install the project

reports: setup  ## the main job: data/raw → data/processed → reports/
	$(BIN)/siianalysis build

test: setup  ## run the test suite, all of it (≈4 min on 2 cores)
	$(BIN)/python -m pytest -q

test-fast: setup  ## the tests that start no kernel, cluster or batch (≈1 min): while you work
	$(BIN)/python -m pytest -q -m "not slow"

lab: setup  ## JupyterLab on notebooks/ with the project's environment as kernel
	$(BIN)/jupyter lab notebooks/

sample: setup  ## regenerate the bundled sample worksheets in data/raw
	$(BIN)/siianalysis sample data/raw

bench: setup  ## issue 4's performance goals side by side → bench/results.md (≈6 min on 2 cores)
	$(BIN)/python bench/run.py

bench-large: setup  ## the benchmark plus the 1,000 and 7,255 tambon sizes (hours); issue 14's same-reports figures
	$(BIN)/python bench/large.py --sizes 200,1000,7255 --network 7255 --rebuild
	$(BIN)/python bench/run.py --large --out bench/results-large-full.md

clean:  ## remove derived data (never data/raw)
	rm -rf data/processed/*.parquet data/processed/*.csv reports/*
	@touch reports/.gitkeep
