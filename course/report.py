"""Grading reports: terminal table, report.json, an HTML feedback page, grades.csv, Gradescope results.json."""

from __future__ import annotations

import base64
import csv
import difflib
import html
import json
import pathlib
from typing import Dict, List, Sequence

from .catalogue import Task
from .runner import Outcome, Results, clean

STATUSES = ("passed", "failed", "error", "timeout", "missing")


def submission_report(name: str, tasks: Sequence[Task], outcomes: Dict[str, Outcome], modified: List[str],
                      results: Results, seconds: float) -> dict:
    task_reports = {}
    for t in tasks:
        o = outcomes[t.id]
        task_reports[t.id] = {
            "title": t.title,
            "status": o.status,
            "points": t.points if o.status == "passed" else 0.0,
            "max_points": t.points,
            "detail": o.detail,
        }
    total = sum(r["points"] for r in task_reports.values())
    return {
        "submission": name,
        "total": total,
        "max_total": sum(t.points for t in tasks),
        "tasks": task_reports,
        "modified": modified,
        "seconds": round(seconds, 2),
        "runs": [{"name": r.name, "timed_out": r.timed_out, "returncode": r.returncode, "seconds": round(r.seconds, 2)}
                 for r in results.runs],
    }


def unreadable(name: str, tasks: Sequence[Task], detail: str) -> dict:
    return {
        "submission": name, "total": 0.0, "max_total": sum(t.points for t in tasks), "modified": [], "seconds": 0.0,
        "runs": [],
        "tasks": {t.id: {"title": t.title, "status": "missing", "points": 0.0, "max_points": t.points, "detail": detail}
                  for t in tasks},
    }


