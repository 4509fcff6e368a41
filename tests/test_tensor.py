"""Tensor: constructors, operators and methods, compared with the same computation in numpy.

Every test takes the ``backend`` fixture (tests/backends.py), so each backend runs them all.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import as_numpy, broadcast_shapes, floats, matmul_shapes, tensor_from, tensors

import autograd
from autograd import Scalar, Tensor, no_grad, ones, rand, tensor, zeros
from autograd.testing import catalogue

CASES = catalogue()


def close(a: np.ndarray, b: np.ndarray) -> None:
    np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)


# ## The seed page's cells


def test_seed_scalar_and_tensor_cells(backend) -> None:
    a, b, c = Scalar(1), Scalar(2), Scalar(3)
    out = a + b + c
    out.backward()
    assert (a.derivative, b.derivative, c.derivative) == (1.0, 1.0, 1.0)

    tensor1 = tensor([1, 2, 3], backend=backend)
    out = tensor1.sum()
    out.backward()
    assert repr(tensor1.grad) == "[1.00 1.00 1.00]"
    assert tensor1.grad.shape == (3,)


# ## Constructors


def test_tensor_from_nested_lists_and_numbers(backend) -> None:
    t = tensor([[1, 2, 3], [4, 5, 6]], backend=backend)
    assert t.shape == (2, 3)
    assert t.backend is backend
    assert [t[i, j] for i in range(2) for j in range(3)] == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    one = tensor(2.5, backend=backend)
    assert one.shape == (1,) and one.item() == 2.5
    assert tensor([[[1.0]], [[2.0]]], backend=backend).shape == (2, 1, 1)
    assert tensor((True, 2, 3.5), backend=backend)[0] == 1.0


def test_constructors_make_leaves_unless_told_otherwise(backend) -> None:
    # MiniTorch's rule, which the seed page relies on: a constructed tensor receives a gradient.
    assert tensor([1.0], backend=backend).is_leaf()
    assert tensor([1.0], backend=backend, requires_grad=False).is_constant()
    assert zeros((2,), backend=backend).requires_grad()
    assert not ones((2,), backend=backend, requires_grad=False).requires_grad()


def test_zeros_ones_rand(backend) -> None:
    assert zeros((2, 3), backend=backend).to_numpy().tolist() == [[0.0] * 3] * 2
    assert ones(3, backend=backend).to_numpy().tolist() == [1.0] * 3
    r = rand((4, 5), backend=backend, seed=7)
    values = r.to_numpy()
    assert r.shape == (4, 5) and np.all((0 <= values) & (values < 1))
    assert len(set(values.ravel().tolist())) == 20
    # a seed gives the same numbers again; a generator continues its sequence
    assert np.array_equal(rand((4, 5), backend=backend, seed=7).to_numpy(), values)
    g1, g2 = np.random.default_rng(3), np.random.default_rng(3)
    first = rand(3, backend=backend, generator=g1).to_numpy()
    assert np.array_equal(first, rand(3, backend=backend, generator=g2).to_numpy())
    assert not np.array_equal(first, rand(3, backend=backend, generator=g1).to_numpy())


def test_from_numpy_and_to_numpy(backend) -> None:
    ints = np.arange(6).reshape(2, 3)
    t = Tensor.from_numpy(ints, backend=backend)
    assert t.shape == (2, 3) and t.backend is backend
    assert [t[1, j] for j in range(3)] == [3.0, 4.0, 5.0]
    out = t.to_numpy()
    assert out.dtype == np.float64 and out.shape == (2, 3)
    assert out.tolist() == ints.tolist()
    assert Tensor.from_numpy(np.array([True, False]), backend=backend).to_numpy().tolist() == [1.0, 0.0]
    # a copy both ways: changing one side does not change the other
    ints[0, 0] = 100
    assert t[0, 0] == 0.0
    out[0, 1] = 100.0
    assert t[0, 1] == 1.0
    # a non-contiguous numpy array and a non-contiguous tensor keep their element order
    transposed = Tensor.from_numpy(np.arange(6.0).reshape(2, 3).T, backend=backend)
    assert transposed.to_numpy().tolist() == np.arange(6.0).reshape(2, 3).T.tolist()
    assert t.permute(1, 0).to_numpy().tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]


@given(st.data())
def test_to_numpy_reads_every_layout(backend, data) -> None:
    t = data.draw(tensors(backend))
    assert np.array_equal(t.to_numpy(), as_numpy(t))


# ## Reading and writing values


def test_indexing_returns_floats_and_writes(backend) -> None:
    t = tensor([[1.0, 2.0], [3.0, 4.0]], backend=backend)
    assert type(t[1, 0]) is float and t[1, 0] == 3.0
    assert t[-1, -1] == 4.0
    t[0, 1] = 7
    assert t[0, 1] == 7.0
    p = t.permute(1, 0)
    assert p[1, 0] == 7.0  # a view: sees the write
    assert tensor([5.0, 6.0], backend=backend)[1] == 6.0


def test_item_detach_and_flags(backend) -> None:
    t = tensor([[3.0]], backend=backend)
    assert t.item() == 3.0
    y = t * 2
    assert y.requires_grad() and not y.is_leaf()
    d = y.detach()
    assert d.is_constant() and d[0, 0] == 6.0
    assert d._tensor._storage is y._tensor._storage  # detach shares the data
    assert t.requires_grad_(False).is_constant()


def test_no_grad_records_no_history(backend) -> None:
    x = tensor([1.0, 2.0], backend=backend)
    with no_grad():
        y = (x * 3).exp()
    assert y.is_constant() and y.history is None
    assert (x * 3).requires_grad()


def test_history_names_function_and_inputs(backend) -> None:
    a = tensor([1.0, 2.0], backend=backend)
    b = tensor([3.0, 4.0], backend=backend)
    c = a * b
    assert c.history.last_fn is autograd.tensor_functions.Mul
    assert [p.unique_id for p in c.parents] == [a.unique_id, b.unique_id]
    assert len({a.unique_id, b.unique_id, c.unique_id}) == 3


def test_repr_prints_nested_brackets(backend) -> None:
    assert repr(tensor([1, 1, 1], backend=backend)) == "[1.00 1.00 1.00]"
    assert repr(tensor([[1, 2], [3, 4]], backend=backend)) == "[[1.00 2.00]\n [3.00 4.00]]"
    assert str(tensor([0.125, -2], backend=backend)) == "[0.12 -2.00]"


def test_equality_is_elementwise_and_hash_is_identity(backend) -> None:
    a = tensor([1.0, 2.0], backend=backend)
    b = tensor([1.0, 3.0], backend=backend)
    assert (a == b).to_numpy().tolist() == [1.0, 0.0]
    assert (a != b).to_numpy().tolist() == [0.0, 1.0]
    assert len({a, b, a}) == 2  # hashable by identity, usable in sets and dicts
    assert bool(tensor([2.0], backend=backend) == 2.0)
    with pytest.raises(ValueError, match="ambiguous"):
        bool(a == b)
    assert list(a) == [1.0, 2.0]  # iterating a 1-D tensor gives its numbers (tests/test_tensor_habits.py)


# ## Operators and methods against numpy


MAPS = {
    "neg": (lambda t: -t, lambda x: -x, (-100.0, 100.0)),
    "sigmoid": (lambda t: t.sigmoid(), lambda x: 1 / (1 + np.exp(-x)), (-30.0, 30.0)),
    "relu": (lambda t: t.relu(), lambda x: np.maximum(x, 0.0), (-100.0, 100.0)),
    "log": (lambda t: t.log(), np.log, (0.1, 100.0)),
    "exp": (lambda t: t.exp(), np.exp, (-20.0, 20.0)),
    "inv": (lambda t: 1 / t, lambda x: 1 / x, (0.1, 100.0)),
    "contiguous": (lambda t: t.contiguous(), lambda x: x, (-100.0, 100.0)),
}


@pytest.mark.parametrize("name", list(MAPS))
@given(data=st.data())
def test_maps_agree_with_numpy(backend, name, data) -> None:
    fn, reference, (low, high) = MAPS[name]
    t = data.draw(tensors(backend, values=floats(low, high)))
    out = fn(t)
    assert out.shape == t.shape
    close(out.to_numpy(), reference(as_numpy(t)))


@pytest.mark.parametrize("case", CASES.one_arg, ids=lambda c: c.name)
@given(data=st.data())
def test_one_arg_catalogue_matches_the_float_version(backend, case, data) -> None:
    t = data.draw(tensors(backend, values=floats(*case.domain)))
    expected = np.vectorize(case.fn)(as_numpy(t))
    np.testing.assert_allclose(case.fn_variable(t).to_numpy(), expected, rtol=1e-7, atol=1e-7)


ZIPS = {
    "add": (lambda a, b: a + b, np.add),
    "sub": (lambda a, b: a - b, np.subtract),
    "mul": (lambda a, b: a * b, np.multiply),
    "div": (lambda a, b: a / b, np.divide),
    "lt": (lambda a, b: a < b, lambda x, y: (x < y).astype(float)),
    "gt": (lambda a, b: a > b, lambda x, y: (x > y).astype(float)),
    "eq": (lambda a, b: a == b, lambda x, y: (x == y).astype(float)),
    "is_close": (lambda a, b: a.is_close(b), lambda x, y: (np.abs(x - y) < 1e-2).astype(float)),
}


@pytest.mark.parametrize("name", list(ZIPS))
@given(data=st.data())
def test_zips_broadcast_like_numpy(backend, name, data) -> None:
    fn, reference = ZIPS[name]
    a_shape, b_shape = data.draw(broadcast_shapes())
    # small integers make == and is_close true often enough to matter
    values = st.integers(1, 4).map(float) if name in ("eq", "is_close") else floats(0.5, 10.0)
    a = data.draw(tensors(backend, a_shape, values))
    b = data.draw(tensors(backend, b_shape, values))
    out = fn(a, b)
    expected = reference(as_numpy(a), as_numpy(b))
    assert out.shape == expected.shape
    close(out.to_numpy(), expected)


@pytest.mark.parametrize("case", CASES.two_arg, ids=lambda c: c.name)
@given(data=st.data())
def test_two_arg_catalogue_matches_the_float_version(backend, case, data) -> None:
    a_shape, b_shape = data.draw(broadcast_shapes())
    a = data.draw(tensors(backend, a_shape, floats(*case.domain)))
    b = data.draw(tensors(backend, b_shape, floats(*case.domain)))
    expected = np.vectorize(case.fn)(as_numpy(a), as_numpy(b))
    np.testing.assert_allclose(case.fn_variable(a, b).to_numpy(), expected, rtol=1e-7, atol=1e-7)


@given(st.data(), floats(-10.0, 10.0))
def test_numbers_mix_on_either_side(backend, data, k) -> None:
    assume(abs(k) > 1e-3)
    t = data.draw(tensors(backend, values=floats(0.5, 10.0)))
    x = as_numpy(t)
    for got, expected in [
        (t + k, x + k),
        (k + t, k + x),
        (t - k, x - k),
        (k - t, k - x),
        (t * k, x * k),
        (k * t, k * x),
        (t / k, x / k),
        (k / t, k / x),
        (np.float64(k) * t, k * x),  # a numpy scalar on the left still gives a Tensor
        (t < k, (x < k).astype(float)),
        (t > k, (x > k).astype(float)),
    ]:
        assert isinstance(got, Tensor)
        close(got.to_numpy(), expected)


REDUCTIONS = {
    "sum": (lambda t, d: t.sum(d), lambda x, d: np.sum(x, axis=d, keepdims=True)),
    "mean": (lambda t, d: t.mean(d), lambda x, d: np.mean(x, axis=d, keepdims=True)),
    "max": (lambda t, d: t.max(d), lambda x, d: np.max(x, axis=d, keepdims=True)),
    "all": (lambda t, d: t.all(d), lambda x, d: np.all(x, axis=d, keepdims=True).astype(float)),
}


@pytest.mark.parametrize("name", list(REDUCTIONS))
@given(data=st.data())
def test_reductions_over_each_dim_keep_it_with_size_one(backend, name, data) -> None:
    fn, reference = REDUCTIONS[name]
    values = st.sampled_from([0.0, 1.0, 2.0]) if name == "all" else floats()
    t = data.draw(tensors(backend, values=values))
    x = as_numpy(t)
    for dim in list(range(t.dims)) + [-1]:
        out = fn(t, dim)
        expected = reference(x, dim)
        assert out.shape == expected.shape
        close(out.to_numpy(), expected)
    full = fn(t, None)
    assert full.shape == (1,)
    close(full.to_numpy(), reference(x, None).reshape(1))


def test_full_reductions_have_shape_one(backend) -> None:
    t = tensor([[1.0, 2.0], [3.0, 4.0]], backend=backend)
    assert t.sum().shape == (1,) and t.sum().item() == 10.0
    assert t.mean().shape == (1,) and t.mean().item() == 2.5
    assert t.sum(0).shape == (1, 2)
    assert t.sum(1).to_numpy().tolist() == [[3.0], [7.0]]
    assert t.max().item() == 4.0 and t.max(0).to_numpy().tolist() == [[3.0, 4.0]]


def test_map_fills_a_bigger_out_by_broadcasting(backend) -> None:
    a = tensor([1.0, 2.0, 3.0], backend=backend)
    out = tensor([[0.0] * 3] * 2, backend=backend)
    result = backend.neg_map(a, out)
    assert result is out
    assert out.to_numpy().tolist() == [[-1.0, -2.0, -3.0]] * 2


@given(st.data())
def test_permute_matches_numpy_transpose(backend, data) -> None:
    t = data.draw(tensors(backend))
    order = data.draw(st.permutations(range(t.dims)))
    out = t.permute(*order)
    assert out._tensor._storage is t._tensor._storage  # a view, no copy
    assert np.array_equal(out.to_numpy(), np.transpose(as_numpy(t), order))
    assert np.array_equal(t.permute(tuple(order)).to_numpy(), out.to_numpy())


@given(st.data())
def test_view_matches_numpy_reshape(backend, data) -> None:
    t = data.draw(tensors(backend)).contiguous()
    # a random shape with t.size elements: split the size into factors
    shape, rest = [], t.size
    for _ in range(data.draw(st.integers(0, 3))):
        factor = data.draw(st.sampled_from([d for d in range(1, rest + 1) if rest % d == 0]))
        shape.append(factor)
        rest //= factor
    shape = tuple(shape) + (rest,)
    out = t.view(*shape)
    assert out.shape == shape
    assert np.array_equal(out.to_numpy(), as_numpy(t).reshape(shape))
    assert t.view(-1).shape == (t.size,)


def test_view_and_contiguous(backend) -> None:
    t = tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], backend=backend)
    assert t.view(3, 2).to_numpy().tolist() == [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    assert t.view((6,)).shape == (6,)
    assert t.view(-1, 2).shape == (3, 2)
    transposed = t.permute(1, 0)
    assert t.is_contiguous() and not transposed.is_contiguous()
    c = transposed.contiguous()
    assert c.is_contiguous() and c._tensor._storage is not t._tensor._storage
    assert c.view(6).to_numpy().tolist() == [1.0, 4.0, 2.0, 5.0, 3.0, 6.0]


@given(st.data())
def test_matmul_matches_numpy(backend, data) -> None:
    a_shape, b_shape = data.draw(matmul_shapes())
    a = data.draw(tensors(backend, a_shape))
    b = data.draw(tensors(backend, b_shape))
    expected = np.matmul(as_numpy(a), as_numpy(b))
    out = a @ b
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.to_numpy(), expected, rtol=1e-9, atol=1e-6)


def test_matmul_batch_broadcast_example(backend) -> None:
    a = tensor_from(np.arange(12.0).reshape(2, 2, 3), backend)
    b = tensor_from(np.arange(6.0).reshape(1, 3, 2), backend)
    out = a @ b
    assert out.shape == (2, 2, 2)
    expected = np.matmul(np.arange(12.0).reshape(2, 2, 3), np.arange(6.0).reshape(1, 3, 2))
    assert out.to_numpy().tolist() == expected.tolist()
    m = tensor([[1.0, 2.0], [3.0, 4.0]], backend=backend)
    assert (m @ m).to_numpy().tolist() == [[7.0, 10.0], [15.0, 22.0]]


def test_functions_take_minitorch_style_tensor_dims_orders_and_shapes(backend) -> None:
    # MiniTorch's Tensor methods call Sum.apply(t, tensor([dim])), Permute.apply(t, tensor(order)),
    # View.apply(t, tensor(shape)): code written that way must run, and give the same gradients.
    from autograd.tensor_functions import All, Max, Permute, Sum, View

    a = tensor([[1.0, 5.0], [3.0, 4.0]], backend=backend)
    assert Sum.apply(a, tensor([0], backend=backend)).to_numpy().tolist() == [[4.0, 9.0]]
    assert Max.apply(a, tensor([1], backend=backend)).to_numpy().tolist() == [[5.0], [4.0]]
    assert All.apply(a, tensor([0], backend=backend)).to_numpy().tolist() == [[1.0, 1.0]]
    p = Permute.apply(a, tensor([1, 0], backend=backend))
    assert p.to_numpy().tolist() == [[1.0, 3.0], [5.0, 4.0]]
    v = View.apply(p.contiguous(), tensor([4], backend=backend))
    assert v.to_numpy().tolist() == [1.0, 3.0, 5.0, 4.0]
    assert v.parents[0].parents[0].parents == (a,)  # the shape tensor is no input of the graph
    (v * tensor([1.0, 2.0, 3.0, 4.0], backend=backend)).sum().backward()
    assert a.grad.to_numpy().tolist() == [[1.0, 3.0], [2.0, 4.0]]
    with pytest.raises(TypeError, match="whole numbers"):
        Sum.apply(a, tensor([0.5], backend=backend))
    with pytest.raises(TypeError, match=r"one number.*\(2,\)"):
        Sum.apply(a, tensor([0, 1], backend=backend))
