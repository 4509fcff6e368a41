"""PyTorch habits (issue 9, part 1): reshapes and views, indexing that returns views, more
operations, keepdim, conversions, constructors, freed graphs, printing and their errors.

Values are checked against numpy; gradients against central differences (grad_check) on
random, permuted (non-contiguous) and broadcast layouts, on every backend.
"""

from __future__ import annotations

import gc
import tracemalloc

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import broadcast_shapes, floats, hundredths, index_keys, shapes, tensor_data, tensors

import autograd
from autograd import (
    IndexingError,
    Tensor,
    arange,
    eye,
    full,
    full_like,
    grad_check,
    ones,
    ones_like,
    rand,
    rand_like,
    randn,
    randn_like,
    tensor,
    zeros,
    zeros_like,
)


def on(backend, td) -> Tensor:  # type: ignore[no-untyped-def]
    return Tensor(td, backend=backend).requires_grad_(True)


def shares_storage(a: Tensor, b: Tensor) -> bool:
    return np.shares_memory(a.tuple()[0], b.tuple()[0])


# ## reshape, flatten, .T, transpose, unsqueeze, squeeze


def test_reshape_is_a_view_when_it_can_and_a_copy_when_it_must(backend) -> None:
    x = tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], backend=backend)
    r = x.reshape(3, 2)
    assert r.shape == (3, 2) and shares_storage(r, x)
    assert x.reshape((6,)).tolist() == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    assert x.reshape(-1, 3).shape == (2, 3)
    t = x.T  # permuted: (3, 2) with strides (1, 3)
    flat = t.reshape(6)  # no strides can read it as (6,): a copy, not an error
    assert flat.tolist() == [1.0, 4.0, 2.0, 5.0, 3.0, 6.0] and not shares_storage(flat, x)
    assert t.reshape(3, 1, 2).tolist() == [[[1.0, 4.0]], [[2.0, 5.0]], [[3.0, 6.0]]]
    assert shares_storage(t.reshape(3, 1, 2), x)  # adding a size-1 dimension needs no copy


def test_a_bad_reshape_names_both_shapes() -> None:
    x = tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    with pytest.raises(IndexingError, match=r"shape \(2, 3\).*shape \(4, 2\)"):
        x.reshape(4, 2)
    with pytest.raises(IndexingError, match=r"\(2, 3\).*\(4, -1\)"):
        x.reshape(4, -1)


@given(st.data())
def test_reshape_of_any_layout_reads_the_numbers_in_row_major_order(backend, data) -> None:  # type: ignore[no-untyped-def]
    td = data.draw(tensor_data())
    x = on(backend, td)
    expected = x.to_numpy().reshape(-1)
    new_shape = data.draw(st.permutations(list(x.shape)).map(tuple))
    np.testing.assert_array_equal(x.reshape(new_shape).to_numpy(), expected.reshape(new_shape))
    np.testing.assert_array_equal(x.flatten().to_numpy(), expected)
    grad_check(lambda t: t.reshape(new_shape) * 1.5, x)


def test_transpose_T_unsqueeze_squeeze_are_views(backend) -> None:
    x = tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], backend=backend)
    for v in (x.T, x.transpose(0, 1), x.transpose(-1, 0), x.unsqueeze(0), x.unsqueeze(-1), x.unsqueeze(2).squeeze()):
        assert shares_storage(v, x)
    np.testing.assert_array_equal(x.T.to_numpy(), x.to_numpy().T)
    assert x.transpose(0, 1).shape == (3, 2) and x.transpose(1, 1).shape == (2, 3)
    assert x.unsqueeze(0).shape == (1, 2, 3) and x.unsqueeze(1).shape == (2, 1, 3) and x.unsqueeze(-1).shape == (2, 3, 1)
    y = zeros(1, 3, 1, 2)
    assert y.squeeze().shape == (3, 2) and y.squeeze(0).shape == (3, 1, 2) and y.squeeze(1).shape == (1, 3, 1, 2)
    assert zeros(1, 1).squeeze().shape == (1,)  # a one-element tensor keeps one dimension
    assert zeros(2, 3, 4).T.shape == (4, 3, 2)
    with pytest.raises(IndexingError, match="dimension 3"):
        x.unsqueeze(3)


