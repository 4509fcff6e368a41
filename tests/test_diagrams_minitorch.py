"""MiniTorch's picture vocabulary (``mt_diagrams``) on our ``diagrams``.

Cells written in the style of MiniTorch's course pages (our own cells: ``from mt_diagrams.tensor_draw
import *``, ``import minitorch``, with ``mt_diagrams`` -> ``diagrams`` and ``minitorch`` -> ``autograd``
mapped through ``sys.modules``) must each end in a drawing; the drawings must be the same SVG in a new
process, TeX-free, fit a 1280 x 720 slide at the default scale, and show the right things.
"""

from __future__ import annotations

import ast
import hashlib
import math
import os
import subprocess
import sys
import textwrap
from typing import Any, Dict, List, Tuple

import pytest
from chalk import Diagram
from chalk.transform import apply_p2_affine

import autograd
import diagrams
from diagrams import display
from diagrams.drawing import papaya, ramp, white
from diagrams.probe import cell_fill, cell_text

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SLIDE = (1280, 720)

# ---------------------------------------------------------------- the cells
CELLS: List[Tuple[str, str]] = [
    ("tensor_draw matrix", """
        import chalk
        from chalk import hcat, vstrut
        from mt_diagrams.drawing import *
        from mt_diagrams.tensor_draw import *
        matrix(3, 2, "a", colormap=color(3, 2))
    """),
    ("tensor_draw tensor", """
        tensor(0.5, 2, 3, 2, "t", colormap=color(2, 3, 2))
    """),
    ("drawing connect", """
        opts = chalk.ArrowOpts(arc_height=-0.5)
        d = hcat([matrix(3, 2, "a"), left_arrow, matrix(3, 2, "b", colormap=lambda i, j: papaya)], 1)
        connect(d, (("b", 0, 0), ("a", 0, 0)), (("b", 1, 0), ("a", 1, 0), opts))
    """),
    ("drawing r", """
        r(matrix(2, 2, "m", colormap=lambda i, j: aqua), OUT_DIR + "/aqua.svg")
    """),
    ("tensor_draw t and draw_equation", """
        draw_equation([t(1, 3, 1), "+", t(1, 1, 3), None, t(1, 3, 3, highlight=True)])
    """),
    ("tensor_draw image_matmul_simple", """
        image_matmul_simple()
    """),
    ("tensor_draw image_matmul_full", """
        image_matmul_full()
    """),
    ("autodiff_draw draw_boxes", """
        from mt_diagrams.autodiff_draw import *
        draw_boxes(["$x$", "$g(x)$", "$f(g(x))$"], [1, 1])
    """),
    ("autodiff_draw draw_boxes lr", """
        draw_boxes([("$x$", "$y$"), "$f(x, y)$"], [2], lr=True)
    """),
    *[(f"autodiff_draw backprop({k})", f"""
        backprop({k})
    """) for k in range(1, 7)],
    ("show_expression make_graph", """
        import minitorch
        from mt_diagrams.show_expression import make_graph

        def expression():
            x = minitorch.Scalar(1.0, name="x")
            y = minitorch.Scalar(1.0, name="y")
            z = (x * x) * y + 10.0 * x
            z.name = "z"
            return z

        make_graph(expression(), lr=True)
    """),
    ("show_expression make_graph top-down", """
        make_graph(expression())
    """),
    ("plots plot_function", """
        import math
        from mt_diagrams.plots import plot_function, plot_function3D
        plot_function("f(x) = sin(2x)", lambda x: math.sin(2 * x))
    """),
    ("plots plot_function fn2", """
        plot_function("$f(x) = x^2$ and $f'(x) = 2x$", lambda x: x * x, fn2=lambda x: 2 * x)
    """),
    ("plots plot_function3D", """
        plot_function3D("f(x, y) = sin(x) + 2 cos(y)", lambda x, y: math.sin(x) + 2 * math.cos(y))
    """),
    ("mlprimer split_graph", """
        from dataclasses import dataclass
        from mt_diagrams.mlprimer_draw import *

        @dataclass
        class Linear:
            w1: float
            w2: float
            b: float

            def forward(self, x1, x2):
                return self.w1 * x1 + self.w2 * x2 + self.b

        split_graph(s1, s2, show_origin=False)
    """),
    ("mlprimer split_graph origin", """
        split_graph(s1, s2, show_origin=True)
    """),
    ("mlprimer draw_graph", """
        draw_graph(Linear(1, 1, -1))
    """),
    ("mlprimer with_points", """
        with_points(s1, s2, Linear(1, 1, -1))
    """),
    ("mlprimer show", """
        show(Linear(-1, 0, 0.5))
    """),
    ("mlprimer graph", """
        def point_loss(x):
            return minitorch.operators.relu(x)

        graph(point_loss, [], [-2, -0.2, 1])
    """),
    ("mlprimer show_loss", """
        show_loss(point_loss, Linear(1, 1, -1))
    """),
    ("mlprimer compare", """
        compare(Linear(1, 1, -1), Linear(-1, 0, 0.5))
    """),
    ("mlprimer draw_with_hard_points", """
        draw_with_hard_points(Linear(-1, 0, 0.5))
    """),
    ("mlprimer draw_nn_graph", """
        draw_nn_graph()
    """),
    *[(f"cuda_draw {name}", f"""
        from mt_diagrams.cuda_draw import *
        {name}()
    """) for name in ["image_thread", "image_localmem", "image_block1d", "image_block", "image_threadid",
                      "image_sharedmem", "image_blockid", "image_map"]],
]

