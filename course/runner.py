"""Run a task set's tests and notebook cells in a sandboxed process, and score the outcome.

One pytest run for the tests (only the ones the tasks name), then one strict nbval run per
notebook, each with its own wall-clock limit. Each item's outcome comes back through the
plugin's JSON lines; a task passes when every one of its tests and cells passes.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
from dataclasses import dataclass, field
from typing import List, Optional, Sequence

from . import sandbox
from .catalogue import Catalogue, Task, test_matches

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# Test files that need numba's CUDA simulator where there is no GPU: they get a pytest run of their own
# ("tests-cuda"), started with NUMBA_ENABLE_CUDASIM=1 unless the grader's environment says it has a GPU
# (AUTOGRAD_TEST_CUDA=1, as tests/backends.py reads it). The simulator must be chosen before numba loads.
CUDA_TEST_FILES = ("tests/test_cuda.py",)
STUB = re.compile(r"NotImplementedError: Task (\d+\.\d+)")
PLUGIN = (pathlib.Path(__file__).parent / "plugin.py").read_text(encoding="utf-8")


@dataclass
class Options:
    timeout: float = 600.0  # seconds per run (the tests, or one notebook)
    # seconds per notebook cell (nbval) and per test (SIGALRM). Generous: the first test or cell that uses a
    # numba kernel compiles it into the run's empty cache, which took over 60 s on the loaded 2-core machine
    # (test_fast_ops' first zip, in a 3.2 edition: a timeout that had nothing to do with the student's code).
    cell_timeout: float = 180.0
    memory_mb: int = 4096
    isolate_network: bool = True
    sanitize: str = "notebooks/sanitize.cfg"
    keep: bool = False  # keep each submission's temporary folder (for debugging a grade)
    # A student's self-check (`check`), not a grade: the tests run with hypothesis' "check" profile
    # (tests/conftest.py: fewer examples) and numba compiles into the student's own checkout, so the
    # kernels compiled by one check (or by `make test`) are loaded by the next instead of compiled
    # again into an empty folder. A check cell then answers in seconds, not minutes.
    quick: bool = False


@dataclass
class Outcome:
    status: str  # passed failed error timeout missing
    detail: str = ""
    first: Optional[dict] = None  # the first failing item's record
    checks: int = 0
    first_cell: Optional[dict] = None  # the first failing notebook cell (for the expected-vs-got diff)


@dataclass
class RunLog:
    name: str
    timed_out: bool
    returncode: Optional[int]
    seconds: float
    log: str


@dataclass
class Results:
    records: List[dict] = field(default_factory=list)
    runs: List[RunLog] = field(default_factory=list)


def clean(text: str) -> str:
    return ANSI.sub("", text or "")


def run_checks(code: pathlib.Path, folder: pathlib.Path, catalogue: Catalogue, tasks: Sequence[Task],
               options: Options, writable: Sequence[pathlib.Path] = ()) -> Results:
    """Run ``tasks``' checks on the repository copy ``code``; ``folder`` is the run's private folder.

    Only ``folder`` (and ``writable``) may be written to; the grader puts ``code`` inside ``folder``.
    """
    sandbox.prepare(folder, PLUGIN)
    results = Results()
    patterns = sorted({p for t in tasks for p in t.tests})
    files = sorted({p.split("::")[0] for p in patterns})
    notebooks = sorted({c.notebook for t in tasks for c in t.cells})
    runs = []
    cpu_files = [f for f in files if f not in CUDA_TEST_FILES]
    cuda_files = [f for f in files if f in CUDA_TEST_FILES]
    if cpu_files:
        runs.append(("tests", cpu_files, ["-p", "no:cacheprovider"]))
    if cuda_files:
        runs.append(("tests-cuda", cuda_files, ["-p", "no:cacheprovider"]))
    for nb in notebooks:
        extra = ["-p", "nbval.plugin", "--nbval", "--nbval-current-env", "--nbval-cell-timeout", str(int(options.cell_timeout)),
                 "-p", "no:cacheprovider"]
        if (code / options.sanitize).is_file():
            extra += ["--nbval-sanitize-with", options.sanitize]
        runs.append((nb, [nb], extra))
    for n, (name, paths, extra) in enumerate(runs):
        out = folder / ".grader" / f"results-{n}.jsonl"
        out.unlink(missing_ok=True)
        env = sandbox.environment(folder, code, out, {
            "COURSE_SELECT": json.dumps(patterns),
            "COURSE_TEST_TIMEOUT": str(int(options.cell_timeout)),
            # Installed pytest plugins cost seconds at every start (nbval alone pulls in nbformat and
            # jsonschema); each run loads only what it needs: ours, and nbval for notebooks.
            "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
            **quick_environment(name, options),
            **cuda_environment(name),
        }, writable)
        # The configuration is the repository's pyproject.toml (the grader restores the instructor's),
        # never a pytest.ini or setup.cfg a submission adds.
        config = code / "pyproject.toml" if (code / "pyproject.toml").is_file() else folder / ".grader" / "pytest.ini"
        args = [sandbox.python(), "-m", "pytest", "-q", "-p", "course_plugin", "--rootdir", str(code),
                "-c", str(config), *extra, *paths]
        r = sandbox.run(args, code, env, options.timeout, options.memory_mb, folder / ".grader" / f"log-{n}.txt",
                        isolate_network=options.isolate_network)
        results.runs.append(RunLog(name, r.timed_out, r.returncode, r.seconds, r.log))
        records = []
        if out.is_file():
            for line in out.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError:
                    continue
                rec["run"] = name
                if rec.get("notebook"):
                    rec["notebook"] = _relative(rec["notebook"], code)
                records.append(rec)
        if r.timed_out:
            records.append({"nodeid": name, "kind": "run", "run": name, "outcome": "timeout",
                            "detail": f"the run of {name} passed its limit of {options.timeout:g} s and was stopped"})
        elif records and r.returncode not in (0, 1, 5):
            records.append({"nodeid": name, "kind": "run", "run": name, "outcome": "error",
                            "detail": f"the run of {name} stopped with exit code {r.returncode} before the end "
                                      "(a crash, os._exit, or the memory limit)"})
        elif not records and r.returncode not in (0, 5):
            records.append({"nodeid": name, "kind": "run", "run": name, "outcome": "error",
                            "detail": "the run ended before any check finished:\n" + clean(r.log)[-3000:]})
        results.records.extend(records)
    return results


def quick_environment(run: str, options: Options) -> dict:
    """A self-check's settings (see `Options.quick`); a grade keeps the full tests and a fresh cache."""
    if not options.quick:
        return {}
    quick = {"NUMBA_CACHE_DIR": ""}  # numba's default: __pycache__ beside each kernel's source file
    if run == "tests":
        quick["HYPOTHESIS_PROFILE"] = "check"
    return quick


