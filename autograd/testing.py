"""A catalogue of small test functions, shared by the scalar and tensor tests and the notebooks.

Each function exists twice, with the same name and the same arithmetic:

- ``MathTest.<name>`` works on Python floats through ``autograd.operators``: the reference.
- ``MathTestVariable.<name>`` works on a differentiable value through its operators and
  methods (``x + 5``, ``x.sigmoid()``, ``1.0 / x``), so the same code runs on a ``Scalar``
  and on a ``Tensor``.

Tests compare the two forwards, and check the variable version's derivatives against
central differences. The lists come in MiniTorch's forms, so MiniTorch's own tests run
unchanged::

    one_arg, two_arg, reductions = MathTest._tests()                  # (name, fn)
    one_arg, two_arg, reductions = MathTestVariable._comp_testing()   # (name, fn_float, fn_variable)

The whole range, with no domain table. MiniTorch's tests draw every input from the floats
in [-100, 100], and so may ours: every function is defined, finite and smooth there, because
each one moves its input into its operator's domain itself: ``inv`` and ``log`` see
``a * a + 1`` (at least 1, so no pole and no log of a negative), ``exp`` sees ``a / 20``
(values up to e^5, so they compare well with an absolute tolerance), ``div2`` divides by
``b * b + 1``.

Kinks and jumps (``relu``, ``complex``, ``gt2``, ``lt2``, ``eq2``) cannot be removed, only put
where central differences (x +- 1e-6) do not land. Hypothesis favours round numbers and the
literals it finds in our source (it would draw ``a = 5.5, b = 0`` and hit a jump at
``a == b + 5.5``), so the shifts are irrational numbers computed below, not written as
literals: no pair of draws hypothesis prefers differs by one of them, and a random draw lands
within 1e-6 of a kink about once in 10^8. Who wants certainty rather than odds uses
``catalogue()``: each case's ``smooth(*inputs)`` says where a central difference is safe.

Three kinds of cases: ``one_arg`` (f(x)), ``two_arg`` (f(x, y)) and ``reduction``.
Reductions take a whole tensor: the float version takes a list of floats, the variable
version a Tensor (``sum_red`` is ``a.sum(0)``, ``mean_red`` is ``a.mean(0)``, ``mean_full_red``
is ``a.mean()``); on a 1-D tensor both give the same number. They do not apply to Scalars.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, List, NamedTuple, Sequence, Tuple

from . import operators

# The range MiniTorch's tests draw every input from; every function below is smooth on it
# (apart from the kinks and jumps described in the module docstring).
DEFAULT: Tuple[float, float] = (-100.0, 100.0)

# Central differences use epsilon = 1e-6; ``smooth`` flags inputs closer than this to a kink
# or a jump, where a central difference would straddle it.
MARGIN = 1e-3

# Where the kinks and jumps are: irrational, and computed, so that hypothesis cannot find the
# number among our source's literals (see the module docstring).
RELU_SHIFT = math.sqrt(30.0)  # 5.477...: relu's kink is at a = -RELU_SHIFT
CMP_SHIFT = math.sqrt(2.0)  # 1.414...: gt2 and lt2 jump where a - b = +-CMP_SHIFT
EQ_SHIFT = math.sqrt(31.0)  # 5.567...: eq2 is 1 where a = b + EQ_SHIFT exactly


class MathTest:
    """The reference versions, on Python floats (reductions: on lists of floats)."""

    # ## One argument

    @staticmethod
    def neg(a: float) -> float:
        return -a

    @staticmethod
    def addConstant(a: float) -> float:
        return a + 5

    @staticmethod
    def square(a: float) -> float:
        return a * a

    @staticmethod
    def cube(a: float) -> float:
        return a * a * a

    @staticmethod
    def subConstant(a: float) -> float:
        return a - 5

    @staticmethod
    def multConstant(a: float) -> float:
        return 5 * a

    @staticmethod
    def div(a: float) -> float:
        return a / 5

    @staticmethod
    def inv(a: float) -> float:
        """1 / (a^2 + 1): the input of inv kept at 1 or more, far from its pole."""
        return operators.inv(a * a + 1)

    @staticmethod
    def sig(a: float) -> float:
        return operators.sigmoid(a)

    @staticmethod
    def log(a: float) -> float:
        """log(a^2 + 1): the input of log kept positive."""
        return operators.log(a * a + 1)

    @staticmethod
    def relu(a: float) -> float:
        return operators.relu(a + RELU_SHIFT)

    @staticmethod
    def exp(a: float) -> float:
        """e^(a / 20): at most e^5 on [-100, 100], so values compare to an absolute tolerance."""
        return operators.exp(a / 20)

    @staticmethod
    def explog(a: float) -> float:
        """log and exp of the same input (a shared node), each shifted as above."""
        return operators.log(a * a + 1) + operators.exp(a / 20)

    @staticmethod
    def complex(a: float) -> float:
        """relu, sigmoid, log and a product that uses ``a`` twice (a shared node)."""
        inner = operators.relu(a * 2 + 2 * RELU_SHIFT) - 7
        return operators.log(operators.sigmoid(inner) + 1) * a

    # ## Two arguments

    @staticmethod
    def add2(a: float, b: float) -> float:
        return a + b

    @staticmethod
    def mul2(a: float, b: float) -> float:
        return a * b

    @staticmethod
    def div2(a: float, b: float) -> float:
        """a / (b^2 + 1): the divisor kept at 1 or more."""
        return a / (b * b + 1)

    @staticmethod
    def gt2(a: float, b: float) -> float:
        return operators.lt(b + CMP_SHIFT, a)

    @staticmethod
    def lt2(a: float, b: float) -> float:
        return operators.lt(a, b - CMP_SHIFT)

    @staticmethod
    def eq2(a: float, b: float) -> float:
        return operators.eq(a, b + EQ_SHIFT)

    # ## Reductions

    @staticmethod
    def sum_red(a: Sequence[float]) -> float:
        return operators.sum(a)

    @staticmethod
    def mean_red(a: Sequence[float]) -> float:
        return operators.sum(a) / len(a)

    @staticmethod
    def mean_full_red(a: Sequence[float]) -> float:
        return operators.sum(a) / len(a)

    # ## The lists, in MiniTorch's form

    @classmethod
    def _tests(cls) -> Tuple[List[Tuple[str, Callable]], List[Tuple[str, Callable]], List[Tuple[str, Callable]]]:
        """``(one_arg, two_arg, reductions)``: lists of ``(name, fn)`` with this class's versions.

        ``MathTest._tests()`` gives the float versions, ``MathTestVariable._tests()`` the
        Scalar / Tensor ones, in the same order.
        """
        return tuple([(name, getattr(cls, name)) for name in names] for names in (ONE_ARG, TWO_ARG, REDUCTION))


class MathTestVariable(MathTest):
    """The same functions on a Scalar or a Tensor, through its operators and methods only."""

    @staticmethod
    def inv(a: Any) -> Any:
        return 1.0 / (a * a + 1)

    @staticmethod
    def sig(a: Any) -> Any:
        return a.sigmoid()

    @staticmethod
    def log(a: Any) -> Any:
        return (a * a + 1).log()

    @staticmethod
    def relu(a: Any) -> Any:
        return (a + RELU_SHIFT).relu()

    @staticmethod
    def exp(a: Any) -> Any:
        return (a / 20).exp()

    @staticmethod
    def explog(a: Any) -> Any:
        return (a * a + 1).log() + (a / 20).exp()

    @staticmethod
    def complex(a: Any) -> Any:
        inner = (a * 2 + 2 * RELU_SHIFT).relu() - 7
        return (inner.sigmoid() + 1).log() * a

    @staticmethod
    def div2(a: Any, b: Any) -> Any:
        return a / (b * b + 1)

    @staticmethod
    def gt2(a: Any, b: Any) -> Any:
        return a > b + CMP_SHIFT

    @staticmethod
    def lt2(a: Any, b: Any) -> Any:
        return a < b - CMP_SHIFT

    @staticmethod
    def eq2(a: Any, b: Any) -> Any:
        return a == b + EQ_SHIFT

    @staticmethod
    def sum_red(a: Any) -> Any:
        return a.sum(0)

    @staticmethod
    def mean_red(a: Any) -> Any:
        return a.mean(0)

    @staticmethod
    def mean_full_red(a: Any) -> Any:
        return a.mean()

    @classmethod
    def _comp_testing(cls) -> Tuple[List[Tuple[str, Callable, Callable]], ...]:
        """MiniTorch's form: ``(one_arg, two_arg, reductions)`` lists of ``(name, fn_float, fn_variable)``."""
        return tuple(
            [(name, fn_float, fn_variable) for (name, fn_float), (_, fn_variable) in zip(floats, variables)]
            for floats, variables in zip(MathTest._tests(), cls._tests())
        )


