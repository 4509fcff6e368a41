"""How chalk diagrams show up in notebooks once ``diagrams`` is imported.

nbval compares every MIME type of a cell's output, so a displayed diagram must be exactly one SVG plus a
short ``text/plain``, both identical in every run. chalk 0.2.2 on its own gives a multi-kilobyte dataclass
dump as text, the same SVG a second time as ``text/html``, and full-precision floats in the SVG. `install()`
(run on ``import diagrams``) changes that for every chalk diagram, including ones built with plain chalk
calls (``hcat``, ``connect``):

- ``repr(d)`` is ``<Diagram 4.0×3.0>`` (the envelope's width × height in cell units);
- ``_repr_svg_`` is `to_svg`: the picture at a fixed scale (see *Size* below), every number rounded to
  4 decimals so floating-point noise never reaches the notebook, each glyph outline written once;
- ``_repr_html_`` is removed (it duplicated the SVG); there is no PNG form (chalk's needs cairo);
- ``d.render_svg(path, ...)`` writes the same tidy SVG as `to_svg` (chalk's sizes, as before);
- strokes are written with their final widths (`final_strokes`): chalk marks every path
  ``vector-effect: non-scaling-stroke``, which librsvg and cairosvg ignore (they draw each 0.7 px line
  45 times too wide, a black blob), so the widths are divided by the scale each path is drawn at;
- chalk's default dart arrow head is scaled down by ``drawing.ARROW_HEAD_SCALE`` so plain
  ``d.connect(a, b)`` arrows are small, as in the course pictures.

Size. chalk itself draws every diagram at one global height (``chalk.set_svg_height``, 200 px), so a
1×3 grid and a tall strides picture both come out 200 px tall. Here a picture is drawn at a fixed
*scale*, ``SCALE`` = 45 pixels per unit (a tensor cell is 1×1 unit), so a cell is the same size in every
picture; a picture that would be wider than ``MAX_WIDTH`` (900 px) or taller than ``MAX_HEIGHT`` (700 px)
is shrunk to fit. The SVG has a ``viewBox``, so a viewer may still scale it to its column.

- ``set_scale(px_per_unit, max_width=None, max_height=None)`` changes the scale (and caps) of every
  picture shown afterwards; ``set_scale()`` restores the defaults;
- ``sized(d, px_per_unit)`` returns ``d`` drawn at its own scale (``sized(d, 80)``: a closer look);
- ``to_svg(d, height=h)`` (or ``chalk.set_svg_height(h)`` to anything but chalk's default 200) gives
  chalk's behaviour back: exactly ``h`` px tall;
- line widths and arrow heads follow ``chalk.set_svg_draw_height`` as in chalk (300, the course's
  setting, if it was never called), so they are the same in every picture.
"""

from __future__ import annotations

import copy
import os
import re
import tempfile
from typing import Any, Optional, Tuple

import chalk
import chalk.arrow
import chalk.core
import chalk.shapes.arrowheads
from chalk import Diagram

from diagrams import drawing

__all__ = ["install", "short_text", "to_svg", "save_svg", "tidy_svg", "share_glyphs", "compact_groups", "final_strokes",
           "set_scale", "sized",
           "SCALE", "MAX_WIDTH", "MAX_HEIGHT", "DRAW_HEIGHT"]

#: pixels per unit (a tensor cell is 1 x 1 unit): the default size of every picture
SCALE = 45.0
#: a picture is shrunk (never cropped) to fit these, in px
MAX_WIDTH = 900
MAX_HEIGHT = 700
#: what line widths and arrow heads are sized for when chalk.set_svg_draw_height was never called
DRAW_HEIGHT = 300
_CHALK_DEFAULT_HEIGHT = 200  # chalk.core.SVG_HEIGHT until someone calls chalk.set_svg_height
_PAD = 0.05  # chalk's SVG backend pads the picture by 5%
_SIZE_ATTR = "_diagrams_display_size"  # set by `sized` on its copy of a diagram
_defaults = (SCALE, MAX_WIDTH, MAX_HEIGHT)


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


