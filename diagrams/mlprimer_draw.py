"""The ML primer's pictures (MiniTorch's ``mt_diagrams.mlprimer_draw``): 2-D points with labels, the
decision boundary of a model, the loss of each point, and a model with a hidden layer.

A *model* is anything with ``forward(x1, x2) -> float`` (MiniTorch's pages define their own small
``Linear`` class; `Linear` here is the same idea). A point is classified as the first class (the
``s1`` points, teal circles) where ``forward > 0`` and as the second class (``s2``, red squares)
elsewhere. Pictures show the unit square [0, 1] x [0, 1] (x1 to the right, x2 up), 6 units wide,
its two sides tinted light teal and light red with the boundary drawn between them; points on the
wrong side of the boundary get a black ring.

The example point sets are fixed (hand-placed, not random), so every picture is the same in every
run: ``s`` (a `Points` with ``N``, ``X``, ``y`` as MiniTorch's datasets; ``y`` is 1 for the first
class), its two classes ``s1`` and ``s2`` (lists of ``(x1, x2)``), and ``s1_hard`` / ``s2_hard``: the
same points plus a first-class cluster in the top-right corner, which no straight line separates
(``draw_nn_graph`` shows two hidden units that do).

Names: points ``("point", "s1", k)`` / ``("point", "s2", k)``, the picture's frame ``("plot",)``,
the tinted first-class region ``("region",)`` and the boundary ``("boundary",)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, List, Optional, Sequence, Tuple

from chalk import Diagram, Path, circle, concat, empty, hcat, rectangle, square

from diagrams import drawing
from diagrams.drawing import black, grey, latex, lightblue, lightred, red, teal, value_text, white
from diagrams.plots import plot_function

__all__ = [
    "Points", "Linear", "Network", "s", "s1", "s2", "s1_hard", "s2_hard",
    "draw_graph", "split_graph", "with_points", "show", "show_loss", "compare", "graph",
    "draw_nn_graph", "draw_with_hard_points", "misclassified",
]

Point = Tuple[float, float]
SIZE = 6.0          # the unit square, in cell units
RESOLUTION = 30     # strips the regions are drawn with (the boundary is exact for a linear model)
_SAMPLES = 60       # samples along a strip's edge when looking for the boundary


# ---------------------------------------------------------------- models and points
@dataclass
class Linear:
    """``forward(x1, x2) = w1 * x1 + w2 * x2 + b``: positive on the first class's side."""

    w1: float
    w2: float
    b: float

    def forward(self, x1: float, x2: float) -> float:
        return self.w1 * x1 + self.w2 * x2 + self.b


@dataclass
class Network:
    """One hidden layer of ReLU units: ``out.forward(relu(h1(x)), relu(h2(x)), ...)``, for any number
    of hidden `Linear` units and an output model taking that many inputs (``out.forward(*h)``)."""

    hidden: List[Any]
    out: Any

    def forward(self, x1: float, x2: float) -> float:
        h = [max(0.0, float(unit.forward(x1, x2))) for unit in self.hidden]
        return float(self.out.forward(*h))


@dataclass
class _Out:
    """An output unit over any number of inputs: ``sum(w * h) + b``."""

    w: Sequence[float]
    b: float

    def forward(self, *h: float) -> float:
        return sum(wi * hi for wi, hi in zip(self.w, h)) + self.b


@dataclass
class Points:
    """A labelled point set as MiniTorch's datasets give it: ``N`` points ``X`` with labels ``y``
    (1: first class, 0: second)."""

    N: int
    X: List[Point] = field(default_factory=list)
    y: List[int] = field(default_factory=list)


# hand-placed: the first class left of x1 = 0.5, the second right of it (MiniTorch's "Simple" idea)
_SIMPLE = [((0.12, 0.80), 1), ((0.30, 0.55), 1), ((0.08, 0.30), 1), ((0.38, 0.15), 1), ((0.22, 0.92), 1),
           ((0.62, 0.70), 0), ((0.85, 0.45), 0), ((0.70, 0.20), 0), ((0.88, 0.06), 0), ((0.58, 0.40), 0)]
