"""Tensors as pictures: grids of unit cells, isometric stacks, and the ideas of Module 2
(storage and strides, permute, view, broadcasting).

Every cell is named so arrows can be attached with chalk's ``connect``:
``matrix(3, 2, "a")`` has cells ``("a", i, j)``; a 3-D picture has cells ``(name, i, j, k)``;
a 1-D one ``(name, i)``. Flat storage rows have cells ``(name, "storage", position)``.

Helpers that read a real tensor use only its public API: ``shape``, ``to_numpy()`` and ``tuple()``
(which gives ``(storage, shape, strides)`` for a Tensor and for a TensorData), plus ``permute`` /
``view`` / ``contiguous`` in the before -> after pictures.
"""

from __future__ import annotations

import numbers
from typing import Any, Callable, List, Optional, Sequence, Tuple

import numpy as np
from autograd import IndexingError, index_to_position, shape_broadcast
from chalk import Diagram, Path, concat, empty, hcat, rectangle, square, vcat, vstrut
from colour import Color

from diagrams import drawing
from diagrams.drawing import (
    arrow_opts,
    black,
    color_for,
    grey,
    latex,
    light_grey,
    papaya,
    ramp_color,
    value_text,
    white,
)

__all__ = [
    "matrix", "tensor", "left_arrow", "right_arrow", "color", "cell",
    "tensor_to_diagram", "strides_diagram", "permute_diagram", "view_diagram",
    "broadcast_diagram", "shape_table", "as_array",
]

Colormap = Callable[..., Any]
CELL_LINE = 0.08  # cell border width, chalk normalised units (chalk's default is 0.1)
#: a dim missing from a shape (read as 1 when broadcasting): paler than papaya so its "1" reads well
MISSING_DIM = drawing._mix(papaya, white, 0.55)


# ---------------------------------------------------------------- checks
def _check_size(what: str, n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"{what} must be an int, got {type(n).__name__} {n!r}")
    if n <= 0:
        raise ValueError(f"{what} must be at least 1, got {n}")
    return int(n)


def _as_color(c: Any, where: str) -> Color:
    if isinstance(c, Color):
        return c
    if isinstance(c, str):
        try:
            return Color(c)
        except ValueError as exc:
            raise ValueError(f"{where}: {c!r} is not a colour") from exc
    raise TypeError(f"{where} must return a colour.Color or a colour string, got {type(c).__name__}")


# ---------------------------------------------------------------- cells and grids
def cell(fill: Color = white, text: str = "", size: float = 1.0) -> Diagram:
    """One unit square: ``fill`` colour, thin black border, optional centred text."""
    sq = square(size).fill_color(fill).line_width(CELL_LINE)
    if text:
        t = value_text(text, 0.3 * size)
        w = t.get_envelope().width
        if w > 0.86 * size:  # long numbers shrink to fit inside the cell
            t = t.scale(0.86 * size / w)
        sq = sq + t
    return sq


#: where the ``name + ("top",)`` anchor of a cell with text sits: above the number, so arrows
#: attached there never cover it
TOP_ANCHOR = -0.3


def _grid(rows: int, cols: int, name_of: Callable[[int, int], Any],
          fill_of: Callable[[int, int], Color], text_of: Optional[Callable[[int, int], str]] = None,
          gap: float = 0.0) -> Diagram:
    """rows x cols cells, cell (i, j) named ``name_of(i, j)``; centred on the grid's middle.

    Cells with text also get an invisible anchor named ``name_of(i, j) + ("top",)`` in their upper part.
    ``gap`` leaves that much room between neighbouring cells (a gutter for arrows to run in).
    """
    lines = []
    for i in range(rows):
        cells = []
        for j in range(cols):
            c = cell(fill_of(i, j), text_of(i, j) if text_of else "").named(name_of(i, j))
            if text_of:
                c = c + empty().named(tuple(name_of(i, j)) + ("top",)).translate(0, TOP_ANCHOR)
            cells.append(c)
        lines.append(hcat(cells, gap) if gap else hcat(cells))
    return (vcat(lines, gap) if gap else vcat(lines)).center_xy()


