"""Computation graphs of Scalar and Tensor expressions, and backpropagation step by step.

``graph_diagram(out)`` draws every variable that ``out`` was computed from (leaves on the left, ``out``
on the right) with its value, each Function as a circle between its inputs and its output, and,
after ``out.backward()``, the derivative of each leaf in a papaya badge under it.

``backprop_step(out, k)`` shows the state of backpropagation after ``k`` steps of the engine's own
loop (``autograd.backward_steps``, which ``backpropagate`` runs): the variables in ``topological_sort(out)`` order, each step taking the
next variable's total derivative and sending it through its Function's ``chain_rule`` to its inputs.
Done variables have their final derivative (papaya badge); waiting ones show what they have received so
far (light badge); the next one to process has a papaya outline. Nothing is modified: the steps run
``chain_rule``, never ``accumulate_derivative``.

Both read only the Variable protocol (``parents``, ``history.last_fn``, ``is_constant``, ``is_leaf``,
``chain_rule``, ``unique_id``) plus ``data``/``derivative`` (Scalar) or values/``grad`` (Tensor).
``unique_id`` is used only to recognise a variable, never drawn, so pictures do not depend on how many
variables were made before. A variable's ``name`` is drawn only when the user gave one.

Names: variable k (in drawing order) is ``("var", k)``, the Function that made it ``("fn", k)``, its
derivative badge ``("d", k)``; a Tensor's value grid has cells ``(f"var{k}", *index)`` and its
derivative grid ``(f"d{k}", *index)``.
"""

from __future__ import annotations

import itertools
import math
import numbers
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
from autograd import backward_steps, topological_sort
from chalk import Diagram, arrow_between, circle, concat, vcat
from chalk.transform import P2
from colour import Color

from diagrams import drawing
from diagrams.drawing import arrow_opts, black, grey, latex, papaya, value_text, white
from diagrams.tensor_draw import _fmt, tensor_to_diagram

__all__ = ["graph_diagram", "backprop_step", "backprop_steps", "FUNCTION_SYMBOLS"]

#: how each Function is written inside its circle (others: their class name)
FUNCTION_SYMBOLS: Dict[str, str] = {
    "Add": "$+$", "Sub": "$-$", "Mul": "$\\times$", "Neg": "$-$", "Inv": "$1/x$", "Sigmoid": "$\\sigma$",
    "ReLU": "relu", "Log": "log", "Exp": "exp", "LT": "$<$", "EQ": "$=$", "IsClose": "$\\approx$",
    "Sum": "$\\Sigma$", "All": "all", "Max": "max", "Permute": "permute", "View": "view",
    "Copy": "copy", "MatMul": "$@$",
}

_light_papaya = drawing._mix(papaya, white, 0.6)
_COL = 4.2   # distance between variable columns
_ROW = 2.2   # minimum distance between variables in one column
#: size of a node's value cells (and its badge's) against a tensor picture's: at half size their
#: numbers were ~7 px at the default 45 px/unit; at 0.8 they read (~11 px)
NODE_CELL = 0.8


def _is_variable(v: Any) -> bool:
    return hasattr(v, "unique_id") and hasattr(v, "parents") and hasattr(v, "history")


def _last_fn(v: Any) -> Any:
    h = v.history
    return None if h is None else getattr(h, "last_fn", None)


def _collect(out: Any) -> Tuple[List[Any], Dict[int, List[int]]]:
    """All variables reachable from ``out`` (constants included), parents before children, in the
    engine's order (``topological_sort``, reversed); and for each, the positions of its parents."""
    if not _is_variable(out):
        raise TypeError(f"graph pictures need a Scalar or Tensor, got {type(out).__name__}")
    order = list(reversed(topological_sort(out, constants=True)))
    index = {v.unique_id: k for k, v in enumerate(order)}
    edges = {k: [index[p.unique_id] for p in (list(v.parents) if _last_fn(v) is not None else [])]
             for k, v in enumerate(order)}
    return order, edges


