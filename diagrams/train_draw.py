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

__all__ = ["loss_curve", "decision_boundary", "misclassified", "scores_diagram", "image_grid"]

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
    first, last = value_text("epoch 1", 0.28), value_text(f"epoch {history.epochs}", 0.28)
    # the two labels under the frame's two ends (hcat's gap would count once per neighbour)
    axis = concat([first.translate(0.5, 0), last.translate(width - 0.6, 0)])
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
        # one rectangle per run of cells of the same class in a row: the same picture with far
        # fewer shapes (a 25 x 25 grid took seconds to turn into SVG, too slow for the playground)
        c = 0
        while c < cells:
            end = c
            while end + 1 < cells and classes[r, end + 1] == classes[r, c]:
                end += 1
            tint = tints[int(classes[r, c]) % 2]
            run = end - c + 1
            squares.append(
                # a hair taller than a cell, so that viewers leave no white seam between rows
                rectangle(run * side, side + 0.02).fill_color(tint).line_width(0)
                .translate((c + run / 2) * side, -(r + 0.5) * side)
            )
            c = end + 1
    dots = [
        circle(0.08).fill_color(CLASS_COLORS[int(label) % 2]).line_width(0.015).translate(x * size, -y * size)
        for (x, y), label in zip(graph.X, graph.y)
    ]
    # no fill: a filled border (chalk's default fill is white) would hide the tinted cells
    border = rectangle(size, size).line_width(0.03).fill_opacity(0).translate(size / 2, -size / 2)
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
    tiles: List[Diagram] = [_image_tile(images[i], f"{labels[i]} \u2192 {predicted[i]}") for i in wrong]
    rows = [hcat(tiles[k : k + columns], 0.3) for k in range(0, len(tiles), columns)]
    return vcat([r.center_xy() for r in rows], 0.3)


def _grey(v: float, lo: float, hi: float) -> Color:
    """Ink on paper: 0 white, the image's maximum black."""
    t = 0.0 if hi <= lo else (v - lo) / (hi - lo)
    return Color(rgb=(1.0 - t, 1.0 - t, 1.0 - t))


# ## More pictures of Module 4: class scores, image grids


def _bar_panel(values: Sequence[float], title: str, color: Color, lo: float, hi: float,
               names: Sequence[str], key: str, digits: int = 2, height: float = 3.0) -> Diagram:
    """Vertical bars on a shared zero line, one per class, each named ``(key, i)``, value above
    (or below, for a negative bar) and the class name under the axis."""
    span = (hi - lo) or 1.0
    zero = -height * (0.0 - lo) / span  # y of the zero line (down is positive in chalk)
    bars = []
    for i, v in enumerate(values):
        top = -height * (v - lo) / span
        h = abs(top - zero)
        x = i * 1.1
        bar = rectangle(0.8, max(h, 0.001)).fill_color(color).line_width(0.02).translate(x, (top + zero) / 2)
        label_y = min(top, zero) - 0.3 if v >= 0 else max(top, zero) + 0.3
        bars.append(bar.named((key, i)) + value_text(f"{v:.{digits}f}", 0.26).translate(x, label_y))
        bars.append(value_text(names[i], 0.26).translate(x, 0.85 if lo < 0 else 0.45))  # under the lowest bar
    axis = make_path([(-0.55, zero), (1.1 * (len(values) - 1) + 0.55, zero)]).line_width(0.03)
    body = concat(bars + [axis])
    return vcat([value_text(title, 0.32).center_xy(), body.center_xy()], 0.35)


def scores_diagram(logits: Sequence[float], names: Sequence[str] = ()) -> Diagram:
    """One input's class scores three ways: the logits, ``argmax`` (one-hot: the choice, no
    gradient) and ``softmax`` (probabilities: positive, summing to 1, smooth).

    Computed by ``autograd.nn.argmax`` and ``autograd.nn.softmax`` on the logits. Bars are named
    ``("logits", i)``, ``("argmax", i)``, ``("softmax", i)``.
    """
    from autograd import nn, tensor

    z = [float(v) for v in logits]
    if len(z) < 2:
        raise ValueError(f"scores_diagram: need at least 2 class scores, got {len(z)}")
    names = list(names) or [str(i) for i in range(len(z))]
    if len(names) != len(z):
        raise ValueError(f"scores_diagram: {len(z)} scores but {len(names)} names")
    t = tensor([z], requires_grad=False)
    hard = nn.argmax(t, 1).to_numpy()[0]
    soft = nn.softmax(t, 1).to_numpy()[0]
    lo, hi = min(0.0, *z), max(0.0, *z)
    panels = [
        _bar_panel(z, "logits", teal, lo, hi, names, "logits"),
        _bar_panel(hard, "argmax", black, 0.0, 1.0, names, "argmax", digits=0),
        _bar_panel(soft, "softmax", papaya, 0.0, 1.0, names, "softmax"),
    ]
    # bottoms aligned: the class names of the three panels on one line
    return hcat([p.align_b() for p in panels], 1.2).center_xy()