def matrix(rows: int, cols: int, name: str = "", colormap: Optional[Colormap] = None,
           values: Optional[Callable[[int, int], str]] = None) -> Diagram:
    """A rows x cols grid of unit squares (white, thin black borders) centred on its middle.

    Cell (i, j) is named ``(name, i, j)``; ``colormap(i, j)`` gives its fill (a colour.Color or a colour
    string) and ``values(i, j)`` optional text inside it. ``matrix(0, 3)`` raises ValueError.
    """
    rows = _check_size("matrix rows", rows)
    cols = _check_size("matrix cols", cols)
    fill = ((lambda i, j: _as_color(colormap(i, j), "matrix colormap")) if colormap is not None
            else (lambda i, j: white))
    return _grid(rows, cols, lambda i, j: (name, i, j), fill, values)


def _shade(c: Color, amount: float) -> Color:
    return drawing._mix(c, black, amount)


def tensor(depth_scale: float, depth: int, rows: int, cols: int, name: str = "",
           colormap: Optional[Colormap] = None) -> Diagram:
    """An isometric stack of unit cubes: ``depth`` layers of rows x cols, layer 0 in front.

    Deeper layers sit behind, shifted up and right by ``depth_scale`` (0.5 reads well). The front face
    of cube (i, j, k) is named ``(name, i, j, k)``; ``colormap(i, j, k)`` gives its colour (top and side
    faces are drawn a little darker).
    """
    depth = _check_size("tensor depth", depth)
    rows = _check_size("tensor rows", rows)
    cols = _check_size("tensor cols", cols)
    if not isinstance(depth_scale, numbers.Real) or depth_scale <= 0:
        raise ValueError(f"tensor depth_scale must be a positive number, got {depth_scale!r}")
    # oblique projection: one unit of depth moves up and to the right
    ox, oy = 0.7 * depth_scale, -0.5 * depth_scale
    fill = ((lambda i, j, k: _as_color(colormap(i, j, k), "tensor colormap")) if colormap is not None
            else (lambda i, j, k: white))
    parts: List[Diagram] = []
    # Painter's order: back layers first; within a layer bottom row first and left column first,
    # so the cube above / to the right hides a cube's top / right face as a solid block would.
    for i in reversed(range(depth)):
        for j in reversed(range(rows)):
            for k in range(cols):
                x, y = k + i * ox, j + i * oy
                c = fill(i, j, k)
                top = Path.from_list_of_tuples(
                    [(x - 0.5, y - 0.5), (x + 0.5, y - 0.5), (x + 0.5 + ox, y - 0.5 + oy),
                     (x - 0.5 + ox, y - 0.5 + oy)], closed=True).stroke()
                side = Path.from_list_of_tuples(
                    [(x + 0.5, y - 0.5), (x + 0.5 + ox, y - 0.5 + oy), (x + 0.5 + ox, y + 0.5 + oy),
                     (x + 0.5, y + 0.5)], closed=True).stroke()
                front = cell(c).named((name, i, j, k)).translate(x, y)
                parts += [top.fill_color(_shade(c, 0.08)).line_width(CELL_LINE),
                          side.fill_color(_shade(c, 0.18)).line_width(CELL_LINE),
                          front]
    return concat(parts).center_xy()


def _direction_arrow(tex: str) -> Diagram:
    # The math arrow glyph, like "<-" in an equation: a symbol between grids, not a data-flow arrow.
    return latex(tex, 0.9).center_xy()


#: a small "<-" placed between a gradient and what it is computed from (as in the course pictures)
left_arrow: Diagram = _direction_arrow("$\\leftarrow$")
#: a small "->" for forward data flow
right_arrow: Diagram = _direction_arrow("$\\rightarrow$")


def color(*shape: int) -> Callable[..., Color]:
    """A colormap along the value ramp by position: ``color(rows, cols)`` gives f(i, j), teal at the
    first cell, papaya at the last (any number of dims: ``color(d, r, c)`` gives f(i, j, k))."""
    dims = [_check_size("color() dim", n) for n in shape]
    if not dims:
        raise ValueError("color() needs at least one dim, e.g. color(3, 2)")
    total = int(np.prod(dims))

    def colormap(*index: int) -> Color:
        if len(index) != len(dims):
            raise ValueError(f"colormap for shape {tuple(dims)} called with index {index}")
        ordinal = int(np.ravel_multi_index(index, dims))
        return ramp_color(ordinal / (total - 1) if total > 1 else 0.0)

    return colormap


