"""The task catalogue (``course/tasks.toml``) and the solution regions it points at.

A *task* is one piece of work a student does (MiniTorch's numbering: 0.1 ... 4.5). The
catalogue says, for each task, what it is worth, which library functions it covers, which
tests and notebook cells check it, which other tasks those checks run through (``depends``)
and a hint. The library marks the code a student writes with comment lines::

    ### BEGIN SOLUTION task-2.1
    ...the reference body...
    ### END SOLUTION

A task whose code is not marked yet says ``regions = "pending"``: the tools list it, grade it
(the reference code is still there), but ``release`` leaves it solved and says so.

A task done in a notebook rather than in a library body (training a network: MiniTorch's
1.5, 2.5, 3.5, 4.5) says ``regions = "notebook"``. Its solution, if the notebook has one, sits
in a code cell the catalogue lists for it, between ``### BEGIN SOLUTION`` and ``### END SOLUTION``
lines (nbgrader's convention; the task tag is optional there: the cell says whose it is);
``release`` stubs those lines in the cell and keeps the cell's reference outputs, which nbval
then compares with the student's run. A notebook task without such a cell has nothing to
stub: ``release`` keeps it as the reference and says so; grading still runs its checks.
"""

from __future__ import annotations

import pathlib
import re
import tomllib
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from .patterns import test_matches

CATALOGUE = "course/tasks.toml"
# Where solution regions may live (relative to the repository root).
LIBRARY_GLOBS = ("autograd/*.py", "autograd/**/*.py")

BEGIN = re.compile(r"^(?P<indent>[ \t]*)### BEGIN SOLUTION task-(?P<task>\d+\.\d+)[ \t]*$")
END = re.compile(r"^[ \t]*### END SOLUTION[ \t]*$")
# In a notebook cell the task tag is optional (the catalogue's `cells` say whose cell it is).
CELL_BEGIN = re.compile(r"^(?P<indent>[ \t]*)### BEGIN SOLUTION(?: task-(?P<task>\d+\.\d+))?[ \t]*$")
KINDS = ("marked", "pending", "notebook")
TASK_ID = re.compile(r"^\d+\.\d+$")


class CatalogueError(ValueError):
    """The catalogue or a solution marker is malformed; the message says where."""


@dataclass(frozen=True)
class CellRef:
    """A notebook cell, named by its nbformat id: ``notebooks/module2/1-tensors.ipynb#124d5169``."""

    notebook: str
    cell_id: str

    @classmethod
    def parse(cls, text: str, task: str) -> "CellRef":
        notebook, sep, cell_id = text.partition("#")
        if not sep or not notebook.endswith(".ipynb") or not cell_id:
            raise CatalogueError(f"task {task}: cell {text!r} must look like 'notebooks/x.ipynb#cellid'")
        return cls(notebook, cell_id)

    def __str__(self) -> str:
        return f"{self.notebook}#{self.cell_id}"


@dataclass(frozen=True)
class Task:
    id: str
    title: str
    points: float
    functions: Tuple[str, ...]
    tests: Tuple[str, ...]
    cells: Tuple[CellRef, ...]
    depends: Tuple[str, ...]
    hint: str
    see: str
    regions: str = "marked"  # one of KINDS

    @property
    def pending(self) -> bool:
        return self.regions == "pending"

    @property
    def notebook(self) -> bool:
        """Done in a notebook cell, not in a library body (see the module docstring)."""
        return self.regions == "notebook"

    @property
    def key(self) -> Tuple[int, int]:
        major, minor = self.id.split(".")
        return int(major), int(minor)

    @property
    def tag(self) -> str:
        """The notebook cell tag of this task."""
        return f"task-{self.id}"

    def stub_message(self) -> str:
        return f"Task {self.id}: {self.title} — see {self.see}"


@dataclass(frozen=True)
class Region:
    """Lines ``begin`` .. ``end`` (0-based, both marker lines included) of ``path``."""

    path: str
    task: str
    begin: int
    end: int
    indent: str
    body: Tuple[str, ...]  # the lines between the markers, without line ends