MT_MODULES = ["drawing", "tensor_draw", "autodiff_draw", "show_expression", "plots", "mlprimer_draw",
              "cuda_draw"]


def alias_minitorch_names() -> None:
    """``import mt_diagrams.X`` gives ``diagrams.X`` and ``import minitorch`` gives ``autograd``."""
    import importlib

    sys.modules.setdefault("mt_diagrams", diagrams)
    for name in MT_MODULES:
        sys.modules.setdefault(f"mt_diagrams.{name}", importlib.import_module(f"diagrams.{name}"))
    sys.modules.setdefault("minitorch", autograd)


def run_cells(out_dir: str) -> Dict[str, Any]:
    """Run every cell in one namespace (as a notebook would); the value of each cell's last line."""
    alias_minitorch_names()
    ns: Dict[str, Any] = {"OUT_DIR": out_dir}
    results = {}
    for title, source in CELLS:
        tree = ast.parse(textwrap.dedent(source))
        last = tree.body.pop()
        assert isinstance(last, ast.Expr), f"cell {title!r} must end in an expression"
        exec(compile(tree, title, "exec"), ns)
        results[title] = eval(compile(ast.Expression(last.value), title, "eval"), ns)
    return results


@pytest.fixture(scope="module")
def pictures(tmp_path_factory) -> Dict[str, Any]:
    return run_cells(str(tmp_path_factory.mktemp("cells")))


@pytest.fixture(scope="module")
def svgs(pictures) -> Dict[str, str]:
    return {title: display.to_svg(d) for title, d in pictures.items() if isinstance(d, Diagram)}


def test_every_cell_ends_in_a_drawing(pictures, svgs):
    assert len(pictures) == len(CELLS)
    for title, d in pictures.items():
        assert isinstance(d, Diagram), f"{title}: got {type(d).__name__}"
        svg = svgs[title]
        assert svg.count("<path") >= 3, f"{title}: draws almost nothing"
        assert "$" not in svg and "\\" not in svg, f"{title}: raw TeX in the SVG"


