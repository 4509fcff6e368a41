"""The fast (numba) backend: same results as SimpleOps on every layout, its fast paths, its
fallback for user functions, its errors, and how it runs without the JIT and from the cache.

The whole tensor test matrix (tests/test_tensor*.py) also runs on it through the ``backend``
fixture; this file checks what is particular to FastOps.
"""

from __future__ import annotations

import contextlib
import inspect
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Iterator

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import broadcast_shapes, matmul_shapes, shapes, tensor_data

from autograd import IndexingError, Tensor, cpu_kernels, fast_ops, numba_bridge, op_table, operators, tensor
from autograd.fast_ops import FastBackend, FastOps
from autograd.tensor_ops import SimpleBackend

REPO = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def parallel_from(size: int) -> Iterator[None]:
    """Run kernels with all threads from ``size`` elements on (0: always), as big tensors do."""
    saved = fast_ops._PARALLEL_MIN
    fast_ops._PARALLEL_MIN = size
    try:
        yield
    finally:
        fast_ops._PARALLEL_MIN = saved


THREADS = pytest.mark.parametrize("threads", [0, 1 << 62], ids=["parallel", "one-thread"])


def on(backend, td) -> Tensor:  # type: ignore[no-untyped-def]
    """A tensor over the very same storage, shape and strides, on ``backend``."""
    return Tensor(td, backend=backend)


def layout(array: np.ndarray, order: tuple, backend=FastBackend) -> Tensor:  # type: ignore[no-untyped-def]
    """A tensor with ``array``'s values and a permuted (non-row-major) layout: the data is
    stored as ``array.transpose(inverse order)`` and viewed through ``permute(order)``."""
    inverse = tuple(int(i) for i in np.argsort(order))
    base = np.ascontiguousarray(array.transpose(inverse))
    t = Tensor.make(base.reshape(-1).copy(), base.shape, backend=backend).permute(*order)
    np.testing.assert_array_equal(t.to_numpy(), array)  # the helper itself, not the backend
    return t


# The scalar functions of the op table, by arity: what the op codes stand for.
UNARY, BINARY = (tuple(codes) for codes in op_table.op_codes())

# ## Each op code runs the function of ``operators`` it stands for

EDGE = [-1000.0, -3.5, -1.0, -0.5, -0.0, 0.0, 1e-300, 0.5, 1.0, 2.0, 709.0, 800.0]


def uses_exp_or_log(fn) -> bool:  # type: ignore[no-untyped-def]
    """Formulas that call math.exp or math.log, themselves or through another function of
    operators (sigmoid_back calls sigmoid): compiled, they run fast_math's vector versions."""
    functions = {name: f for name, f in vars(operators).items() if inspect.isfunction(f)}
    sources = {name: inspect.getsource(f) for name, f in functions.items()}
    users = {name for name, source in sources.items() if "math.exp" in source or "math.log" in source}
    while True:
        more = {n for n, source in sources.items() if any(f"{u}(" in source.split('"""')[-1] for u in users)} - users
        if not more:
            break
        users |= more
    source = inspect.getsource(fn)
    return fn.__name__ in users or any(f"{u}(" in source for u in users)


def assert_same_results(got: np.ndarray, expected: np.ndarray, fn) -> None:  # type: ignore[no-untyped-def]
    """Equal, except that formulas with exp or log may differ by 3 ulp where both are finite
    (fast_math's exp and log against the C library's, tests/test_fast_math.py)."""
    if not uses_exp_or_log(fn):
        np.testing.assert_array_equal(got, expected)
        return
    finite = np.isfinite(expected)
    np.testing.assert_array_equal(got[~finite], expected[~finite])
    np.testing.assert_array_max_ulp(got[finite], expected[finite], maxulp=3)


@pytest.mark.parametrize("fn", UNARY, ids=lambda f: f.__name__)
def test_each_unary_op_code_computes_its_operator(fn) -> None:  # type: ignore[no-untyped-def]
    a = tensor(EDGE, backend=FastBackend)
    got = FastOps.map(fn)(a).to_numpy()
    expected = np.array([fn(x) for x in EDGE])
    assert_same_results(got, expected, fn)


