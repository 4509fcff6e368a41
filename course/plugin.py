"""pytest plugin the course tools load into every check and grading run (``-p course_plugin``).

It is copied next to the sandbox's ``sitecustomize.py`` and imports nothing from the course
package (only ``patterns.py``, copied with it), so a submission cannot change it by editing its own ``course/``. For every test and
every nbval cell it appends one JSON line to ``$COURSE_RESULTS``: outcome, a short detail, and
for notebook cells the expected and produced outputs (text trimmed, pictures whole), written as
soon as the item ends, so a run killed by the wall-clock limit still leaves what it finished.

``$COURSE_SELECT`` (a JSON list of catalogue test patterns) deselects the other tests, and
``$COURSE_TEST_TIMEOUT`` seconds limit each test (SIGALRM: an endless Python loop ends as a timeout).
"""

from __future__ import annotations

import json
import os
import signal

import pytest
from course_patterns import test_matches  # course/patterns.py, copied beside this file

MAX_TEXT = 4000
MAX_OUTPUT = 1_000_000  # bytes of output a cell may produce before it counts as "printed megabytes"


class TestTimeout(BaseException):
    """Raised in a test that runs past ``$COURSE_TEST_TIMEOUT`` (BaseException: `except Exception` won't swallow it)."""


def _write(record: dict) -> None:
    path = os.environ.get("COURSE_RESULTS")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")


def _trim(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[:limit] + f"\n... ({len(text) - limit} more characters)"


def _outputs(outputs) -> list:
    """Outputs reduced to what a report shows: text trimmed, pictures kept, sizes noted."""
    out = []
    for o in outputs or []:
        o = dict(o)
        kind = o.get("output_type")
        entry = {"type": kind}
        if kind == "stream":
            text = "".join(o.get("text", "")) if isinstance(o.get("text"), list) else str(o.get("text", ""))
            entry["size"] = len(text)
            entry["text"] = _trim(text)
        elif kind == "error":
            entry["text"] = _trim(f"{o.get('ename')}: {o.get('evalue')}")
            entry["size"] = len(entry["text"])
        else:
            data = dict(o.get("data", {}))
            size = 0
            for mime, value in data.items():
                value = "".join(value) if isinstance(value, list) else str(value)
                size += len(value)
                if mime == "text/plain":
                    entry["text"] = _trim(value)
                elif mime in ("image/svg+xml", "image/png") and len(value) < 400_000:
                    entry[mime] = value
            entry["size"] = size
        out.append(entry)
    return out


def pytest_sessionstart(session):
    """No shrinking of failing hypothesis examples in a check or grading run.

    Shrinking re-runs a failing test on smaller and smaller inputs: with a stub (or another task's
    stub) that fails on every input, a gradient check over random shapes spent two minutes there
    (test_nn's pooling gradients with task 4.4 stubbed), for an example nobody reads but the
    first line of. The profile is loaded here, after conftest.py chose its own, before the test
    modules are imported (their ``settings(...)`` and ``@given`` read the default then).
    """
    try:
        from hypothesis import Phase, settings
    except ImportError:
        return
    current = settings.default
    settings.register_profile("course-no-shrink", parent=current,
                              phases=tuple(p for p in current.phases if p != Phase.shrink))
    settings.load_profile("course-no-shrink")


def pytest_collection_modifyitems(config, items):
    select = os.environ.get("COURSE_SELECT")
    if not select:
        return
    patterns = json.loads(select)
    keep, drop = [], []
    for item in items:
        is_cell = item.nodeid.split("::")[0].endswith(".ipynb")
        (keep if is_cell or any(test_matches(p, item.nodeid) for p in patterns) else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_collectreport(report):
    if report.failed:
        _write({"nodeid": report.nodeid, "kind": "collect", "outcome": "error",
                "detail": _trim(str(report.longrepr)), "exc": "CollectError"})


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    seconds = int(os.environ.get("COURSE_TEST_TIMEOUT", "0") or 0)
    is_cell = hasattr(item, "cell")
    if seconds and not is_cell and hasattr(signal, "SIGALRM"):
        def expire(signum, frame):
            raise TestTimeout(f"the test ran longer than {seconds} s")

        previous = signal.signal(signal.SIGALRM, expire)
        signal.alarm(seconds)
        try:
            yield
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
    else:
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" or (report.when == "setup" and not report.passed):
        record = {"nodeid": item.nodeid, "outcome": report.outcome, "phase": report.when}
        if hasattr(item, "cell"):
            cell = item.cell
            record.update(kind="cell", notebook=str(item.parent.fspath), cell_id=cell.get("id", ""),
                          cell_index=getattr(item, "cell_num", None), source=_trim(cell.source, 1500))
            got = getattr(item, "test_outputs", None) or []
            produced = _outputs(got)
            record["produced_size"] = sum(o.get("size", 0) for o in produced)
            if report.failed:
                record["expected"] = _outputs(cell.get("outputs", []))
                record["got"] = produced if record["produced_size"] < MAX_OUTPUT else []
        else:
            record["kind"] = "test"
        if getattr(report, "wasxfail", None) is not None and hasattr(item, "cell"):
            # nbval marks the cells after a dead or stuck kernel as expected failures: not a pass.
            record["outcome"] = "failed"
            record["exc"] = "NotRun"
            record["detail"] = "not run: the notebook's kernel had stopped at an earlier cell"
            _write(record)
            return
        if report.failed:
            exc = call.excinfo
            record["exc"] = exc.typename if exc is not None else ""
            if exc is not None and exc.errisinstance(TestTimeout):
                record["exc"] = "TestTimeout"
            text = str(report.longrepr)
            if hasattr(item, "cell"):
                # nbval's message: the cell's traceback, or "Cell outputs differ" and the comparison
                record["timeout"] = "Timeout of" in text and "exceeded" in text
                kernel = getattr(item.parent, "kernel", None)
                try:
                    alive = kernel is None or kernel.is_alive()
                except Exception:
                    alive = False
                record["kernel_died"] = not alive or "Kernel dead" in text or "Kernel died" in text
            record["not_implemented"] = "NotImplementedError" in text
            record["detail"] = _trim(text)
        _write(record)