s = Points(len(_SIMPLE), [p for p, _ in _SIMPLE], [c for _, c in _SIMPLE])
s1: List[Point] = [p for p, c in _SIMPLE if c == 1]
s2: List[Point] = [p for p, c in _SIMPLE if c == 0]
# a cluster of the first class in the top-right corner: no line has it and the left half on one side
s1_hard: List[Point] = s1 + [(0.88, 0.90), (0.80, 0.95), (0.95, 0.78)]
s2_hard: List[Point] = s2 + [(0.68, 0.85), (0.90, 0.60)]

#: the hidden units and output that `draw_nn_graph` draws by default: h1 is on for the left half, h2
#: in the top-right corner, and the output says "first class" where either is on
H1 = Linear(-1.0, 0.0, 0.5)
H2 = Linear(1.0, 1.0, -1.6)
OUT = _Out([6.0, 6.0], -0.15)


def _check_model(model: Any, what: str) -> Callable[[float, float], float]:
    if not hasattr(model, "forward") or not callable(model.forward):
        raise TypeError(f"{what} needs a model with forward(x1, x2), got {type(model).__name__}")

    def f(x1: float, x2: float) -> float:
        v = model.forward(x1, x2)
        v = getattr(v, "data", v)  # a Scalar's value
        return float(v)

    return f


def _check_points(pts: Any, what: str) -> List[Point]:
    try:
        out = [(float(p[0]), float(p[1])) for p in pts]
    except (TypeError, IndexError, ValueError) as exc:
        raise TypeError(f"{what}: points must be a list of (x1, x2) pairs, got {pts!r}") from exc
    return out


def misclassified(model: Any, pts1: Sequence[Point] = (), pts2: Sequence[Point] = ()) -> List[Tuple[str, int]]:
    """``("s1", k)`` for each first-class point with ``forward <= 0`` and ``("s2", k)`` for each
    second-class point with ``forward > 0``: the points on the wrong side."""
    f = _check_model(model, "misclassified")
    wrong = [("s1", k) for k, p in enumerate(pts1) if not f(*p) > 0]
    return wrong + [("s2", k) for k, p in enumerate(pts2) if f(*p) > 0]


# ---------------------------------------------------------------- pieces
def _xy(x1: float, x2: float) -> Tuple[float, float]:
    return x1 * SIZE, -x2 * SIZE


def _crossings(f: Callable[[float, float], float], x2: float) -> Tuple[bool, List[float]]:
    """Along the line at height x2: is x1 = 0 on the positive side, and where does f change sign."""
    xs = [k / _SAMPLES for k in range(_SAMPLES + 1)]
    vals = [f(x, x2) for x in xs]
    cuts = []
    for k in range(_SAMPLES):
        a, b = vals[k], vals[k + 1]
        if (a > 0) != (b > 0):
            t = a / (a - b) if a != b else 0.5  # linear interpolation: exact for a linear model
            cuts.append(xs[k] + t * (xs[k + 1] - xs[k]))
    return vals[0] > 0, cuts


def _intervals(start_pos: bool, cuts: List[float]) -> List[Tuple[float, float]]:
    edges = [0.0] + cuts + [1.0]
    return [(edges[k], edges[k + 1]) for k in range(len(edges) - 1) if (k % 2 == 0) == start_pos]