@pytest.mark.parametrize("fn", BINARY, ids=lambda f: f.__name__)
def test_each_binary_op_code_computes_its_operator(fn) -> None:  # type: ignore[no-untyped-def]
    xs, ys = np.meshgrid(EDGE, EDGE)
    a = tensor(xs.tolist(), backend=FastBackend)
    b = tensor(ys.tolist(), backend=FastBackend)
    with np.errstate(all="ignore"):  # 0 * inf and friends: nan is the expected answer
        got = FastOps.zip(fn)(a, b).to_numpy()
        expected = np.array([[fn(x, y) for x, y in zip(row_x, row_y)] for row_x, row_y in zip(xs, ys)])
    assert_same_results(got, expected, fn)


def test_every_operation_of_the_backend_runs_a_cached_kernel_with_its_op_code() -> None:
    """Each row of the op table runs the cached kernel (not the uncached twin that user
    functions take) with the op code of its function."""
    table = numba_bridge.frozen_table()
    cached = {"map": cpu_kernels.map_kernel, "zip": cpu_kernels.zip_kernel, "reduce": cpu_kernels.reduce_kernel}
    for op in op_table.OPS:
        codes = table.unary_code if op.arity == 1 else table.binary_code
        kernel, first = fast_ops._kernel_for(cached[op.kind], op.fn, codes)
        assert kernel is cached[op.kind] and first == codes[op.fn], op.attribute


# ## Same results as SimpleOps on random layouts (permuted strides, broadcasts)


@THREADS
@given(st.data())
def test_maps_equal_simple_ops(threads, data) -> None:  # type: ignore[no-untyped-def]
    td = data.draw(tensor_data())
    fn = data.draw(st.sampled_from(UNARY))
    with np.errstate(all="ignore"):  # e.g. inv of a tiny number overflows to inf, as it should
        expected = SimpleBackend.ops.map(fn)(on(SimpleBackend, td)).to_numpy()
        with parallel_from(threads):
            got = FastOps.map(fn)(on(FastBackend, td)).to_numpy()
    assert_same_results(got, expected, fn)


@THREADS
@given(st.data())
def test_map_into_a_bigger_out_equals_simple_ops(threads, data) -> None:  # type: ignore[no-untyped-def]
    small, big = data.draw(broadcast_shapes().filter(lambda p: len(p[1]) >= len(p[0])))
    big = tuple(max(x, y) for x, y in zip((1,) * (len(big) - len(small)) + small, big))
    td = data.draw(tensor_data(small))
    out_td = data.draw(tensor_data(big))  # a permuted output layout too
    expected = SimpleBackend.ops.map(operators.neg)(on(SimpleBackend, td), on(SimpleBackend, out_td))
    expected = expected.to_numpy()
    out_td._storage[:] = 0.0
    with parallel_from(threads):
        got = FastOps.map(operators.neg)(on(FastBackend, td), on(FastBackend, out_td)).to_numpy()
    np.testing.assert_array_equal(got, expected)


@THREADS
@given(st.data())
def test_zips_equal_simple_ops_with_broadcasting(threads, data) -> None:  # type: ignore[no-untyped-def]
    shape_a, shape_b = data.draw(broadcast_shapes())
    a, b = data.draw(tensor_data(shape_a)), data.draw(tensor_data(shape_b))
    fn = data.draw(st.sampled_from(BINARY))
    with np.errstate(all="ignore"):
        expected = SimpleBackend.ops.zip(fn)(on(SimpleBackend, a), on(SimpleBackend, b)).to_numpy()
        with parallel_from(threads):
            got = FastOps.zip(fn)(on(FastBackend, a), on(FastBackend, b)).to_numpy()
    assert_same_results(got, expected, fn)


