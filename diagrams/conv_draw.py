"""A picture of convolution (Module 4): input, kernel and output, one window highlighted.

``conv_diagram(input, weight, at)`` draws ``input * weight = output`` for one channel:

- the input grid, with the zero padding the convolution reads past the right and bottom edges
  in light grey, and the window that makes output position ``at`` tinted teal;
- the kernel (weight) grid;
- the output grid, computed by ``autograd.conv1d`` / ``autograd.conv2d`` (the library's own
  kernel, not a copy), with cell ``at`` in papaya: it is the sum of the teal cells times the
  kernel, as the caption spells out.

Lists of numbers give 1-D convolution (one row), lists of lists 2-D. Cells are named
``("input", i, j)``, ``("weight", i, j)``, ``("output", i, j)`` for arrows (``connect``).
Uses autograd only through its public API (``tensor``, ``conv1d``, ``conv2d``, ``to_numpy``).
"""

from __future__ import annotations

from typing import Any, Sequence, Tuple, Union

import numpy as np
from chalk import Diagram, hcat, rectangle, vcat

import autograd
from diagrams.drawing import _mix, arrow_opts, green, latex, light_grey, papaya, teal, value_text, white, yellow
from diagrams.tensor_draw import matrix

__all__ = ["conv_diagram", "unroll_diagram", "channels_diagram", "conv_backward_diagram",
           "tile_diagram", "pool_diagram"]


def _grid(values: np.ndarray, name: str, fills: Any) -> Diagram:
    """The project's ``matrix`` grid showing ``values``, cells named ``(name, i, j)``."""
    return matrix(values.shape[0], values.shape[1], name, fills, lambda i, j: f"{values[i, j]:g}")


def conv_diagram(
    input: Sequence[Any], weight: Sequence[Any], at: Union[int, Tuple[int, int]] = 0
) -> Diagram:
    """``input * weight = output`` with the window of output position ``at`` highlighted.

    1-D: ``conv_diagram([1, 2, 3, 4], [1, 0, -1], at=1)``; 2-D: nested lists and ``at=(i, j)``.
    """
    x = np.asarray(input, dtype=np.float64)
    w = np.asarray(weight, dtype=np.float64)
    if x.ndim != w.ndim or x.ndim not in (1, 2):
        raise ValueError(
            f"conv_diagram: input and weight must both be 1-D or both 2-D lists, got shapes {x.shape} and {w.shape}"
        )
    one_d = x.ndim == 1
    if one_d:
        out = autograd.conv1d(autograd.tensor(x.tolist()).view(1, 1, len(x)), autograd.tensor([[w.tolist()]]))
        x, w = x[None, :], w[None, :]
        at = (0, at) if isinstance(at, (int, np.integer)) else tuple(at)
    else:
        out = autograd.conv2d(autograd.tensor([[x.tolist()]]), autograd.tensor([[w.tolist()]]))
        at = tuple(at) if not isinstance(at, (int, np.integer)) else (0, at)
    y = out.to_numpy()[0, 0]
    y = y[None, :] if one_d else y
    (h, wd), (kh, kw) = x.shape, w.shape
    r, c = at
    if not (0 <= r < h and 0 <= c < wd):
        raise IndexError(f"conv_diagram: position {at if not one_d else c} is outside the output of shape {y.shape}")
    # the input as the kernel reads it: padded with zeros to (h + kh - 1, w + kw - 1)
    padded = np.zeros((h + kh - 1, wd + kw - 1))
    padded[:h, :wd] = x

    def input_fill(i: int, j: int) -> Any:
        if r <= i < r + kh and c <= j < c + kw:
            return teal
        return light_grey if i >= h or j >= wd else white

    grid_in = _grid(padded, "input", input_fill)
    grid_w = _grid(w, "weight", lambda i, j: teal)
    grid_out = _grid(y, "output", lambda i, j: papaya if (i, j) == (r, c) else white)
    window = padded[r : r + kh, c : c + kw]
    terms = " + ".join(f"{a:g}\u00b7{b:g}" for a, b in zip(window.ravel(), w.ravel()))
    position = f"{c}" if one_d else f"{r},{c}"
    caption = value_text(f"output[{position}] = {terms} = {y[r, c]:g}", 0.35)
    parts = [
        _labelled(grid_in, "input"),
        latex("*", 0.6).center_xy(),
        _labelled(grid_w, "weight"),
        latex("=", 0.6).center_xy(),
        _labelled(grid_out, "output"),
    ]
    row = hcat([p.center_xy() for p in parts], 0.6)
    return vcat([row.center_xy(), caption.center_xy()], 0.6)


