"""The project as a whole: the right packages are imported, the set-up files agree, and `make lab` serves."""

from __future__ import annotations

import importlib.metadata
import json
import os
import pathlib
import re
import signal
import socket
import subprocess
import time
import tomllib
import urllib.request

import autograd
import diagrams

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_imported_packages_are_ours() -> None:
    # `autograd` and `diagrams` are also names of unrelated PyPI projects: make sure the
    # ones imported are this checkout's, installed by our distribution and nobody else's.
    for module in (autograd, diagrams):
        assert pathlib.Path(module.__file__).resolve().parent == ROOT / module.__name__
    providers = importlib.metadata.packages_distributions()
    assert set(providers["autograd"]) == {"autograd-notebooks"}
    assert set(providers["diagrams"]) == {"autograd-notebooks"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[;]", requirement.strip(), maxsplit=1)[0].lower()


def test_environment_yml_lists_the_same_packages_as_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        wanted |= {_name(r) for r in extra}

    listed = set()
    dependencies = (ROOT / "environment.yml").read_text().split("dependencies:", 1)[1]
    for line in dependencies.splitlines():
        item = re.match(r"^\s+- (\S+)\s*(#.*)?$", line)
        if item and not item.group(1).startswith("-") and item.group(1) != "pip:":
            listed.add(_name(item.group(1)))
    listed -= {"python", "pip"}
    assert "-e ." in (ROOT / "environment.yml").read_text()
    assert listed == wanted


def test_readme_opens_with_the_two_commands_and_ci_runs_the_second() -> None:
    readme = (ROOT / "README.md").read_text()
    first_block = re.search(r"```[a-z]*\n(.*?)```", readme, re.S).group(1).split("\n")
    commands = [line.split("#")[0].strip() for line in first_block if line.split("#")[0].strip()]
    assert commands == ["make lab", "make test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read()


def test_make_lab_serves_the_notebooks() -> None:
    port = _free_port()
    args = f"--no-browser --ip=127.0.0.1 --port={port} --ServerApp.token= --ServerApp.password="
    server = subprocess.Popen(
        ["make", "-s", "lab", f"LAB_ARGS={args}"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # so that we can stop make and jupyter together
    )
    try:
        deadline = time.monotonic() + 120
        status = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status, _ = _get(f"http://127.0.0.1:{port}/lab")
                break
            except OSError:
                time.sleep(0.5)
        assert status == 200, f"JupyterLab did not answer (exit code {server.poll()})"
        _, body = _get(f"http://127.0.0.1:{port}/api/contents")
        names = {item["name"] for item in json.loads(body)["content"]}
        assert "module2" in names
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def test_readme_api_tour_runs_and_its_comments_are_true() -> None:
    import ast

    code = re.search(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S).group(1)
    env: dict = {}
    exec(code, env)  # noqa: S102 - our own README
    checked = 0
    for line in code.splitlines():
        statement, _, comment = line.partition("#")
        # A line `expression  # value: words` claims that the expression equals value.
        try:
            claimed = ast.literal_eval(comment.split(":")[0].strip())
            ast.parse(statement.strip(), mode="eval")
        except (SyntaxError, ValueError):
            continue
        assert eval(statement.strip(), env) == claimed, line  # noqa: S307
        checked += 1
    assert checked >= 4
