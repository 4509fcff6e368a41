"""What the lean path of a tensor operation promises (issue 9, part 3: speed of small operations).

Function.apply passes its tensor inputs to forward as they are (no detached copies) and runs
forward with recording off; backward() computes gradients with recording off; Sum's backward
is a broadcast view (``expand``) instead of a kernel call; ``t / number`` multiplies by the
number's reciprocal. Each of these must keep the results, the gradients and the graph exactly
as before: these tests say so on every backend.
"""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import tensors

from autograd import Context, Function, IndexingError, Tensor, grad_check, no_grad, tensor, topological_sort


# ## expand: a broadcast view (Sum's backward)


def test_expand_repeats_size_one_and_missing_dimensions_without_a_copy() -> None:
    x = tensor([[1.0, 2.0, 3.0]])._tensor  # (1, 3)
    e = x.expand((2, 4, 3))
    assert e.shape == (2, 4, 3) and e.strides == (0, 0, 1) and e._storage is x._storage
    np.testing.assert_array_equal(Tensor(e).to_numpy(), np.broadcast_to(Tensor(x).to_numpy(), (2, 4, 3)))
    assert x.expand((1, 3)).strides == (3, 1)
    column = tensor([[1.0], [2.0]])._tensor.permute(1, 0).permute(1, 0)  # (2, 1)
    np.testing.assert_array_equal(Tensor(column.expand((2, 3))).to_numpy(), [[1.0] * 3, [2.0] * 3])


@pytest.mark.parametrize("shape", [(2, 2), (3,), (2, 0)])
def test_expand_to_a_shape_it_does_not_broadcast_to_names_both_shapes(shape) -> None:  # type: ignore[no-untyped-def]
    x = tensor([[1.0, 2.0, 3.0]])._tensor
    with pytest.raises(IndexingError, match=r"\(1, 3\).*" + r"\(" + ", ".join(map(str, shape))):
        x.expand(shape)


def test_the_gradient_of_a_sum_is_a_view_of_the_output_gradient(backend) -> None:
    x = tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], backend=backend, requires_grad=True)
    y = x.sum(1)
    (grad,) = y.history.last_fn._backward(y.history.ctx, tensor([[10.0], [20.0]], backend=backend))
    assert grad.shape == (2, 3) and grad.strides == (1, 0)  # no copy: stride 0 along the summed dim
    np.testing.assert_array_equal(grad.to_numpy(), [[10.0] * 3, [20.0] * 3])


@given(st.data())
def test_sum_and_mean_gradients_on_every_layout(backend, data) -> None:  # type: ignore[no-untyped-def]
    x = data.draw(tensors(backend))  # permuted layouts too
    dim = data.draw(st.integers(0, x.dims - 1))
    w = data.draw(tensors(backend, shape=x.shape[:dim] + (1,) + x.shape[dim + 1 :], requires_grad=False))
    grad_check(lambda t: t.sum(dim) * w, x)
    grad_check(lambda t: t.mean(dim) * w + t.sum(), x)


# ## apply: inputs as they are, forward with recording off


class TwiceSquare(Function):
    """2 a^2, written with Tensor operations inside forward and backward (as a student may)."""

    @staticmethod
    def forward(ctx: Context, a: Tensor) -> Tensor:
        ctx.save_for_backward(a)
        return a * a * 2.0

    @staticmethod
    def backward(ctx: Context, grad_output: Tensor) -> Tensor:
        (a,) = ctx.saved_values
        return grad_output * a * 4.0


def test_tensor_operations_inside_forward_and_backward_record_nothing(backend) -> None:
    x = tensor([1.0, -2.0, 3.0], backend=backend, requires_grad=True)
    y = TwiceSquare.apply(x)
    assert y.history.last_fn is TwiceSquare and y.parents == (x,)  # one node, on x itself
    assert [n.unique_id for n in topological_sort(y)] == [y.unique_id, x.unique_id]
    y.sum().backward()
    np.testing.assert_allclose(x.grad.to_numpy(), [4.0, -8.0, 12.0])
    assert x.grad.history is None  # the gradient has no graph of its own


