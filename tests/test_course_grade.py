"""The grader on a tiny course (tests/course_fixture.py): statuses, restoring, reports, limits.

One batch grades every kind of submission at once (-j 2), so the whole file costs about two
grading runs per submission of a three-line library, not a real course.
"""

from __future__ import annotations

import csv
import json
import pathlib
import shutil
import subprocess
import sys
import time
import zipfile

import pytest

from course import catalogue, sandbox
from course.grade import grade
from course.release import release
from course.runner import Options

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from course_fixture import edit, make_course  # noqa: E402

LIMIT = 60  # seconds per run in these tests (a loaded CI machine needs seconds to start a kernel)
CELL_LIMIT = 4


def _variant(base: pathlib.Path, ref: pathlib.Path, name: str, *edits) -> pathlib.Path:
    dest = base / name
    shutil.copytree(ref, dest)
    for rel, old, new in edits:
        edit(dest, rel, old, new)
    return dest


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("course")
    ref = make_course(base / "ref")
    subs = {"reference": ref}
    release(ref, base / "untouched", "1.1-1.4", quiet=True)
    subs["untouched"] = base / "untouched"
    subs["wrong"] = _variant(base, ref, "wrong", ("autograd/ops.py", "twice = x + x", "twice = x * 3"))
    subs["loop"] = _variant(base, ref, "loop", ("autograd/ops.py", "minus_x = 0 - x", "while True:\n        pass"))
    subs["crash"] = _variant(base, ref, "crash", ("autograd/ops.py", "minus_x = 0 - x", "import os; os._exit(3)"))
    subs["loud"] = _variant(base, ref, "loud",
                            ("autograd/ops.py", "minus_x = 0 - x", 'print("x" * 3_000_000); minus_x = -x'))
    subs["broken"] = _variant(base, ref, "broken", ("autograd/ops.py", "def negate(x):", "def negate(x) oops:"))
    cheat = _variant(base, ref, "cheat", ("tests/test_ops.py", "assert negate(3) == -3", "assert True"),
                     ("autograd/ops.py", "minus_x = 0 - x", "minus_x = x"))
    (cheat / "notebooks" / "tiny.ipynb").unlink()
    # a conftest.py of its own would be loaded by pytest: it must be removed, not obeyed
    (cheat / "conftest.py").write_text("import pytest\n\n@pytest.hookimpl(tryfirst=True)\n"
                                       "def pytest_runtest_call(item):\n    raise SystemExit('cheat loaded')\n")
    subs["cheat"] = cheat
    # Wrong only for negative x: the text cell passes, the picture cell (negate(-5)) differs.
    subs["pic"] = _variant(base, ref, "pic", ("autograd/ops.py", "minus_x = 0 - x", "minus_x = 0 - x if x > 0 else 7"))
    # The reference again, as a zip of its folder (as a student would upload it).
    with zipfile.ZipFile(base / "zipped.zip", "w") as z:
        for p in sorted(ref.rglob("*")):
            if p.is_file():
                z.write(p, pathlib.Path("ref") / p.relative_to(ref))
    subs["zipped"] = base / "zipped.zip"
    out = base / "out"
    start = time.monotonic()
    reports = grade([str(p) for p in subs.values()], str(out), str(ref), jobs=2,
                    options=Options(timeout=LIMIT, cell_timeout=CELL_LIMIT), quiet=True)
    seconds = time.monotonic() - start
    return {r["submission"]: r for r in reports}, out, seconds, len(subs)


def statuses(report):
    return {k: v["status"] for k, v in report["tasks"].items()}


def test_reference_gets_full_marks_and_so_does_its_zip(graded):
    reports, _, _, _ = graded
    for name in ("ref", "zipped"):
        r = reports[name]
        assert statuses(r) == {"1.1": "passed", "1.2": "passed", "1.3": "passed"}, r
        assert r["total"] == r["max_total"] == 10
        assert r["modified"] == []


def test_the_untouched_release_gets_nothing_for_its_tasks(graded):
    r = graded[0]["untouched"]
    assert statuses(r) == {"1.1": "missing", "1.2": "missing", "1.3": "missing"}
    assert r["total"] == 0


def test_one_wrong_region_loses_exactly_the_tasks_that_depend_on_it(graded, tmp_path):
    r = graded[0]["wrong"]
    cat = catalogue.load(make_course(tmp_path / "c"))
    lost = {k for k, s in statuses(r).items() if s != "passed"}
    assert lost == set(cat.dependents("1.1")) - {"1.4"} == {"1.1", "1.2"}
    assert r["tasks"]["1.1"]["status"] == "failed"
    assert "63" in r["tasks"]["1.1"]["detail"]  # double(21) gave 63: the student's own wrong value
    assert r["total"] == 5


def test_an_endless_loop_is_a_timeout_and_the_other_tasks_still_pass(graded):
    r = graded[0]["loop"]
    assert statuses(r) == {"1.1": "passed", "1.2": "passed", "1.3": "timeout"}
    # the test's SIGALRM and nbval's cell limit end it: no run needed its wall-clock limit
    assert [run["timed_out"] for run in r["runs"]] == [False, False]
    assert "time limit" in r["tasks"]["1.3"]["detail"]