def _regions(f: Callable[[float, float], float]) -> Tuple[Diagram, Diagram]:
    """(the first class's region as one filled path, the boundary as one stroked path)."""
    region: Optional[Path] = None
    line: Optional[Path] = None
    eps = 0.002  # strips overlap a little so no seam shows between them
    for r in range(RESOLUTION):
        lo, hi = r / RESOLUTION, (r + 1) / RESOLUTION
        pos_lo, cut_lo = _crossings(f, lo)
        pos_hi, cut_hi = _crossings(f, hi)
        if pos_lo == pos_hi and len(cut_lo) == len(cut_hi):  # the boundary runs straight through
            quads = zip(_intervals(pos_lo, cut_lo), _intervals(pos_hi, cut_hi))
            pieces = [[_xy(a0, lo - eps), _xy(b0, lo - eps), _xy(b1, hi + eps), _xy(a1, hi + eps)]
                      for (a0, b0), (a1, b1) in quads]
            segs = [[_xy(c0, lo), _xy(c1, hi)] for c0, c1 in zip(cut_lo, cut_hi)]
        else:  # it turns or leaves the square inside the strip: fill the strip as its middle line
            # classifies it; join each crossing of the line with fewer to the nearest one on the other
            pos_mid, cut_mid = _crossings(f, (lo + hi) / 2)
            pieces = [[_xy(a, lo - eps), _xy(b, lo - eps), _xy(b, hi + eps), _xy(a, hi + eps)]
                      for a, b in _intervals(pos_mid, cut_mid)]
            few, many, flip = (cut_lo, cut_hi, False) if len(cut_lo) <= len(cut_hi) else (cut_hi, cut_lo, True)
            segs = []
            for c in few:
                near = min(many, key=lambda m: abs(m - c))
                if abs(near - c) < 0.2:
                    a, b = (near, c) if flip else (c, near)
                    segs.append([_xy(a, lo), _xy(b, hi)])
        for pts in pieces:
            p = Path.from_list_of_tuples(pts, closed=True)
            region = p if region is None else region + p
        for pts in segs:
            p = Path.from_list_of_tuples(pts)
            line = p if line is None else line + p
    fill = (region.stroke().fill_color(lightblue).line_width(0) if region is not None else empty())
    edge = (line.stroke().line_width(0.12).line_color(black) if line is not None else empty())
    return fill.named(("region",)), edge.named(("boundary",))


def _frame_and_axes(axes: bool = True) -> List[Diagram]:
    # the frame is named at its lower-left corner (the point (0, 0)); no fill: it is drawn on top
    parts: List[Diagram] = [square(SIZE).translate(SIZE / 2, -SIZE / 2).line_width(drawing.line_width)
                            .line_color(grey).fill_opacity(0).named(("plot",))]
    if not axes:
        return parts
    for v in (0.0, 0.5, 1.0):
        text = "0" if v == 0 else ("1" if v == 1 else "0.5")
        parts.append(value_text(text, 0.28).translate(*_xy(v, 0)).translate(0, 0.35))
        parts.append(value_text(text, 0.28).translate(*_xy(0, v)).translate(-0.35, 0))
    parts.append(latex("$x_1$", 0.4).center_xy().translate(SIZE / 2, 0.8))
    parts.append(latex("$x_2$", 0.4).center_xy().translate(-1.2, -SIZE / 2))
    return parts


def _marker(cls: str) -> Diagram:
    if cls == "s1":
        return circle(0.15).fill_color(teal).line_width(drawing.line_width)
    return square(0.28).fill_color(red).line_width(drawing.line_width)


def _points(pts1: Sequence[Point], pts2: Sequence[Point], wrong: Sequence[Tuple[str, int]] = ()) -> List[Diagram]:
    parts = []
    bad = set(wrong)
    for cls, pts in (("s1", pts1), ("s2", pts2)):
        for k, p in enumerate(pts):
            m = _marker(cls)
            if (cls, k) in bad:  # a black ring: this point is on the wrong side
                m = circle(0.3).line_width(0.12).line_color(black).fill_opacity(0) + m
            parts.append(m.named(("point", cls, k)).translate(*_xy(*p)))
    return parts


