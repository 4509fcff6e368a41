"""Re-run notebooks in place, each from a fresh kernel, top to bottom (``make notebooks``).

Usage: python tools/run_notebooks.py [PATH ...]   (folders are searched for *.ipynb)

The kernel is this interpreter's (the project's environment), the working directory is the
notebook's folder, as in JupyterLab. Timing metadata is not recorded, so that a re-run only
changes what really changed. A cell may raise only if it says so with nbval's own marker,
a line ``# NBVAL_RAISES_EXCEPTION``: then the error is saved as its output (nbval checks it);
an error anywhere else stops the run and the notebook is not written.
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


def unexpected_errors(nb: nbformat.NotebookNode) -> list[str]:
    """Errors raised by cells that do not carry the RAISES marker on a line of their own."""
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        marked = RAISES in (line.strip() for line in cell.source.splitlines())
        for out in cell.get("outputs", []):
            if out.output_type == "error" and not marked:
                found.append(f"cell {i}: {out.ename}: {out.evalue}")
    return found


def run(path: pathlib.Path) -> None:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
        allow_errors=True,  # checked below: only marked cells may raise
        coalesce_streams=True,  # one output per stream, however the kernel happened to flush it
    )
    start = time.perf_counter()
    client.execute()
    errors = unexpected_errors(nb)
    if errors:
        raise SystemExit(f"{path}: not saved, unexpected errors:\n" + "\n".join(errors))
    nbformat.write(nb, path)
    print(f"{path}: {time.perf_counter() - start:.1f} s")


def main(argv: list[str]) -> int:
    for path in notebooks(argv or ["notebooks"]):
        run(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