# ---------------------------------------------------------------- real tensors
def as_array(t: Any, what: str = "tensor") -> np.ndarray:
    """Values of ``t`` as a float numpy array: an autograd Tensor (via ``to_numpy()``), a numpy array
    or nested lists of numbers."""
    if hasattr(t, "to_numpy"):
        arr = np.asarray(t.to_numpy())
    elif isinstance(t, (np.ndarray, list, tuple, numbers.Real)):
        arr = np.asarray(t)
    else:
        raise TypeError(f"cannot draw {what} of type {type(t).__name__}: need a Tensor, numpy array or list")
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"cannot draw {what} with dtype {arr.dtype}: values must be numbers")
    return arr.astype(np.float64)


def _fmt(v: float, digits: int) -> str:
    s = f"{v:.{digits}f}"
    return "0." + "0" * digits if s.startswith("-") and float(s) == 0 else s  # no "-0.00"


def _check_drawable(arr: np.ndarray, what: str) -> None:
    if arr.ndim == 0 or arr.ndim > 3:
        raise ValueError(f"{what}: can draw 1-, 2- or 3-D tensors, got shape {arr.shape} ({arr.ndim} dims)")
    if arr.size == 0:
        raise ValueError(f"{what}: cannot draw an empty tensor of shape {arr.shape}")


def _values_grid(arr: np.ndarray, name: str, fill_of: Callable[[tuple], Color],
                 text_of: Optional[Callable[[tuple], str]], gap: float = 0.0) -> Diagram:
    """1-, 2- or 3-D grid; cells named (name, *index). 3-D is drawn as its dim-0 slices side by side.
    ``gap``: room between neighbouring cells (see `_grid`)."""
    if arr.ndim == 1:
        return _grid(1, arr.shape[0], lambda i, j: (name, j), lambda i, j: fill_of((j,)),
                     (lambda i, j: text_of((j,))) if text_of else None, gap)
    if arr.ndim == 2:
        return _grid(arr.shape[0], arr.shape[1], lambda i, j: (name, i, j), lambda i, j: fill_of((i, j)),
                     (lambda i, j: text_of((i, j))) if text_of else None, gap)
    slices = []
    for s in range(arr.shape[0]):
        g = _grid(arr.shape[1], arr.shape[2], lambda i, j, s=s: (name, s, i, j),
                  lambda i, j, s=s: fill_of((s, i, j)),
                  (lambda i, j, s=s: text_of((s, i, j))) if text_of else None, gap)
        slices.append(drawing.label_above(f"$[{s}]$", g, gap=0.2, size=0.4))
    return hcat(slices, 0.5 + 2 * gap).center_xy()


def tensor_to_diagram(t: Any, name: str = "", values: bool = True, lo: Optional[float] = None,
                      hi: Optional[float] = None, digits: int = 2, colormap: Optional[Colormap] = None) -> Diagram:
    """A real tensor (1-, 2- or 3-D) as a grid coloured by value along the ramp (teal low, papaya high).

    Cells are named ``(name, *index)``; a 3-D tensor is drawn as its dim-0 slices side by side, each
    labelled ``[i]``. ``values`` prints each number with ``digits`` decimals. ``lo``/``hi`` fix the colour
    scale (default: the tensor's min and max); ``colormap(*index)`` overrides the colours.
    """
    arr = as_array(t)
    _check_drawable(arr, "tensor_to_diagram")
    lo = float(np.nanmin(arr)) if lo is None else float(lo)
    hi = float(np.nanmax(arr)) if hi is None else float(hi)
    fill = ((lambda idx: _as_color(colormap(*idx), "tensor_to_diagram colormap")) if colormap is not None
            else (lambda idx: color_for(float(arr[idx]), lo, hi)))
    text_of = (lambda idx: _fmt(float(arr[idx]), digits)) if values else None
    return _values_grid(arr, name, fill, text_of)


