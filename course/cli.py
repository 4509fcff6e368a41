"""The ``autograd-course`` console script: release, check, grade, tag, deps, list."""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from . import catalogue as cat_mod
from . import runner


def _options(args: argparse.Namespace) -> runner.Options:
    return runner.Options(timeout=args.timeout, cell_timeout=args.cell_timeout, memory_mb=args.memory,
                          isolate_network=not args.no_unshare)


def _limits(p: argparse.ArgumentParser, timeout: float) -> None:
    p.add_argument("--timeout", type=float, default=timeout, metavar="SECONDS",
                   help=f"wall-clock limit of each run: the tests, or one notebook (default {timeout:g})")
    p.add_argument("--cell-timeout", type=float, default=runner.Options.cell_timeout, metavar="SECONDS",
                   help=f"limit per notebook cell and per test (default {runner.Options.cell_timeout:g}: the first "
                        "use of a numba kernel compiles it)")
    p.add_argument("--memory", type=int, default=4096, metavar="MB", help="address-space limit per run (default 4096)")
    p.add_argument("--no-unshare", action="store_true", help="do not start runs in a network namespace")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="autograd-course", description=__doc__)
    parser.add_argument("--root", help="the course repository (default: found from the current folder)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("list", help="the task catalogue")
    p.add_argument("--tasks", help="e.g. 2.1-2.4")

    p = sub.add_parser("release", help="write the student edition into DEST")
    p.add_argument("dest")
    p.add_argument("--tasks", help="the tasks students write, e.g. 2.1-2.4 (default: all marked tasks)")

    p = sub.add_parser("check", help="run a task's tests and cells; print pass or the first failure and a hint")
    p.add_argument("task", nargs="*", help="task ids (default: the tasks of this student edition)")
    _limits(p, 600)

    p = sub.add_parser("grade", help="grade submissions (folders, clones or .zip files)")
    p.add_argument("submissions", nargs="+")
    p.add_argument("--out", required=True, help="where the reports go")
    p.add_argument("--tasks", help="grade only these tasks, e.g. 2.1-2.4")
    p.add_argument("-j", "--jobs", type=int, default=1, help="submissions graded in parallel")
    _limits(p, 600)

    p = sub.add_parser("tag", help="write the catalogue's task-X.Y tags into the notebooks' cell metadata")
    p.add_argument("--check", action="store_true", help="only report; exit 1 if any tag would change")

    p = sub.add_parser("deps", help="stub each task alone and list the tasks whose checks then fail")
    p.add_argument("--tasks", help="tasks to stub one by one (default: all marked tasks)")
    p.add_argument("--graded", help="tasks whose checks to run (default: all with checks)")
    _limits(p, 900)  # failing hypothesis tests shrink their examples: a stubbed task's runs are slow

    args = parser.parse_args(argv)
    try:
        return _run(args)
    except (cat_mod.CatalogueError, FileExistsError, FileNotFoundError) as error:
        print(f"autograd-course: {error}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    from .checker import find_root

    if args.command == "release":
        from .release import release

        release(find_root(args.root), args.dest, args.tasks)
        return 0
    if args.command == "check":
        from .checker import check_tasks, released_tasks

        root = find_root(args.root)
        tasks = args.task or released_tasks(root)
        return 0 if check_tasks(tasks, root, _options(args)) else 1
    if args.command == "grade":
        from .grade import grade

        reports = grade(args.submissions, args.out, args.root, args.tasks, args.jobs, _options(args))
        return 0 if reports else 1
    root = find_root(args.root)
    catalogue = cat_mod.load(root)
    if args.command == "list":
        regions = cat_mod.find_regions(root)
        for t in catalogue.select(args.tasks):
            n = len([r for r in regions if r.task == t.id])
            state = f"{n} regions" if t.regions == "marked" else t.regions
            print(f"{t.id:>4}  {t.points:>3g} pts  {state:<11} {len(t.tests):>2} tests {len(t.cells):>2} cells  {t.title}")
        problems = cat_mod.check_markers(catalogue, regions)
        for problem in problems:
            print(f"problem: {problem}", file=sys.stderr)
        return 1 if problems else 0
    if args.command == "tag":
        from .tagging import tag_notebooks

        changes = tag_notebooks(root, catalogue, write=not args.check)
        for line in changes:
            print(line)
        print(f"{len(changes)} cell(s) {'would change' if args.check else 'retagged'}")
        return 1 if (args.check and changes) else 0
    if args.command == "deps":
        from .deps import dependency_table

        return dependency_table(root, args.tasks, args.graded, _options(args))
    raise AssertionError(args.command)


if __name__ == "__main__":
    sys.exit(main())