def test_every_name_of_the_issue_is_called():
    # the names the course pages use, module by module: each one appears in a cell
    names = {
        "drawing": ["papaya", "aqua", "connect", "r"],
        "tensor_draw": ["matrix", "tensor", "color", "left_arrow", "t(", "draw_equation",
                        "image_matmul_simple", "image_matmul_full"],
        "autodiff_draw": ["draw_boxes", "backprop("],
        "show_expression": ["make_graph"],
        "plots": ["plot_function(", "plot_function3D"],
        "mlprimer_draw": ["draw_graph", "split_graph", "with_points", "show(", "show_loss", "compare", "graph(",
                          "draw_nn_graph", "draw_with_hard_points", "s1", "s2"],
        "cuda_draw": ["image_thread", "image_localmem", "image_block1d", "image_block(", "image_threadid",
                      "image_sharedmem", "image_blockid", "image_map"],
    }
    code = "\n".join(source for _, source in CELLS)
    for module, used in names.items():
        for name in used:
            assert name in code, f"{module}.{name} is never called"
            assert hasattr(sys.modules.get(f"diagrams.{module}") or __import__(f"diagrams.{module}"),
                           name.rstrip("("))
    from diagrams import mlprimer_draw

    assert mlprimer_draw.s1_hard and mlprimer_draw.s2_hard and mlprimer_draw.s.N == len(mlprimer_draw.s.X)


def test_pictures_fit_a_slide_at_the_default_scale(pictures):
    for title, d in pictures.items():
        env = d.get_envelope()
        w, h = (1 + 0.05) * env.width * display.SCALE, (1 + 0.05) * env.height * display.SCALE
        assert w <= SLIDE[0] and h <= SLIDE[1], f"{title}: {w:.0f} x {h:.0f} px at the default scale"


DETERMINISM = textwrap.dedent("""
    import hashlib, sys, tempfile
    sys.path.insert(0, "tests")
    import test_diagrams_minitorch as cells
    from diagrams import to_svg
    for title, d in cells.run_cells(tempfile.mkdtemp()).items():
        print(title, hashlib.sha256(to_svg(d).encode()).hexdigest())
""")


def test_same_svg_in_a_new_process(svgs):
    # one new process with a hash seed of its own (pytest's is random or another), against this one
    here = {title: hashlib.sha256(svg.encode()).hexdigest() for title, svg in svgs.items()}
    seed = "2" if os.environ.get("PYTHONHASHSEED") == "1" else "1"
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": ROOT}
    res = subprocess.run([sys.executable, "-c", DETERMINISM], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]
    there = dict(line.rsplit(" ", 1) for line in res.stdout.splitlines())
    assert there == here


# ---------------------------------------------------------------- helpers reading pictures back
def points_of(d: Diagram, name: Any) -> List[Tuple[float, float]]:
    """The vertices of every path under the named part, in the picture's coordinates."""
    from chalk.core import ApplyName, ApplyStyle, ApplyTransform, Compose, Primitive

    sub = d.get_subdiagram(name)
    assert sub is not None, f"no part named {name!r}"
    out = []
    todo = [(sub.diagram, sub.transform)]
    while todo:
        node, t = todo.pop()
        if isinstance(node, Primitive):
            if hasattr(node.shape, "points"):
                out += [(float(p.x), float(p.y)) for p in
                        (apply_p2_affine(t * node.transform, q) for q in node.shape.points())]
        elif isinstance(node, Compose):
            todo += [(x, t) for x in node.diagrams]
        elif isinstance(node, ApplyTransform):
            todo.append((node.diagram, t * node.transform))
        elif isinstance(node, (ApplyStyle, ApplyName)):
            todo.append((node.diagram, t))
    return out


def line_colors(d: Diagram, name: Any) -> List[str]:
    """Line colours (#rrggbb) set on the shapes of a named part."""
    from diagrams.probe import _walk

    sub = d.get_subdiagram(name)
    return [p.style.line_color_.hex_l for p in _walk(sub.diagram) if p.style.line_color_ is not None]


def primitives(d: Diagram, name: Any) -> int:
    from diagrams.probe import _walk

    return sum(1 for _ in _walk(d.get_subdiagram(name).diagram))


