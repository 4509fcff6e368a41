"""How big pictures come out (fixed scale, caps), how heavy their SVG is (shared glyphs), and the
fixes to the broadcast / strides / reduce / shape pictures."""

import re
import xml.etree.ElementTree as ET

import chalk
import numpy as np
import pytest

import diagrams
from diagrams import display, ops_draw, tensor_draw
from diagrams.drawing import MathLabel, papaya
from diagrams.probe import _walk, cell_fill, cell_location, cell_text
from diagrams.tensor_draw import matrix

from autograd import tensor

SVG_NS = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"


def size_px(svg):
    root = ET.fromstring(svg.split("?>", 1)[1])
    return float(root.attrib["width"]), float(root.attrib["height"])


@pytest.fixture(autouse=True)
def default_sizes():
    # every test starts from (and leaves) the defaults, whatever another test or notebook set
    old = chalk.core.SVG_HEIGHT, chalk.core.SVG_DRAW_HEIGHT
    chalk.set_svg_height(200)
    display.set_scale()
    yield
    display.set_scale()
    chalk.set_svg_height(old[0])
    chalk.set_svg_draw_height(old[1])


# ---------------------------------------------------------------- size on screen
def test_a_cell_has_the_same_size_in_every_picture():
    small_w, small_h = size_px(diagrams.to_svg(matrix(1, 3)))
    tall_w, tall_h = size_px(diagrams.to_svg(matrix(6, 3)))
    assert small_w == pytest.approx(tall_w, abs=1)  # same width: 3 cells
    assert tall_h == pytest.approx(6 * small_h, abs=2)  # six times the rows, six times the height
    assert 40 <= small_h <= 60  # a unit cell is a few tens of px, not chalk's 200 px


def test_big_pictures_shrink_to_the_caps_and_keep_a_view_box():
    svg = diagrams.to_svg(matrix(2, 80))
    w, h = size_px(svg)
    assert w <= display.MAX_WIDTH and h < 40  # shrunk as a whole: still 40 times wider than tall
    assert re.search(r'<svg viewBox="0 0 %d %d"' % (w, h), svg)
    w, h = size_px(diagrams.to_svg(matrix(100, 2)))
    assert h <= display.MAX_HEIGHT


def test_set_scale_and_sized():
    d = matrix(2, 2)
    _, h45 = size_px(diagrams.to_svg(d))
    display.set_scale(90)
    assert size_px(diagrams.to_svg(d))[1] == pytest.approx(2 * h45, abs=1)
    display.set_scale()
    assert size_px(diagrams.to_svg(d))[1] == h45
    big = diagrams.sized(d, 90)
    assert size_px(diagrams.to_svg(big))[1] == pytest.approx(2 * h45, abs=1)
    assert big._repr_svg_() == diagrams.to_svg(big)  # the notebook shows it at that size
    assert size_px(diagrams.to_svg(d))[1] == h45  # the original is unchanged
    assert size_px(diagrams.to_svg(d, px_per_unit=90))[1] == pytest.approx(2 * h45, abs=1)
    with pytest.raises(ValueError, match="positive"):
        diagrams.sized(d, 0)
    with pytest.raises(ValueError, match="positive"):
        display.set_scale(-3)
    with pytest.raises(TypeError, match="Diagram"):
        diagrams.sized("d")


def test_an_explicit_height_is_honoured_as_in_chalk():
    d = matrix(2, 2)
    assert size_px(diagrams.to_svg(d, height=300))[1] == 300
    chalk.set_svg_height(250)  # what the notebooks' old sized() helper does
    assert size_px(diagrams.to_svg(d))[1] == 250


def test_line_widths_do_not_depend_on_the_picture_size():
    chalk.set_svg_draw_height(None)  # never set: the course's 300 is used, not the picture's size
    widths = {re.search(r"stroke-width: ([\d.]+)", diagrams.to_svg(matrix(n, n))).group(1) for n in (1, 5)}
    assert widths == {"0.72"}  # 0.08 of chalk's normalised width at draw height 300


# ---------------------------------------------------------------- SVG weight
def glyph_defs(svg):
    root = ET.fromstring(svg.split("?>", 1)[1])
    return {s.attrib["id"]: ET.tostring(s) for s in root.iter(SVG_NS + "symbol")}, root


def test_each_glyph_is_defined_once_and_every_use_finds_it():
    d = tensor_draw.tensor_to_diagram(tensor([[1.0, 1.0], [1.0, 1.0]]))  # "1.00" four times
    svg = diagrams.to_svg(d)
    defs, root = glyph_defs(svg)
    assert len(defs) == 3  # "1", "." and "0"
    assert svg.count("<symbol") == 3
    uses = [u.attrib[XLINK] for u in root.iter(SVG_NS + "use")]
    assert len(uses) == 16  # 4 numbers x 4 glyphs
    assert {u[1:] for u in uses} == set(defs)
    assert all(i.startswith("dg-STIXTwoMath") for i in defs)


