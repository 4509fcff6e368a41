"""Module 1: ``Scalar``, a number that remembers how it was computed.

Every operation on Scalars goes through a ``ScalarFunction``: its ``forward`` computes the
value on plain floats, and its ``backward`` gives the derivative of the output with respect
to each input, from what ``forward`` saved on the context. The result Scalar keeps a
``ScalarHistory`` (function, context, inputs); ``Scalar.backward()`` hands the graph to the
one engine of ``autograd.autodiff``, which the tensors use too.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Optional, Sequence, Tuple, Type

import numpy as np

from . import operators
from .autodiff import Context, backpropagate, central_difference, is_grad_enabled, next_unique_id, no_grad


def _is_number(v: Any) -> bool:
    """True for the values a Scalar can hold: int, float, bool and their numpy versions."""
    # numpy registers its integer and float types as numbers.Real, but not its bool.
    return isinstance(v, (numbers.Real, np.bool_))


def _describe(v: Any) -> str:
    """'str 'x'' or 'NoneType None': the type and the value, for error messages."""
    return f"{type(v).__name__} {v!r}"


@dataclass(frozen=True)
class ScalarHistory:
    """How a Scalar was made.

    Attributes:
        last_fn: the ScalarFunction that made it (None for a leaf the user created).
        ctx: what that function's forward saved for its backward.
        inputs: the Scalars it was computed from, in argument order.

    A Scalar with a ``ScalarHistory()`` (all empty) is a leaf: it receives a derivative.
    A Scalar with no history at all (``None``) is a constant: it receives nothing.
    """

    last_fn: Optional[Type["ScalarFunction"]] = None
    ctx: Optional[Context] = None
    inputs: Sequence["Scalar"] = ()


class Scalar:
    """A float plus the history needed to differentiate through it.

    ``Scalar(v, back=ScalarHistory(), name=None)``: ``v`` is an int, float, bool or numpy
    number (stored as a float in ``.data``). By default the Scalar is a leaf that collects
    its derivative in ``.derivative`` (None until a backward pass reaches it); pass
    ``back=None`` for a constant that never does.
    """

    # Make numpy hand `np.float64(2) + Scalar(1)` over to Scalar.__radd__ instead of
    # trying to build an array out of the Scalar.
    __array_ufunc__ = None

    def __init__(self, v: Any, back: Optional[ScalarHistory] = ScalarHistory(), name: Optional[str] = None) -> None:
        if not _is_number(v):
            raise TypeError(f"Scalar() needs a number (int, float or bool), got {_describe(v)}")
        if back is not None and not isinstance(back, ScalarHistory):
            raise TypeError(f"Scalar(back=...) needs a ScalarHistory or None, got {_describe(back)}")
        self.data = float(v)
        self.history = back
        self.derivative: Optional[float] = None
        self.unique_id = next_unique_id()
        self.name = name if name is not None else str(self.unique_id)

    def __repr__(self) -> str:
        return "Scalar(%f)" % self.data

    def __hash__(self) -> int:
        # == builds a Scalar, so Python would otherwise make Scalars unhashable.
        return hash(self.unique_id)

    def __bool__(self) -> bool:
        # As a one-element torch tensor: `if x < 1:` tests the value.
        return bool(self.data)

    # ## Operators: each one applies a ScalarFunction

    def __add__(self, b: Any) -> Scalar:
        return Add.apply(self, b) if _operand(b) else NotImplemented

    def __radd__(self, b: Any) -> Scalar:
        return Add.apply(b, self) if _operand(b) else NotImplemented

    def __sub__(self, b: Any) -> Scalar:
        return Add.apply(self, Neg.apply(b)) if _operand(b) else NotImplemented

    def __rsub__(self, b: Any) -> Scalar:
        return Add.apply(b, Neg.apply(self)) if _operand(b) else NotImplemented

    def __mul__(self, b: Any) -> Scalar:
        return Mul.apply(self, b) if _operand(b) else NotImplemented

    def __rmul__(self, b: Any) -> Scalar:
        return Mul.apply(b, self) if _operand(b) else NotImplemented

    def __truediv__(self, b: Any) -> Scalar:
        return Mul.apply(self, Inv.apply(b)) if _operand(b) else NotImplemented

    def __rtruediv__(self, b: Any) -> Scalar:
        return Mul.apply(b, Inv.apply(self)) if _operand(b) else NotImplemented

    def __neg__(self) -> Scalar:
        return Neg.apply(self)

    def __lt__(self, b: Any) -> Scalar:
        return LT.apply(self, b) if _operand(b) else NotImplemented

    def __gt__(self, b: Any) -> Scalar:
        # `1 < x` also lands here (Python reflects < into >).
        return LT.apply(b, self) if _operand(b) else NotImplemented

    def __eq__(self, b: Any) -> Scalar:  # type: ignore[override]
        return EQ.apply(self, b) if _operand(b) else NotImplemented

    def log(self) -> Scalar:
        """Natural log. IEEE rules, no exception: log(0) = -inf, log of a negative number = nan."""
        return Log.apply(self)

    def exp(self) -> Scalar:
        """e^x (inf when it overflows)."""
        return Exp.apply(self)

    def sigmoid(self) -> Scalar:
        """1 / (1 + e^-x), without overflow for large |x|."""
        return Sigmoid.apply(self)

    def relu(self) -> Scalar:
        """x if x > 0 else 0."""
        return ReLU.apply(self)

    # ## The Variable protocol (what autodiff.backpropagate needs)

    def is_leaf(self) -> bool:
        """True for a Scalar the user created (it stores a derivative)."""
        return self.history is not None and self.history.last_fn is None

    def is_constant(self) -> bool:
        """True for a Scalar with no history: it takes no derivative."""
        return self.history is None

    @property
    def parents(self) -> Iterable[Scalar]:
        """The inputs this Scalar was computed from (none for leaves and constants)."""
        return () if self.history is None else self.history.inputs

    def accumulate_derivative(self, x: Any) -> None:
        """Add ``x`` to ``.derivative`` (leaves only: results of operations store nothing)."""
        if not self.is_leaf():
            raise RuntimeError(f"only leaf Scalars store a derivative; {self!r} was computed by an operation")
        if self.derivative is None:
            self.derivative = 0.0
        self.derivative += float(x)

    def chain_rule(self, d_output: Any) -> Iterable[Tuple[Scalar, float]]:
        """Pairs (input, d_output * d self / d input), one per input of the function that made self."""
        ### BEGIN SOLUTION task-1.3
        h = self.history
        if h is None or h.last_fn is None:
            raise RuntimeError(
                f"chain_rule needs a Scalar computed by a ScalarFunction, not a leaf or constant: {self!r}"
            )
        derivatives = h.last_fn._backward(h.ctx, d_output)
        if len(derivatives) != len(h.inputs):
            raise RuntimeError(
                f"{h.last_fn.__name__}.backward returned {len(derivatives)} derivative(s) "
                f"for {len(h.inputs)} input(s)"
            )
        return list(zip(h.inputs, derivatives))
        ### END SOLUTION

    # ## Derivatives

    def backward(self, d_output: Optional[float] = None) -> None:
        """Add d(self)/d(leaf) * d_output to every leaf's ``.derivative`` (d_output defaults to 1.0).

        Calling it twice adds twice, as in PyTorch; reset with ``zero_grad_()`` on the leaves.
        """
        if d_output is None:
            d_output = 1.0
        if not _is_number(d_output):
            raise TypeError(f"Scalar.backward(d_output) needs a number, got {_describe(d_output)}")
        if self.is_constant():
            raise RuntimeError(
                f"backward() on a constant {self!r}: it has no history (made from plain numbers, "
                "under no_grad(), or after requires_grad_(False))"
            )
        backpropagate(self, float(d_output))

    def zero_grad_(self) -> None:
        """Forget the accumulated derivative (``.derivative`` becomes None again)."""
        self.derivative = None

    def requires_grad_(self, flag: bool = True) -> Scalar:
        """Make a leaf (True) or a constant (False); returns self. Only leaves and constants can switch."""
        if self.history is not None and self.history.last_fn is not None:
            raise RuntimeError(
                f"requires_grad_ can only change leaves and constants; {self!r} was computed by an operation"
            )
        self.history = ScalarHistory() if flag else None
        return self

    def requires_grad(self) -> bool:
        """True unless this Scalar is a constant."""
        return not self.is_constant()


def _operand(b: Any) -> bool:
    """Can ``b`` take part in an operation with a Scalar? (If not, Python tries b's own operator.)"""
    return isinstance(b, Scalar) or _is_number(b)


# ## Functions: forward and backward side by side


class ScalarFunction:
    """Base class of the operations on Scalars.

    A subclass defines ``forward(ctx, *floats) -> float`` and ``backward(ctx, d_output)``,
    which returns one derivative per input (a float, or a tuple for several inputs).
    Users call ``apply``, never ``forward``.
    """

    @classmethod
    def forward(cls, ctx: Context, *inputs: float) -> float:
        raise NotImplementedError(f"{cls.__name__} must define forward(ctx, ...)")

    @classmethod
    def backward(cls, ctx: Context, d_output: float) -> Any:
        raise NotImplementedError(f"{cls.__name__} must define backward(ctx, d_output)")

    @classmethod
    def _backward(cls, ctx: Context, d_output: float) -> Tuple[float, ...]:
        """``backward`` with its answer always a tuple of floats."""
        d = cls.backward(ctx, d_output)
        if not isinstance(d, tuple):
            d = (d,)
        return tuple(float(x) for x in d)

    @classmethod
    def apply(cls, *vals: Any) -> Scalar:
        """Run ``forward`` on the values of ``vals`` (Scalars or numbers) and record the history.

        Numbers become constants. No history is recorded under ``no_grad()`` or when every
        input is a constant; the result is then a constant too.
        """
        scalars = []
        for v in vals:
            if isinstance(v, Scalar):
                scalars.append(v)
            elif _is_number(v):
                scalars.append(Scalar(v, back=None))
            else:
                raise TypeError(f"{cls.__name__}.apply takes Scalars or numbers, got {_describe(v)}")
        need_grad = is_grad_enabled() and any(not s.is_constant() for s in scalars)
        ctx = Context(no_grad=not need_grad)
        c = cls.forward(ctx, *(s.data for s in scalars))
        if not _is_number(c):
            raise TypeError(f"{cls.__name__}.forward must return a number, got {_describe(c)}")
        back = ScalarHistory(cls, ctx, tuple(scalars)) if need_grad else None
        return Scalar(c, back)


class Add(ScalarFunction):
    """a + b. Saves nothing: both derivatives are 1."""

    @staticmethod
    def forward(ctx: Context, a: float, b: float) -> float:
        ### BEGIN SOLUTION task-1.2
        return operators.add(a, b)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, d_output: float) -> Tuple[float, float]:
        ### BEGIN SOLUTION task-1.4
        return d_output, d_output
        ### END SOLUTION