def location(d: Diagram, name: Any) -> Tuple[float, float]:
    p = d.get_subdiagram(name).get_location()
    return float(p.x), float(p.y)


def count(d: Diagram, *prefix: Any, limit: int = 200) -> int:
    return sum(d.get_subdiagram(prefix + (k,)) is not None for k in range(limit))


# ---------------------------------------------------------------- drawing
def test_colours_connect_and_r(tmp_path):
    from chalk import hcat

    from diagrams.drawing import aqua, black, connect, r
    from diagrams.tensor_draw import matrix

    assert papaya.hex_l == "#ff9700" and black.hex_l == "#000000" and white.hex_l == "#ffffff"
    assert aqua.hex_l == ramp[0].hex_l  # MiniTorch's accent: the ramp's first colour
    d = hcat([matrix(1, 2, "a"), matrix(1, 2, "b")], 1)
    assert primitives(connect(d, (("a", 0, 0), ("b", 0, 0)), (("a", 0, 1), ("b", 0, 1))), ("b", 0, 0)) == 1
    two = connect(d, (("a", 0, 0), ("b", 0, 0)), (("a", 0, 1), ("b", 0, 1)))
    one = connect(d, (("a", 0, 0), ("b", 0, 0)))
    assert display.to_svg(two).count("<path") == display.to_svg(one).count("<path") + 2  # shaft and head
    with pytest.raises(LookupError, match=r"\('c', 0, 0\)"):
        connect(d, (("c", 0, 0), ("a", 0, 0)))
    path = str(tmp_path / "m.svg")
    assert r(d, path) is d
    assert open(path, encoding="utf-8").read() == display.to_svg(d)
    with pytest.raises(ValueError, match="svg"):
        r(d, str(tmp_path / "m.png"))


# ---------------------------------------------------------------- tensor_draw
def test_t_cubes_and_highlight():
    from diagrams.tensor_draw import HIGHLIGHT, t

    d = t(2, 3, 4, n="q")
    names = [(i, j, k) for i in range(2) for j in range(3) for k in range(4)]
    assert all(d.get_subdiagram(("q",) + idx) is not None for idx in names)
    assert d.get_subdiagram(("q", 2, 0, 0)) is None
    assert cell_fill(d, ("q", 0, 0, 0)) == white.hex_l
    assert cell_fill(t(1, 2, 2, True), ("t", 0, 1, 1)) == HIGHLIGHT.hex_l
    some = t(1, 2, 2, [(0, 1, 0)])
    assert cell_fill(some, ("t", 0, 1, 0)) == HIGHLIGHT.hex_l and cell_fill(some, ("t", 0, 0, 0)) == white.hex_l


def test_draw_equation_order_and_errors():
    from diagrams.tensor_draw import draw_equation, t

    d = draw_equation([t(1, 1, 1, n="a"), "+", t(1, 1, 1, n="b"), None, t(1, 1, 1, n="c")])
    xa, xb, xc = (location(d, (n, 0, 0, 0))[0] for n in "abc")
    assert xa < xb < xc and (xc - xb) > (xb - xa) * 0.9  # the arrow takes as much room as the "+"
    with pytest.raises(TypeError, match="part 1"):
        draw_equation([t(1, 1, 1), 3])
    with pytest.raises(ValueError, match="empty"):
        draw_equation([])