def _layout(order: List[Any], edges: Dict[int, List[int]], row: float = _ROW) -> Dict[int, Tuple[float, float]]:
    level: Dict[int, int] = {}
    for k in range(len(order)):  # parents come first, so their levels are known
        level[k] = 1 + max((level[p] for p in edges[k]), default=-1) if edges[k] else 0
    # A constant (a plain number the expression used) sits just left of the first Function using it,
    # not among the leaves far away.
    for k, v in enumerate(order):
        users = [c for c in range(len(order)) if k in edges[c]]
        if v.is_constant() and not edges[k] and users:
            level[k] = min(level[c] for c in users) - 1
    pos: Dict[int, Tuple[float, float]] = {}
    ys: Dict[int, float] = {}
    for lv in sorted(set(level.values())):
        column = [k for k in range(len(order)) if level[k] == lv]
        # Put each variable at the mean height of its inputs, then push apart to keep `row` between.
        want = [(np.mean([ys[p] for p in edges[k]]) if edges[k] else i * row, k) for i, k in enumerate(column)]
        want.sort()
        last = -np.inf
        for y, k in want:
            y = max(float(y), last + row)
            ys[k] = y
            last = y
        for k in column:
            pos[k] = (lv * _COL, ys[k])
    return pos


def _values_of(v: Any) -> Optional[np.ndarray]:
    if hasattr(v, "to_numpy"):
        return np.asarray(v.to_numpy(), dtype=np.float64)
    return None


def _user_name(v: Any) -> Optional[str]:
    name = getattr(v, "name", None)
    # autograd names unnamed variables by their unique_id: that number is not drawn (it changes
    # with everything made before, so the picture would too).
    if not isinstance(name, str) or not name or name == str(v.unique_id):
        return None
    return name


def _name_label(name: str) -> Diagram:
    if name.isidentifier() and len(name) <= 3:
        return latex(f"${name}$", 0.45)
    return value_text(name, 0.35)


def _badge(d: Any, fill: Color, grid_name: str = "") -> Diagram:
    """A derivative: a number (Scalar) or a small grid (Tensor), on papaya."""
    arr = _values_of(d)
    if arr is None:
        v = float(d)
        # tiny derivatives (a saturated sigmoid) would print as 0.00: show their size instead
        txt = value_text(_fmt(v, 2) if v == 0 or abs(v) >= 0.005 else f"{v:.1e}", 0.32)
        w = max(txt.get_envelope().width + 0.35, 1.2)
        return drawing.box(w, 0.55, fill, radius=0.12) + txt
    return tensor_to_diagram(arr if arr.ndim else arr.reshape(1), grid_name,
                             colormap=lambda *idx: fill).scale(NODE_CELL)


def _variable(v: Any, outline: Optional[Color], grid_name: str = "") -> Diagram:
    name = _user_name(v)
    arr = _values_of(v)
    parts: List[Diagram] = []
    if name:
        parts.append(_name_label(name))
    if arr is None:
        parts.append(value_text(_fmt(float(v.data), 2), 0.35))
    elif arr.size <= 6 and arr.ndim <= 2:
        # white cells: in these pictures papaya means "derivative", so values are not ramp-coloured
        parts.append(tensor_to_diagram(arr if arr.ndim else arr.reshape(1), grid_name,
                                       colormap=lambda *idx: white).scale(NODE_CELL))
    else:
        parts.append(value_text(f"shape {tuple(arr.shape)}".replace(",)", ")"), 0.32))
    inner = vcat([p.center_xy() for p in parts], 0.12).center_xy()
    env = inner.get_envelope()
    w, h = max(env.width + 0.5, 1.6), max(env.height + 0.4, 1.0)
    border = grey if v.is_constant() else black
    frame = drawing.box(w, h, white, radius=0.2).line_color(border)
    if outline is not None:
        frame = frame.line_color(outline).line_width(0.25)
    return frame + inner


def _function(fn: Any) -> Diagram:
    name = getattr(fn, "__name__", str(fn))
    sym = FUNCTION_SYMBOLS.get(name, name)
    label = latex(sym, 0.4) if sym.startswith("$") else value_text(sym, 0.28)
    w = label.get_envelope().width
    r = max(0.45, w / 2 + 0.12)
    return circle(r).fill_color(drawing._mix(drawing.teal, white, 0.6)).line_width(drawing.line_width) + label


