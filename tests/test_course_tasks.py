"""The student editions of Modules 2-4 (tasks 2.3-4.5), on small task subsets.

Each test releases a few tasks of the real repository and checks what a student gets: an edition
that imports, stubs that raise their task's message (from plain Python, from numba-compiled CPU
kernels, from CUDA kernels under the simulator), no solution line anywhere, and a check that
gives exactly the released tasks (and those that need them) no points.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest

from course import catalogue as cat_mod
from course.checker import check_tasks
from course.release import release
from course.runner import Options, cuda_environment, run_of_test

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from test_course import _files, _notebook_strings, _region_lines  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def cat():
    return cat_mod.load(ROOT)


def run_in(edition: pathlib.Path, code: str, **env: str) -> subprocess.CompletedProcess:
    """Run ``code`` with the edition's library first on the path (and a numba cache of its own)."""
    environ = {**os.environ, "PYTHONPATH": str(edition), "NUMBA_CACHE_DIR": str(edition / ".numba"), **env}
    return subprocess.run([sys.executable, "-c", code], cwd=edition, capture_output=True, text=True, env=environ)


def message(cat, task: str) -> str:
    return cat[task].stub_message()


# ## Module 2: releasing 2.3 keeps the rest of the library usable


def test_a_23_edition_imports_and_only_the_operations_raise(tmp_path, cat):
    release(ROOT, tmp_path / "ed", "2.3", quiet=True)
    code = """
import autograd
from autograd import tensor
t = tensor([[1.0, 2.0], [3.0, 4.0]])          # made, indexed and printed without any kernel
print(t.shape, t[0, 1], t._tensor.permute(1, 0).shape)
for name, op in [("add", lambda: t + t), ("sum", lambda: t.sum(0)), ("neg", lambda: -t),
                 ("permute", lambda: t.permute(1, 0))]:
    try:
        op()
        print(name, "ran")
    except NotImplementedError as e:
        print(name, e)
"""
    out = run_in(tmp_path / "ed", code)
    lines = out.stdout.splitlines()
    assert lines[0] == "(2, 2) 2.0 (2, 2)", out.stderr
    stub = message(cat, "2.3")
    assert lines[1:] == [f"add {stub}", f"sum {stub}", f"neg {stub}", f"permute {stub}"], out.stderr


# ## Module 3: numba-compiled stubs compile, and say their task


def test_a_31_edition_compiles_its_stubbed_kernels_and_they_raise_the_task_message(tmp_path, cat):
    release(ROOT, tmp_path / "ed", "3.1", quiet=True)
    kernels = (tmp_path / "ed" / "autograd" / "cpu_kernels.py").read_text()
    assert kernels.count(f"raise NotImplementedError({message(cat, '3.1')!r})") == 3
    code = """
from autograd import tensor
from autograd.fast_ops import FastBackend
a = tensor([1.0, 2.0], backend=FastBackend)
try:
    a + a
except NotImplementedError as e:
    print(type(e).__name__, e)
"""
    out = run_in(tmp_path / "ed", code)
    assert out.stdout.strip() == f"NotImplementedError {message(cat, '3.1')}", out.stderr
    assert "Traceback" not in out.stderr  # no numba typing error on the way


