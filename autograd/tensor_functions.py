"""Module 2: tensor Functions, each one's forward and backward side by side.

A ``Function`` is the tensor twin of a ``ScalarFunction``: ``forward(ctx, *inputs)``
computes the output from plain (detached) tensors and saves on ``ctx`` what backward will
need; ``backward(ctx, grad_output)`` turns the gradient of the output into one gradient
per tensor input. Both are written only with the backend's four primitives (``a.f`` is the
backend: ``a.f.add_zip``, ``a.f.neg_map``, ``a.f.add_reduce``, ``a.f.matrix_multiply``...).

Non-tensor arguments (a dimension, a permutation, a shape) are passed straight through
``apply`` to ``forward`` as Python values; they get no gradient. So ``backward`` returns
exactly one gradient per *tensor* argument, in order (None allowed for a tensor input that
wants none: ``ctx.needs_input_grad`` says which).

Broadcasting: ``Add`` of a (3,) and a (2, 3) tensor makes a (2, 3) output, and its backward
returns two (2, 3) gradients. Summing the first back to (3,) is NOT done here: the tensor's
chain rule does it for every Function in one place (``tensor._sum_to_shape``). A backward
may return a gradient of the output's (broadcast) shape or of the input's shape.

This module sits below ``tensor.py`` (which imports it for its Functions) and never imports
``Tensor``: a tensor argument is recognised by the ``TensorData`` it wraps (``is_tensor``), and
``apply`` records the History on a detached view of ``forward``'s output. The constructors
(``tensor``, ``zeros``, ``ones``, ``rand`` ...) and ``grad_check`` make Tensors, so they live
above, in ``constructors.py`` and ``gradient_check.py``. MiniTorch's code imports them from
``tensor_functions``; ``autograd/__init__.py`` attaches them here, so
``autograd.tensor_functions.tensor`` keeps working without an import circle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Tuple, Type, Union

import numpy as np

from . import autodiff
from .autodiff import Context
from .tensor_data import IndexingError, TensorData, check_shape, index_view, is_int, view_strides

# "Tensor" in the annotations is autograd.tensor.Tensor (not imported: see the docstring).


def is_tensor(value: Any) -> bool:
    """True for a Tensor: the one kind of value that wraps a ``TensorData`` as ``_tensor``."""
    return isinstance(getattr(value, "_tensor", None), TensorData)


@dataclass(slots=True)  # slots: one is made per operation
class History:
    """How a tensor was made: the Function, its ctx, and its tensor inputs.

    A leaf the user wants gradients for has ``History()`` (no Function); a tensor that
    needs no gradient has no History at all (``history is None``).
    """

    last_fn: Optional[Type["Function"]] = None
    ctx: Optional[Context] = None
    inputs: Tuple["Tensor", ...] = field(default_factory=tuple)


class Function:
    """Base class: subclasses define ``forward`` and ``backward`` as static methods."""

    @staticmethod
    def forward(ctx: Context, *inputs: Any) -> "Tensor":
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Context, grad_output: "Tensor") -> Union["Tensor", Tuple["Tensor", ...]]:
        raise NotImplementedError

    @classmethod
    def _backward(cls, ctx: Context, grad_output: "Tensor") -> Tuple["Tensor", ...]:
        """``backward`` with its result always a tuple (one gradient per tensor input)."""
        grads = cls.backward(ctx, grad_output)
        return grads if isinstance(grads, tuple) else (grads,)

    @classmethod
    def apply(cls, *vals: Any) -> "Tensor":
        """Run ``forward`` and, if some tensor input requires grad, record the History.

        ``forward`` runs with recording switched off (as inside ``no_grad()``), so nothing it
        does becomes part of the graph: only this one node. Inside ``no_grad()`` no history
        is recorded at all.
        """
        # One pass over the arguments: the tensors, their backend, whether one wants a gradient.
        # (Plain loops, not any() of a generator: this runs for every operation.)
        tensors = []
        needs = []  # which tensor inputs want a gradient (ctx.needs_input_grad)
        backend = None
        for v in vals:
            if is_tensor(v):
                if backend is None:
                    backend = v.backend
                elif v.backend is not backend:
                    raise TypeError(
                        f"{cls.__name__}: cannot mix tensors of different backends, "
                        f"{backend!r} and {v.backend!r}: make both with the same backend="
                    )
                tensors.append(v)
                needs.append(v.history is not None)
        if not (True in needs and autodiff._grad_enabled):
            # No node to record (only constants, or inside no_grad(): the engine's own sums of
            # gradients, an optimizer's update): forward runs on the arguments as they are, with
            # a Context that keeps nothing.
            out = cls.forward(Context(True), *vals)
            for v in vals:
                if out is v:
                    return out.detach()
            return out
        ctx = Context()
        ctx.needs_input_grad = tuple(needs)
        # The inputs are passed as they are (not detached copies: a Tensor per input saved)
        # and forward runs with recording off, so Tensor operations inside it record nothing.
        autodiff._grad_enabled = False
        try:
            out = cls.forward(ctx, *vals)
        finally:
            autodiff._grad_enabled = True
        # The node goes on forward's output itself when that is a new tensor. An input returned
        # as it is, or an output forward saved for backward (Exp's), gets a new Tensor over the
        # same data instead: the first must keep its own history, and the second would make a
        # reference cycle (out -> history -> ctx -> out) that only the garbage collector frees.
        fresh = out.history is None
        if fresh:
            for v in vals:
                if out is v:
                    fresh = False
            for v in ctx._saved:
                if out is v:
                    fresh = False
        if not fresh:
            out = out.detach()
        out.history = History(cls, ctx, tuple(tensors))
        return out


def _constant(value: float, like: "Tensor") -> "Tensor":
    """A (1,) tensor holding ``value``, on ``like``'s backend (broadcasts against anything)."""
    return like._new(TensorData.trusted(np.array([float(value)]), (1,)))


