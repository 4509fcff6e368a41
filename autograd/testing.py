"""A catalogue of small test functions, shared by the scalar and tensor tests and the notebooks.

Each function exists twice, with the same name and the same arithmetic:

- ``MathTest.<name>`` works on Python floats through ``autograd.operators``: the reference.
- ``MathTestVariable.<name>`` works on a differentiable value through its operators and
  methods (``x + 5``, ``x.sigmoid()``, ``1.0 / x``), so the same code runs on a ``Scalar``
  and on a ``Tensor``.

Tests compare the two forwards, and check the variable version's derivatives against
central differences. ``catalogue()`` lists every case with what such a test needs: the
input interval (``domain``) and where the function is differentiable (``smooth``)::

    from autograd.testing import catalogue

    for case in catalogue().one_arg:
        low, high = case.domain                   # draw inputs in [low, high]
        x = ...
        if np.all(case.smooth(x)):                # not too close to a kink or a jump
            check the derivative of case.fn_variable at x

Three kinds of cases: ``one_arg`` (f(x)), ``two_arg`` (f(x, y)) and ``reduction``.
Reductions take a whole tensor: the float version takes a list of floats, the variable
version a Tensor (``sum_red`` is ``a.sum(0)``, ``mean_red`` is ``a.mean(0)``, ``mean_full_red``
is ``a.mean()``); on a 1-D tensor both give the same number. They do not apply to Scalars.

``MathTestVariable._comp_testing()`` gives the same lists as MiniTorch's, of
``(name, fn_float, fn_variable)`` triples.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, List, NamedTuple, Sequence, Tuple

from . import operators

# Gradient checks use central differences with epsilon = 1e-6; inputs this close to a kink
# (relu) or a jump (comparisons) would straddle it, so tests keep this far away from them.
MARGIN = 1e-3

# Input intervals. Most functions are fine on DEFAULT; log and 1/x need positive inputs,
# and exp is kept where its values print readably.
DEFAULT: Tuple[float, float] = (-100.0, 100.0)
POSITIVE: Tuple[float, float] = (0.1, 100.0)
EXP_DOMAIN: Tuple[float, float] = (-20.0, 20.0)

# Where the kinks and jumps are. Shifted away from 0 and other round numbers that property
# tests like to try, so that few draws have to be thrown away.
RELU_SHIFT = 5.5
CMP_SHIFT = 1.2
EQ_SHIFT = 5.5


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
        return operators.inv(a)

    @staticmethod
    def sig(a: float) -> float:
        return operators.sigmoid(a)

    @staticmethod
    def log(a: float) -> float:
        return operators.log(a)

    @staticmethod
    def relu(a: float) -> float:
        return operators.relu(a + RELU_SHIFT)

    @staticmethod
    def exp(a: float) -> float:
        return operators.exp(a)

    @staticmethod
    def explog(a: float) -> float:
        return operators.log(a) + operators.exp(a / 10)

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
        return a / b

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


class MathTestVariable(MathTest):
    """The same functions on a Scalar or a Tensor, through its operators and methods only."""

    @staticmethod
    def inv(a: Any) -> Any:
        return 1.0 / a

    @staticmethod
    def sig(a: Any) -> Any:
        return a.sigmoid()

    @staticmethod
    def log(a: Any) -> Any:
        return a.log()

    @staticmethod
    def relu(a: Any) -> Any:
        return (a + RELU_SHIFT).relu()

    @staticmethod
    def exp(a: Any) -> Any:
        return a.exp()

    @staticmethod
    def explog(a: Any) -> Any:
        return a.log() + (a / 10).exp()

    @staticmethod
    def complex(a: Any) -> Any:
        inner = (a * 2 + 2 * RELU_SHIFT).relu() - 7
        return (inner.sigmoid() + 1).log() * a

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
        """MiniTorch's form: (one_arg, two_arg, reduction) lists of (name, fn_float, fn_variable)."""
        cat = catalogue()
        return tuple([(c.name, c.fn, c.fn_variable) for c in cases] for cases in cat)


def _always(*xs: Any) -> bool:
    return True


@dataclass(frozen=True)
class MathCase:
    """One catalogue entry.

    Attributes:
        name: the method name in MathTest / MathTestVariable.
        fn: the float version (reductions: takes a list of floats).
        fn_variable: the Scalar / Tensor version.
        domain: (low, high); draw every input in this interval.
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


# name -> (domain, smooth); names not listed use DEFAULT and _always.
_SPECIAL = {
    "inv": (POSITIVE, _always),
    "log": (POSITIVE, _always),
    "explog": (POSITIVE, _always),
    "exp": (EXP_DOMAIN, _always),
    "relu": (DEFAULT, lambda a: abs(a + RELU_SHIFT) > MARGIN),
    "complex": (DEFAULT, lambda a: abs(a + RELU_SHIFT) > MARGIN),
    "div2": (POSITIVE, _always),
    "gt2": (DEFAULT, lambda a, b: abs(a - b - CMP_SHIFT) > MARGIN),
    "lt2": (DEFAULT, lambda a, b: abs(b - a - CMP_SHIFT) > MARGIN),
    "eq2": (DEFAULT, lambda a, b: abs(a - b - EQ_SHIFT) > MARGIN),
}

ONE_ARG = [
    "neg", "addConstant", "square", "cube", "subConstant", "multConstant", "div",
    "inv", "sig", "log", "relu", "exp", "explog", "complex",
]  # fmt: skip
TWO_ARG = ["add2", "mul2", "div2", "gt2", "lt2", "eq2"]
REDUCTION = ["sum_red", "mean_red", "mean_full_red"]


def _case(name: str) -> MathCase:
    domain, smooth = _SPECIAL.get(name, (DEFAULT, _always))
    return MathCase(name, getattr(MathTest, name), getattr(MathTestVariable, name), domain, smooth)


def catalogue() -> Catalogue:
    """Every test function, as ``Catalogue(one_arg, two_arg, reduction)`` lists of MathCase."""
    return Catalogue(
        [_case(n) for n in ONE_ARG],
        [_case(n) for n in TWO_ARG],
        [_case(n) for n in REDUCTION],
    )
