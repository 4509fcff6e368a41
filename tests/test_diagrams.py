"""The drawing library: palette, math labels, grids, how diagrams display, determinism, the seed cells."""

import os
import re
import subprocess
import sys
import textwrap

import chalk
import pytest
from chalk import hcat, square

import diagrams
from diagrams import display, drawing, tensor_draw
from diagrams.drawing import latex, papaya, ramp, value_text
from diagrams.tensor_draw import left_arrow, matrix, right_arrow

from diagrams.probe import cell_fill, cell_location as location, cell_text

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def svg_of(d):
    s = diagrams.to_svg(d)
    assert s.startswith("<?xml") and "<svg" in s and s.rstrip().endswith("</svg>")
    return s


# ---------------------------------------------------------------- palette
def test_palette_and_ramp():
    assert papaya.hex_l == "#ff9700"
    assert len(ramp) == 10
    assert ramp[0].hex_l == "#69bac9" and ramp[-1].hex_l == "#ff9700"
    assert len({c.hex_l for c in ramp}) == 10
    # teal -> green -> yellow -> papaya: the green channel peaks in the middle, red rises, blue falls
    reds = [c.rgb[0] for c in ramp]
    blues = [c.rgb[2] for c in ramp]
    assert reds == sorted(reds) and blues == sorted(blues, reverse=True)
    assert max(range(10), key=lambda k: ramp[k].rgb[1]) in range(3, 7)


def test_color_for_maps_range_onto_ramp():
    assert drawing.color_for(-2.0, -2.0, 6.0) == ramp[0]
    assert drawing.color_for(6.0, -2.0, 6.0) == ramp[-1]
    assert drawing.color_for(100.0, -2.0, 6.0) == ramp[-1]  # clamped
    assert drawing.color_for(3.0, 3.0, 3.0) == ramp[5]  # a constant scale: middle colour


# ---------------------------------------------------------------- math labels
def test_latex_draws_glyph_paths_not_dollars():
    d = latex("$f'_x(g(x))$")
    env = d.get_envelope()
    assert env.width > 1.0 and 0.3 < env.height < 1.5  # a real size, in cell units
    s = svg_of(d)
    assert "$" not in s and "<text" not in s
    assert s.count("<path") >= 6  # f ' x ( g ( x ) ): real glyphs
    assert 'stroke="none"' in s  # glyphs are filled, never stroked by the surrounding style


def test_latex_is_reproducible_and_does_not_leak_ziamath_settings():
    import ziamath

    before = (ziamath.config.svg2, ziamath.config.precision)
    a, b = svg_of(latex("$d_{\\text{out}}$")), svg_of(latex("$d_{\\text{out}}$"))
    assert a == b
    assert (ziamath.config.svg2, ziamath.config.precision) == before


def test_latex_bad_input():
    with pytest.raises(TypeError, match="string"):
        latex(3)
    with pytest.raises(ValueError, match=r"unbalanced \$"):
        latex("$x")
    with pytest.raises(ValueError, match="plain text"):
        value_text("$x$")


# ---------------------------------------------------------------- grids
def test_matrix_cells_are_named_and_placed_on_a_unit_grid():
    d = matrix(3, 2, "a")
    assert diagrams.short_text(d) == "<Diagram 2.0×3.0>"
    for i in range(3):
        for j in range(2):
            x, y = location(d, ("a", i, j))
            assert (x, y) == pytest.approx((j - 0.5, i - 1.0))  # centred grid, y grows downward
    assert d.get_subdiagram(("a", 3, 0)) is None


def test_matrix_colormap_fills_cells():
    d = matrix(2, 2, "g", colormap=lambda i, j: papaya if i == j else "#123456")
    assert cell_fill(d, ("g", 0, 0)) == "#ff9700"
    assert cell_fill(d, ("g", 0, 1)) == "#123456"
    s = svg_of(d)
    assert "fill: #ff9700" in s and "fill: #123456" in s


@pytest.mark.parametrize("rows, cols, err, word", [
    (0, 3, ValueError, "rows"), (3, -1, ValueError, "cols"), (2.5, 2, TypeError, "rows"), (True, 2, TypeError, "rows"),
])
def test_matrix_bad_sizes(rows, cols, err, word):
    with pytest.raises(err, match=word):
        matrix(rows, cols)


def test_matrix_bad_colormap():
    with pytest.raises(TypeError, match="colormap"):
        matrix(1, 1, colormap=lambda i, j: 3)
    with pytest.raises(ValueError, match="not a colour"):
        matrix(1, 1, colormap=lambda i, j: "not-a-colour")