# ## Maps


class Neg(Function):
    """-a. Shapes: a -> same. Saves nothing."""

    @staticmethod
    def forward(ctx: Context, a: "Tensor") -> "Tensor":
        ### BEGIN SOLUTION task-2.3
        return a.f.neg_map(a)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad_output: "Tensor") -> "Tensor":
        ### BEGIN SOLUTION task-2.4
        return grad_output.f.neg_map(grad_output)
        ### END SOLUTION


class Inv(Function):
    """1 / a. Shapes: a -> same. Saves a (d/da 1/a = -1/a^2)."""

    @staticmethod
    def forward(ctx: Context, a: "Tensor") -> "Tensor":
        ### BEGIN SOLUTION task-2.3
        ctx.save_for_backward(a)
        return a.f.inv_map(a)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad_output: "Tensor") -> "Tensor":
        ### BEGIN SOLUTION task-2.4
        (a,) = ctx.saved_values
        return grad_output.f.inv_back_zip(a, grad_output)
        ### END SOLUTION


class Sigmoid(Function):
    """sigmoid(a). Shapes: a -> same. Saves a (d/da = s * (1 - s) with s = sigmoid(a):
    ``sigmoid_back`` works it out from a, in one kernel call)."""

    @staticmethod
    def forward(ctx: Context, a: "Tensor") -> "Tensor":
        ### BEGIN SOLUTION task-2.3
        ctx.save_for_backward(a)
        return a.f.sigmoid_map(a)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad_output: "Tensor") -> "Tensor":
        ### BEGIN SOLUTION task-2.4
        (a,) = ctx.saved_values
        return grad_output.f.sigmoid_back_zip(a, grad_output)
        ### END SOLUTION


class ReLU(Function):
    """relu(a). Shapes: a -> same. Saves a (the gradient passes where a > 0)."""

    @staticmethod
    def forward(ctx: Context, a: "Tensor") -> "Tensor":
        ### BEGIN SOLUTION task-2.3
        ctx.save_for_backward(a)
        return a.f.relu_map(a)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad_output: "Tensor") -> "Tensor":
        ### BEGIN SOLUTION task-2.4
        (a,) = ctx.saved_values
        return grad_output.f.relu_back_zip(a, grad_output)
        ### END SOLUTION


class Log(Function):
    """log(a). Shapes: a -> same. Saves a (d/da log a = 1/a)."""

    @staticmethod
    def forward(ctx: Context, a: "Tensor") -> "Tensor":
        ### BEGIN SOLUTION task-2.3
        ctx.save_for_backward(a)
        return a.f.log_map(a)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad_output: "Tensor") -> "Tensor":
        ### BEGIN SOLUTION task-2.4
        (a,) = ctx.saved_values
        return grad_output.f.log_back_zip(a, grad_output)
        ### END SOLUTION