def _edge_point(center: Tuple[float, float], half: Tuple[float, float], toward: Tuple[float, float],
                round_: bool) -> P2:
    """Where the ray from ``center`` toward ``toward`` leaves a box of half-size ``half`` (or a
    circle of radius ``half[0]`` if ``round_``): arrows run edge to edge."""
    dx, dy = toward[0] - center[0], toward[1] - center[1]
    length = math.hypot(dx, dy) or 1.0
    if round_:
        t = half[0] / length
    else:
        t = min(half[0] / abs(dx) if dx else math.inf, half[1] / abs(dy) if dy else math.inf)
    return P2(center[0] + t * dx, center[1] + t * dy)


def _draw(out: Any, derivs: Dict[int, Tuple[Any, Color]], current: Optional[int], title: str,
          hot: Optional[List[Tuple[int, int]]] = None) -> Diagram:
    order, edges = _collect(out)
    pieces: List[Diagram] = []
    var_half: Dict[int, Tuple[float, float]] = {}
    fn_half: Dict[int, Tuple[float, float]] = {}
    nodes: List[Diagram] = []
    for k, v in enumerate(order):
        box = _variable(v, papaya if current == v.unique_id else None, f"var{k}")
        env = box.get_envelope()
        var_half[k] = (env.width / 2, env.height / 2)
        box = box.named(("var", k))
        if v.unique_id in derivs:
            d, fill = derivs[v.unique_id]
            badge = _badge(d, fill, f"d{k}").center_xy().named(("d", k))
            box = vcat([box, badge], 0.15)  # vcat keeps the box at the origin
        nodes.append(box)
    # rows far enough apart for the tallest variable (with its badge) below another
    row = max(_ROW, max(n.get_envelope().height for n in nodes) + 0.6)
    pos = _layout(order, edges, row)
    for k, v in enumerate(order):
        x, y = pos[k]
        pieces.append(nodes[k].translate(x, y))
        if edges[k]:
            fn = _function(_last_fn(v))
            r = fn.get_envelope().width / 2
            fn_half[k] = (r, r)
            pieces.append(fn.named(("fn", k)).translate(x - _COL / 2, y))
    hot_set = set(hot or [])
    arrows: List[Diagram] = []
    for k in range(len(order)):
        if not edges[k]:
            continue
        fpos = (pos[k][0] - _COL / 2, pos[k][1])
        arrows.append(arrow_between(_edge_point(fpos, fn_half[k], pos[k], True),
                                    _edge_point(pos[k], var_half[k], fpos, False), arrow_opts()))
        for p in dict.fromkeys(edges[k]):  # an input used twice (x * x) gets one arrow
            color = papaya if (k, p) in hot_set else black
            arrows.append(arrow_between(_edge_point(pos[p], var_half[p], fpos, False),
                                        _edge_point(fpos, fn_half[k], pos[p], True),
                                        arrow_opts(color=color, width=0.12 if color == papaya else drawing.line_width)))
    d = concat(pieces + arrows)
    if title:
        d = drawing.label_above(title, d.center_xy(), size=0.5)
    return d.center_xy()


def graph_diagram(out: Any, derivatives: bool = True) -> Diagram:
    """The computation graph of ``out`` (a Scalar or Tensor): leaves left, ``out`` right.

    With ``derivatives`` (default), leaves that have a derivative (``.derivative`` of a Scalar,
    ``.grad`` of a Tensor, set by ``backward()``) show it in a papaya badge. Constants have grey
    borders.
    """
    order, _ = _collect(out)
    derivs: Dict[int, Tuple[Any, Color]] = {}
    if derivatives:
        for v in order:
            d = getattr(v, "derivative", None) if not hasattr(v, "grad") else v.grad
            if d is not None and not v.is_constant():
                derivs[v.unique_id] = (d, papaya)
    return _draw(out, derivs, None, "")


def _steps(out: Any, d_out: Any) -> List[Any]:
    return topological_sort(out)  # the engine's own order


def _start(out: Any, d_out: Any) -> Any:
    if hasattr(out, "zeros"):  # a Tensor: d_out as a tensor of out's shape
        return out.zeros(out.shape) + (1.0 if d_out is None else d_out)
    return 1.0 if d_out is None else float(d_out)


