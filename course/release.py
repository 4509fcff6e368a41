"""``autograd-course release DEST``: the student edition of the course.

What goes into DEST (and nothing else): the library with the selected tasks' solution regions
replaced by stubs, the drawings, the course tools, the notebooks with the reference outputs
(nbval grades against them), the tests the catalogue names plus their helpers, a student
README and Makefile, and a GitHub Classroom workflow. Files are written in sorted order with
fixed contents, so two releases of the same tree are byte-identical.
"""

from __future__ import annotations

import json
import pathlib
import shutil
import sys
from typing import Dict, Iterable, List, Optional, Sequence, Set

from . import catalogue as cat_mod
from .catalogue import Catalogue, Region, Task

# What a student edition carries from the reference tree, besides the tests the catalogue names.
PACKAGES = ("autograd", "diagrams", "course")
TOP_FILES = ("pyproject.toml", "environment.yml", ".gitignore", "notebooks/sanitize.cfg")
SKIP_PARTS = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".hypothesis"}
HIDDEN_NOTE = "course: output hidden in the student edition (it would show the solution of task {tasks})"


def stub_lines(task: Task, indent: str) -> List[str]:
    return [
        f"{indent}# TODO Task {task.id}: {task.title} (write your code here)",
        f"{indent}raise NotImplementedError({task.stub_message()!r})",
    ]


def stub_source(text: str, regions: Sequence[Region], tasks: Dict[str, Task]) -> str:
    """``text`` with every region of ``tasks`` replaced by its stub (other regions untouched)."""
    lines = text.splitlines()
    for r in sorted(regions, key=lambda r: -r.begin):
        if r.task in tasks:
            lines[r.begin : r.end + 1] = stub_lines(tasks[r.task], r.indent)
    return "\n".join(lines) + ("\n" if text.endswith("\n") else "")


def solution_lines(regions: Iterable[Region], tasks: Set[str], root: pathlib.Path) -> Dict[str, str]:
    """Stripped lines that occur in the released regions and nowhere else in the library.

    These are the lines that must not appear anywhere in a student edition. Lines a region
    shares with code outside every released region (``return out``, ``pass``) prove nothing.
    """
    regions = list(regions)
    inside: Dict[str, str] = {}
    for r in regions:
        if r.task in tasks:
            for line in r.body:
                if line.strip():
                    inside.setdefault(line.strip(), r.task)
    outside: Set[str] = set()
    by_file: Dict[str, List[Region]] = {}
    for r in regions:
        by_file.setdefault(r.path, []).append(r)
    for path in cat_mod.library_files(root):
        rel = path.relative_to(root).as_posix()
        lines = path.read_text(encoding="utf-8").splitlines()
        skip = set()
        for r in by_file.get(rel, []):
            if r.task in tasks:
                skip.update(range(r.begin, r.end + 1))
        outside.update(line.strip() for n, line in enumerate(lines) if n not in skip)
    # Short keyword lines (``continue``, ``pass``) are in every program: not worth hiding an output for.
    return {line: task for line, task in inside.items() if line not in outside and not line.startswith("#")
            and (len(line) >= 12 or "=" in line or "(" in line)}


def _files_under(src: pathlib.Path, rel: str) -> List[str]:
    """The files of folder ``rel`` of ``src`` a release carries (no caches, no bytecode)."""
    out = []
    base = src / rel
    if not base.exists():
        return out
    for path in sorted(base.rglob("*")):
        if path.is_file() and not SKIP_PARTS & set(path.relative_to(src).parts) and path.suffix != ".pyc":
            out.append(path.relative_to(src).as_posix())
    return out