@THREADS
@given(st.data())
def test_reductions_equal_simple_ops_over_each_dim(threads, data) -> None:  # type: ignore[no-untyped-def]
    td = data.draw(tensor_data())
    dim = data.draw(st.integers(0, td.dims - 1))
    fn, start = data.draw(st.sampled_from([(operators.add, 0.0), (operators.mul, 1.0), (operators.max, -np.inf)]))
    expected = SimpleBackend.ops.reduce(fn, start)(on(SimpleBackend, td), dim).to_numpy()
    with parallel_from(threads):
        got = FastOps.reduce(fn, start)(on(FastBackend, td), dim).to_numpy()
    # A sum along a stride-1 dimension may add in another order (last bits differ).
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@THREADS
@given(st.data())
def test_matrix_multiply_equals_simple_ops(threads, data) -> None:  # type: ignore[no-untyped-def]
    shape_a, shape_b = data.draw(matmul_shapes())
    a, b = data.draw(tensor_data(shape_a)), data.draw(tensor_data(shape_b))
    expected = SimpleBackend.ops.matrix_multiply(on(SimpleBackend, a), on(SimpleBackend, b)).to_numpy()
    with parallel_from(threads):
        got = FastOps.matrix_multiply(on(FastBackend, a), on(FastBackend, b)).to_numpy()
    # The fast kernel may fuse a multiply and an add (one rounding instead of two).
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-9)


# ## Bigger tensors: runs split along long rows, many parallel tasks, tiled matmul


@pytest.mark.parametrize("order", [(0, 1), (1, 0)], ids=["row-major", "transposed"])
def test_long_rows_split_into_runs_equal_simple_ops(order) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(3, 2100)), rng.normal(size=(1, 2100))
    for backend_ops, make in ((SimpleBackend, lambda v, o: layout(v, o, SimpleBackend)), (FastBackend, layout)):
        a, b = make(x, order), make(y, (0, 1))
        results = [backend_ops.exp_map(a), backend_ops.add_zip(a, b), backend_ops.mul_zip(a, b),
                   backend_ops.lt_zip(b, a), backend_ops.add_reduce(a, 0), backend_ops.max_reduce(a, 1)]  # fmt: skip
        if backend_ops is SimpleBackend:
            expected = [r.to_numpy() for r in results]
        else:
            for got, want in zip(results, expected):
                np.testing.assert_allclose(got.to_numpy(), want, rtol=1e-12)


def test_big_tensors_in_parallel_match_numpy() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(300, 400))  # 120,000 elements: above the one-thread limit
    a = layout(x, (0, 1))  # row-major: the flat paths
    t = layout(x, (1, 0))  # the same values with column-major strides: the strided paths
    row = tensor(rng.normal(size=(1, 400)).tolist(), backend=FastBackend)
    one = tensor([2.5], backend=FastBackend)
    np.testing.assert_allclose((a + a).to_numpy(), x + x)
    np.testing.assert_allclose(a.exp().to_numpy(), np.exp(x))
    np.testing.assert_allclose((a * one).to_numpy(), x * 2.5)
    np.testing.assert_allclose((a + row).to_numpy(), x + row.to_numpy())
    np.testing.assert_allclose((t * t).to_numpy(), x * x)
    np.testing.assert_allclose((t + a).to_numpy(), x + x)
    for u in (a, t):
        np.testing.assert_allclose(u.sum(1).to_numpy(), x.sum(1, keepdims=True), rtol=1e-12)
        np.testing.assert_allclose(u.sum(0).to_numpy(), x.sum(0, keepdims=True), rtol=1e-12)
        np.testing.assert_allclose(FastBackend.max_reduce(u, 1).to_numpy(), x.max(1, keepdims=True))


