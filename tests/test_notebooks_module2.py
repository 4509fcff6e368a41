"""Module 2's notebooks and the pictures they draw: what the lecturer's revision asked for (issue 14).

- every "Check yourself" asks, and never prints its own answer: its only code is a ``check("2.x")``
  cell tagged with that task;
- nothing is used before it is taught (``grad_check`` and ``requires_grad`` before Auto-Grad,
  ``backward(d_out)`` before it is explained);
- the seed's reduce cell is kept as it is and followed by a picture that does reduce;
- the drawing fixes: strides arrows that never pass behind another cell, a zip that shows the
  reused row, arrows under the grids, the sum of a broadcast gradient, shapes written as Python does.
"""

from __future__ import annotations

import json
import pathlib
import re

import numpy as np
import pytest
from chalk.core import ApplyName, ApplyStyle, ApplyTransform, Compose, Primitive
from chalk.shapes.path import Path

from autograd import TensorData, tensor
from diagrams import ops_draw, tensor_draw
from diagrams.drawing import MathLabel, light_grey
from diagrams.probe import _walk, cell_fill, cell_location, cell_text
import notebook_cells
from notebook_cells import text as source

ROOT = pathlib.Path(__file__).resolve().parents[1]
MODULE2 = ROOT / "notebooks" / "module2"
TASK_OF = {"1-tensors": "2.1", "2-broadcasting": "2.2", "3-operations": "2.3", "4-autograd": "2.4"}


def cells(stem: str) -> list[dict]:
    return json.loads((MODULE2 / f"{stem}.ipynb").read_text())["cells"]


def outputs_text(cell: dict) -> str:
    return notebook_cells.outputs_text(cell, sep="")


def section(stem: str, heading: str) -> list[dict]:
    """The cells from the markdown heading ``## heading`` up to the next ``## `` heading."""
    nb = cells(stem)
    start = next(i for i, c in enumerate(nb) if c["cell_type"] == "markdown"
                 and source(c).startswith(f"## {heading}"))
    end = next((i for i in range(start + 1, len(nb)) if nb[i]["cell_type"] == "markdown"
                and source(nb[i]).startswith("## ")), len(nb))
    return nb[start:end]


@pytest.mark.parametrize("stem", sorted(TASK_OF))
def test_check_yourself_asks_and_only_the_task_check_runs(stem: str) -> None:
    part = section(stem, "Check yourself")
    code = [c for c in part if c["cell_type"] == "code"]
    task = TASK_OF[stem]
    # the only code is the task's check: no cell computes (and so prints) an answer
    assert [source(c).strip() for c in code] == [f'check("{task}")'], f"{stem}: {[source(c)[:40] for c in code]}"
    assert f"task-{task}" in code[0]["metadata"].get("tags", [])
    assert re.fullmatch(rf"Task {re.escape(task)} \(.+\): pass\n", outputs_text(code[0])), outputs_text(code[0])
    questions = source(part[0])
    assert re.search(r"^1\. ", questions, re.M) and "not printed" in questions


@pytest.mark.parametrize("stem", ["1-tensors", "2-broadcasting", "3-operations"])
def test_gradient_checks_wait_for_autograd(stem: str) -> None:
    for c in cells(stem):
        if c["cell_type"] == "code":
            assert "grad_check" not in source(c) and "requires_grad" not in source(c), source(c)[:80]


def test_backward_with_a_gradient_is_explained_before_it_is_called() -> None:
    nb = cells("2-broadcasting")
    first = next(i for i, c in enumerate(nb) if c["cell_type"] == "code"
                 and re.search(r"\.backward\(\s*[^)\s]", source(c)))
    before = " ".join(source(c) for c in nb[:first] if c["cell_type"] == "markdown")
    assert "`out.backward(d_out)`" in before and "shape" in before


def test_1_tensors_teaches_size_one_views_and_a_column_major_layout() -> None:
    nb = cells("1-tensors")
    code = {c.get("id"): c for c in nb if c["cell_type"] == "code"}
    assert outputs_text(code["t1-size1-add"]).strip() == "((1, 3), (3, 1), (1, 2, 3), (2, 1, 3))"
    assert outputs_text(code["t1-size1-remove"]).strip() == "((3,), (2, 3))"
    assert "(1, 2)" in source(code["t1-colmajor"])
    pictures = [c for c in nb if c["cell_type"] == "code" and "strides_diagram(u" in source(c)]
    assert pictures and "image/svg+xml" in pictures[0]["outputs"][0]["data"]  # the 3-D strides picture


SEED_REDUCE = '''d = hcat(
    [
        matrix(3, 2, "a"),
        left_arrow,
        matrix(3, 2, "b"),
        matrix(3, 2, "g", colormap=lambda i, j: papaya),
    ],
    1,
)
d.connect(("b", 0, 0), ("a", 0, 0)).connect(("b", 1, 0), ("a", 1, 0)).connect(
    ("g", 0, 0), ("b", 0, 0)
)'''


def test_the_seed_reduce_cell_is_kept_and_followed_by_a_picture_that_reduces() -> None:
    nb = cells("4-autograd")
    i = next(i for i, c in enumerate(nb) if source(c).strip() == SEED_REDUCE)
    after = next(c for c in nb[i + 1:] if c["cell_type"] == "code")
    assert "reduce_diagram" in source(after)
    assert any("image/svg+xml" in o.get("data", {}) for o in after["outputs"])


