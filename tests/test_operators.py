"""Module 0: the scalar operators and the list functions built on map / zipWith / reduce.

Expected values come from Python itself (math, built-in arithmetic) or from algebraic laws,
never from the functions under test.
"""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import operators
from autograd.autodiff import central_difference
from autograd.operators import (
    add,
    addLists,
    eq,
    exp,
    id,
    inv,
    inv_back,
    is_close,
    log,
    log_back,
    lt,
    max,
    mul,
    neg,
    negList,
    prod,
    relu,
    relu_back,
    sigmoid,
    sigmoid_back,
    exp_back,
)

small = st.floats(min_value=-100, max_value=100, allow_nan=False)
positive = st.floats(min_value=0.1, max_value=100)
# Away from 0, for 1/x and for the kink of relu.
nonzero = st.one_of(st.floats(min_value=-100, max_value=-0.1), st.floats(min_value=0.1, max_value=100))
small_lists = st.lists(small, max_size=10)


# ## Task 0.1: each operator does what its name says


@given(small, small)
def test_arithmetic_matches_python(x, y):
    assert mul(x, y) == x * y
    assert add(x, y) == x + y
    assert neg(x) == -x
    assert id(x) == x
    assert max(x, y) == (x if x >= y else y)


@given(small, small)
def test_comparisons_return_one_or_zero(x, y):
    assert lt(x, y) == (1.0 if x < y else 0.0)
    assert eq(x, y) == (1.0 if x == y else 0.0)
    assert eq(x, x) == 1.0
    assert lt(x, x) == 0.0


def test_is_close_threshold_is_one_hundredth():
    assert is_close(1.0, 1.0) == 1.0
    assert is_close(1.0, 1.005) == 1.0
    assert is_close(1.005, 1.0) == 1.0
    assert is_close(1.0, 1.02) == 0.0
    assert is_close(-3.0, 3.0) == 0.0


@given(nonzero)
def test_inv_log_exp_match_math(x):
    assert inv(x) == pytest.approx(1.0 / x)
    assert exp(x) == pytest.approx(math.exp(x))
    assert log(abs(x)) == pytest.approx(math.log(abs(x)))


def test_ieee_edges_give_inf_and_nan_not_exceptions():
    # The choice documented in operators.log / Scalar.log: IEEE, no ValueError.
    assert log(0.0) == -math.inf
    assert math.isnan(log(-1.0))
    assert inv(0.0) == math.inf
    assert inv(-0.0) == -math.inf
    assert exp(1000.0) == math.inf
    assert exp(709.7827) == math.exp(709.7827)  # the largest finite results are kept
    assert exp(-1000.0) == 0.0


# ## sigmoid and relu


@given(small)
def test_sigmoid_matches_definition(x):
    assert sigmoid(x) == pytest.approx(1.0 / (1.0 + math.exp(-x)), rel=1e-12, abs=1e-300)


@given(st.floats(allow_nan=False))
def test_sigmoid_in_unit_interval_for_every_float(x):
    # Includes +-inf and +-1e308, where the textbook form overflows in exp(-x).
    s = sigmoid(x)
    assert 0.0 <= s <= 1.0


@given(small)
def test_sigmoid_symmetry(x):
    assert sigmoid(-x) == pytest.approx(1.0 - sigmoid(x), abs=1e-12)


def test_sigmoid_known_values():
    assert sigmoid(0.0) == 0.5
    assert sigmoid(1000.0) == 1.0
    assert sigmoid(-1000.0) == 0.0
    assert sigmoid(-800.0) == 0.0  # exp(800) overflows: the negative branch must avoid it


@given(small, small)
def test_sigmoid_monotone(a, b):
    lo, hi = (a, b) if a <= b else (b, a)
    assert sigmoid(lo) <= sigmoid(hi)


@given(small)
def test_relu_definition(x):
    if x > 0:
        assert relu(x) == x
    else:
        assert relu(x) == 0.0


@given(small, small)
def test_relu_back_definition(x, d):
    if x > 0:
        assert relu_back(x, d) == d
    else:
        assert relu_back(x, d) == 0.0