# ---------------------------------------------------------------- storage and strides
def _layout(t: Any, what: str) -> Tuple[np.ndarray, Tuple[int, ...], Tuple[int, ...]]:
    """(storage, shape, strides) of a Tensor or TensorData through their public ``tuple()``."""
    if not hasattr(t, "tuple"):
        raise TypeError(f"{what} needs an autograd Tensor or TensorData, got {type(t).__name__}")
    storage, shape, strides = t.tuple()
    return (np.asarray(storage, dtype=np.float64), tuple(int(s) for s in shape),
            tuple(int(s) for s in strides))


def _position(index: Sequence[int], strides: Sequence[int]) -> int:
    """The storage position of a multi-index, by autograd's own ``index_to_position``."""
    return int(index_to_position(np.asarray(index, dtype=np.int32), np.asarray(strides, dtype=np.int32)))


def _storage_row(storage: np.ndarray, name: str, values: bool, digits: int, show: int) -> Diagram:
    cells = []
    for p in range(show):
        c = cell(ramp_color(p / (show - 1) if show > 1 else 0.0),
                 _fmt(float(storage[p]), digits) if values else "").named((name, "storage", p))
        cells.append(c / vstrut(0.15) / value_text(str(p), 0.28, grey))
    return hcat(cells).center_xy()


def _layout_label(shape: Tuple[int, ...], strides: Tuple[int, ...]) -> str:
    return f"shape {shape}   strides {strides}".replace(",)", ")")


def strides_diagram(t: Any, name: str = "t", values: bool = True, arrows: Optional[Sequence[tuple]] = None,
                    digits: int = 2) -> Diagram:
    """A tensor's grid (top) over its flat storage (bottom), with an arrow from each index to the storage
    position ``sum(index * strides)`` it reads. Works for any strides, e.g. a permuted tensor.

    Both grid and storage cells are coloured by storage position, so matching colours mean the same
    number in memory. ``arrows`` picks which indices get an arrow (default: all, up to 12).
    Grid cells are ``(name, *index)``, storage cells ``(name, "storage", p)``.
    """
    storage, shape, strides = _layout(t, "strides_diagram")
    arr = np.zeros(shape)
    _check_drawable(arr, "strides_diagram")
    positions = {idx: _position(idx, strides) for idx in np.ndindex(*shape)}
    used = max(positions.values()) + 1
    if used > storage.shape[0]:
        raise ValueError(f"strides_diagram: shape {shape} with strides {strides} reads position {used - 1} "
                         f"but storage has {storage.shape[0]} values")
    span = max(used - 1, 1)
    grid = _values_grid(arr, name, lambda idx: ramp_color(positions[idx] / span),
                        (lambda idx: _fmt(float(storage[positions[idx]]), digits)) if values else None,
                        STRIDES_GUTTER)
    store = _storage_row(storage, name, values, digits, used)
    top = drawing.label_above(_layout_label(shape, strides), grid, size=0.45)
    bottom = drawing.label_below("storage", store, gap=0.25, size=0.4)
    d = vcat([top.center_xy(), bottom], 1.6)
    chosen = list(np.ndindex(*shape)) if arrows is None else [tuple(a) for a in arrows]
    if arrows is None:
        chosen = chosen[:12]
    lines = []
    for idx in chosen:
        if idx not in positions:
            raise ValueError(f"strides_diagram: index {idx} is not in shape {shape}")
        lines.append(_storage_arrow(d, name, idx, shape, positions[idx]))
    # Every arrow leaves its own cell through its bottom edge and runs in the gutters between the
    # cells (down a column's right-hand gutter, then to the storage), so it never passes behind
    # another cell and no cell seems to send two arrows.
    return concat(lines + [d]) if lines else d


#: room between the cells of a strides picture, for the arrows to run in
STRIDES_GUTTER = 0.45