@given(st.data())
def test_view_functions_have_the_right_gradients(backend, data) -> None:  # type: ignore[no-untyped-def]
    x = data.draw(tensors(backend, shape=data.draw(shapes(min_dims=2))))
    w = data.draw(tensors(backend, shape=tuple(reversed(x.shape)), requires_grad=False))
    grad_check(lambda t: t.T * w, x)
    grad_check(lambda t: t.unsqueeze(1).squeeze(1).transpose(0, -1).transpose(0, -1) * w.T, x)
    grad_check(lambda t: t.flatten() * w.flatten(), x)


# ## Indexing: views, differentiable; a full integer index is a float


@given(st.data())
def test_indexing_matches_numpy_and_returns_views(backend, data) -> None:  # type: ignore[no-untyped-def]
    x = on(backend, data.draw(tensor_data()))
    key = data.draw(index_keys(x.shape))
    expected = x.to_numpy()[key]
    got = x[key]
    if np.ndim(expected) == 0 and isinstance(got, float):  # one int per dimension
        assert got == float(expected)
        return
    assert isinstance(got, Tensor) and got.shape == np.shape(expected)
    np.testing.assert_array_equal(got.to_numpy(), expected)
    assert got.size == 0 or shares_storage(got, x)


@given(st.data())
def test_the_gradient_of_an_index_lands_in_the_selected_cells(backend, data) -> None:  # type: ignore[no-untyped-def]
    x = on(backend, data.draw(tensor_data()))
    key = data.draw(index_keys(x.shape))
    picked = x[key]
    assume(isinstance(picked, Tensor) and picked.size > 0)
    picked.sum().backward()
    mask = np.zeros(x.shape)
    mask[key] = 1.0  # numpy puts a 1 in every selected cell
    np.testing.assert_array_equal(x.grad.to_numpy(), mask)
    x.zero_grad_()
    grad_check(lambda t: t[key] * 2.0, x)


def test_indexing_examples_and_a_full_integer_index_gives_a_float() -> None:
    x = tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert x[1, 2] == 6.0 and isinstance(x[1, 2], float) and x[-1, -3] == 4.0
    assert x[0].tolist() == [1.0, 2.0, 3.0] and x[:, 1].tolist() == [2.0, 5.0]
    assert x[..., 0].tolist() == [1.0, 4.0] and x[0, ::2].tolist() == [1.0, 3.0]
    assert x[:, 1:100].tolist() == [[2.0, 3.0], [5.0, 6.0]]  # a stop past the end means the end
    assert tensor([7.0, 8.0])[1] == 8.0  # 1-D: t[i] is a number, as in MiniTorch
    row = x[1]
    row[0] = 40.0  # a view: writes reach the original
    assert x[1, 0] == 40.0


def test_bad_indices_are_clear_errors() -> None:
    x = tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    with pytest.raises(IndexingError, match=r"index 2 .*dimension 0 of shape \(2, 3\)"):
        x[2]
    with pytest.raises(IndexingError, match=r"slice.*out of range.*dimension 1 of shape \(2, 3\)"):
        x[:, 5:7]
    with pytest.raises(IndexingError, match="step must be positive"):
        x[::-1]
    with pytest.raises(IndexingError, match="too many indices"):
        x[0, 0, 0]
    with pytest.raises(IndexingError, match=r"only one '\.\.\.'"):
        x[..., ...]
    with pytest.raises(TypeError, match="ints, slices and '...'"):
        x["a"]


# ## Elementwise: **, pow, tanh, abs, sqrt, clamp / clip, maximum / minimum

away_from_zero = floats(-10, 10).filter(lambda v: abs(v) > 0.1)
positive = floats(0.1, 10)


@given(st.data())
def test_pow_tanh_abs_sqrt_match_numpy_and_their_gradients(backend, data) -> None:  # type: ignore[no-untyped-def]
    x = data.draw(tensors(backend, values=away_from_zero))
    p = data.draw(tensors(backend, shape=x.shape, values=positive))
    n = x.to_numpy()
    np.testing.assert_allclose((x**2).to_numpy(), n**2, rtol=1e-12)
    np.testing.assert_allclose(x.pow(3).to_numpy(), n**3, rtol=1e-12)
    np.testing.assert_allclose((p**0.5).to_numpy(), np.sqrt(p.to_numpy()), rtol=1e-12)
    np.testing.assert_allclose(p.sqrt().to_numpy(), np.sqrt(p.to_numpy()), rtol=1e-12)
    np.testing.assert_allclose((p**-1.5).to_numpy(), p.to_numpy() ** -1.5, rtol=1e-12)
    np.testing.assert_allclose(x.tanh().to_numpy(), np.tanh(n), rtol=1e-12)
    np.testing.assert_array_equal(x.abs().to_numpy(), np.abs(n))
    np.testing.assert_array_equal(abs(x).to_numpy(), np.abs(n))
    grad_check(lambda t: t**3, x)
    grad_check(lambda t: t.sqrt() + t**-1.5, p)
    grad_check(lambda t: (t * 0.3).tanh(), x)
    grad_check(lambda t: t.abs(), x)


