"""Module 1: the engine (central differences, Context, topological sort, backpropagation, no_grad).

Graphs are built from Scalars, the engine's first user.
"""

import math
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import (
    Context,
    Scalar,
    backpropagate,
    backward_steps,
    central_difference,
    is_grad_enabled,
    no_grad,
    topological_sort,
)

small = st.floats(min_value=-100, max_value=100, allow_nan=False)


# ## Central differences


@given(small)
def test_central_difference_of_polynomials(x):
    assert central_difference(lambda v: v * v, x) == pytest.approx(2 * x, abs=1e-4)
    assert central_difference(lambda v: 3 * v + 1, x) == pytest.approx(3.0, abs=1e-4)


def test_central_difference_picks_the_argument():
    def f(a, b, c):
        return a * b + c * c * c

    assert central_difference(f, 2.0, 5.0, 1.0, arg=0) == pytest.approx(5.0, rel=1e-6)
    assert central_difference(f, 2.0, 5.0, 1.0, arg=1) == pytest.approx(2.0, rel=1e-6)
    assert central_difference(f, 2.0, 5.0, 1.0, arg=2) == pytest.approx(3.0, rel=1e-6)
    assert central_difference(math.exp, 0.0, epsilon=1e-3) == pytest.approx(1.0, rel=1e-6)


# ## Context


def test_context_keeps_saved_values():
    ctx = Context()
    ctx.save_for_backward(1.0, 2.0)
    assert ctx.saved_values == (1.0, 2.0)
    assert ctx.saved_tensors == (1.0, 2.0)


def test_context_without_grad_keeps_nothing():
    ctx = Context(no_grad=True)
    ctx.save_for_backward(1.0, 2.0)
    assert ctx.saved_values == ()


# ## Topological sort


def _diamond():
    """x feeds a and b, both feed out: out = (x * 2) * (x + 1)."""
    x = Scalar(3.0)
    a = x * 2
    b = x + 1
    out = a * b
    return x, a, b, out


def test_topological_sort_lists_each_node_once_after_its_users():
    x, a, b, out = _diamond()
    order = topological_sort(out)
    ids = [v.unique_id for v in order]
    assert sorted(ids) == sorted({out.unique_id, a.unique_id, b.unique_id, x.unique_id})
    assert order[0] is out
    position = {v.unique_id: i for i, v in enumerate(order)}
    for v in order:
        for parent in v.parents:
            if not parent.is_constant():
                assert position[v.unique_id] < position[parent.unique_id]


def test_topological_sort_skips_constants():
    x = Scalar(1.0)
    c = Scalar(4.0, back=None)
    out = x * c + 2.0
    ids = {v.unique_id for v in topological_sort(out)}
    assert x.unique_id in ids
    assert c.unique_id not in ids
    assert all(not v.is_constant() for v in topological_sort(out))
    assert topological_sort(c) == []


def test_topological_sort_can_list_the_constants_too():
    x = Scalar(1.0)
    c = Scalar(4.0, back=None)
    out = x * c
    order = topological_sort(out, constants=True)
    assert [v.unique_id for v in order] == [out.unique_id, c.unique_id, x.unique_id]
    assert [v.unique_id for v in topological_sort(c, constants=True)] == [c.unique_id]


# ## Backpropagation


def test_backward_steps_walk_the_engine_one_node_at_a_time():
    x, a, b, out = _diamond()
    steps = backward_steps(out, 1.0)
    first = next(steps)
    assert first.node is out and first.derivative == 1.0
    assert {p.unique_id: d for p, d in first.sent} == {a.unique_id: 4.0, b.unique_id: 6.0}  # b = 4, a = 6
    assert dict(first.pending) == {a.unique_id: 4.0, b.unique_id: 6.0}
    rest = list(steps)
    assert [s.node.unique_id for s in [first] + rest] == [v.unique_id for v in topological_sort(out)]
    assert rest[-1].node is x and rest[-1].derivative == 14.0 and rest[-1].sent == ()  # 4x + 2 at 3
    assert x.derivative is None  # the steps only look: backpropagate stores
    backpropagate(out, 1.0)
    assert x.derivative == 14.0



def test_shared_nodes_accumulate():
    x = Scalar(2.0)
    out = x * x + x * 3
    out.backward()
    assert x.derivative == 7.0  # 2x + 3 at 2


def test_diamond_derivative():
    x, a, b, out = _diamond()
    out.backward()
    # d/dx (2x)(x + 1) = 4x + 2 = 14 at x = 3; inner nodes store nothing.
    assert x.derivative == 14.0
    assert a.derivative is None and b.derivative is None


def test_many_paths_are_summed_not_walked_one_by_one():
    # y = x doubled 60 times by y + y: 2**60 paths from y to x. Walking paths would never
    # finish; summing per node in topological order is instant.
    x = Scalar(1.0)
    y = x
    for _ in range(60):
        y = y + y
    y.backward()
    assert x.derivative == 2.0**60


def test_constants_receive_nothing():
    x = Scalar(2.0)
    c = Scalar(5.0, back=None)
    (x * c).backward()
    assert x.derivative == 5.0
    assert c.derivative is None


def test_backpropagate_with_a_given_derivative():
    x = Scalar(3.0)
    backpropagate(x * x, 0.5)
    assert x.derivative == 3.0  # 0.5 * 2x


def test_backward_twice_accumulates_and_zero_grad_resets():
    x = Scalar(2.0)
    out = x * x
    out.backward()
    out.backward()
    assert x.derivative == 8.0
    x.zero_grad_()
    assert x.derivative is None
    out.backward()
    assert x.derivative == 4.0


def test_chain_of_20000_operations_needs_no_recursion():
    assert sys.getrecursionlimit() < 20_000  # otherwise the test would prove nothing
    x = Scalar(0.5)
    y = x
    for i in range(20_000):
        y = y * 1.0001 if i % 2 else y + 1.0
    y.backward()
    # Adding 1 has derivative 1, multiplying by 1.0001 has derivative 1.0001.
    assert x.derivative == pytest.approx(1.0001**10_000, rel=1e-9)


def test_leaf_derivative_is_seed_derivative():
    x = Scalar(3.0)
    x.backward(2.5)
    assert x.derivative == 2.5


# ## no_grad


def test_no_grad_records_no_history_and_restores():
    x = Scalar(2.0)
    assert is_grad_enabled()
    with no_grad():
        assert not is_grad_enabled()
        y = x * x
    assert is_grad_enabled()
    assert y.is_constant()
    assert y.data == 4.0
    z = x * x
    assert not z.is_constant()


def test_no_grad_restores_after_an_exception():
    with pytest.raises(ZeroDivisionError):
        with no_grad():
            1 / 0
    assert is_grad_enabled()


def test_no_grad_nests():
    with no_grad():
        with no_grad():
            pass
        assert not is_grad_enabled()
    assert is_grad_enabled()