class Exp(Function):
    """exp(a). Shapes: a -> same. Saves the output (d/da e^a = e^a)."""

    @staticmethod
    def forward(ctx: Context, a: "Tensor") -> "Tensor":
        ### BEGIN SOLUTION task-2.3
        out = a.f.exp_map(a)
        ctx.save_for_backward(out)
        return out
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad_output: "Tensor") -> "Tensor":
        ### BEGIN SOLUTION task-2.4
        (out,) = ctx.saved_values
        return grad_output.f.mul_zip(grad_output, out)
        ### END SOLUTION


class Tanh(Function):
    """tanh(a). Shapes: a -> same. Saves the output t (d/da = 1 - t^2)."""

    @staticmethod
    def forward(ctx: Context, a: "Tensor") -> "Tensor":
        ### BEGIN SOLUTION task-2.3
        t = a.f.tanh_map(a)
        ctx.save_for_backward(t)
        return t
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad_output: "Tensor") -> "Tensor":
        ### BEGIN SOLUTION task-2.4
        (t,) = ctx.saved_values
        f = t.f
        return f.mul_zip(grad_output, f.add_zip(_constant(1.0, t), f.neg_map(f.mul_zip(t, t))))
        ### END SOLUTION


class Abs(Function):
    """|a|. Shapes: a -> same. Saves a (d/da = sign(a): 1, -1, and 0 at 0)."""

    @staticmethod
    def forward(ctx: Context, a: "Tensor") -> "Tensor":
        ### BEGIN SOLUTION task-2.3
        ctx.save_for_backward(a)
        return a.f.abs_map(a)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad_output: "Tensor") -> "Tensor":
        ### BEGIN SOLUTION task-2.4
        (a,) = ctx.saved_values
        f = a.f
        zero = _constant(0.0, a)
        sign = f.add_zip(f.lt_zip(zero, a), f.neg_map(f.lt_zip(a, zero)))
        return f.mul_zip(grad_output, sign)
        ### END SOLUTION


class Pow(Function):
    """a ** p for a number p (a Python float, no gradient). Shapes: a -> same.

    Saves a and p: d/da a^p = p a^(p-1).
    """

    @staticmethod
    def forward(ctx: Context, a: "Tensor", p: float) -> "Tensor":
        ### BEGIN SOLUTION task-2.3
        ctx.save_for_backward(a, p)
        return a.f.pow_zip(a, _constant(p, a))
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad_output: "Tensor") -> "Tensor":
        ### BEGIN SOLUTION task-2.4
        a, p = ctx.saved_values
        f = a.f
        return f.mul_zip(grad_output, f.mul_zip(_constant(p, a), f.pow_zip(a, _constant(p - 1.0, a))))
        ### END SOLUTION


class Copy(Function):
    """A contiguous copy of a. Shapes: a -> same. Saves nothing (gradient passes through)."""

    @staticmethod
    def forward(ctx: Context, a: "Tensor") -> "Tensor":
        return a.f.id_map(a)

    @staticmethod
    def backward(ctx: Context, grad_output: "Tensor") -> "Tensor":
        return grad_output


# ## Zips (outputs have the broadcast shape of the inputs)


class Add(Function):
    """a + b. Shapes: a, b -> broadcast(a, b). Saves nothing (both derivatives are 1)."""

    @staticmethod
    def forward(ctx: Context, a: "Tensor", b: "Tensor") -> "Tensor":
        ### BEGIN SOLUTION task-2.3
        return a.f.add_zip(a, b)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad_output: "Tensor") -> Tuple["Tensor", "Tensor"]:
        ### BEGIN SOLUTION task-2.4
        return grad_output, grad_output
        ### END SOLUTION


