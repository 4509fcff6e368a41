"""One picture per op family: the forward data flow, and with ``backward=True`` the gradient flow
(``d_out`` in papaya flowing back to each input, as in the course's map / zip / reduce pictures).

Each helper takes its inputs as

- nothing: blank grids of a small default shape (the course's schematic pictures);
- shape tuples: blank grids of those shapes;
- real ``autograd`` tensors, plus the function to apply (``fn``): the grids show real values. The
  function runs on detached copies, so the caller's tensors keep their history and ``grad``.

``draw_op(op, *tensors, backward=False)`` draws any tensor Function of ``autograd.tensor_functions``
by class or name through ``OPS``, the registry (a test checks that no Function is missing from it).

Cell names (for ``connect``): forward ``("x", i, j)``, ``("y", i, j)``, ``("out", i, j)``; backward
``("grad_x", i, j)``, ``("local_x", i, j)`` (the local derivative), ``("d_out", i, j)``, and the same
with ``y``; matmul uses ``a``, ``b``, ``out`` and ``grad_a``, ``grad_b``.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
from autograd import broadcast_index
from chalk import Diagram, hcat, vcat
from colour import Color

from diagrams import drawing
from diagrams.drawing import arrow_opts, label_above, papaya, ramp_color, teal, white
from diagrams.tensor_draw import (
    _check_drawable,
    _fmt,
    _values_grid,
    as_array,
    broadcast_diagram,
    broadcast_shapes,
    left_arrow,
    right_arrow,
)

__all__ = [
    "map_diagram", "zip_diagram", "reduce_diagram", "permute_op_diagram", "view_op_diagram",
    "broadcast_op_diagram", "matmul_diagram", "draw_op", "OPS", "OpPicture",
]

DEFAULT_SHAPE = (3, 2)
_ARC_NEAR = -0.2   # arrow between neighbouring grids (seed: opts2)
_ARC_FAR = -0.5    # arrow that jumps over a grid (seed: opts)
_DIGITS = 2


# ---------------------------------------------------------------- inputs
class _Input:
    """A drawing input: a shape (blank grid) or a tensor's values."""

    def __init__(self, x: Any, what: str, default: Tuple[int, ...] = DEFAULT_SHAPE):
        self.tensor = None
        if x is None:
            x = default
        if isinstance(x, tuple) and all(isinstance(n, numbers.Integral) and not isinstance(n, bool) for n in x):
            self.values = None
            self.shape = tuple(int(n) for n in x)
            if not 1 <= len(self.shape) <= 3 or any(n <= 0 for n in self.shape):
                raise ValueError(f"{what}: can draw shapes of 1 to 3 dims, each at least 1, got {self.shape}")
        elif hasattr(x, "to_numpy") and hasattr(x, "detach"):
            self.tensor = x
            self.values = as_array(x, what)
            self.shape = self.values.shape
            _check_drawable(self.values, what)
        else:
            raise TypeError(f"{what} must be a shape tuple or an autograd Tensor, got {type(x).__name__}")


def _grid(shape: Tuple[int, ...], name: str, values: Optional[np.ndarray] = None,
          fill: Color = white) -> Diagram:
    arr = np.zeros(shape) if values is None else values
    text = (lambda idx: _fmt(float(arr[idx]), _DIGITS)) if values is not None else None
    return _values_grid(arr, name, lambda idx: fill, text)


def _panel(tex: str, shape: Tuple[int, ...], name: str, values: Optional[np.ndarray] = None,
           fill: Color = white) -> Diagram:
    return label_above(tex, _grid(shape, name, values, fill))


def _first_cells(shape: Tuple[int, ...], n: int) -> List[tuple]:
    """The first ``n`` indices down dim -2 (the first column), as in the course pictures."""
    if len(shape) == 1:
        return [(k,) for k in range(min(n, shape[0]))]
    lead = (0,) * (len(shape) - 2)
    return [lead + (i, 0) for i in range(min(n, shape[-2]))]


def _last_row_cells(shape: Tuple[int, ...], n: int) -> List[tuple]:
    """The first ``n`` indices of the grid's last row (of slice 0 for 3-D): the cells whose arrows
    can run under the grids without crossing another cell, a label or the arrow glyph."""
    if len(shape) == 1:
        return [(k,) for k in range(min(n, shape[0]))]
    lead = (0,) * (len(shape) - 2)
    return [lead + (shape[-2] - 1, j) for j in range(min(n, shape[-1]))]


def _expanded_grid(inp: "_Input", out_shape: Tuple[int, ...], name: str) -> Diagram:
    """A zip input drawn at the output's shape, as broadcasting reads it: its stored cells white, the
    cells it is read again for (never stored) light grey with the same numbers."""
    arr = np.zeros(out_shape)
    stored = {}
    for idx in np.ndindex(*out_shape):
        src = _source_index(idx, inp.shape, out_shape)
        arr[idx] = inp.values[src]
        pad = (0,) * (len(out_shape) - len(src)) + src
        stored[idx] = tuple(idx) == pad  # a missing leading dim counts as size 1: its row 0 is stored
    return _values_grid(arr, name, lambda idx: white if stored[tuple(idx)] else drawing.light_grey,
                        lambda idx: _fmt(float(arr[idx]), _DIGITS))


