"""MiniTorch compatibility: the test catalogue, used the way MiniTorch's own tests use it.

The tests below are written in the form of MiniTorch's course tests (``_comp_testing()``
triples unpacked as ``name, base_fn, scalar_fn = fn``, ``assert_close``, ``derivative_check``,
``grad_check``, ``t._tensor.indices()``), with every input drawn from MiniTorch's whole
range, floats in [-100, 100], and no domain table or ``assume``: the catalogue itself must
keep every function defined and smooth there. Tensors run on every backend of the matrix.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import shapes
from strategies import tensors as layout_tensors

from autograd import Scalar, derivative_check, grad_check, operators
from autograd.testing import CMP_SHIFT, EQ_SHIFT, MARGIN, RELU_SHIFT, MathTest, MathTestVariable, catalogue

one_arg, two_arg, red_arg = MathTestVariable._comp_testing()

small_floats = st.floats(min_value=-100, max_value=100, allow_nan=False)
small_scalars = st.builds(Scalar, small_floats)


def assert_close(a: float, b: float) -> None:
    """MiniTorch's check (``operators.is_close``: within 1e-2), and ours, a relative 1e-9."""
    assert operators.is_close(a, b), f"Failure x={a} y={b}"
    assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9), f"Failure x={a!r} y={b!r}"


def ids(cases):
    return [name for name, _, _ in cases]


# ## The lists themselves


def test_tests_lists_names_and_functions_of_each_class():
    for cls in (MathTest, MathTestVariable):
        lists = cls._tests()
        assert len(lists) == 3
        for cases in lists:
            for name, fn in cases:
                assert fn is getattr(cls, name)
    one, two, red = MathTest._tests()
    assert [n for n, _ in one] == ids(one_arg)
    assert [n for n, _ in two] == ids(two_arg)
    assert [n for n, _ in red] == ids(red_arg) == ["sum_red", "mean_red", "mean_full_red"]


def test_lists_hold_every_public_function_once():
    listed = [n for cases in MathTest._tests() for n, _ in cases]
    public = [n for n in vars(MathTest) if not n.startswith("_")]
    assert sorted(listed) == sorted(public)
    assert len(listed) == len(set(listed))


def test_comp_testing_pairs_the_float_version_with_the_variable_one():
    for name, base_fn, variable_fn in one_arg + two_arg + red_arg:
        assert base_fn is getattr(MathTest, name)
        assert variable_fn is getattr(MathTestVariable, name)


def test_reductions_on_float_lists():
    by_name = {name: base for name, base, _ in red_arg}
    assert by_name["sum_red"]([1.0, 2.0, 4.5]) == 7.5
    assert by_name["mean_red"]([1.0, 2.0, 6.0]) == 3.0
    assert by_name["mean_full_red"]([1.0, 2.0, 6.0]) == 3.0


# ## Defined and smooth on the whole range, deterministically

GRID = np.linspace(-100.0, 100.0, 20001)  # steps of 0.01, both ends included


@pytest.mark.parametrize("fn", one_arg, ids=ids(one_arg))
def test_one_arg_is_finite_on_the_whole_range(fn):
    name, base_fn, _ = fn
    values = [base_fn(float(x)) for x in GRID]
    assert all(math.isfinite(v) for v in values), name
    # exp and cube are the largest; an absolute tolerance of 1e-2 still makes sense for them
    assert max(abs(v) for v in values) <= 1e6


@pytest.mark.parametrize("fn", two_arg, ids=ids(two_arg))
def test_two_arg_is_finite_on_the_whole_range(fn):
    name, base_fn, _ = fn
    coarse = GRID[::50]
    assert all(math.isfinite(base_fn(float(a), float(b))) for a in coarse for b in coarse), name


# Inputs hypothesis likes to try: multiples of 1/100, 1/64 and 1/3 in [-100, 100] (integers
# among them), and its own favourite small floats.
DENOMINATORS = (100, 64, 3)
NASTY = [0.5, 1.1, 1.5, 1.9, 1 / 3, 1 - 10e-6, 2 + 10e-6, 0.0]
NASTY += [-x for x in NASTY]


def distance_to_grid(x: float, d: int) -> float:
    """How far x is from the nearest multiple of 1/d."""
    return abs(x * d - round(x * d)) / d


def test_kinks_and_jumps_are_away_from_round_inputs():
    # relu (and complex) bend at x = -RELU_SHIFT: no round input is near it
    for d in DENOMINATORS:
        assert distance_to_grid(-RELU_SHIFT, d) > MARGIN
    assert min(abs(x + RELU_SHIFT) for x in NASTY) > MARGIN
    # gt2, lt2 and eq2 jump where a - b = +-shift. The difference of two grid values is on the
    # grid of the least common multiple; a favourite float minus a grid value is on a shifted grid.
    for shift in (CMP_SHIFT, -CMP_SHIFT, EQ_SHIFT, -EQ_SHIFT):
        for p in DENOMINATORS:
            for q in DENOMINATORS:
                assert distance_to_grid(shift, math.lcm(p, q)) > 1e-5
            for n in NASTY:
                assert distance_to_grid(shift - n, p) > 1e-5
                assert distance_to_grid(shift + n, p) > 1e-5
        assert min(abs(a - b - shift) for a in NASTY for b in NASTY) > 1e-5


