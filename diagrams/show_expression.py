"""The graph of a Scalar (or Tensor) expression: MiniTorch's ``make_graph(expr, lr=False)``, drawn with
chalk (no networkx or graphviz).

Every variable ``expr`` was computed from is a box (its name if the user gave one, and its value;
constants have grey borders), every Function a circle between its inputs and its output, arrows run
input -> Function -> output. ``lr=False`` (the default, as graphviz draws it) puts the leaves at the
top and ``expr`` at the bottom; ``lr=True`` puts the leaves on the left.

The variables are the engine's own: ``autodiff.topological_sort(expr)`` (every non-constant
variable), plus the constants they use (a constant's ``parents`` are empty, so that is no walk).
Boxes and circles are drawn as in ``autodiff_draw.graph_diagram``, so both kinds of graph look alike.

Names: variable k (parents before the variables made from them) is ``("var", k)``, the Function
that made it ``("fn", k)``, each arrow ``("edge", from_name, to_name)``, e.g.
``("edge", ("var", 0), ("fn", 2))``.
"""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

from chalk import Diagram, arrow_between, concat

from diagrams.autodiff_draw import _edge_point, _function, _is_variable, _last_fn, _variable
from diagrams.drawing import arrow_opts

__all__ = ["make_graph", "expression_nodes"]

#: distance between levels (input -> output), top-down and left-to-right
_LEVEL_TB, _LEVEL_LR = 3.0, 4.2


def expression_nodes(expr: Any) -> Tuple[List[Any], Dict[int, List[int]]]:
    """``(variables, inputs)``: every variable of ``expr``'s graph, inputs before the variables made
    from them (constants included), and for variable k the positions of its inputs in order.

    The order is ``reversed(autodiff.topological_sort(expr))`` with each constant placed just
    before the first variable that uses it.
    """
    from autograd.autodiff import topological_sort

    if not _is_variable(expr):
        raise TypeError(f"make_graph needs a Scalar or Tensor expression, got {type(expr).__name__}")
    order: List[Any] = []
    index: Dict[int, int] = {}

    def add(v: Any) -> None:
        index[v.unique_id] = len(order)
        order.append(v)

    engine_order = list(reversed(topological_sort(expr)))
    if not engine_order:  # a constant on its own
        engine_order = [expr]
    for v in engine_order:
        if _last_fn(v) is not None:
            for p in v.parents:
                if p.is_constant() and p.unique_id not in index:
                    add(p)
        add(v)
    inputs = {k: ([index[p.unique_id] for p in v.parents] if _last_fn(v) is not None else [])
              for k, v in enumerate(order)}
    return order, inputs


def _arrange(order: List[Any], inputs: Dict[int, List[int]], size: Dict[int, float],
             gap: float) -> Tuple[Dict[int, int], Dict[int, float]]:
    """(level, across) of each variable. Level 0 is ``expr``; every other variable sits one level
    above the furthest of its users (so an input is drawn next to where it is used). Within a level,
    variables are ordered and placed at the mean position of their users, then pushed apart so that
    neighbours ``k``, ``m`` are at least ``size[k] / 2 + size[m] / 2 + gap`` apart."""
    users: Dict[int, List[int]] = {k: [] for k in range(len(order))}
    for k, ins in inputs.items():
        for p in dict.fromkeys(ins):
            users[p].append(k)
    level: Dict[int, int] = {}
    for k in reversed(range(len(order))):  # users come after their inputs in `order`
        level[k] = 1 + max((level[u] for u in users[k]), default=-1)
    across: Dict[int, float] = {}
    for lv in range(max(level.values()) + 1):
        members = [k for k in range(len(order)) if level[k] == lv]
        want = {k: (sum(across[u] for u in users[k]) / len(users[k]) if users[k] else 0.0) for k in members}
        members.sort(key=lambda k: (want[k], k))
        placed: List[float] = []
        for n, k in enumerate(members):
            x = want[k] if n == 0 else max(want[k], placed[-1] + (size[members[n - 1]] + size[k]) / 2 + gap)
            placed.append(x)
        shift = sum(want[k] for k in members) / len(members) - sum(placed) / len(placed)
        for k, x in zip(members, placed):
            across[k] = x + shift
    return level, across


def make_graph(expr: Any, lr: bool = False) -> Diagram:
    """The computation graph of ``expr`` (a Scalar, or a Tensor): leaves at the top and ``expr`` at
    the bottom, or with ``lr=True`` leaves on the left and ``expr`` on the right.

    MiniTorch's pages call it on an expression whose leaves have names (``Scalar(1.0, name="x")``):
    named variables show their name over their value. A variable used twice (``x * x``) gets one arrow.
    """
    order, inputs = expression_nodes(expr)
    boxes = [_variable(v, None, f"var{k}") for k, v in enumerate(order)]
    half = {k: (b.get_envelope().width / 2, b.get_envelope().height / 2) for k, b in enumerate(boxes)}
    # across a level: box heights (left to right layout) or widths (top-down)
    size = {k: 2 * (h[1] if lr else h[0]) for k, h in half.items()}
    level, across = _arrange(order, inputs, size, 0.9 if lr else 0.6)
    spacing = _LEVEL_LR if lr else _LEVEL_TB
    top = max(level.values())
    pos = {k: ((top - level[k]) * spacing, across[k]) if lr else (across[k], (top - level[k]) * spacing)
           for k in level}
    step = (-spacing / 2, 0.0) if lr else (0.0, -spacing / 2)  # where a Function sits, from its output
    pieces: List[Diagram] = []
    arrows: List[Diagram] = []
    for k, v in enumerate(order):
        x, y = pos[k]
        pieces.append(boxes[k].named(("var", k)).translate(x, y))
        if not inputs[k]:
            continue
        fn = _function(_last_fn(v))
        r = fn.get_envelope().width / 2
        fpos = (x + step[0], y + step[1])
        pieces.append(fn.named(("fn", k)).translate(*fpos))
        arrows.append(arrow_between(_edge_point(fpos, (r, r), (x, y), True),
                                    _edge_point((x, y), half[k], fpos, False), arrow_opts())
                      .named(("edge", ("fn", k), ("var", k))))
        for p in dict.fromkeys(inputs[k]):
            arrows.append(arrow_between(_edge_point(pos[p], half[p], fpos, False),
                                        _edge_point(fpos, (r, r), pos[p], True), arrow_opts())
                          .named(("edge", ("var", p), ("fn", k))))
    return concat(pieces + arrows).center_xy()
