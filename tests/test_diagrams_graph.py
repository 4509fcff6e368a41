"""Computation graphs and step-by-step backprop pictures of Scalar and Tensor expressions."""

import pytest

import diagrams
from diagrams.autodiff_draw import backprop_step, backprop_steps, graph_diagram
from diagrams.probe import cell_fill, cell_text
from diagrams.drawing import papaya
from autograd import Scalar, tensor


def count(d, kind):
    """How many variables (kind "var") or Functions ("fn": named after the variable they make)."""
    n = 0
    while d.get_subdiagram(("var", n)) is not None:
        n += 1
    return n if kind == "var" else sum(d.get_subdiagram((kind, k)) is not None for k in range(n))


def badges(d):
    return sorted(cell_text(d, ("d", k)) for k in range(count(d, "var")) if d.get_subdiagram(("d", k)))


def expression():
    x, y = Scalar(2.0, name="x"), Scalar(-3.0, name="y")
    return x, y, (x * y + x) * 0.5


def test_scalar_graph_nodes_and_edges():
    x, y, out = expression()
    d = graph_diagram(out)
    # x, y, x*y, x*y + x, the constant 0.5 and the output; three Functions (*, +, *)
    assert count(d, "var") == 6 and count(d, "fn") == 3
    values = sorted(cell_text(d, ("var", k)) for k in range(6))
    # a variable's first line: its name if the user gave one, else its value
    assert values == sorted(["$x$", "$y$", "-6.00", "-4.00", "0.50", "-2.00"])
    assert badges(d) == []  # no backward yet
    s = diagrams.to_svg(d)
    assert "$" not in s


def test_graph_shows_leaf_derivatives_after_backward():
    x, y, out = expression()
    out.backward()
    d = graph_diagram(out)
    assert badges(d) == sorted([f"{x.derivative:.2f}", f"{y.derivative:.2f}"])
    assert x.derivative == pytest.approx((-3.0 + 1) * 0.5)


def test_unnamed_variables_do_not_depend_on_ids():
    def picture():
        a, b = Scalar(1.5), Scalar(2.0)
        return diagrams.to_svg(graph_diagram((a * b).relu()))

    first = picture()
    [Scalar(0.0) for _ in range(50)]  # move the id counter on
    assert picture() == first


def test_backprop_steps_reach_the_backward_result():
    x, y, out = expression()
    steps = backprop_steps(out)
    n = len(steps) - 1
    assert n == 5  # out, x*y + x, x*y, then the leaves x and y (the constant takes no step)
    start = steps[0]
    assert badges(start) == ["1.00"]  # only d_out on the output
    assert x.derivative is None  # drawing never accumulates
    x2, y2, out2 = expression()
    out2.backward()
    assert sorted(badges(steps[-1])) == sorted(
        ["1.00", "0.50", "0.50", f"{x2.derivative:.2f}", f"{y2.derivative:.2f}"])
    for d in (steps[0], steps[2], steps[-1]):
        diagrams.to_svg(d)


def test_backprop_step_bad_k():
    _, _, out = expression()
    with pytest.raises(ValueError, match="from 0 to 5.*got 6"):
        backprop_step(out, 6)
    with pytest.raises(ValueError, match="got -1"):
        backprop_step(out, -1)
    with pytest.raises(ValueError, match="constant"):
        backprop_step(Scalar(1.0, back=None), 0)
    with pytest.raises(TypeError, match="Scalar or Tensor"):
        graph_diagram(3.0)


def test_tensor_graph_and_steps():
    a = tensor([1.0, 2.0, 3.0])
    b = tensor([[1.0, 0.0, 2.0]])
    out = (a * b).sum()
    d = graph_diagram(out)
    assert count(d, "fn") >= 2
    diagrams.to_svg(d)
    last = backprop_steps(out)[-1]
    # find a's node by its values, then read its derivative grid: d sum(a * b) / da = b
    k_a = next(k for k in range(count(last, "var"))
               if last.get_subdiagram((f"var{k}", 2)) is not None
               and [cell_text(last, (f"var{k}", i)) for i in range(3)] == ["1.00", "2.00", "3.00"])
    assert [cell_text(last, (f"d{k_a}", i)) for i in range(3)] == ["1.00", "0.00", "2.00"]
    assert a.grad is None  # drawing did not backpropagate for real
    diagrams.to_svg(last)


def test_graph_keeps_papaya_for_derivatives():
    # the course's colour code: papaya marks a derivative, so values sit in white cells
    a = tensor([1.0, 2.0], requires_grad=True)
    out = (a * a).sum()
    out.backward()
    d = graph_diagram(out)
    leaf = next(k for k in range(count(d, "var")) if d.get_subdiagram((f"d{k}", 0)) is not None)
    assert cell_fill(d, (f"var{leaf}", 0)) == "#ffffff"
    assert cell_fill(d, (f"d{leaf}", 0)) == papaya.hex_l
    assert [cell_text(d, (f"d{leaf}", i)) for i in range(2)] == ["2.00", "4.00"]


def test_deep_graph_is_walked_without_recursion():
    # Drawing 2000 nodes would take minutes, so this checks the walk over the graph (the part
    # that could hit Python's recursion limit) on its own.
    from diagrams.autodiff_draw import _collect

    x = Scalar(0.5, name="x")
    y = x
    for _ in range(2000):
        y = y * 1.0
    order, edges = _collect(y)
    assert len(order) == 4001 and order[-1] is y  # x, 2000 constants, 2000 products
    assert order[0] is x and edges[len(order) - 1] == [len(order) - 3, len(order) - 2]
