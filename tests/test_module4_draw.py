"""The Module 4 pictures added for the notebooks: unroll + matmul, channels, the convolution's
backward pass, tile and pooling, class scores, image grids. Each shows numbers worked out by
hand here (never read back from the code under test), and draws the same SVG in a new process."""

import subprocess
import sys

import numpy as np
import pytest

from diagrams.conv_draw import (channels_diagram, conv_backward_diagram, pool_diagram, tile_diagram,
                                unroll_diagram)
from diagrams.display import to_svg
from diagrams.probe import cell_fill, cell_text
from diagrams.train_draw import image_grid, scores_diagram

TEAL, PAPAYA = "#69bac9", "#ff9700"


def texts(d, name, rows, cols):
    return [[cell_text(d, (name, i, j)) for j in range(cols)] for i in range(rows)]


def test_unroll_1d_rows_are_the_windows_and_the_product_is_the_convolution():
    d = unroll_diagram([1, 2, 0, -1, 3], [1, 0, -1], at=1)
    # window p holds input[p], input[p + 1], input[p + 2], zero past the end
    assert texts(d, "unrolled", 5, 3) == [["1", "2", "0"], ["2", "0", "-1"], ["0", "-1", "3"],
                                          ["-1", "3", "0"], ["3", "0", "0"]]
    # out[p] = x[p] - x[p + 2]: 1-0, 2-(-1), 0-3, -1-0, 3-0
    assert [cell_text(d, ("output", p, 0)) for p in range(5)] == ["1", "3", "-3", "-1", "3"]
    assert [cell_fill(d, ("unrolled", 1, k)) for k in range(3)] == [TEAL] * 3
    assert cell_fill(d, ("unrolled", 0, 0)) != TEAL
    assert cell_fill(d, ("output", 1, 0)) == PAPAYA and cell_fill(d, ("output", 2, 0)) != PAPAYA
    assert [cell_fill(d, ("input", 0, j)) == TEAL for j in range(7)] == [False, True, True, True, False, False, False]


def test_unroll_2d_has_one_row_per_output_pixel():
    d = unroll_diagram([[1, 2, 0], [0, 1, 3], [2, -1, 1]], [[1, 0], [0, 2]], at=(1, 1))
    # row 4 is pixel (1, 1): the window [[1, 3], [-1, 1]] read row by row
    assert [cell_text(d, ("unrolled", 4, k)) for k in range(4)] == ["1", "3", "-1", "1"]
    # out[i, j] = x[i, j] + 2 x[i + 1, j + 1]; at (1, 1): 1 + 2 = 3; at (2, 2): 1 + 0
    assert cell_text(d, ("output", 4, 0)) == "3" and cell_text(d, ("output", 8, 0)) == "1"
    assert cell_text(d, ("output", 0, 0)) == "3"  # 1 + 2 * 1
    with pytest.raises(ValueError, match="pair"):
        unroll_diagram([[1, 2], [3, 4]], [[1]], at=1)
    with pytest.raises(IndexError, match="outside"):
        unroll_diagram([1, 2, 3], [1, 1], at=3)
    with pytest.raises(ValueError, match="larger than the input"):
        unroll_diagram([1, 2], [1, 1, 1])


def test_channels_sum_over_every_input_channel():
    x = [[1, 2, 0, -1], [0, 1, 1, 2]]
    w = [[[1, -1], [0, 2]], [[1, 1], [1, 0]]]
    d = channels_diagram(x, w, at=(0, 1))
    # out[0, 1] = 1*2 - 1*0 + 0*1 + 2*1 = 4; out[1, 3] = 1*(-1) + 1*0 (padding) + 1*2 + 0 = 1
    assert cell_text(d, ("output", 0, 1)) == "4" and cell_text(d, ("output", 1, 3)) == "1"
    assert cell_fill(d, ("output", 0, 1)) == PAPAYA
    assert [cell_fill(d, ("input", c, 1)) for c in range(2)] == [TEAL, TEAL]  # the window in both channels
    assert cell_fill(d, ("input", 0, 0)) != TEAL
    assert cell_fill(d, ("weight[0]", 1, 1)) == TEAL and cell_fill(d, ("weight[1]", 0, 0)) != TEAL
    with pytest.raises(ValueError, match="same C"):
        channels_diagram(x, [[[1, 1]]])
    with pytest.raises(IndexError, match="outside"):
        channels_diagram(x, w, at=(2, 0))


def test_conv_backward_to_the_input_is_the_reversed_kernel():
    x, w, g = [1, 2, 0, -1, 3], [1, 0, -1], [1, 2, -1, 0, 1]
    d = conv_backward_diagram(x, w, g, at=2)
    # grad_input[x] = sum_k w[k] g[x - k]: [1, 2, -1 - 1, 0 - 2, 1 + 1]
    assert [cell_text(d, ("grad_input", 0, j)) for j in range(5)] == ["1", "2", "-2", "-2", "2"]
    # input 2 is read by the windows at 0, 1, 2: those gradients are the strong papaya
    assert [cell_fill(d, ("grad_out", 0, j)) == PAPAYA for j in range(5)] == [True, True, True, False, False]