def test_matmul_pictures_follow_one_output_cell():
    from diagrams.tensor_draw import HIGHLIGHT, image_matmul_full, image_matmul_simple

    teal, w = HIGHLIGHT.hex_l, white.hex_l
    simple = image_matmul_simple()
    # A (2, 3) viewed (2, 3, 1), B (3, 2) viewed (1, 3, 2), their zip (2, 3, 2), reduced (2, 1, 2)
    for name, shape in (("a", (2, 3, 1)), ("b", (1, 3, 2)), ("zip", (2, 3, 2)), ("out", (2, 1, 2))):
        assert simple.get_subdiagram((name,) + tuple(n - 1 for n in shape)) is not None
        assert simple.get_subdiagram((name,) + tuple(n if k == 0 else 0 for k, n in enumerate(shape))) is None
    full = image_matmul_full()
    assert [cell_fill(full, ("A", 0, c)) for c in range(3)] == [teal] * 3
    assert [cell_fill(full, ("A", 1, c)) for c in range(3)] == [w] * 3
    assert [cell_fill(full, ("B", r, 0)) for r in range(3)] == [teal] * 3 and cell_fill(full, ("B", 0, 1)) == w
    assert cell_fill(full, ("C", 0, 0)) == teal and cell_fill(full, ("C", 1, 1)) == w
    # C[0, 0] = sum over m of A[0, m] * B[m, 0]: the zip cells (0, m, 0), then out (0, 0, 0)
    assert [cell_fill(full, ("zip", 0, m, 0)) for m in range(3)] == [teal] * 3
    assert cell_fill(full, ("zip", 0, 0, 1)) == w and cell_fill(full, ("zip", 1, 0, 0)) == w
    assert cell_fill(full, ("out", 0, 0, 0)) == teal and cell_fill(full, ("out", 0, 0, 1)) == w


# ---------------------------------------------------------------- autodiff_draw
def test_draw_boxes_chain():
    from diagrams.autodiff_draw import draw_boxes

    labels = ["$x$", "$g(x)$", "$f(g(x))$"]
    d = draw_boxes(labels, [1, 1])
    assert count(d, "box") == 2 and count(d, "wire") == 3
    assert [cell_text(d, ("wire", w)) for w in range(3)] == labels
    (x0, y0), (x1, y1) = location(d, ("box", 0)), location(d, ("box", 1))
    assert abs(x0 - x1) < 1e-9 and y1 > y0  # top to bottom
    lr = draw_boxes(labels, [1, 1], lr=True)
    (x0, y0), (x1, y1) = location(lr, ("box", 0)), location(lr, ("box", 1))
    assert abs(y0 - y1) < 1e-9 and x1 > x0
    # x, y -> box 0 -> z; z and w -> box 1 -> h
    two = draw_boxes([("$x$", "$y$"), "$z$", "$w$", "$h$"], [2, 2])
    assert count(two, "wire") == 5 and [cell_text(two, ("wire", w)) for w in (2, 3)] == ["$z$", "$w$"]
    (bx, by), (zx, zy), (wx, wy) = (location(two, n) for n in (("box", 1), ("wire", 2), ("wire", 3)))
    assert zy < by and wy < by and wx < bx < zx  # both come in from above, z beside the chain, w from the side
    named = draw_boxes(["mul", "log"], [2, 1])
    assert cell_text(named, ("box", 0)) == "mul" and count(named, "wire") == 4
    with pytest.raises(ValueError, match="need 3 labels .* or 2 .* got 4"):
        draw_boxes(["$x$", "$y$", "$z$", "$w$"], [1, 1])
    with pytest.raises(ValueError, match="arities"):
        draw_boxes(["$x$"], [0])


def outlined(d: Diagram) -> List[int]:
    return [k for k in range(count(d, "var")) if papaya.hex_l in line_colors(d, ("var", k))]