def set_scale(px_per_unit: Optional[float] = None, max_width: Optional[int] = None,
              max_height: Optional[int] = None) -> None:
    """Draw every picture shown from now on at ``px_per_unit`` pixels per cell, shrunk to fit
    ``max_width`` x ``max_height`` px. Arguments left out (all: ``set_scale()``) get the defaults back."""
    global SCALE, MAX_WIDTH, MAX_HEIGHT
    SCALE = _positive("set_scale px_per_unit", _defaults[0] if px_per_unit is None else px_per_unit)
    MAX_WIDTH = _positive("set_scale max_width", _defaults[1] if max_width is None else max_width)
    MAX_HEIGHT = _positive("set_scale max_height", _defaults[2] if max_height is None else max_height)


def sized(d: Diagram, px_per_unit: Optional[float] = None, max_width: Optional[int] = None,
          max_height: Optional[int] = None) -> Diagram:
    """``d`` to be shown at its own scale: ``px_per_unit`` pixels per cell (default `SCALE`), shrunk to
    fit ``max_width`` x ``max_height`` px (defaults `MAX_WIDTH`, `MAX_HEIGHT`). Returns a copy of ``d``
    (``d`` itself is unchanged); a diagram built from it (``sized(d).connect(...)``) has the default size."""
    if not isinstance(d, Diagram):
        raise TypeError(f"sized() needs a chalk Diagram, got {type(d).__name__}")
    opts = {"px_per_unit": px_per_unit, "max_width": max_width, "max_height": max_height}
    for key, value in opts.items():
        if value is not None:
            _positive(f"sized {key}", value)
    out = copy.copy(d)
    object.__setattr__(out, _SIZE_ATTR, opts)
    return out


def _positive(what: str, x: Any) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not x > 0 or x == float("inf"):
        raise ValueError(f"{what} must be a positive number, got {x!r}")
    return x


def _frame(env: Any, d: Diagram, height: Optional[int]) -> Tuple[int, int]:
    """(width, height) in px: from an explicit height (chalk's rule), else from the scale."""
    if height is None and chalk.core.SVG_HEIGHT != _CHALK_DEFAULT_HEIGHT:
        height = chalk.core.SVG_HEIGHT  # the user asked chalk for a height: honour it as chalk would
    if height is not None:
        return max(1, int(height * env.width / env.height)), height
    own = getattr(d, _SIZE_ATTR, None) or {}
    scale = own.get("px_per_unit") or SCALE
    max_w = own.get("max_width") or MAX_WIDTH
    max_h = own.get("max_height") or MAX_HEIGHT
    w, h = (1 + _PAD) * env.width, (1 + _PAD) * env.height
    scale = min(scale, max_w / w, max_h / h)
    return max(1, round(scale * w)), max(1, round(scale * h))


_GLYPH = re.compile(r'<symbol id="(%s[^"]*)"[^>]*>.*?</symbol>' % re.escape(drawing.GLYPH_ID_PREFIX), re.S)


def share_glyphs(svg: str) -> str:
    """One copy of each glyph ``<symbol>`` per SVG, in the root ``<defs>``, sorted by id; ``<use>``
    written with ``xlink:href`` (SVG 1.1, for every viewer). Every label carries its own symbols (so a
    diagram rendered by plain chalk still shows), and a picture with 40 numbers has 40 copies of "0"."""
    found: dict = {}
    for m in _GLYPH.finditer(svg):
        found.setdefault(m.group(1), m.group(0))
    if not found:
        return svg
    svg = _GLYPH.sub("", svg)
    svg = re.sub(r"<defs\s*>\s*</defs>|<defs\s*/>", "", svg)  # the labels' own, now empty
    defs = "".join(found[k] for k in sorted(found))
    svg = svg.replace("<defs>", "<defs>" + defs, 1) if "<defs>" in svg else \
        re.sub(r"(<svg[^>]*>)", lambda m: m.group(1) + "<defs>" + defs + "</defs>", svg, count=1)
    return svg.replace(' href="#' + drawing.GLYPH_ID_PREFIX, ' xlink:href="#' + drawing.GLYPH_ID_PREFIX)