#: grey levels an image tile is drawn with (ink quantised to 1/16: the eye sees no more at this size)
GREY_LEVELS = 16


def _image_tile(image: np.ndarray, caption: str, size: float = 1.6, name: Any = None) -> Diagram:
    """One grey-scale image (H, W), ``size`` units across, with ``caption`` under it.

    Ink on paper, scaled to the image's own range and quantised to ``GREY_LEVELS``: all pixels of
    one grey are one path of squares (a shape per pixel made a page of digits take seconds to
    draw). With a ``name``, the shape of grey level k is named ``(*name, "ink", k)``.
    """
    from chalk import Path

    h, w = image.shape
    pixel = size / max(h, w)
    lo, hi = float(image.min()), float(image.max())
    t = np.zeros_like(image) if hi <= lo else (image - lo) / (hi - lo)
    levels = np.rint(t * GREY_LEVELS).astype(int)
    paper = rectangle(w * pixel, h * pixel).line_width(0).fill_color(white).translate(w * pixel / 2, h * pixel / 2)
    inks = []
    for level in sorted(set(levels.ravel().tolist()) - {0}):
        squares = [
            # chalk's y grows downward: row 0 on top
            Path.from_list_of_tuples([(c * pixel, r * pixel), ((c + 1) * pixel, r * pixel),
                                      ((c + 1) * pixel, (r + 1) * pixel), (c * pixel, (r + 1) * pixel)], closed=True)
            for r, c in zip(*np.nonzero(levels == level))
        ]
        path = squares[0]
        for sq in squares[1:]:
            path = path + sq
        grey = 1.0 - level / GREY_LEVELS
        ink = path.stroke().line_width(0).fill_color(Color(rgb=(grey, grey, grey)))
        inks.append(ink if name is None else ink.named((*name, "ink", level)))
    # no fill: chalk fills shapes white by default, which would hide the pixels
    frame = rectangle(w * pixel, h * pixel).line_width(0.02).fill_opacity(0).translate(w * pixel / 2, h * pixel / 2)
    # the envelope of the paper alone: the same box, without walking every square of every ink path
    # (that walk was most of the drawing time)
    picture = concat([paper, *inks, frame]).with_envelope(paper)
    return vcat([picture.center_xy(), value_text(caption, 0.28)], 0.15) if caption else picture.center_xy()


def image_grid(images: Sequence[np.ndarray], captions: Sequence[str] = (), columns: int = 8, size: float = 1.6) -> Diagram:
    """Images (N, H, W), or a list of 2-D arrays of any sizes, as grey tiles ``size`` units wide in
    rows of ``columns``, each with its caption (a label, a channel name); ink on paper, each tile
    scaled to its own range. The ink of grey level g (1..``GREY_LEVELS``, full ink) of image k is
    named ``("image", k, "ink", g)``."""
    images = [np.asarray(im, dtype=np.float64) for im in images]
    if not images or any(im.ndim != 2 for im in images):
        shapes = [im.shape for im in images]
        raise ValueError(f"image_grid: images must be (N, H, W) or a list of (H, W) arrays, N >= 1; got {shapes}")
    captions = list(captions) or [""] * len(images)
    if len(captions) != len(images):
        raise ValueError(f"image_grid: {len(images)} images but {len(captions)} captions")
    tiles = [_image_tile(im, cap, size, ("image", k)) for k, (im, cap) in enumerate(zip(images, captions))]
    rows = [hcat(tiles[k : k + columns], 0.3) for k in range(0, len(tiles), columns)]
    return vcat([r.center_xy() for r in rows], 0.3).center_xy()
