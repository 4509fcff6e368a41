"""The CUDA kernels, against numpy and against SimpleOps, on hypothesis layouts.

These run where the kernels can run: under numba's simulator (``make test-cuda``, which sets
``NUMBA_ENABLE_CUDASIM=1`` for its own pytest process) or on a GPU (``benchmarks/gpu_check.py``).
In the main test run, which has neither, the module is skipped as a whole; what must hold
there (a clear error, a quiet import) is in ``test_cuda_unavailable.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import as_numpy, broadcast_shapes, floats, matmul_shapes, tensor_from, tensors

from autograd import operators
from autograd.cuda_ops import unavailable_reason

if unavailable_reason() is not None:
    pytest.skip(
        "the CUDA kernels need a GPU or numba's simulator: `make test-cuda` runs this file", allow_module_level=True
    )

from autograd import SimpleBackend, tensor  # noqa: E402
from autograd import cuda_kernels as kernels  # noqa: E402
from autograd import cuda_ops  # noqa: E402
from autograd.cuda_ops import CudaBackend, mm_practice, sum_practice  # noqa: E402
from autograd.op_table import MAP, OPS, ZIP  # noqa: E402


def on(backend, t):
    """The same numbers and layout as ``t``, on ``backend``."""
    storage, _, _ = t.tuple()
    return t.make(storage.copy(), t.shape, t._tensor.strides, backend=backend)


# ## The primitives against SimpleOps, every op in the lists, any layout

UNARY = [op.name for op in OPS if op.kind == MAP]
BINARY = [op.name for op in OPS if op.kind == ZIP]
values = floats(-10.0, 10.0)


@pytest.mark.parametrize("name", UNARY)
@given(data=st.data())
def test_map_equals_simple_ops(name, data):
    t = data.draw(tensors(SimpleBackend, values=values))
    fn = getattr(operators, name)
    expected = SimpleBackend.ops.map(fn)(t).to_numpy()
    got = CudaBackend.ops.map(fn)(on(CudaBackend, t)).to_numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("name", BINARY)
@given(data=st.data())
def test_zip_equals_simple_ops_with_broadcasting(name, data):
    a_shape, b_shape = data.draw(broadcast_shapes())
    # small integers make lt, eq and is_close take both values
    vals = st.integers(-3, 3).map(float) if name in ("lt", "eq", "is_close") else values
    a = data.draw(tensors(SimpleBackend, a_shape, vals))
    b = data.draw(tensors(SimpleBackend, b_shape, vals))
    fn = getattr(operators, name)
    expected = SimpleBackend.ops.zip(fn)(a, b).to_numpy()
    got = CudaBackend.ops.zip(fn)(on(CudaBackend, a), on(CudaBackend, b)).to_numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-300)


REDUCTIONS = [(operators.add, 0.0), (operators.mul, 1.0), (operators.max, -np.inf)]


@pytest.mark.parametrize("fn, start", REDUCTIONS, ids=["add", "mul", "max"])
@given(data=st.data())
def test_reduce_equals_simple_ops_over_every_dim(fn, start, data):
    t = data.draw(tensors(SimpleBackend, values=floats(-2.0, 2.0)))
    c = on(CudaBackend, t)
    for dim in range(t.dims):
        expected = SimpleBackend.ops.reduce(fn, start)(t, dim).to_numpy()
        got = CudaBackend.ops.reduce(fn, start)(c, dim).to_numpy()
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@given(data=st.data())
def test_matrix_multiply_equals_simple_ops(data):
    a_shape, b_shape = data.draw(matmul_shapes())
    a = data.draw(tensors(SimpleBackend, a_shape, values))
    b = data.draw(tensors(SimpleBackend, b_shape, values))
    expected = SimpleBackend.ops.matrix_multiply(a, b).to_numpy()
    got = CudaBackend.ops.matrix_multiply(on(CudaBackend, a), on(CudaBackend, b))
    assert got.shape == expected.shape
    np.testing.assert_allclose(got.to_numpy(), expected, rtol=1e-12, atol=1e-12)


# ## Sizes past one block and one tile, against numpy


@pytest.mark.parametrize("n, m, p", [(9, 5, 11), (1, 13, 1), (kernels.BM + 1, kernels.BK * 2 + 1, kernels.BN + 3)])
def test_matrix_multiply_across_tiles(n, m, p):
    rng = np.random.default_rng(n * 100 + m * 10 + p)
    x, y = rng.standard_normal((2, n, m)), rng.standard_normal((1, m, p))
    got = tensor_from(x, CudaBackend) @ tensor_from(y, CudaBackend)
    np.testing.assert_allclose(got.to_numpy(), x @ y, rtol=1e-12, atol=1e-12)
    # b transposed in memory: the kernel follows its strides
    yt = tensor_from(y[0].T.copy(), CudaBackend).permute(1, 0)
    np.testing.assert_allclose((tensor_from(x[0], CudaBackend) @ yt).to_numpy(), x[0] @ y[0], rtol=1e-12)


@pytest.mark.parametrize("size", [1, kernels.THREADS - 1, 3 * kernels.THREADS + 5])
def test_map_zip_on_sizes_past_the_grid(size):
    # more elements than MAX_BLOCKS * THREADS threads: the grid-stride loop must cover them
    x = np.linspace(-3, 3, size)
    a = tensor_from(x, CudaBackend)
    np.testing.assert_allclose(a.exp().to_numpy(), np.exp(x), rtol=1e-12)
    np.testing.assert_allclose((a * a + a).to_numpy(), x * x + x, rtol=1e-12)
    np.testing.assert_allclose((a.view(1, size) + tensor_from(x[:1], CudaBackend)).to_numpy(), [x + x[0]])


@pytest.mark.parametrize("n", [2, kernels.THREADS, kernels.THREADS + 1, 5 * kernels.THREADS + 3])
def test_reduce_long_dimension_in_two_passes(monkeypatch, n):
    # chunks of 8 numbers force the two-pass path (partial results, then their fold)
    monkeypatch.setattr(cuda_ops, "REDUCE_CHUNK", 8)
    x = np.random.default_rng(n).standard_normal((2, n))
    a = tensor_from(x, CudaBackend)
    np.testing.assert_allclose(a.sum(1).to_numpy(), x.sum(1, keepdims=True), rtol=1e-10)
    np.testing.assert_allclose(a.permute(1, 0).sum(0).to_numpy(), x.sum(1)[None, :], rtol=1e-10)
    np.testing.assert_allclose(CudaBackend.max_reduce(a, 1).to_numpy(), x.max(1, keepdims=True))
    # a start value that is not the identity counts once, as in SimpleOps
    five = CudaBackend.ops.reduce(operators.add, 5.0)(a, 1)
    np.testing.assert_allclose(five.to_numpy(), x.sum(1, keepdims=True) + 5.0, rtol=1e-10)


def test_reduce_start_value_counts_once_in_one_pass():
    x = np.arange(6.0).reshape(2, 3)
    a = tensor_from(x, CudaBackend)
    assert CudaBackend.ops.reduce(operators.add, 5.0)(a, 1).to_numpy().tolist() == [[8.0], [17.0]]
    assert CudaBackend.ops.reduce(operators.mul, 2.0)(a, 0).to_numpy().tolist() == [[0.0, 8.0, 20.0]]


def test_user_functions_run_in_the_kernels():
    a = tensor([[1.0, 2.0], [3.0, 4.0]], backend=CudaBackend)
    b = tensor([[10.0, 20.0], [30.0, 40.0]], backend=CudaBackend)
    assert CudaBackend.ops.map(lambda x: x * x + 1.0)(a).to_numpy().tolist() == [[2.0, 5.0], [10.0, 17.0]]
    assert CudaBackend.ops.zip(lambda x, y: x - 2.0 * y)(a, b).to_numpy().tolist() == [[-19.0, -38.0], [-57.0, -76.0]]
    assert CudaBackend.ops.reduce(lambda acc, x: acc + x * x, 0.0)(a, 0).to_numpy().tolist() == [[10.0, 20.0]]


def test_map_into_a_broadcast_output():
    a = tensor([1.0, 2.0, 3.0], backend=CudaBackend)
    out = tensor([[0.0] * 3] * 2, backend=CudaBackend)
    CudaBackend.neg_map(a, out)
    assert out.to_numpy().tolist() == [[-1.0, -2.0, -3.0]] * 2


# ## The practice kernels (MiniTorch's semantics)


@given(st.lists(floats(-10, 10), min_size=1, max_size=3 * kernels.PRACTICE + 7))
def test_sum_practice_sums_each_block_of_32(xs):
    out = sum_practice(tensor(xs, backend=CudaBackend))
    blocks = -(-len(xs) // 32)
    padded = np.zeros(blocks * 32)
    padded[: len(xs)] = xs
    assert out.shape == (blocks,)
    np.testing.assert_allclose(out._storage, padded.reshape(blocks, 32).sum(1), rtol=1e-12, atol=1e-12)


def test_sum_practice_as_minitorch_tests_read_it():
    x = [float(i % 7) / 3 for i in range(64)]
    out = sum_practice(tensor(x, backend=CudaBackend))
    assert out._storage[0] + out._storage[1] == pytest.approx(sum(x))
    assert sum_practice(tensor(x[:16], backend=CudaBackend))._storage[0] == pytest.approx(sum(x[:16]))


@given(st.integers(1, 8), st.data())
def test_mm_practice_multiplies_square_matrices(size, data):
    a = data.draw(tensors(CudaBackend, (size, size), values))
    b = data.draw(tensors(CudaBackend, (size, size), values))
    out = mm_practice(a, b)
    assert out.shape == (size, size)
    expected = as_numpy(a) @ as_numpy(b)
    for index in out.indices():
        assert out.get(index) == pytest.approx(expected[index], rel=1e-12, abs=1e-12)


def test_mm_practice_full_block():
    x = np.random.default_rng(3).standard_normal((32, 32))
    out = mm_practice(tensor_from(x, CudaBackend), tensor_from(x.T.copy(), CudaBackend))
    np.testing.assert_allclose(out._storage.reshape(32, 32), x @ x.T, rtol=1e-12, atol=1e-12)


def test_practice_kernels_reject_bad_shapes():
    with pytest.raises(ValueError, match=r"1-D tensor, got shape \(2, 2\)"):
        sum_practice(tensor([[1.0, 2.0], [3.0, 4.0]], backend=CudaBackend))
    with pytest.raises(ValueError, match=r"\(2, 3\) and \(2, 3\)"):
        mm_practice(*[tensor([[1.0] * 3] * 2, backend=CudaBackend)] * 2)
    big = tensor_from(np.zeros((33, 33)), CudaBackend)
    with pytest.raises(ValueError, match="size 33 is too big"):
        mm_practice(big, big)


# ## Tensors on the CUDA backend: gradients, moving, mixing


def test_backward_through_cuda_ops():
    x = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])
    a = tensor_from(x, CudaBackend)
    w = tensor_from(np.ones((3, 2)), CudaBackend)
    out = ((a @ w).sigmoid() * (a.sum(1) + 1.0)).sum()
    out.backward()
    s = 1 / (1 + np.exp(-(x @ np.ones((3, 2)))))
    r = x.sum(1, keepdims=True) + 1.0
    expected = (s * (1 - s) * r) @ np.ones((2, 3)) + s.sum(1, keepdims=True)
    np.testing.assert_allclose(a.grad.to_numpy(), expected, rtol=1e-10)
    assert a.grad.backend is CudaBackend


def test_mixing_backends_is_a_clear_error():
    a = tensor([1.0, 2.0], backend=CudaBackend)
    b = tensor([1.0, 2.0], backend=SimpleBackend)
    with pytest.raises(Exception, match="CudaBackend") as info:
        a + b
    assert "SimpleBackend" in str(info.value)


def test_too_many_dimensions_is_a_clear_error():
    a = tensor_from(np.zeros((1,) * (kernels.MAX_DIMS + 1)), CudaBackend)
    with pytest.raises(ValueError, match=f"at most {kernels.MAX_DIMS} dimensions"):
        a.exp()


def test_tensors_move_explicitly_with_to_and_type():
    x = np.array([[1.0, -2.0, 3.0], [0.5, 0.0, -1.5]])
    simple = tensor_from(x, SimpleBackend).permute(1, 0)  # non-contiguous on purpose
    moved = simple.to(CudaBackend)
    assert moved.backend is CudaBackend and moved.shape == (3, 2) and moved.is_leaf()
    np.testing.assert_array_equal(moved.to_numpy(), x.T)
    (moved * moved).sum().backward()
    np.testing.assert_allclose(moved.grad.to_numpy(), 2 * x.T)
    back = moved.to(SimpleBackend)
    assert back.backend is SimpleBackend
    np.testing.assert_array_equal(back.to_numpy(), x.T)
    t = tensor([1.0, 2.0])
    t._type_(CudaBackend)  # MiniTorch's in-place form
    assert t.backend is CudaBackend and (t + t).to_numpy().tolist() == [2.0, 4.0]


def test_max_pooling_on_a_backend_without_the_pooling_kernels():
    # CudaOps has no maxpool kernel pair: maxpool2d falls back to max over the blocks.
    from autograd import nn

    x = np.random.default_rng(3).normal(size=(2, 3, 4, 6))
    a = tensor_from(x, CudaBackend)
    out = nn.maxpool2d(a, (2, 3))
    blocks = x.reshape(2, 3, 2, 2, 2, 3).max(axis=(3, 5))
    np.testing.assert_allclose(out.to_numpy(), blocks)
    out.sum().backward()
    expected = (x == np.repeat(np.repeat(blocks, 2, axis=2), 3, axis=3)).astype(float)
    np.testing.assert_allclose(a.grad.to_numpy(), expected)