class Sub(Function):
    """a - b. Shapes: a, b -> broadcast(a, b). Saves nothing (the derivatives are 1 and -1).

    MiniTorch writes ``a - b`` as ``Add(a, Neg(b))``: the same numbers, but two operations
    (two kernel calls forward, two nodes backward) where one does.
    """

    @staticmethod
    def forward(ctx: Context, a: "Tensor", b: "Tensor") -> "Tensor":
        ### BEGIN SOLUTION task-2.3
        return a.f.sub_zip(a, b)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad_output: "Tensor") -> Tuple["Tensor", "Tensor"]:
        ### BEGIN SOLUTION task-2.4
        return grad_output, grad_output.f.neg_map(grad_output)
        ### END SOLUTION


class Mul(Function):
    """a * b. Shapes: a, b -> broadcast(a, b). Saves a and b (d/da = b, d/db = a)."""

    @staticmethod
    def forward(ctx: Context, a: "Tensor", b: "Tensor") -> "Tensor":
        ### BEGIN SOLUTION task-2.3
        ctx.save_for_backward(a, b)
        return a.f.mul_zip(a, b)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad_output: "Tensor") -> Tuple["Tensor", "Tensor"]:
        ### BEGIN SOLUTION task-2.4
        a, b = ctx.saved_values
        f = grad_output.f
        need_a, need_b = ctx.needs_input_grad[0], ctx.needs_input_grad[1]  # (x * 0.5: no gradient for 0.5)
        return f.mul_zip(grad_output, b) if need_a else None, f.mul_zip(grad_output, a) if need_b else None
        ### END SOLUTION


class Maximum(Function):
    """The elementwise larger of a and b. Shapes: a, b -> broadcast(a, b). Saves a and b.

    The gradient goes to the larger input; where they tie it is split in halves (as
    ``torch.maximum`` does, and as central differences measure).
    """

    @staticmethod
    def forward(ctx: Context, a: "Tensor", b: "Tensor") -> "Tensor":
        ### BEGIN SOLUTION task-2.3
        ctx.save_for_backward(a, b)
        return a.f.max_zip(a, b)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad_output: "Tensor") -> Tuple["Tensor", "Tensor"]:
        ### BEGIN SOLUTION task-2.4
        a, b = ctx.saved_values
        f = a.f
        tie = f.mul_zip(_constant(0.5, a), f.eq_zip(a, b))
        share_a = f.add_zip(f.lt_zip(b, a), tie)
        share_b = f.add_zip(f.lt_zip(a, b), tie)
        return f.mul_zip(grad_output, share_a), f.mul_zip(grad_output, share_b)
        ### END SOLUTION


class _Comparison(Function):
    """Comparisons: 1.0 where true, else 0.0. Piecewise constant, so zero gradients.

    Saves the input shapes (the zero gradients have them).
    """

    @staticmethod
    def backward(ctx: Context, grad_output: "Tensor") -> Tuple["Tensor", "Tensor"]:
        ### BEGIN SOLUTION task-2.4
        a_shape, b_shape = ctx.saved_values
        return grad_output.zeros(a_shape), grad_output.zeros(b_shape)
        ### END SOLUTION


class LT(_Comparison):
    """a < b (1.0 / 0.0). Shapes: a, b -> broadcast(a, b). Zero gradient."""

    @staticmethod
    def forward(ctx: Context, a: "Tensor", b: "Tensor") -> "Tensor":
        ### BEGIN SOLUTION task-2.3
        ctx.save_for_backward(a.shape, b.shape)
        return a.f.lt_zip(a, b)
        ### END SOLUTION


class EQ(_Comparison):
    """a == b (1.0 / 0.0). Shapes: a, b -> broadcast(a, b). Zero gradient."""

    @staticmethod
    def forward(ctx: Context, a: "Tensor", b: "Tensor") -> "Tensor":
        ### BEGIN SOLUTION task-2.3
        ctx.save_for_backward(a.shape, b.shape)
        return a.f.eq_zip(a, b)
        ### END SOLUTION


class IsClose(_Comparison):
    """|a - b| < 1e-2 (1.0 / 0.0). Shapes: a, b -> broadcast(a, b). Zero gradient."""

    @staticmethod
    def forward(ctx: Context, a: "Tensor", b: "Tensor") -> "Tensor":
        ### BEGIN SOLUTION task-2.3
        ctx.save_for_backward(a.shape, b.shape)
        return a.f.is_close_zip(a, b)
        ### END SOLUTION


# ## Reductions (``dim`` is a Python int; the reduced dimension is kept, with size 1)