def _link(d: Diagram, src: tuple, dst: tuple, arc: float, color: Color = drawing.black,
          top: bool = False) -> Diagram:
    """Arrow from cell ``src`` to cell ``dst``. chalk bends an arc to the same side of its chord's
    direction: positive ``arc`` bulges up for a left-to-right arrow, negative for right-to-left.
    ``top``: attach at the cells' top anchors (above their numbers) instead of their centres."""
    if top:
        src, dst = src + ("top",), dst + ("top",)
    return d.connect(src, dst, arrow_opts(arc_height=arc, color=color))


def _source_index(idx: tuple, shape: Tuple[int, ...], out_shape: Tuple[int, ...]) -> tuple:
    """The index of a (broadcast) input read for output index ``idx``: autograd's own ``broadcast_index``."""
    source = np.zeros(len(shape), dtype=np.int32)
    broadcast_index(np.asarray(idx, dtype=np.int32), np.asarray(out_shape, dtype=np.int32),
                    np.asarray(shape, dtype=np.int32), source)
    return tuple(int(i) for i in source)


# ---------------------------------------------------------------- running the op for real values
def _run(fn: Callable[..., Any], inputs: Sequence[_Input], d_out: Any, local: bool = False) -> Dict[str, Any]:
    """Forward and backward of ``fn`` on fresh leaves that share the inputs' storage.

    Returns out values, the gradient of each input for ``d_out`` (default: ones), and the local
    derivative of each input at the output's shape if ``local`` (elementwise ops only: the gradient
    with d_out = 1, taken at inputs broadcast to the output shape, so it is g'(x) at every position
    even under broadcasting).
    """
    leaves = [i.tensor.detach().requires_grad_(True) for i in inputs]
    out = fn(*leaves)
    result: Dict[str, Any] = {"out": as_array(out, "output")}
    if not out.requires_grad():  # e.g. an op that records no history: no gradient to draw
        raise ValueError("the function's output has no history, so it has no gradient to draw")
    g = 1.0 if d_out is None else d_out
    out.backward(g)
    result["d_out"] = np.broadcast_to(as_array(g, "d_out"), out.shape).copy()
    result["grads"] = [as_array(x.grad, "gradient") if x.grad is not None else np.zeros(x.shape)
                       for x in leaves]
    if not local:
        return result
    # local derivatives: leaves already expanded to the output shape, d_out = 1
    expanded = [(i.tensor.detach() + out.zeros(out.shape)).detach().requires_grad_(True) for i in inputs]
    out2 = fn(*expanded)
    out2.backward(1.0)
    result["local"] = [as_array(x.grad, "derivative") if x.grad is not None else np.zeros(out.shape)
                       for x in expanded]
    return result


def _call_label(op: str, args: Tuple[int, ...]) -> str:
    """``permute(1, 0)`` as upright text (in math mode the comma's own space doubles the typed one)."""
    return f"{op}({', '.join(str(a) for a in args)})"


def _need_fn(fn: Optional[Callable[..., Any]], helper: str) -> Callable[..., Any]:
    if fn is None:
        raise ValueError(f"{helper}: real tensors need fn= (the function to apply) to compute values")
    if not callable(fn):
        raise TypeError(f"{helper}: fn must be callable, got {type(fn).__name__}")
    return fn


# ---------------------------------------------------------------- map
def map_diagram(x: Any = None, fn: Optional[Callable[..., Any]] = None, *, out_label: str = "$g(x)$",
                deriv_label: str = "$g'(x)$", backward: bool = False, d_out: Any = None,
                arrows: int = 2) -> Diagram:
    """``map``: g applied to every cell on its own.

    Forward: x -> g(x), each output cell from the same input cell. Backward (the course's picture):
    ``g'(x) * d_out`` <- ``g'(x)``, ``d_out``: every position multiplies its own local derivative by
    its own d_out. ``x``: None, a shape or a Tensor (then ``fn``, e.g. ``lambda t: t.sigmoid()``).
    """
    inp = _Input(x, "map_diagram x")
    run = _run(_need_fn(fn, "map_diagram"), [inp], d_out, local=True) if inp.tensor is not None else None
    shape = inp.shape
    cells = _first_cells(shape, arrows)
    if not backward:
        d = hcat([_panel("$x$", shape, "x", inp.values), right_arrow,
                  _panel(out_label, shape, "out", run and run["out"])], 1)
        if run is not None:  # numbers in the cells: the arrows run under the grids, from the last row
            return _edge_links(d, [(("x", *idx), ("out", *idx)) for idx in _last_row_cells(shape, arrows)],
                               {"x": shape, "out": shape}, over=False)
        for idx in cells:
            d = _link(d, ("x", *idx), ("out", *idx), -_ARC_NEAR)
        return d
    d = hcat([
        _panel(f"{deriv_label[:-1]} \\cdot d_{{\\mathrm{{out}}}}$", shape, "grad_x", run and run["grads"][0]),
        left_arrow,
        _panel(deriv_label, shape, "local_x", run and run["local"][0]),
        _panel("$d_{\\mathrm{out}}$", shape, "d_out", run and run["d_out"], papaya),
    ], 1)
    if run is not None:
        pairs = [p for idx in _last_row_cells(shape, arrows)
                 for p in ((("local_x", *idx), ("grad_x", *idx)), (("d_out", *idx), ("local_x", *idx)))]
        return _edge_links(d, pairs, {"grad_x": shape, "local_x": shape, "d_out": shape}, over=False)
    for idx in cells:
        d = _link(d, ("local_x", *idx), ("grad_x", *idx), _ARC_NEAR)
        d = _link(d, ("d_out", *idx), ("local_x", *idx), _ARC_FAR)
    return d