def _always(*xs: Any) -> bool:
    return True


@dataclass(frozen=True)
class MathCase:
    """One catalogue entry.

    Attributes:
        name: the method name in MathTest / MathTestVariable.
        fn: the float version (reductions: takes a list of floats).
        fn_variable: the Scalar / Tensor version.
        domain: (low, high): the interval to draw inputs from. The whole of MiniTorch's range,
            ``DEFAULT``, for every case, since the functions shift their inputs themselves; kept
            so that callers need not know the number.
        smooth: ``smooth(*inputs)`` is True where the function is differentiable with
            ``MARGIN`` to spare. Written with plain arithmetic and comparisons, so it works on
            floats and elementwise on numpy arrays (with broadcasting): use ``np.all(...)``.
    """

    name: str
    fn: Callable[..., Any]
    fn_variable: Callable[..., Any]
    domain: Tuple[float, float] = DEFAULT
    smooth: Callable[..., Any] = _always


class Catalogue(NamedTuple):
    one_arg: List[MathCase]
    two_arg: List[MathCase]
    reduction: List[MathCase]


# name -> where it is smooth; names not listed are smooth everywhere.
_SMOOTH = {
    "relu": lambda a: abs(a + RELU_SHIFT) > MARGIN,
    "complex": lambda a: abs(a + RELU_SHIFT) > MARGIN,
    "gt2": lambda a, b: abs(a - b - CMP_SHIFT) > MARGIN,
    "lt2": lambda a, b: abs(b - a - CMP_SHIFT) > MARGIN,
    "eq2": lambda a, b: abs(a - b - EQ_SHIFT) > MARGIN,
}

ONE_ARG = [
    "neg", "addConstant", "square", "cube", "subConstant", "multConstant", "div",
    "inv", "sig", "log", "relu", "exp", "explog", "complex",
]  # fmt: skip
TWO_ARG = ["add2", "mul2", "div2", "gt2", "lt2", "eq2"]
REDUCTION = ["sum_red", "mean_red", "mean_full_red"]


def _case(name: str) -> MathCase:
    return MathCase(name, getattr(MathTest, name), getattr(MathTestVariable, name), DEFAULT, _SMOOTH.get(name, _always))


def catalogue() -> Catalogue:
    """Every test function, as ``Catalogue(one_arg, two_arg, reduction)`` lists of MathCase."""
    return Catalogue(
        [_case(n) for n in ONE_ARG],
        [_case(n) for n in TWO_ARG],
        [_case(n) for n in REDUCTION],
    )