def _storage_arrow(d: Diagram, name: str, idx: tuple, shape: Tuple[int, ...], position: int) -> Diagram:
    from chalk import P2, arrow_between

    def at(key: Any) -> Tuple[float, float]:
        p = d.get_subdiagram(key).get_location()
        return float(p.x), float(p.y)

    style = arrow_opts(width=0.06, color=Color("#444444"))
    x, y = at((name, *idx))
    rows = shape[-2] if len(shape) > 1 else 1
    i = idx[-2] if len(shape) > 1 else 0
    sx, sy = at((name, "storage", position))
    end = P2(sx, sy - 0.5)
    if i == rows - 1:  # the bottom row: straight down from its bottom edge
        return arrow_between(P2(x, y + 0.5), end, style)
    # An upper row: down into the gutter under the cell, right to the column's gutter (rows further
    # down use a line nearer the column, so their short leg never crosses a longer one), down past
    # the grid's last row, then to the storage cell.
    g = STRIDES_GUTTER
    lane = ((rows - 2) / 2 - i) * 0.12
    gx = x + 0.5 + g / 2 + lane
    below = y + (rows - 1 - i) * (1 + g) + 0.5 + 0.3
    leg = Path.from_list_of_tuples([(x, y + 0.5), (x, y + 0.5 + g / 2), (gx, y + 0.5 + g / 2), (gx, below)])
    shaft = leg.stroke().line_width(0.06).line_color(Color("#444444")).fill_opacity(0)
    return shaft + arrow_between(P2(gx, below), end, style)


def _tracked_grid(t: Any, name: str, values: bool, digits: int, span: int) -> Diagram:
    storage, shape, strides = _layout(t, "picture")
    arr = np.zeros(shape)
    _check_drawable(arr, name)
    return _values_grid(arr, name, lambda idx: ramp_color(_position(idx, strides) / span),
                        (lambda idx: _fmt(float(storage[_position(idx, strides)]), digits)) if values else None)


def _before_after(before: Any, after: Any, op_label: str, values: bool, digits: int,
                  names: Tuple[str, str]) -> Diagram:
    span = max(_layout(before, "picture")[0].shape[0] - 1, 1)
    panels = []
    for t, nm in ((before, names[0]), (after, names[1])):
        _, shape, strides = _layout(t, "picture")
        g = _tracked_grid(t, nm, values, digits, span)
        panels.append(drawing.label_below(_layout_label(shape, strides), g, size=0.4))
    arrow = drawing.label_above(op_label, right_arrow, gap=0.15, size=0.45)
    return hcat([panels[0].center_xy(), arrow, panels[1].center_xy()], 0.6)


def permute_diagram(t: Any, *order: int, values: bool = True, digits: int = 2) -> Diagram:
    """``t`` before and after ``t.permute(*order)``: same storage, new shape and strides. Cells are
    coloured by storage position so you can follow each number. Cells: ``("before", *idx)``,
    ``("after", *idx)``."""
    if not hasattr(t, "permute"):
        raise TypeError(f"permute_diagram needs an autograd Tensor, got {type(t).__name__}")
    after = t.permute(*order)
    return _before_after(t, after, f"permute({', '.join(str(n) for n in order)})", values, digits,
                         ("before", "after"))


def view_diagram(t: Any, *shape: int, values: bool = True, digits: int = 2) -> Diagram:
    """``t`` before and after ``t.view(*shape)`` (a contiguous tensor read with a new shape).
    Cells: ``("before", *idx)``, ``("after", *idx)``."""
    if not hasattr(t, "view"):
        raise TypeError(f"view_diagram needs an autograd Tensor, got {type(t).__name__}")
    after = t.view(*shape)
    return _before_after(t, after, f"view({', '.join(str(n) for n in shape)})", values, digits,
                         ("before", "after"))


# ---------------------------------------------------------------- broadcasting
def _shape_of(x: Any, what: str) -> Tuple[int, ...]:
    if isinstance(x, tuple) and all(isinstance(n, numbers.Integral) and not isinstance(n, bool) for n in x):
        shape = tuple(int(n) for n in x)
    elif hasattr(x, "shape"):
        shape = tuple(int(n) for n in x.shape)
    else:
        raise TypeError(f"{what} must be a shape tuple or a tensor, got {type(x).__name__}")
    if any(n <= 0 for n in shape) or not shape:
        raise ValueError(f"{what}: cannot draw shape {shape} (every dim must be at least 1)")
    return shape