@pytest.mark.parametrize("transpose_b", [False, True], ids=["b-row-major", "b-transposed"])
def test_matmul_over_several_row_blocks_and_tiles_matches_numpy(transpose_b) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(2)
    # 70 rows: two blocks of output rows; b in tiles of 109 rows (109 = 4 * 27 + 1: a remainder)
    x, y = rng.normal(size=(2, 70, 250)), rng.normal(size=(1, 250, 300))
    a = layout(x, (0, 1, 2))
    b = layout(y, (0, 2, 1) if transpose_b else (0, 1, 2))
    np.testing.assert_allclose((a @ b).to_numpy(), x @ y, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose((b.permute(0, 2, 1) @ a.permute(0, 2, 1)).to_numpy(), (x @ y).transpose(0, 2, 1))


def test_matmul_of_2d_tensors_and_gradients_on_the_fast_backend() -> None:
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(5, 4)), rng.normal(size=(4, 3))
    a = tensor(x.tolist(), backend=FastBackend, requires_grad=True)
    b = tensor(y.tolist(), backend=FastBackend, requires_grad=True)
    out = a @ b
    assert out.shape == (5, 3)
    out.sum().backward()
    np.testing.assert_allclose(a.grad.to_numpy(), np.ones((5, 3)) @ y.T)
    np.testing.assert_allclose(b.grad.to_numpy(), x.T @ np.ones((5, 3)))


# ## Functions that are not in ``operators``


def test_user_functions_work_through_the_uncached_fallback() -> None:
    a = tensor([[1.0, -2.0], [3.0, 4.0]], backend=FastBackend)
    b = tensor([10.0, 20.0], backend=FastBackend)
    np.testing.assert_array_equal(FastOps.map(lambda x: x * x + 1.0)(a).to_numpy(), [[2.0, 5.0], [10.0, 17.0]])
    np.testing.assert_array_equal(FastOps.zip(lambda x, y: x - 2.0 * y)(a, b).to_numpy(), [[-19.0, -42.0], [-17.0, -36.0]])
    np.testing.assert_array_equal(FastOps.reduce(lambda acc, x: acc + x * x, 0.0)(a, 0).to_numpy(), [[10.0, 20.0]])


def test_a_function_numba_cannot_compile_is_a_clear_type_error() -> None:
    class Settings:
        scale = 2.0

    settings = Settings()

    def scaled(x: float) -> float:
        return x * settings.scale  # a Python object: numba cannot type it

    a = tensor([1.0, 2.0], backend=FastBackend)
    with pytest.raises(TypeError, match="could not compile 'scaled' with numba"):
        FastOps.map(scaled)(a)


# ## Errors


def test_mixing_fast_and_simple_tensors_is_a_type_error_naming_both() -> None:
    fast = tensor([1.0, 2.0], backend=FastBackend)
    simple = tensor([1.0, 2.0], backend=SimpleBackend)
    with pytest.raises(TypeError, match="FastBackend and SimpleBackend"):
        fast + simple
    with pytest.raises(TypeError, match="SimpleBackend and FastBackend"):
        simple @ fast.view(2, 1)


def test_storage_of_another_dtype_is_a_type_error_naming_it() -> None:
    a = tensor([1.0, 2.0], backend=FastBackend)
    a._tensor._storage = a._tensor._storage.astype(np.float32)  # what TensorData never makes
    with pytest.raises(TypeError, match="float64.*float32"):
        a.exp()


def test_inputs_over_strided_or_read_only_numpy_storage_are_read_correctly() -> None:
    base = np.arange(10.0)
    strided = Tensor.make(base[::2], (5,), backend=FastBackend)  # storage: a strided numpy view
    frozen = base.copy()
    frozen.flags.writeable = False
    read_only = Tensor.make(frozen, (2, 5), backend=FastBackend)
    np.testing.assert_array_equal((strided * strided).to_numpy(), base[::2] ** 2)
    np.testing.assert_array_equal(read_only.sum(1).to_numpy(), [[10.0], [35.0]])
    frozen_out = Tensor.make(frozen, (10,), backend=FastBackend)  # results cannot go there
    with pytest.raises(TypeError, match="read-only"):
        FastOps.map(operators.neg)(tensor([1.0], backend=FastBackend), frozen_out)


def test_map_into_an_out_it_cannot_fill_names_both_shapes() -> None:
    a = tensor([1.0, 2.0, 3.0], backend=FastBackend)
    out = tensor([[0.0, 0.0], [0.0, 0.0]], backend=FastBackend)
    with pytest.raises(IndexingError, match=r"\(3,\).*\(2, 2\)"):
        FastOps.map(operators.neg)(a, out)


