"""``autograd-course tag``: write each cell's ``task-X.Y`` tags from the catalogue.

The catalogue is the one place that says which cells check which task. This command makes
the notebooks say it too (so JupyterLab shows it and a failing cell maps to its tasks): every
cell the catalogue lists gets the tags of all the tasks that list it, and stale ``task-*``
tags are removed. Only ``metadata.tags`` changes; sources, outputs and other metadata stay
byte for byte. ``--check`` reports what would change and exits 1 if anything would.
"""

from __future__ import annotations

import json
import pathlib
from typing import Dict, List

from .catalogue import Catalogue, CatalogueError


def planned_tags(catalogue: Catalogue) -> Dict[str, Dict[str, List[str]]]:
    """{notebook: {cell_id: [task tags]}} from the catalogue."""
    plan: Dict[str, Dict[str, List[str]]] = {}
    for task in catalogue:
        for ref in task.cells:
            tags = plan.setdefault(ref.notebook, {}).setdefault(ref.cell_id, [])
            if task.tag not in tags:
                tags.append(task.tag)
    return plan


def tag_notebooks(root: pathlib.Path, catalogue: Catalogue, write: bool = True) -> List[str]:
    """Apply the catalogue's tags to the notebooks under ``root``; return the changes, one line each."""
    changes: List[str] = []
    plan = planned_tags(catalogue)
    for notebook in sorted(set(plan) | set(_tagged_notebooks(root))):
        path = root / notebook
        if not path.is_file():
            raise CatalogueError(f"the catalogue names {notebook}, which does not exist")
        text = path.read_text(encoding="utf-8")
        nb = json.loads(text)
        wanted = plan.get(notebook, {})
        ids = {c.get("id") for c in nb["cells"]}
        for cell_id in wanted:
            if cell_id not in ids:
                raise CatalogueError(f"the catalogue names cell {cell_id} of {notebook}, which has no such cell")
        changed = False
        for cell in nb["cells"]:
            meta = cell.setdefault("metadata", {})
            old = list(meta.get("tags", []))
            kept = [t for t in old if not t.startswith("task-")]
            new = kept + sorted(wanted.get(cell.get("id"), []), key=_tag_key)
            if new != old:
                changed = True
                changes.append(f"{notebook}#{cell.get('id')}: {old} -> {new}")
                if new:
                    meta["tags"] = new
                else:
                    meta.pop("tags", None)
        if changed and write:
            path.write_text(_dump_like(nb, text), encoding="utf-8")
    return changes


def _tag_key(tag: str):
    return tuple(int(x) for x in tag[len("task-"):].split("."))


def _tagged_notebooks(root: pathlib.Path) -> List[str]:
    found = []
    for path in sorted((root / "notebooks").rglob("*.ipynb")) if (root / "notebooks").is_dir() else []:
        if ".ipynb_checkpoints" in path.parts:
            continue
        if '"task-' in path.read_text(encoding="utf-8"):
            found.append(path.relative_to(root).as_posix())
    return found


def _dump_like(nb: dict, original: str) -> str:
    """JSON in the layout Jupyter writes (indent 1, non-ASCII kept, final newline)."""
    return json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + ("\n" if original.endswith("\n") else "")