def test_conv_backward_to_the_weight_slides_grad_out_over_the_input():
    d = conv_backward_diagram([1, 2, 0, -1, 3], [1, 0, -1], [1, 2, -1, 0, 1], at=1, wrt="weight")
    # grad_w[k] = sum_w g[w] x[w + k]: k=0: 1+4+0+0+3 = 8; k=1: 2+0+1+0+0 = 3; k=2: 0-2-3+0+0 = -5
    assert [cell_text(d, ("grad_weight", 0, k)) for k in range(3)] == ["8", "3", "-5"]
    assert [cell_fill(d, ("input", 0, j)) == TEAL for j in range(7)] == [False] + [True] * 5 + [False]
    with pytest.raises(ValueError, match="wrt"):
        conv_backward_diagram([1, 2], [1], [1, 1], wrt="bias")
    with pytest.raises(ValueError, match="grad_out"):
        conv_backward_diagram([1, 2], [1], [1])


IMAGE = [[1, 5, 3, 4], [2, 0, 7, 8], [9, 1, 1, 2], [3, 4, 6, 0]]


def test_tile_puts_each_block_on_one_row():
    d = tile_diagram([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]], (2, 2))
    assert [cell_text(d, ("tiled", 0, 1, k)) for k in range(4)] == ["3", "4", "7", "8"]
    assert [cell_text(d, ("tiled", 1, 0, k)) for k in range(4)] == ["9", "10", "13", "14"]
    # a block has one tint in the image and in its row; neighbouring blocks differ
    assert cell_fill(d, ("image", 0, 2)) == cell_fill(d, ("tiled", 0, 1, 0)) == cell_fill(d, ("image", 1, 3))
    assert cell_fill(d, ("image", 0, 1)) != cell_fill(d, ("image", 0, 2))
    d2 = tile_diagram([[1, 2, 3, 4], [5, 6, 7, 8]], (1, 4))  # a block of one row: the rows themselves
    assert [cell_text(d2, ("tiled", 1, 0, k)) for k in range(4)] == ["5", "6", "7", "8"]


def test_max_pool_forward_and_backward():
    d = pool_diagram(IMAGE, (2, 2), "max", backward=True, grad_out=[[1, 2], [3, 4]])
    assert texts(d, "pooled", 2, 2) == [["5", "8"], ["9", "6"]]
    # each block's gradient goes to its maximum only
    assert texts(d, "grad_image", 4, 4) == [["0", "1", "0", "0"], ["0", "0", "0", "2"],
                                            ["3", "0", "0", "0"], ["0", "0", "4", "0"]]
    assert cell_fill(d, ("grad_image", 0, 1)) == PAPAYA and cell_fill(d, ("grad_image", 0, 0)) != PAPAYA
    assert cell_fill(d, ("image", 0, 1)) == TEAL  # the maximum of block (0, 0) in the block's strong colour


def test_avg_pool_forward_and_backward():
    d = pool_diagram(IMAGE, (2, 2), "avg", backward=True, grad_out=[[4, 8], [0, 2]])
    assert texts(d, "pooled", 2, 2) == [["2", "5.5"], ["4.25", "2.25"]]  # (1+5+2+0)/4, ..., (1+2+6+0)/4
    # every cell of a block gets a quarter of its gradient
    assert texts(d, "grad_image", 4, 4) == [["1", "1", "2", "2"], ["1", "1", "2", "2"],
                                            ["0", "0", "0.5", "0.5"], ["0", "0", "0.5", "0.5"]]
    assert pool_diagram(IMAGE, (2, 2), "avg").get_envelope().height < d.get_envelope().height
    with pytest.raises(ValueError, match="'max' or 'avg'"):
        pool_diagram(IMAGE, (2, 2), "sum")
    with pytest.raises(ValueError, match=r"shape \(2, 2\)"):
        pool_diagram(IMAGE, (2, 2), backward=True, grad_out=[1, 2])


def test_scores_diagram_bars():
    d = scores_diagram([2.0, -1.0, 0.5], ["a", "b", "c"])
    h = lambda key, i: d.get_subdiagram((key, i)).diagram.get_envelope().height  # noqa: E731
    assert h("logits", 0) > h("logits", 2) > 0 and h("logits", 1) > h("logits", 2)  # |-1| > 0.5
    assert h("argmax", 0) > 1.0 and h("argmax", 1) < 0.01  # one-hot: the largest logit only
    e = np.exp([2.0, -1.0, 0.5])
    p = e / e.sum()
    assert h("softmax", 0) / h("softmax", 2) == pytest.approx(p[0] / p[2], rel=1e-6)
    with pytest.raises(ValueError, match="3 scores but 2 names"):
        scores_diagram([1, 2, 3], ["a", "b"])


