"""Re-run notebooks in place, each from a fresh kernel, top to bottom (``make notebooks``).

Usage: python tools/run_notebooks.py [PATH ...]   (folders are searched for *.ipynb)

The kernel is this interpreter's (the project's environment), the working directory is the
notebook's folder, as in JupyterLab. Timing metadata is not recorded, so that a re-run only
changes what really changed. A cell may raise only if it says so twice: with nbval's marker, a
line ``# NBVAL_RAISES_EXCEPTION``, and with the ``raises-exception`` tag that JupyterLab's Run All
honours. Then the error is saved as its output (nbval checks it); an error anywhere else, or a
cell with only one of the two marks, stops the run and the notebook is not written.

Widgets: an output that has a static picture besides a widget view (the explorers of
``diagrams.widgets``) is saved as that picture and its text only. The view's model id is random
and means nothing without the kernel that made it; the picture shows the widget's first state in
JupyterLab, in the slides and on the web, and strict nbval compares it. No widget state is stored.

Trust: the notebooks written are signed for the user who ran this (``jupyter trust``), so JupyterLab
shows their pictures; a notebook written by nbformat alone would open untrusted.
"""

from __future__ import annotations

import pathlib
import sys
import time

import nbformat
from nbclient import NotebookClient


def notebooks(paths: list[str]) -> list[pathlib.Path]:
    found: list[pathlib.Path] = []
    for p in map(pathlib.Path, paths):
        if p.is_dir():
            found += sorted(q for q in p.rglob("*.ipynb") if ".ipynb_checkpoints" not in q.parts)
        else:
            found.append(p)
    return found


RAISES = "# NBVAL_RAISES_EXCEPTION"
RAISES_TAG = "raises-exception"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def marks(cell: nbformat.NotebookNode) -> tuple[bool, bool]:
    """(has the nbval marker on a line of its own, has the raises-exception tag)."""
    marker = RAISES in (line.strip() for line in cell.source.splitlines())
    return marker, RAISES_TAG in cell.get("metadata", {}).get("tags", [])


def mismatched_marks(nb: nbformat.NotebookNode) -> list[str]:
    """Cells that say "this raises" one way but not the other."""
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            marker, tag = marks(cell)
            if marker != tag:
                found.append(f"cell {i}: " + (f"{RAISES} without the {RAISES_TAG!r} tag" if marker
                                              else f"the {RAISES_TAG!r} tag without {RAISES}"))
    return found


def unexpected_errors(nb: nbformat.NotebookNode) -> list[str]:
    """Errors raised by cells that are not marked (both ways) as raising on purpose."""
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        marked = all(marks(cell))
        for out in cell.get("outputs", []):
            if out.output_type == "error" and not marked:
                found.append(f"cell {i}: {out.ename}: {out.evalue}")
    return found


def static_widgets(nb: nbformat.NotebookNode) -> None:
    """Keep only the static picture and text of widget outputs that have one (see the docstring)."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_VIEW in data and "image/svg+xml" in data:
                del data[WIDGET_VIEW]
    nb.metadata.pop("widgets", None)


def sign(nb: nbformat.NotebookNode) -> None:
    """Trust ``nb`` for this user (its outputs came from this run), as ``jupyter trust`` does."""
    from nbformat.sign import NotebookNotary

    NotebookNotary().sign(nb)


def run(path: pathlib.Path) -> None:
    nb = nbformat.read(path, as_version=4)
    bad = mismatched_marks(nb)
    if bad:
        raise SystemExit(f"{path}: not run, a cell that raises on purpose needs both marks:\n" + "\n".join(bad))
    client = NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
        allow_errors=True,  # checked below: only marked cells may raise
        coalesce_streams=True,  # one output per stream, however the kernel happened to flush it
        store_widget_state=False,  # saved widgets are static pictures (see static_widgets)
    )
    start = time.perf_counter()
    client.execute()
    errors = unexpected_errors(nb)
    if errors:
        raise SystemExit(f"{path}: not saved, unexpected errors:\n" + "\n".join(errors))
    static_widgets(nb)
    nbformat.write(nb, path)
    sign(nbformat.read(path, as_version=4))  # what is on disk now
    print(f"{path}: {time.perf_counter() - start:.1f} s")


def main(argv: list[str]) -> int:
    for path in notebooks(argv or ["notebooks"]):
        run(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