def test_a_forward_that_returns_its_input_leaves_the_input_alone(backend) -> None:
    class Same(Function):
        @staticmethod
        def forward(ctx: Context, a: Tensor) -> Tensor:
            return a

        @staticmethod
        def backward(ctx: Context, grad_output: Tensor) -> Tensor:
            return grad_output

    x = tensor([1.0, 2.0], backend=backend, requires_grad=True)
    y = Same.apply(x)
    assert y is not x and x.is_leaf() and y.history.last_fn is Same
    assert np.shares_memory(y.tuple()[0], x.tuple()[0])
    with no_grad():
        z = Same.apply(x)
    assert z is not x and z.history is None


def test_an_output_saved_for_backward_makes_no_reference_cycle(backend) -> None:
    x = tensor([0.5, -1.0], backend=backend, requires_grad=True)
    y = x.exp()  # Exp saves its output
    saved = y.history.ctx.saved_values[0]
    assert saved is not y and np.shares_memory(saved.tuple()[0], y.tuple()[0])
    gone = weakref.ref(y)
    gc.disable()  # freed by reference counting alone, without the cycle collector
    try:
        del y, saved
        assert gone() is None
    finally:
        gc.enable()


def test_an_exception_in_forward_switches_recording_back_on(backend) -> None:
    class Broken(Function):
        @staticmethod
        def forward(ctx: Context, a: Tensor) -> Tensor:
            raise ValueError("broken forward")

    x = tensor([1.0], backend=backend, requires_grad=True)
    with pytest.raises(ValueError, match="broken forward"):
        Broken.apply(x)
    assert (x * x).history is not None


# ## t / number


def test_division_by_a_number_matches_division_by_a_tensor(backend) -> None:
    x = tensor([1.0, -3.0, 0.0, 7.5], backend=backend, requires_grad=True)
    for number in (10.0, 3, -0.25, np.float64(7.0)):
        np.testing.assert_array_equal((x / number).to_numpy(), (x / tensor([float(number)], backend=backend)).to_numpy())
    assert (x[:2] / 0.0).tolist() == [float("inf"), float("-inf")]  # as 1/0 = inf, not an exception
    (x / 4.0).sum().backward()
    np.testing.assert_allclose(x.grad.to_numpy(), [0.25] * 4)


# ## ctx.needs_input_grad: no gradient computed for an input that wants none


def test_mul_and_matmul_skip_the_gradient_of_a_constant(backend) -> None:
    x = tensor([[1.0, 2.0], [3.0, 4.0]], backend=backend, requires_grad=True)
    c = tensor([[0.5, -1.0], [2.0, 0.0]], backend=backend, requires_grad=False)  # a constant
    for y in (x * c, c * x, x @ c, c @ x):
        assert y.history.ctx.needs_input_grad == tuple(t is x for t in y.parents)
        grads = y.history.last_fn._backward(y.history.ctx, tensor([[1.0, 1.0], [1.0, 1.0]], backend=backend))
        assert [g is None for g in grads] == [t is c for t in y.parents]
    ((x * c).sum() + (c @ x).sum()).backward()
    np.testing.assert_allclose(x.grad.to_numpy(), c.to_numpy() + c.to_numpy().sum(0, keepdims=True).T.repeat(2, 1))


def test_a_context_made_by_hand_wants_every_gradient() -> None:
    ctx = Context()
    assert ctx.needs_input_grad[0] and ctx.needs_input_grad[5]
    a, b = tensor([1.0, 2.0]), tensor([3.0, 4.0])
    from autograd.tensor_functions import Mul

    Mul.forward(ctx, a, b)
    grad_a, grad_b = Mul.backward(ctx, tensor([1.0, 1.0]))  # MiniTorch's tests call them so
    assert grad_a.tolist() == [3.0, 4.0] and grad_b.tolist() == [1.0, 2.0]


def test_none_for_an_input_that_wants_a_gradient_is_a_clear_error(backend) -> None:
    class Lazy(Function):
        @staticmethod
        def forward(ctx: Context, a: Tensor) -> Tensor:
            return a.f.id_map(a)

        @staticmethod
        def backward(ctx: Context, grad_output: Tensor) -> None:
            return None

    x = tensor([1.0, 2.0], backend=backend, requires_grad=True)
    with pytest.raises(RuntimeError, match="Lazy.backward must return Tensors, got None"):
        Lazy.apply(x).sum().backward()
