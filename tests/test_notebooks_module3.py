"""Module 3's notebooks (parallel computation, matrix multiply, GPU programming): what each must contain.

The general conventions (execution counts, slide metadata, raising cells, hidden drawing code) are
checked for every notebook by tests/test_notebooks.py; the outputs themselves by strict nbval.
"""

from __future__ import annotations

import pathlib
import re

import pytest

import notebook_cells
from notebook_cells import outputs_text, text

ROOT = pathlib.Path(__file__).resolve().parents[1]
MODULE3 = {
    "1-parallel": ["3.1"],
    "2-matmul": ["3.2"],
    "3-gpu": ["3.3", "3.4", "3.5"],
}
# the pictures each notebook is there to show (diagrams.parallel_draw, diagrams.cuda_draw)
PICTURES = {
    "1-parallel": ["prange_split(", "aligned_diagram(", "runs_diagram("],
    "2-matmul": ["product_memory_diagram(", "blocked_matmul_diagram("],
    "3-gpu": ["image_map(", "image_grid2d(", "image_sharedmem(", "image_reduce(", "image_tiled_matmul("],
}


def cells(stem: str) -> list:
    return notebook_cells.cells(f"module3/{stem}")


def has_picture(cell: dict) -> bool:
    return any("image/svg+xml" in o.get("data", {}) for o in cell.get("outputs", []))


@pytest.mark.parametrize("stem", MODULE3)
def test_opens_with_what_you_will_learn_and_has_a_check_yourself(stem):
    nb = cells(stem)
    assert nb[0]["cell_type"] == "markdown" and "What you will learn" in text(nb[0])
    assert any(c["cell_type"] == "markdown" and "## Check yourself" in text(c) for c in nb)
    for c in nb:
        if "Check yourself" in text(c):
            assert c["cell_type"] == "markdown", f"{stem}: a check-yourself question in a code cell"


@pytest.mark.parametrize("stem", PICTURES)
def test_each_idea_is_drawn(stem):
    nb = cells(stem)
    for call in PICTURES[stem]:
        found = [c for c in nb if c["cell_type"] == "code" and call in text(c)]
        assert found, f"{stem} never calls {call}"
        assert has_picture(found[0]), f"{stem}: the {call} cell has no saved picture"


@pytest.mark.parametrize("stem", MODULE3)
def test_each_task_has_its_tagged_cell_and_it_passed(stem):
    nb = cells(stem)
    for task in MODULE3[stem]:
        tagged = [c for c in nb if f"task-{task}" in c["metadata"].get("tags", [])]
        assert tagged, f"{stem}: no cell tagged task-{task}"
        checks = [c for c in tagged if f'check("{task}")' in text(c)]
        for cell in checks:
            assert f"Task {task} " in outputs_text(cell) and ": pass" in outputs_text(cell), \
                f"{stem}: the saved check of task {task} did not pass"


def test_the_catalogue_points_at_these_cells():
    import tomllib

    catalogue = tomllib.loads((ROOT / "course" / "tasks.toml").read_text())
    for stem, tasks in MODULE3.items():
        ids = {c.get("id") for c in cells(stem)}
        for task in tasks:
            entry = next(t for t in catalogue["task"] if t["id"] == task)
            refs = [r for r in entry.get("cells", []) if r.startswith(f"notebooks/module3/{stem}.ipynb#")]
            assert refs, f"task {task} lists no cell of {stem}"
            for ref in refs:
                assert ref.split("#", 1)[1] in ids, f"{ref}: no such cell"


TIMING = re.compile(r"\bratio\(|best_time\(|\.seconds\b|get_num_threads\(")


@pytest.mark.parametrize("stem", MODULE3)
def test_timings_are_not_compared_by_nbval(stem):
    # a cell that prints a measured time, ratio or thread count must say NBVAL_IGNORE_OUTPUT (and why:
    # tests/test_notebooks.py); the definitions of the timers themselves print nothing
    for c in cells(stem):
        if c["cell_type"] != "code":
            continue
        src = text(c)
        lines = src.splitlines()
        prints_timing = any(TIMING.search(line) and "print(" in line for line in lines)
        if prints_timing:
            assert "# NBVAL_IGNORE_OUTPUT" in lines, f"{stem}: a timing cell compared by nbval: {src[:80]!r}"


def test_ratios_not_seconds_in_the_cpu_notebooks():
    for stem in ("1-parallel", "2-matmul"):
        for c in cells(stem):
            if c["cell_type"] == "code" and "# NBVAL_IGNORE_OUTPUT" in text(c):
                out = outputs_text(c)
                assert not re.search(r"\d\s*(s|ms|us)\b", out), f"{stem}: prints a time, not a ratio: {out[:120]!r}"


def test_the_gpu_notebook_switches_the_simulator_on_before_numba_is_imported():
    nb = [c for c in cells("3-gpu") if c["cell_type"] == "code"]
    first_sim = next(i for i, c in enumerate(nb) if 'os.environ["NUMBA_ENABLE_CUDASIM"] = "1"' in text(c))
    first_numba = next(i for i, c in enumerate(nb) if re.search(r"^\s*(import numba|from numba|import autograd|from autograd)",
                                                               text(c), re.M))
    assert first_sim < first_numba
    assert "CUDA simulator: True" in outputs_text(nb[first_sim + 1])