def test_backprop_steps_differ_and_highlight_the_next_variable():
    from autograd.autodiff import topological_sort
    from diagrams.autodiff_draw import backprop, backprop_example

    order = topological_sort(backprop_example())
    assert len(order) == 6
    svgs = [display.to_svg(backprop(k)) for k in range(1, 7)]
    assert len(set(svgs)) == 6
    for k in range(1, 6):
        d = backprop(k)
        [node] = outlined(d)
        v = order[k]
        expected = f"${v.name}$" if v.name in ("x", "y", "z") else f"{v.data:.2f}"
        assert cell_text(d, ("var", node)) == expected, f"step {k}"
    assert outlined(backprop(6)) == []
    # the last step's derivatives are the real ones
    z = backprop_example()
    z.backward()
    leaves = [v for v in topological_sort(z) if v.is_leaf()]
    done = backprop(6)
    badges = sorted(cell_text(done, ("d", k)) for k in range(count(done, "var")) if done.get_subdiagram(("d", k)))
    assert {f"{v.derivative:.2f}" for v in leaves} <= set(badges)
    assert sorted(f"{v.derivative:.2f}" for v in leaves) == ["0.04", "0.16"]
    with pytest.raises(ValueError, match="from 0 to 6"):
        backprop(7)


# ---------------------------------------------------------------- show_expression
def test_make_graph_nodes_and_edges():
    from diagrams.show_expression import make_graph

    x, y = autograd.Scalar(2.0, name="x"), autograd.Scalar(3.0, name="y")
    d = make_graph(x * y + x)
    # x, y, x * y, x * y + x; a Mul and an Add; arrows x->*, y->*, *->xy, xy->+, x->+, +->out
    assert count(d, "var") == 4 and count(d, "fn", limit=4) == 2
    edges = [(a, b) for a in [("var", k) for k in range(4)] + [("fn", k) for k in range(4)]
             for b in [("var", k) for k in range(4)] + [("fn", k) for k in range(4)]
             if d.get_subdiagram(("edge", a, b)) is not None]
    assert len(edges) == 6
    texts = sorted(cell_text(d, ("var", k)) for k in range(4))
    assert texts == sorted(["$x$", "$y$", "6.00", "8.00"])
    out = next(k for k in range(4) if cell_text(d, ("var", k)) == "8.00")
    leaf = next(k for k in range(4) if cell_text(d, ("var", k)) == "$x$")
    assert location(d, ("var", leaf))[1] < location(d, ("var", out))[1]  # top-down: leaves above
    lr = make_graph(x * y + x, lr=True)
    assert location(lr, ("var", leaf))[0] < location(lr, ("var", out))[0]  # leaves on the left


def test_make_graph_counts_constants_and_shared_inputs():
    from diagrams.show_expression import make_graph

    x, y = autograd.Scalar(1.0, name="x"), autograd.Scalar(1.0, name="y")
    z = (x * x) * y + 10.0 * x
    d = make_graph(z)
    # x, y, x*x, (x*x)*y, the constant 10, 10*x, z; four Functions; x*x gets one arrow from x
    assert count(d, "var") == 7 and count(d, "fn", limit=7) == 4
    assert sorted(cell_text(d, ("var", k)) for k in range(7)).count("10.00") == 2  # the constant and 10*x
    n_edges = sum(1 for a in range(7) for b in range(7)
                  for e in ((("var", a), ("fn", b)), (("fn", a), ("var", b)))
                  if d.get_subdiagram(("edge",) + e) is not None)
    assert n_edges == 11
    with pytest.raises(TypeError, match="Scalar or Tensor"):
        make_graph(3.0)


# ---------------------------------------------------------------- plots
def tick_scale(d: Diagram, axis: str) -> Tuple[float, float]:
    """(a, b) with picture coordinate = a * value + b along the axis, read from two tick labels."""
    k = 0 if axis == "x" else 1
    pts = [(float(cell_text(d, (f"{axis}tick", i)).replace("\u2212", "-")), location(d, (f"{axis}tick", i))[k])
           for i in range(count(d, f"{axis}tick"))]
    (v0, p0), (v1, p1) = pts[0], pts[-1]
    a = (p1 - p0) / (v1 - v0)
    return a, p0 - a * v0