# ---------------------------------------------------------------- zip
def zip_diagram(x: Any = None, y: Any = None, fn: Optional[Callable[..., Any]] = None, *,
                out_label: str = "$g(x, y)$", deriv_labels: Tuple[str, str] = ("$g'_x(x, y)$", "$g'_y(x, y)$"),
                backward: bool = False, d_out: Any = None, arrows: int = 1) -> Diagram:
    """``zip``: g applied to each pair of cells at the same position (shapes broadcast).

    Forward: x, y -> g(x, y). Backward: one row per input, ``g'_x * d_out`` <- ``g'_x``, ``d_out``
    (and the same for y); an input that was broadcast gets its gradient summed back to its own shape.
    """
    ix, iy = _Input(x, "zip_diagram x"), _Input(y, "zip_diagram y")
    out_shape = broadcast_shapes(ix.shape, iy.shape)
    if (ix.tensor is None) != (iy.tensor is None):
        raise TypeError("zip_diagram: give two tensors or two shapes, not one of each")
    run = _run(_need_fn(fn, "zip_diagram"), [ix, iy], d_out, local=True) if ix.tensor is not None else None
    cells = _first_cells(out_shape, arrows)
    if not backward and run is not None:
        # A broadcast input is drawn at the output's shape when that fits (1-D and 2-D): its repeats
        # in grey, so the reused row or column shows. The arrows follow the output's last row.
        expand = len(out_shape) <= 2
        panels, shapes = [], {"out": out_shape}
        for inp, v in ((ix, "x"), (iy, "y")):
            if expand and inp.shape != out_shape:
                panels.append(label_above(f"${v}$ {inp.shape}", _expanded_grid(inp, out_shape, v)))
                shapes[v] = out_shape
            else:
                panels.append(_panel(f"${v}$", inp.shape, v, inp.values))
                shapes[v] = inp.shape
        d = hcat(panels + [right_arrow, _panel(out_label, out_shape, "out", run["out"])], 1)
        pairs = []
        for idx in _last_row_cells(out_shape, arrows):
            for v, inp in (("x", ix), ("y", iy)):
                src = idx if shapes[v] == out_shape else _source_index(idx, inp.shape, out_shape)
                pairs.append(((v, *src), ("out", *idx)))
        return _edge_links(d, pairs, shapes, over=False)
    if not backward:
        d = hcat([_panel("$x$", ix.shape, "x", ix.values), _panel("$y$", iy.shape, "y", iy.values),
                  right_arrow, _panel(out_label, out_shape, "out", run and run["out"])], 1)
        for idx in cells:
            d = _link(d, ("x", *_source_index(idx, ix.shape, out_shape)), ("out", *idx), -_ARC_FAR,
                      top=run is not None)
            d = _link(d, ("y", *_source_index(idx, iy.shape, out_shape)), ("out", *idx), -_ARC_NEAR,
                      top=run is not None)
        return d
    rows = []
    for k, (inp, v) in enumerate(((ix, "x"), (iy, "y"))):
        deriv = deriv_labels[k]
        grad_label = f"{deriv[:-1]} \\cdot d_{{\\mathrm{{out}}}}$"
        stretched = _stretched_dims(inp.shape, out_shape)
        if run is not None and stretched:
            # a broadcast input: its gradient is the product summed over the stretched dims, the
            # summed cells tinted (as 2-broadcasting draws it)
            first = _last_row_cells(out_shape, 1)[0]
            src = _source_index(first, inp.shape, out_shape)
            feeding = [idx for idx in np.ndindex(*out_shape) if _source_index(idx, inp.shape, out_shape) == src]
            sigma = ",".join(str(n) for n in stretched)
            r = hcat([
                label_above(f"$\\sum_{{{sigma}}} {deriv[1:-1]} \\cdot d_{{\\mathrm{{out}}}}$",
                            _tinted_grid(inp.shape, f"grad_{v}", run["grads"][k], white, [src])),
                left_arrow,
                label_above(deriv, _tinted_grid(out_shape, f"local_{v}", run["local"][k], white, feeding)),
                label_above("$d_{\\mathrm{out}}$",
                            _tinted_grid(out_shape, f"d_out_{v}", run["d_out"], papaya, feeding)),
            ], 1)
        else:
            r = hcat([
                _panel(grad_label, inp.shape, f"grad_{v}", run and run["grads"][k]),
                left_arrow,
                _panel(deriv, out_shape, f"local_{v}", run and run["local"][k]),
                _panel("$d_{\\mathrm{out}}$", out_shape, f"d_out_{v}", run and run["d_out"], papaya),
            ], 1)
        if run is not None:  # numbers in the cells: the arrows run under the grids, from the last row
            pairs = []
            for idx in _last_row_cells(out_shape, arrows):
                pairs.append(((f"local_{v}", *idx), (f"grad_{v}", *_source_index(idx, inp.shape, out_shape))))
                pairs.append(((f"d_out_{v}", *idx), (f"local_{v}", *idx)))
            r = _edge_links(r, pairs, {f"grad_{v}": inp.shape, f"local_{v}": out_shape, f"d_out_{v}": out_shape},
                            over=False)
        else:
            for idx in cells:
                r = _link(r, (f"local_{v}", *idx), (f"grad_{v}", *_source_index(idx, inp.shape, out_shape)),
                          _ARC_NEAR)
                r = _link(r, (f"d_out_{v}", *idx), (f"local_{v}", *idx), _ARC_FAR)
        rows.append(r.center_xy())
    return vcat(rows, 0.8)