def test_smooth_flags_exactly_the_kinks():
    cases = {c.name: c for c in catalogue().one_arg + catalogue().two_arg}
    assert not cases["relu"].smooth(-RELU_SHIFT) and cases["relu"].smooth(-RELU_SHIFT + 2 * MARGIN)
    assert not cases["gt2"].smooth(1.0 + CMP_SHIFT, 1.0)
    assert not cases["lt2"].smooth(1.0 - CMP_SHIFT, 1.0)
    assert not cases["eq2"].smooth(1.0 + EQ_SHIFT, 1.0)
    assert cases["eq2"].fn(1.0 + EQ_SHIFT, 1.0) == 1.0
    assert all(c.smooth(0.0) for c in cases.values() if c.name in {"inv", "log", "explog", "exp", "sig"})


# ## Scalars, as MiniTorch's test_scalar.py does it


@given(small_scalars)
@pytest.mark.parametrize("fn", one_arg, ids=ids(one_arg))
def test_scalar_one_args(fn, t1):
    name, base_fn, scalar_fn = fn
    assert_close(scalar_fn(t1).data, base_fn(t1.data))


@given(small_scalars, small_scalars)
@pytest.mark.parametrize("fn", two_arg, ids=ids(two_arg))
def test_scalar_two_args(fn, t1, t2):
    name, base_fn, scalar_fn = fn
    assert_close(scalar_fn(t1, t2).data, base_fn(t1.data, t2.data))


@given(small_scalars)
@pytest.mark.parametrize("fn", one_arg, ids=ids(one_arg))
def test_scalar_one_derivative(fn, t1):
    name, _, scalar_fn = fn
    derivative_check(scalar_fn, t1)


@given(small_scalars, small_scalars)
@pytest.mark.parametrize("fn", two_arg, ids=ids(two_arg))
def test_scalar_two_derivative(fn, t1, t2):
    name, _, scalar_fn = fn
    derivative_check(scalar_fn, t1, t2)


# ## Tensors, as MiniTorch's test_tensor.py / test_tensor_general.py do it, on every backend
#
# Gradient checks on tensors cost a few seconds per test on the pure-Python backend, and
# tests/test_tensor_grad.py already runs the catalogue's gradients with broadcasting on every
# backend; here they run in MiniTorch's form with fewer examples.
TENSOR_GRAD = settings(max_examples=min(20, settings.default.max_examples))


def tensors(backend, shape=None):
    """Tensors of floats in [-100, 100], with permuted (non-contiguous) layouts."""
    return layout_tensors(backend, shape, small_floats)


@st.composite
def shaped_tensors(draw, backend, n):
    """``n`` tensors of one shape (MiniTorch's ``shaped_tensors``)."""
    shape = draw(shapes())
    return [draw(tensors(backend, shape)) for _ in range(n)]


@given(st.data())
@pytest.mark.parametrize("fn", one_arg, ids=ids(one_arg))
def test_tensor_one_args(backend, fn, data):
    t1 = data.draw(tensors(backend))
    name, base_fn, tensor_fn = fn
    t2 = tensor_fn(t1)
    assert t2.shape == t1.shape
    for ind in t2._tensor.indices():
        assert_close(t2[ind], base_fn(t1[ind]))


@given(st.data())
@pytest.mark.parametrize("fn", two_arg, ids=ids(two_arg))
def test_tensor_two_args(backend, fn, data):
    t1, t2 = data.draw(shaped_tensors(backend, 2))
    name, base_fn, tensor_fn = fn
    t3 = tensor_fn(t1, t2)
    for ind in t3._tensor.indices():
        assert_close(t3[ind], base_fn(t1[ind], t2[ind]))


@TENSOR_GRAD
@given(st.data())
@pytest.mark.parametrize("fn", one_arg, ids=ids(one_arg))
def test_tensor_one_derivative(backend, fn, data):
    t1 = data.draw(tensors(backend))
    name, _, tensor_fn = fn
    grad_check(tensor_fn, t1)


@TENSOR_GRAD
@given(st.data())
@pytest.mark.parametrize("fn", two_arg, ids=ids(two_arg))
def test_tensor_two_grad_broadcast(backend, fn, data):
    t1, t2 = data.draw(shaped_tensors(backend, 2))
    name, base_fn, tensor_fn = fn
    grad_check(tensor_fn, t1, t2)  # MiniTorch's test_two_grad
    # broadcast check: the first dim summed away on either side
    grad_check(tensor_fn, t1.sum(0), t2)
    grad_check(tensor_fn, t1, t2.sum(0))


@TENSOR_GRAD
@given(st.data())
@pytest.mark.parametrize("fn", red_arg, ids=ids(red_arg))
def test_tensor_reduce(backend, fn, data):
    t1 = data.draw(tensors(backend))
    name, _, tensor_fn = fn
    grad_check(tensor_fn, t1)


@given(st.data())
@pytest.mark.parametrize("fn", red_arg, ids=ids(red_arg))
def test_tensor_reduce_forward_on_a_vector(backend, fn, data):
    # on a 1-D tensor the dim-0 and full reductions agree with the float version on the list
    t1 = data.draw(tensors(backend, data.draw(shapes(1, 1, 5))))
    name, base_fn, tensor_fn = fn
    out = tensor_fn(t1)
    assert out.shape == (1,)
    assert_close(out[0], base_fn([t1[i] for i in range(t1.shape[0])]))