def _ints_of(value: "Tensor", fn: str, what: str) -> Tuple[int, ...]:
    """The whole numbers held by a Tensor argument, or TypeError naming ``fn`` and ``what``."""
    numbers = value.to_numpy().reshape(-1)
    if not np.all(np.isfinite(numbers)) or np.any(numbers != np.round(numbers)):
        raise TypeError(f"{fn}.apply: {what} must hold whole numbers, got {value!r}")
    return tuple(int(n) for n in numbers)


class _DimFunction(Function):
    """A Function of ``(a, dim)``. MiniTorch's code passes ``dim`` as a one-element Tensor
    (``Sum.apply(t, tensor([0]))``): it is turned into the Python int ours take, so that
    such code runs and the dim never counts as an input that wants a gradient."""

    @classmethod
    def apply(cls, a: "Tensor", dim: Any) -> "Tensor":
        if is_tensor(dim):
            dims = _ints_of(dim, cls.__name__, "dim")
            if len(dims) != 1:
                raise TypeError(f"{cls.__name__}.apply: dim must be one number, got a tensor of shape {dim.shape}")
            dim = dims[0]
        return super().apply(a, dim)


class Sum(_DimFunction):
    """Sum over ``dim``. Shapes: a (..., n, ...) -> (..., 1, ...). Saves a's shape.

    Every input position contributes with derivative 1, so backward sends ``grad_output``
    to each position: it broadcasts the (..., 1, ...) gradient up to a's shape.
    """

    @staticmethod
    def forward(ctx: Context, a: "Tensor", dim: int) -> "Tensor":
        ### BEGIN SOLUTION task-2.3
        ctx.save_for_backward(a.shape)
        return a.f.add_reduce(a, dim)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad_output: "Tensor") -> "Tensor":
        ### BEGIN SOLUTION task-2.4
        (a_shape,) = ctx.saved_values
        return grad_output._new(grad_output._tensor.expand(a_shape))  # a view: no copy
        ### END SOLUTION


class All(_DimFunction):
    """1.0 if every value along ``dim`` is nonzero, else 0.0 (a product of 0/1 values).

    Shapes: a (..., n, ...) -> (..., 1, ...). A logical test: zero gradient. Saves a's shape.
    """

    @staticmethod
    def forward(ctx: Context, a: "Tensor", dim: int) -> "Tensor":
        ### BEGIN SOLUTION task-2.3
        ctx.save_for_backward(a.shape)
        f = a.f
        truth = f.add_zip(_constant(1.0, a), f.neg_map(f.eq_zip(a, _constant(0.0, a))))  # a != 0
        return f.mul_reduce(truth, dim)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad_output: "Tensor") -> "Tensor":
        ### BEGIN SOLUTION task-2.4
        (a_shape,) = ctx.saved_values
        return grad_output.zeros(a_shape)
        ### END SOLUTION


class Max(_DimFunction):
    """Maximum over ``dim``. Shapes: a (..., n, ...) -> (..., 1, ...). Saves a, the max, dim.

    The gradient goes to the argmax: the positions where a equals the max. When several
    positions tie, it is split equally between them (as ``torch.amax`` does); for a tie of
    two that is also what central differences measure.
    """

    @staticmethod
    def forward(ctx: Context, a: "Tensor", dim: int) -> "Tensor":
        ### BEGIN SOLUTION task-2.3
        out = a.f.max_reduce(a, dim)
        ctx.save_for_backward(a, out, dim)
        return out
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad_output: "Tensor") -> "Tensor":
        ### BEGIN SOLUTION task-2.4
        a, out, dim = ctx.saved_values
        f = a.f
        argmax = f.eq_zip(a, out)  # 1.0 at the max positions (out broadcasts along dim)
        share = f.inv_map(f.add_reduce(argmax, dim))  # 1 / number of tied maxima
        return f.mul_zip(argmax, f.mul_zip(grad_output, share))
        ### END SOLUTION