class Mul(ScalarFunction):
    """a * b. Saves a and b: d/da = b, d/db = a."""

    @staticmethod
    def forward(ctx: Context, a: float, b: float) -> float:
        ### BEGIN SOLUTION task-1.2
        ctx.save_for_backward(a, b)
        return operators.mul(a, b)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, d_output: float) -> Tuple[float, float]:
        ### BEGIN SOLUTION task-1.4
        a, b = ctx.saved_values
        return operators.mul(b, d_output), operators.mul(a, d_output)
        ### END SOLUTION


class Inv(ScalarFunction):
    """1 / a. Saves a: d/da = -1 / a^2."""

    @staticmethod
    def forward(ctx: Context, a: float) -> float:
        ### BEGIN SOLUTION task-1.2
        ctx.save_for_backward(a)
        return operators.inv(a)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, d_output: float) -> float:
        ### BEGIN SOLUTION task-1.4
        (a,) = ctx.saved_values
        return operators.inv_back(a, d_output)
        ### END SOLUTION


class Neg(ScalarFunction):
    """-a. Saves nothing: d/da = -1."""

    @staticmethod
    def forward(ctx: Context, a: float) -> float:
        ### BEGIN SOLUTION task-1.2
        return operators.neg(a)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, d_output: float) -> float:
        ### BEGIN SOLUTION task-1.4
        return operators.neg(d_output)
        ### END SOLUTION


