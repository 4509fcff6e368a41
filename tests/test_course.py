"""The course tools on the real repository: catalogue, markers, release, tag; and check on the tiny course."""

from __future__ import annotations

import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

from course import catalogue as cat_mod
from course.checker import check_tasks
from course.grade import grade
from course.release import release
from course.runner import Options
from course.tagging import tag_notebooks

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from course_fixture import edit, make_course  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
BEGIN = re.compile(r"^\s*### BEGIN SOLUTION task-(\d+\.\d+)\s*$")


@pytest.fixture(scope="module")
def cat():
    return cat_mod.load(ROOT)


# ## The catalogue and the markers agree with the repository


def test_catalogue_lists_minitorch_tasks_in_order_with_the_fields(cat):
    ids = [t.id for t in cat]
    assert ids[0] == "0.1" and ids[-1] == "4.5"
    assert {"0.1", "0.3", "0.4", "1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "4.1", "4.4"} <= set(ids)
    for t in cat:
        assert t.title and t.hint and t.points > 0 and t.see


def test_every_marked_task_has_regions_and_every_region_a_marked_task(cat):
    regions = cat_mod.find_regions(ROOT)
    assert cat_mod.check_markers(cat, regions) == []
    marked = {r.task for r in regions}
    assert marked == {t.id for t in cat if t.regions == "marked"}
    assert not [t.id for t in cat if t.pending], "every task has its regions marked, or is a notebook task"
    assert {t.id for t in cat if t.notebook} == {"0.2", "1.5", "2.5", "3.5", "4.5"}
    library = ("operators", "module", "scalar", "autodiff", "tensor_data", "tensor_ops", "tensor_functions",
               "cpu_kernels", "cuda_kernels", "conv_ops", "fast_conv", "nn")
    assert {r.path for r in regions} == {f"autograd/{m}.py" for m in library}


def test_every_function_of_a_marked_task_has_its_body_in_a_region(cat):
    import ast

    def functions_in(tree, owner):
        # ``module.function`` (the owner is a file of the library) or ``Class.method``
        if not owner or (ROOT / "autograd" / f"{owner[0]}.py").is_file():
            return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
        classes = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == owner[0]]
        return [n for c in classes for n in c.body if isinstance(n, ast.FunctionDef)]

    regions = cat_mod.find_regions(ROOT)
    for t in cat:
        if t.regions != "marked":
            assert not t.functions, f"task {t.id} is {t.regions}: its work is not a library body"
            continue
        assert t.functions, f"task {t.id} names no function"
        for name in t.functions:
            *owner, fn = name.split(".")
            found = False
            for path in {r.path for r in regions if r.task == t.id}:
                if owner and (ROOT / "autograd" / f"{owner[0]}.py").is_file() and path != f"autograd/{owner[0]}.py":
                    continue
                tree = ast.parse((ROOT / path).read_text())
                nodes = [n for n in functions_in(tree, owner) if n.name == fn]
                for node in nodes:
                    found |= any(r.task == t.id and r.path == path and node.lineno <= r.begin < node.end_lineno
                                 for r in regions)
            assert found, f"task {t.id}: {name} has no solution region"


def test_catalogue_tests_and_cells_exist(cat):
    from course.runner import CUDA_TEST_FILES, cuda_environment

    files = cat.test_files()
    nodeids = []
    # the CUDA tests collect where the grader runs them: under numba's simulator (their own run)
    for run, group in (("tests", [f for f in files if f not in CUDA_TEST_FILES]),
                       ("tests-cuda", [f for f in files if f in CUDA_TEST_FILES])):
        env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", **cuda_environment(run)}
        out = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *group],
                             cwd=ROOT, capture_output=True, text=True, env=env)
        found = [line for line in out.stdout.splitlines() if "::" in line]
        assert found, out.stdout + out.stderr
        nodeids += found
    for t in cat:
        for pattern in t.tests:
            assert any(cat_mod.test_matches(pattern, n) for n in nodeids), f"task {t.id}: no test matches {pattern}"
    for t in cat:
        for ref in t.cells:
            nb = json.loads((ROOT / ref.notebook).read_text())
            assert ref.cell_id in {c.get("id") for c in nb["cells"] if c["cell_type"] == "code"}, str(ref)
    for f in cat.support:
        assert (ROOT / f).is_file()