def _stretched_dims(shape: Tuple[int, ...], out_shape: Tuple[int, ...]) -> List[int]:
    """The dims of ``out_shape`` that broadcasting stretched ``shape`` along (a 1 or a missing dim)."""
    extra = len(out_shape) - len(shape)
    return [k for k in range(len(out_shape)) if out_shape[k] != 1 and (k < extra or shape[k - extra] == 1)]


# ---------------------------------------------------------------- reduce
def reduce_diagram(x: Any = None, dim: int = 0, fn: Optional[Callable[..., Any]] = None, *,
                   out_label: Optional[str] = None, backward: bool = False, d_out: Any = None) -> Diagram:
    """``reduce`` along ``dim`` (sum by default): the reduced dim keeps size 1.

    Forward: every cell along ``dim`` flows into one output cell. Backward: for a sum each of them
    gets d_out itself (d/dx_i of x_1 + ... + x_n is 1), so d_out is sent back to every position.
    With a Tensor, ``fn`` defaults to ``lambda t: t.sum(dim)``.
    """
    inp = _Input(x, "reduce_diagram x")
    nd = len(inp.shape)
    if isinstance(dim, bool) or not isinstance(dim, numbers.Integral) or not -nd <= dim < nd:
        raise ValueError(f"reduce_diagram: dim {dim!r} does not exist in shape {inp.shape}")
    dim = int(dim) % nd
    out_shape = tuple(1 if k == dim else n for k, n in enumerate(inp.shape))
    if fn is None:
        fn = lambda t: t.sum(dim)  # noqa: E731
    run = _run(fn, [inp], d_out) if inp.tensor is not None else None
    first = tuple(0 for _ in inp.shape)
    along = [tuple(i if k == dim else 0 for k in range(nd)) for i in range(inp.shape[dim])]
    if out_label is None:
        out_label = f"$\\sum_{{{dim}}} x$"
    if nd == 3 or run is not None:  # numbers in the cells: arrows under the grids, the rest tinted
        return _reduce_3d(inp, out_shape, dim, out_label, run, backward)
    if not backward:
        d = hcat([_panel("$x$", inp.shape, "x", inp.values), right_arrow,
                  _panel(out_label, out_shape, "out", run and run["out"])], 1)
        for idx in along:
            d = _link(d, ("x", *idx), ("out", *first), -_ARC_NEAR, top=run is not None)
        return d
    d = hcat([_panel("$\\mathrm{grad}_x$", inp.shape, "grad_x", run and run["grads"][0]), left_arrow,
              _panel("$d_{\\mathrm{out}}$", out_shape, "d_out", run and run["d_out"], papaya)], 1)
    for idx in along:
        d = _link(d, ("d_out", *first), ("grad_x", *idx), _ARC_NEAR, top=run is not None)
    return d


def _reduce_3d(inp: "_Input", out_shape: Tuple[int, ...], dim: int, out_label: str,
               run: Optional[Dict[str, Any]], backward: bool) -> Diagram:
    """A reduce drawn with numbers (or in 3-D, where the slices stand side by side): an arrow over
    the grids would cross numbers. The output cell in the last row (of slice 0) and the cells summed
    into it are tinted; the arrows leave those in the last row through their bottom edge and run
    under the grids (a cell higher up a column shows it is summed by its tint alone)."""
    shape = inp.shape
    nd = len(shape)
    # the last row, unless the rows are what is reduced; the first of everything else
    target = tuple(shape[k] - 1 if (k == nd - 2 and k != dim) else 0 for k in range(nd))
    along = [tuple(i if k == dim else target[k] for k in range(nd)) for i in range(shape[dim])]
    if not backward:
        d = hcat([label_above("$x$", _tinted_grid(shape, "x", inp.values, white, along)), right_arrow,
                  label_above(out_label, _tinted_grid(out_shape, "out", run and run["out"], white, [target]))],
                 1)
        return _edge_links(d, [(("x", *idx), ("out", *target)) for idx in along],
                           {"x": shape, "out": out_shape}, over=False)
    d = hcat([label_above("$\\mathrm{grad}_x$", _tinted_grid(shape, "grad_x", run and run["grads"][0], white, along)),
              left_arrow,
              label_above("$d_{\\mathrm{out}}$", _tinted_grid(out_shape, "d_out", run and run["d_out"], papaya,
                                                              [target]))], 1)
    return _edge_links(d, [(("d_out", *target), ("grad_x", *idx)) for idx in along],
                       {"grad_x": shape, "d_out": out_shape}, over=False)


# ---------------------------------------------------------------- permute and view
def _moves(shape: Tuple[int, ...], out_shape: Tuple[int, ...], where: Callable[[tuple], tuple],
           n: int) -> List[Tuple[tuple, tuple]]:
    pairs = []
    for idx in list(np.ndindex(*shape))[:n]:
        pairs.append((idx, where(idx)))
    return pairs


