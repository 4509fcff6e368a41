# One entry point for students, lecturers, graders and CI.
#   make lab           open the course in JupyterLab (trusts the course's notebooks first, so pictures show)
#   make test          run every test: make test-unit, then test-cuda, then test-browser
#   make test-unit     the library, drawings, course tools and the notebooks under strict nbval
#   make notebooks     re-run every notebook in place from a fresh kernel (after changing the library)
#   make slides        one offline reveal.js deck per notebook in build/slides/
#   make test-browser  the course in a real browser (JupyterLab, widgets, slide decks): needs Chromium
#   make bench         speed of the backends, as ratios against numpy
#   make test-cuda     the CUDA backend's tests under numba's simulator (no GPU needed)
#   make docs          redraw the pictures in docs/ that the README shows
#   make train-points / train-digits / train-sentiment   train the Module 4 examples (held-out accuracy at the end)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# JupyterLab refuses to start as root unless told; containers and CI run as root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
LAB_ARGS ?=
NOTEBOOKS := $(shell find notebooks -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' | sort)

.PHONY: lab trust test test-unit notebooks slides test-browser test-cuda bench docs clean train-points train-digits train-sentiment

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

# Every test, in three pytest processes: the library, drawings, course tools and notebooks (strict
# nbval); the CUDA backend under numba's simulator; the course in a real browser (Debian's chromium).
test: test-unit test-cuda test-browser

# -n: one pytest worker per core (pytest-xdist); --dist loadfile keeps each file, and so each
# notebook's cells and their kernel, in one worker, in order.
XDIST ?= -n auto --dist loadfile

test-unit: $(STAMP)
	$(BIN)/python -m pytest $(XDIST) tests notebooks --nbval --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg -m "not browser"

# Its own pytest process: NUMBA_ENABLE_CUDASIM is read once, when numba is imported, and
# would turn every CUDA call of the process into the simulator. -k cuda keeps the cuda cases
# of the backend-parametrised tests (and test_cuda.py); the "cuda" profile takes fewer examples.
# -n auto: the simulator runs every GPU thread as Python, so one worker per core.
# The 20000-operation graph tests the engine, not the kernels (40000 simulated launches).
CUDA_TESTS := tests/test_cuda.py tests/test_tensor.py tests/test_tensor_grad.py tests/test_tensor_errors.py \
	tests/test_tensor_op_table.py tests/test_minitorch_compat.py tests/test_fast_ops.py
test-cuda: $(STAMP)
	NUMBA_ENABLE_CUDASIM=1 HYPOTHESIS_PROFILE=cuda $(BIN)/python -m pytest -n auto $(CUDA_TESTS) -q \
		-k "cuda and not 20000_operations"

# tools/run_notebooks.py signs what it writes, so the re-run notebooks stay trusted for you.
notebooks: $(STAMP)
	$(BIN)/python tools/run_notebooks.py notebooks

slides: $(VENV)/.slides
	$(BIN)/python tools/build_slides.py --out build/slides notebooks

# -n 2: two JupyterLab servers and two Chromiums, one per pytest worker (a notebook's Run All
# waits on its kernel; the other worker's browser renders meanwhile).
test-browser: $(VENV)/.browser
	@test -x /usr/bin/chromium || { echo "make test-browser needs Debian's chromium at /usr/bin/chromium: apt-get install chromium (.ci/run does)"; exit 1; }
	$(BIN)/python -m pytest -n 2 tests/test_browser.py -m browser

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
	rm -rf $(VENV) .hypothesis build
	find . -name __pycache__ -prune -exec rm -rf {} +
