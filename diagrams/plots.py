"""Plots of functions, drawn with chalk (no plotting library): MiniTorch's ``plot_function`` and
``plot_function3D`` for the derivative and loss pages.

``plot_function(title, fn)`` samples ``fn`` on ``arange`` (default x = -10.0, -9.9, ..., 9.9, as
MiniTorch's pages) and draws the curve in teal on axes with labelled ticks; ``fn2`` adds a second
curve in papaya (on the derivative pages it is the derivative: papaya is the course's colour for
derivatives). ``plot_function3D(title, fn)`` draws z = fn(x, y) as a shaded surface seen from
above at an angle.

Names (for tests and ``connect``): the curves ``("curve", 0)`` and ``("curve", 1)``, each tick with
its label ``("xtick", k)`` / ``("ytick", k)`` (its location is the tick's point on the axis, its
text the value), the plot area ``("plot",)``. Values that are not finite (log of a negative
number) leave a gap in the curve.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Callable, List, Optional, Sequence, Tuple

from chalk import Diagram, Path, circle, concat, empty, rectangle
from chalk.transform import P2

from diagrams import drawing
from diagrams.drawing import grey, latex, light_grey, papaya, teal, value_text

__all__ = ["plot_function", "plot_function3D", "nice_ticks", "DEFAULT_RANGE"]

#: MiniTorch's default sample points: -10.0, -9.9, ..., 9.9
DEFAULT_RANGE: List[float] = [i / 10.0 for i in range(-100, 100)]
#: the plot area, in cell units (at the default 45 px a unit: 540 x 270 px)
WIDTH, HEIGHT = 12.0, 6.0
CURVE_WIDTH = 0.2
TICK_SIZE = 0.3


def nice_ticks(lo: float, hi: float, most: int = 6) -> List[float]:
    """Round tick values covering [lo, hi]: steps of 1, 2 or 5 times a power of ten, at most
    ``most`` ticks inside the range (``nice_ticks(-10, 9.9)`` -> [-10, -5, 0, 5])."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        raise ValueError(f"nice_ticks needs finite lo < hi, got {lo}, {hi}")
    raw = (hi - lo) / max(most - 1, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(lo / step - 1e-9)
    ticks = []
    k = first
    while k * step <= hi + 1e-9 * step:
        ticks.append(round(k * step, 10) + 0.0)
        k += 1
    return ticks


def _tick_text(v: float) -> str:
    if v == int(v) and abs(v) < 1e6:
        return str(int(v))
    return f"{v:.4g}"


def _samples(fn: Callable[..., Any], xs: Sequence[float], what: str) -> List[float]:
    ys = []
    for x in xs:
        try:
            y = float(fn(x))
        except (ValueError, ZeroDivisionError, OverflowError):  # outside fn's domain: a gap
            y = math.nan
        except TypeError as exc:
            raise TypeError(f"{what}: fn({x}) must return a number, {exc}") from exc
        ys.append(y)
    return ys


def _check_range(arange: Optional[Sequence[float]], what: str) -> List[float]:
    xs = DEFAULT_RANGE if arange is None else [float(x) for x in arange]
    if len(xs) < 2 or any(not math.isfinite(x) for x in xs):
        raise ValueError(f"{what}: arange needs at least two finite x values, got {len(xs)}")
    return xs


def _y_range(values: Sequence[float]) -> Tuple[float, float]:
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        raise ValueError("plot_function: fn gives no finite value on arange, nothing to plot")
    lo, hi = min(finite), max(finite)
    if hi - lo < 1e-12:  # a constant: give it some room
        lo, hi = lo - 1.0, hi + 1.0
    pad = 0.05 * (hi - lo)
    return lo - pad, hi + pad


def _curve(xs: Sequence[float], ys: Sequence[float], to_plot: Callable[[float, float], Tuple[float, float]],
           color: Any) -> Diagram:
    """One path through the finite points, broken where a value is not finite."""
    runs: List[List[Tuple[float, float]]] = [[]]
    for x, y in zip(xs, ys):
        if math.isfinite(y):
            runs[-1].append(to_plot(x, y))
        elif runs[-1]:
            runs.append([])
    path = None
    for run in runs:
        if len(run) == 1:  # a lone point: a tiny segment so it still shows
            run = [run[0], (run[0][0] + 1e-3, run[0][1])]
        if len(run) >= 2:
            piece = Path.from_list_of_tuples(run)
            path = piece if path is None else path + piece
    if path is None:
        return empty()
    return path.stroke().line_color(color).line_width(CURVE_WIDTH).fill_opacity(0)


def _axes(xticks: Sequence[float], yticks: Sequence[float],
          to_plot: Callable[[float, float], Tuple[float, float]]) -> List[Diagram]:
    parts: List[Diagram] = [rectangle(WIDTH, HEIGHT).translate(WIDTH / 2, -HEIGHT / 2)
                            .line_width(drawing.line_width).line_color(grey).fill_opacity(0).named(("plot",))]
    for k, v in enumerate(xticks):
        x, _ = to_plot(v, 0.0)
        grid = Path.from_list_of_tuples([(x, 0.0), (x, -HEIGHT)]).stroke().line_color(light_grey)
        mark = Path.from_list_of_tuples([(0.0, 0.0), (0.0, 0.15)]).stroke().line_width(drawing.line_width)
        tick = (mark + value_text(_tick_text(v), TICK_SIZE).translate(0, 0.45)).named(("xtick", k))
        parts += [grid.line_width(0.05), tick.translate(x, 0.0)]
    for k, v in enumerate(yticks):
        _, y = to_plot(0.0, v)
        grid = Path.from_list_of_tuples([(0.0, y), (WIDTH, y)]).stroke().line_color(light_grey)
        mark = Path.from_list_of_tuples([(0.0, 0.0), (-0.15, 0.0)]).stroke().line_width(drawing.line_width)
        label = value_text(_tick_text(v), TICK_SIZE)
        w = label.get_envelope().width
        tick = (mark + label.translate(-0.3 - w / 2, 0)).named(("ytick", k))
        parts += [grid.line_width(0.05), tick.translate(0.0, y)]
    return parts


def _frame(title: str, plot: Diagram) -> Diagram:
    if not isinstance(title, str):
        raise TypeError(f"plot title must be a string, got {type(title).__name__}")
    return drawing.label_above(title, plot.center_xy(), gap=0.3, size=0.5).center_xy() if title else plot


def plot_function(title: str, fn: Callable[[float], float], arange: Optional[Sequence[float]] = None,
                  fn2: Optional[Callable[[float], float]] = None, *,
                  points: Sequence[Tuple[float, Any]] = ()) -> Diagram:
    """The graph of ``fn`` (a function of one float) over ``arange`` (default: MiniTorch's, -10 to 9.9
    in steps of 0.1), titled ``title`` (text, with $...$ for math), on axes with round ticks.

    ``fn`` is drawn in teal; ``fn2``, if given, in papaya on the same axes (e.g. a derivative, or a
    tangent line). A value that raises ValueError/ZeroDivisionError or is not finite leaves a gap.
    The plot area is 12 x 6 units (540 x 270 px at the default scale). ``points`` (ours, not
    MiniTorch's): ``(x, colour)`` pairs marked as dots on ``fn``'s curve, named ``("mark", k)``.
    """
    if not callable(fn) or (fn2 is not None and not callable(fn2)):
        raise TypeError("plot_function(title, fn, arange=None, fn2=None): fn and fn2 must be functions")
    xs = _check_range(arange, "plot_function")
    curves = [_samples(fn, xs, "plot_function")]
    if fn2 is not None:
        curves.append(_samples(fn2, xs, "plot_function fn2"))
    x0, x1 = min(xs), max(xs)
    y0, y1 = _y_range([v for ys in curves for v in ys])

    def to_plot(x: float, y: float) -> Tuple[float, float]:
        return (x - x0) / (x1 - x0) * WIDTH, -(y - y0) / (y1 - y0) * HEIGHT

    parts = _axes(nice_ticks(x0, x1), nice_ticks(y0, y1, 5), to_plot)
    if y0 < 0 < y1:  # the x axis itself, where the curve crosses zero
        parts.append(Path.from_list_of_tuples([(0.0, to_plot(0, 0)[1]), (WIDTH, to_plot(0, 0)[1])]).stroke()
                     .line_color(grey).line_width(drawing.line_width))
    for n, (ys, color) in enumerate(zip(curves, (teal, papaya))):
        parts.append(_curve(xs, ys, to_plot, color).named(("curve", n)))
    for k, (x, color) in enumerate(points):
        y = _samples(fn, [float(x)], "plot_function points")[0]
        if math.isfinite(y) and x0 <= x <= x1:
            dot = circle(0.16).fill_color(color).line_width(drawing.line_width)
            parts.append(dot.named(("mark", k)).translate(*to_plot(float(x), y)))
    return _frame(title, concat(parts))


# ---------------------------------------------------------------- 3-D
def _surface_color(frac: float) -> Any:
    return drawing.ramp_color(frac)


def plot_function3D(title: str, fn: Callable[[float, float], float], arange: Optional[Sequence[float]] = None,
                    brange: Optional[Sequence[float]] = None, n: int = 14) -> Diagram:
    """The surface z = ``fn(x, y)`` seen from above at an angle: a grid of ``n`` x ``n`` samples of x
    over ``arange`` and y over ``brange`` (both default: -5 to 5; only their ends are used), each
    patch coloured along the value ramp (teal low, papaya high) and drawn back to front.

    Corners are labelled with the x and y ranges, and the lowest and highest z are written beside the
    picture. Patches are named ``("patch", a, b)`` (x index a, y index b). About 10 x 7 units.
    """
    if not callable(fn):
        raise TypeError("plot_function3D(title, fn, ...): fn must be a function of two floats")
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or not 2 <= n <= 40:
        raise ValueError(f"plot_function3D: n must be an int from 2 to 40, got {n!r}")
    ax = _check_range([-5.0, 5.0] if arange is None else arange, "plot_function3D")
    by = _check_range([-5.0, 5.0] if brange is None else brange, "plot_function3D brange")
    (xa, xb), (ya, yb) = (min(ax), max(ax)), (min(by), max(by))
    xs = [xa + (xb - xa) * a / (n - 1) for a in range(n)]
    ys = [ya + (yb - ya) * b / (n - 1) for b in range(n)]
    z = [[_samples(lambda y: fn(x, y), [y], "plot_function3D")[0] for y in ys] for x in xs]
    finite = [v for row in z for v in row if math.isfinite(v)]
    if not finite:
        raise ValueError("plot_function3D: fn gives no finite value on the grid, nothing to plot")
    z0, z1 = min(finite), max(finite)
    span = (z1 - z0) or 1.0
    side, rise = 4.0, 3.0  # half-width of the base's diamond and the height of the tallest point
    cos, sin = math.cos(math.pi / 6), math.sin(math.pi / 6)

    def project(a: float, b: float, value: float) -> Tuple[float, float]:
        # a, b in [0, 1] (x and y); x runs down-right, y up-right, z straight up
        u, v = a, 1 - b
        return (u - v) * cos * side, (u + v) * sin * side - (value - z0) / span * rise

    patches = []
    for a in range(n - 1):
        for b in range(n - 1):
            corners = [(a, b), (a + 1, b), (a + 1, b + 1), (a, b + 1)]
            vals = [z[i][j] for i, j in corners]
            if not all(math.isfinite(v) for v in vals):
                continue
            pts = [project(i / (n - 1), j / (n - 1), z[i][j]) for i, j in corners]
            mean = sum(vals) / 4
            # depth: patches nearer the viewer (large x, small y) are drawn later
            depth = a - b
            patches.append((depth, a, b, Path.from_list_of_tuples(pts, closed=True).stroke()
                            .fill_color(_surface_color((mean - z0) / span)).line_color(grey)
                            .line_width(0.03).named(("patch", a, b))))
    patches.sort(key=lambda p: (p[0], p[1], p[2]))
    base = [project(0, 0, z0), project(1, 0, z0), project(1, 1, z0), project(0, 1, z0)]
    base_d = Path.from_list_of_tuples(base, closed=True).stroke().line_color(grey).line_width(drawing.line_width)
    def edge_label(text: str, p: Tuple[float, float], q: Tuple[float, float], dx: float) -> Diagram:
        # centred below the middle of a front edge of the base, pushed outward by dx
        return value_text(text, TICK_SIZE).translate((p[0] + q[0]) / 2 + dx, (p[1] + q[1]) / 2 + 0.55)

    labels = [edge_label(f"x: {_tick_text(xa)} to {_tick_text(xb)}", base[0], base[1], -0.9),
              edge_label(f"y: {_tick_text(ya)} to {_tick_text(yb)}", base[1], base[2], 0.9)]
    body = concat([base_d] + [p[-1] for p in patches] + labels).center_xy()
    scale = drawing.column([value_text(f"max {_tick_text(round(z1, 3))}", TICK_SIZE).center_xy(),
                            drawing.box(0.5, 0.5, _surface_color(1.0)),
                            drawing.box(0.5, 0.5, _surface_color(0.5)),
                            drawing.box(0.5, 0.5, _surface_color(0.0)),
                            value_text(f"min {_tick_text(round(z0, 3))}", TICK_SIZE).center_xy()], 0.1)
    return _frame(title, drawing.row([body, scale.center_xy()], 0.8))