def _reshape_pictures(inp: _Input, out_shape: Tuple[int, ...], out_vals: Optional[np.ndarray],
                      where: Callable[[tuple], tuple], op_tex: str, backward: bool,
                      grad_vals: Optional[np.ndarray], d_vals: Optional[np.ndarray], arrows: int) -> Diagram:
    # Forward: input cell idx lands at where(idx) in the output; both are coloured by idx's row-major
    # position along the ramp, so every number can be followed. Backward: the gradient of output
    # cell where(idx) goes back to input cell idx (the inverse move).
    top = inp.values is not None
    pairs = _moves(inp.shape, out_shape, where, arrows)
    if not backward:
        total = max(int(np.prod(inp.shape)) - 1, 1)
        ordinal = {idx: k for k, idx in enumerate(np.ndindex(*inp.shape))}
        source = {where(idx): idx for idx in ordinal}

        def grid(shape: Tuple[int, ...], name: str, vals: Optional[np.ndarray],
                 src: Callable[[tuple], tuple]) -> Diagram:
            arr = np.zeros(shape) if vals is None else vals
            txt = (lambda idx: _fmt(float(arr[idx]), _DIGITS)) if vals is not None else None
            return _values_grid(arr, name, lambda idx: ramp_color(ordinal[src(idx)] / total), txt)

        arrow = drawing.label_below(op_tex, right_arrow, gap=0.15, size=0.45)
        d = hcat([label_above("$x$", grid(inp.shape, "x", inp.values, lambda idx: idx)), arrow,
                  label_above("$\\mathrm{out}$", grid(out_shape, "out", out_vals, lambda idx: source[idx]))],
                 1)
        for src, dst in pairs:
            d = _link(d, ("x", *src), ("out", *dst), 0.6, top=top)
        return d
    d = hcat([_panel("$\\mathrm{grad}_x$", inp.shape, "grad_x", grad_vals), left_arrow,
              _panel("$d_{\\mathrm{out}}$", out_shape, "d_out", d_vals, papaya)], 1)
    for src, dst in pairs:
        d = _link(d, ("d_out", *dst), ("grad_x", *src), _ARC_NEAR, top=top)
    return d


def permute_op_diagram(x: Any = None, order: Sequence[int] = (1, 0), *, backward: bool = False,
                       d_out: Any = None, arrows: int = 3) -> Diagram:
    """``permute(*order)``: cell ``idx`` of x is cell ``idx[order]`` of the output (no number moves in
    memory, only the strides change). Backward: d_out is permuted back with the inverse order."""
    inp = _Input(x, "permute_op_diagram x", default=(2, 3))
    order = tuple(int(o) for o in order)
    if sorted(order) != list(range(len(inp.shape))):
        raise ValueError(f"permute_op_diagram: {order} is not a permutation of the dims of shape {inp.shape}")
    out_shape = tuple(inp.shape[o] for o in order)
    run = _run(lambda t: t.permute(*order), [inp], d_out) if inp.tensor is not None else None
    where = lambda idx: tuple(idx[o] for o in order)  # noqa: E731
    tex = _call_label("permute", order)
    return _reshape_pictures(inp, out_shape, run and run["out"], where, tex, backward,
                             run and run["grads"][0], run and run["d_out"], arrows)


def view_op_diagram(x: Any = None, shape: Sequence[int] = (3, 2), *, backward: bool = False,
                    d_out: Any = None, arrows: int = 3) -> Diagram:
    """``view(*shape)``: the same row-major numbers read with a new shape; cell k (in row-major order)
    stays cell k. Backward: d_out is viewed back to the input's shape."""
    inp = _Input(x, "view_op_diagram x", default=(2, 3))
    shape = tuple(int(s) for s in shape)
    if int(np.prod(shape)) != int(np.prod(inp.shape)):
        raise ValueError(f"view_op_diagram: cannot view shape {inp.shape} as {shape} (different sizes)")
    run = _run(lambda t: t.contiguous().view(*shape), [inp], d_out) if inp.tensor is not None else None
    where = lambda idx: tuple(int(v) for v in np.unravel_index(np.ravel_multi_index(idx, inp.shape), shape))  # noqa: E731
    tex = _call_label("view", shape)
    return _reshape_pictures(inp, shape, run and run["out"], where, tex, backward,
                             run and run["grads"][0], run and run["d_out"], arrows)


_TINT = drawing._mix(teal, white, 0.45)           # a cell an arrow group starts from / ends at
_TINT_PAPAYA = drawing._mix(papaya, drawing.black, 0.2)  # the same on a papaya (gradient) grid


def _tinted_grid(shape: Tuple[int, ...], name: str, values: Optional[np.ndarray], fill: Color,
                 marked: Sequence[tuple]) -> Diagram:
    """A grid whose ``marked`` cells are tinted (darker papaya on a papaya grid): the cells one
    output cell is summed from, so a middle row that no arrow can reach still shows it belongs."""
    arr = np.zeros(shape) if values is None else values
    text = (lambda idx: _fmt(float(arr[idx]), _DIGITS)) if values is not None else None
    mark = _TINT if fill == white else _TINT_PAPAYA
    chosen = set(marked)
    return _values_grid(arr, name, lambda idx: mark if tuple(idx) in chosen else fill, text)


def _row_of(idx: Sequence[int], shape: Tuple[int, ...]) -> Tuple[int, int]:
    """(row of the cell in its drawn grid, number of rows): 1-D grids are one row, 3-D ones are
    slices side by side, each ``shape[-2]`` rows."""
    if len(shape) == 1:
        return 0, 1
    return int(idx[-2]), int(shape[-2])