def broadcast_shapes(a: Tuple[int, ...], b: Tuple[int, ...]) -> Tuple[int, ...]:
    """The broadcast shape of two shapes, by autograd's own rule (``shape_broadcast``: align from
    the right, a 1 or a missing dim stretches); ValueError naming both shapes if they don't broadcast."""
    try:
        return shape_broadcast(a, b)
    except IndexingError as error:
        raise ValueError(str(error)) from None


def shape_table(*shapes: Tuple[int, ...], names: Optional[Sequence[str]] = None) -> Diagram:
    """Shapes written one per row, aligned from the right as broadcasting reads them. The last row is
    their broadcast shape; a dim that gets stretched is shaded papaya (a missing one, read as 1, a
    paler papaya)."""
    shapes = tuple(_shape_of(s, "shape_table shape") for s in shapes)
    out = shapes[0]
    for s in shapes[1:]:
        out = broadcast_shapes(out, s)
    names = list(names) if names is not None else [chr(ord("a") + i) for i in range(len(shapes))]
    width = len(out)
    rows = []
    for nm, s in list(zip(names, shapes)) + [("out", out)]:
        cells = []
        for k in range(width):
            dim = k - (width - len(s))
            if dim < 0:  # a missing dim counts as 1 and is stretched: a paler papaya, an upright 1
                c = cell(MISSING_DIM).named(("shape", nm, k))
                cells.append(c + latex("$1$", 0.45, black))
                continue
            stretched = nm != "out" and s[dim] == 1 and out[k] != 1
            c = cell(papaya if stretched else white).named(("shape", nm, k))
            cells.append(c + latex(f"${s[dim]}$", 0.45))
        rows.append(hcat([latex(f"$\\mathrm{{{nm}}}$", 0.45).center_xy().with_envelope(rectangle(1.2, 1))]
                         + cells))
    return vcat(rows, 0.15).center_xy()


def broadcast_diagram(a: Any, b: Any, values: bool = True, digits: int = 2,
                      fn: Optional[Callable[[Any, Any], Any]] = None, out_label: Optional[str] = None) -> Diagram:
    """How ``a`` and ``b`` broadcast: the shapes aligned from the right (stretched dims papaya), and
    for 1- and 2-D inputs each one drawn at the output shape with its real cells white (or coloured by
    value for tensors) and the virtual, repeated cells light grey. Accepts shape tuples or tensors.

    Given two tensors the output grid shows ``fn(a, b)`` (default ``a + b``), labelled ``out_label``
    (default ``a + b`` or ``out``), coloured by value. Cells: ``("a", i, j)``, ``("b", i, j)``,
    ``("out", i, j)``."""
    sa, sb = _shape_of(a, "broadcast_diagram a"), _shape_of(b, "broadcast_diagram b")
    out = broadcast_shapes(sa, sb)
    table = shape_table(sa, sb)
    if len(out) > 2:
        return table
    rows, cols = (1, out[0]) if len(out) == 1 else out

    def expanded(x: Any, s: Tuple[int, ...], nm: str) -> Diagram:
        s2 = (1,) * (2 - len(s)) + s  # as 2-D
        arr = as_array(x).reshape(s2) if not isinstance(x, tuple) else None
        lo = hi = 0.0
        if arr is not None:
            lo, hi = float(arr.min()), float(arr.max())

        def real(i: int, j: int) -> bool:  # is (i, j) stored, or a repeat made by broadcasting?
            return (s2[0] != 1 or i == 0 or rows == 1) and (s2[1] != 1 or j == 0 or cols == 1)

        def src(i: int, j: int) -> Tuple[int, int]:
            return (i if s2[0] != 1 else 0, j if s2[1] != 1 else 0)

        def fill(i: int, j: int) -> Color:
            if not real(i, j):
                return light_grey
            return color_for(float(arr[src(i, j)]), lo, hi) if arr is not None else white

        def txt(i: int, j: int) -> str:
            return _fmt(float(arr[src(i, j)]), digits) if arr is not None and values else ""

        g = _grid(rows, cols, lambda i, j: (nm, i, j), fill, txt)
        # upright, as Python prints a shape: "(2, 3)", "(1,)" (in math the comma adds its own space)
        return drawing.label_above(f"{nm} {s}", g, size=0.45)

    grids = [expanded(a, sa, "a").center_xy(), expanded(b, sb, "b").center_xy()]
    result = None
    if not isinstance(a, tuple) and not isinstance(b, tuple):
        result = as_array(fn(a, b) if fn is not None else a + b, "broadcast_diagram output").reshape(rows, cols)
    if out_label is None:
        out_label = "\\mathrm{a} + \\mathrm{b}" if result is not None and fn is None else "\\mathrm{out}"
    elif out_label.startswith("$") and out_label.endswith("$"):
        out_label = out_label[1:-1]
    if result is None:
        out_grid = _grid(rows, cols, lambda i, j: ("out", i, j), lambda i, j: white)
    else:
        lo, hi = float(result.min()), float(result.max())
        out_grid = _grid(rows, cols, lambda i, j: ("out", i, j),
                         lambda i, j: color_for(float(result[i, j]), lo, hi),
                         (lambda i, j: _fmt(float(result[i, j]), digits)) if values else None)
    grids.append(drawing.label_above(f"${out_label}$ {out}", out_grid,
                                     size=0.45).center_xy())
    return vcat([table, hcat(grids, 1.0).center_xy()], 1.0)