def test_pow_follows_ieee_instead_of_raising() -> None:
    x = tensor([-8.0, 0.0, 10.0, -2.0])
    out = (x ** 0.5).to_numpy()
    assert np.isnan(out[0]) and out[1] == 0.0
    assert (x ** 400).to_numpy()[2] == np.inf and (x ** 3).to_numpy()[3] == -8.0
    assert (x ** -1).to_numpy()[1] == np.inf


def test_a_tensor_exponent_is_a_clear_type_error() -> None:
    x = tensor([1.0, 2.0])
    with pytest.raises(TypeError, match="tensor exponent is not supported"):
        x ** x
    with pytest.raises(TypeError, match="exponent must be a number"):
        2.0 ** x


@given(st.data())
def test_maximum_minimum_clamp_match_numpy_and_their_gradients(backend, data) -> None:  # type: ignore[no-untyped-def]
    shape_a, shape_b = data.draw(broadcast_shapes())
    a = data.draw(tensors(backend, shape=shape_a))
    b = data.draw(tensors(backend, shape=shape_b))
    na, nb = a.to_numpy(), b.to_numpy()
    np.testing.assert_array_equal(a.maximum(b).to_numpy(), np.maximum(na, nb))
    np.testing.assert_array_equal(a.minimum(b).to_numpy(), np.minimum(na, nb))
    np.testing.assert_array_equal(a.clamp(-10.0, 20.0).to_numpy(), np.clip(na, -10.0, 20.0))
    np.testing.assert_array_equal(a.clip(min=0.0).to_numpy(), np.clip(na, 0.0, None))
    np.testing.assert_array_equal(a.clamp(max=1.0).to_numpy(), np.minimum(na, 1.0))
    assume(np.all(np.abs(np.subtract(na, nb)) > 1e-3))  # central differences need no tie nearby
    assume(np.all(np.abs(np.abs(na - 5.0) - 15.0) > 1e-3))
    grad_check(lambda s, t: s.maximum(t), a, b)
    grad_check(lambda s, t: s.minimum(t) * 2.0, a, b)
    grad_check(lambda s: s.clamp(-10.0, 20.0), a)


def test_maximum_splits_the_gradient_of_a_tie() -> None:
    a, b = tensor([1.0, 2.0, 3.0]), tensor([1.0, 5.0, 0.0])
    a.maximum(b).sum().backward()
    assert a.grad.tolist() == [0.5, 0.0, 1.0] and b.grad.tolist() == [0.5, 1.0, 0.0]


# ## Reductions: keepdim, min, argmax, prod, var, std


@given(st.data())
def test_every_reduction_takes_keepdim(backend, data) -> None:  # type: ignore[no-untyped-def]
    x = data.draw(tensors(backend, values=floats(0.5, 3.0), unique=True))
    n = x.to_numpy()
    dim = data.draw(st.integers(-x.dims, x.dims - 1))
    cases = {
        "sum": np.sum, "mean": np.mean, "max": np.max, "min": np.min, "prod": np.prod,
        "var": lambda v, axis, keepdims: np.var(v, axis=axis, keepdims=keepdims, ddof=1),
        "std": lambda v, axis, keepdims: np.std(v, axis=axis, keepdims=keepdims, ddof=1),
        "argmax": lambda v, axis, keepdims: np.argmax(v, axis=axis, keepdims=keepdims),
        "argmin": lambda v, axis, keepdims: np.argmin(v, axis=axis, keepdims=keepdims),
    }  # fmt: skip
    for name, reference in cases.items():
        for keepdim in (True, False):
            got = getattr(x, name)(dim, keepdim=keepdim)
            with np.errstate(all="ignore"):  # var of a single value: 0 / 0
                expected = np.asarray(reference(n, axis=dim, keepdims=keepdim), dtype=np.float64)
            expected_shape = expected.shape or (1,)  # a reduction of a 1-D tensor keeps (1,)
            assert got.shape == expected_shape, (name, keepdim)
            np.testing.assert_allclose(got.to_numpy().reshape(expected_shape), expected.reshape(expected_shape), rtol=1e-9)
    assert x.sum(dim).shape == x.sum(dim, keepdim=True).shape  # the default keeps the dim (MiniTorch)
    assert x.all(dim, keepdim=False).shape == (np.sum(n, axis=dim).shape or (1,))