def _edge_links(d: Diagram, pairs: Sequence[Tuple[tuple, tuple]], shapes: Dict[str, Tuple[int, ...]],
                over: bool = True) -> Diagram:
    """Arrows drawn on top, from cell to cell, that never cross a number: each leaves its source
    cell through the grid's outer edge (the bottom edge of a cell in the last row, else the top edge
    of a cell in the first row) and curves outside the grids to the same edge of its target cell.
    Arrows into one cell end at spread-out points of its edge, the longest outermost, so they do not
    overlap. A pair whose cells are not both on the same outer edge gets no arrow (the caller tints
    those cells instead). ``over=False``: bottom edges only (where labels sit above the grids that
    an arrow over them would cross, as over the slices of a 3-D grid)."""
    from chalk import P2, arrow_between

    routed = []
    for src, dst in pairs:
        (rs, ns), (rd, nd) = _row_of(src[1:], shapes[src[0]]), _row_of(dst[1:], shapes[dst[0]])
        side = 1 if rs == ns - 1 and rd == nd - 1 else (-1 if over and rs == 0 and rd == 0 else 0)
        if not side:
            continue
        p = d.get_subdiagram(src).get_location()
        q = d.get_subdiagram(dst).get_location()
        routed.append((src, dst, side, P2(p.x, p.y + 0.5 * side), P2(q.x, q.y + 0.5 * side)))
    arrows = []  # each named ("arrow", src, dst), so a test can find where it runs
    for key in dict.fromkeys((dst, side) for _, dst, side, _, _ in routed):  # stable order
        group = [r for r in routed if (r[1], r[2]) == key]
        group.sort(key=lambda r: -abs(r[3].x - r[4].x))  # longest first: it ends outermost
        n = len(group)
        for k, (src, dst, side, p, q) in enumerate(group):
            toward = 1 if p.x > q.x else -1  # sources to the right: the outermost end is the left one
            shift = 0.0 if n == 1 else -toward * 0.28 * (1 - 2 * k / (n - 1))
            q = P2(q.x + shift, q.y)
            length = float(((p.x - q.x) ** 2 + (p.y - q.y) ** 2) ** 0.5)
            # under the grids there is room; over them, the labels above the grids set the limit
            bulge = max(0.35, 0.16 * length) if side > 0 else 0.3
            # chalk bulges a positive arc up for a left-to-right arrow: flip it to bulge away from the grid
            sign = (1 if p.x < q.x else -1) * (-side)
            arrows.append(arrow_between(p, q, arrow_opts(arc_height=sign * bulge)).named(("arrow", src, dst)))
    for a in arrows:
        d = d + a
    return d


def broadcast_op_diagram(x: Any = None, y: Any = None, *, backward: bool = False, d_out: Any = None,
                         fn: Optional[Callable[..., Any]] = None) -> Diagram:
    """Broadcasting. Forward: `tensor_draw.broadcast_diagram` (with tensors, the output of ``fn``,
    default ``x + y``). Backward: the gradient of a broadcast input is d_out summed over every
    stretched dim (a reduce): ``grad <- sum_k <- d_out``, with the d_out cells that fold into the
    gradient's first cell linked to it. Drawn for the input that is stretched (x if both are);
    shapes default to x (3, 1) against y (3, 2). With tensors the grids show real values: d_out
    (default ones) and the gradient ``fn(x, y).backward(d_out)`` gives. Cells: ``("grad_x", ...)``
    (or ``grad_y``) and ``("d_out", ...)``."""
    if not backward:
        if x is not None and hasattr(x, "to_numpy") and hasattr(y, "to_numpy"):
            return broadcast_diagram(x, y, fn=fn)
        return broadcast_diagram((3, 1) if x is None else x, (1, 2) if y is None else y)
    ix = _Input(x, "broadcast_op_diagram x", default=(3, 1))
    iy = _Input(y, "broadcast_op_diagram y", default=(3, 2))
    if (ix.tensor is None) != (iy.tensor is None):
        raise TypeError("broadcast_op_diagram: give two tensors or two shapes, not one of each")
    out_shape = broadcast_shapes(ix.shape, iy.shape)

    def stretched(shape: Tuple[int, ...]) -> List[int]:
        extra = len(out_shape) - len(shape)
        return [k for k in range(len(out_shape))
                if out_shape[k] != 1 and (k < extra or shape[k - extra] == 1)]

    choice = [(k, inp, v) for k, (inp, v) in enumerate(((ix, "x"), (iy, "y"))) if stretched(inp.shape)]
    if not choice:
        raise ValueError(f"broadcast_op_diagram: neither x of shape {ix.shape} nor y of shape {iy.shape} "
                         f"is stretched, so no gradient is summed")
    which, inp, v = choice[0]
    dims = stretched(inp.shape)
    run = (_run(fn or (lambda s, t: s + t), [ix, iy], d_out) if ix.tensor is not None else None)
    grad = run and run["grads"][which]
    sigma = f"$\\sum_{{{','.join(str(k) for k in dims)}}}$"
    # The gradient's last cell (the one nearest d_out) and the d_out cells summed into it, all
    # tinted; arrows run from each of them on the grids' outer edge (last row: under the grids,
    # first row: over them) to the same edge of the gradient cell, so none crosses a number.
    last = _source_index(tuple(n - 1 for n in out_shape), inp.shape, out_shape)
    feeding = [idx for idx in np.ndindex(*out_shape) if _source_index(idx, inp.shape, out_shape) == last]
    middle = drawing.latex(sigma, 0.5).center_xy()  # the arrows show the direction
    gap = 0.7  # room for an arrow over the grids, under their labels
    d = hcat([label_above(f"$\\mathrm{{grad}}_{v}$", _tinted_grid(inp.shape, f"grad_{v}", grad, white, [last]), gap),
              middle,
              label_above("$d_{\\mathrm{out}}$", _tinted_grid(out_shape, "d_out", run and run["d_out"], papaya,
                                                              feeding), gap)], 1.2)
    pairs = [(("d_out", *idx), (f"grad_{v}", *last)) for idx in feeding[:6]]
    return _edge_links(d, pairs, {"d_out": out_shape, f"grad_{v}": inp.shape}, over=len(out_shape) < 3)


