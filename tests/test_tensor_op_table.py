"""The op table drives every backend: each row is an operation of every backend, computing its
scalar function; and a new row (with its Function, Tensor method and picture) works on every
backend, with gradients, without touching any other file.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from backends import BACKENDS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import broadcast_shapes, tensor_data

import diagrams
from autograd import Context, Function, Tensor, TensorBackend, grad_check, numba_bridge, op_table, tensor
from autograd.op_table import MAP, OPS, REDUCE, ZIP, Op
from autograd.tensor_ops import TensorOps
from diagrams import ops_draw

REPO = Path(__file__).resolve().parent.parent

# MiniTorch's TensorBackend attributes: every one of them must come out of the table.
MINITORCH_NAMES = (
    "neg_map sigmoid_map relu_map log_map exp_map id_map inv_map add_zip mul_zip lt_zip eq_zip "
    "is_close_zip relu_back_zip log_back_zip inv_back_zip add_reduce mul_reduce"
).split()


def test_the_table_names_each_operation_once_and_covers_minitorchs_backend() -> None:
    attributes = [op.attribute for op in OPS]
    assert len(attributes) == len(set(attributes))
    assert set(MINITORCH_NAMES) <= set(attributes)
    assert all(op.kind in (MAP, ZIP, REDUCE) for op in OPS)


def test_a_bad_kind_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="'squash'"):
        Op("x", "squash", abs)


def test_op_codes_number_each_distinct_function_and_keep_them_when_rows_are_added() -> None:
    unary, binary = op_table.op_codes()
    assert sorted(unary.values()) == list(range(len(unary)))
    assert sorted(binary.values()) == list(range(len(binary)))
    assert {op.fn for op in OPS if op.arity == 1} == set(unary)
    assert {op.fn for op in OPS if op.arity == 2} == set(binary)  # add: a zip and a reduce, one code
    more_unary, more_binary = op_table.op_codes(OPS + (Op("cube", MAP, cube), Op("cube_back", ZIP, cube_back)))
    assert {f: more_unary[f] for f in unary} == unary and more_unary[cube] == len(unary)
    assert {f: more_binary[f] for f in binary} == binary and more_binary[cube_back] == len(binary)


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.attribute)
def test_every_row_is_an_operation_of_every_backend_computing_its_function(op: Op, backend) -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(-3, 3, size=(3, 4))
    y = rng.uniform(-3, 3, size=(4,))
    x[0, :2] = y[:2]  # equal pairs for eq / is_close / lt
    a = Tensor.make(x.T.copy().ravel(), (4, 3), backend=backend).permute(1, 0)  # a non-contiguous layout
    b = tensor(y.tolist(), backend=backend)
    operation = getattr(backend, op.attribute)
    with np.errstate(all="ignore"):
        if op.kind == MAP:
            got, expected = operation(a), np.vectorize(op.fn)(x)
        elif op.kind == ZIP:
            got, expected = operation(a, b), np.vectorize(op.fn)(x, y)  # b broadcast along dim 0
        else:
            got = operation(a, 1)
            expected = np.array([[float(np.frompyfunc(op.fn, 2, 1).reduce(row, initial=op.start))] for row in x])
    np.testing.assert_allclose(got.to_numpy(), expected, rtol=1e-12)


def test_every_backend_is_made_of_the_table_rows_and_matrix_multiply(backend) -> None:
    made = {name for name in vars(backend) if name.endswith(("_map", "_zip", "_reduce"))}
    assert made == {op.attribute for op in OPS}
    assert callable(backend.matrix_multiply)


# ## A throwaway op added through the table: cube, with its derivative


def cube(x: float) -> float:
    """x^3 (the formula, as it would stand in operators.py)."""
    return x * x * x


def cube_back(x: float, d: float) -> float:
    """d * d/dx x^3 = 3 x^2 d"""
    return 3.0 * x * x * d


NEW_ROWS = (Op("cube", MAP, cube), Op("cube_back", ZIP, cube_back))


class Cube(Function):
    """a^3. Shapes: a -> same. Saves a."""

    @staticmethod
    def forward(ctx: Context, a: Tensor) -> Tensor:
        ctx.save_for_backward(a)
        return a.f.cube_map(a)

    @staticmethod
    def backward(ctx: Context, grad_output: Tensor) -> Tensor:
        (a,) = ctx.saved_values
        return grad_output.f.cube_back_zip(a, grad_output)


@pytest.fixture
def with_cube(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The op table with the two new rows, a Tensor method and a picture entry, for one test.

    The compiled kernels of this process keep the table they were made with (read before the
    new rows, here): on the fast backend the new rows run as user functions. The next test
    shows a fresh interpreter compiling them in.
    """
    numba_bridge.frozen_table()
    monkeypatch.setattr(op_table, "OPS", OPS + NEW_ROWS)
    monkeypatch.setattr(Tensor, "cube", lambda self: Cube.apply(self), raising=False)
    monkeypatch.setitem(ops_draw.OPS, "Cube", ops_draw.OpPicture("map", lambda t: t.cube(), "$x^3$", ("$3x^2$",)))
    yield {name: TensorBackend(b.ops) for name, b in BACKENDS.items()}