@dataclass
class Catalogue:
    tasks: Dict[str, Task]
    support: Tuple[str, ...] = ()  # test helper files every run needs (conftest.py, ...)
    root: Optional[pathlib.Path] = None

    def __iter__(self):
        return iter(sorted(self.tasks.values(), key=lambda t: t.key))

    def __getitem__(self, task_id: str) -> Task:
        try:
            return self.tasks[task_id]
        except KeyError:
            known = ", ".join(t.id for t in self)
            raise CatalogueError(f"no task {task_id!r} in the catalogue; tasks are {known}") from None

    @property
    def max_total(self) -> float:
        return sum(t.points for t in self.tasks.values())

    def select(self, spec: Optional[str]) -> List[Task]:
        """Tasks named by ``spec``: ``"2.1-2.4"``, ``"0.1,1.4"``, ``"2"`` (a module) or None (all)."""
        if not spec:
            return list(self)
        chosen: Dict[str, Task] = {}
        for part in (p.strip() for p in spec.split(",")):
            if not part:
                continue
            if "-" in part:
                low, _, high = part.partition("-")
                lo, hi = self[low.strip()].key, self[high.strip()].key
                if lo > hi:
                    raise CatalogueError(f"task range {part!r} runs backwards")
                for t in self:
                    if lo <= t.key <= hi:
                        chosen[t.id] = t
            elif part.isdigit():
                found = [t for t in self if t.key[0] == int(part)]
                if not found:
                    raise CatalogueError(f"module {part} has no tasks in the catalogue")
                chosen.update((t.id, t) for t in found)
            else:
                chosen[part] = self[part]
        return sorted(chosen.values(), key=lambda t: t.key)

    def dependents(self, task_id: str) -> List[str]:
        """``task_id`` and the tasks whose checks run through its code: those that list it in ``depends``.

        Not transitive on purpose: ``depends`` lists every task whose code a task's checks reach,
        directly or through other code, and a wrong region breaks only its own code.
        """
        out = [t.id for t in self if t.id == task_id or task_id in t.depends]
        return out

    def tasks_of_cell(self, notebook: str, cell_id: str) -> List[str]:
        return [t.id for t in self if CellRef(notebook, cell_id) in t.cells]

    def tasks_of_test(self, nodeid: str) -> List[str]:
        return [t.id for t in self if any(test_matches(pattern, nodeid) for pattern in t.tests)]

    def test_files(self) -> List[str]:
        files = {pattern.split("::")[0] for t in self.tasks.values() for pattern in t.tests}
        return sorted(files)

    def notebooks(self) -> List[str]:
        return sorted({c.notebook for t in self.tasks.values() for c in t.cells})


def _strings(entry: dict, key: str, task: str) -> Tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CatalogueError(f"task {task}: {key} must be a list of strings, got {value!r}")
    return tuple(value)