def test_image_grid_rows_of_columns():
    one = image_grid(np.ones((1, 4, 4)), ["x"])
    six = image_grid(np.arange(6 * 16, dtype=float).reshape(6, 4, 4), [str(i) for i in range(6)], columns=4)
    assert six.get_envelope().width == pytest.approx(4 * 1.6 + 3 * 0.3, rel=1e-6)  # 4 tiles of 1.6, 3 gaps
    assert six.get_envelope().height > 1.9 * one.get_envelope().height  # two rows
    with pytest.raises(ValueError, match="captions"):
        image_grid(np.ones((2, 3, 3)), ["a"])
    with pytest.raises(ValueError, match=r"list of \(H, W\) arrays"):
        image_grid([np.ones((2, 2)), np.ones(3)])
    mixed = image_grid([np.ones((8, 8)), np.ones((4, 4))], size=2.0)  # sizes may differ: same tile width
    assert mixed.get_envelope().width == pytest.approx(2 * 2.0 + 0.3, rel=1e-6)


SCRIPT = """
import numpy as np
from diagrams.display import to_svg
from diagrams.conv_draw import unroll_diagram, channels_diagram, conv_backward_diagram, tile_diagram, pool_diagram
from diagrams.train_draw import scores_diagram, image_grid
img = [[1, 5, 3, 4], [2, 0, 7, 8], [9, 1, 1, 2], [3, 4, 6, 0]]
for d in (unroll_diagram([1, 2, 0], [1, -1], at=1), channels_diagram([[1, 2], [3, 4]], [[[1], [2]]]),
          conv_backward_diagram([1, 2, 0], [1, -1], [1, 1, 2], at=1), tile_diagram(img),
          pool_diagram(img, backward=True), scores_diagram([1.0, 0.2]), image_grid(np.eye(3)[None])):
    print(to_svg(d))
"""


def test_new_pictures_are_byte_identical_in_new_processes():
    runs = [subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True).stdout
            for _ in range(2)]
    assert runs[0] == runs[1] and runs[0].count("<svg") == 7


@pytest.mark.parametrize("make", [
    lambda: unroll_diagram([[1, 2, 0], [0, 1, 3], [2, -1, 1]], [[1, 0], [0, -1]], at=(1, 1)),
    lambda: pool_diagram(IMAGE, (2, 2), "max", backward=True),
    lambda: channels_diagram([[1, 2, 0, -1], [0, 1, 1, 2]], [[[1, -1], [0, 2]], [[1, 1], [1, 0]]]),
], ids=["unroll-2d", "pool-backward", "channels"])
def test_the_notebook_sizes_fit_a_slide(make):
    import re

    width, height = (float(v) for v in re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', to_svg(make())).groups())
    assert width <= 1280 and height <= 600  # a 1280x720 slide, with room for a title


def test_pictures_over_tinted_cells_leave_them_visible():
    # chalk fills a shape white unless told otherwise: a frame drawn last would hide the pixels (or the
    # decision regions) under it. The frames must be unfilled, and the pixels' greys present.
    from autograd import nn
    from autograd.datasets import datasets as points
    from diagrams.train_draw import decision_boundary

    image = np.array([[0.0, 1.0], [0.5, 0.0]])
    svg = to_svg(image_grid(image[None], ["x"]))
    assert "fill: #000000" in svg and "fill-opacity: 0" in svg  # full ink is black; the frame unfilled
    board = to_svg(decision_boundary(nn.Sequential(nn.Linear(2, 2, seed=3)), points["Xor"](10), cells=4))
    assert board.count("fill-opacity: 0") == 1


def test_images_are_drawn_the_right_way_up():
    image = np.zeros((3, 3))
    image[0, 2] = 1.0  # full ink in the top-right pixel
    image[2, 0] = 0.5  # half ink in the bottom-left one
    d = image_grid(image[None], size=3.0)
    assert cell_fill(d, ("image", 0, "ink", 16)) == "#000000" and cell_fill(d, ("image", 0, "ink", 8)) in ("#7f7f7f", "#808080")
    full = d.get_subdiagram(("image", 0, "ink", 16)).get_envelope()
    half = d.get_subdiagram(("image", 0, "ink", 8)).get_envelope()
    assert full.width == pytest.approx(1.0) and half.height == pytest.approx(1.0)  # one 1x1 pixel each
    assert full.center.x > half.center.x and full.center.y < half.center.y  # right, and on top (y grows down)
    assert d.get_subdiagram(("image", 0, "ink", 4)) is None  # no pixel of that grey