def test_tensor_stack_names_and_depth_offset():
    d = tensor_draw.tensor(0.5, 2, 2, 3, "x", colormap=tensor_draw.color(2, 2, 3))
    for idx in [(0, 0, 0), (1, 1, 2), (0, 1, 2)]:
        assert d.get_subdiagram(("x", *idx)) is not None
    x0, y0 = location(d, ("x", 0, 0, 0))
    x1, y1 = location(d, ("x", 1, 0, 0))
    assert x1 > x0 and y1 < y0  # the layer behind is up and to the right
    assert location(d, ("x", 0, 0, 1))[0] == pytest.approx(x0 + 1)
    svg_of(d)
    with pytest.raises(ValueError, match="depth"):
        tensor_draw.tensor(0.5, 0, 2, 2)
    with pytest.raises(ValueError, match="depth_scale"):
        tensor_draw.tensor(-1, 1, 2, 2)


def test_arrows_between_grids():
    for a in (left_arrow, right_arrow):
        assert 0.5 < a.get_envelope().width < 1.5
        assert "$" not in svg_of(a)


def test_color_ramp_colormap():
    cm = tensor_draw.color(3, 2)
    assert cm(0, 0) == ramp[0] and cm(2, 1) == ramp[-1]
    with pytest.raises(ValueError, match="index"):
        cm(0, 0, 0)
    with pytest.raises(ValueError, match="at least 1"):
        tensor_draw.color(0, 2)


# ---------------------------------------------------------------- real tensors
def test_tensor_to_diagram_colours_and_numbers():
    from autograd import tensor

    t = tensor([[1.0, 2.0, 3.0], [4.0, 5.0, -6.0]])
    d = diagrams.tensor_to_diagram(t, "t")
    assert cell_fill(d, ("t", 1, 1)) == papaya.hex_l  # the largest value
    assert cell_fill(d, ("t", 1, 2)) == ramp[0].hex_l  # the smallest
    assert cell_text(d, ("t", 0, 1)) == "2.00" and cell_text(d, ("t", 1, 2)) == "-6.00"
    assert cell_text(diagrams.tensor_to_diagram(t, "t", values=False), ("t", 0, 1)) is None
    svg_of(d)
    one = diagrams.tensor_to_diagram(tensor([0.5, 0.25]), "v", digits=1)
    assert cell_text(one, ("v", 1)) == "0.2"  # 0.25 with one decimal (round half to even)
    three = diagrams.tensor_to_diagram(tensor([[[1.0], [2.0]], [[3.0], [4.0]]]), "u")
    assert cell_text(three, ("u", 1, 0, 0)) == "3.00"
    svg_of(three)


def test_tensor_to_diagram_bad_input():
    import numpy as np

    with pytest.raises(ValueError, match=r"\(1, 1, 1, 1\).*4 dims"):
        diagrams.tensor_to_diagram(np.zeros((1, 1, 1, 1)))
    with pytest.raises(ValueError, match="0 dims"):
        diagrams.tensor_to_diagram(np.float64(1.0))
    with pytest.raises(ValueError, match="empty"):
        diagrams.tensor_to_diagram(np.zeros((0, 3)))
    with pytest.raises(TypeError, match="dtype"):
        diagrams.tensor_to_diagram(np.array(["a"]))
    with pytest.raises(TypeError, match="dict"):
        diagrams.tensor_to_diagram({})


def _fill_by_position(d, name, idx, strides):
    return cell_fill(d, (name, *idx)), cell_fill(d, (name, "storage", sum(i * s for i, s in zip(idx, strides))))


@pytest.mark.parametrize("permute", [False, True])
def test_strides_diagram_links_each_index_to_its_storage_position(permute):
    from autograd import tensor

    t = tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    if permute:
        t = t.permute(1, 0)
    d = tensor_draw.strides_diagram(t, "t")
    for p in range(6):
        assert d.get_subdiagram(("t", "storage", p)) is not None
    for i in range(t.shape[0]):
        for j in range(t.shape[1]):
            grid, storage = _fill_by_position(d, "t", (i, j), t.strides)
            assert grid == storage  # same colour = same place in memory
            assert cell_text(d, ("t", i, j)) == f"{t[i, j]:.2f}"
    s = svg_of(d)
    # one arrow per index: 6 arrow shafts drawn in the arrow colour
    assert s.count("stroke: #444444") >= 6


def test_strides_diagram_rejects_strides_past_the_storage():
    import numpy as np

    class Fake:
        def tuple(self):
            return np.arange(3.0), np.array([2, 2]), np.array([2, 1])

    with pytest.raises(ValueError, match="storage has 3"):
        tensor_draw.strides_diagram(Fake())
    with pytest.raises(TypeError, match="Tensor"):
        tensor_draw.strides_diagram([1, 2])