class Prod(_DimFunction):
    """Product over ``dim``. Shapes: a (..., n, ...) -> (..., 1, ...). Saves a and dim.

    d/da_i of a_1 ... a_n is the product of the others. Not out / a_i, which fails at a zero:
    with z zeros along the dim, a nonzero a_i gets P / a_i if z = 0 (P: the product of the
    nonzero values) and 0 otherwise; a zero a_i gets P if z = 1 and 0 otherwise.
    """

    @staticmethod
    def forward(ctx: Context, a: "Tensor", dim: int) -> "Tensor":
        ### BEGIN SOLUTION task-2.3
        ctx.save_for_backward(a, dim)
        return a.f.mul_reduce(a, dim)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad_output: "Tensor") -> "Tensor":
        ### BEGIN SOLUTION task-2.4
        a, dim = ctx.saved_values
        f = a.f
        one = _constant(1.0, a)
        is_zero = f.eq_zip(a, _constant(0.0, a))
        nonzero = f.add_zip(a, is_zero)  # the zeros replaced by ones
        product = f.mul_reduce(nonzero, dim)  # P
        zeros = f.add_reduce(is_zero, dim)  # z
        at_nonzero = f.mul_zip(f.eq_zip(zeros, _constant(0.0, a)), f.mul_zip(product, f.inv_map(nonzero)))
        at_zero = f.mul_zip(f.eq_zip(zeros, one), product)
        share = f.add_zip(
            f.mul_zip(f.add_zip(one, f.neg_map(is_zero)), at_nonzero), f.mul_zip(is_zero, at_zero)
        )
        return f.mul_zip(grad_output, share)
        ### END SOLUTION


# ## Views: same numbers, new shape or order


class _SizesFunction(Function):
    """A Function of ``(a, order or shape)``, a tuple of ints. MiniTorch's code passes it as a
    Tensor (``View.apply(t, tensor([4]))``): it is turned into the tuple ours take."""

    @classmethod
    def apply(cls, a: "Tensor", sizes: Any) -> "Tensor":
        if is_tensor(sizes):
            sizes = _ints_of(sizes, cls.__name__, "the order or shape")
        elif is_int(sizes):
            sizes = (sizes,)  # View.apply(t, 4), as t.view(4)
        return super().apply(a, tuple(sizes))


class Permute(_SizesFunction):
    """Reorder the dimensions: output dim i is input dim ``order[i]``. No copy.

    Shapes: a (s0, s1, ...) -> (s[order[0]], s[order[1]], ...). Saves ``order``; backward
    applies the inverse permutation to the gradient.
    """

    @staticmethod
    def forward(ctx: Context, a: "Tensor", order: Tuple[int, ...]) -> "Tensor":
        ### BEGIN SOLUTION task-2.3
        ctx.save_for_backward(order)
        return a._new(a._tensor.permute(*order))
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad_output: "Tensor") -> "Tensor":
        ### BEGIN SOLUTION task-2.4
        (order,) = ctx.saved_values
        inverse = [0] * len(order)
        for new_dim, old_dim in enumerate(order):
            inverse[old_dim] = new_dim
        return grad_output._new(grad_output._tensor.permute(*inverse))
        ### END SOLUTION


class View(_SizesFunction):
    """The same storage read with a new ``shape`` (same number of elements). No copy.

    Needs a contiguous input (the numbers in row-major order). Saves a's shape; backward
    reads the gradient back in that shape.
    """

    @staticmethod
    def forward(ctx: Context, a: "Tensor", shape: Tuple[int, ...]) -> "Tensor":
        if not a.is_contiguous():
            raise IndexingError(
                f"view{shape} needs a contiguous tensor, but this one (shape {a.shape}, strides "
                f"{a.strides}) is a permuted view: call .contiguous() first"
            )
        shape = check_shape(shape)
        size = 1
        for s in shape:
            size *= s
        if size != a.size:
            raise IndexingError(
                f"cannot view shape {a.shape} ({a.size} elements) as shape {shape} "
                f"({size} elements): the sizes must match"
            )
        ctx.save_for_backward(a.shape)
        # Checked above: whole sizes, the same number of elements over a contiguous storage.
        return a._new(TensorData.trusted(a._tensor._storage, shape))

    @staticmethod
    def backward(ctx: Context, grad_output: "Tensor") -> "Tensor":
        (a_shape,) = ctx.saved_values
        grad = grad_output
        if not grad.is_contiguous():
            grad = grad.f.id_map(grad)  # a contiguous copy: a view needs row-major order
        return grad._new(TensorData.trusted(grad._tensor._storage, a_shape))


