"""A tiny course repository for the course-tool tests: three tasks, one test file, one notebook.

The grader only needs a repository with ``course/tasks.toml``, a library with solution
regions, tests and notebooks; this one imports nothing heavy, so grading it takes seconds.
Its package is called ``autograd`` on purpose: the grader must pick the submission's copy
over the installed reference library.
"""

from __future__ import annotations

import json
import pathlib
import textwrap

OPS = '''\
"""A tiny library: three functions a student writes."""


def double(x):
    """2 x"""
    ### BEGIN SOLUTION task-1.1
    twice = x + x
    return twice
    ### END SOLUTION


def quadruple(x):
    """4 x, from double"""
    ### BEGIN SOLUTION task-1.2
    return double(double(x))
    ### END SOLUTION


def negate(x):
    """-x"""
    ### BEGIN SOLUTION task-1.3
    minus_x = 0 - x
    return minus_x
    ### END SOLUTION
'''

TESTS = '''\
from autograd.ops import double, negate, quadruple


def test_double():
    assert double(21) == 42


def test_quadruple():
    assert quadruple(3) == 12


def test_negate():
    assert negate(3) == -3


def test_untracked():
    assert True
'''

CATALOGUE = '''\
[tests]
support = ["tests/conftest.py"]

[[task]]
id = "1.1"
title = "Double"
points = 2
functions = ["ops.double"]
tests = ["tests/test_ops.py::test_double"]
cells = ["notebooks/tiny.ipynb#c-double"]
see = "notebooks/tiny.ipynb"
hint = "Add the number to itself."

[[task]]
id = "1.2"
title = "Quadruple"
points = 3
functions = ["ops.quadruple"]
tests = ["tests/test_ops.py::test_quadruple"]
cells = ["notebooks/tiny.ipynb#c-quadruple"]
depends = ["1.1"]
see = "notebooks/tiny.ipynb"
hint = "Use double twice."

[[task]]
id = "1.3"
title = "Negate"
points = 5
functions = ["ops.negate"]
tests = ["tests/test_ops.py::test_negate"]
cells = ["notebooks/tiny.ipynb#c-negate", "notebooks/tiny.ipynb#c-picture"]
see = "notebooks/tiny.ipynb"
hint = "Subtract from zero."

[[task]]
id = "1.4"
title = "Something not marked yet"
points = 1
regions = "pending"
see = "notebooks/tiny.ipynb"
hint = "Later."
'''

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><rect width="{}" height="10"/></svg>'


def _code(cell_id: str, source: str, n: int, outputs: list) -> dict:
    return {"cell_type": "code", "execution_count": n, "id": cell_id, "metadata": {}, "outputs": outputs,
            "source": source}


def _result(n: int, data: dict) -> dict:
    return {"data": data, "execution_count": n, "metadata": {}, "output_type": "execute_result"}


def notebook() -> dict:
    picture = SVG.format(5)
    cells = [
        _code("c-import", "from IPython.display import SVG\nfrom autograd.ops import double, negate, quadruple", 1, []),
        _code("c-double", "double(21)", 2, [_result(2, {"text/plain": "42"})]),
        _code("c-quadruple", "quadruple(3)", 3, [_result(3, {"text/plain": "12"})]),
        _code("c-negate", "print(negate(3))", 4, [{"name": "stdout", "output_type": "stream", "text": "-3\n"}]),
        _code("c-picture", f"SVG({SVG!r}.format(negate(-5)))", 5,
              [_result(5, {"image/svg+xml": picture, "text/plain": "<IPython.core.display.SVG object>"})]),
        _code("c-free", "1 + 1", 6, [_result(6, {"text/plain": "2"})]),
    ]
    return {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                                          "name": "python3"}},
            "nbformat": 4, "nbformat_minor": 5}


def make_course(root: pathlib.Path) -> pathlib.Path:
    """Write the tiny reference course into ``root`` and return it."""
    (root / "autograd").mkdir(parents=True)
    (root / "autograd" / "__init__.py").write_text('"""Tiny stand-in library."""\n')
    (root / "autograd" / "ops.py").write_text(OPS)
    (root / "tests").mkdir()
    (root / "tests" / "test_ops.py").write_text(TESTS)
    (root / "tests" / "conftest.py").write_text("# nothing to set up\n")
    (root / "course").mkdir()
    (root / "course" / "tasks.toml").write_text(CATALOGUE)
    (root / "notebooks").mkdir()
    (root / "notebooks" / "tiny.ipynb").write_text(json.dumps(notebook(), indent=1, sort_keys=True) + "\n")
    (root / "pyproject.toml").write_text(textwrap.dedent('''\
        [project]
        name = "tiny-course"
        version = "0"
        '''))
    return root


def edit(root: pathlib.Path, rel: str, old: str, new: str) -> None:
    """Replace ``old`` (which must occur) by ``new`` in file ``rel`` of ``root``."""
    path = root / rel
    text = path.read_text()
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new))


def batch(n: int, jobs: int = 2) -> None:
    """Grade ``n`` tiny submissions (a third of them wrong somewhere) and print the time per submission.

    ``python tests/course_fixture.py 100`` is the measurement quoted in course/README.md.
    """
    import shutil
    import tempfile
    import time

    from course.grade import grade
    from course.runner import Options

    with tempfile.TemporaryDirectory() as scratch:
        base = pathlib.Path(scratch)
        ref = make_course(base / "ref")
        subs = []
        for i in range(n):
            sub = base / f"student{i:03d}"
            shutil.copytree(ref, sub)
            if i % 3 == 1:
                edit(sub, "autograd/ops.py", "twice = x + x", "twice = x * 3")
            elif i % 3 == 2:
                edit(sub, "autograd/ops.py", "minus_x = 0 - x", "minus_x = x")
            subs.append(str(sub))
        start = time.monotonic()
        reports = grade(subs, str(base / "out"), str(ref), jobs=jobs, options=Options(timeout=60), quiet=True)
        took = time.monotonic() - start
        totals = sorted({r["total"] for r in reports})
        print(f"{len(reports)} submissions, -j {jobs}: {took:.0f} s, {took / n:.2f} s per submission; totals {totals}")


if __name__ == "__main__":
    import sys

    batch(int(sys.argv[1]) if len(sys.argv) > 1 else 100, int(sys.argv[2]) if len(sys.argv) > 2 else 2)
