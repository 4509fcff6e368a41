"""Read back what a picture shows, by cell name: its position, fill colour and text.

Handy in tests and in a notebook's self-check cells (``assert cell_text(d, ("grad_x", 0, 0)) == "0.25"``).
"""

from __future__ import annotations

from typing import Any, Optional, Tuple

from chalk import Diagram

__all__ = ["cell_location", "cell_fill", "cell_text"]


def _sub(d: Diagram, name: Any):
    sub = d.get_subdiagram(name)
    if sub is None:
        raise LookupError(f"no cell named {name!r} in this diagram")
    return sub


def _walk(d: Any):
    """Every primitive under ``d`` (depth first, drawing order), with the styles above it merged in."""
    from chalk.core import ApplyName, ApplyStyle, ApplyTransform, Compose, Primitive

    todo = [d]
    while todo:
        node = todo.pop()
        if isinstance(node, Primitive):
            yield node
        elif isinstance(node, Compose):
            todo.extend(reversed(node.diagrams))
        elif isinstance(node, (ApplyTransform, ApplyStyle, ApplyName)):
            todo.append(node.diagram)


def cell_location(d: Diagram, name: Any) -> Tuple[float, float]:
    """(x, y) of a named cell's centre (y grows downward, as in SVG)."""
    p = _sub(d, name).get_location()
    return (float(p.x), float(p.y))


def cell_fill(d: Diagram, name: Any) -> Optional[str]:
    """The fill colour (``#rrggbb``) of the first filled shape in a named cell."""
    for prim in _walk(_sub(d, name).diagram):
        if prim.style.fill_color_ is not None:
            return prim.style.fill_color_.hex_l
    return None


def cell_text(d: Diagram, name: Any) -> Optional[str]:
    """The text typeset inside a named cell (a number or a label), or None. A typeset minus sign
    reads back as "-"."""
    from diagrams.drawing import MathLabel

    for prim in _walk(_sub(d, name).diagram):
        if isinstance(prim.shape, MathLabel):
            return prim.shape.text.replace("\u2212", "-")
    return None