def test_permute_and_view_pictures_follow_each_number():
    from autograd import tensor

    t = tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    d = tensor_draw.permute_diagram(t, 1, 0)
    for i in range(2):
        for j in range(3):
            assert cell_fill(d, ("before", i, j)) == cell_fill(d, ("after", j, i))
            assert cell_text(d, ("after", j, i)) == f"{t[i, j]:.2f}"
    svg_of(d)
    v = tensor_draw.view_diagram(t, 3, 2)
    assert cell_text(v, ("after", 2, 1)) == "6.00" and cell_text(v, ("after", 1, 0)) == "3.00"
    svg_of(v)


def test_broadcasting():
    from autograd import tensor

    assert tensor_draw.broadcast_shapes((3, 1), (4,)) == (3, 4)
    assert tensor_draw.broadcast_shapes((2, 1, 3), (4, 1)) == (2, 4, 3)
    with pytest.raises(ValueError, match=r"\(2, 3\) and \(3, 2\)"):
        tensor_draw.broadcast_shapes((2, 3), (3, 2))
    d = tensor_draw.broadcast_diagram(tensor([[1.0], [2.0], [3.0]]), tensor([10.0, 20.0]))
    # a (3, 1) drawn at (3, 2): column 1 only repeats column 0, so it is shaded
    assert cell_fill(d, ("a", 0, 1)) == drawing.light_grey.hex_l
    assert cell_text(d, ("a", 2, 1)) == "3.00" and cell_text(d, ("b", 2, 1)) == "20.00"
    assert cell_fill(d, ("shape", "a", 1)) == papaya.hex_l  # the stretched dim
    assert cell_fill(d, ("shape", "a", 0)) == "#ffffff"
    svg_of(d)
    table = tensor_draw.broadcast_diagram((2, 1, 3), (4, 1))  # 3-D: the shape table only
    assert table.get_subdiagram(("shape", "out", 2)) is not None
    svg_of(table)
    with pytest.raises(ValueError, match="at least 1"):
        tensor_draw.broadcast_diagram((0, 2), (2,))


# ---------------------------------------------------------------- display in notebooks
def test_short_text_form_for_every_chalk_diagram():
    assert repr(hcat([square(1), square(1)])) == "<Diagram 2.0×1.0>"
    assert repr(square(2).named("x")) == "<Diagram 2.0×2.0>"
    assert repr(chalk.empty()) == "<Diagram empty>"
    assert repr(matrix(3, 2, "a").connect(("a", 0, 0), ("a", 1, 1))) == "<Diagram 2.0×3.0>"


def test_notebook_output_is_svg_and_short_text_only():
    from IPython.core.interactiveshell import InteractiveShell

    formatter = InteractiveShell.instance().display_formatter
    d = matrix(2, 2, "a").connect(("a", 0, 0), ("a", 1, 1))
    bundle, _ = formatter.format(d)
    assert sorted(bundle) == ["image/svg+xml", "text/plain"]
    assert bundle["text/plain"] == "<Diagram 2.0×2.0>"
    assert bundle["image/svg+xml"] == diagrams.to_svg(d)


def test_empty_and_flat_diagrams_display():
    assert chalk.empty()._repr_svg_() is None  # the notebook then shows only "<Diagram empty>"
    with pytest.raises(ValueError, match="empty"):
        diagrams.to_svg(chalk.empty())
    assert "<path" in diagrams.to_svg(chalk.hrule(2))  # no height: still drawn
    with pytest.raises(TypeError, match="Diagram"):
        diagrams.to_svg("not a diagram")


def test_tidy_svg_rounds_attribute_numbers_only():
    raw = ('<?xml version="1.0" encoding="utf-8" ?><svg><g transform="matrix(47.61785717261831, '
           '6.123233995736766e-17, -0.0, 1.0)" style="fill: #1e5f00;stroke-width: 0.9;"/>'
           '<text>1.00000</text></svg>')
    out = display.tidy_svg(raw)
    assert out.startswith('<?xml version="1.0"')
    assert 'transform="matrix(47.6179, 0, 0, 1)"' in out
    assert "fill: #1e5f00" in out and "stroke-width: 0.9" in out
    assert "<text>1.00000</text>" in out


def test_arrow_heads_are_scaled_down():
    small = chalk.arrow.dart().get_envelope().width
    full = chalk.shapes.arrowheads.dart().get_envelope().width
    assert small == pytest.approx(full * drawing.ARROW_HEAD_SCALE)
    assert drawing.ARROW_HEAD_SCALE < 1


# ---------------------------------------------------------------- the seed page's cells
SEED_SETUP = """
import chalk
from chalk import hcat, vstrut
from diagrams import latex
from diagrams.drawing import papaya
from diagrams.tensor_draw import left_arrow, matrix
chalk.set_svg_draw_height(300)
"""

