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
from chalk import Diagram, concat, hcat, vcat

import autograd
from diagrams.drawing import latex, light_grey, papaya, teal, value_text, white
from diagrams.tensor_draw import matrix

__all__ = ["conv_diagram"]


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
