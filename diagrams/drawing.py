"""Building blocks shared by every picture: palette, value ramp, math labels, text, arrows, layout.

Units: one tensor cell is a 1 x 1 square; everything else (label sizes, arrow heads, gaps) is sized
against that cell so pictures stay readable at notebook size (``chalk.set_svg_draw_height(300)``).

``latex(text)`` typesets math with ziamath (pure Python, STIX Two Math glyphs drawn as SVG paths): no TeX
install, no fonts needed by the viewer, and the same paths in every process. Each glyph's outline is
written once per picture (a ``<symbol>`` with a font-and-glyph id) and reused with ``<use>``.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any, Iterable, List, Optional, Sequence, Tuple

import warnings

import chalk

with warnings.catch_warnings():
    # ziamath 0.13 finds its font with importlib.resources.path, deprecated in Python 3.11; it works,
    # and the warning would otherwise show up in every notebook that draws.
    warnings.simplefilter("ignore", DeprecationWarning)
    import ziamath
from chalk import ArrowOpts, Diagram, Style, hcat, hstrut, rectangle, vcat, vstrut
from chalk.shapes.latex import Latex as _ChalkLatex
from chalk.transform import BoundingBox, P2
from colour import Color

__all__ = [
    "papaya", "aqua", "teal", "green", "yellow", "black", "white", "grey", "light_grey",
    "ramp", "ramp_color", "color_for",
    "latex", "label", "label_above", "label_below", "value_text",
    "arrow_opts", "ARROW_HEAD_SCALE", "line_width",
    "row", "column", "box", "spacer", "MathLabel", "LABEL_SIZE", "GLYPH_ID_PREFIX",
]

# ---------------------------------------------------------------- palette
papaya = Color("#ff9700")   # gradients: d_out and everything flowing backward
teal = Color("#69bac9")     # first colour of the value ramp
aqua = teal                 # MiniTorch's accent colour is the ramp's teal
green = Color("#7cc47f")
yellow = Color("#f6d743")
black = Color("black")
white = Color("white")
grey = Color("#9e9e9e")
light_grey = Color("#e6e6e6")  # cells that exist only by broadcasting


def _mix(a: Color, b: Color, t: float) -> Color:
    """Linear blend in RGB, rounded to 8-bit channels so the hex code is the same everywhere."""
    rgb = [round(255 * (x + (y - x) * t)) / 255 for x, y in zip(a.rgb, b.rgb)]
    return Color(rgb=tuple(rgb))


def _make_ramp(stops: Sequence[Color], steps: int) -> List[Color]:
    # `steps` colours evenly spaced along the piecewise-linear path through `stops`.
    out = []
    for k in range(steps):
        pos = k / (steps - 1) * (len(stops) - 1)
        seg = min(int(pos), len(stops) - 2)
        out.append(_mix(stops[seg], stops[seg + 1], pos - seg))
    return out


#: the 10-step value ramp, teal -> green -> yellow -> papaya (low values teal, high values papaya)
ramp: List[Color] = _make_ramp([teal, green, yellow, papaya], 10)


def ramp_color(fraction: float) -> Color:
    """The ramp colour for a position in [0, 1] (values outside are clamped)."""
    if fraction != fraction:  # NaN: no meaningful position, draw it grey
        return grey
    k = round(min(max(fraction, 0.0), 1.0) * (len(ramp) - 1))
    return ramp[k]


def color_for(value: float, lo: float, hi: float) -> Color:
    """The ramp colour of ``value`` on the scale lo..hi (a constant scale maps to the middle)."""
    if hi <= lo:
        return ramp[len(ramp) // 2]
    return ramp_color((value - lo) / (hi - lo))


# ---------------------------------------------------------------- math labels
#: the font size, in cell units, of labels made by `latex` (a cell is 1 x 1)
LABEL_SIZE = 0.55
# chalk's SVG backend draws a Latex shape's content at scale(0.05) (latextools' pt -> unit factor);
# ziamath sizes are in px, so a label of `size` units is typeset at size / 0.05 px.
_CHALK_LATEX_SCALE = 0.05


#: prefix of the ids of glyph <symbol>s (our own, so they never meet another library's ids)
GLYPH_ID_PREFIX = "dg-"


@functools.lru_cache(maxsize=512)
def _typeset(source: str, px: float, color: str) -> Tuple[str, float, float]:
    """Typeset ``source`` (text with $...$ math) with ziamath -> (SVG <g> string, width px, height px).

    The group is shifted so its bounding box starts at (0, 0), which is where chalk's Latex renderer
    expects it. Each glyph is drawn once, as a ``<symbol>`` whose id names the font and glyph
    (``dg-STIXTwoMathRegular_1137``, the same in every process and every picture), and placed with
    ``<use>``: a number costs ~100 bytes a digit instead of ~700. The label carries its own symbols in a
    ``<defs>``, so it is complete on its own; ``display.to_svg`` keeps one copy of each per picture.
    Glyphs are filled, never stroked (the surrounding chalk style would stroke them).
    """
    old = ziamath.config.svg2, ziamath.config.precision
    # ziamath's settings are global: set ours, then restore the caller's. Symbols are drawn at 12 pt;
    # two decimals of a point are far below what a label's size shows and keep each path short.
    ziamath.config.svg2, ziamath.config.precision = True, 2
    try:
        svg = ziamath.Text(source, size=px, color=color).svgxml()
    finally:
        ziamath.config.svg2, ziamath.config.precision = old
    x0, y0, w, h = (float(v) for v in svg.attrib["viewBox"].split())
    group = ET.Element("g", {
        "transform": f"translate({-x0:.3f} {-y0:.3f})",
        "fill": color,
        "stroke": "none",
    })
    defs = ET.SubElement(group, "defs")
    symbols: dict = {}
    elements = list(svg.iter())
    for parent in elements:  # first every symbol (ziamath puts one where its glyph is first drawn) ...
        for child in [c for c in parent if c.tag == "symbol"]:
            parent.remove(child)
            if len(child):  # a space has no outline: nothing to define
                symbols.setdefault(child.attrib["id"], child)
    for parent in elements:  # ... then every <use> of them
        for child in [c for c in parent if c.tag == "use"]:
            ref = child.attrib["href"][1:]
            if ref not in symbols:  # a blank glyph draws nothing
                parent.remove(child)
                continue
            child.attrib["href"] = "#" + GLYPH_ID_PREFIX + ref
            if child.attrib.get("fill") == color:  # the group's fill already says it
                del child.attrib["fill"]
    for glyph_id in sorted(symbols):
        symbols[glyph_id].attrib["id"] = GLYPH_ID_PREFIX + glyph_id
        for path in symbols[glyph_id].iter("path"):
            path.attrib["d"] = _compact_path(path.attrib["d"])
        defs.append(symbols[glyph_id])
    for child in list(svg):
        if child.tag != "title":
            group.append(child)
    return ET.tostring(group, encoding="unicode"), w, h


def _compact_path(d: str) -> str:
    """SVG path data without the spaces it does not need: "M 5.62 -3.8 L 5 -1 Z " -> "M5.62-3.8L5-1Z"."""
    d = re.sub(r"\s*([A-Za-z])\s*", r"\1", d.strip())
    return re.sub(r" (?=-)", "", d)


@dataclass
class MathLabel(_ChalkLatex):
    """A chalk shape holding ziamath glyphs; rendered by chalk's SVG backend like its own Latex.

    Unlike chalk's Latex (which has a zero-size envelope) it has its real size, so ``hcat``/``//``
    leave room for it.
    """

    text: str
    size: float = LABEL_SIZE
    color: str = "#000000"

    def __post_init__(self) -> None:  # replaces chalk's, which would call pdflatex
        px = self.size / _CHALK_LATEX_SCALE
        self.content, self.width, self.height = _typeset(self.text, px, self.color)

    def get_bounding_box(self) -> BoundingBox:
        w = self.width * _CHALK_LATEX_SCALE
        h = self.height * _CHALK_LATEX_SCALE
        return BoundingBox([P2(-w / 2, -h / 2), P2(w / 2, h / 2)])


def latex(source: str, size: float = LABEL_SIZE, color: Any = black) -> Diagram:
    """Math label: ``latex("$f'_x(g(x))$")``. Text outside $...$ is set upright, inside as math.

    ``size`` is the font size in cell units. The label is centred on its origin and has its true
    width and height. Raises TypeError for a non-string and ValueError for an unsupported command.
    """
    if not isinstance(source, str):
        raise TypeError(f"latex() takes a string, got {type(source).__name__}")
    if not source.strip():
        return vstrut(size)
    if source.count("$") % 2:
        raise ValueError(f"latex(): unbalanced $ in {source!r}")
    hex_color = (color if isinstance(color, Color) else Color(color)).hex_l
    try:
        shape = MathLabel(source, size, hex_color)
    except Exception as exc:  # ziamath/latex2mathml raise assorted errors on bad input
        raise ValueError(f"latex() cannot typeset {source!r}: {exc}") from exc
    from chalk.core import Primitive

    return Primitive.from_shape(shape)


def label(source: str, size: float = LABEL_SIZE) -> Diagram:
    """A text or math label (alias of `latex`, kept for readable call sites)."""
    return latex(source, size)


def label_above(source: str, d: Diagram, gap: float = 0.35, size: float = LABEL_SIZE) -> Diagram:
    """``d`` with a label centred above it (the origin stays ``d``'s, so rows of labelled grids line up)."""
    if not source:
        return d
    return vstrut(gap) // latex(source, size).center_xy() // vstrut(gap) // d


def label_below(source: str, d: Diagram, gap: float = 0.35, size: float = LABEL_SIZE) -> Diagram:
    """``d`` with a label centred below it."""
    if not source:
        return d
    return d / vstrut(gap) / latex(source, size).center_xy()


def value_text(s: str, size: float = 0.3, color: Color = black) -> Diagram:
    """Short upright text such as a number inside a cell, centred on the origin.

    Typeset like `latex` (same font, real glyphs, real size) but never as math; "-" is drawn as a
    proper minus sign.
    """
    if not isinstance(s, str):
        raise TypeError(f"value_text() takes a string, got {type(s).__name__}")
    if not s:
        return vstrut(0)
    if any(ch in s for ch in "$\\{}"):
        raise ValueError(f"value_text() is for plain text, got {s!r}: use latex() for math")
    return latex(s.replace("-", "\u2212"), size, color).center_xy()


# ---------------------------------------------------------------- arrows and lines
#: chalk's dart head is scaled by this in every arrow drawn after `import diagrams` (see display.py)
ARROW_HEAD_SCALE = 0.75
#: default stroke width (chalk's normalised units: 0.1 is chalk's default, ~0.9 px at draw height 300)
line_width = 0.08


def arrow_opts(arc_height: float = 0.0, color: Color = black, head_pad: float = 0.0,
               tail_pad: float = 0.0, width: float = line_width) -> ArrowOpts:
    """Arrow options for a thin cell-to-cell arrow; ``arc_height`` bends it (negative: bulge up
    when drawn right-to-left, as in the course pictures)."""
    return ArrowOpts(
        arc_height=arc_height,
        head_pad=head_pad,
        tail_pad=tail_pad,
        shaft_style=Style(line_width_=(chalk.style.WidthType.NORMALIZED, width), line_color_=color),
        head_style=Style(fill_color_=color),
    )


# ---------------------------------------------------------------- layout
def row(items: Iterable[Diagram], sep: float = 1.0) -> Diagram:
    """Items side by side, origins on one horizontal line."""
    return hcat(list(items), sep)


def column(items: Iterable[Diagram], sep: float = 0.5) -> Diagram:
    """Items stacked top to bottom, each centred horizontally."""
    return vcat([d.center_xy() for d in items], sep)


def box(width: float, height: float, fill: Color = white, radius: Optional[float] = None) -> Diagram:
    """A filled rectangle with a thin black border, centred on the origin."""
    return rectangle(width, height, radius).fill_color(fill).line_width(line_width)


def spacer(width: float = 0.0, height: float = 0.0) -> Diagram:
    """Invisible space."""
    return hstrut(width) if height == 0 else vstrut(height) if width == 0 else chalk.strut(width, height)


# ---------------------------------------------------------------- MiniTorch's names (mt_diagrams.drawing)
# MiniTorch's course pages use a few more colour names than ours; each is one of our palette where
# one fits, so a page written for MiniTorch draws in our look.
gray = grey
red = Color("#e4572e")        # the second class of points in the ML primer
blue = teal                   # the first class (MiniTorch's pages: "blue" points)
orange = papaya
lightblue = _mix(teal, white, 0.6)
lightred = _mix(red, white, 0.6)


def connect(d: Diagram, *pairs: Any, opts: Optional[ArrowOpts] = None) -> Diagram:
    """``d`` with an arrow for each ``(from_name, to_name)`` or ``(from_name, to_name, ArrowOpts)`` pair:
    ``connect(d, (("b", 0, 0), ("a", 0, 0)), (("g", 0, 0), ("b", 0, 0), opts))``.

    The same arrows as chalk's ``d.connect(name1, name2, opts)`` (the seed's way: centre to centre),
    one call for several. ``opts`` is used by pairs without their own (default: chalk's, a straight
    arrow with our small head). Raises LookupError naming a cell that ``d`` does not have.
    """
    if not isinstance(d, Diagram):
        raise TypeError(f"connect() needs a chalk Diagram first, got {type(d).__name__}")
    for pair in pairs:
        if not isinstance(pair, (tuple, list)) or len(pair) not in (2, 3):
            raise TypeError(f"connect(): each pair is (from_name, to_name) or (from_name, to_name, ArrowOpts), "
                            f"got {pair!r}")
        src, dst = pair[0], pair[1]
        for key in (src, dst):
            if d.get_subdiagram(key) is None:
                raise LookupError(f"connect(): no cell named {key!r} in this diagram")
        style = pair[2] if len(pair) == 3 else opts
        d = d.connect(src, dst, style) if style is not None else d.connect(src, dst)
    return d


def r(d: Diagram, path: str) -> Diagram:
    """Write ``d`` as SVG to ``path`` (exactly what a notebook shows) and return ``d``, so that a cell
    ending in ``r(d, "figs/map.svg")`` both saves and shows the picture. Only ``.svg`` paths: there is
    no PNG or PDF writer here (convert the SVG with rsvg-convert or a browser)."""
    if not isinstance(path, str) or not path.lower().endswith(".svg"):
        raise ValueError(f"r(): can only write SVG, give a path ending in .svg, got {path!r}")
    from diagrams import display  # display imports this module: import it only when used

    display.save_svg(d, path)
    return d


__all__ += ["gray", "red", "blue", "orange", "lightblue", "lightred", "connect", "r"]