# ---------------------------------------------------------------- matmul
def matmul_diagram(a: Any = None, b: Any = None, *, backward: bool = False, d_out: Any = None) -> Diagram:
    """``a @ b`` for a (n, m) and b (m, p): a zip (multiply row i of a with column j of b) then a
    reduce (sum) gives out[i, j]. Drawn in the classic layout (a left of out, b above it) with row 0
    of a, column 0 of b and out[0, 0] highlighted.

    Backward: grad_a = d_out @ b^T and grad_b = a^T @ d_out, drawn in the same layout.
    """
    ia, ib = _Input(a, "matmul_diagram a", (2, 3)), _Input(b, "matmul_diagram b", (3, 2))
    if len(ia.shape) != 2 or len(ib.shape) != 2:
        raise ValueError(f"matmul_diagram draws 2-D @ 2-D, got shapes {ia.shape} and {ib.shape}")
    if ia.shape[1] != ib.shape[0]:
        raise ValueError(f"matmul_diagram: shapes {ia.shape} and {ib.shape} do not match for a @ b")
    if (ia.tensor is None) != (ib.tensor is None):
        raise TypeError("matmul_diagram: give two tensors or two shapes, not one of each")
    run = _run(lambda s, t: s @ t, [ia, ib], d_out) if ia.tensor is not None else None
    n, m = ia.shape
    p = ib.shape[1]

    Spec = Tuple[Tuple[int, ...], str, Optional[np.ndarray], Color, str]  # shape, name, values, fill, label

    def layout(left: Spec, top: Spec, res: Spec) -> Diagram:
        # The result at the origin, the left operand to its left (same rows), the top operand above
        # it (same columns); row 0 of the left one and column 0 of the top one are tinted.
        tint = drawing._mix(teal, white, 0.45)

        def g(spec: Spec, hi: Callable[[tuple], bool]) -> Diagram:
            shape, name, vals, fill, _ = spec
            arr = np.zeros(shape) if vals is None else vals
            txt = (lambda idx: _fmt(float(arr[idx]), _DIGITS)) if vals is not None else None
            # the highlight of a papaya (gradient) grid stays orange, only darker
            mark = tint if fill == white else drawing._mix(fill, drawing.black, 0.2)
            return _values_grid(arr, name, lambda idx: mark if hi(idx) else fill, txt)

        lg = g(left, lambda idx: idx[0] == 0)
        tg = g(top, lambda idx: idx[1] == 0)
        rg = g(res, lambda idx: idx == (0, 0))
        gap = 0.6
        rw, rh = res[0][1], res[0][0]
        lw, th = left[0][1], top[0][0]
        lg = drawing.label_below(left[4], lg).translate(-(rw / 2 + gap + lw / 2), 0)
        tg = hcat([tg, drawing.latex(top[4], drawing.LABEL_SIZE).center_xy()], 0.3)
        tg = tg.translate(0, -(rh / 2 + gap + th / 2))  # hcat kept the grid centred at x = 0
        return rg + lg + tg

    if not backward:
        d = layout((ia.shape, "a", ia.values, white, "$a$"),
                   (ib.shape, "b", ib.values, white, "$b$"),
                   ((n, p), "out", run and run["out"], white, ""))
        if run is None:  # with numbers the tint alone shows it: straight arrows would cover them
            for k in range(m):
                d = _link(d, ("a", 0, k), ("out", 0, 0), 0.0, teal)
                d = _link(d, ("b", k, 0), ("out", 0, 0), 0.0, teal)
        return label_above("$\\mathrm{out}_{ij} = \\sum_k a_{ik} b_{kj}$", d.center_xy())
    bt = run and np.ascontiguousarray(ib.values.T)
    at = run and np.ascontiguousarray(ia.values.T)
    ga = layout(((n, p), "d_out_a", run and run["d_out"], papaya, "$d_{\\mathrm{out}}$"),
                ((p, m), "bT", bt, white, "$b^T$"),
                ((n, m), "grad_a", run and run["grads"][0], white, ""))
    gb = layout(((m, n), "aT", at, white, "$a^T$"),
                ((n, p), "d_out_b", run and run["d_out"], papaya, "$d_{\\mathrm{out}}$"),
                ((m, p), "grad_b", run and run["grads"][1], white, ""))
    ga = label_above("$\\mathrm{grad}_a = d_{\\mathrm{out}} \\, b^T$", ga.center_xy())
    gb = label_above("$\\mathrm{grad}_b = a^T d_{\\mathrm{out}}$", gb.center_xy())
    return hcat([ga.center_xy(), gb.center_xy()], 1.5)


