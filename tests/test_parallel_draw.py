"""Module 3's pictures (diagrams.parallel_draw and the reduction / 2-D grid / tiled matmul pictures
appended to diagrams.cuda_draw): named cells, sizes, that each picture follows its arguments, that it
fits a 1280 x 720 slide and is the same SVG in a new process."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest

import diagrams  # noqa: F401  (installs the display hooks)
from diagrams import cuda_draw as cu
from diagrams import display
from diagrams import parallel_draw as pd
from diagrams.drawing import light_grey, papaya, white
from diagrams.probe import cell_fill, cell_location, cell_text

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def has(d, name) -> bool:
    return d.get_subdiagram(name) is not None


def line_colors(d, name):
    from diagrams.probe import _walk

    sub = d.get_subdiagram(name)
    return [p.style.line_color_.hex_l for p in _walk(sub.diagram) if p.style.line_color_ is not None]


# ---------------------------------------------------------------- prange and the fast paths
@pytest.mark.parametrize("size, threads, pieces", [(12, 3, [4, 4, 4]), (10, 4, [3, 3, 2, 2]), (5, 1, [5])])
def test_prange_split_gives_each_thread_one_contiguous_piece(size, threads, pieces):
    d = pd.prange_split(size, threads)
    owner = [t for t, n in enumerate(pieces) for _ in range(n)]
    for i in range(size):
        assert cell_text(d, ("out", i)) == str(i)
        assert cell_fill(d, ("out", i)) == pd.worker_color(owner[i]).hex_l
    assert not has(d, ("out", size))
    assert all(has(d, ("thread", t)) for t in range(threads))
    # cells left to right in order
    xs = [cell_location(d, ("out", i))[0] for i in range(size)]
    assert xs == sorted(xs)


def test_prange_split_shows_idle_threads():
    d = pd.prange_split(2, 4)
    assert cell_fill(d, ("out", 0)) != cell_fill(d, ("out", 1))
    assert has(d, ("thread", 3))
    with pytest.raises(ValueError, match="at least 1"):
        pd.prange_split(0, 2)


def test_aligned_diagram_puts_position_i_under_position_i():
    d = pd.aligned_diagram(6)
    for i in range(6):
        ax, ay = cell_location(d, ("a", i))
        ox, oy = cell_location(d, ("out", i))
        assert ax == pytest.approx(ox) and oy > ay
    assert not has(d, ("a", 6))


def test_runs_diagram_marks_one_start_per_run():
    d = pd.runs_diagram((3, 10), 4)
    starts = [(i, r) for i in range(3) for r in range(5) if has(d, ("start", i, r))]
    assert starts == [(i, r) for i in range(3) for r in range(3)]  # ceil(10 / 4) = 3 runs a row
    # a run is one colour, the next run another
    assert cell_fill(d, ("out", 0, 0)) == cell_fill(d, ("out", 0, 3))
    assert cell_fill(d, ("out", 0, 3)) != cell_fill(d, ("out", 0, 4))
    assert cell_fill(d, ("out", 0, 0)) != cell_fill(d, ("out", 1, 0))
    with pytest.raises(ValueError, match="2-D"):
        pd.runs_diagram((2, 3, 4), 2)


# ---------------------------------------------------------------- matrix multiply
def test_product_memory_diagram_has_every_product():
    d = pd.product_memory_diagram(2, 4, 3)
    assert all(has(d, ("prod", k, i, j)) for k in range(4) for i in range(2) for j in range(3))
    assert not has(d, ("prod", 4, 0, 0))
    assert all(has(d, ("out", 0, i, j)) for i in range(2) for j in range(3))
    with pytest.raises(ValueError, match="small"):
        pd.product_memory_diagram(10, 10, 10)


def test_blocked_matmul_colours_row_blocks_and_tints_the_tile():
    d = pd.blocked_matmul_diagram(n=8, m=6, p=5, rows=4, tile=2)
    assert cell_fill(d, ("out", 0, 0)) == cell_fill(d, ("out", 3, 4)) == pd.worker_color(0).hex_l
    assert cell_fill(d, ("out", 4, 0)) == pd.worker_color(1).hex_l
    tint = cell_fill(d, ("b", 0, 0))
    assert tint not in (white.hex_l, pd.worker_color(0).hex_l)
    assert cell_fill(d, ("b", 1, 4)) == tint and cell_fill(d, ("b", 2, 0)) == white.hex_l  # tile = rows 0, 1
    assert cell_fill(d, ("a", 0, 1)) == tint and cell_fill(d, ("a", 0, 2)) != tint
    assert cell_fill(d, ("a", 4, 0)) == white.hex_l  # not this task's rows
    # classic layout: a left of out (same rows), b above out (same columns)
    assert cell_location(d, ("a", 2, 5))[1] == pytest.approx(cell_location(d, ("out", 2, 0))[1])
    assert cell_location(d, ("b", 5, 3))[0] == pytest.approx(cell_location(d, ("out", 0, 3))[0])
    assert not has(d, ("out", 8, 0)) and not has(d, ("b", 6, 0))


# ---------------------------------------------------------------- GPU pictures
def test_image_reduce_shows_the_partial_sums_of_a_real_run():
    vals = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0]
    d = cu.image_reduce(vals)
    assert [cell_text(d, ("shared", 0, k)) for k in range(8)] == ["3", "1", "4", "1", "5", "9", "2", "6"]
    assert [cell_text(d, ("shared", 1, k)) for k in range(4)] == ["8", "10", "6", "7"]
    assert [cell_text(d, ("shared", 2, k)) for k in range(2)] == ["14", "17"]
    assert cell_text(d, ("shared", 3, 0)) == "31"
    assert not has(d, ("shared", 4, 0))
    # cells no longer in use are grey; the threads at work are outlined in papaya
    assert cell_fill(d, ("shared", 1, 4)) == light_grey.hex_l and cell_fill(d, ("shared", 1, 3)) == white.hex_l
    assert papaya.hex_l in line_colors(d, ("shared", 2, 1)) and papaya.hex_l not in line_colors(d, ("shared", 2, 2))
    assert cell_text(cu.image_reduce(size=4), ("shared", 2, 0)) == "10"  # 1 + 2 + 3 + 4
    with pytest.raises(ValueError, match="power of two"):
        cu.image_reduce([1.0, 2.0, 3.0])


def test_image_grid2d_covers_the_output_with_blocks():
    d = cu.image_grid2d(5, 7, (4, 3))
    assert all(has(d, ("block", bx, by)) for bx in range(2) for by in range(2))
    assert not has(d, ("block", 2, 0)) and not has(d, ("block", 0, 2))
    assert all(has(d, ("out", i, j)) for i in range(5) for j in range(7))
    assert not has(d, ("out", 5, 0)) and not has(d, ("out", 0, 7))  # past the edge: idle, unnamed
    assert cell_fill(d, ("block", 0, 0)) != cell_fill(d, ("block", 1, 0))
    # row i is drawn below row i - 1, column j right of column j - 1
    assert cell_location(d, ("out", 3, 0))[1] > cell_location(d, ("out", 2, 0))[1]
    assert cell_location(d, ("out", 0, 4))[0] > cell_location(d, ("out", 0, 3))[0]


def test_image_tiled_matmul_highlights_the_tiles_of_the_block_and_step():
    d = cu.image_tiled_matmul(size=6, tile=3, block=(1, 0), step=1)
    here = cell_fill(d, ("out", 0, 3))  # block (1, 0): rows 0-2, columns 3-5
    assert cell_fill(d, ("out", 0, 0)) != here
    assert cell_fill(d, ("a", 0, 3)) == here and cell_fill(d, ("a", 0, 2)) == white.hex_l  # rows 0-2, k 3-5
    assert cell_fill(d, ("a", 3, 3)) == white.hex_l
    assert cell_fill(d, ("b", 3, 3)) == here and cell_fill(d, ("b", 0, 3)) == white.hex_l  # k 3-5, columns 3-5
    assert all(cell_fill(d, (name, r, c)) == here for name in ("a_shared", "b_shared") for r in range(3)
               for c in range(3))
    assert not has(d, ("a_shared", 3, 0))
    with pytest.raises(ValueError, match="step"):
        cu.image_tiled_matmul(6, 3, (0, 0), 2)
    with pytest.raises(ValueError, match="block"):
        cu.image_tiled_matmul(6, 3, (2, 0), 0)


# ---------------------------------------------------------------- slides and determinism
PICTURES = {
    "prange_split": "pd.prange_split(12, 3)",
    "aligned_diagram": "pd.aligned_diagram(8)",
    "runs_diagram": "pd.runs_diagram((3, 8), 4)",
    "product_memory_diagram": "pd.product_memory_diagram(2, 3, 2)",
    "blocked_matmul_diagram": "pd.blocked_matmul_diagram()",
    "image_reduce": "cu.image_reduce()",
    "image_grid2d": "cu.image_grid2d(6, 7, (4, 3))",
    "image_tiled_matmul": "cu.image_tiled_matmul(6, 3, (1, 0), 1)",
}


@pytest.mark.parametrize("name", PICTURES)
def test_fits_a_slide_at_the_default_scale(name):
    d = eval(PICTURES[name])
    env = d.get_envelope()
    w, h = 1.05 * env.width * display.SCALE, 1.05 * env.height * display.SCALE
    assert w <= 1280 and h <= 720, f"{name}: {w:.0f} x {h:.0f} px"
    svg = display.to_svg(d)
    assert svg.count("<path") >= 10 and "$" not in svg


def test_same_svg_in_a_new_process():
    code = ("import hashlib, diagrams\nfrom diagrams import parallel_draw as pd, cuda_draw as cu\n"
            f"for name, call in {PICTURES!r}.items():\n"
            "    print(name, hashlib.sha256(diagrams.to_svg(eval(call)).encode()).hexdigest())\n")
    here = {name: hashlib.sha256(display.to_svg(eval(call)).encode()).hexdigest() for name, call in PICTURES.items()}
    seed = "2" if os.environ.get("PYTHONHASHSEED") == "1" else "1"
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300,
                         env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": ROOT})
    assert res.returncode == 0, res.stderr[-2000:]
    assert dict(line.split(" ", 1) for line in res.stdout.splitlines()) == here