def test_dependents_follow_depends(cat):
    for t in cat:
        for d in t.depends:
            assert t.id in cat.dependents(d)
    assert cat.dependents("2.1")[:4] == ["2.1", "2.2", "2.3", "2.4"]
    assert "1.1" not in cat.dependents("2.1")


def test_task_selection(cat):
    assert [t.id for t in cat.select("2.1-2.4")] == ["2.1", "2.2", "2.3", "2.4"]
    assert [t.id for t in cat.select("0.3,1.1")] == ["0.3", "1.1"]
    assert [t.id for t in cat.select("1")] == ["1.1", "1.2", "1.3", "1.4", "1.5"]
    with pytest.raises(cat_mod.CatalogueError, match="no task '9.9'"):
        cat.select("9.9")


def test_test_patterns():
    m = cat_mod.test_matches
    assert m("tests/a.py", "tests/a.py::t[x]")
    assert m("tests/a.py::t", "tests/a.py::t[simple-neg]") and not m("tests/a.py::t", "tests/a.py::t2")
    assert m("tests/a.py::t[simple]", "tests/a.py::t[simple-neg]")
    assert not m("tests/a.py::t[simple]", "tests/a.py::t[fast-neg]")
    assert m("tests/a.py::t_*", "tests/a.py::t_x") and not m("tests/b.py::t_*", "tests/a.py::t_x")


def test_malformed_markers_are_named(tmp_path):
    (tmp_path / "autograd").mkdir()
    bad = tmp_path / "autograd" / "x.py"
    bad.write_text("def f():\n    ### BEGIN SOLUTION task-1.1\n    return 1\n")
    with pytest.raises(cat_mod.CatalogueError, match=r"x.py:2: BEGIN SOLUTION task-1.1 is never closed"):
        cat_mod.find_regions(tmp_path)
    bad.write_text("def f():\n    return 1\n    ### END SOLUTION\n")
    with pytest.raises(cat_mod.CatalogueError, match="END SOLUTION without a BEGIN"):
        cat_mod.find_regions(tmp_path)