def test_a_crash_a_flood_of_output_and_a_syntax_error_are_errors_on_the_tasks_they_touch(graded):
    reports = graded[0]
    assert statuses(reports["crash"]) == {"1.1": "passed", "1.2": "passed", "1.3": "error"}
    assert statuses(reports["loud"]) == {"1.1": "passed", "1.2": "passed", "1.3": "error"}
    assert "MB" in reports["loud"]["tasks"]["1.3"]["detail"]
    assert statuses(reports["broken"]) == {"1.1": "error", "1.2": "error", "1.3": "error"}
    assert "SyntaxError" in reports["broken"]["tasks"]["1.1"]["detail"]


def test_edited_and_deleted_checks_are_restored_and_listed(graded):
    r = graded[0]["cheat"]
    assert r["modified"] == ["conftest.py", "notebooks/tiny.ipynb", "tests/test_ops.py"]
    # negate(x) = x is caught by the restored test and notebook, not waved through by the edited ones
    assert statuses(r) == {"1.1": "passed", "1.2": "passed", "1.3": "failed"}


def test_report_files(graded):
    reports, out, _, n = graded
    for name in reports:
        data = json.loads((out / name / "report.json").read_text())
        assert {"submission", "total", "max_total", "tasks", "modified"} <= set(data)
        for task in data["tasks"].values():
            assert {"status", "points", "max_points", "detail"} <= set(task)
            assert task["status"] in ("passed", "failed", "error", "timeout", "missing")
        gs = json.loads((out / name / "results.json").read_text())
        assert gs["score"] == data["total"] and len(gs["tests"]) == 3
    rows = list(csv.reader((out / "grades.csv").open()))
    assert rows[0][:4] == ["submission", "task 1.1", "task 1.2", "task 1.3"]
    assert len(rows) == n + 1
    assert {r[0]: r[4] for r in rows[1:]}["ref"] == "10"


def test_feedback_page_shows_a_text_diff_and_pictures_side_by_side_never_svg_source(graded):
    reports, out, _, _ = graded
    assert statuses(reports["pic"]) == {"1.1": "passed", "1.2": "passed", "1.3": "failed"}
    page = (out / "pic" / "feedback.html").read_text()
    assert "<svg" not in page
    assert "task-1.3-expected-0.svg" in page and "task-1.3-yours-0.svg" in page
    assert 'width="5"' in (out / "pic" / "task-1.3-expected-0.svg").read_text()
    assert 'width="7"' in (out / "pic" / "task-1.3-yours-0.svg").read_text()
    wrong = (out / "wrong" / "feedback.html").read_text()
    assert "Task 1.1" in wrong and "63" in wrong
    # the first mismatching cell as a short diff: the reference's 42, the student's 63
    assert "\n-42\n+63" in wrong


def test_batch_time_per_submission(graded):
    _, _, seconds, n = graded
    # recorded in the terminal output of `pytest -s`; the real measurement is in course/README.md
    print(f"\n{n} tiny submissions graded in {seconds:.1f} s with -j 2: {seconds / n:.1f} s each")
    assert seconds / n < LIMIT * 2  # every one of them finished, none ran into the outer limit twice


# ## The sandbox itself


def _sandboxed(tmp_path, code: str) -> sandbox.RunResult:
    folder = tmp_path / "run"
    folder.mkdir()
    sandbox.prepare(folder, "")
    env = sandbox.environment(folder, folder, folder / "results.jsonl", {})
    return sandbox.run([sys.executable, "-c", code], folder, env, 30, 2048, folder / "log.txt")


def test_the_sandbox_refuses_writes_outside_its_folder(tmp_path):
    outside = tmp_path / "outside.txt"
    r = _sandboxed(tmp_path, f"open({str(outside)!r}, 'w').write('x')")
    assert r.returncode != 0 and "PermissionError" in r.log
    assert not outside.exists()
    r = _sandboxed(tmp_path / "b" if (tmp_path / "b").mkdir() is None else tmp_path,
                   "import os; open(os.path.join(os.environ['HOME'], 'ok.txt'), 'w').write('x'); print('wrote')")
    assert r.returncode == 0 and "wrote" in r.log


def test_the_sandbox_has_no_network(tmp_path):
    r = _sandboxed(tmp_path, "import socket; socket.create_connection(('192.0.2.1', 80), timeout=3)")
    assert r.returncode != 0
    assert "PermissionError" in r.log or "Network is unreachable" in r.log


def test_the_sandbox_stops_at_the_wall_clock_limit(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    sandbox.prepare(folder, "")
    env = sandbox.environment(folder, folder, folder / "r.jsonl", {})
    start = time.monotonic()
    r = sandbox.run([sys.executable, "-c", "while True: pass"], folder, env, 2, 1024, folder / "log.txt")
    assert r.timed_out and time.monotonic() - start < 10


def test_the_command_line_grades_and_prints_a_table(tmp_path):
    ref = make_course(tmp_path / "ref")
    out = subprocess.run(
        [sys.executable, "-m", "course", "--root", str(ref), "grade", str(ref), "--out", str(tmp_path / "o"),
         "--tasks", "1.3", "--timeout", str(LIMIT)],
        capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "ref" in out.stdout and "1.3" in out.stdout and "5/5" in out.stdout