def test_the_graph_picture_has_no_view_node() -> None:
    stepper = next(c for c in cells("4-autograd") if "backprop_stepper(" in source(c))
    # x, w, x * w and the sum: four nodes, so four steps (a flattening view would be a fifth)
    assert "<backprop stepper: 4 steps>" in outputs_text(stepper)


# ---------------------------------------------------------------- the pictures
def _located_paths(d, colour: str):
    """Every stroked Path of ``colour`` under ``d``, as its points in the picture's coordinates."""
    from planar import Affine

    todo = [(d, Affine.identity())]
    while todo:
        node, t = todo.pop()
        if isinstance(node, Primitive):
            line = node.style.line_color_
            if isinstance(node.shape, Path) and line is not None and line.hex_l == colour:
                full = t * node.transform
                for trail in node.shape.loc_trails:
                    yield [full * p for p in trail.points()]
        elif isinstance(node, Compose):
            todo.extend((c, t) for c in node.diagrams)
        elif isinstance(node, ApplyTransform):
            todo.append((node.diagram, t * node.transform))
        elif isinstance(node, (ApplyStyle, ApplyName)):
            todo.append((node.diagram, t))


@pytest.mark.parametrize("make", [
    lambda: tensor([[1, 2, 3], [4, 5, 6]]),
    lambda: tensor([[1, 2, 3], [4, 5, 6]]).permute(1, 0),
    lambda: TensorData([1, 4, 2, 5, 3, 6], (2, 3), (1, 2)),
    lambda: tensor([[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]]),
], ids=["contiguous", "permuted", "column-major", "3-D"])
def test_strides_arrows_never_pass_behind_another_cell(make) -> None:
    t = make()
    d = tensor_draw.strides_diagram(t, "t")
    shape = tuple(t.shape)
    boxes = [cell_location(d, ("t", *idx)) for idx in np.ndindex(*shape)]
    legs = list(_located_paths(d, "#444444"))
    assert len(legs) >= int(np.prod(shape))  # every index has its arrow
    for points in legs:
        for p, q in zip(points, points[1:]):
            for k in np.linspace(0.0, 1.0, 41):
                x, y = p.x + k * (q.x - p.x), p.y + k * (q.y - p.y)
                inside = [(cx, cy) for cx, cy in boxes if abs(x - cx) < 0.49 and abs(y - cy) < 0.49]
                assert not inside, f"an arrow of {shape} runs through the cell at {inside[0]}"


def test_the_zip_picture_draws_the_reused_row_and_runs_its_arrows_under_the_grids() -> None:
    x = tensor([[-1.5, 0.5, 2.0], [1.0, -0.25, 3.0]])
    y = tensor([[10.0, 20.0, 30.0]])
    d = ops_draw.draw_op("Add", x, y)
    for j in range(3):  # row 1 of y is row 0 read again: the same numbers, in grey (never stored)
        assert cell_text(d, ("y", 1, j)) == cell_text(d, ("y", 0, j))
        assert cell_fill(d, ("y", 1, j)) == light_grey.hex_l != cell_fill(d, ("y", 0, j))
    row = ops_draw.draw_op("Add", x, tensor([10.0, 20.0, 30.0]))  # a missing dim: row 0 is the stored one
    assert [cell_fill(row, ("y", i, 0)) == light_grey.hex_l for i in range(2)] == [False, True]
    for src in [("x", 1, 0), ("y", 1, 0)]:
        (sx, sy), (tx, ty) = cell_location(d, src), cell_location(d, ("out", 1, 0))
        box = d.get_subdiagram(("arrow", src, ("out", 1, 0))).get_envelope()
        from chalk import V2

        top, bottom = box.envelope_v(V2(0, -1)).y, box.envelope_v(V2(0, 1)).y
        assert abs(top - (max(sy, ty) + 0.5)) < 0.05 and bottom > top  # from the bottom edges, downward


def test_a_broadcast_zip_gradient_shows_its_sum() -> None:
    x, b = tensor([[1.0, 2.0], [3.0, 4.0]]), tensor([[10.0, 20.0]])
    d = ops_draw.draw_op("Add", x, b, backward=True, d_out=tensor([[1.0, 2.0], [3.0, 4.0]]))
    labels = [p.shape.text for p in _walk(d) if isinstance(p.shape, MathLabel)]
    assert any(t.startswith("$\\sum_{0}") for t in labels)  # b was stretched over dim 0
    assert [cell_text(d, ("grad_y", 0, j)) for j in range(2)] == ["4.00", "6.00"]
    assert cell_fill(d, ("local_y", 0, 0)) == cell_fill(d, ("local_y", 1, 0)) != cell_fill(d, ("local_y", 0, 1))


def test_broadcast_labels_write_shapes_as_python_does() -> None:
    d = tensor_draw.broadcast_diagram(tensor([[1, 2, 3], [4, 5, 6]]), tensor([10]))
    labels = [p.shape.text for p in _walk(d) if isinstance(p.shape, MathLabel)]
    assert "a (2, 3)" in labels and "b (1,)" in labels
