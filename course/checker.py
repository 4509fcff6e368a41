"""``autograd-course check [TASK...]`` and ``check("2.3")``: a student's self-check.

Runs the task's tests and notebook cells (strict nbval) on the student's own working tree, in
a scratch folder, and prints "pass" or the first failure with the task's hint. It never prints
the reference output of a cell, only where the student's run went wrong.
"""

from __future__ import annotations

import dataclasses
import json
import pathlib
import tempfile
from typing import List, Optional, Sequence

from . import catalogue as cat_mod
from . import runner


def find_root(start: Optional[str | pathlib.Path] = None) -> pathlib.Path:
    """The repository root: the nearest folder at or above ``start`` that has the catalogue."""
    here = pathlib.Path(start or pathlib.Path.cwd()).resolve()
    # Then this checkout itself: a notebook opened from a copy (JupyterLab serving another
    # folder, a slide build) still checks against the course it was installed from.
    for folder in [here, *here.parents, pathlib.Path(__file__).resolve().parents[1]]:
        if (folder / cat_mod.CATALOGUE).is_file():
            return folder
    raise cat_mod.CatalogueError(f"no {cat_mod.CATALOGUE} at or above {here}: run this inside the course folder")


def released_tasks(root: pathlib.Path) -> List[str]:
    """The tasks of this student edition (all tasks with checks in the reference repository)."""
    info = root / "course" / "release.json"
    if info.is_file():
        return json.loads(info.read_text(encoding="utf-8"))["released"]
    return [t.id for t in cat_mod.load(root) if t.tests or t.cells]


def check_tasks(task_ids: Sequence[str], root: Optional[str | pathlib.Path] = None,
                options: Optional[runner.Options] = None, out=print, cells: bool = True) -> bool:
    """Check ``task_ids`` and print one verdict each; True if all pass.

    ``cells=False`` runs the tasks' tests only, not their notebook cells: what ``check()`` in a
    notebook does, since the cells are the notebooks the student is reading (running a notebook
    from one of its own cells would never end) and a test run takes seconds, a notebook minutes.
    The verdict line then leaves out the number of checks, so it reads the same whatever the
    catalogue lists (a saved notebook output must not change when the catalogue does).
    """
    root = find_root(root)
    catalogue = cat_mod.load(root)
    tasks = [catalogue[t] for t in task_ids]
    if not cells:
        tasks = [dataclasses.replace(t, cells=()) for t in tasks]
    options = dataclasses.replace(options or runner.Options(), quick=True)  # a self-check, not a grade
    with tempfile.TemporaryDirectory(prefix="course-check-") as scratch:
        # The student's own tree: its tests may write there (hypothesis keeps its examples in .hypothesis/).
        results = runner.run_checks(root, pathlib.Path(scratch), catalogue, tasks, options, writable=[root])
    ok = True
    for task in tasks:
        outcome = runner.score(task, results)
        if outcome.status == "passed":
            out(f"Task {task.id} ({task.title}): pass" + (f" ({outcome.checks} checks)" if cells else ""))
            continue
        ok = False
        out(f"Task {task.id} ({task.title}): {outcome.status}")
        out(f"  {outcome.detail}")
        first = outcome.first or {}
        if first.get("kind") == "test":
            out("  " + "\n  ".join(_test_excerpt(first.get("detail", ""))))
        elif first.get("kind") == "cell" and "Cell outputs differ" not in first.get("detail", ""):
            out("  " + "\n  ".join(_test_excerpt(first.get("detail", ""))))
        elif first.get("kind") == "cell":
            out("  your output: " + _short(first.get("got")))
        out(f"  hint: {task.hint}")
    return ok


def _short(outputs) -> str:
    texts = [o.get("text", "") or ("<picture>" if "image/svg+xml" in o or "image/png" in o else "") for o in outputs or []]
    text = " | ".join(t.strip() for t in texts if t) or "(nothing)"
    return text[:300]


def _test_excerpt(detail: str, lines: int = 8) -> List[str]:
    """The failing assertion of a test report: the lines starting with E, at most ``lines``."""
    text = runner.clean(detail).splitlines()
    picked = [line for line in text if line.startswith("E ")]
    return (picked or text[-lines:])[:lines]


def check_task(task: str, root: Optional[str] = None, cells: bool = True) -> bool:
    return check_tasks([task], root, cells=cells)