def test_cuda_stubs_say_their_task_under_the_simulator(tmp_path, cat):
    release(ROOT, tmp_path / "ed", "3.3-3.4", quiet=True)
    code = """
from autograd import cuda_kernels as k, cuda_ops, tensor
from autograd.cuda_ops import CudaBackend, mm_practice, sum_practice
a = tensor([1.0, 2.0], backend=CudaBackend)
m = tensor([[1.0, 2.0], [3.0, 4.0]], backend=CudaBackend)
for run in (lambda: a + a, lambda: a.sum(0), lambda: sum_practice(a), lambda: m @ m, lambda: mm_practice(m, m)):
    try:
        run()
        print("ran")
    except NotImplementedError as e:
        print(e)
print(cuda_ops._unwritten(k.mm_practice_kernel))
"""
    out = run_in(tmp_path / "ed", code, NUMBA_ENABLE_CUDASIM="1")
    s33, s34 = message(cat, "3.3"), message(cat, "3.4")
    # mm_practice first copies its inputs (contiguous(): a map, task 3.3), then runs its own kernel
    assert out.stdout.splitlines() == [s33, s33, s33, s34, s33, s34], out.stderr
    assert "3.3" in cat["3.4"].depends
    # check runs the CUDA tests in a run of their own, under the simulator: the verdict is the stub's
    lines = []
    assert not check_tasks(["3.4"], tmp_path / "ed", Options(timeout=240), out=lines.append, cells=False)
    assert lines[0] == "Task 3.4 (CUDA matrix multiplication): missing", "\n".join(lines)
    # The reference kernels are written: the launch check lets every one of them through.
    code = ("from autograd import cuda_kernels as k, cuda_ops\n"
            "print([cuda_ops._unwritten(f) for f in (k.map_kernel, k.zip_kernel, k.reduce_kernel, k.matmul_kernel,"
            " k.sum_practice_kernel, k.mm_practice_kernel)])")
    out = run_in(ROOT, code, NUMBA_ENABLE_CUDASIM="1", NUMBA_CACHE_DIR=str(tmp_path / "numba"))
    assert out.stdout.strip() == str([None] * 6), out.stderr


def test_cuda_tests_run_on_their_own_under_the_simulator():
    assert run_of_test("tests/test_cuda.py::test_mm_practice_full_block") == "tests-cuda"
    assert run_of_test("tests/test_fast_ops.py::test_maps_equal_simple_ops") == "tests"
    assert cuda_environment("tests") == {}
    if os.environ.get("AUTOGRAD_TEST_CUDA") != "1":
        assert cuda_environment("tests-cuda")["NUMBA_ENABLE_CUDASIM"] == "1"


# ## Module 4: a check of the released tasks gives exactly them (and those that need them) no points


def test_a_44_edition_misses_44_fails_43_which_needs_it_and_passes_41(tmp_path, cat):
    release(ROOT, tmp_path / "ed", "4.4", quiet=True)
    assert "4.4" in cat["4.3"].depends and "4.4" not in cat["4.1"].depends
    lines = []
    # tests only (cells=False): the verdicts are the tests', whatever notebooks the catalogue adds
    assert not check_tasks(["4.1", "4.3", "4.4"], tmp_path / "ed", Options(timeout=240), out=lines.append, cells=False)
    verdicts = [line for line in lines if line.startswith("Task ")]
    assert verdicts == ["Task 4.1 (1-D convolution): pass", "Task 4.3 (Pooling): failed",
                        "Task 4.4 (Softmax, max and dropout): missing"], "\n".join(lines)
    assert "needs task 4.4" in "\n".join(lines)


# ## No solution line of Modules 3 and 4 reaches the edition; every stubbed file still compiles


def test_no_solution_line_of_modules_3_and_4_is_in_their_edition(tmp_path):
    release(ROOT, tmp_path / "ed", "3.1-4.5", quiet=True)
    info = json.loads((tmp_path / "ed" / "course" / "release.json").read_text())
    assert info["released"] == ["3.1", "3.2", "3.3", "3.4", "4.1", "4.2", "4.3", "4.4"]
    assert info["kept"] == ["3.5", "4.5"]  # training tasks with no solution cell: nothing to stub
    inside, outside = _region_lines(set(info["released"]))
    secret = {line for line in inside - outside if line and not line.startswith("#")}
    assert len(secret) > 100
    for rel in _files(tmp_path / "ed"):
        text = (tmp_path / "ed" / rel).read_text(errors="replace")
        if rel.endswith(".ipynb"):
            text = "\n".join(_notebook_strings(json.loads(text)))
        if rel.endswith(".py"):
            compile(text, rel, "exec")
        leaked = secret & {line.strip() for line in text.splitlines()}
        assert not leaked, f"{rel} contains solution lines: {sorted(leaked)[:3]}"
    for rel in ("tensor_ops.py", "tensor_functions.py", "tensor_data.py", "operators.py"):  # Module 2 stays solved
        assert (tmp_path / "ed" / "autograd" / rel).read_bytes() == (ROOT / "autograd" / rel).read_bytes()


# ## Notebook tasks: the solution region of the task's cell is stubbed, its outputs kept