def write_submission(folder: pathlib.Path, data: dict, outcomes: Dict[str, Outcome]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.json").write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    (folder / "feedback.html").write_text(feedback_html(data, outcomes, folder), encoding="utf-8")


# ## Terminal


def table_row(data: dict, tasks: Sequence[Task]) -> str:
    cells = " ".join(f"{t.id}:{data['tasks'][t.id]['status']}" for t in tasks)
    mod = f"  modified: {', '.join(data['modified'])}" if data["modified"] else ""
    return f"{data['submission']}: {data['total']:g}/{data['max_total']:g}  {cells}{mod}"


def table(reports: Sequence[dict], tasks: Sequence[Task]) -> str:
    header = ["submission"] + [t.id for t in tasks] + ["total", "modified"]
    rows = [header]
    for d in reports:
        rows.append([d["submission"]] + [_mark(d["tasks"][t.id]) for t in tasks]
                    + [f"{d['total']:g}/{d['max_total']:g}", str(len(d["modified"]))])
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _mark(task: dict) -> str:
    return f"{task['points']:g}" if task["status"] == "passed" else task["status"]


# ## Many submissions: grades.csv and Gradescope's results.json


def write_batch(out: pathlib.Path, reports: Sequence[dict], tasks: Sequence[Task]) -> None:
    with open(out / "grades.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["submission"] + [f"task {t.id}" for t in tasks] + ["total", "max_total", "modified"])
        for d in reports:
            w.writerow([d["submission"]] + [f"{d['tasks'][t.id]['points']:g}" for t in tasks]
                       + [f"{d['total']:g}", f"{d['max_total']:g}", " ".join(d["modified"])])
    for d in reports:
        (out / d["submission"] / "results.json").write_text(json.dumps(gradescope(d), indent=2) + "\n", encoding="utf-8")
    if len(reports) == 1:
        # Gradescope's autograder reads /autograder/results/results.json: one submission per run.
        (out / "results.json").write_text(json.dumps(gradescope(reports[0]), indent=2) + "\n", encoding="utf-8")


def gradescope(d: dict) -> dict:
    """Gradescope's autograder format: a score and one entry per task."""
    tests = []
    for task_id, t in sorted(d["tasks"].items(), key=lambda kv: tuple(int(x) for x in kv[0].split("."))):
        tests.append({
            "name": f"Task {task_id}: {t['title']}",
            "number": task_id,
            "score": t["points"],
            "max_score": t["max_points"],
            "status": "passed" if t["status"] == "passed" else "failed",
            "output": f"{t['status']}: {t['detail']}",
        })
    out = {"score": d["total"], "tests": tests, "visibility": "visible", "stdout_visibility": "hidden"}
    if d["modified"]:
        out["output"] = "Restored before grading (you changed or deleted them): " + ", ".join(d["modified"])
    return out


# ## The feedback page


def _text_of(outputs) -> str:
    parts = []
    for o in outputs or []:
        if "text" in o:
            parts.append(o["text"])
        elif "image/svg+xml" in o or "image/png" in o:
            parts.append("<picture>")
    return "\n".join(parts)


def _pictures(outputs) -> List[tuple]:
    found = []
    for o in outputs or []:
        if "image/svg+xml" in o:
            found.append(("svg", o["image/svg+xml"]))
        elif "image/png" in o:
            found.append(("png", o["image/png"]))
    return found


def short_diff(expected: str, got: str, lines: int = 30) -> str:
    diff = list(difflib.unified_diff(expected.splitlines(), got.splitlines(), "expected", "yours", lineterm="", n=1))
    if len(diff) > lines:
        diff = diff[:lines] + [f"... ({len(diff) - lines} more diff lines)"]
    return "\n".join(diff)


def feedback_html(data: dict, outcomes: Dict[str, Outcome], folder: pathlib.Path) -> str:
    e = html.escape
    rows, sections = [], []
    for task_id, t in sorted(data["tasks"].items(), key=lambda kv: tuple(int(x) for x in kv[0].split("."))):
        rows.append(f"<tr class='{e(t['status'])}'><td>{e(task_id)}</td><td>{e(t['title'])}</td>"
                    f"<td>{e(t['status'])}</td><td>{t['points']:g} / {t['max_points']:g}</td></tr>")
        if t["status"] == "passed":
            continue
        body = [f"<h2>Task {e(task_id)}: {e(t['title'])} — {e(t['status'])}</h2>", f"<p>{e(t['detail'])}</p>"]
        outcome = outcomes.get(task_id)
        first = outcome.first if outcome else None
        cell = outcome.first_cell if outcome else None
        if first and first.get("kind") != "cell":
            body.append(f"<pre class='error'>{e(_excerpt(first.get('detail', '')))}</pre>")
        if cell:
            body.extend(_cell_section(task_id, cell, folder))
        sections.append("\n".join(body))
    modified = ""
    if data["modified"]:
        items = "".join(f"<li><code>{e(m)}</code></li>" for m in data["modified"])
        modified = f"<h2>Restored before grading</h2><p>You changed or deleted these files:</p><ul>{items}</ul>"
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>Feedback: {e(data['submission'])}</title>
<style>
body {{ font-family: sans-serif; max-width: 60rem; margin: 2rem auto; }}
td, th {{ padding: 0.2rem 0.8rem; text-align: left; }}
tr.passed td:nth-child(3) {{ color: #1a7f37; }} tr.failed td:nth-child(3), tr.error td:nth-child(3),
tr.timeout td:nth-child(3), tr.missing td:nth-child(3) {{ color: #b3261e; }}
pre {{ background: #f6f6f6; padding: 0.5rem; overflow-x: auto; max-height: 24rem; }}
.pictures {{ display: flex; gap: 1rem; }} figure {{ margin: 0; flex: 1; }} img {{ max-width: 100%; border: 1px solid #ddd; }}
</style></head><body>
<h1>{e(data['submission'])}: {data['total']:g} / {data['max_total']:g}</h1>
<table><tr><th>task</th><th>what</th><th>status</th><th>points</th></tr>
{chr(10).join(rows)}
</table>
{modified}
{chr(10).join(sections)}
</body></html>
"""


def _cell_section(task_id: str, cell: dict, folder: pathlib.Path) -> List[str]:
    """The first failing cell: its source, then a short text diff and the two pictures, or its error."""
    e = html.escape
    body = [f"<p>Cell {cell.get('cell_index')} of <code>{e(str(cell.get('notebook')))}</code>:</p>",
            f"<pre class='source'>{e(cell.get('source', ''))}</pre>"]
    expected, got = cell.get("expected", []), cell.get("got", [])
    if "Cell outputs differ" not in clean(cell.get("detail", "")):
        body.append(f"<pre class='error'>{e(_excerpt(cell.get('detail', '')))}</pre>")
        return body
    diff = short_diff(_text_of(expected), _text_of(got))
    if diff:
        body.append(f"<pre class='diff'>{e(diff)}</pre>")
    pe, pg = _pictures(expected), _pictures(got)
    if pe or pg:
        body.append("<div class='pictures'>")
        for label, pics in (("expected", pe), ("yours", pg)):
            body.append(f"<figure><figcaption>{label}</figcaption>")
            for n, (kind, value) in enumerate(pics):
                name = f"task-{task_id}-{label}-{n}.{kind}"
                if kind == "svg":
                    (folder / name).write_text(value, encoding="utf-8")
                else:
                    (folder / name).write_bytes(base64.b64decode(value))
                body.append(f"<img src='{e(name)}' alt='{label} picture'>")
            if not pics:
                body.append("<p>(no picture)</p>")
            body.append("</figure>")
        body.append("</div>")
    return body


def _excerpt(detail: str, limit: int = 40) -> str:
    lines = clean(detail).splitlines()
    picked = [line for line in lines if line.startswith("E ")]
    lines = picked if picked else lines[-limit:]
    return "\n".join(lines[:limit])