@pytest.mark.parametrize("fn", [math.sin, lambda x: x * x - 3 * x, lambda x: math.exp(x / 4)])
def test_plot_function_curve_passes_through_the_values(fn):
    from diagrams.plots import plot_function

    d = plot_function("f", fn)
    ax, bx = tick_scale(d, "x")
    ay, by = tick_scale(d, "y")
    pts = points_of(d, ("curve", 0))
    assert len(pts) == 200  # MiniTorch's -10.0 .. 9.9 in steps of 0.1
    span = max(fn(i / 10) for i in range(-100, 100)) - min(fn(i / 10) for i in range(-100, 100))
    for px, py in pts:
        x, y = (px - bx) / ax, (py - by) / ay
        assert y == pytest.approx(fn(x), abs=1e-3 * span)
    assert [round((p[0] - bx) / ax, 6) for p in pts[:3]] == [-10.0, -9.9, -9.8]


def test_plot_function_second_curve_and_gaps():
    from diagrams.plots import plot_function

    d = plot_function("log", math.log, fn2=lambda x: 1.0)  # log is undefined for x <= 0
    ax, bx = tick_scale(d, "x")
    xs = [(p[0] - bx) / ax for p in points_of(d, ("curve", 0))]
    assert min(xs) > 0 and len(xs) == 99  # 0.1 .. 9.9
    assert len(points_of(d, ("curve", 1))) == 200
    with pytest.raises(ValueError, match="no finite value"):
        plot_function("nothing", lambda x: math.nan)


def test_plot_function3D_patches_coloured_by_height():
    from diagrams.plots import plot_function3D

    fn = lambda x, y: x + 2 * y  # noqa: E731
    d = plot_function3D("plane", fn, n=6)
    assert count(d, "patch", 0, limit=10) == 5 and d.get_subdiagram(("patch", 4, 4)) is not None
    # highest at x = y = 5 (patch (4, 4)), lowest at x = y = -5 (patch (0, 0)): the ramp's ends
    assert cell_fill(d, ("patch", 4, 4)) == ramp[-1].hex_l or cell_fill(d, ("patch", 4, 4)) == ramp[-2].hex_l
    assert cell_fill(d, ("patch", 0, 0)) in (ramp[0].hex_l, ramp[1].hex_l)


# ---------------------------------------------------------------- mlprimer_draw
def test_point_sets():
    from diagrams import mlprimer_draw as ml

    assert ml.s.N == 10 and sorted(set(ml.s.y)) == [0, 1]
    assert ml.s1 == [p for p, c in zip(ml.s.X, ml.s.y) if c == 1]
    assert all(p[0] < 0.5 for p in ml.s1) and all(p[0] > 0.5 for p in ml.s2)
    assert set(ml.s1) < set(ml.s1_hard) and set(ml.s2) < set(ml.s2_hard)


def rings(d: Diagram, pts1, pts2) -> List[Tuple[str, int]]:
    """Points drawn with a ring (two shapes instead of one)."""
    return [(cls, k) for cls, pts in (("s1", pts1), ("s2", pts2)) for k in range(len(pts))
            if primitives(d, ("point", cls, k)) == 2]


def test_with_points_rings_the_points_on_the_wrong_side():
    from diagrams import mlprimer_draw as ml

    model = ml.Linear(1, 1, -1)
    d = ml.with_points(ml.s1, ml.s2, model)
    wrong = [("s1", k) for k, (a, b) in enumerate(ml.s1) if a + b - 1 <= 0]
    wrong += [("s2", k) for k, (a, b) in enumerate(ml.s2) if a + b - 1 > 0]
    assert rings(d, ml.s1, ml.s2) == wrong and len(wrong) == 6
    hard = ml.draw_with_hard_points(ml.Linear(-1, 0, 0.5))
    assert rings(hard, ml.s1_hard, ml.s2_hard) == [("s1", 5), ("s1", 6), ("s1", 7)]  # the corner
    assert rings(ml.draw_nn_graph(), ml.s1_hard, ml.s2_hard) == []  # the hidden layer splits them all