def test_a_notebook_task_is_stubbed_in_its_cell_and_keeps_the_reference_outputs(tmp_path, cat):
    release(ROOT, tmp_path / "ed", "1.5", quiet=True)
    ref = cat["1.5"].cells[0]
    assert cat["1.5"].notebook and not cat["1.5"].functions
    cells = {c.get("id"): c for c in json.loads((ROOT / ref.notebook).read_text())["cells"]}
    mine = {c.get("id"): c for c in json.loads((tmp_path / "ed" / ref.notebook).read_text())["cells"]}
    source = "".join(mine[ref.cell_id]["source"])
    assert f"    raise NotImplementedError({message(cat, '1.5')!r})" in source
    assert "BEGIN SOLUTION" not in source and "loss.backward()" not in source
    assert "losses.append(loss.data)" in source  # the lines around the region stay
    assert mine[ref.cell_id]["outputs"] == cells[ref.cell_id]["outputs"]  # nbval compares the student's run
    assert (tmp_path / "ed" / "autograd" / "module.py").read_bytes() == (ROOT / "autograd" / "module.py").read_bytes()
    with pytest.raises(cat_mod.CatalogueError, match="no task there has a solution region"):
        release(ROOT, tmp_path / "ed2", "0.2", quiet=True)
    assert cat_mod.cell_regions("a\n### BEGIN SOLUTION\nb\n### END SOLUTION\n") == [(1, 3, "")]
    with pytest.raises(cat_mod.CatalogueError, match="never closed"):
        cat_mod.cell_regions("  ### BEGIN SOLUTION task-1.5\nb\n")


# ## The grader: an untouched edition is not "modified", though the release hid some outputs


def test_notebooks_the_release_changed_are_not_called_modified(tmp_path, cat):
    from course.grade import protected_files, restore

    release(ROOT, tmp_path / "ed", "2.3", quiet=True)
    nb = "notebooks/module2/3-operations.ipynb"  # prints the source of tensor_map and Neg: outputs hidden
    assert (tmp_path / "ed" / nb).read_bytes() != (ROOT / nb).read_bytes()
    assert restore(tmp_path / "ed", ROOT, protected_files(ROOT, cat)) == []
    assert (tmp_path / "ed" / nb).read_bytes() == (ROOT / nb).read_bytes()  # the instructor's copy is graded
    release(ROOT, tmp_path / "ed2", "2.3", quiet=True)
    edited = (tmp_path / "ed2" / nb).read_text().replace('"execution_count": null', '"execution_count": 99', 1)
    (tmp_path / "ed2" / nb).write_text(edited)
    assert restore(tmp_path / "ed2", ROOT, protected_files(ROOT, cat)) == [nb]


def test_a_41_42_edition_raises_from_the_simple_loops_and_the_compiled_kernel(tmp_path, cat):
    release(ROOT, tmp_path / "ed", "4.1-4.2", quiet=True)
    code = """
from autograd import nn, tensor
from autograd.conv_ops import conv
from autograd.fast_ops import FastBackend
for backend in (None, FastBackend):
    x = tensor([[[[1.0, 2.0], [3.0, 4.0]]]], backend=backend) if backend else tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
    w = tensor([[[[1.0]]]], backend=backend) if backend else tensor([[[[1.0]]]])
    for run in (lambda: nn.conv2d(x, w), lambda: conv(x, w, (1, 1, 2, 2))):
        try:
            run()
            print("ran")
        except NotImplementedError as e:
            print(e)
"""
    out = run_in(tmp_path / "ed", code)
    s41, s42 = message(cat, "4.1"), message(cat, "4.2")
    # conv2d runs _ConvFun.forward (4.1) first; the kernel itself is 4.2's, Python or numba
    assert out.stdout.splitlines() == [s41, s42, s41, s42], out.stderr


def test_the_reference_passes_34_under_the_simulator_and_the_memory_limit():
    # a 32x32 block is 1024 simulated threads: with 8 MB stacks they passed RLIMIT_AS (sandbox.py)
    lines = []
    assert check_tasks(["3.4"], ROOT, Options(timeout=240, memory_mb=4096), out=lines.append, cells=False), lines
    assert lines == ["Task 3.4 (CUDA matrix multiplication): pass"]