def release(root: pathlib.Path | str, dest: pathlib.Path | str, spec: str | None = None, quiet: bool = False) -> dict:
    """Write the student edition of the repository at ``root`` into ``dest``; return what was released."""
    root, dest = pathlib.Path(root).resolve(), pathlib.Path(dest)
    catalogue = cat_mod.load(root)
    regions = cat_mod.find_regions(root)
    problems = cat_mod.check_markers(catalogue, regions)
    if problems:
        raise cat_mod.CatalogueError("the markers and the catalogue disagree:\n  " + "\n  ".join(problems))
    chosen, pending = cat_mod.releasable(catalogue.select(spec))
    if not chosen:
        raise cat_mod.CatalogueError(
            f"nothing to release for {spec!r}: " + ("all of it is pending" if pending else "no such task")
        )
    # A notebook task is released when one of its cells has a solution region; else it is kept.
    in_cells = notebook_region_tasks(root, catalogue, chosen)
    kept = [t for t in chosen if t.notebook and t.id not in in_cells]
    chosen = [t for t in chosen if t not in kept]
    for t in pending:
        if not quiet:
            print(f"note: task {t.id} ({t.title}) is pending (no solution markers yet): it stays solved", file=sys.stderr)
    for t in kept:
        if not quiet:
            print(f"note: task {t.id} ({t.title}) is done in a notebook that has no solution region to stub: "
                  "it stays as the reference (its checks still grade it)", file=sys.stderr)
    if not chosen:
        raise cat_mod.CatalogueError(f"nothing to release for {spec!r}: no task there has a solution region")
    if dest.exists() and any(dest.iterdir()):
        raise FileExistsError(f"{dest} exists and is not empty: release into a new folder")
    stubbed = {t.id: t for t in chosen}

    files: List[str] = []
    for package in PACKAGES:
        files += _files_under(root, package)
    files += [f for f in TOP_FILES if (root / f).is_file()]
    files += [nb for nb in catalogue.notebooks() if (root / nb).is_file()]
    files += [f for f in list(catalogue.test_files()) + list(catalogue.support) if (root / f).is_file()]
    regions_by_file: Dict[str, List[Region]] = {}
    for r in regions:
        regions_by_file.setdefault(r.path, []).append(r)
    leaks = solution_lines(regions, set(stubbed), root)

    for rel in sorted(set(files)):
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        source = root / rel
        if rel in regions_by_file:
            target.write_text(stub_source(source.read_text(encoding="utf-8"), regions_by_file[rel], stubbed), encoding="utf-8")
        elif rel.endswith(".ipynb"):
            target.write_text(student_notebook(source.read_text(encoding="utf-8"), leaks, catalogue, rel, stubbed),
                              encoding="utf-8")
        else:
            shutil.copyfile(source, target)

    info = {
        "released": [t.id for t in chosen],
        "pending": [t.id for t in pending],
        "kept": [t.id for t in kept],
        "tasks": {t.id: {"title": t.title, "points": t.points, "see": t.see} for t in chosen},
    }
    (dest / "course" / "release.json").write_text(json.dumps(info, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    (dest / "README.md").write_text(student_readme(chosen, catalogue), encoding="utf-8")
    (dest / "Makefile").write_text(STUDENT_MAKEFILE, encoding="utf-8")
    workflow = dest / ".github" / "workflows" / "classroom.yml"
    workflow.parent.mkdir(parents=True, exist_ok=True)
    workflow.write_text(classroom_workflow(chosen), encoding="utf-8")
    if not quiet:
        print(f"released tasks {', '.join(info['released'])} into {dest}")
    return info


# ## Notebooks: reference outputs kept, except those that would show a released solution


def edition_notebooks(root: pathlib.Path | str, task_ids: Sequence[str]) -> Dict[str, str]:
    """The notebooks (path -> JSON text) exactly as ``release`` writes them for ``task_ids``: what
    an untouched edition holds, so the grader does not call a notebook the release changed "modified"."""
    root = pathlib.Path(root).resolve()
    catalogue = cat_mod.load(root)
    stubbed = {i: catalogue[i] for i in task_ids if i in catalogue.tasks}
    leaks = solution_lines(cat_mod.find_regions(root), set(stubbed), root)
    return {rel: student_notebook((root / rel).read_text(encoding="utf-8"), leaks, catalogue, rel, stubbed)
            for rel in catalogue.notebooks() if (root / rel).is_file()}



def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def notebook_region_tasks(root: pathlib.Path, catalogue: Catalogue, tasks: Sequence[Task]) -> Set[str]:
    """The tasks among ``tasks`` that have a solution region in one of their notebook cells."""
    found: Set[str] = set()
    for t in tasks:
        for ref in t.cells:
            path = root / ref.notebook
            if not path.is_file():
                continue
            for cell in json.loads(path.read_text(encoding="utf-8")).get("cells", []):
                if cell.get("id") == ref.cell_id and cat_mod.cell_regions(_source(cell)):
                    found.add(t.id)
    return found


def stub_cell(source: str, task: Task) -> str:
    """A notebook cell's source with its solution regions replaced by ``task``'s stub."""
    lines = source.splitlines()
    for begin, end, indent in reversed(cat_mod.cell_regions(source)):
        lines[begin : end + 1] = stub_lines(task, indent)
    return "\n".join(lines) + ("\n" if source.endswith("\n") else "")


def student_notebook(text: str, leaks: Dict[str, str], catalogue: Catalogue, rel: str,
                     stubbed: Optional[Dict[str, Task]] = None) -> str:
    """The notebook JSON with outputs that contain a released solution line removed (cell marked unrun),
    and the solution regions of a released task's own cells replaced by its stub (outputs kept:
    they show results, which nbval compares with the student's run).

    nbval does not compare a cell whose stored execution_count is None, so the student's own
    nbval run still executes it; the grader uses the instructor's notebook with the real output.
    """
    nb = json.loads(text)
    for cell in nb.get("cells", []):
        owners = [stubbed[i] for i in catalogue.tasks_of_cell(rel, cell.get("id")) if i in (stubbed or {})]
        if cell.get("cell_type") == "code" and owners and cat_mod.cell_regions(_source(cell)):
            stubbed_source = stub_cell(_source(cell), owners[0])
            cell["source"] = stubbed_source.splitlines(keepends=True)
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code" or not cell.get("outputs"):
            continue
        texts = []
        for out in cell["outputs"]:
            for value in [out.get("text", "")] + list(out.get("data", {}).values()):
                texts.append("".join(value) if isinstance(value, list) else str(value))
        revealed = {line.strip() for t in texts for line in t.splitlines()} & set(leaks)
        if revealed:
            tasks = ", ".join(sorted({leaks[line] for line in revealed}, key=lambda i: catalogue[i].key))
            cell["outputs"] = []
            cell["execution_count"] = None
            cell.setdefault("metadata", {})["course"] = {"note": HIDDEN_NOTE.format(tasks=tasks)}
    return json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


# ## The student's README, Makefile and GitHub Classroom workflow


def student_readme(tasks: Sequence[Task], catalogue: Catalogue) -> str:
    rows = "\n".join(f"| {t.id} | {t.title} | {t.points:g} | `{t.see}` |" for t in tasks)
    return f"""# Autograd course: your assignment

The library in `autograd/` is complete except for the tasks below: each of their function bodies
raises `NotImplementedError("Task N.M: ...")`. Write them, then check your work.

| task | what | points | read |
|---|---|---|---|
{rows}

## Set up once

    make .venv/.installed

## Check your work

    make check                          # every task of this assignment: pass, or the first failure and a hint
    .venv/bin/autograd-course check 2.1 # one task
    make test                           # all tests and notebooks (strict nbval)

In a notebook cell: `from course import check; check("2.1")`.

The notebooks keep the outputs of the reference solution: nbval compares your run with them cell
by cell, and so does the grader. Do not edit the notebooks or the tests: the grader restores the
originals and lists every file you changed as "modified".
"""


STUDENT_MAKEFILE = """# Student edition: make check tells you which tasks pass; make test runs everything.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: check test

$(STAMP): pyproject.toml
\ttest -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
\t$(BIN)/python -m pip install --quiet -e '.[course,test]'
\ttouch $(STAMP)

check: $(STAMP)
\t$(BIN)/autograd-course check

test: $(STAMP)
\t$(BIN)/python -m pytest tests notebooks --nbval --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg
"""


def classroom_workflow(tasks: Sequence[Task]) -> str:
    """GitHub Classroom autograding: one command-grader step per task, then the reporter."""
    steps = []
    ids = []
    for t in tasks:
        step = "task-" + t.id.replace(".", "-")
        ids.append(step)
        steps.append(
            f"""      - name: Task {t.id}
        id: {step}
        uses: classroom-resources/autograding-command-grader@v1
        with:
          test-name: "Task {t.id}: {t.title}"
          command: autograd-course check {t.id}
          timeout: 15
          max-score: {t.points:g}"""
        )
    env = "\n".join(f"          {s.upper()}_RESULTS: \"${{{{steps.{s}.outputs.result}}}}\"" for s in ids)
    return f"""# GitHub Classroom runs this on every push: one step per task, scored by autograd-course check.
# The binding grade comes from `autograd-course grade`, which restores the original tests and notebooks.
name: Autograding Tests
on: [push, repository_dispatch]
permissions:
  checks: write
  actions: read
  contents: read
jobs:
  run-autograding-tests:
    runs-on: ubuntu-latest
    if: github.actor != 'github-classroom[bot]'
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - run: python -m pip install -e '.[course,test]'
{chr(10).join(steps)}
      - name: Autograding Reporter
        uses: classroom-resources/autograding-grading-reporter@v1
        env:
{env}
        with:
          runners: {",".join(ids)}
"""
