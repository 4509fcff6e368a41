"""Reading a saved course notebook in tests: its cells, a cell's source and the text it printed."""

from __future__ import annotations

import json
import pathlib

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[1] / "notebooks"


def cells(name: str) -> list:
    """The cells of ``notebooks/<name>.ipynb`` (``name`` e.g. "module3/1-parallel")."""
    return json.loads((NOTEBOOKS / f"{name}.ipynb").read_text())["cells"]


def text(cell: dict) -> str:
    return "".join(cell["source"])


def outputs_text(cell: dict, sep: str = "\n") -> str:
    """Everything the cell printed or showed as text, its outputs joined by ``sep``."""
    parts = []
    for out in cell.get("outputs", []):
        parts.append("".join(out.get("text", "")))
        parts.append("".join(out.get("data", {}).get("text/plain", "")))
    return sep.join(parts)
