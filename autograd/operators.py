"""Module 0: scalar math, its derivatives, and higher-order functions over lists.

Every function takes and returns Python floats. The tensor backends reuse these very
functions: the pure-Python backend calls them, and the numba backend recognises them by
identity (and compiles them), so they are written with plain arithmetic and ``math`` only.
"""

from __future__ import annotations

import math
from typing import Callable, Iterable, List

# ## Task 0.1: the scalar functions


def mul(x: float, y: float) -> float:
    """x * y"""
    ### BEGIN SOLUTION task-0.1
    return x * y
    ### END SOLUTION


def id(x: float) -> float:  # noqa: A001 - MiniTorch's name
    """The identity: returns x unchanged."""
    ### BEGIN SOLUTION task-0.1
    return x
    ### END SOLUTION


def add(x: float, y: float) -> float:
    """x + y"""
    ### BEGIN SOLUTION task-0.1
    return x + y
    ### END SOLUTION


def neg(x: float) -> float:
    """-x"""
    ### BEGIN SOLUTION task-0.1
    return -x
    ### END SOLUTION


def lt(x: float, y: float) -> float:
    """1.0 if x < y else 0.0"""
    ### BEGIN SOLUTION task-0.1
    return 1.0 if x < y else 0.0
    ### END SOLUTION


def eq(x: float, y: float) -> float:
    """1.0 if x == y else 0.0"""
    ### BEGIN SOLUTION task-0.1
    return 1.0 if x == y else 0.0
    ### END SOLUTION


def max(x: float, y: float) -> float:  # noqa: A001 - MiniTorch's name
    """The larger of x and y."""
    ### BEGIN SOLUTION task-0.1
    return x if x > y else y
    ### END SOLUTION


def is_close(x: float, y: float) -> float:
    """1.0 if |x - y| < 1e-2 else 0.0"""
    ### BEGIN SOLUTION task-0.1
    return 1.0 if abs(x - y) < 1e-2 else 0.0
    ### END SOLUTION


def sigmoid(x: float) -> float:
    """1 / (1 + e^-x), computed without overflow.

    For x >= 0 the textbook form is safe; for x < 0 we use the equal form e^x / (1 + e^x),
    because e^-x would overflow for x below about -710. Both need z = e^-|x| (in (0, 1], never
    overflows): the result is 1 / (1 + z) or z / (1 + z). Written with one exp and one
    division and no ``if`` statement, the fast backend's compiled loop has no branch and
    runs several numbers per instruction.
    """
    ### BEGIN SOLUTION task-0.1
    z = math.exp(-abs(x))
    return (1.0 if x >= 0.0 else z) / (1.0 + z)
    ### END SOLUTION


def relu(x: float) -> float:
    """x if x > 0 else 0.0"""
    ### BEGIN SOLUTION task-0.1
    return x if x > 0.0 else 0.0
    ### END SOLUTION


EPS = 1e-6


def log(x: float) -> float:
    """Natural logarithm, IEEE style: log(0) = -inf, log(negative) = nan (no exception).

    We follow IEEE rather than raising because the tensor backends compute the same
    function elementwise, where one bad element must not abort a whole batch.
    """
    ### BEGIN SOLUTION task-0.1
    if x > 0.0:
        return math.log(x)
    if x == 0.0:
        return -math.inf
    return math.nan
    ### END SOLUTION


def exp(x: float) -> float:
    """e^x (inf on overflow, like numpy)."""
    ### BEGIN SOLUTION task-0.1
    if x > 709.782712893384:  # log of the largest float: e^x overflows above it
        return math.inf
    return math.exp(x)
    ### END SOLUTION


def inv(x: float) -> float:
    """1 / x, IEEE style: 1/0 is inf with the sign of the zero."""
    ### BEGIN SOLUTION task-0.1
    if x == 0.0:
        return math.copysign(math.inf, x)
    return 1.0 / x
    ### END SOLUTION


def sub(x: float, y: float) -> float:
    """x - y (one operation for tensors' ``a - b``, where ``add(x, neg(y))`` would be two)."""
    return x - y


def tanh(x: float) -> float:
    """The hyperbolic tangent (e^x - e^-x) / (e^x + e^-x), in (-1, 1), without overflow."""
    return math.tanh(x)


