"""Regenerate the README pictures: the Auto-Grad page's map, zip and reduce gradient pictures.

    python -m diagrams.make_docs docs/

runs the page's three drawing cells (only their imports changed, as in the notebook) and writes
``autograd-map.svg``, ``autograd-zip.svg`` and ``autograd-reduce.svg`` into the given folder, exactly
as a notebook shows them (``chalk.set_svg_draw_height(300)``, the library's fixed scale of 45 px a cell).
Running it twice writes the same bytes.
"""

from __future__ import annotations

import os
import sys
from typing import Dict, List, Optional

import chalk

from diagrams import to_svg

# The page's setup cell with its imports mapped to this package (chalk's own latex is not used).
SETUP = '''
import chalk
from chalk import hcat, vstrut
from diagrams import latex
from diagrams.drawing import papaya
from diagrams.tensor_draw import left_arrow, matrix
chalk.set_svg_draw_height(300)

def label(t, d):
    return vstrut(0.5) // latex(t) // vstrut(0.5) // d

opts = chalk.ArrowOpts(arc_height=-0.5)
opts2 = chalk.ArrowOpts(arc_height=-0.2)
'''

# The page's three drawing cells, verbatim.
CELLS: Dict[str, str] = {
    "autograd-map.svg": '''
d = hcat(
    [
        label("$f'_x(g(x))$", matrix(3, 2, "a")),
        left_arrow,
        label("$g'(x)$", matrix(3, 2, "b")),
        label("$d_{\\\\text{out}}$", matrix(3, 2, "g", colormap=lambda i, j: papaya)),
    ],
    1,
)
d.connect(("b", 0, 0), ("a", 0, 0), opts2).connect(
    ("b", 1, 0), ("a", 1, 0), opts2
).connect(("g", 0, 0), ("b", 0, 0), opts).connect(("g", 1, 0), ("b", 1, 0), opts)
''',
    "autograd-zip.svg": '''
d = hcat(
    [
        matrix(3, 2, "a1"),
        matrix(3, 2, "a"),
        left_arrow,
        matrix(3, 2, "b"),
        matrix(3, 2, "g", colormap=lambda i, j: papaya),
    ],
    1,
)
d.connect(("b", 0, 0), ("a", 0, 0), opts).connect(
    ("b", 1, 0), ("a", 1, 0), opts
).connect(("g", 0, 0), ("b", 0, 0), opts)
''',
    "autograd-reduce.svg": '''
d = hcat(
    [
        matrix(3, 2, "a"),
        left_arrow,
        matrix(3, 2, "b"),
        matrix(3, 2, "g", colormap=lambda i, j: papaya),
    ],
    1,
)
d.connect(("b", 0, 0), ("a", 0, 0)).connect(("b", 1, 0), ("a", 1, 0)).connect(
    ("g", 0, 0), ("b", 0, 0)
)
''',
}


def run_cell(source: str, env: dict) -> chalk.Diagram:
    """Run a notebook cell and return the value of its last expression (what Jupyter displays)."""
    lines = source.strip().split("\n")
    # the last statement starts at the last line with no indentation that is not a closing bracket
    start = max(i for i, line in enumerate(lines) if line and not line[0].isspace() and line[0] not in ")]}")
    exec("\n".join(lines[:start]), env)
    return eval("\n".join(lines[start:]), env)


def seed_pictures() -> Dict[str, chalk.Diagram]:
    """The three pictures, built by running the page's cells."""
    env: dict = {}
    exec(SETUP, env)
    return {name: run_cell(src, env) for name, src in CELLS.items()}


def main(argv: Optional[List[str]] = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m diagrams.make_docs OUTPUT_FOLDER", file=sys.stderr)
        return 2
    folder = args[0]
    os.makedirs(folder, exist_ok=True)
    for name, d in seed_pictures().items():
        path = os.path.join(folder, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(to_svg(d))
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