def test_decision_boundary_lies_on_the_line():
    from diagrams import mlprimer_draw as ml

    for w1, w2, b in ((1, 1, -1), (-1, 0.3, 0.4), (2, -1, -0.3)):
        d = ml.draw_graph(ml.Linear(w1, w2, b))
        ox, oy = location(d, ("plot",))  # the frame is named at (0, 0)
        size = d.get_subdiagram(("plot",)).get_envelope().width
        pts = points_of(d, ("boundary",))
        assert len(pts) >= 10
        for px, py in pts:
            x1, x2 = (px - ox) / size, -(py - oy) / size
            assert -1e-6 <= x1 <= 1 + 1e-6 and -1e-6 <= x2 <= 1 + 1e-6
            assert w1 * x1 + w2 * x2 + b == pytest.approx(0, abs=1e-6)


def test_show_loss_bars_are_the_point_losses():
    from diagrams import mlprimer_draw as ml

    model = ml.Linear(1, 1, -1)
    d = ml.show_loss(lambda m: max(0.0, m), model)
    heights = {}
    for cls, pts in (("s1", ml.s1), ("s2", ml.s2)):
        for k, p in enumerate(pts):
            ys = [q[1] for q in points_of(d, ("bar", cls, k))]
            heights[(cls, k)] = max(ys) - min(ys)
    margins = {("s1", k): -(a + b - 1) for k, (a, b) in enumerate(ml.s1)}
    margins.update({("s2", k): a + b - 1 for k, (a, b) in enumerate(ml.s2)})
    top = max(max(0.0, m) for m in margins.values())
    biggest = max(heights.values())
    for key, m in margins.items():
        assert heights[key] == pytest.approx(max(0.0, m) / top * biggest, abs=2e-3)


def test_graph_marks_points_on_the_curve():
    from diagrams import mlprimer_draw as ml

    d = ml.graph(lambda x: max(0.0, x), [], [-2, -0.2, 1])
    ax, bx = tick_scale(d, "x")
    ay, by = tick_scale(d, "y")
    for k, x in enumerate([-2, -0.2, 1]):
        px, py = location(d, ("mark", k))
        assert (px - bx) / ax == pytest.approx(x) and (py - by) / ay == pytest.approx(max(0.0, x), abs=1e-9)
    assert cell_fill(d, ("mark", 0)) == diagrams.drawing.red.hex_l


# ---------------------------------------------------------------- cuda_draw
def test_cuda_pictures_name_their_threads():
    from diagrams import cuda_draw as cu
    from diagrams.drawing import light_grey

    d = cu.image_map(size=10, threads=4)
    assert count(d, "block") == 3 and count(d, "in") == 10 and count(d, "out") == 10
    # thread i sits under in[i] and over out[i]; the two past the end are grey (if i < size)
    for i in range(10):
        b, t = divmod(i, 4)
        assert location(d, ("thread", b, t))[0] == pytest.approx(location(d, ("in", i))[0])
        assert cell_fill(d, ("thread", b, t)) == white.hex_l
    assert cell_fill(d, ("thread", 2, 2)) == light_grey.hex_l and cell_fill(d, ("thread", 2, 3)) == light_grey.hex_l
    assert count(cu.image_block1d(8), "thread", 0) == 8
    blk = cu.image_block(4, 3)
    assert blk.get_subdiagram(("thread", 0, 3, 2)) is not None and blk.get_subdiagram(("thread", 0, 4, 0)) is None
    tid = cu.image_threadid(8, 5)
    assert papaya.hex_l in line_colors(tid, ("thread", 0, 5)) and papaya.hex_l not in line_colors(tid, ("thread", 0, 4))
    shared = cu.image_sharedmem(4)
    assert count(shared, "shared", 0) == 4 and all(shared.get_subdiagram(("local", t, 0)) for t in range(4))
    with pytest.raises(ValueError, match="which"):
        cu.image_threadid(4, 4)
    with pytest.raises(ValueError, match="at least 1"):
        cu.image_block1d(0)
