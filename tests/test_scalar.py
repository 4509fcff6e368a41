"""Module 1: Scalar, the ScalarFunctions, derivative_check, and the shared test catalogue."""

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from autograd import Scalar, ScalarFunction, ScalarHistory, central_difference, derivative_check, no_grad, operators
from autograd.scalar import EQ, LT, Add, Exp, Inv, Log, Mul, Neg, ReLU, Sigmoid
from autograd.testing import CMP_SHIFT, MARGIN, RELU_SHIFT, MathTestVariable, catalogue

small = st.floats(min_value=-100, max_value=100, allow_nan=False)
positive = st.floats(min_value=0.1, max_value=100)
# Away from 0: the pole of 1/x and the kink of relu.
nonzero = st.one_of(st.floats(min_value=-100, max_value=-MARGIN), st.floats(min_value=MARGIN, max_value=100))


def interval(domain):
    low, high = domain
    return st.floats(min_value=low, max_value=high)


# ## The seed's cell


def test_seed_cell():
    a, b, c = Scalar(1), Scalar(2), Scalar(3)
    out = a + b + c
    out.backward()
    assert (a.derivative, b.derivative, c.derivative) == (1.0, 1.0, 1.0)
    assert all(type(s.derivative) is float for s in (a, b, c))
    assert repr((a.derivative, b.derivative, c.derivative)) == "(1.0, 1.0, 1.0)"


# ## Each ScalarFunction: forward on the operators, backward against central differences

# (Function, float reference, strategy for each input)
ONE_ARG_FUNCTIONS = [
    (Neg, lambda a: -a, small),
    (Inv, lambda a: 1.0 / a, nonzero),
    (Sigmoid, operators.sigmoid, small),
    (ReLU, lambda a: max(a, 0.0), nonzero),
    (Exp, math.exp, st.floats(min_value=-20, max_value=20)),
    (Log, math.log, positive),
]
TWO_ARG_FUNCTIONS = [
    (Add, lambda a, b: a + b),
    (Mul, lambda a, b: a * b),
    (LT, lambda a, b: 1.0 if a < b else 0.0),
    (EQ, lambda a, b: 1.0 if a == b else 0.0),
]


@pytest.mark.parametrize("fn, reference, values", ONE_ARG_FUNCTIONS, ids=lambda v: getattr(v, "__name__", ""))
@given(data=st.data())
def test_one_arg_function(fn, reference, values, data):
    x = data.draw(values, label="x")
    a = Scalar(x)
    out = fn.apply(a)
    assert out.data == pytest.approx(reference(x), rel=1e-12)
    out.backward()
    assert a.derivative == pytest.approx(central_difference(reference, x), rel=1e-4, abs=1e-6)


@pytest.mark.parametrize("fn, reference", TWO_ARG_FUNCTIONS, ids=lambda v: getattr(v, "__name__", ""))
@given(x=small, y=small)
def test_two_arg_function(fn, reference, x, y):
    assume(abs(x - y) > MARGIN)  # keep central differences off the jump of LT and EQ
    a, b = Scalar(x), Scalar(y)
    out = fn.apply(a, b)
    assert out.data == reference(x, y)
    out.backward()
    assert a.derivative == pytest.approx(central_difference(reference, x, y, arg=0), rel=1e-5, abs=1e-6)
    assert b.derivative == pytest.approx(central_difference(reference, x, y, arg=1), rel=1e-5, abs=1e-6)


@given(x=small, y=small, d=small)
def test_backward_scales_by_d_output(x, y, d):
    a, b = Scalar(x), Scalar(y)
    (a * b).backward(d)
    assert a.derivative == pytest.approx(y * d)
    assert b.derivative == pytest.approx(x * d)


def test_eq_is_one_on_equal_values():
    assert EQ.apply(Scalar(2.0), Scalar(2.0)).data == 1.0
    assert LT.apply(Scalar(2.0), Scalar(2.0)).data == 0.0


# ## The shared catalogue, on Scalars


CAT = catalogue()


