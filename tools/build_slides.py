"""Build one offline reveal.js deck per notebook (``make slides``): build/slides/<module>-<name>.html.

Usage: python tools/build_slides.py [--out build/slides] [NOTEBOOK_OR_FOLDER ...]   (default: notebooks/)

Each deck is a single HTML file that needs no network: reveal.js 5 and its white theme are read from
the ``sphinx-revealjs`` wheel (installed by the ``slides`` extra) and written into the page; math in
markdown cells (``$...$``, ``$$...$$``) is typeset with ziamath at build time into SVG pictures, so no
MathJax is loaded; the notebook's saved SVG outputs are embedded as they are. nbconvert supplies the
layout: a cell's ``slideshow.slide_type`` makes slides, subslides and fragments as in JupyterLab.

Cells tagged ``hide-input`` show only their output on a slide (the drawing code stays in the
notebook). The deck is 1280 x 720; `tests/test_browser.py` opens every deck with the network blocked
and checks that reveal starts, the math is typeset and no slide is taller than the deck.
"""

from __future__ import annotations

import argparse
import base64
import copy
import html
import pathlib
import re
import sys
import warnings

import nbformat
from nbconvert import SlidesExporter
from nbconvert.preprocessors import TagRemovePreprocessor
from traitlets.config import Config

from run_notebooks import notebooks  # tools/: the same files `make notebooks` runs

ROOT = pathlib.Path(__file__).resolve().parents[1]
WIDTH, HEIGHT = 1280, 720
#: the tag that hides a cell's code on slides while its output (a picture) shows
HIDE_INPUT = "hide-input"
MATH_PX = 22  # math size on slides: the body text is 20 px, math glyphs run a little small

# What the deck itself adds to nbconvert's and reveal's CSS: pictures never wider than the slide, and a
# white theme without the web font it would @import (the deck is offline; Helvetica is the fallback).
DECK_CSS = f"""
.reveal .slides section {{ box-sizing: border-box; }}
.reveal .jp-RenderedSVG img {{ max-width: 100%; height: auto; }}
.reveal img.math {{ margin: 0; display: inline; }}
.reveal .math-display {{ text-align: center; margin: 0.3em 0; }}
.reveal .jp-MarkdownOutput p, .reveal .jp-MarkdownOutput li {{ line-height: 1.35; }}
"""


def reveal_files() -> dict:
    """reveal.js, reveal.css and the white theme, read from the installed sphinx-revealjs package."""
    try:
        import sphinx_revealjs
    except ImportError:  # pragma: no cover - the message is the point
        raise SystemExit("make slides needs reveal.js from the sphinx-revealjs package: "
                         "pip install -e '.[slides]'") from None
    dist = pathlib.Path(sphinx_revealjs.__file__).parent / "_static" / "revealjs" / "dist"
    theme = (dist / "theme" / "white.css").read_text(encoding="utf-8")
    theme = re.sub(r"@import url\([^)]*\);", "", theme)  # its web font: not available offline
    return {
        "reveal_js": (dist / "reveal.js").read_text(encoding="utf-8").replace("</script", "<\\/script"),
        "reveal_css": (dist / "reveal.css").read_text(encoding="utf-8"),
        "theme_css": theme,
        "deck_css": DECK_CSS,
        "width": WIDTH,
        "height": HEIGHT,
    }


# ---------------------------------------------------------------- math as SVG
_CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.S)  # code blocks and spans keep their dollars
_DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.S)
_INLINE = re.compile(r"(?<![\\$])\$(?!\s)([^$\n]+?)(?<!\s)\$(?!\$)")


def math_img(tex: str, display: bool = False) -> str:
    """``tex`` typeset by ziamath as an ``<img>`` holding the SVG, sitting on the text's baseline."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # ziamath's importlib.resources use
        import ziamath

    m = ziamath.Latex(tex.strip(), size=MATH_PX)
    svg = m.svg()
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    alt = html.escape(tex.strip(), quote=True).replace("$", "&#36;")
    img = (f'<img class="math" alt="{alt}" src="data:image/svg+xml;base64,{data}" '
           f'style="vertical-align: {m.getyofst():.2f}px">')
    return f'<div class="math-display">{img}</div>' if display else img


def typeset_math(markdown: str) -> str:
    """Every ``$...$`` / ``$$...$$`` outside code replaced by its `math_img`."""
    parts = _CODE.split(markdown)
    for k in range(0, len(parts), 2):  # even parts are text, odd ones code
        text = _DISPLAY.sub(lambda m: math_img(m.group(1), display=True), parts[k])
        parts[k] = _INLINE.sub(lambda m: math_img(m.group(1)), text)
    return "".join(parts)


def slides_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` ready for the deck: math typeset, no widget state (it would load a CDN)."""
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = typeset_math(cell.source)
        for out in cell.get("outputs", []):
            # a live widget cannot run in a static deck; its saved picture carries the slide
            out.get("data", {}).pop("application/vnd.jupyter.widget-view+json", None)
    return nb


def exporter() -> SlidesExporter:
    c = Config()
    c.TagRemovePreprocessor.remove_input_tags = {HIDE_INPUT}
    c.TagRemovePreprocessor.enabled = True
    c.SlidesExporter.extra_template_paths = [str(pathlib.Path(__file__).parent / "slides")]
    c.SlidesExporter.template_file = "offline.html.j2"
    c.SlidesExporter.exclude_input_prompt = True
    c.SlidesExporter.exclude_output_prompt = True
    ex = SlidesExporter(config=c)
    ex.register_preprocessor(TagRemovePreprocessor(config=c), enabled=True)
    return ex


def build(path: pathlib.Path, out_dir: pathlib.Path, files: dict) -> pathlib.Path:
    nb = slides_notebook(nbformat.read(path, as_version=4))
    body, _ = exporter().from_notebook_node(nb, resources={"offline": files,
                                                           "metadata": {"name": path.stem}})
    if re.search(r"""(src|href)=["']https?://""", body):
        raise SystemExit(f"{path}: the deck would load something from the network")
    rel = path.resolve().relative_to(ROOT / "notebooks") if (ROOT / "notebooks") in path.resolve().parents \
        else pathlib.Path(path.name)
    target = out_dir / ("-".join(rel.with_suffix("").parts) + ".html")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(body, encoding="utf-8")
    return target


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(ROOT / "build" / "slides"))
    parser.add_argument("paths", nargs="*", default=[str(ROOT / "notebooks")])
    args = parser.parse_args(argv)
    files = reveal_files()
    for path in notebooks(args.paths):
        print(f"wrote {build(path, pathlib.Path(args.out), files)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
