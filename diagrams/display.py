"""How chalk diagrams show up in notebooks once ``diagrams`` is imported.

nbval compares every MIME type of a cell's output, so a displayed diagram must be exactly one SVG plus a
short ``text/plain``, both identical in every run. chalk 0.2.2 on its own gives a multi-kilobyte dataclass
dump as text, the same SVG a second time as ``text/html``, and full-precision floats in the SVG. `install()`
(run on ``import diagrams``) changes that for every chalk diagram, including ones built with plain chalk
calls (``hcat``, ``connect``):

- ``repr(d)`` is ``<Diagram 4.0×3.0>`` (the envelope's width × height in cell units);
- ``_repr_svg_`` renders as chalk does (``chalk.set_svg_height`` / ``set_svg_draw_height`` still apply),
  then rounds every number to 4 decimals so floating-point noise never reaches the notebook;
- ``_repr_html_`` is removed (it duplicated the SVG); there is no PNG form (chalk's needs cairo).
- chalk's default dart arrow head is scaled down by ``drawing.ARROW_HEAD_SCALE`` so plain
  ``d.connect(a, b)`` arrows are small, as in the course pictures.
"""

from __future__ import annotations

import os
import re
import tempfile
from typing import Optional

import chalk
import chalk.arrow
import chalk.core
import chalk.shapes.arrowheads
from chalk import Diagram

from diagrams import drawing

__all__ = ["install", "short_text", "to_svg", "save_svg", "tidy_svg"]

# A decimal number standing alone (not part of a name, id or #hex colour such as #1e5f00).
_ATTRIBUTE = re.compile(r'(=")([^"]*)"')
_NUMBER = re.compile(r"(?<![\w#.])-?(?:\d+\.\d+(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+)(?![\w.])")


def _round(match: "re.Match[str]") -> str:
    x = round(float(match.group(0)), 4)
    if x == 0:
        return "0"  # also turns -0.0 and 6e-17 (cos 90°) into a plain 0
    s = f"{x:.4f}".rstrip("0").rstrip(".")
    return s


def tidy_svg(svg: str) -> str:
    """Round every decimal number in the attributes of an SVG string to 4 places (trailing zeros dropped).

    The XML declaration (``<?xml version="1.0" ...?>``) is left as it is.
    """
    head, sep, body = svg.partition("?>") if svg.startswith("<?xml") else ("", "", svg)
    # only inside attribute values (coordinates, transforms, styles): text content is left alone
    body = _ATTRIBUTE.sub(lambda m: m.group(1) + _NUMBER.sub(_round, m.group(2)) + '"', body)
    return head + sep + body


def short_text(d: Diagram) -> str:
    """``<Diagram W×H>``: the diagram's size in cell units, one decimal."""
    env = d.get_envelope()
    if env is None or env.is_empty:
        return "<Diagram empty>"
    w = round(env.width, 1) + 0.0  # + 0.0 turns -0.0 into 0.0
    h = round(env.height, 1) + 0.0
    return f"<Diagram {w:.1f}×{h:.1f}>"


def to_svg(d: Diagram, height: Optional[int] = None, draw_height: Optional[int] = None) -> str:
    """The SVG text of ``d``, exactly what a notebook displays.

    ``height`` defaults to chalk's preview height (``chalk.set_svg_height``, 200 unless changed) and
    ``draw_height`` (what stroke widths and arrow heads are sized for) to ``chalk.set_svg_draw_height``'s.
    """
    if not isinstance(d, Diagram):
        raise TypeError(f"to_svg() needs a chalk Diagram, got {type(d).__name__}")
    env = d.get_envelope()
    if env is None or env.is_empty:
        raise ValueError("to_svg(): the diagram is empty, there is nothing to draw")
    if env.width < 1e-6 or env.height < 1e-6:
        # a lone line has no height (or width): chalk would divide by zero sizing the picture
        c = env.center
        d = d + chalk.strut(max(env.width, 0.1), max(env.height, 0.1)).translate(c.x, c.y)
    height = chalk.core.SVG_HEIGHT if height is None else height
    draw_height = chalk.core.SVG_DRAW_HEIGHT if draw_height is None else draw_height
    # chalk's SVG backend only writes files (svgwrite's Drawing.save), so go through a private folder.
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "diagram.svg")
        chalk.backend.svg.render(d, path, height=height, draw_height=draw_height)
        with open(path, encoding="utf-8") as f:
            svg = f.read()
    return tidy_svg(svg)


def save_svg(d: Diagram, path: str, height: Optional[int] = None,
             draw_height: Optional[int] = None) -> None:
    """Write ``to_svg(d, ...)`` to ``path``."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(to_svg(d, height, draw_height))


def _repr_svg_(self: Diagram) -> Optional[str]:
    env = self.get_envelope()
    if env is None or env.is_empty:
        return None  # nothing to draw: the notebook shows only the text form
    return to_svg(self)


def _repr(self: Diagram) -> str:
    return short_text(self)


def _repr_pretty_(self: Diagram, p, cycle: bool) -> None:  # IPython's plain-text hook
    p.text(short_text(self))


def _small_dart(cut: float = 0.2) -> Diagram:
    return chalk.shapes.arrowheads.dart(cut).scale(drawing.ARROW_HEAD_SCALE)


def _diagram_classes():
    # Every concrete chalk diagram class: BaseDiagram and its dataclass subclasses (Primitive, Compose,
    # ApplyTransform, ApplyStyle, ApplyName, Empty). Each @dataclass writes its own __repr__, so each
    # one is patched, not only the base class.
    seen = []
    todo = [chalk.core.BaseDiagram]
    while todo:
        cls = todo.pop()
        if cls not in seen:
            seen.append(cls)
            todo.extend(cls.__subclasses__())
    return seen


_installed = False


def install() -> None:
    """Apply the notebook behaviour described in the module docstring (idempotent)."""
    global _installed
    for cls in _diagram_classes():
        cls.__repr__ = _repr
        cls._repr_pretty_ = _repr_pretty_
    base = chalk.core.BaseDiagram
    base._repr_svg_ = _repr_svg_
    if "_repr_html_" in base.__dict__:
        del base._repr_html_
    chalk.arrow.dart = _small_dart  # chalk.arrow.arrow() looks `dart` up in its module at call time
    _installed = True
