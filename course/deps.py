"""``autograd-course deps``: find out which tasks' checks run through each task's code.

For each task T: release a student edition with only T stubbed, grade it, and list the tasks
that then fail. The catalogue's ``depends`` should say the same (a task U fails when T is
stubbed exactly when T is U or U depends on T); the command prints the disagreements, so the
catalogue stays honest as notebooks and tests change.
"""

from __future__ import annotations

import pathlib
import tempfile
from typing import Optional

from . import catalogue as cat_mod
from . import runner
from .grade import grade
from .release import notebook_region_tasks, release


def dependency_table(root: pathlib.Path, spec: Optional[str], graded: Optional[str], options: runner.Options) -> int:
    catalogue = cat_mod.load(root)
    stub_tasks, _ = cat_mod.releasable(catalogue.select(spec))
    # A notebook task without a solution cell has nothing to stub (release keeps it): nothing to measure.
    in_cells = notebook_region_tasks(root, catalogue, stub_tasks)
    stub_tasks = [t for t in stub_tasks if not t.notebook or t.id in in_cells]
    graded_tasks = [t.id for t in catalogue.select(graded) if t.tests or t.cells]
    disagreements = 0
    for t in stub_tasks:
        with tempfile.TemporaryDirectory(prefix="course-deps-") as scratch:
            dest = pathlib.Path(scratch) / "edition"
            release(root, dest, t.id, quiet=True)
            (reports,) = [grade([str(dest)], str(pathlib.Path(scratch) / "out"), str(root), ",".join(graded_tasks),
                                options=options, quiet=True)]
        failing = sorted((i for i, r in reports[0]["tasks"].items() if r["status"] != "passed"),
                         key=lambda i: catalogue[i].key)
        expected = [i for i in catalogue.dependents(t.id) if i in graded_tasks]
        mark = "" if failing == expected else f"   <- catalogue says {', '.join(expected)}"
        disagreements += bool(mark)
        print(f"stub {t.id}: fails {', '.join(failing) or 'nothing'}{mark}", flush=True)
    return 1 if disagreements else 0