def _picture(model: Any, pts1: Sequence[Point], pts2: Sequence[Point], title: str = "",
             caption: bool = True, axes: bool = True) -> Diagram:
    parts = [rectangle(SIZE, SIZE).translate(SIZE / 2, -SIZE / 2).fill_color(lightred).line_width(0)]
    wrong: List[Tuple[str, int]] = []
    if model is not None:
        f = _check_model(model, "draw_graph")
        region, boundary = _regions(f)
        parts += [region, boundary]
        wrong = misclassified(model, pts1, pts2)
    else:
        parts[0] = parts[0].fill_color(white)
    parts += _frame_and_axes(axes) + _points(pts1, pts2, wrong)
    d = concat(parts).center_xy()
    n = len(pts1) + len(pts2)
    if model is not None and n and caption:
        d = drawing.label_below(f"{len(wrong)} of {n} points on the wrong side", d, gap=0.3, size=0.38)
    return drawing.label_above(title, d.center_xy(), gap=0.3, size=0.45).center_xy() if title else d.center_xy()


# ---------------------------------------------------------------- MiniTorch's names
def draw_graph(model: Any, title: str = "") -> Diagram:
    """The decision picture of ``model`` on the unit square: light teal where ``forward > 0`` (the
    first class), light red elsewhere, the boundary between them in black. No points."""
    return _picture(model, [], [], title)


def split_graph(s1: Sequence[Point], s2: Sequence[Point], show_origin: bool = False) -> Diagram:
    """The two classes of points on the unit square, no model: ``s1`` as teal circles, ``s2`` as red
    squares. ``show_origin`` marks the origin (0, 0) with a dot and its coordinates."""
    d = _picture(None, _check_points(s1, "split_graph s1"), _check_points(s2, "split_graph s2"))
    if not show_origin:
        return d
    c = d.get_subdiagram(("plot",)).get_location()
    x, y = c.x, c.y  # the frame is named at its lower-left corner, the point (0, 0)
    dot = circle(0.1).fill_color(black).line_width(0).named(("origin",))
    return concat([d, dot.translate(x, y), value_text("(0, 0)", 0.28).translate(x + 0.55, y - 0.3)])


def with_points(s1: Sequence[Point], s2: Sequence[Point], model: Any, title: str = "") -> Diagram:
    """``model``'s decision picture with the points ``s1`` and ``s2`` on it; points on the wrong side
    have a black ring and the caption counts them."""
    return _picture(model, _check_points(s1, "with_points s1"), _check_points(s2, "with_points s2"), title)


def show(model: Any, title: str = "") -> Diagram:
    """``with_points(s1, s2, model)``: the model on the example points."""
    return with_points(s1, s2, model, title)


def draw_with_hard_points(model: Any, title: str = "") -> Diagram:
    """``with_points(s1_hard, s2_hard, model)``: the model on points no straight line separates."""
    return with_points(s1_hard, s2_hard, model, title)


def compare(m1: Any, m2: Any, titles: Tuple[str, str] = ("model 1", "model 2")) -> Diagram:
    """Two models side by side on the example points, each with its count of points on the wrong side."""
    return hcat([show(m1, titles[0]), show(m2, titles[1])], 1.2).center_xy()


def _margin(model: Any, cls: str, p: Point) -> float:
    """How far a point is on the wrong side: ``-forward`` for the first class, ``forward`` for the
    second (negative: on the right side)."""
    v = _check_model(model, "show_loss")(*p)
    return -v if cls == "s1" else v