@given(st.data())
def test_reductions_have_the_right_gradients(backend, data) -> None:  # type: ignore[no-untyped-def]
    # values at least 0.01 apart: no tie for min to straddle within central differences' reach
    x = data.draw(tensors(backend, shape=data.draw(shapes(min_dims=2)), values=hundredths(-3, 3), unique=True))
    dim = data.draw(st.integers(0, x.dims - 1))
    grad_check(lambda t: t.min(dim, keepdim=False), x)
    grad_check(lambda t: t.prod(dim), x)
    grad_check(lambda t: t.sum(dim, keepdim=False) * t.mean(), x)
    if x.shape[dim] > 1:
        grad_check(lambda t: t.var(dim) + t.std(dim, keepdim=False).sum(), x)


def test_prod_gradient_at_zeros() -> None:
    x = tensor([[2.0, 0.0, 3.0], [0.0, 0.0, 4.0], [1.0, 2.0, 3.0]])
    x.prod(1).sum().backward()
    # one zero: only it gets the product of the others; two zeros: nothing; none: prod / x
    assert x.grad.tolist() == [[0.0, 6.0, 0.0], [0.0, 0.0, 0.0], [6.0, 3.0, 2.0]]
    y = tensor([[2.0, 0.0, 3.0], [1.0, 2.0, 3.0]])
    grad_check(lambda t: t.prod(1), y)


def test_max_min_argmax_over_a_dim() -> None:
    x = tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 7.0]])
    assert x.max(1).tolist() == [[5.0], [7.0]] and x.min(0, keepdim=False).tolist() == [1.0, 0.0, 2.0]
    assert x.argmax(1, keepdim=False).tolist() == [1.0, 0.0]  # the first of tied maxima
    assert x.argmax().tolist() == [3.0] and x.argmin().tolist() == [4.0]
    assert x.var().item() == pytest.approx(np.var(x.to_numpy(), ddof=1))
    assert x.std(correction=0).item() == pytest.approx(np.std(x.to_numpy()))


# ## Conversions


def test_conversions() -> None:
    x = tensor([[1.0, 2.0], [3.0, 4.0]])
    assert isinstance(x.numpy(), np.ndarray) and x.numpy().tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert x.tolist() == [[1.0, 2.0], [3.0, 4.0]] and len(x) == 2 and len(tensor([1.0, 2.0, 3.0])) == 3
    rows = list(x)
    assert [r.tolist() for r in rows] == [[1.0, 2.0], [3.0, 4.0]]
    assert list(tensor([5.0, 6.0])) == [5.0, 6.0]
    s = x.sum()
    assert float(s) == 10.0 and int(s) == 10 and isinstance(float(s), float)
    assert int(tensor([2.7])) == 2


def test_float_of_many_elements_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"one element.*shape \(2, 2\)"):
        float(tensor([[1.0, 2.0], [3.0, 4.0]]))
    with pytest.raises(ValueError, match=r"one element.*shape \(3,\)"):
        int(tensor([1.0, 2.0, 3.0]))


# ## Constructors


def test_constructors_take_sizes_or_a_shape(backend) -> None:
    assert rand(2, 3).shape == (2, 3) and rand((2, 3)).shape == (2, 3) and rand([4]).shape == (4,)
    assert rand((2, 3), backend).backend is backend  # MiniTorch passes the backend second
    assert rand(2, 3, seed=1).tolist() == rand((2, 3), seed=1).tolist()
    z = randn(1000, seed=0, backend=backend)
    assert abs(z.mean().item()) < 0.1 and abs(z.std().item() - 1.0) < 0.1
    assert zeros(2, 3, backend=backend).tolist() == [[0.0] * 3] * 2 and ones(2).tolist() == [1.0, 1.0]
    assert full((2, 2), 7.0).tolist() == [[7.0, 7.0], [7.0, 7.0]]
    assert arange(4).tolist() == [0.0, 1.0, 2.0, 3.0] and arange(1, 2, 0.5).tolist() == [1.0, 1.5]
    assert eye(2).tolist() == [[1.0, 0.0], [0.0, 1.0]] and eye(2, 3).shape == (2, 3)
    x = rand(2, 3, backend=backend)
    for like in (zeros_like(x), ones_like(x), full_like(x, 2.0), rand_like(x), randn_like(x)):
        assert like.shape == x.shape and like.backend is backend and like.requires_grad()
    assert zeros_like(x).tolist() == [[0.0] * 3] * 2 and full_like(x, 2.0).tolist() == [[2.0] * 3] * 2
    assert not zeros(2, requires_grad=False).requires_grad()