_G_TAG = re.compile(r"<g\b([^>]*?)(/?)>|</g>")
_IDENTITY = re.compile(r' transform="matrix\(1, 0, 0, 1, 0, 0\)"')
_SHIFT = re.compile(r'transform="matrix\(1, 0, 0, 1, (-?[\d.e-]+), (-?[\d.e-]+)\)"')


def compact_groups(svg: str) -> str:
    """Drop what draws nothing from chalk's SVG: identity transforms, ``<g>`` wrappers with no
    attributes (one per chalk node: about a third of a picture's bytes) and empty ``<g/>``s; write a
    pure shift ``matrix(1, 0, 0, 1, x, y)`` as ``translate(x y)``."""
    svg = _IDENTITY.sub("", svg)
    svg = _SHIFT.sub(lambda m: f'transform="translate({m.group(1)} {m.group(2)})"', svg)
    out, keep, pos = [], [], 0
    for m in _G_TAG.finditer(svg):
        out.append(svg[pos:m.start()])
        pos = m.end()
        if m.group(0) == "</g>":
            if keep.pop():
                out.append("</g>")
        elif m.group(2):  # <g ... />: an empty group
            continue
        else:
            bare = not m.group(1).strip()
            keep.append(not bare)
            if not bare:
                out.append(m.group(0))
    out.append(svg[pos:])
    return "".join(out)


_TAG = re.compile(r"<(/?)([\w:]+)([^>]*?)(/?)>")
_TRANSFORM = re.compile(r"(matrix|translate|scale|rotate|skewX|skewY)\s*\(([^)]*)\)")
_NON_SCALING = re.compile(r"\s*vector-effect\s*:\s*non-scaling-stroke\s*;?")
_STROKE_WIDTH = re.compile(r"stroke-width\s*:\s*([-\d.eE]+)")


def _linear(transform: str) -> Tuple[float, float, float, float]:
    """The linear part (a, b, c, d) of an SVG transform list (translations do not scale strokes)."""
    m = (1.0, 0.0, 0.0, 1.0)
    for name, args in _TRANSFORM.findall(transform):
        v = [float(x) for x in re.split(r"[\s,]+", args.strip()) if x]
        if name == "matrix":
            n = (v[0], v[1], v[2], v[3])
        elif name == "scale":
            n = (v[0], 0.0, 0.0, v[1] if len(v) > 1 else v[0])
        else:  # translate and rotate keep lengths; skews are never written by chalk
            continue
        a, b, c, d = m
        m = (a * n[0] + c * n[1], b * n[0] + d * n[1], a * n[2] + c * n[3], b * n[2] + d * n[3])
    return m


def final_strokes(svg: str) -> str:
    """Replace chalk's ``vector-effect: non-scaling-stroke`` by stroke widths that are already right.

    chalk writes each stroke width in output pixels on a ``<g>`` (``stroke-width: 0.72``) and draws
    the paths inside it under the picture's scale (45 px a unit), relying on ``non-scaling-stroke``
    to keep lines thin. Chromium honours that; librsvg and cairosvg (PNG and PDF converters) do not
    and draw 32 px wide lines. Here each such path gets ``stroke-width`` = pixels / the scale it is
    drawn at (the square root of the determinant of its transforms, exact for chalk's uniform
    scales), so every renderer draws the same thin line.
    """
    out, pos = [], 0
    stack = [(1.0, 0.0, 0.0, 1.0, None)]  # (linear transform a b c d, inherited stroke width)
    for m in _TAG.finditer(svg):
        out.append(svg[pos:m.start()])
        pos = m.end()
        closing, name, attrs, empty = m.groups()
        if closing:
            if len(stack) > 1:
                stack.pop()
            out.append(m.group(0))
            continue
        a, b, c, d, width = stack[-1]
        t = re.search(r'\btransform="([^"]*)"', attrs)
        if t:
            n = _linear(t.group(1))
            a, b, c, d = (a * n[0] + c * n[1], b * n[0] + d * n[1], a * n[2] + c * n[3], b * n[2] + d * n[3])
        st = re.search(r'\bstyle="([^"]*)"', attrs)
        style = st.group(1) if st else ""
        w = _STROKE_WIDTH.search(style)
        if w:
            width = float(w.group(1))
        if _NON_SCALING.search(style):
            style = _NON_SCALING.sub("", style)
            if width is not None:
                scale = abs(a * d - b * c) ** 0.5 or 1.0
                style = _STROKE_WIDTH.sub("", style).replace(";;", ";")
                style = (style.rstrip("; ") + ";" if style.strip() else "") + f"stroke-width: {width / scale:.6g};"
            attrs = attrs[:st.start()] + (f'style="{style}"' if style else "") + attrs[st.end():]
        out.append(f"<{name}{attrs}{empty}>")
        if not empty:
            stack.append((a, b, c, d, width))
    out.append(svg[pos:])
    return "".join(out)