def test_same_glyph_id_means_same_glyph_in_every_picture():
    # several SVGs inlined in one page must not redefine an id differently
    a, _ = glyph_defs(diagrams.to_svg(tensor_draw.tensor_to_diagram(tensor([[1.0, 2.0]]))))
    b, _ = glyph_defs(diagrams.to_svg(ops_draw.draw_op("Mul", tensor([[1.0, 3.0]]), tensor([[2.0, 0.5]]),
                                                       backward=True)))
    shared = set(a) & set(b)
    assert shared and all(a[k] == b[k] for k in shared)


def test_pictures_with_values_are_light():
    x = tensor([[1.0, 2.0], [3.0, 4.0]])
    y = tensor([[0.5, -1.0], [2.0, 0.0]])
    zip_back = diagrams.to_svg(ops_draw.zip_diagram(x, y, lambda s, t: s * t, backward=True))
    a = tensor([[1.0, 2.0, 0.0], [-1.0, 0.5, 3.0]])
    m = tensor([[1.0, 0.0], [2.0, 1.0], [0.0, -1.0]])
    mm_back = diagrams.to_svg(ops_draw.matmul_diagram(a, m, backward=True))
    # 24 numbers: with a full outline per glyph these were ~105 KB and ~114 KB
    assert len(zip_back) < 50_000 and len(mm_back) < 55_000


def test_compact_groups_drops_only_what_draws_nothing():
    raw = ('<svg><g><g transform="matrix(1, 0, 0, 1, 0, 0)"><path d="M 0 0"/></g>'
           '<g style="fill: red;" transform="matrix(1, 0, 0, 1, 2.5, -1)"><g /><rect/></g></g></svg>')
    out = display.compact_groups(raw)
    # the bare outer <g> and the identity one go, the styled one stays (shift written as translate)
    assert out == ('<svg><path d="M 0 0"/><g style="fill: red;" transform="translate(2.5 -1)">'
                   '<rect/></g></svg>')


def test_a_label_rendered_by_plain_chalk_still_has_its_glyphs(tmp_path):
    path = tmp_path / "x.svg"
    diagrams.latex("$x + 1$").render_svg(str(path), 100)
    defs, root = glyph_defs(path.read_text(encoding="utf-8"))
    assert len(defs) == 3 and all(u.attrib[XLINK][1:] in defs for u in root.iter(SVG_NS + "use"))


# ---------------------------------------------------------------- broadcast pictures
def label_texts(d):
    return [p.shape.text for p in _walk(d) if isinstance(p.shape, MathLabel)]


def test_broadcast_backward_shows_real_values_and_one_sum_arrow():
    x, m = tensor([1, 2, 3]), tensor([[1, 2, 3], [4, 5, 6]])
    d = ops_draw.broadcast_op_diagram(x, m, backward=True)
    assert [cell_text(d, ("grad_x", j)) for j in range(3)] == ["2.00"] * 3  # ones summed over 2 rows
    assert cell_text(d, ("d_out", 1, 2)) == "1.00"
    g = tensor([[1.0, 2.0, 3.0], [10.0, 20.0, 30.0]])
    d = ops_draw.broadcast_op_diagram(x, m, backward=True, d_out=g)
    assert [cell_text(d, ("grad_x", j)) for j in range(3)] == ["11.00", "22.00", "33.00"]
    labels = label_texts(d)
    assert labels.count("$\\sum_{0}$") == 1
    assert not any("leftarrow" in t for t in labels)  # the linking arrows show the direction
    diagrams.to_svg(d)
    # y stretched instead of x: its gradient is drawn
    d = ops_draw.broadcast_op_diagram(m, tensor([[10], [20]]), backward=True)
    assert [cell_text(d, ("grad_y", i, 0)) for i in range(2)] == ["3.00", "3.00"]


def test_broadcast_diagram_fills_the_output_with_the_result():
    col, v = tensor([[1], [2]]), tensor([10, 20, 30])
    d = tensor_draw.broadcast_diagram(col, v)
    got = [[cell_text(d, ("out", i, j)) for j in range(3)] for i in range(2)]
    assert got == [["11.00", "21.00", "31.00"], ["12.00", "22.00", "32.00"]]
    assert cell_fill(d, ("out", 0, 0)) != cell_fill(d, ("out", 1, 2))  # coloured by value
    d = tensor_draw.broadcast_diagram(col, v, fn=lambda a, b: a * b)
    assert cell_text(d, ("out", 1, 2)) == "60.00"
    assert cell_text(tensor_draw.broadcast_diagram((2, 1), (3,)), ("out", 0, 0)) is None  # shapes: blank


# ---------------------------------------------------------------- cosmetics
def arrows_before_numbers(d):
    kinds = ["arrow" if type(p.shape).__name__ == "ArrowHead" else "text" if isinstance(p.shape, MathLabel)
             else None for p in _walk(d)]
    kinds = [k for k in kinds if k]
    return "arrow" in kinds and kinds.index("text") > max(i for i, k in enumerate(kinds) if k == "arrow")


def test_strides_arrows_go_under_the_cells():
    t = tensor([[1, 2, 3], [4, 5, 6]])
    assert arrows_before_numbers(tensor_draw.strides_diagram(t.permute(1, 0)))