def load(root: pathlib.Path | str = ".", path: Optional[pathlib.Path | str] = None) -> Catalogue:
    """Read and check the catalogue of the repository at ``root``."""
    root = pathlib.Path(root)
    file = pathlib.Path(path) if path is not None else root / CATALOGUE
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogueError(f"no task catalogue at {file}") from None
    except tomllib.TOMLDecodeError as error:
        raise CatalogueError(f"{file}: {error}") from None
    tasks: Dict[str, Task] = {}
    for entry in data.get("task", []):
        task_id = str(entry.get("id", ""))
        if not TASK_ID.match(task_id):
            raise CatalogueError(f"{file}: task id {task_id!r} must look like '2.3'")
        if task_id in tasks:
            raise CatalogueError(f"{file}: task {task_id} is defined twice")
        regions = entry.get("regions", "marked")
        if regions not in KINDS:
            raise CatalogueError(f"task {task_id}: regions must be one of {', '.join(KINDS)}, got {regions!r}")
        points = entry.get("points")
        if not isinstance(points, (int, float)) or points < 0:
            raise CatalogueError(f"task {task_id}: points must be a number >= 0, got {points!r}")
        for key in ("title", "hint", "see"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise CatalogueError(f"task {task_id}: {key} must be a non-empty string")
        tasks[task_id] = Task(
            id=task_id,
            title=entry["title"],
            points=float(points),
            functions=_strings(entry, "functions", task_id),
            tests=_strings(entry, "tests", task_id),
            cells=tuple(CellRef.parse(c, task_id) for c in _strings(entry, "cells", task_id)),
            depends=_strings(entry, "depends", task_id),
            hint=entry["hint"].strip(),
            see=entry["see"],
            regions=regions,
        )
    for t in tasks.values():
        for d in t.depends:
            if d not in tasks or d == t.id:
                raise CatalogueError(f"task {t.id}: depends on unknown task {d!r}")
    support = _strings(data.get("tests", {}), "support", "[tests]")
    return Catalogue(tasks=tasks, support=support, root=root)


# ## Solution regions in the library


def library_files(root: pathlib.Path | str) -> List[pathlib.Path]:
    root = pathlib.Path(root)
    found = set()
    for pattern in LIBRARY_GLOBS:
        found.update(p for p in root.glob(pattern) if p.is_file())
    return sorted(found)


def regions_in(path: pathlib.Path, rel: str) -> List[Region]:
    """The solution regions of one file, checked: every BEGIN has its END, no nesting."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out: List[Region] = []
    open_at: Optional[Tuple[int, str, str]] = None
    for n, line in enumerate(lines):
        m = BEGIN.match(line)
        if m:
            if open_at is not None:
                raise CatalogueError(f"{rel}:{n + 1}: BEGIN SOLUTION inside the region opened at line {open_at[0] + 1}")
            open_at = (n, m["task"], m["indent"])
        elif END.match(line):
            if open_at is None:
                raise CatalogueError(f"{rel}:{n + 1}: END SOLUTION without a BEGIN SOLUTION")
            begin, task, indent = open_at
            body = tuple(lines[begin + 1 : n])
            if not any(b.strip() for b in body):
                raise CatalogueError(f"{rel}:{begin + 1}: empty solution region for task {task}")
            out.append(Region(rel, task, begin, n, indent, body))
            open_at = None
        elif "### BEGIN SOLUTION" in line or "### END SOLUTION" in line:
            raise CatalogueError(f"{rel}:{n + 1}: malformed solution marker {line.strip()!r}")
    if open_at is not None:
        raise CatalogueError(f"{rel}:{open_at[0] + 1}: BEGIN SOLUTION task-{open_at[1]} is never closed")
    return out


def find_regions(root: pathlib.Path | str) -> List[Region]:
    root = pathlib.Path(root)
    out: List[Region] = []
    for path in library_files(root):
        out.extend(regions_in(path, path.relative_to(root).as_posix()))
    return out


def check_markers(catalogue: Catalogue, regions: Iterable[Region]) -> List[str]:
    """Problems between catalogue and markers (empty when they agree)."""
    problems = []
    by_task: Dict[str, int] = {}
    for r in regions:
        by_task[r.task] = by_task.get(r.task, 0) + 1
        if r.task not in catalogue.tasks:
            problems.append(f"{r.path}:{r.begin + 1}: region for task {r.task}, which the catalogue does not list")
        elif catalogue.tasks[r.task].regions != "marked":
            kind = catalogue.tasks[r.task].regions
            problems.append(f"{r.path}:{r.begin + 1}: region for task {r.task}, which the catalogue calls {kind}")
    for t in catalogue:
        if t.regions == "marked" and not by_task.get(t.id):
            problems.append(f"task {t.id} says its regions are marked, but the library has none")
    return problems


def releasable(tasks: Sequence[Task]) -> Tuple[List[Task], List[Task]]:
    """Split ``tasks`` into those release can stub (marked, and notebook tasks) and the pending ones
    it leaves solved."""
    return [t for t in tasks if not t.pending], [t for t in tasks if t.pending]


def cell_regions(source: str) -> List[Tuple[int, int, str]]:
    """(begin, end, indent) of the solution regions of a notebook cell's source (0-based lines,
    both marker lines included), checked as in the library: every BEGIN has its END, no nesting."""
    out: List[Tuple[int, int, str]] = []
    open_at: Optional[Tuple[int, str]] = None
    for n, line in enumerate(source.splitlines()):
        m = CELL_BEGIN.match(line)
        if m:
            if open_at is not None:
                raise CatalogueError(f"cell line {n + 1}: BEGIN SOLUTION inside the region opened at line {open_at[0] + 1}")
            open_at = (n, m["indent"])
        elif END.match(line):
            if open_at is None:
                raise CatalogueError(f"cell line {n + 1}: END SOLUTION without a BEGIN SOLUTION")
            out.append((open_at[0], n, open_at[1]))
            open_at = None
    if open_at is not None:
        raise CatalogueError(f"cell line {open_at[0] + 1}: BEGIN SOLUTION is never closed")
    return out