def test_constructor_errors() -> None:
    with pytest.raises(TypeError, match="shape"):
        zeros(2.5)
    with pytest.raises(IndexingError, match="negative"):
        ones(2, -1)
    with pytest.raises(TypeError, match="needs a shape"):
        rand()
    with pytest.raises(ValueError, match="step"):
        arange(0, 1, 0)
    assert autograd.tensor_functions.rand is rand  # MiniTorch's import path


# ## backward(retain_graph=...) and freed graphs


def test_a_second_backward_through_a_freed_graph_is_a_clear_error(backend) -> None:
    x = tensor([1.0, 2.0], backend=backend)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()
    z = (x.exp() * x).sum()
    z.backward(retain_graph=True)
    first = x.grad.tolist()
    z.backward()  # kept: a second backward adds the same gradient again
    np.testing.assert_allclose(x.grad.to_numpy(), 2 * np.array(first) - np.array([2.0, 4.0]))  # y gave 2x once


def test_memory_does_not_grow_over_200_training_steps() -> None:
    rng = np.random.default_rng(0)
    data = tensor(rng.normal(size=(16, 4)).tolist(), requires_grad=False)
    target = tensor(rng.normal(size=(16, 1)).tolist(), requires_grad=False)
    w = rand(4, 1, seed=1)

    def step(w: Tensor) -> Tensor:
        loss = ((data @ w - target) ** 2).mean()
        loss.backward()
        return (w - w.grad * 0.05).detach().requires_grad_(True)

    for _ in range(20):  # warm up caches (numba dispatch, ids, ...)
        w = step(w)
    gc.collect()
    tracemalloc.start()
    try:
        for _ in range(20):
            w = step(w)
        gc.collect()
        after_20, _ = tracemalloc.get_traced_memory()
        for _ in range(180):
            w = step(w)
        gc.collect()
        after_200, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert after_200 - after_20 < 50_000, f"{after_200 - after_20} bytes more after 180 more steps"


# ## Printing


def test_small_tensors_print_as_minitorch_does() -> None:
    t = tensor([1, 2, 3])
    t.sum().backward()
    assert repr(t.grad) == "[1.00 1.00 1.00]"  # the seed page's output
    assert repr(tensor([[1.0, 2.0], [3.0, 4.5]])) == "[[1.00 2.00]\n [3.00 4.50]]"
    assert repr(tensor([[[1.0], [2.0]], [[3.0], [-4.0]]])) == "[[[1.00]\n  [2.00]]\n [[3.00]\n  [-4.00]]]"
    assert repr(tensor([12345.678, 0.0, -1.0])) == "[12345.68 0.00 -1.00]"


def test_values_that_3_2f_would_hide_print_in_scientific_notation() -> None:
    assert repr(tensor([1e-5, 1.0])) == "[1.000e-05 1.000e+00]"
    assert repr(tensor([123456.0, 2.0])) == "[1.235e+05 2.000e+00]"
    assert repr(tensor([0.0, float("nan"), float("inf")])) == "[0.00 nan inf]"  # they do not count


def test_big_tensors_are_summarised_with_three_values_at_each_edge() -> None:
    big = tensor(np.arange(10000.0).reshape(100, 100))
    text = repr(big)
    lines = text.splitlines()
    assert len(lines) == 7 and lines[3] == " ..."
    assert lines[0] == "[[0.00 1.00 2.00 ... 97.00 98.00 99.00]"
    assert lines[-1] == " [9900.00 9901.00 9902.00 ... 9997.00 9998.00 9999.00]]"
    assert len(text) < 400
    assert "..." not in repr(tensor(np.arange(1000.0)))  # 1000 numbers: still all of them
    assert repr(tensor(np.arange(1001.0))) == "[0.00 1.00 2.00 ... 998.00 999.00 1000.00]"