def _labelled(grid: Diagram, name: str) -> Diagram:
    return vcat([value_text(name, 0.35).center_xy(), grid.center_xy()], 0.3)


# ## More pictures of Module 4 (convolution as unroll + matmul, channels, backward, pooling)
#
# Each one computes what it shows with the library (``conv1d``, ``conv2d``, ``@``, ``tile``, the
# pooling functions, ``backward``), then draws it. Grids are the project's ``matrix``; cells are
# named ``(name, i, j)`` so tests and ``connect`` find them.

#: pale tints that tell pooling blocks apart (block k gets tint k mod 4)
BLOCK_TINTS = tuple(_mix(c, white, 0.55) for c in (teal, green, yellow, papaya))
#: the strong versions, for the cell a max-pool picks in each block
BLOCK_COLORS = (teal, green, yellow, papaya)
pale_papaya = _mix(papaya, white, 0.6)


def _n(v: float) -> str:
    """A number inside a written-out sum: negatives in brackets, so "2·(−1)" never reads "2·−1"."""
    return f"({v:g})" if v < 0 else f"{v:g}"


def _as_lists(input: Sequence[Any], weight: Sequence[Any], name: str) -> Tuple[np.ndarray, np.ndarray]:
    x = np.asarray(input, dtype=np.float64)
    w = np.asarray(weight, dtype=np.float64)
    if x.ndim != w.ndim or x.ndim not in (1, 2):
        raise ValueError(
            f"{name}: input and weight must both be 1-D or both 2-D lists, got shapes {x.shape} and {w.shape}"
        )
    if any(k > n for k, n in zip(w.shape, x.shape)):
        raise ValueError(f"{name}: the kernel of shape {w.shape} is larger than the input of shape {x.shape}")
    return x, w


def _padded(x: np.ndarray, kernel_shape: Tuple[int, ...]) -> np.ndarray:
    """``x`` (1-D or 2-D) with the zeros the kernel reads past its right (and bottom) edge."""
    shape = tuple(n + k - 1 for n, k in zip(x.shape, kernel_shape))
    out = np.zeros(shape)
    out[tuple(slice(0, n) for n in x.shape)] = x
    return out


