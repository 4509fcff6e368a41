# One entry point for students, lecturers, graders and CI.
#   make lab           open the course in JupyterLab (trusts the course's notebooks first, so pictures show)
#   make test          run every test: unit, property and the notebooks under nbval
#   make notebooks     re-run every notebook in place from a fresh kernel (after changing the library)
#   make slides        one offline reveal.js deck per notebook in build/slides/
#   make test-browser  the course in a real browser (JupyterLab, widgets, slide decks): needs Chromium
#   make bench         speed of the backends, as ratios against numpy
#   make docs          redraw the pictures in docs/ that the README shows

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# JupyterLab refuses to start as root unless told; containers and CI run as root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
LAB_ARGS ?=
NOTEBOOKS := $(shell find notebooks -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' | sort)

.PHONY: lab trust test notebooks slides test-browser bench docs clean

# (Re)install whenever the dependency list changes. `pip install -e .` means edits to the
# library are seen by the notebooks at once.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[course,test]'
	touch $(STAMP)

# What only the slides and the browser tests need, installed on first use.
$(VENV)/.slides: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[slides]'
	touch $@
$(VENV)/.browser: $(VENV)/.slides
	$(BIN)/python -m pip install --quiet -e '.[browser]'
	touch $@

# JupyterLab shows the saved pictures (SVG) of a notebook only if it is trusted, and trust is per
# user and per machine (a signature in Jupyter's data folder): a fresh clone is untrusted. These
# notebooks are the course's own, saved from a real run, so `make lab` trusts them, and only them.
trust: $(STAMP)
	$(BIN)/jupyter trust $(NOTEBOOKS)

lab: trust
	$(BIN)/jupyter lab --notebook-dir=notebooks $(ROOT_FLAG) $(LAB_ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest tests notebooks --nbval --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg -m "not browser"

# tools/run_notebooks.py signs what it writes, so the re-run notebooks stay trusted for you.
notebooks: $(STAMP)
	$(BIN)/python tools/run_notebooks.py notebooks

slides: $(VENV)/.slides
	$(BIN)/python tools/build_slides.py --out build/slides notebooks

test-browser: $(VENV)/.browser
	$(BIN)/python -m pytest tests/test_browser.py -m browser

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

docs: $(STAMP)
	$(BIN)/python -m diagrams.make_docs docs

clean:
	rm -rf $(VENV) .hypothesis build
	find . -name __pycache__ -prune -exec rm -rf {} +