def abs(x: float) -> float:  # noqa: A001 - the name every user expects
    """|x| (-x for negative x; 0.0 for -0.0)."""
    return -x if x < 0.0 else x + 0.0


def pow(x: float, y: float) -> float:  # noqa: A001 - Python's name
    """x ** y, IEEE style: nan for a negative x with a fractional y, inf on overflow and for
    0 ** negative (no exception: the tensor backends compute it elementwise)."""
    if y == 0.0:
        return 1.0
    if x == 0.0:
        return 0.0 if y > 0.0 else math.inf
    if x < 0.0 and math.isfinite(y) and y % 1.0 != 0.0:
        return math.nan
    if y * math.log(-x if x < 0.0 else x) > 709.782712893384:  # the result overflows
        odd = x < 0.0 and y % 2.0 == 1.0
        return -math.inf if odd else math.inf
    return math.pow(x, y)


def log_back(x: float, d: float) -> float:
    """d * d/dx log(x) = d / x"""
    ### BEGIN SOLUTION task-0.1
    return d * inv(x)
    ### END SOLUTION


def inv_back(x: float, d: float) -> float:
    """d * d/dx (1/x) = -d / x^2"""
    ### BEGIN SOLUTION task-0.1
    return -d * inv(x * x)
    ### END SOLUTION


def relu_back(x: float, d: float) -> float:
    """d * d/dx relu(x) = d if x > 0 else 0"""
    ### BEGIN SOLUTION task-0.1
    return d if x > 0.0 else 0.0
    ### END SOLUTION


def sigmoid_back(x: float, d: float) -> float:
    """d * d/dx sigmoid(x) = d * s * (1 - s)"""
    ### BEGIN SOLUTION task-0.1
    s = sigmoid(x)
    return d * s * (1.0 - s)
    ### END SOLUTION


def exp_back(x: float, d: float) -> float:
    """d * d/dx e^x = d * e^x"""
    ### BEGIN SOLUTION task-0.1
    return d * exp(x)
    ### END SOLUTION


# ## Task 0.3: higher-order functions


def map(fn: Callable[[float], float]) -> Callable[[Iterable[float]], List[float]]:  # noqa: A001
    """Lift a one-argument function to lists: map(fn)(ls) == [fn(x) for x in ls]."""

    ### BEGIN SOLUTION task-0.3
    def apply(ls: Iterable[float]) -> List[float]:
        return [fn(x) for x in ls]

    return apply
    ### END SOLUTION


def zipWith(
    fn: Callable[[float, float], float]
) -> Callable[[Iterable[float], Iterable[float]], List[float]]:
    """Lift a two-argument function to pairs of lists of the same length."""

    ### BEGIN SOLUTION task-0.3
    def apply(ls1: Iterable[float], ls2: Iterable[float]) -> List[float]:
        a, b = list(ls1), list(ls2)
        if len(a) != len(b):
            raise ValueError(f"zipWith needs lists of the same length, got {len(a)} and {len(b)}")
        return [fn(x, y) for x, y in zip(a, b)]

    return apply
    ### END SOLUTION


def reduce(
    fn: Callable[[float, float], float], start: float
) -> Callable[[Iterable[float]], float]:
    """Fold a list from the left: reduce(fn, s)([x1, x2]) == fn(fn(s, x1), x2)."""

    ### BEGIN SOLUTION task-0.3
    def apply(ls: Iterable[float]) -> float:
        acc = start
        for x in ls:
            acc = fn(acc, x)
        return acc

    return apply
    ### END SOLUTION


def negList(ls: Iterable[float]) -> List[float]:
    """Negate every element."""
    ### BEGIN SOLUTION task-0.3
    return map(neg)(ls)
    ### END SOLUTION


def addLists(ls1: Iterable[float], ls2: Iterable[float]) -> List[float]:
    """Add two lists element by element."""
    ### BEGIN SOLUTION task-0.3
    return zipWith(add)(ls1, ls2)
    ### END SOLUTION


def sum(ls: Iterable[float]) -> float:  # noqa: A001
    """Sum of a list (0.0 for an empty list)."""
    ### BEGIN SOLUTION task-0.3
    return reduce(add, 0.0)(ls)
    ### END SOLUTION


def prod(ls: Iterable[float]) -> float:
    """Product of a list (1.0 for an empty list)."""
    ### BEGIN SOLUTION task-0.3
    return reduce(mul, 1.0)(ls)
    ### END SOLUTION