# ## Without the JIT, and from the disk cache (new interpreters)


def run_python(code: str, cwd: Path = REPO, **env: str) -> str:
    """Run ``code`` in a new interpreter (the repository importable) and return its stdout.

    ``-c`` puts the working directory first on sys.path: ``cwd`` decides which autograd loads.
    """
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    environment.update(env)
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=environment, timeout=300, cwd=cwd
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_numba_disable_jit_runs_the_kernels_as_python() -> None:
    out = run_python(
        """
        import numba
        from autograd import tensor, FastBackend, cpu_kernels
        assert numba.config.DISABLE_JIT and not hasattr(cpu_kernels.map_kernel, "py_func")
        a = tensor([[1.0, 2.0], [3.0, 4.0]], backend=FastBackend, requires_grad=True)
        b = tensor([0.5, -1.0], backend=FastBackend)
        y = ((a * b).exp() + a @ a.permute(1, 0)).sum()
        y.backward()
        print(repr(y.item()), *a.grad.to_numpy().ravel().tolist())
        """,
        NUMBA_DISABLE_JIT="1",
    )
    x, w = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([0.5, -1.0])
    value = np.exp(x * w).sum() + (x @ x.T).sum()
    # d/dx_ij of sum(exp(x * w)) is w_j exp(x_ij w_j); sum(x @ x.T) = sum_j (column sum j)^2.
    grad = w * np.exp(x * w) + 2 * x.sum(0)[None, :]
    numbers = [float(v) for v in out.split()]
    np.testing.assert_allclose(numbers[0], value)
    np.testing.assert_allclose(numbers[1:], grad.ravel())


def test_a_new_interpreter_loads_every_kernel_from_the_cache() -> None:
    # Small tensors run the one-thread twins, big ones (>= fast_ops._PARALLEL_MIN numbers) the
    # parallel kernels: both kinds must come from the disk cache.
    code = """
        import numpy as np
        from autograd import tensor, Tensor, FastBackend, cpu_kernels
        for a in (tensor([[1.0, 2.0], [3.0, 4.0]], backend=FastBackend),
                  Tensor.from_numpy(np.ones((300, 300)), backend=FastBackend)):
            a.exp(); a + a; a.sum(0); a.sum(1); a @ a
        for k in cpu_kernels.ONE_THREAD:
            for kernel in (k, cpu_kernels.ONE_THREAD[k]):
                print(kernel.py_func.__qualname__, len(kernel.stats.cache_hits), len(kernel.stats.cache_misses))
        """
    run_python(code)  # fills the cache if this checkout's is still cold
    for line in run_python(code).splitlines():
        name, hits, misses = line.split()
        assert (int(hits), int(misses)) == (1, 0), line


def test_editing_operators_py_invalidates_the_cached_kernels(tmp_path) -> None:
    """numba only watches the kernel's own file; numba_bridge also hashes operators.py."""
    shutil.copytree(REPO / "autograd", tmp_path / "autograd", ignore=shutil.ignore_patterns("__pycache__"))
    code = """
        import autograd
        from autograd import tensor, FastBackend
        assert autograd.__file__.startswith({path!r}), autograd.__file__
        print((-tensor([1.0, 2.0], backend=FastBackend)).to_numpy().tolist())
        """.format(path=str(tmp_path))
    env = {"PYTHONPATH": str(tmp_path), "NUMBA_CACHE_DIR": str(tmp_path / "cache")}
    assert run_python(code, tmp_path, **env).strip() == "[-1.0, -2.0]"
    operators_py = tmp_path / "autograd" / "operators.py"
    source = operators_py.read_text()
    assert source.count("    return -x\n") == 1  # neg's body (between solution markers since issue #15)
    operators_py.write_text(source.replace("    return -x\n", "    return -10.0 * x\n"))
    assert run_python(code, tmp_path, **env).strip() == "[-10.0, -20.0]"