def backprop_step(out: Any, k: int, d_out: Any = None) -> Diagram:
    """Backpropagation from ``out`` after ``k`` steps (0 = nothing done yet, the number of
    variables = finished). ``d_out`` is d(final)/d(out) (default 1). Raises ValueError for a ``k``
    out of range, naming the number of steps."""
    if _last_fn(out) is None and (out.history is None):
        raise ValueError("backprop_step: this variable has no history (a constant), nothing to backpropagate")
    order = _steps(out, d_out)
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or not 0 <= k <= len(order):
        raise ValueError(f"backprop_step: k must be an int from 0 to {len(order)} "
                         f"(this graph takes {len(order)} steps), got {k!r}")
    start = _start(out, d_out)
    derivs: Dict[int, Any] = {out.unique_id: start}
    done: Dict[int, Any] = {}
    hot: List[Tuple[int, int]] = []
    last = None
    for last in itertools.islice(backward_steps(out, start), k):  # the engine's own steps
        done[last.node.unique_id] = last.derivative
        derivs = dict(last.pending)
    if last is not None and last.sent:  # the arrows the last step sent derivatives along
        drawn, _ = _collect(out)
        pos_of = {v.unique_id: i for i, v in enumerate(drawn)}
        hot = [(pos_of[last.node.unique_id], pos_of[p.unique_id]) for p, _ in last.sent]
    badges = {uid: (d, papaya) for uid, d in done.items()}
    badges.update({uid: (d, _light_papaya) for uid, d in derivs.items()})
    current = order[k].unique_id if k < len(order) else None
    title = f"step {k} of {len(order)}" + (": done" if k == len(order) else "")
    return _draw(out, badges, current, title, hot)


def backprop_steps(out: Any, d_out: Any = None) -> List[Diagram]:
    """``[backprop_step(out, k) for every k]``: the whole run, one picture per step."""
    n = len(_steps(out, d_out))
    return [backprop_step(out, k, d_out) for k in range(n + 1)]


# ---------------------------------------------------------------- MiniTorch's names (mt_diagrams.autodiff_draw)
_BOX_W, _BOX_H = 2.0, 1.1   # a Function box
_CHAIN_STEP = 3.0           # from one box to the next (top-down); left to right a little more


def _wire_label(text: str) -> Diagram:
    return latex(text, 0.45).center_xy() if text else drawing.spacer(0.1, 0.1)