def test_the_library_does_not_import_the_course_tools():
    out = subprocess.run([sys.executable, "-c", "import sys, autograd, diagrams; print('course' in sys.modules)"],
                         cwd=ROOT, capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr


# ## The student edition of the real repository


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    base = tmp_path_factory.mktemp("edition")
    release(ROOT, base / "a", "0.1-2.4", quiet=True)
    release(ROOT, base / "b", "0.1-2.4", quiet=True)
    return base / "a", base / "b"


def _files(folder: pathlib.Path):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def _region_lines(tasks):
    """Every stripped line inside a released region, and the same for the code outside them (read here
    with a plain loop, independently of the release code)."""
    inside, outside = set(), set()
    for path in sorted((ROOT / "autograd").glob("*.py")):
        current = None
        for line in path.read_text().splitlines():
            m = BEGIN.match(line)
            if m:
                current = m.group(1)
                continue
            if line.strip() == "### END SOLUTION":
                current = None
                continue
            (inside if current in tasks else outside).add(line.strip())
    # Lines the rest of the reference repository has too (``continue``, ``return out``) reveal nothing.
    for path in sorted(ROOT.glob("*/*.py")):
        if path.parent.name != "autograd":
            outside.update(line.strip() for line in path.read_text(errors="replace").splitlines())
    for path in sorted(ROOT.glob("notebooks/**/*.ipynb")):  # what the notebooks' own code shows (read as JSON)
        for cell in json.loads(path.read_text())["cells"]:
            outside.update(line.strip() for line in "".join(cell.get("source", "")).splitlines())
    return inside, outside


def _notebook_strings(value):
    """Every string in a notebook's JSON (sources, outputs, metadata)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        if all(isinstance(v, str) for v in value):
            yield "".join(value)
        else:
            for v in value:
                yield from _notebook_strings(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _notebook_strings(v)


def test_release_is_deterministic(edition):
    a, b = edition
    assert _files(a) == _files(b)
    for rel in _files(a):
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def test_no_line_of_a_released_region_is_in_the_edition(edition, cat):
    a, _ = edition
    released = json.loads((a / "course" / "release.json").read_text())["released"]
    assert released == ["0.1", "0.3", "0.4", "1.1", "1.2", "1.3", "1.4", "1.5", "2.1", "2.2", "2.3", "2.4"]
    assert json.loads((a / "course" / "release.json").read_text())["kept"] == ["0.2"]  # nothing to stub
    inside, outside = _region_lines(set(released))
    secret = {line for line in inside - outside if line and not line.startswith("#")}
    assert len(secret) > 50
    for rel in _files(a):
        text = (a / rel).read_text(errors="replace")
        if rel.endswith(".ipynb"):
            text = "\n".join(_notebook_strings(json.loads(text)))
        lines = {line.strip() for line in text.splitlines()}
        leaked = secret & lines
        assert not leaked, f"{rel} contains solution lines: {sorted(leaked)[:3]}"
    assert "### BEGIN SOLUTION task-2.1" not in (a / "autograd" / "tensor_data.py").read_text()


def test_stubs_raise_with_the_task_title_and_where_to_read(edition):
    a, _ = edition
    code = ("import autograd.tensor_data as t, numpy as np\n"
            "try:\n    t.index_to_position(np.array([1]), np.array([1]))\nexcept NotImplementedError as e:\n    print(e)")
    out = subprocess.run([sys.executable, "-c", code], cwd=a, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(a)})
    assert out.stdout.strip() == "Task 2.1: Tensor indexing and permute — see notebooks/module2/1-tensors.ipynb", out.stderr


def test_later_modules_keep_their_solutions_and_the_edition_has_its_extras(edition):
    a, _ = edition
    for later in ("cpu_kernels.py", "cuda_kernels.py", "nn.py", "conv_ops.py"):
        assert (a / "autograd" / later).read_bytes() == (ROOT / "autograd" / later).read_bytes(), later
    for rel in ("README.md", "Makefile", ".github/workflows/classroom.yml", "tests/conftest.py",
                "notebooks/module2/1-tensors.ipynb", "notebooks/sanitize.cfg"):
        assert (a / rel).is_file(), rel
    assert not (a / "tests" / "test_project.py").exists()  # developer tests stay out
    workflow = (a / ".github" / "workflows" / "classroom.yml").read_text()
    assert "autograd-course check 2.1" in workflow and "max-score: 4" in workflow
    assert "2.1" in (a / "README.md").read_text() and "make check" in (a / "README.md").read_text()


def test_a_later_module_release_keeps_earlier_solutions(tmp_path):
    release(ROOT, tmp_path / "m2", "2.1-2.2", quiet=True)
    assert (tmp_path / "m2" / "autograd" / "operators.py").read_text() == (ROOT / "autograd" / "operators.py").read_text()
    with pytest.raises(FileExistsError):
        release(ROOT, tmp_path / "m2", "2.1", quiet=True)


def test_revealing_outputs_are_hidden_but_the_cell_still_runs(tmp_path):
    ref = make_course(tmp_path / "ref")
    nb_path = ref / "notebooks" / "tiny.ipynb"
    nb = json.loads(nb_path.read_text())
    # a cell that prints the solution's source, as 3-operations does with inspect.getsource
    nb["cells"].append({"cell_type": "code", "execution_count": 7, "id": "c-source", "metadata": {},
                        "source": "import inspect, autograd.ops\nprint(inspect.getsource(autograd.ops.double))",
                        "outputs": [{"name": "stdout", "output_type": "stream",
                                     "text": "def double(x):\n    twice = x + x\n    return twice\n"}]})
    nb_path.write_text(json.dumps(nb, indent=1, sort_keys=True) + "\n")
    release(ref, tmp_path / "rel", "1.1", quiet=True)
    cells = {c["id"]: c for c in json.loads((tmp_path / "rel" / "notebooks" / "tiny.ipynb").read_text())["cells"]}
    assert cells["c-source"]["outputs"] == [] and cells["c-source"]["execution_count"] is None
    assert "task 1.1" in cells["c-source"]["metadata"]["course"]["note"]
    assert cells["c-double"]["outputs"]  # outputs that reveal nothing stay: nbval checks them
    assert "twice = x + x" not in (tmp_path / "rel" / "notebooks" / "tiny.ipynb").read_text()


# ## Tagging the notebooks from the catalogue (on a copy: the notebooks are not ours to edit)


def test_tag_writes_the_catalogue_tags_and_nothing_else(tmp_path, cat):
    copy = tmp_path / "repo"
    shutil.copytree(ROOT / "notebooks", copy / "notebooks")
    shutil.copytree(ROOT / "course", copy / "course", ignore=shutil.ignore_patterns("__pycache__"))
    # The saved notebooks are tagged already (test below): start from a copy without task tags.
    for path in sorted((copy / "notebooks").rglob("*.ipynb")):
        nb = json.loads(path.read_text())
        for c in nb["cells"]:
            tags = [t for t in c.get("metadata", {}).get("tags", []) if not t.startswith("task-")]
            if tags:
                c["metadata"]["tags"] = tags
            else:
                c.get("metadata", {}).pop("tags", None)
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n")
    before = {p: json.loads(p.read_text()) for p in sorted((copy / "notebooks").rglob("*.ipynb"))}
    changes = tag_notebooks(copy, cat)
    assert changes
    for path, old in before.items():
        new = json.loads(path.read_text())
        rel = path.relative_to(copy).as_posix()
        for c_old, c_new in zip(old["cells"], new["cells"]):
            tags = c_new["metadata"].get("tags", [])
            expected = [f"task-{t}" for t in cat.tasks_of_cell(rel, c_new.get("id"))]
            assert [t for t in tags if t.startswith("task-")] == expected
            # stale task-* tags are removed (see course/tagging.py); every other tag is kept as it was
            assert [t for t in tags if not t.startswith("task-")] == [t for t in c_old["metadata"].get("tags", []) if not t.startswith("task-")]
            strip = lambda c: {**c, "metadata": {k: v for k, v in c["metadata"].items() if k != "tags"}}  # noqa: E731
            assert strip(c_new) == strip(c_old)
    assert tag_notebooks(copy, cat) == []  # a second run changes nothing
    cell = json.loads((copy / "notebooks/module2/1-tensors.ipynb").read_text())["cells"]
    assert next(c for c in cell if c.get("id") == "124d5169")["metadata"]["tags"] == ["task-2.1"]


def test_the_saved_notebooks_carry_the_catalogue_tags(cat):
    assert tag_notebooks(ROOT, cat, write=False) == [], "run `autograd-course tag` after editing the catalogue"


# ## check on the tiny course: pass, or the first failure with the hint, never the answer


def test_check_passes_on_the_reference_and_names_failure_and_hint(tmp_path, capsys):
    ref = make_course(tmp_path / "ref")
    lines = []
    assert check_tasks(["1.3"], ref, Options(timeout=60), out=lines.append)
    assert lines == ["Task 1.3 (Negate): pass (3 checks)"]
    pic = tmp_path / "pic"
    shutil.copytree(ref, pic)
    edit(pic, "autograd/ops.py", "minus_x = 0 - x", "minus_x = 0 - x if x > 0 else 7")
    lines = []
    assert not check_tasks(["1.3"], pic, Options(timeout=60), out=lines.append)
    text = "\n".join(lines)
    assert lines[0] == "Task 1.3 (Negate): failed"
    assert "c-picture" in text and "hint: Subtract from zero." in text
    assert "<svg" not in text and 'width="5"' not in text  # the reference picture is never shown


def test_check_one_liner_for_notebooks(tmp_path, capsys):
    import course

    ref = make_course(tmp_path / "ref")
    assert course.check("1.1", root=str(ref)) is None  # the verdict is printed, not shown twice
    assert capsys.readouterr().out.splitlines() == ["Task 1.1 (Double): pass"]


def test_real_repo_reference_passes_and_its_release_misses_only_the_released_task(tmp_path):
    release(ROOT, tmp_path / "student", "0.3", quiet=True)
    reports = grade([str(ROOT), str(tmp_path / "student")], str(tmp_path / "out"), str(ROOT), "0.1,0.3", jobs=2,
                    options=Options(timeout=240), quiet=True)
    by = {r["submission"]: {k: v["status"] for k, v in r["tasks"].items()} for r in reports}
    assert by[ROOT.name] == {"0.1": "passed", "0.3": "passed"}
    assert by["student"] == {"0.1": "passed", "0.3": "missing"}


def test_check_finds_the_course_from_a_copy_of_a_notebook_folder(tmp_path):
    # JupyterLab in the browser tests serves a copy of the notebooks: check() there must still
    # find the catalogue of the checkout it was installed from.
    from course.checker import find_root

    assert find_root(tmp_path) == ROOT
