"""Course tools: the task catalogue, the student edition, self-checks and the nbval grader.

Nothing in ``autograd`` or ``diagrams`` imports this package. From a notebook cell::

    from course import check
    check("2.1")
"""

from __future__ import annotations


def check(task: str, root: str | None = None) -> None:
    """Run task ``task``'s tests; print pass, or the first failure and the hint.

    For notebook cells: it runs the task's tests only (``autograd-course check TASK`` also runs
    the task's notebook cells), and prints its verdict instead of returning it, so the cell
    shows one line.
    """
    from .checker import check_task

    check_task(task, root=root, cells=False)


__all__ = ["check"]