def _with_view_box(svg: str, width: int, height: int) -> str:
    # width/height alone make a fixed-size canvas that a narrower column crops; a viewBox lets the
    # viewer scale the whole picture instead.
    return re.sub(r"<svg ", f'<svg viewBox="0 0 {width} {height}" ', svg, count=1)


def _render(d: Diagram, width: int, height: int, draw_height: int) -> str:
    # chalk's SVG backend only writes files (svgwrite's Drawing.save), so go through a private folder.
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "diagram.svg")
        chalk.backend.svg.render(d, path, height=height, width=width, draw_height=draw_height)
        with open(path, encoding="utf-8") as f:
            svg = f.read()
    return _with_view_box(compact_groups(share_glyphs(tidy_svg(final_strokes(svg)))), width, height)


def to_svg(d: Diagram, height: Optional[int] = None, draw_height: Optional[int] = None, *,
           px_per_unit: Optional[float] = None) -> str:
    """The SVG text of ``d``, exactly what a notebook displays.

    Size: ``px_per_unit`` pixels per cell (default: ``sized``'s for this diagram, else `SCALE`), shrunk
    to fit `MAX_WIDTH` x `MAX_HEIGHT`; or, with ``height``, exactly ``height`` px tall as in chalk.
    ``draw_height`` (what stroke widths and arrow heads are sized for) defaults to
    ``chalk.set_svg_draw_height``'s, or `DRAW_HEIGHT` if that was never set.
    """
    if not isinstance(d, Diagram):
        raise TypeError(f"to_svg() needs a chalk Diagram, got {type(d).__name__}")
    env = d.get_envelope()
    if env is None or env.is_empty:
        raise ValueError("to_svg(): the diagram is empty, there is nothing to draw")
    if px_per_unit is not None:
        d = sized(d, px_per_unit)
    own = d
    if env.width < 1e-6 or env.height < 1e-6:
        # a lone line has no height (or width): chalk would divide by zero sizing the picture
        c = env.center
        d = d + chalk.strut(max(env.width, 0.1), max(env.height, 0.1)).translate(c.x, c.y)
        env = d.get_envelope()
    width, height = _frame(env, own, height)
    if draw_height is None:
        draw_height = chalk.core.SVG_DRAW_HEIGHT or DRAW_HEIGHT
    return _render(d, width, height, draw_height)


def save_svg(d: Diagram, path: str, height: Optional[int] = None,
             draw_height: Optional[int] = None, *, px_per_unit: Optional[float] = None) -> None:
    """Write ``to_svg(d, ...)`` to ``path``."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(to_svg(d, height, draw_height, px_per_unit=px_per_unit))


def _render_svg(self: Diagram, path: str, height: int = 128, width: Optional[int] = None,
                draw_height: Optional[int] = None) -> None:
    # chalk's Diagram.render_svg, with the same sizes, writing the tidy SVG with shared glyphs
    env = self.get_envelope()
    width = width or int(height * env.width / env.height)
    with open(path, "w", encoding="utf-8") as f:
        f.write(_render(self, width, height, draw_height or max(width, height)))


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
    base.render_svg = _render_svg
    if "_repr_html_" in base.__dict__:
        del base._repr_html_
    chalk.arrow.dart = _small_dart  # chalk.arrow.arrow() looks `dart` up in its module at call time
    _installed = True
