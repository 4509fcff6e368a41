"""Course tools: the task catalogue, the student edition, self-checks and the nbval grader.

Nothing in ``autograd`` or ``diagrams`` imports this package. From a notebook cell::

    from course import check
    check("2.1")
"""

from __future__ import annotations


def check(task: str, root: str | None = None) -> bool:
    """Run task ``task``'s tests and notebook cells; print pass, or the first failure and the hint."""
    from .checker import check_task

    return check_task(task, root=root)


__all__ = ["check"]