# ---------------------------------------------------------------- MiniTorch's names (mt_diagrams.tensor_draw)
#: the fill of highlighted cubes in `t` and the matmul pictures (the accent teal, not papaya: papaya
#: means "gradient" in every picture of the course)
HIGHLIGHT = drawing.teal


def _highlight_map(highlight: Any, where: str) -> Callable[..., Color]:
    """A colormap from `t`'s ``highlight``: False (white), True (every cube), a collection of
    (i, j, k) indices, or a colormap ``f(i, j, k)`` itself."""
    if highlight is False or highlight is None:
        return lambda i, j, k: white
    if highlight is True:
        return lambda i, j, k: HIGHLIGHT
    if callable(highlight):
        return highlight
    try:
        chosen = {tuple(int(n) for n in idx) for idx in highlight}
    except TypeError as exc:
        raise TypeError(f"{where}: highlight must be True/False, a list of (i, j, k) indices or a colormap, "
                        f"got {highlight!r}") from exc
    return lambda i, j, k: HIGHLIGHT if (i, j, k) in chosen else white


def t(d: int, r: int, c: int, highlight: Any = False, n: str = "t") -> Diagram:
    """A small 3-D tensor of unit cubes, as MiniTorch's pages write a shape in an equation:
    ``d`` layers (dim 0, drawn going back), ``r`` rows (dim 1), ``c`` columns (dim 2).

    ``highlight``: False (white cubes), True (every cube in the accent teal), a collection of
    ``(i, j, k)`` indices to fill, or a colormap ``f(i, j, k)``. ``n`` names the cubes
    ``(n, i, j, k)`` (MiniTorch's default name is a module-level one; ours is ``"t"``).
    Same as ``tensor(0.5, d, r, c, n, colormap=...)``.
    """
    return tensor(0.5, d, r, c, n, colormap=_highlight_map(highlight, "t()"))


#: how `draw_equation` writes the operators MiniTorch's pages type as plain characters
_OPERATORS = {"*": "$\\times$", "x": "$\\times$", "+": "$+$", "-": "$-$", "=": "$=$", "@": "$@$"}


def draw_equation(parts: Sequence[Any], sep: float = 0.6) -> Diagram:
    """Tensors and operators in a row, centred on one line: ``draw_equation([t(1, 3, 1), "+",
    t(1, 1, 3), None, t(1, 3, 3)])``.

    Each part is a Diagram (drawn as it is), a string (an operator or label: ``"*"``, ``"+"``, ``"="``
    are set as math, anything else through `latex`, so ``"$\\\\sum$"`` works) or None, which stands for
    an arrow (`right_arrow`). Raises TypeError for anything else, naming its position.
    """
    items: List[Diagram] = []
    for pos, part in enumerate(parts):
        if part is None:
            items.append(right_arrow)
        elif isinstance(part, str):
            items.append(latex(_OPERATORS.get(part.strip(), part), 0.8).center_xy())
        elif isinstance(part, Diagram):
            items.append(part.center_xy())
        else:
            raise TypeError(f"draw_equation: part {pos} must be a Diagram, an operator string or None "
                            f"(an arrow), got {type(part).__name__}")
    if not items:
        raise ValueError("draw_equation: nothing to draw (empty list of parts)")
    return hcat(items, sep).center_xy()