# ## Derivatives times d


@given(positive, small)
def test_log_back_is_d_over_x(x, d):
    assert log_back(x, d) == pytest.approx(d / x)
    assert log_back(x, 1.0) == pytest.approx(central_difference(math.log, x), rel=1e-4)


@given(nonzero, small)
def test_inv_back_is_minus_d_over_x_squared(x, d):
    assert inv_back(x, d) == pytest.approx(-d / (x * x))
    assert inv_back(x, 1.0) == pytest.approx(central_difference(lambda v: 1.0 / v, x), rel=1e-4)


@given(st.floats(min_value=-30, max_value=30), small)
def test_sigmoid_back_and_exp_back_match_central_difference(x, d):
    # Central differences lose about ulp(f) / epsilon ~ 1e-10 absolute where sigmoid saturates.
    tol = 1e-8 * (1 + abs(d))
    assert sigmoid_back(x, d) == pytest.approx(d * central_difference(sigmoid, x), rel=1e-4, abs=tol)
    assert exp_back(x, d) == pytest.approx(d * central_difference(math.exp, x), rel=1e-4, abs=tol)


# ## The algebra students are asked to check


@given(small, small)
def test_add_and_mul_commute(x, y):
    assert add(x, y) == add(y, x)
    assert mul(x, y) == mul(y, x)


@given(small, small, small)
def test_mul_distributes_over_add(z, x, y):
    assert mul(z, add(x, y)) == pytest.approx(add(mul(z, x), mul(z, y)), rel=1e-9, abs=1e-9)


@given(small, small, small)
def test_lt_is_transitive(a, b, c):
    if lt(a, b) and lt(b, c):
        assert lt(a, c) == 1.0


@given(small, small)
def test_lt_is_asymmetric_and_eq_symmetric(a, b):
    assert not (lt(a, b) and lt(b, a))
    assert eq(a, b) == eq(b, a)


@given(small)
def test_neg_is_an_involution(x):
    assert neg(neg(x)) == x


# ## Task 0.3: map, zipWith, reduce and the list functions


@given(small_lists)
def test_map_and_negList(ls):
    assert operators.map(lambda v: v * 2)(ls) == [v * 2 for v in ls]
    assert negList(ls) == [-v for v in ls]


@given(small_lists, small_lists)
def test_zipWith_and_addLists(a, b):
    n = min(len(a), len(b))
    a, b = a[:n], b[:n]
    assert operators.zipWith(lambda x, y: x - y)(a, b) == [x - y for x, y in zip(a, b)]
    assert addLists(a, b) == [x + y for x, y in zip(a, b)]


def test_zipWith_refuses_lists_of_different_lengths():
    with pytest.raises(ValueError, match="2 and 3"):
        addLists([1.0, 2.0], [1.0, 2.0, 3.0])


def test_reduce_folds_from_the_left_with_the_start_value():
    # Subtraction is not associative, so the order shows: ((10 - 1) - 2) - 3.
    assert operators.reduce(lambda acc, x: acc - x, 10.0)([1.0, 2.0, 3.0]) == 4.0
    assert operators.reduce(add, 7.0)([]) == 7.0


@given(small_lists)
def test_sum_and_prod(ls):
    assert operators.sum(ls) == pytest.approx(math.fsum(ls), abs=1e-9)
    assert prod(ls) == pytest.approx(math.prod(ls), rel=1e-12)


def test_sum_and_prod_of_empty_and_known_lists():
    assert operators.sum([]) == 0.0
    assert prod([]) == 1.0
    assert operators.sum([1.0, 2.0, 3.5]) == 6.5
    assert prod([1.0, 2.0, 3.5]) == 7.0


@given(small_lists, small_lists)
def test_sum_distributes_over_addLists(a, b):
    n = min(len(a), len(b))
    a, b = a[:n], b[:n]
    assert operators.sum(addLists(a, b)) == pytest.approx(operators.sum(a) + operators.sum(b), abs=1e-9)
