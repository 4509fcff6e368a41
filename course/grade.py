"""``autograd-course grade SUBMISSION... --out DIR``: grade submissions against the reference.

Each submission (a folder, a git clone or a .zip of the student edition) is copied into a
fresh temporary folder. The instructor's notebooks, tests and catalogue replace the submitted
ones: every protected file whose checksum differs from the instructor's, or that is missing,
is restored and listed under "modified". Then the task checks run in a sandboxed process
(see ``sandbox``), and the reports are written (see ``report``).
"""

from __future__ import annotations

import concurrent.futures
import functools
import hashlib
import json
import pathlib
import re
import shutil
import tempfile
import time
import zipfile
from typing import Dict, List, Optional, Sequence

from . import catalogue as cat_mod
from . import report, runner
from .catalogue import Catalogue, Task

MAX_UNPACKED = 500 * 1024 * 1024  # bytes a .zip may unpack to


def protected_files(root: pathlib.Path, catalogue: Catalogue) -> List[str]:
    """The files a submission may not change: the catalogue, its notebooks and tests, their helpers."""
    # pyproject.toml too: its [tool.pytest.ini_options] is the configuration the checks run with.
    files = {cat_mod.CATALOGUE, "notebooks/sanitize.cfg", "pyproject.toml"}
    files.update(catalogue.notebooks())
    files.update(catalogue.test_files())
    files.update(catalogue.support)
    return sorted(f for f in files if (root / f).is_file())


def sha256(path: pathlib.Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def submission_name(path: pathlib.Path) -> str:
    path = path.resolve()
    name = path.name[:-4] if path.suffix == ".zip" else path.name
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name) or "submission"


def unpack(source: pathlib.Path, dest: pathlib.Path) -> None:
    """Copy a folder (a git clone included, without .git) or extract a .zip into ``dest``."""
    if source.is_dir():
        shutil.copytree(source, dest, ignore=shutil.ignore_patterns(".git", ".venv", "__pycache__", ".grader"),
                        symlinks=True)
        _drop_symlinks(dest)
    elif source.suffix == ".zip":
        dest.mkdir(parents=True)
        with zipfile.ZipFile(source) as z:
            if sum(m.file_size for m in z.infolist()) > MAX_UNPACKED:
                raise OSError(f"it unpacks to more than {MAX_UNPACKED // 2**20} MB")
            for member in z.infolist():
                target = (dest / member.filename).resolve()
                if not str(target).startswith(str(dest.resolve())):
                    continue  # a path that climbs out of the folder: ignored
                if member.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                else:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(z.read(member))
        # A zip of the folder rather than of its contents: step into the one top folder.
        entries = [p for p in dest.iterdir() if p.name != "__MACOSX"]
        if len(entries) == 1 and entries[0].is_dir() and not (dest / cat_mod.CATALOGUE).exists():
            inner = entries[0]
            for p in inner.iterdir():
                p.rename(dest / p.name)
            inner.rmdir()
    else:
        raise FileNotFoundError(f"{source}: a submission is a folder or a .zip file")


def _drop_symlinks(folder: pathlib.Path) -> None:
    # A link could point the sandbox at files outside it: submissions are plain files only.
    for p in sorted(folder.rglob("*"), reverse=True):
        if p.is_symlink():
            p.unlink()


def released_copies(code: pathlib.Path, root: pathlib.Path) -> Dict[str, str]:
    """sha256 of each notebook as the student edition the submission says it is (``course/release.json``)
    was written: the release hides outputs that show a solution, which is no change by the student."""
    info = code / "course" / "release.json"
    try:
        released = json.loads(info.read_text(encoding="utf-8"))["released"]
        return _edition_hashes(str(root), tuple(str(t) for t in released))
    except (OSError, ValueError, KeyError, TypeError, cat_mod.CatalogueError):
        return {}


