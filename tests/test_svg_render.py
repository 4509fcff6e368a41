"""Every saved picture looks the same outside Chromium: rendered by cairosvg (and librsvg's
rsvg-convert where installed), as PDF and PNG converters do.

chalk marks its paths ``vector-effect: non-scaling-stroke`` and writes widths in output pixels;
renderers that ignore it drew each 0.7 px line 45 times too wide, so every picture became black
blobs (a third to all of it dark). ``diagrams.display.final_strokes`` writes the final widths. The
pictures are thin black lines, text and light fills, so under a quarter of their pixels are dark; the
blobs were at least a third. tests/test_browser.py compares the same renders with Chromium's.
"""

from __future__ import annotations

import io
import json
import pathlib
import re
import shutil
import subprocess

import numpy as np
import pytest

import diagrams
from diagrams.display import final_strokes
from diagrams.tensor_draw import matrix

ROOT = pathlib.Path(__file__).resolve().parents[1]
#: most of a picture's pixels are light: white cells, ramp colours, papaya; lines and glyphs are thin
MAX_DARK = 0.25


def saved_svgs() -> list[tuple[str, str]]:
    """(where, svg) for every SVG output saved in a notebook and every SVG in docs/."""
    found = []
    for nb in sorted((ROOT / "notebooks").rglob("*.ipynb")):
        if ".ipynb_checkpoints" in nb.parts:
            continue
        for i, cell in enumerate(json.loads(nb.read_text())["cells"]):
            for k, out in enumerate(cell.get("outputs", [])):
                svg = out.get("data", {}).get("image/svg+xml")
                if svg:
                    found.append((f"{nb.stem}-cell{i}-{k}", "".join(svg)))
    for path in sorted((ROOT / "docs").glob("*.svg")):
        found.append((path.name, path.read_text()))
    return found


SVGS = saved_svgs()


def dark_fraction(png: bytes) -> float:
    """Fraction of pixels darker than mid-grey, on a white background."""
    from PIL import Image

    im = Image.open(io.BytesIO(png)).convert("RGBA")
    page = Image.new("RGBA", im.size, "white")
    page.alpha_composite(im)
    return float((np.asarray(page.convert("L")) < 128).mean())


def cairo_png(svg: str) -> bytes:
    import cairosvg

    return cairosvg.svg2png(bytestring=svg.encode("utf-8"))


def test_there_are_pictures_to_check() -> None:
    assert len(SVGS) >= 10  # the course draws dozens; none found means the collection is broken


@pytest.mark.parametrize("where, svg", SVGS, ids=[w for w, _ in SVGS])
def test_saved_picture_has_final_stroke_widths(where: str, svg: str) -> None:
    assert "vector-effect" not in svg, f"{where}: relies on vector-effect (re-run the notebook / make docs)"


@pytest.mark.parametrize("where, svg", SVGS, ids=[w for w, _ in SVGS])
def test_cairosvg_draws_thin_lines_not_blobs(where: str, svg: str) -> None:
    dark = dark_fraction(cairo_png(svg))
    assert 0.002 < dark < MAX_DARK, f"{where}: {dark:.1%} of the pixels are dark"


@pytest.mark.skipif(shutil.which("rsvg-convert") is None, reason="librsvg's rsvg-convert is not installed")
@pytest.mark.parametrize("where, svg", SVGS, ids=[w for w, _ in SVGS])
def test_librsvg_and_cairosvg_agree(where: str, svg: str) -> None:
    png = subprocess.run(["rsvg-convert"], input=svg.encode("utf-8"), capture_output=True, check=True).stdout
    a, b = dark_fraction(png), dark_fraction(cairo_png(svg))
    assert a < MAX_DARK and abs(a - b) <= 0.01 + 0.1 * max(a, b), f"{where}: rsvg {a:.1%} vs cairosvg {b:.1%}"


def test_the_black_blob_picture_would_fail() -> None:
    # The same picture with chalk's own output (widths meant for non-scaling strokes): the test above
    # must reject it, or it would not catch the regression it is for.
    d = matrix(3, 2, "a")
    fixed = diagrams.to_svg(d)
    blobs = re.sub(r"(<path [^>]*stroke-width: )[\d.]+", r"\g<1>0.72", fixed)  # px widths under a 45x scale
    assert blobs != fixed
    assert dark_fraction(cairo_png(fixed)) < MAX_DARK <= dark_fraction(cairo_png(blobs))


def test_final_strokes_divides_the_width_by_the_scale_it_is_drawn_at() -> None:
    svg = ('<svg><g transform="matrix(45, 0, 0, 45, 0, 0)"><g style="stroke: black;stroke-width: 0.9;">'
           '<g transform="scale(2)"><path d="M 0 0 L 1 0" style="vector-effect: non-scaling-stroke;fill:none;"/>'
           '</g><path d="M 0 0" style="vector-effect: non-scaling-stroke;"/></g></g>'
           '<path d="M 0 0" style="vector-effect: non-scaling-stroke;"/></svg>')
    out = final_strokes(svg)
    assert "vector-effect" not in out
    widths = [float(w) for w in re.findall(r"<path [^>]*stroke-width: ([\d.]+)", out)]
    assert widths == pytest.approx([0.9 / 90, 0.9 / 45])  # the last path inherits no width: left alone
    assert 'style="fill:none;stroke-width: 0.01;"' in out