class Sigmoid(ScalarFunction):
    """sigmoid(a). Saves the output s, because d/da = s * (1 - s) needs nothing else."""

    @staticmethod
    def forward(ctx: Context, a: float) -> float:
        ### BEGIN SOLUTION task-1.2
        s = operators.sigmoid(a)
        ctx.save_for_backward(s)
        return s
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, d_output: float) -> float:
        ### BEGIN SOLUTION task-1.4
        (s,) = ctx.saved_values
        return d_output * s * (1.0 - s)
        ### END SOLUTION


class ReLU(ScalarFunction):
    """relu(a). Saves a: d/da = 1 if a > 0 else 0 (we take 0 at a = 0)."""

    @staticmethod
    def forward(ctx: Context, a: float) -> float:
        ### BEGIN SOLUTION task-1.2
        ctx.save_for_backward(a)
        return operators.relu(a)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, d_output: float) -> float:
        ### BEGIN SOLUTION task-1.4
        (a,) = ctx.saved_values
        return operators.relu_back(a, d_output)
        ### END SOLUTION


class Exp(ScalarFunction):
    """e^a. Saves the output, because d/da = e^a is the output itself."""

    @staticmethod
    def forward(ctx: Context, a: float) -> float:
        ### BEGIN SOLUTION task-1.2
        out = operators.exp(a)
        ctx.save_for_backward(out)
        return out
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, d_output: float) -> float:
        ### BEGIN SOLUTION task-1.4
        (out,) = ctx.saved_values
        return operators.mul(d_output, out)
        ### END SOLUTION