@functools.lru_cache(maxsize=32)
def _edition_hashes(root: str, released: tuple) -> Dict[str, str]:
    from .release import edition_notebooks  # (one computation per released set in a batch)

    texts = edition_notebooks(root, released)
    return {rel: hashlib.sha256(text.encode("utf-8")).hexdigest() for rel, text in texts.items()}


def restore(code: pathlib.Path, root: pathlib.Path, files: Sequence[str]) -> List[str]:
    """Put the instructor's copy of each of ``files`` in place; return those that differed or were missing
    (a notebook as the student edition has it is not a difference).

    A conftest.py the instructor does not have is removed too (pytest would load it into the run).
    """
    edition = released_copies(code, root)
    modified = []
    for extra in sorted(code.rglob("conftest.py")):
        rel = extra.relative_to(code).as_posix()
        if rel not in files:
            extra.unlink()
            modified.append(rel)
    for rel in files:
        mine, theirs = root / rel, code / rel
        if not theirs.is_file() or sha256(theirs) != sha256(mine):
            if not (theirs.is_file() and not theirs.is_symlink() and sha256(theirs) == edition.get(rel)):
                modified.append(rel)
            theirs.parent.mkdir(parents=True, exist_ok=True)
            if theirs.is_symlink() or theirs.is_dir():
                shutil.rmtree(theirs, ignore_errors=True)
            shutil.copyfile(mine, theirs)
    return sorted(modified)


def grade_one(source: pathlib.Path, root: pathlib.Path, catalogue: Catalogue, tasks: Sequence[Task],
              options: runner.Options, out: pathlib.Path, name: str) -> dict:
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=f"course-grade-{name}-") as scratch:
        folder = pathlib.Path(scratch)
        if options.keep:
            folder = pathlib.Path(tempfile.mkdtemp(prefix=f"course-kept-{name}-"))
            print(f"{name}: working folder kept at {folder}")
        code = folder / "submission"
        try:
            unpack(source, code)
        except (OSError, zipfile.BadZipFile) as error:
            data = report.unreadable(name, tasks, f"the submission could not be read: {error}")
            report.write_submission(out / name, data, {})
            return data
        modified = restore(code, root, protected_files(root, catalogue))
        results = runner.run_checks(code, folder, catalogue, tasks, options)
        outcomes = {t.id: runner.score(t, results) for t in tasks}
        data = report.submission_report(name, tasks, outcomes, modified, results, time.monotonic() - start)
        report.write_submission(out / name, data, outcomes)
    return data


def grade(submissions: Sequence[str], out: str, root: Optional[str] = None, spec: Optional[str] = None,
          jobs: int = 1, options: Optional[runner.Options] = None, quiet: bool = False) -> List[dict]:
    from .checker import find_root

    root_path = find_root(root)
    catalogue = cat_mod.load(root_path)
    tasks = [t for t in catalogue.select(spec) if t.tests or t.cells]
    if not tasks:
        raise cat_mod.CatalogueError(f"no gradable task in {spec!r}: none has tests or cells in the catalogue")
    options = options or runner.Options()
    out_path = pathlib.Path(out)
    out_path.mkdir(parents=True, exist_ok=True)
    names: Dict[str, int] = {}
    work = []
    for s in submissions:
        p = pathlib.Path(s)
        name = submission_name(p)
        names[name] = names.get(name, 0) + 1
        if names[name] > 1:
            name = f"{name}-{names[name]}"
        work.append((p, name))
    reports: List[dict] = []
    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(grade_one, p, root_path, catalogue, tasks, options, out_path, n) for p, n in work]
        for f in futures:
            data = f.result()
            reports.append(data)
            if not quiet:
                print(report.table_row(data, tasks), flush=True)
    report.write_batch(out_path, reports, tasks)
    if not quiet:
        print(report.table(reports, tasks))
        n = len(reports)
        took = time.monotonic() - start
        print(f"{n} submission(s) in {took:.1f} s ({took / max(n, 1):.2f} s per submission, -j {jobs})")
    return reports