def show_loss(point_loss: Callable[[float], float], model: Any = None,
              pts: Tuple[Sequence[Point], Sequence[Point]] = None) -> Diagram:
    """The loss of each point: left, ``model``'s picture with the points numbered; right, one bar per
    point, its height ``point_loss(m)`` for the point's margin m (``-forward`` for a first-class point,
    ``forward`` for a second-class one, so m > 0 means the wrong side), and the total as the title.

    ``point_loss`` is the page's own loss of a margin (MiniTorch's primer uses e.g. ReLU, or
    ``-log(sigmoid(-m))``). ``model`` defaults to ``Linear(-1, 0, 0.5)`` (the split at x1 = 0.5);
    ``pts`` to ``(s1, s2)``. Bars are named ``("bar", cls, k)``.
    """
    if not callable(point_loss):
        raise TypeError(f"show_loss needs a function of a point's margin, got {type(point_loss).__name__}")
    model = Linear(-1.0, 0.0, 0.5) if model is None else model
    p1, p2 = (s1, s2) if pts is None else (_check_points(pts[0], "show_loss"), _check_points(pts[1], "show_loss"))
    items = [("s1", k, p) for k, p in enumerate(p1)] + [("s2", k, p) for k, p in enumerate(p2)]
    losses = [float(point_loss(_margin(model, cls, p))) for cls, k, p in items]
    left = _picture(model, p1, p2, caption=False)
    # number the points in the picture (beside each marker) and under each bar
    labels = []
    for n, (cls, k, p) in enumerate(items):
        where = left.get_subdiagram(("point", cls, k)).get_location()
        labels.append(value_text(str(n + 1), 0.26).translate(where.x + 0.32, where.y - 0.28))
    left = concat([left] + labels)
    top = max(max(losses), 1e-9)
    bar_h = 4.0
    bars = [Path.from_list_of_tuples([(-0.3, 0.0), (len(items) * 0.7, 0.0)]).stroke().line_width(drawing.line_width)]
    for n, ((cls, k, _), v) in enumerate(zip(items, losses)):
        h = max(v, 0.0) / top * bar_h
        x = n * 0.7 + 0.2
        bar = (rectangle(0.45, max(h, 1e-3)).translate(0, -h / 2).fill_color(teal if cls == "s1" else red)
               .line_width(drawing.line_width))
        bars.append(bar.named(("bar", cls, k)).translate(x, 0.0))
        bars.append(value_text(str(n + 1), 0.24).translate(x, 0.3))
    chart = drawing.label_above(f"total loss {sum(losses):.2f}", concat(bars).center_xy(), gap=0.3, size=0.42)
    return hcat([left.center_xy(), chart.center_xy()], 1.0).center_xy()


def graph(fn: Callable[[float], float], xs1: Sequence[float] = (), xs2: Sequence[float] = (),
          title: str = "", lo: float = -4.0, hi: float = 4.0) -> Diagram:
    """A function of one number (a point loss, the sigmoid) plotted on ``lo`` .. ``hi`` (widened to hold
    every x), with the values ``xs1`` marked as teal dots on the curve and ``xs2`` as red ones:
    ``graph(point_loss, [], [-2, -0.2, 1])``."""
    xs_all = [float(x) for x in list(xs1) + list(xs2)]
    lo = min([lo] + [x - 0.5 for x in xs_all])
    hi = max([hi] + [x + 0.5 for x in xs_all])
    arange = [lo + (hi - lo) * k / 160 for k in range(161)]
    marks = [(x, teal) for x in xs1] + [(x, red) for x in xs2]
    return plot_function(title, fn, arange, points=marks)


def draw_nn_graph(h1: Any = None, h2: Any = None, out: Any = None) -> Diagram:
    """A network with one hidden layer of two ReLU units, on the hard points: the region where each
    hidden unit is on (``h.forward > 0``), then the network ``out(relu(h1(x)), relu(h2(x)))``.
    ``h1``, ``h2``: models of (x1, x2); ``out``: a model of the two hidden values (``out.forward(a,
    b)``). Left out, they are a working choice (`H1`, `H2`, `OUT`): the left half, the top-right
    corner, and "either"."""
    h1, h2 = H1 if h1 is None else h1, H2 if h2 is None else h2
    net = Network([h1, h2], OUT if out is None else out)
    # the hidden units small and stacked (no ticks: they show where each unit is on), the network big
    small = [drawing.label_above(title, _picture(h, [], [], axes=False).scale(0.55), gap=0.2, size=0.4)
             for h, title in ((h1, "$h_1 > 0$"), (h2, "$h_2 > 0$"))]
    left = drawing.column(small, 0.4)
    right = with_points(s1_hard, s2_hard, net, "network: $\\mathrm{out}(\\mathrm{relu}(h_1), \\mathrm{relu}(h_2))$")
    return hcat([left.center_xy(), right], 1.0).center_xy()