class Reshape(View):
    """``a`` read with a new ``shape`` (same number of elements): a view when the layout allows
    it (``tensor_data.view_strides``), else a contiguous copy, never an error about layouts.

    Saves a's shape; backward (View's) reads the gradient back in that shape.
    """

    @staticmethod
    def forward(ctx: Context, a: "Tensor", shape: Tuple[int, ...]) -> "Tensor":
        if int(np.prod(shape, dtype=np.int64)) != a.size:
            raise IndexingError(
                f"cannot reshape a tensor of shape {a.shape} ({a.size} elements) into shape {shape} "
                f"({int(np.prod(shape, dtype=np.int64))} elements): the sizes must match"
            )
        ctx.save_for_backward(a.shape)
        strides = view_strides(a.shape, a.strides, shape)
        if strides is None:
            a = a.f.id_map(a)  # a contiguous copy, read with the default strides
        storage, _, _ = a.tuple()
        return a.make(storage, shape, strides, backend=a.backend)


class Index(Function):
    """``a[key]``: a view of some of a's numbers (``tensor_data.index_view``). No copy.

    Shapes: ints drop their dimension, slices keep it (``(3, 4)[1:, 0]`` -> (2,)). Saves a's
    shape and the key; backward puts the gradient into the selected cells of a zero gradient
    of a's shape (the other cells did not reach the output).
    """

    @staticmethod
    def forward(ctx: Context, a: "Tensor", key: Any) -> "Tensor":
        offset, shape, strides = index_view(a.shape, a.strides, key)
        ctx.save_for_backward(a.shape, key)
        storage, _, _ = a.tuple()
        return a.make(storage[offset:], shape, strides, backend=a.backend)

    @staticmethod
    def backward(ctx: Context, grad_output: "Tensor") -> "Tensor":
        a_shape, key = ctx.saved_values
        grad = grad_output.zeros(a_shape)
        offset, shape, strides = index_view(a_shape, grad.strides, key)
        storage, _, _ = grad.tuple()
        cells = grad.make(storage[offset:], shape, strides, backend=grad.backend)
        grad.f.id_map(grad_output, cells)  # writes into grad's storage
        return grad


# ## Matrix multiply


def _transpose(a: "Tensor") -> "Tensor":
    """Swap the last two dimensions (a view: the permutation with its checks left out)."""
    data = a._tensor
    shape, strides = data.shape, data.strides
    return a._new(
        TensorData.trusted(data._storage, shape[:-2] + (shape[-1], shape[-2]), strides[:-2] + (strides[-1], strides[-2]))
    )


class MatMul(Function):
    """a @ b. Shapes: (n, m) @ (m, p) -> (n, p); batched (D, n, m) @ (D or 1, m, p) -> (D, n, p).

    Saves a and b. For out = a @ b: grad_a = grad_out @ b^T and grad_b = a^T @ grad_out
    (^T swaps the last two dims); a broadcast batch is summed back by the chain rule.
    """

    @staticmethod
    def forward(ctx: Context, a: "Tensor", b: "Tensor") -> "Tensor":
        ### BEGIN SOLUTION task-2.3
        ctx.save_for_backward(a, b)
        return a.f.matrix_multiply(a, b)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad_output: "Tensor") -> Tuple["Tensor", "Tensor"]:
        ### BEGIN SOLUTION task-2.4
        a, b = ctx.saved_values
        f = grad_output.f
        need_a, need_b = ctx.needs_input_grad[0], ctx.needs_input_grad[1]  # (the data of x @ w: no gradient)
        return (
            f.matrix_multiply(grad_output, _transpose(b)) if need_a else None,
            f.matrix_multiply(_transpose(a), grad_output) if need_b else None,
        )
        ### END SOLUTION


__all__ = [
    "Abs", "Add", "All", "Copy", "EQ", "Exp", "Function", "History", "Index", "Inv", "IsClose", "LT",
    "Log", "MatMul", "Max", "Maximum", "Mul", "Neg", "Permute", "Pow", "Prod", "ReLU", "Reshape",
    "Sigmoid", "Sub", "Sum", "Tanh", "View", "is_tensor",
]  # fmt: skip