def _labelled(d: Diagram, text: str, height: float = 0.0) -> Diagram:
    """``d`` over a label; ``height`` pads ``d`` to that height first, so labels of a row line up."""
    d = d.center_xy()
    env = d.get_envelope()
    if height > env.height:
        d = d.with_envelope(rectangle(env.width, height))
    return drawing.label_below(text, d, gap=0.3, size=0.4).center_xy()


def _matmul_row(i: int, k: int, j: int, highlight: bool) -> Diagram:
    """A (i, k) @ B (k, j) as zip then reduce: A.view(i, k, 1) * B.view(1, k, j) -> (i, k, j) -> sum(1)."""
    pick = highlight or False
    a = t(i, k, 1, [(0, m, 0) for m in range(k)] if pick else False, "a")
    b = t(1, k, j, [(0, m, 0) for m in range(k)] if pick else False, "b")
    z = t(i, k, j, [(0, m, 0) for m in range(k)] if pick else False, "zip")
    out = t(i, 1, j, [(0, 0, 0)] if pick else False, "out")
    h = max(x.get_envelope().height for x in (a, b, z, out))
    return draw_equation([
        _labelled(a, f"A.view({i}, {k}, 1)", h), "*", _labelled(b, f"B.view(1, {k}, {j})", h),
        None, _labelled(z, f"zip: ({i}, {k}, {j})", h), None, _labelled(out, f"sum(1): ({i}, 1, {j})", h),
    ])


def image_matmul_simple(i: int = 2, k: int = 3, j: int = 2) -> Diagram:
    """Matrix multiply as zip then reduce, in 3-D: A (i, k) viewed as (i, k, 1) times B (k, j) viewed
    as (1, k, j) broadcasts to (i, k, j); summing dim 1 gives (i, 1, j), which is A @ B viewed as 3-D.
    Cubes are named ``("a", ...)``, ``("b", ...)``, ``("zip", ...)``, ``("out", ...)``. (MiniTorch's
    calls take no arguments; ours default to A (2, 3) and B (3, 2).)"""
    i, k, j = (_check_size(f"image_matmul {w}", v) for w, v in (("i", i), ("k", k), ("j", j)))
    return _matmul_row(i, k, j, False)


def image_matmul_full(i: int = 2, k: int = 3, j: int = 2) -> Diagram:
    """`image_matmul_simple` under the 2-D product it computes, with one output cell followed through
    both: ``A @ B = C`` with row 0 of A, column 0 of B and C[0, 0] in the accent teal, then the same
    cells in the zip (the k products that C[0, 0] sums) and in the reduced (i, 1, j) result.
    2-D cells are ``("A", r, c)``, ``("B", r, c)``, ``("C", r, c)``; 3-D as in `image_matmul_simple`."""
    i, k, j = (_check_size(f"image_matmul {w}", v) for w, v in (("i", i), ("k", k), ("j", j)))
    acc = lambda keep: (lambda r, c: HIGHLIGHT if keep(r, c) else white)  # noqa: E731
    h = max(i, k)
    top = draw_equation([
        _labelled(matrix(i, k, "A", acc(lambda r, c: r == 0)), f"A ({i}, {k})", h), "@",
        _labelled(matrix(k, j, "B", acc(lambda r, c: c == 0)), f"B ({k}, {j})", h), "=",
        _labelled(matrix(i, j, "C", acc(lambda r, c: r == 0 and c == 0)), f"C ({i}, {j})", h),
    ])
    return vcat([top, _matmul_row(i, k, j, True)], 1.0).center_xy()


__all__ += ["t", "draw_equation", "image_matmul_simple", "image_matmul_full", "HIGHLIGHT"]
