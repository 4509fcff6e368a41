"""``autograd-course check [TASK...]`` and ``check("2.3")``: a student's self-check.

Runs the task's tests and notebook cells (strict nbval) on the student's own working tree, in
a scratch folder, and prints "pass" or the first failure with the task's hint. It never prints
the reference output of a cell, only where the student's run went wrong.
"""

from __future__ import annotations

import json
import pathlib
import tempfile
from typing import List, Optional, Sequence

from . import catalogue as cat_mod
from . import runner


def find_root(start: Optional[str | pathlib.Path] = None) -> pathlib.Path:
    """The repository root: the nearest folder at or above ``start`` that has the catalogue."""
    here = pathlib.Path(start or pathlib.Path.cwd()).resolve()
    for folder in [here, *here.parents]:
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
                options: Optional[runner.Options] = None, out=print) -> bool:
    root = find_root(root)
    catalogue = cat_mod.load(root)
    tasks = [catalogue[t] for t in task_ids]
    options = options or runner.Options()
    with tempfile.TemporaryDirectory(prefix="course-check-") as scratch:
        # The student's own tree: its tests may write there (hypothesis keeps its examples in .hypothesis/).
        results = runner.run_checks(root, pathlib.Path(scratch), catalogue, tasks, options, writable=[root])
    ok = True
    for task in tasks:
        outcome = runner.score(task, results)
        if outcome.status == "passed":
            out(f"Task {task.id} ({task.title}): pass ({outcome.checks} checks)")
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


def check_task(task: str, root: Optional[str] = None) -> bool:
    return check_tasks([task], root)
