"""Which tests a catalogue entry names. Standard library only: the grader's pytest plugin imports
this file too (copied beside it as ``course_patterns.py``), without the rest of the package."""

from __future__ import annotations

import fnmatch


def test_matches(pattern: str, nodeid: str) -> bool:
    """Does test ``nodeid`` belong to catalogue entry ``pattern``?

    ``tests/test_x.py`` takes the whole file, ``tests/test_x.py::test_y`` that test with all its
    parameters, ``tests/test_x.py::test_y[simple]`` only the parametrisations whose id has the
    part ``simple`` (parts are separated by ``-``), and shell wildcards work in the name
    (``tests/test_x.py::test_sum*``).
    """
    base, _, params = nodeid.partition("[")
    params = params[:-1] if params.endswith("]") else params
    if "::" not in pattern:
        return fnmatch.fnmatchcase(base.split("::")[0], pattern)
    want_base, _, want = pattern.partition("[")
    if not fnmatch.fnmatchcase(base, want_base):
        return False
    return all(w in params.split("-") for w in want.rstrip("]").split("-") if w)
