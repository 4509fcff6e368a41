"""Pictures of training (Module 4), drawn with chalk: deterministic SVG, no plotting library.

- ``loss_curve(history)``: loss per epoch (papaya), and accuracy (teal) when recorded;
- ``decision_boundary(model, graph)``: a 2-D classifier's prediction over the unit square as
  a grid of tinted cells, with the labelled points on top;
- ``misclassified(model, images, labels)``: the test images the model gets wrong, each with
  "true -> predicted" under it.

They read the model only through ``autograd.train.predict`` (its public API) and the
history's lists.
"""

from __future__ import annotations

from typing import Any, List, Sequence

import numpy as np
from chalk import Diagram, circle, concat, empty, hcat, make_path, rectangle, vcat
from colour import Color

from autograd.tensor_ops import SimpleBackend
from autograd.train import History, predict
from diagrams.drawing import _mix, black, papaya, teal, value_text, white

__all__ = ["loss_curve", "decision_boundary", "misclassified"]

# class 0 and class 1 of a 2-D set: the course's teal and papaya
CLASS_COLORS = (teal, papaya)


def _polyline(values: Sequence[float], width: float, height: float, lo: float, hi: float, color: Color) -> Diagram:
    n = len(values)
    span = (hi - lo) or 1.0
    pts = [(width * i / max(1, n - 1), -height * (v - lo) / span) for i, v in enumerate(values)]
    if n == 1:
        pts.append((width, pts[0][1]))
    return make_path(pts).line_color(color).line_width(0.04)


def loss_curve(history: History, width: float = 8.0, height: float = 4.0) -> Diagram:
    """Loss per epoch (papaya, scaled to its own range), accuracy in teal on a 0..1 scale."""
    if not history.loss:
        raise ValueError("loss_curve: the history is empty (train for at least one epoch)")
    frame = rectangle(width, height).line_width(0.03).fill_color(white).translate(width / 2, -height / 2)
    lo, hi = 0.0, max(history.loss)
    parts = [frame, _polyline(history.loss, width, height, lo, hi, papaya)]
    legend = [value_text(f"loss (max {hi:.3g})", 0.3, papaya)]
    for values, name, color in ((history.accuracy, "train accuracy", teal), (history.test_accuracy, "test accuracy", black)):
        if values:
            parts.append(_polyline(values, width, height, 0.0, 1.0, color))
            legend.append(value_text(name, 0.3, color))
    plot = concat(parts)
    axis = hcat([value_text("epoch 1", 0.28), empty(), value_text(f"epoch {history.epochs}", 0.28)], width - 2.2)
    return vcat([hcat(legend, 0.6).center_xy(), plot.center_xy(), axis.center_xy()], 0.3)


def decision_boundary(
    model: Any, graph: Any, backend: Any = SimpleBackend, cells: int = 25, size: float = 6.0
) -> Diagram:
    """The unit square cut into ``cells`` x ``cells`` squares, each tinted by the class the model
    predicts at its centre; the points of ``graph`` (a ``datasets.Graph``) drawn on top."""
    centres = (np.arange(cells) + 0.5) / cells
    grid = np.array([(x, y) for y in centres for x in centres])
    classes = predict(model, grid, backend).reshape(cells, cells)
    side = size / cells
    tints = [_mix(c, white, 0.6) for c in CLASS_COLORS]  # pale, so the points stand out
    squares = []
    for r in range(cells):
        for c in range(cells):
            tint = tints[int(classes[r, c]) % 2]
            squares.append(
                rectangle(side, side).fill_color(tint).line_width(0).translate((c + 0.5) * side, -(r + 0.5) * side)
            )
    dots = [
        circle(0.08).fill_color(CLASS_COLORS[int(label) % 2]).line_width(0.015).translate(x * size, -y * size)
        for (x, y), label in zip(graph.X, graph.y)
    ]
    border = rectangle(size, size).line_width(0.03).translate(size / 2, -size / 2)
    return concat(squares + [border] + dots)


def misclassified(
    model: Any,
    images: np.ndarray,
    labels: Sequence[int],
    backend: Any = SimpleBackend,
    limit: int = 16,
    columns: int = 8,
) -> Diagram:
    """Up to ``limit`` of the images (N, H, W) the model gets wrong, grey-scale, each labelled
    ``true -> predicted``. The model is given (N, 1, H, W): one input channel."""
    images = np.asarray(images, dtype=np.float64)
    n, h, w = images.shape
    predicted = predict(model, images.reshape(n, 1, h, w), backend)
    wrong = [i for i in range(n) if predicted[i] != labels[i]][:limit]
    if not wrong:
        return value_text("no misclassified images", 0.4)
    pixel = 1.6 / max(h, w)
    tiles: List[Diagram] = []
    for i in wrong:
        lo, hi = float(images[i].min()), float(images[i].max())
        cells = [
            rectangle(pixel, pixel).line_width(0).fill_color(_grey(images[i, r, c], lo, hi))
            .translate((c + 0.5) * pixel, -(r + 0.5) * pixel)
            for r in range(h)
            for c in range(w)
        ]  # fmt: skip
        picture = concat(cells + [rectangle(w * pixel, h * pixel).line_width(0.02).translate(w * pixel / 2, -h * pixel / 2)])
        tiles.append(vcat([picture.center_xy(), value_text(f"{labels[i]} \u2192 {predicted[i]}", 0.28)], 0.15))
    rows = [hcat(tiles[k : k + columns], 0.3) for k in range(0, len(tiles), columns)]
    return vcat([r.center_xy() for r in rows], 0.3)


def _grey(v: float, lo: float, hi: float) -> Color:
    """Ink on paper: 0 white, the image's maximum black."""
    t = 0.0 if hi <= lo else (v - lo) / (hi - lo)
    return Color(rgb=(1.0 - t, 1.0 - t, 1.0 - t))
