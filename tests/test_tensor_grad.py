"""Tensor gradients: every Function checked against central differences.

Inputs come with permuted (non-contiguous) layouts and broadcast shapes; ``grad_check`` also
checks that each gradient has its input's shape. Hand-worked examples pin down the rules
(broadcast gradients summed back, ties in max, accumulation).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import as_numpy, broadcast_shapes, floats, hundredths, matmul_shapes, tensor_from, tensors

from autograd import Function, grad_central_difference, grad_check, no_grad, tensor
from autograd.testing import catalogue

CASES = catalogue()


# ## The catalogue (shared with the scalar tests and the notebooks)


@pytest.mark.parametrize("case", CASES.one_arg, ids=lambda c: c.name)
@given(data=st.data())
def test_one_arg_gradients(backend, case, data) -> None:
    t = data.draw(tensors(backend, values=floats(*case.domain)))
    assume(np.all(case.smooth(as_numpy(t))))
    grad_check(case.fn_variable, t)


@pytest.mark.parametrize("case", CASES.two_arg, ids=lambda c: c.name)
@given(data=st.data())
def test_two_arg_gradients_with_broadcasting(backend, case, data) -> None:
    a_shape, b_shape = data.draw(broadcast_shapes())
    a = data.draw(tensors(backend, a_shape, floats(*case.domain)))
    b = data.draw(tensors(backend, b_shape, floats(*case.domain)))
    assume(np.all(case.smooth(as_numpy(a), as_numpy(b))))
    grad_check(case.fn_variable, a, b)


@pytest.mark.parametrize("case", CASES.reduction, ids=lambda c: c.name)
@given(data=st.data())
def test_catalogue_reduction_gradients(backend, case, data) -> None:
    t = data.draw(tensors(backend, values=floats(*case.domain)))
    grad_check(case.fn_variable, t)


# ## Each Function on its own


@pytest.mark.parametrize("name", ["sum", "mean", "max"])
@given(data=st.data())
def test_reduction_gradients_over_each_dim(backend, name, data) -> None:
    # max: distinct values, one clear argmax per slice (ties are tested by hand below)
    t = data.draw(tensors(backend, values=hundredths(), unique=True) if name == "max" else tensors(backend))
    for dim in [None] + list(range(t.dims)):
        grad_check(lambda x: getattr(x, name)(dim), t)


@given(st.data())
def test_permute_gradient(backend, data) -> None:
    t = data.draw(tensors(backend))
    order = data.draw(st.permutations(range(t.dims)))
    weights = tensor_from(np.arange(1.0, t.size + 1).reshape(tuple(t.shape[i] for i in order)), backend, False)
    # weighting each output position differently catches a backward that un-permutes wrongly
    grad_check(lambda x: x.permute(*order) * weights, t)


@given(st.data())
def test_view_and_contiguous_gradients(backend, data) -> None:
    t = data.draw(tensors(backend))
    weights = tensor_from(np.arange(1.0, t.size + 1), backend, False)
    grad_check(lambda x: x.contiguous().view(t.size) * weights, t)
    grad_check(lambda x: x.contiguous() * x, t)


@given(st.data())
def test_matmul_gradients(backend, data) -> None:
    a_shape, b_shape = data.draw(matmul_shapes())
    a = data.draw(tensors(backend, a_shape, floats(-10.0, 10.0)))
    b = data.draw(tensors(backend, b_shape, floats(-10.0, 10.0)))
    grad_check(lambda x, y: x @ y, a, b)


@given(st.data())
def test_sigmoid_relu_log_exp_inv_neg_gradients(backend, data) -> None:
    t = data.draw(tensors(backend, values=floats(0.1, 10.0)))
    grad_check(lambda x: -(x.sigmoid() * x.relu() + x.log() * (x / 5).exp() + 1 / x), t)


@given(st.data())
def test_comparisons_have_zero_gradient(backend, data) -> None:
    a_shape, b_shape = data.draw(broadcast_shapes())
    a = data.draw(tensors(backend, a_shape, st.integers(0, 2).map(float)))
    b = data.draw(tensors(backend, b_shape, st.integers(0, 2).map(float)))
    for fn in (lambda x, y: x < y, lambda x, y: x == y, lambda x, y: x.is_close(y), lambda x, y: (x * y).all()):
        a.zero_grad_()
        b.zero_grad_()
        fn(a, b).sum().backward()
        for x in (a, b):
            assert x.grad.shape == x.shape
            assert not np.any(x.grad.to_numpy())


@given(st.data())
def test_results_with_numpy_and_gradients_of_a_small_network(backend, data) -> None:
    x = data.draw(tensors(backend, (3, 2), floats(-2.0, 2.0)))
    w = data.draw(tensors(backend, (2, 3), floats(-2.0, 2.0)))
    bias = data.draw(tensors(backend, (3,), floats(-2.0, 2.0)))
    out = ((x @ w + bias).relu().sum(1) - 1).sigmoid()
    xn, wn, bn = as_numpy(x), as_numpy(w), as_numpy(bias)
    expected = 1 / (1 + np.exp(-(np.maximum(xn @ wn + bn, 0).sum(1, keepdims=True) - 1)))
    np.testing.assert_allclose(out.to_numpy(), expected, rtol=1e-9)
    assume(np.all(np.abs(xn @ wn + bn) > 1e-3))  # away from relu's kink
    grad_check(lambda x_, w_, b_: ((x_ @ w_ + b_).relu().sum(1) - 1).sigmoid(), x, w, bias)


# ## Hand-worked rules


def test_broadcast_gradient_is_summed_back_to_the_input_shape(backend) -> None:
    a = tensor([1.0, 2.0, 3.0], backend=backend)
    b = tensor([[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]], backend=backend)
    (a * b).sum().backward()
    assert a.grad.shape == (3,)
    assert a.grad.to_numpy().tolist() == [3.0, 3.0, 3.0]  # the sums of b's columns
    assert b.grad.to_numpy().tolist() == [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]


def test_broadcast_over_size_one_and_missing_leading_dims(backend) -> None:
    # (2, 1) against (3, 2, 3): summed over the missing dim 0 and the size-1 dim 2 (not dim 1)
    a = tensor([[1.0], [2.0]], backend=backend)
    b = tensor_from(np.arange(18.0).reshape(3, 2, 3), backend)
    (a * b).sum().backward()
    assert a.grad.shape == (2, 1)
    expected = np.arange(18.0).reshape(3, 2, 3).sum(axis=(0, 2)).reshape(2, 1)
    assert a.grad.to_numpy().tolist() == expected.tolist()
    assert b.grad.to_numpy().tolist() == np.broadcast_to([[1.0], [2.0]], (3, 2, 3)).tolist()


def test_number_operands_broadcast_and_take_no_gradient(backend) -> None:
    t = tensor([[1.0, 2.0], [4.0, 8.0]], backend=backend)
    (1 / t + 2 * t - 3).sum().backward()
    np.testing.assert_allclose(t.grad.to_numpy(), -1 / np.array([[1.0, 2.0], [4.0, 8.0]]) ** 2 + 2)


def test_max_gradient_goes_to_the_argmax_and_splits_ties(backend) -> None:
    t = tensor([[1.0, 5.0, 5.0], [7.0, 2.0, 3.0], [4.0, 4.0, 4.0]], backend=backend)
    t.max(1).sum().backward()
    third = 1.0 / 3.0
    np.testing.assert_allclose(t.grad.to_numpy(), [[0, 0.5, 0.5], [1, 0, 0], [third, third, third]])


def test_sum_backward_sends_grad_output_to_every_position(backend) -> None:
    t = tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], backend=backend)
    t.sum(0).backward(tensor([[10.0, 20.0, 30.0]], backend=backend))
    assert t.grad.to_numpy().tolist() == [[10.0, 20.0, 30.0], [10.0, 20.0, 30.0]]


def test_backward_with_grad_output_and_accumulation(backend) -> None:
    x = tensor([1.0, 2.0], backend=backend)
    y = x * x
    y.backward(tensor([1.0, 10.0], backend=backend))
    assert x.grad.to_numpy().tolist() == [2.0, 40.0]
    (x * 3).sum().backward()  # gradients add up across calls ...
    assert x.grad.to_numpy().tolist() == [5.0, 43.0]
    x.zero_grad_()  # ... until cleared
    assert x.grad is None
    (x * x).backward(2.0)  # a number broadcasts to the output's shape
    assert x.grad.to_numpy().tolist() == [4.0, 8.0]


def test_a_shared_input_collects_both_contributions(backend) -> None:
    x = tensor([3.0], backend=backend)
    a = x * x
    (a + a * x).backward()  # x^2 + x^3: derivative 2x + 3x^2 = 33
    assert x.grad.item() == 33.0


def test_gradients_are_not_aliased(backend) -> None:
    a = tensor([1.0, 2.0], backend=backend)
    b = tensor([3.0, 4.0], backend=backend)
    (a + b).sum().backward()
    a.grad[0] = 100.0  # Add passes the same gradient to both inputs; each leaf owns a copy
    assert b.grad[0] == 1.0


def test_no_grad_blocks_the_graph(backend) -> None:
    x = tensor([2.0], backend=backend)
    with no_grad():
        y = x * x
    z = x * 3 + y
    z.backward()
    assert x.grad.item() == 3.0  # y contributed nothing: it was made under no_grad


def test_requires_grad_makes_a_fresh_leaf(backend) -> None:
    # The optimizer's pattern: the updated value must be a leaf, not a node of the old graph.
    w = tensor([1.0, 2.0], backend=backend)
    (w * w).sum().backward()
    new_w = (w - 0.5 * w.grad).requires_grad_(True)
    assert new_w.is_leaf() and new_w.parents == ()
    (new_w * 3).sum().backward()
    assert new_w.grad.to_numpy().tolist() == [3.0, 3.0]
    assert w.grad.to_numpy().tolist() == [2.0, 4.0]  # the old leaf got nothing more


def test_leaf_backward(backend) -> None:
    x = tensor([2.0], backend=backend)
    x.backward()
    assert x.grad.to_numpy().tolist() == [1.0]


def test_a_graph_of_20000_operations_backpropagates(backend) -> None:
    x = tensor([1.0, 2.0], backend=backend)
    y = x
    for _ in range(20_000):
        y = y + x
    y.sum().backward()  # iterative topological sort: no recursion limit
    assert x.grad.to_numpy().tolist() == [20_001.0, 20_001.0]


# ## grad_check itself must be able to fail


class _WrongExp(Function):
    """exp with a backward that forgets the chain rule (returns exp(a), ignoring grad_output)."""

    @staticmethod
    def forward(ctx, a):
        out = a.f.exp_map(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad_output):
        (out,) = ctx.saved_values
        return out


def test_grad_central_difference_of_a_known_function(backend) -> None:
    x = tensor([[1.0, 2.0], [3.0, 4.0]], backend=backend)
    y = tensor([10.0, 20.0], backend=backend)
    # d/dx[1, 0] of sum(x * x * y) = 2 * x[1, 0] * y[0] = 60
    assert grad_central_difference(lambda a, b: a * a * b, x, y, arg=0, ind=(1, 0)) == pytest.approx(60.0)
    # d/dy[1] = x[0, 1]^2 + x[1, 1]^2 = 20
    assert grad_central_difference(lambda a, b: a * a * b, x, y, arg=1, ind=(1,)) == pytest.approx(20.0)


class _WrongShape(Function):
    """Sum over dim 0 whose backward returns a gradient of the wrong shape."""

    @staticmethod
    def forward(ctx, a):
        return a.f.add_reduce(a, 0)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.zeros((2,))


def test_a_backward_with_a_wrong_shape_is_named(backend) -> None:
    t = tensor([1.0, 2.0, 3.0], backend=backend)
    with pytest.raises(RuntimeError, match=r"_WrongShape.backward returned a gradient of shape \(2,\).*\(3,\)"):
        _WrongShape.apply(t).backward()


def test_grad_check_catches_a_wrong_backward(backend) -> None:
    t = tensor([0.5, 1.0], backend=backend)
    with pytest.raises(AssertionError, match="input 0"):
        grad_check(lambda x: _WrongExp.apply(x) * 3, t)
    grad_check(lambda x: _WrongExp.apply(x), t)  # right by accident when grad_output is 1