class Log(ScalarFunction):
    """log(a) (IEEE: -inf at 0, nan below). Saves a: d/da = 1 / a."""

    @staticmethod
    def forward(ctx: Context, a: float) -> float:
        ### BEGIN SOLUTION task-1.2
        ctx.save_for_backward(a)
        return operators.log(a)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, d_output: float) -> float:
        ### BEGIN SOLUTION task-1.4
        (a,) = ctx.saved_values
        return operators.log_back(a, d_output)
        ### END SOLUTION


class LT(ScalarFunction):
    """1.0 if a < b else 0.0. Saves nothing: the derivative is 0 wherever it exists."""

    @staticmethod
    def forward(ctx: Context, a: float, b: float) -> float:
        ### BEGIN SOLUTION task-1.2
        return operators.lt(a, b)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, d_output: float) -> Tuple[float, float]:
        ### BEGIN SOLUTION task-1.4
        return 0.0, 0.0
        ### END SOLUTION


class EQ(ScalarFunction):
    """1.0 if a == b else 0.0. Saves nothing: the derivative is 0 wherever it exists."""

    @staticmethod
    def forward(ctx: Context, a: float, b: float) -> float:
        ### BEGIN SOLUTION task-1.2
        return operators.eq(a, b)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, d_output: float) -> Tuple[float, float]:
        ### BEGIN SOLUTION task-1.4
        return 0.0, 0.0
        ### END SOLUTION


# ## Checking backward against central differences


def derivative_check(f: Callable[..., Scalar], *scalars: Scalar, rtol: float = 1e-2, atol: float = 1e-2) -> None:
    """Check the derivatives backpropagation gives for ``f`` at ``scalars`` against central differences.

    ``f`` takes as many Scalars as given and returns a Scalar. The inputs must be leaves;
    their ``.derivative`` is reset first, then set by one backward pass. Each derivative must
    be within ``atol + rtol * |expected|`` of the central difference, otherwise an
    AssertionError names the argument, the point and both numbers (as numpy.testing does).
    """
    for i, x in enumerate(scalars):
        if not isinstance(x, Scalar) or not x.is_leaf():
            raise TypeError(f"derivative_check needs leaf Scalars; argument {i} is {_describe(x)}")
    for x in scalars:
        x.zero_grad_()
    out = f(*scalars)
    if not isinstance(out, Scalar):
        raise TypeError(f"derivative_check: f must return a Scalar, got {_describe(out)}")
    if not out.is_constant():
        out.backward()

    point = [x.data for x in scalars]

    def f_float(*vals: float) -> float:
        # Fresh Scalars and no graph: the finite differences must not touch the inputs.
        with no_grad():
            return f(*(Scalar(v) for v in vals)).data

    name = getattr(f, "__name__", "f")
    for i, x in enumerate(scalars):
        expected = central_difference(f_float, *point, arg=i)
        got = 0.0 if x.derivative is None else x.derivative
        if not abs(got - expected) <= atol + rtol * abs(expected):
            raise AssertionError(
                f"derivative of {name} with respect to argument {i} at {tuple(point)}: "
                f"backpropagation gives {got!r}, central difference gives {expected!r}"
            )