# ---------------------------------------------------------------- the registry
@dataclass
class OpPicture:
    """How to draw one tensor Function: its family's helper, how to apply it to tensors (``fn``),
    its labels, and the shapes of its schematic picture."""

    family: str
    fn: Optional[Callable[..., Any]] = None
    out_label: str = ""
    deriv_labels: Tuple[str, ...] = ()
    kwargs: Dict[str, Any] = field(default_factory=dict)

    def draw(self, *inputs: Any, backward: bool = False, **kw: Any) -> Diagram:
        opts = {**self.kwargs, **kw}
        if self.family == "map":
            (x,) = inputs or (None,)
            return map_diagram(x, self.fn if inputs else None, out_label=self.out_label,
                               deriv_label=self.deriv_labels[0], backward=backward, **opts)
        if self.family == "zip":
            x, y = inputs or (None, None)
            return zip_diagram(x, y, self.fn if inputs else None, out_label=self.out_label,
                               deriv_labels=self.deriv_labels, backward=backward, **opts)  # type: ignore[arg-type]
        if self.family == "reduce":
            (x,) = inputs or (None,)
            dim = opts.pop("dim", 0)
            fn = (lambda t: self.fn(t, dim)) if (inputs and self.fn) else None
            return reduce_diagram(x, dim, fn, out_label=self.out_label.replace("DIM", str(dim)),
                                  backward=backward, **opts)
        if self.family == "permute":
            (x,) = inputs or (None,)
            return permute_op_diagram(x, backward=backward, **opts)
        if self.family == "view":
            (x,) = inputs or (None,)
            return view_op_diagram(x, backward=backward, **opts)
        if self.family == "matmul":
            a, b = inputs or (None, None)
            return matmul_diagram(a, b, backward=backward, **opts)
        raise ValueError(f"unknown op family {self.family!r}")


def _map(fn: Callable[..., Any], out: str, deriv: str) -> OpPicture:
    return OpPicture("map", fn, out, (deriv,))


def _zip(fn: Callable[..., Any], out: str, dx: str, dy: str) -> OpPicture:
    return OpPicture("zip", fn, out, (dx, dy))


#: Function class name -> how to draw it. Every Function in autograd.tensor_functions has an entry.
OPS: Dict[str, OpPicture] = {
    "Neg": _map(lambda t: -t, "$-x$", "$-1$"),
    "Inv": _map(lambda t: 1.0 / t, "$1/x$", "$-1/x^2$"),
    "Sigmoid": _map(lambda t: t.sigmoid(), "$\\sigma(x)$", "$\\sigma(x)(1-\\sigma(x))$"),
    "ReLU": _map(lambda t: t.relu(), "$\\mathrm{relu}(x)$", "$[x > 0]$"),
    "Log": _map(lambda t: t.log(), "$\\log x$", "$1/x$"),
    "Exp": _map(lambda t: t.exp(), "$e^x$", "$e^x$"),
    "Copy": _map(lambda t: t.contiguous(), "$x$", "$1$"),
    "Tanh": _map(lambda t: t.tanh(), "$\\tanh x$", "$1 - \\tanh^2 x$"),
    "Abs": _map(lambda t: t.abs(), "$|x|$", "$\\mathrm{sign}(x)$"),
    "Pow": _map(lambda t: t ** 2, "$x^2$", "$2x$"),
    "Index": _map(lambda t: t[...], "$x[\\ldots]$", "$1$"),
    "Add": _zip(lambda x, y: x + y, "$x + y$", "$1$", "$1$"),
    "Sub": _zip(lambda x, y: x - y, "$x - y$", "$1$", "$-1$"),
    "Mul": _zip(lambda x, y: x * y, "$x \\cdot y$", "$y$", "$x$"),
    "LT": _zip(lambda x, y: x < y, "$x < y$", "$0$", "$0$"),
    "EQ": _zip(lambda x, y: x == y, "$x = y$", "$0$", "$0$"),
    "IsClose": _zip(lambda x, y: x.is_close(y), "$|x - y| < 0.01$", "$0$", "$0$"),
    "Maximum": _zip(lambda x, y: x.maximum(y), "$\\max(x, y)$", "$[x > y]$", "$[y > x]$"),
    "Sum": OpPicture("reduce", lambda t, dim: t.sum(dim), "$\\sum_{DIM} x$"),
    "All": OpPicture("reduce", lambda t, dim: t.all(dim), "$\\mathrm{all}_{DIM}\\, x$"),
    "Max": OpPicture("reduce", lambda t, dim: t.max(dim), "$\\max_{DIM} x$"),
    "Prod": OpPicture("reduce", lambda t, dim: t.prod(dim), "$\\prod_{DIM} x$"),
    "Permute": OpPicture("permute"),
    "View": OpPicture("view"),
    "Reshape": OpPicture("view"),
    "MatMul": OpPicture("matmul"),
}


def draw_op(op: Any, *inputs: Any, backward: bool = False, **kw: Any) -> Diagram:
    """The picture of one tensor Function, forward or (``backward=True``) backward.

    ``op``: a Function class (``autograd.tensor_functions.Mul``) or its name (``"Mul"``).
    ``inputs``: none (schematic), or the op's tensor inputs (real values). Extra keywords go to the
    family helper (``dim=1`` for reductions, ``order=`` for Permute, ``shape=`` for View, ``d_out=``).
    An op without a picture raises ValueError naming it.
    """
    name = op if isinstance(op, str) else getattr(op, "__name__", None)
    if name is None:
        raise TypeError(f"draw_op needs a Function class or its name, got {type(op).__name__}")
    if name not in OPS:
        raise ValueError(f"no picture registered for op {name!r}; registered: {', '.join(sorted(OPS))}")
    return OPS[name].draw(*inputs, backward=backward, **kw)