def cuda_environment(run: str) -> dict:
    """What a run needs to reach the CUDA kernels: the simulator, unless a GPU is declared."""
    if run != "tests-cuda":
        return {}
    if os.environ.get("AUTOGRAD_TEST_CUDA") == "1":
        return {"AUTOGRAD_TEST_CUDA": "1", "HYPOTHESIS_PROFILE": "cuda"}
    return {"NUMBA_ENABLE_CUDASIM": "1", "HYPOTHESIS_PROFILE": "cuda"}


def run_of_test(pattern: str) -> str:
    """The name of the pytest run that runs the tests of catalogue pattern ``pattern``."""
    return "tests-cuda" if pattern.split("::")[0] in CUDA_TEST_FILES else "tests"


def _relative(path: str, code: pathlib.Path) -> str:
    try:
        return pathlib.Path(path).resolve().relative_to(code.resolve()).as_posix()
    except ValueError:
        return path


def _belongs(task: Task, rec: dict) -> bool:
    kind = rec.get("kind")
    if kind == "cell":
        return any(c.notebook == rec.get("notebook") and c.cell_id == rec.get("cell_id") for c in task.cells)
    if kind == "test":
        return any(test_matches(p, rec["nodeid"]) for p in task.tests)
    if kind == "collect":
        return any(p.split("::")[0] == rec["nodeid"].split("::")[0] for p in task.tests)
    if kind == "run":
        run = rec.get("run")
        return any(c.notebook == run for c in task.cells) or any(run_of_test(p) == run for p in task.tests)
    return False


def score(task: Task, results: Results) -> Outcome:
    """The task's status from its checks' records, with the first failing cell attached."""
    outcome = _score(task, results)
    if outcome.status != "passed":
        outcome.first_cell = next((r for r in results.records if r.get("kind") == "cell" and _belongs(task, r)
                                   and r.get("outcome") == "failed"), None)
    return outcome