@pytest.mark.parametrize("name", list(BACKENDS))
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # the fixture holds for every example
@given(data=st.data())
def test_a_new_row_works_on_every_backend_with_gradients(with_cube, name, data) -> None:  # type: ignore[no-untyped-def]
    backend = with_cube[name]
    shape_a, shape_b = data.draw(broadcast_shapes())
    a = Tensor(data.draw(tensor_data(shape_a)), backend=backend)  # permuted layouts too
    b = Tensor(data.draw(tensor_data(shape_b)), backend=backend)
    np.testing.assert_allclose(a.cube().to_numpy(), a.to_numpy() ** 3, rtol=1e-12)
    grad_check(lambda x, y: (x * y).cube(), a, b)  # the gradient through a broadcast, too


def test_a_new_row_gets_its_picture(with_cube) -> None:  # type: ignore[no-untyped-def]
    x = tensor([[1.0, -2.0], [0.5, 3.0]], backend=with_cube["simple"])
    picture = diagrams.draw_op("Cube", x, backward=True)
    assert "<svg" in diagrams.to_svg(picture)


def test_a_new_row_reaches_the_compiled_cached_kernels(tmp_path: Path) -> None:
    """In a fresh interpreter (and an empty kernel cache), rows added to the table before the
    fast backend first runs get op codes in the compiled kernels: no uncached twin, and a
    second interpreter loads the kernels from the cache."""
    code = textwrap.dedent(
        """
        import numpy as np
        from autograd import FastOps, TensorBackend, cpu_kernels, fast_ops, numba_bridge, op_table, tensor
        import test_tensor_op_table as t
        op_table.OPS = op_table.OPS + t.NEW_ROWS
        fast = TensorBackend(FastOps)
        leaf = tensor([[1.0, -2.0], [0.5, 3.0]], backend=fast)
        y = t.Cube.apply(leaf.permute(1, 0))  # a non-contiguous input
        y.backward(tensor([[1.0, 2.0], [3.0, 4.0]], backend=fast))
        print(y.to_numpy().ravel().tolist(), leaf.grad.to_numpy().ravel().tolist())
        table = numba_bridge.frozen_table()
        kernel, code = fast_ops._kernel_for(cpu_kernels.map_kernel, t.cube, table.unary_code)
        print(kernel is cpu_kernels.map_kernel, code == table.unary_code[t.cube])
        for k in (cpu_kernels.map_kernel, cpu_kernels.zip_kernel):
            k = cpu_kernels.ONE_THREAD[k]  # what a small tensor runs (the one-thread twin)
            print(len(k.stats.cache_hits), len(k.stats.cache_misses))
        """
    )
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path),
           "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "tests"), os.environ.get("PYTHONPATH", "")])}  # fmt: skip

    def run() -> list:
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=600)
        assert result.returncode == 0, result.stderr
        return result.stdout.splitlines()

    first = run()
    x = np.array([[1.0, -2.0], [0.5, 3.0]]).T
    grad = (3 * x**2 * np.array([[1.0, 2.0], [3.0, 4.0]])).T
    assert first[0] == f"{(x ** 3).ravel().tolist()} {grad.ravel().tolist()}"
    assert first[1] == "True True"
    assert first[2:] == ["0 1", "0 1"]  # compiled for the new table ...
    assert run()[2:] == ["1 0", "1 0"]  # ... and loaded from the cache next time


def test_a_backend_supplies_only_kernels() -> None:
    """TensorOps holds the tensor-level half: a backend of four plain kernels is complete."""
    from autograd import tensor_ops

    class Kernels(TensorOps):
        map_kernel = staticmethod(tensor_ops.tensor_map)
        zip_kernel = staticmethod(tensor_ops.tensor_zip)
        reduce_kernel = staticmethod(tensor_ops.tensor_reduce)
        matmul_kernel = staticmethod(tensor_ops.tensor_matrix_multiply)

    backend = TensorBackend(Kernels)
    a = tensor([[1.0, 2.0], [3.0, 4.0]], backend=backend)
    out = ((a @ a).exp().sum(1) + a.max(0)).sum()
    out.backward()
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert out.item() == pytest.approx(2 * np.exp(x @ x).sum() + 2 * x.max(0).sum())
    assert a.grad is not None and a.grad.shape == (2, 2)