def draw_boxes(labels: List[Any], arities: List[int], lr: bool = False) -> Diagram:
    """A chain of Function boxes, each fed by its inputs: the output of box b is the first input of
    box b + 1, and a box of arity n takes n - 1 more inputs from the side.

    ``labels`` name what flows along the arrows, in order: the first box's inputs, then for each
    further box the previous box's output and its extra inputs, then the final output, so
    ``len(labels) == sum(arities) + 1`` (a tuple such as ``("$x$", "$y$")`` counts as its items): ``draw_boxes(["$x$", "$g(x)$", "$f(g(x))$"], [1, 1])``,
    ``draw_boxes([("$x$", "$y$"), "$f(x, y)$"], [2])``. Intermediate outputs are written beside the
    arrow that carries them. Alternatively ``len(labels) == len(arities)``: then the labels are written
    inside the boxes and the arrows carry none. ``lr=False`` (default) draws the chain top to bottom,
    ``lr=True`` left to right. Boxes are named ``("box", b)``, arrow labels ``("wire", w)`` (w counts
    ``labels`` in order).
    """
    if isinstance(arities, int) or not all(isinstance(a, numbers.Integral) and not isinstance(a, bool)
                                           and a >= 1 for a in arities) or not arities:
        raise ValueError(f"draw_boxes: arities must be a non-empty list of ints >= 1, got {arities!r}")
    flat: List[str] = []
    for item in labels:
        flat.extend(item if isinstance(item, (tuple, list)) else [item])
    if not all(isinstance(x, str) for x in flat):
        raise TypeError(f"draw_boxes: labels must be strings (or tuples of strings), got {labels!r}")
    n_boxes = len(arities)
    if len(flat) == sum(arities) + 1:
        wires, inside = flat, [""] * n_boxes
    elif len(flat) == n_boxes:
        wires, inside = [""] * (sum(arities) + 1), flat
    else:
        raise ValueError(f"draw_boxes: arities {list(arities)} need {sum(arities) + 1} labels (inputs, extra "
                         f"inputs, output) or {n_boxes} (one per box), got {len(flat)}")
    step = _CHAIN_STEP * (1.4 if lr else 1.0)
    hl, hc = (_BOX_W / 2, _BOX_H / 2) if lr else (_BOX_H / 2, _BOX_W / 2)  # half a box: along, across

    def at(along: float, across: float) -> Tuple[float, float]:  # chain coordinates -> the page
        return (along, across) if lr else (across, along)

    pieces: List[Diagram] = []
    arrows: List[Diagram] = []
    count = iter(range(len(wires)))

    def wire(src: Tuple[float, float], dst: Tuple[float, float], side: str) -> None:
        """An arrow src -> dst (chain coordinates) carrying the next label, written beyond its tail
        (``side="tail"``), beside its middle on the positive side (``"beside"``) or past its head."""
        w = next(count)
        arrows.append(arrow_between(P2(*at(*src)), P2(*at(*dst)), arrow_opts()))
        label = _wire_label(wires[w])
        env = label.get_envelope()
        ext_along, ext_across = (env.width, env.height) if lr else (env.height, env.width)
        if side == "tail":
            p = (src[0] - 0.2 - ext_along / 2, src[1])
        elif side == "head":
            p = (dst[0] + 0.2 + ext_along / 2, dst[1])
        else:
            p = ((src[0] + dst[0]) / 2, 0.25 + ext_across / 2)
        pieces.append(label.named(("wire", w)).translate(*at(*p)))

    for b, arity in enumerate(arities):
        fill = drawing._mix(drawing.teal, white, 0.6)
        box = drawing.box(_BOX_W, _BOX_H, fill, radius=0.15)
        if inside[b]:
            box = box + latex(inside[b], 0.45).center_xy()
        pieces.append(box.named(("box", b)).translate(*at(b * step, 0.0)))
        entry = b * step - hl
        if b == 0:  # all of the first box's inputs come from outside, spread across its side
            for m in range(arity):
                c = (m - (arity - 1) / 2) * 1.3
                wire((entry - 1.3, c), (entry, c * 0.4), "tail")
        else:  # the previous output on the chain's line, extra inputs from the negative side
            wire(((b - 1) * step + hl, 0.0), (entry, 0.0), "beside")
            for m in range(arity - 1):
                c = -(hc + 0.5 + 0.9 * m)
                wire((entry - 1.1, c), (entry, -hc * 0.6), "tail")
    end = (n_boxes - 1) * step + hl
    wire((end, 0.0), (end + 1.2, 0.0), "head")
    return concat(pieces + arrows).center_xy()


def backprop_example() -> Any:
    """The expression `backprop` steps through: with x = 1 and y = 3,
    ``z = sigmoid(log(x * y + x))`` = 0.8 (x is used twice, so its two derivatives add up; the
    numbers are chosen so every derivative is exact with two decimals: dz/dx = 0.16, dz/dy = 0.04). Its
    topological order (``autodiff.topological_sort``) has six variables: z, log(.), x * y + x,
    x * y, then the leaves x and y."""
    from autograd import Scalar

    x, y = Scalar(1.0, name="x"), Scalar(3.0, name="y")
    z = (x * y + x).log().sigmoid()
    z.name = "z"
    return z


def backprop(step: int) -> Diagram:
    """The Module 1 backpropagation picture at ``step`` (MiniTorch's pages show steps 1 to 6; 0, the
    start, is allowed too): `backprop_step` on `backprop_example`, i.e. the state after ``step``
    variables of the topological order have been processed. Done variables carry their final
    derivative (papaya badge), waiting ones what they have received so far (pale badge); the variable
    processed next has a papaya outline, and the arrows along which the last step sent derivatives are
    papaya. Step 6 is the end: x and y hold d z / d x and d z / d y."""
    return backprop_step(backprop_example(), step)


__all__ += ["draw_boxes", "backprop", "backprop_example"]