@pytest.mark.parametrize("case", CAT.one_arg, ids=lambda c: c.name)
@given(data=st.data())
def test_catalogue_one_arg_forward(case, data):
    x = data.draw(interval(case.domain), label="x")
    assert case.fn_variable(Scalar(x)).data == pytest.approx(case.fn(x), rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("case", CAT.two_arg, ids=lambda c: c.name)
@given(data=st.data())
def test_catalogue_two_arg_forward(case, data):
    x = data.draw(interval(case.domain), label="x")
    y = data.draw(interval(case.domain), label="y")
    assert case.fn_variable(Scalar(x), Scalar(y)).data == pytest.approx(case.fn(x, y), rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("case", CAT.one_arg, ids=lambda c: c.name)
@given(data=st.data())
def test_catalogue_one_arg_derivative(case, data):
    x = data.draw(interval(case.domain), label="x")
    assume(case.smooth(x))
    derivative_check(case.fn_variable, Scalar(x))


@pytest.mark.parametrize("case", CAT.two_arg, ids=lambda c: c.name)
@given(data=st.data())
def test_catalogue_two_arg_derivative(case, data):
    x = data.draw(interval(case.domain), label="x")
    y = data.draw(interval(case.domain), label="y")
    assume(case.smooth(x, y))
    derivative_check(case.fn_variable, Scalar(x), Scalar(y))


def test_catalogue_is_complete_and_consistent():
    names = [c.name for c in CAT.one_arg + CAT.two_arg + CAT.reduction]
    assert len(names) == len(set(names))
    assert {"neg", "sig", "log", "relu", "exp", "complex", "add2", "div2", "eq2", "sum_red", "mean_full_red"} <= set(
        names
    )
    one, two, red = MathTestVariable._comp_testing()
    assert [n for n, _, _ in one] == [c.name for c in CAT.one_arg]
    assert [n for n, _, _ in two] == [c.name for c in CAT.two_arg]
    assert [n for n, _, _ in red] == [c.name for c in CAT.reduction]
    # every case is drawn from MiniTorch's whole range: the functions shift their own inputs
    assert {c.domain for c in CAT.one_arg + CAT.two_arg + CAT.reduction} == {(-100.0, 100.0)}


def test_catalogue_smooth_flags_the_kinks_and_works_on_arrays():
    relu = next(c for c in CAT.one_arg if c.name == "relu")
    # relu(x + RELU_SHIFT) has its kink at -RELU_SHIFT
    kink = -RELU_SHIFT
    assert relu.fn(kink - 1e-9) == 0.0 and relu.fn(kink + 1e-9) > 0.0
    assert not relu.smooth(kink)
    assert relu.smooth(0.0)
    assert relu.smooth(np.array([kink, 0.0])).tolist() == [False, True]
    gt2 = next(c for c in CAT.two_arg if c.name == "gt2")
    # the jump of gt2 is where a - b == CMP_SHIFT
    jump = 1.0 + CMP_SHIFT
    assert gt2.fn(jump + 1e-9, 1.0) != gt2.fn(jump - 1e-9, 1.0)
    assert not gt2.smooth(jump, 1.0)
    assert gt2.smooth(np.array([[jump], [0.0]]), np.array([1.0, 3.0])).tolist() == [[False, True], [True, True]]


def test_catalogue_reductions_on_floats():
    by_name = {c.name: c.fn for c in CAT.reduction}
    assert by_name["sum_red"]([1.0, 2.0, 4.5]) == 7.5
    assert by_name["mean_red"]([1.0, 2.0, 6.0]) == 3.0
    assert by_name["mean_full_red"]([1.0, 2.0, 6.0]) == 3.0


# ## Shared sub-expressions


@given(x=small, y=small)
def test_shared_subexpression(x, y):
    a, b = Scalar(x), Scalar(y)
    s = a * b  # used three times below
    out = s * s + s + a
    out.backward()
    # d/da (ab)^2 + ab + a = 2ab*b + b + 1, and symmetrically for b without the + 1
    assert a.derivative == pytest.approx(2 * x * y * y + y + 1, rel=1e-9, abs=1e-6)
    assert b.derivative == pytest.approx(2 * x * y * x + x, rel=1e-9, abs=1e-6)


def test_same_scalar_on_both_sides():
    x = Scalar(3.0)
    (x * x).backward()
    assert x.derivative == 6.0
    y = Scalar(3.0)
    (y / y).backward()
    assert y.derivative == pytest.approx(0.0, abs=1e-12)


# ## Operators and reflected forms


def test_operators_with_python_numbers_on_either_side():
    x = Scalar(4.0)
    cases = {
        "x + 1": (x + 1, 5.0),
        "1 + x": (1 + x, 5.0),
        "x - 1": (x - 1, 3.0),
        "2 - x": (2 - x, -2.0),
        "x * 3": (x * 3, 12.0),
        "3 * x": (3 * x, 12.0),
        "x / 2": (x / 2, 2.0),
        "1 / x": (1 / x, 0.25),
        "-x": (-x, -4.0),
        "x < 5": (x < 5, 1.0),
        "5 < x": (5 < x, 0.0),
        "x > 5": (x > 5, 0.0),
        "5 > x": (5 > x, 1.0),
        "x == 4": (x == 4, 1.0),
        "4 == x": (4 == x, 1.0),
        "x == 3": (x == 3, 0.0),
    }
    for expr, (result, expected) in cases.items():
        assert isinstance(result, Scalar), expr
        assert result.data == expected, expr


def test_methods():
    x = Scalar(2.0)
    assert x.log().data == pytest.approx(math.log(2.0))
    assert x.exp().data == pytest.approx(math.exp(2.0))
    assert x.sigmoid().data == pytest.approx(1 / (1 + math.exp(-2.0)))
    assert x.relu().data == 2.0
    assert (-x).relu().data == 0.0


@given(x=small, y=nonzero)
def test_derived_operators_differentiate(x, y):
    a, b = Scalar(x), Scalar(y)
    (a / b - b).backward()
    assert a.derivative == pytest.approx(1 / y)
    assert b.derivative == pytest.approx(-x / y**2 - 1, rel=1e-9, abs=1e-9)


def test_numpy_numbers_mix_with_scalars():
    out = np.float64(2.0) + Scalar(1.0)
    assert isinstance(out, Scalar) and out.data == 3.0
    assert isinstance(np.float64(2.0) * Scalar(3.0), Scalar)
    assert Scalar(np.int64(3)).data == 3.0
    assert Scalar(np.True_).data == 1.0
    assert type(Scalar(np.float32(0.5)).data) is float


def test_repr_hash_bool():
    assert repr(Scalar(1)) == "Scalar(1.000000)"
    assert repr(Scalar(-2.5)) == "Scalar(-2.500000)"
    a, b = Scalar(1.0), Scalar(1.0)
    table = {a: "a", b: "b"}  # equal values, distinct keys
    assert table[a] == "a" and table[b] == "b"
    assert bool(Scalar(1.0) < 2) is True
    assert bool(Scalar(0.0)) is False


def test_ids_and_names():
    a, b = Scalar(1.0), Scalar(1.0)
    assert a.unique_id != b.unique_id
    assert a.name == str(a.unique_id)
    assert Scalar(1.0, name="w").name == "w"


# ## Bad input


@pytest.mark.parametrize(
    "value, shown", [("x", "str 'x'"), (None, "NoneType None"), ([1.0], "list [1.0]"), (1j, "complex 1j")]
)
def test_scalar_of_a_non_number_says_what_it_got(value, shown):
    with pytest.raises(TypeError) as error:
        Scalar(value)
    message = str(error.value)
    assert message.startswith("Scalar() needs a number")
    assert message.endswith(f"got {shown}")


def test_operations_with_non_numbers_raise_type_error():
    with pytest.raises(TypeError, match="unsupported operand"):
        Scalar(1.0) + "a"
    with pytest.raises(TypeError, match="'<' not supported"):
        Scalar(1.0) < None
    with pytest.raises(TypeError, match="Add.apply takes Scalars or numbers, got str 'a'"):
        Add.apply(Scalar(1.0), "a")
    assert (Scalar(1.0) == "a") is False  # no comparison defined: Python falls back to identity


def test_backward_needs_a_numeric_d_output():
    with pytest.raises(TypeError, match="got str 'one'"):
        (Scalar(1.0) * 2).backward("one")


def test_log_of_non_positive_numbers_follows_ieee():
    zero = Scalar(0.0)
    out = zero.log()
    assert out.data == -math.inf
    out.backward()
    assert zero.derivative == math.inf
    assert math.isnan(Scalar(-1.0).log().data)


# ## Leaves, constants, gradient tracking


def test_numbers_in_operations_are_constants():
    x = Scalar(2.0)
    out = x * 3
    assert not out.is_leaf() and not out.is_constant()
    three = [p for p in out.parents if p is not x][0]
    assert three.is_constant() and three.data == 3.0
    out.backward()
    assert three.derivative is None


def test_operations_on_constants_give_constants():
    c = Scalar(2.0, back=None)
    assert (c * c + 1).is_constant()


def test_backward_on_a_constant_says_why_it_cannot():
    with no_grad():
        y = Scalar(2.0) * 3
    with pytest.raises(RuntimeError, match="constant"):
        y.backward()


def test_requires_grad_switches_leaves_and_constants_only():
    c = Scalar(1.0, back=None)
    assert not c.requires_grad()
    assert c.requires_grad_() is c
    assert c.is_leaf() and c.requires_grad()
    c.requires_grad_(False)
    assert c.is_constant()
    y = Scalar(1.0) * 2
    with pytest.raises(RuntimeError, match="leaves and constants"):
        y.requires_grad_(False)


def test_inner_nodes_cannot_store_a_derivative():
    y = Scalar(1.0) * 2
    with pytest.raises(RuntimeError, match="leaf"):
        y.accumulate_derivative(1.0)


def test_history_records_function_and_inputs():
    a, b = Scalar(1.0), Scalar(2.0)
    out = a * b
    assert out.history.last_fn is Mul
    inputs = list(out.history.inputs)
    assert len(inputs) == 2 and inputs[0] is a and inputs[1] is b
    assert out.history.ctx.saved_values == (1.0, 2.0)
    assert a.history == ScalarHistory()


# ## Writing a new ScalarFunction, and checking it


class Cube(ScalarFunction):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a * a * a

    @staticmethod
    def backward(ctx, d_output):
        (a,) = ctx.saved_values
        return 3 * a * a * d_output


class WrongCube(Cube):
    @staticmethod
    def backward(ctx, d_output):
        (a,) = ctx.saved_values
        return 2 * a * d_output  # forgot the power rule


class TwoForOne(ScalarFunction):
    @staticmethod
    def forward(ctx, a):
        return a

    @staticmethod
    def backward(ctx, d_output):
        return d_output, d_output


@given(x=small)
def test_derivative_check_accepts_a_correct_function(x):
    derivative_check(lambda a, b: Cube.apply(a) * b, Scalar(x), Scalar(2.0))


def test_derivative_check_reports_a_wrong_backward():
    # 2 * 3 from the wrong backward; about 27 = 3 * 3**2 from central differences
    expected = r"argument 0 at \(3.0,\): backpropagation gives 6.0, central difference gives 2(7\.0|6\.9)"
    with pytest.raises(AssertionError, match=expected):
        derivative_check(WrongCube.apply, Scalar(3.0))


def test_derivative_check_resets_old_derivatives():
    x = Scalar(3.0)
    (x * 100).backward()
    derivative_check(Cube.apply, x)
    assert x.derivative == 27.0


def test_derivative_check_needs_leaves():
    with pytest.raises(TypeError, match="argument 0"):
        derivative_check(Cube.apply, Scalar(1.0) * 2)


def test_backward_with_the_wrong_number_of_derivatives_says_so():
    with pytest.raises(RuntimeError, match="TwoForOne.backward returned 2 derivative\\(s\\) for 1 input"):
        TwoForOne.apply(Scalar(1.0)).backward()