def _score(task: Task, results: Results) -> Outcome:
    """The rules, in order: every check passed -> passed; a run that hit its wall-clock limit before
    some of the task's checks -> timeout; else by the first failing check: a dead kernel or megabytes
    of output -> error, a cell or test past its limit -> timeout, the task's own stub -> missing,
    another task's stub -> failed (naming it), an assertion or an output that differs -> failed,
    any other exception (import errors included) -> error."""
    mine = [r for r in results.records if _belongs(task, r) and r.get("kind") != "run"]
    done = {(r.get("notebook"), r.get("cell_id")) for r in mine if r.get("kind") == "cell"}
    done_tests = [r["nodeid"] for r in mine if r.get("kind") == "test"]
    checks = len([r for r in mine if r.get("kind") in ("cell", "test")])
    missing_cells = [c for c in task.cells if (c.notebook, c.cell_id) not in done]
    missing_tests = [p for p in task.tests if not any(test_matches(p, n) for n in done_tests)]
    not_run = [str(c) for c in missing_cells] + missing_tests
    # A whole run that timed out or stopped counts only for the tasks that lost checks in it.
    lost_runs = {c.notebook for c in missing_cells} | {run_of_test(p) for p in missing_tests}
    run_records = [r for r in results.records if r.get("kind") == "run" and r.get("run") in lost_runs]
    bad = [r for r in mine if r.get("outcome") in ("failed", "error", "timeout")] + run_records
    run_timeouts = [r for r in run_records if r["outcome"] == "timeout"]
    if not bad and not not_run:
        return Outcome("passed", f"{checks} checks passed", None, checks)
    if run_timeouts and not_run:
        first = next((r for r in bad if r.get("kind") != "run"), run_timeouts[0])
        return Outcome("timeout", run_timeouts[0]["detail"], first, checks)
    if not bad:
        # Nothing failed, but some checks never reported: the run ended under them.
        return Outcome("error", "these checks did not run: " + ", ".join(not_run[:5]), None, checks)
    first = bad[0]
    text = clean(first.get("detail", ""))
    if first.get("kernel_died"):
        return Outcome("error", _where(first) + "the notebook kernel died (a crash, or the memory limit)", first, checks)
    if first.get("timeout") or first.get("exc") == "TestTimeout" or first.get("outcome") == "timeout":
        return Outcome("timeout", _where(first) + "ran past the time limit", first, checks)
    if first.get("produced_size", 0) >= 1_000_000:
        return Outcome("error", _where(first) + f"printed {first['produced_size'] / 1e6:.1f} MB", first, checks)
    stubs = {m for r in bad for m in STUB.findall(clean(r.get("detail", "")))}
    if task.id in stubs:
        return Outcome("missing", f"task {task.id} is not implemented yet (its stub raises NotImplementedError)", first, checks)
    if stubs:
        need = ", ".join(sorted(stubs))
        return Outcome("failed", _where(first) + f"needs task {need}, which is not implemented yet", first, checks)
    if first.get("kind") in ("collect", "run"):
        return Outcome("error", _where(first) + _last_line(text), first, checks)
    if first.get("kind") == "cell":
        if "Cell outputs differ" in text:
            return Outcome("failed", _where(first) + "the output differs from the reference", first, checks)
        return Outcome("error" if "AssertionError" not in text else "failed", _where(first) + _error_line(text), first, checks)
    # A test that asserts and is wrong failed; a test that raised anything else hit an error.
    status = "failed" if first.get("exc", "") in ("AssertionError", "Failed") else "error"
    return Outcome(status, _where(first) + _error_line(text), first, checks)


def _where(rec: dict) -> str:
    if rec.get("kind") == "cell":
        return f"{rec.get('notebook')} cell {rec.get('cell_index')} (id {rec.get('cell_id')}): "
    return f"{rec.get('nodeid')}: "


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip()[:300] if lines else ""


def _error_line(text: str) -> str:
    """The exception line of a traceback (``E   ValueError: ...`` in pytest, ``Name: msg`` in nbval)."""
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("E ") and s[1:].strip():
            return s[1:].strip()[:300]
    for line in reversed(text.splitlines()):
        if re.match(r"^\w*(Error|Exception|Interrupt)\b", line.strip()):
            return line.strip()[:300]
    return _last_line(text)
