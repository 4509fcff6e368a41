# One entry point for students, lecturers, graders and CI.
#   make lab        open the course in JupyterLab
#   make test       run every test: unit, property and the notebooks under nbval
#   make notebooks  re-run every notebook in place from a fresh kernel (after changing the library)
#   make bench      speed of the backends, as ratios against numpy
#   make docs       redraw the pictures in docs/ that the README shows
#   make train-points / train-digits / train-sentiment   train the Module 4 examples (held-out accuracy at the end)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# JupyterLab refuses to start as root unless told; containers and CI run as root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
LAB_ARGS ?=

.PHONY: lab test notebooks bench docs clean train-points train-digits train-sentiment

# (Re)install whenever the dependency list changes. `pip install -e .` means edits to the
# library are seen by the notebooks at once.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[course,test]'
	touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(ROOT_FLAG) $(LAB_ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest tests notebooks --nbval --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg

notebooks: $(STAMP)
	$(BIN)/python tools/run_notebooks.py notebooks

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

train-points: $(STAMP)
	$(BIN)/python examples/train_points.py

train-digits: $(STAMP)
	$(BIN)/python examples/train_digits.py

train-sentiment: $(STAMP)
	$(BIN)/python examples/train_sentiment.py

docs: $(STAMP)
	$(BIN)/python -m diagrams.make_docs docs

clean:
	rm -rf $(VENV) .hypothesis
	find . -name __pycache__ -prune -exec rm -rf {} +