def arrow_box(d, src, dst):
    """(min_x, max_x, min_y, max_y) of the arrow drawn from cell src to cell dst (y grows downward)."""
    from chalk import V2

    e = d.get_subdiagram(("arrow", src, dst)).get_envelope()
    return (e.envelope_v(V2(-1, 0)).x, e.envelope_v(V2(1, 0)).x,
            e.envelope_v(V2(0, -1)).y, e.envelope_v(V2(0, 1)).y)


def assert_runs_outside(d, src, dst, side):
    """The arrow leaves src through the middle of its bottom (side 1) or top (side -1) edge, ends on
    the same edge of dst, and bulges away from the grids: it enters neither cell."""
    (sx, sy), (tx, ty) = cell_location(d, src), cell_location(d, dst)
    lo_x, hi_x, lo_y, hi_y = arrow_box(d, src, dst)
    assert abs((hi_x if sx > tx else lo_x) - sx) < 0.05  # starts at the middle of the source's edge
    assert tx - 0.5 <= (lo_x if sx > tx else hi_x) <= tx + 0.5  # ends within the target's edge
    if side == 1:
        assert abs(lo_y - min(sy, ty) - 0.5) < 0.05 and hi_y > max(sy, ty) + 0.5
    else:
        assert abs(hi_y - max(sy, ty) + 0.5) < 0.05 and lo_y < min(sy, ty) - 0.5


def test_broadcast_backward_arrows_start_and_end_at_their_cells():
    g = tensor([[1.0, 2.0, 3.0], [10.0, 20.0, 30.0]])
    # x (3,) summed over dim 0: d_out column 2 flows into grad_x[2]; top row over, bottom row under
    d = ops_draw.broadcast_op_diagram(tensor([1.0, 2.0, 3.0]), g, backward=True, d_out=g)
    assert_runs_outside(d, ("d_out", 0, 2), ("grad_x", 2), -1)
    assert_runs_outside(d, ("d_out", 1, 2), ("grad_x", 2), 1)
    assert cell_fill(d, ("d_out", 0, 2)) == cell_fill(d, ("d_out", 1, 2)) != cell_fill(d, ("d_out", 0, 1))
    # x (2, 1) summed over dim 1: the three cells of d_out's row 1, under the grids, ends spread out
    d = ops_draw.broadcast_op_diagram(tensor([[1.0], [2.0]]), g, backward=True, d_out=g)
    ends = []
    for j in range(3):
        assert_runs_outside(d, ("d_out", 1, j), ("grad_x", 1, 0), 1)
        ends.append(arrow_box(d, ("d_out", 1, j), ("grad_x", 1, 0))[0])
    assert min(a - b for a, b in zip(ends, ends[1:])) > 0.1  # a farther source ends farther left (outermost)
    with pytest.raises(LookupError):
        cell_location(d, ("arrow", ("d_out", 0, 0), ("grad_x", 1, 0)))  # row 0 feeds grad_x[0]: no arrow


def test_3d_reduce_arrows_run_under_the_slices_from_their_cells():
    x = tensor([1.0, 2.0]).view(2, 1, 1) * tensor([1.0, 2.0, 3.0]).view(1, 3, 1) * tensor([1.0, 2.0]).view(1, 1, 2)
    d = ops_draw.reduce_diagram(x, 1)  # out[0, 0, 0] sums x[0, :, 0]; only the bottom one is reachable
    assert_runs_outside(d, ("x", 0, 2, 0), ("out", 0, 0, 0), 1)
    tint = cell_fill(d, ("out", 0, 0, 0))
    assert [cell_fill(d, ("x", 0, i, 0)) for i in range(3)] == [tint] * 3 != [cell_fill(d, ("x", 1, 0, 0))] * 3
    d = ops_draw.reduce_diagram(x, 2, backward=True)  # d_out[0, 2, 0] goes back to grad_x[0, 2, :]
    for j in range(2):
        assert_runs_outside(d, ("d_out", 0, 2, 0), ("grad_x", 0, 2, j), 1)


def test_permute_and_view_labels_are_plain_text():
    t = tensor([[1, 2, 3], [4, 5, 6]])
    assert "permute(1, 0)" in label_texts(tensor_draw.permute_diagram(t, 1, 0))
    assert "view(3, 2)" in label_texts(tensor_draw.view_diagram(t, 3, 2))
    assert "permute(1, 0)" in label_texts(ops_draw.permute_op_diagram(t, (1, 0)))


def test_shape_table_missing_dim_is_readable():
    d = tensor_draw.shape_table((2, 3, 1), (4,))
    assert cell_fill(d, ("shape", "b", 0)) not in (papaya.hex_l, None)  # paler than a stretched 1
    assert cell_fill(d, ("shape", "a", 2)) == papaya.hex_l
    one = [p.shape for p in _walk(d.get_subdiagram(("shape", "b", 0)).diagram) if isinstance(p.shape, MathLabel)]
    assert one == [] or one[0].color == "#000000"
    texts = [p.shape for p in _walk(d) if isinstance(p.shape, MathLabel) and p.shape.text == "$1$"]
    assert texts and all(s.color == "#000000" for s in texts)