SEED_CELLS = [
    '''
def label(t, d):
    return vstrut(0.5) // latex(t) // vstrut(0.5) // d
opts = chalk.ArrowOpts(arc_height=-0.5)
opts2 = chalk.ArrowOpts(arc_height=-0.2)
d = hcat(
    [
        label("$f'_x(g(x))$", matrix(3, 2, "a")),
        left_arrow,
        label("$g'(x)$", matrix(3, 2, "b")),
        label("$d_{\\\\text{out}}$", matrix(3, 2, "g", colormap=lambda i, j: papaya)),
    ],
    1,
)
result = d.connect(("b", 0, 0), ("a", 0, 0), opts2).connect(
    ("b", 1, 0), ("a", 1, 0), opts2
).connect(("g", 0, 0), ("b", 0, 0), opts).connect(("g", 1, 0), ("b", 1, 0), opts)
''',
    '''
d = hcat(
    [
        matrix(3, 2, "a1"),
        matrix(3, 2, "a"),
        left_arrow,
        matrix(3, 2, "b"),
        matrix(3, 2, "g", colormap=lambda i, j: papaya),
    ],
    1,
)
result = d.connect(("b", 0, 0), ("a", 0, 0), opts).connect(
    ("b", 1, 0), ("a", 1, 0), opts
).connect(("g", 0, 0), ("b", 0, 0), opts)
''',
    '''
d = hcat(
    [
        matrix(3, 2, "a"),
        left_arrow,
        matrix(3, 2, "b"),
        matrix(3, 2, "g", colormap=lambda i, j: papaya),
    ],
    1,
)
result = d.connect(("b", 0, 0), ("a", 0, 0)).connect(("b", 1, 0), ("a", 1, 0)).connect(
    ("g", 0, 0), ("b", 0, 0)
)
''',
]


def test_seed_cells_run_and_draw():
    old = chalk.core.SVG_DRAW_HEIGHT
    env = {}
    try:
        exec(SEED_SETUP, env)
        texts = []
        for cell in SEED_CELLS:
            exec(cell, env)
            d = env["result"]
            svg = d._repr_svg_()  # what the notebook shows
            assert "#ff9700" in svg and "$" not in svg
            # drawn at the fixed scale, not chalk's one 200 px height: 3 cell rows + labels, 45 px a cell
            env_h = d.get_envelope().height
            height = int(re.search(r'<svg [^>]*height="(\d+)"', svg).group(1))
            assert abs(height - 45 * 1.05 * env_h) <= 1
            texts.append(repr(d))
    finally:
        chalk.set_svg_draw_height(old)
    assert texts[1] == "<Diagram 12.8×3.0>" and texts[2] == "<Diagram 9.8×3.0>"
    assert texts[0].startswith("<Diagram 9.8×")  # the labels add height above the grids


def test_docs_pictures_are_up_to_date(tmp_path):
    from diagrams import make_docs

    old = chalk.core.SVG_DRAW_HEIGHT
    try:
        assert make_docs.main([str(tmp_path)]) == 0
    finally:
        chalk.set_svg_draw_height(old)
    for name in make_docs.CELLS:
        fresh = (tmp_path / name).read_text(encoding="utf-8")
        assert "#ff9700" in fresh and "$" not in fresh
        committed = os.path.join(ROOT, "docs", name)
        with open(committed, encoding="utf-8") as f:
            assert f.read() == fresh, f"docs/{name} is stale: run python -m diagrams.make_docs docs/"


# ---------------------------------------------------------------- determinism
DETERMINISM_SCRIPT = textwrap.dedent("""
    import hashlib, sys
    import chalk
    from diagrams import to_svg, tensor_to_diagram
    from diagrams.make_docs import seed_pictures
    from diagrams.tensor_draw import strides_diagram
    from diagrams.ops_draw import draw_op
    from diagrams.autodiff_draw import backprop_step
    from autograd import Scalar, tensor
    pics = list(seed_pictures().values())
    t = tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    pics += [tensor_to_diagram(t, "t"), strides_diagram(t.permute(1, 0)),
             draw_op("Mul", t, tensor([[1.0], [2.0]]), backward=True)]
    x, y = Scalar(2.0, name="x"), Scalar(-1.0)
    pics.append(backprop_step((x * y + x).relu(), 2))
    for d in pics:
        print(repr(d), hashlib.sha256(to_svg(d).encode()).hexdigest())
""")


def test_svg_is_identical_across_processes_and_hash_seeds():
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": ROOT}
        res = subprocess.run([sys.executable, "-c", DETERMINISM_SCRIPT], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stderr
        outputs.append(res.stdout)
    assert outputs[0] == outputs[1]
    assert len(outputs[0].splitlines()) == 7