def _windows(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The unrolled input: one row per output position, the numbers its window covers, in the
    kernel's reading order. 1-D: (W, K); 2-D: (H * W, KH * KW)."""
    p = _padded(x, w.shape)
    if x.ndim == 1:
        return np.array([p[i : i + len(w)] for i in range(len(x))])
    (h, wd), (kh, kw) = x.shape, w.shape
    return np.array([p[r : r + kh, c : c + kw].ravel() for r in range(h) for c in range(wd)])


def _conv_output(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The library's convolution of one channel with one kernel (1-D or 2-D)."""
    if x.ndim == 1:
        out = autograd.conv1d(autograd.tensor(x.tolist()).view(1, 1, len(x)), autograd.tensor([[w.tolist()]]))
    else:
        out = autograd.conv2d(autograd.tensor([[x.tolist()]]), autograd.tensor([[w.tolist()]]))
    return out.to_numpy()[0, 0]


def unroll_diagram(input: Sequence[Any], weight: Sequence[Any], at: Union[int, Tuple[int, int]] = 0) -> Diagram:
    """Convolution as a matrix product: the input, its windows unrolled one per row, times the
    kernel as a column, equals the output as a column.

    Row ``at`` (an output position; ``(i, j)`` in 2-D) and the input window it copies are teal, its
    output papaya. The product is the library's ``@`` on the unrolled matrix; the test compares it
    with ``conv1d`` / ``conv2d``. Cells: ``("input", i, j)``, ``("unrolled", p, k)``,
    ``("kernel", k, 0)``, ``("output", p, 0)``.
    """
    x, w = _as_lists(input, weight, "unroll_diagram")
    one_d = x.ndim == 1
    rows = _windows(x, w)
    column = autograd.tensor(rows.tolist()) @ autograd.tensor(w.reshape(-1, 1).tolist())
    out = column.to_numpy()
    if one_d:
        at_rc = (0, int(at)) if isinstance(at, (int, np.integer)) else (0, int(at[-1]))
        p = at_rc[1]
    else:
        if isinstance(at, (int, np.integer)):
            raise ValueError(f"unroll_diagram: a 2-D position is a pair (i, j), got {at!r}")
        at_rc = (int(at[0]), int(at[1]))
        p = at_rc[0] * x.shape[1] + at_rc[1]
    if not 0 <= p < len(rows) or not all(0 <= a < n for a, n in zip(at_rc if not one_d else (at_rc[1],), x.shape)):
        raise IndexError(f"unroll_diagram: position {at!r} is outside the output of shape {x.shape}")
    kh, kw = (1, len(w)) if one_d else w.shape
    x2 = x[None, :] if one_d else x
    padded = _padded(x2, (kh, kw))
    r, c = at_rc

    def input_fill(i: int, j: int) -> Any:
        if r <= i < r + kh and c <= j < c + kw:
            return teal
        return light_grey if i >= x2.shape[0] or j >= x2.shape[1] else white

    k_count = rows.shape[1]
    grid_in = _grid(padded, "input", input_fill)
    grid_rows = _grid(rows, "unrolled", lambda i, j: teal if i == p else white)
    grid_w = _grid(w.reshape(-1, 1), "kernel", lambda i, j: teal)
    grid_out = _grid(out, "output", lambda i, j: papaya if i == p else white)
    unroll = vcat([value_text("unroll", 0.3).center_xy(), latex("$\\longrightarrow$", 0.6).center_xy()], 0.1)
    parts = [
        _labelled(grid_in, "input"),
        unroll,
        _labelled(grid_rows, f"windows ({len(rows)}\u00d7{k_count})"),
        latex("@", 0.5).center_xy(),
        _labelled(grid_w, "kernel"),
        latex("=", 0.6).center_xy(),
        _labelled(grid_out, "output"),
    ]
    return hcat([q.center_xy() for q in parts], 0.5).center_xy()


def channels_diagram(input: Sequence[Any], weight: Sequence[Any], at: Tuple[int, int] = (0, 0)) -> Diagram:
    """1-D convolution with channels: input (C, W), weight (O, C, K) -> output (O, W).

    Output ``at = (o, w)`` (papaya) reads the window at ``w`` in **every** input channel (teal)
    and the ``o``-th kernel ``weight[o]`` (teal, one row per input channel). Computed by the
    library's ``conv1d``. Cells: ``("input", c, j)``, ``(f"weight[{o}]", c, k)``, ``("output", o, w)``.
    """
    x = np.asarray(input, dtype=np.float64)
    wt = np.asarray(weight, dtype=np.float64)
    if x.ndim != 2 or wt.ndim != 3 or wt.shape[1] != x.shape[0]:
        raise ValueError(
            f"channels_diagram: input (C, W) and weight (O, C, K) with the same C, got shapes {x.shape} and {wt.shape}"
        )
    (chans, width), (outs, _, k) = x.shape, wt.shape
    if k > width:
        raise ValueError(f"channels_diagram: kernel width {k} (weight shape {wt.shape}) exceeds the input width {width}")
    o, c = int(at[0]), int(at[1])
    if not (0 <= o < outs and 0 <= c < width):
        raise IndexError(f"channels_diagram: position {tuple(at)} is outside the output of shape {(outs, width)}")
    out = autograd.conv1d(autograd.tensor([x.tolist()]), autograd.tensor(wt.tolist())).to_numpy()[0]
    padded = _padded(x, (1, k))
    grid_in = _grid(padded, "input", lambda i, j: teal if c <= j < c + k else (light_grey if j >= width else white))
    kernels = [
        _labelled(_grid(wt[q], f"weight[{q}]", lambda i, j, q=q: teal if q == o else white), f"weight[{q}]")
        for q in range(outs)
    ]
    grid_out = _grid(out, "output", lambda i, j: papaya if (i, j) == (o, c) else white)
    terms = " + ".join(
        f"{_n(wt[o, ch, kk])}\u00b7{_n(padded[ch, c + kk])}" for ch in range(chans) for kk in range(k)
    )
    caption = value_text(f"output[{o}, {c}] = {terms} = {out[o, c]:g}", 0.32)
    row = hcat([
        _labelled(grid_in, f"input ({chans} channels)").center_xy(),
        latex("*", 0.6).center_xy(),
        vcat([q.center_xy() for q in kernels], 0.4).center_xy(),
        latex("=", 0.6).center_xy(),
        _labelled(grid_out, f"output ({outs} channels)").center_xy(),
    ], 0.6)
    return vcat([row.center_xy(), caption.center_xy()], 0.6)


def conv_backward_diagram(
    input: Sequence[float], weight: Sequence[float], grad_out: Sequence[float], at: int = 0, wrt: str = "input"
) -> Diagram:
    """The backward pass of a 1-D convolution (one channel), both gradients from the library.

    ``wrt="input"``: ``grad_input[at]`` (papaya) collects ``grad_out[at - k] * weight[k]`` from
    every output whose window covered input ``at``: those ``grad_out`` cells are papaya and an
    arrow runs from each to it; the others are pale. It is a convolution of ``grad_out`` with the
    kernel reversed.

    ``wrt="weight"``: ``grad_weight[at]`` is the sum of ``grad_out[w] * input[w + at]`` over all
    positions ``w``: a convolution of the input with ``grad_out`` as the kernel; the input cells
    it reads are teal.

    Cells: ``("grad_out", 0, j)``, ``("grad_input", 0, j)``, ``("weight", 0, k)``,
    ``("input", 0, j)``, ``("grad_weight", 0, k)``.
    """
    x = np.asarray(input, dtype=np.float64)
    w = np.asarray(weight, dtype=np.float64)
    g = np.asarray(grad_out, dtype=np.float64)
    if x.ndim != 1 or w.ndim != 1 or g.shape != x.shape or len(w) > len(x):
        raise ValueError(
            "conv_backward_diagram: input (W,), weight (K,) with K <= W and grad_out (W,), "
            f"got shapes {x.shape}, {w.shape} and {g.shape}"
        )
    if wrt not in ("input", "weight"):
        raise ValueError(f"conv_backward_diagram: wrt is 'input' or 'weight', got {wrt!r}")
    size = len(x) if wrt == "input" else len(w)
    if not 0 <= int(at) < size:
        raise IndexError(f"conv_backward_diagram: position {at} is outside the {wrt} of size {size}")
    at = int(at)
    xt = autograd.tensor([[x.tolist()]])  # leaves (1, 1, W) and (1, 1, K): their .grad is kept
    wt = autograd.tensor([[w.tolist()]])
    out = autograd.conv1d(xt, wt)
    out.backward(autograd.tensor([[g.tolist()]]))
    grad_in, grad_w = xt.grad.to_numpy()[0, 0], wt.grad.to_numpy()[0, 0]
    row = lambda a: a[None, :]  # noqa: E731 (a 1-D row as a 1 x n grid)
    if wrt == "input":
        feeds = [at - k for k in range(len(w)) if at - k >= 0]
        top = _grid(row(g), "grad_out", lambda i, j: papaya if j in feeds else pale_papaya)
        bottom = _grid(row(grad_in), "grad_input", lambda i, j: papaya if j == at else white)
        kernel = _grid(row(w), "weight", lambda i, j: teal)
        # grad_input's label goes under its row: the arrows come in from above
        under = vcat([bottom.center_xy(), value_text("grad_input", 0.35).center_xy()], 0.3)
        d = vcat([_labelled(top, "grad_out").center_xy(), under.center_xy()], 1.4)
        for j in feeds:
            d = d.connect_outside(("grad_out", 0, j), ("grad_input", 0, at), arrow_opts(color=papaya))
        terms = " + ".join(f"{_n(w[at - j])}\u00b7{_n(g[j])}" for j in feeds)
        caption = f"grad_input[{at}] = sum over k of weight[k]\u00b7grad_out[{at} \u2212 k] = {terms} = {grad_in[at]:g}"
        body = hcat([d.center_xy(), _labelled(kernel, "weight").center_xy()], 1.0)
    else:
        padded = _padded(x, w.shape)
        top = _grid(row(padded), "input", lambda i, j: teal if at <= j < at + len(x) else white)
        kernel = _grid(row(g), "grad_out", lambda i, j: papaya)
        result = _grid(row(grad_w), "grad_weight", lambda i, j: papaya if j == at else white)
        terms = " + ".join(f"{_n(g[j])}\u00b7{_n(padded[j + at])}" for j in range(len(x)))
        caption = f"grad_weight[{at}] = sum over w of grad_out[w]\u00b7input[w + {at}] = {terms} = {grad_w[at]:g}"
        body = hcat([
            _labelled(top, "input").center_xy(), latex("*", 0.6).center_xy(),
            _labelled(kernel, "grad_out").center_xy(), latex("=", 0.6).center_xy(),
            _labelled(result, "grad_weight").center_xy(),
        ], 0.6)
    return vcat([body.center_xy(), value_text(caption, 0.32).center_xy()], 0.6)


def _image_tensor(image: Sequence[Any], name: str) -> Tuple[np.ndarray, Any]:
    x = np.asarray(image, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"{name}: the image is a 2-D list of numbers (H rows of W), got shape {x.shape}")
    return x, autograd.tensor([[x.tolist()]])


def _block_of(i: int, j: int, kernel: Tuple[int, int], nw: int) -> int:
    return (i // kernel[0]) * nw + j // kernel[1]


def _named_rows(values: np.ndarray, names: Any, fill: Any) -> Diagram:
    """A 2-D grid whose cell (i, j) is named ``names(i, j)`` (``matrix`` names cells (name, i, j))."""
    from diagrams.tensor_draw import cell

    lines = [
        hcat([cell(fill(i, j), f"{values[i, j]:g}").named(names(i, j)) for j in range(values.shape[1])])
        for i in range(values.shape[0])
    ]
    return vcat(lines).center_xy()


def tile_diagram(image: Sequence[Any], kernel: Tuple[int, int] = (2, 2)) -> Diagram:
    """``nn.tile``: an (H, W) image cut into (kh, kw) blocks, each block becoming one row of
    kh * kw numbers, so that pooling is a reduction over the last dimension.

    Each block has its own tint, in the image and in its row. The rows are the library's
    ``tile(image, kernel)`` of shape (1, 1, H / kh, W / kw, kh * kw), drawn one row per block.
    Cells: ``("image", i, j)`` and ``("tiled", r, c, k)`` (block (r, c), number k of it).
    """
    x, t = _image_tensor(image, "tile_diagram")
    tiled, nh, nw = autograd.tile(t, kernel)
    kh, kw = int(kernel[0]), int(kernel[1])
    values = tiled.to_numpy()[0, 0]  # (nh, nw, kh * kw)
    img = _grid(x, "image", lambda i, j: BLOCK_TINTS[_block_of(i, j, (kh, kw), nw) % 4])
    rows = values.reshape(nh * nw, kh * kw)
    table = _named_rows(rows, lambda i, k: ("tiled", i // nw, i % nw, k), lambda i, k: BLOCK_TINTS[i % 4])
    labels = vcat([value_text(f"({i // nw}, {i % nw})", 0.28).center_xy().with_envelope(rectangle(1.2, 1))
                   for i in range(nh * nw)]).center_xy()
    arrow = vcat([value_text(f"tile(x, ({kh}, {kw}))", 0.3).center_xy(),
                  latex("$\\longrightarrow$", 0.6).center_xy()], 0.1)
    shape = f"({nh}, {nw}, {kh * kw})"
    return hcat([
        _labelled(img, f"image ({x.shape[0]}, {x.shape[1]})").center_xy(),
        arrow.center_xy(),
        _labelled(hcat([labels, table], 0.1), f"tiled {shape}: a row per block").center_xy(),
    ], 0.6).center_xy()


def pool_diagram(
    image: Sequence[Any],
    kernel: Tuple[int, int] = (2, 2),
    kind: str = "max",
    backward: bool = False,
    grad_out: Any = None,
) -> Diagram:
    """Average or max pooling of an (H, W) image over (kh, kw) blocks, forward or backward.

    Forward: the image with its blocks tinted (max: the maximum of each block in the block's
    strong colour), then the pooled (H / kh, W / kw) output, each cell in its block's tint.
    Backward: ``grad_out`` (default all ones) in papaya, and the gradient the library's
    backward sends to the image: ``g / (kh * kw)`` to every cell of a block for ``avg``, all of
    ``g`` to the block's maximum for ``max`` (those cells papaya). Cells: ``("image", i, j)``,
    ``("pooled", r, c)``, ``("grad_out", r, c)``, ``("grad_image", i, j)``.
    """
    if kind not in ("max", "avg"):
        raise ValueError(f"pool_diagram: kind is 'max' or 'avg', got {kind!r}")
    x, t = _image_tensor(image, "pool_diagram")
    kh, kw = int(kernel[0]), int(kernel[1])
    pool = autograd.maxpool2d if kind == "max" else autograd.avgpool2d
    out = pool(t, (kh, kw))
    pooled = out.to_numpy()[0, 0]
    nh, nw = pooled.shape
    name = f"{kind}pool2d(x, ({kh}, {kw}))"
    biggest = {
        b: max(((i, j) for i in range(x.shape[0]) for j in range(x.shape[1]) if _block_of(i, j, (kh, kw), nw) == b),
               key=lambda ij: (x[ij], -ij[0], -ij[1]))
        for b in range(nh * nw)
    }  # the first maximum of each block in reading order (for the picture only)

    def image_fill(i: int, j: int) -> Any:
        b = _block_of(i, j, (kh, kw), nw)
        if kind == "max" and biggest[b] == (i, j):
            return BLOCK_COLORS[b % 4]
        return BLOCK_TINTS[b % 4]

    arrow = vcat([value_text(name, 0.3).center_xy(), latex("$\\longrightarrow$", 0.6).center_xy()], 0.1)
    img = _labelled(_grid(x, "image", image_fill), "image x")
    res = _labelled(_grid(pooled, "pooled", lambda r, c: BLOCK_TINTS[(r * nw + c) % 4]), "output")
    forward = hcat([img.center_xy(), arrow.center_xy(), res.center_xy()], 0.6).center_xy()
    if not backward:
        return forward
    g = np.ones((nh, nw)) if grad_out is None else np.asarray(grad_out, dtype=np.float64)
    if g.shape != (nh, nw):
        raise ValueError(f"pool_diagram: grad_out must have the output's shape {(nh, nw)}, got {g.shape}")
    out.backward(autograd.tensor([[g.tolist()]]))
    grad = t.grad.to_numpy()[0, 0]
    back_arrow = vcat([value_text("backward", 0.3).center_xy(), latex("$\\longleftarrow$", 0.6).center_xy()], 0.1)
    grad_img = _labelled(_grid(grad, "grad_image", lambda i, j: papaya if grad[i, j] != 0 else white), "grad of x")
    grad_res = _labelled(_grid(g, "grad_out", lambda r, c: papaya), "grad_out")
    back = hcat([grad_img.center_xy(), back_arrow.center_xy(), grad_res.center_xy()], 0.6).center_xy()
    return vcat([forward, back], 0.8).center_xy()
