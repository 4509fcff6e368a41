"""Op pictures: every tensor Function has one, schematic and with real values that match numpy."""

import numpy as np
import pytest

import diagrams
from diagrams import ops_draw
from diagrams.ops_draw import OPS, draw_op
from diagrams.probe import cell_fill, cell_text

from autograd import tensor, tensor_functions


def texts(d, name, shape):
    return np.array([[float(cell_text(d, (name, i, j))) for j in range(shape[1])] for i in range(shape[0])])


def all_subclasses(cls):
    out, todo = [], [cls]
    while todo:
        c = todo.pop()
        for s in c.__subclasses__():
            out.append(s)
            todo.append(s)
    return out


def test_registry_covers_every_tensor_function():
    names = {c.__name__ for c in all_subclasses(tensor_functions.Function)
             if c.__module__ == tensor_functions.__name__ and not c.__name__.startswith("_")}
    assert {"Neg", "Add", "Mul", "Sum", "MatMul", "Permute", "View"} <= names  # the scan found them
    missing = names - set(OPS)
    assert not missing, f"no picture registered for {sorted(missing)}"


@pytest.mark.parametrize("backward", [False, True])
@pytest.mark.parametrize("op", sorted(OPS))
def test_every_op_draws_schematic(op, backward):
    d = draw_op(getattr(tensor_functions, op, op), backward=backward)
    s = diagrams.to_svg(d)
    assert "$" not in s
    # the backward pictures start from d_out, in papaya; the forward ones have none
    d_out = [n for n in ("d_out", "d_out_x", "d_out_a") if d.get_subdiagram((n, 0, 0)) is not None]
    if backward:
        assert d_out and "fill: #ff9700" in s
    else:
        assert not d_out


def test_draw_op_bad_input():
    with pytest.raises(ValueError, match="'Conv9d'.*registered: .*Add"):
        draw_op("Conv9d")
    with pytest.raises(TypeError, match="Function class or its name"):
        draw_op(42)


def test_map_backward_real_values_match_numpy():
    xv = np.array([[0.5, -1.0], [2.0, 0.0], [1.0, 3.0]])
    dv = np.array([[1.0, 2.0], [0.5, -1.0], [3.0, 0.0]])
    x = tensor(xv.tolist())
    d = draw_op("Sigmoid", x, backward=True, d_out=tensor(dv.tolist()))
    s = 1 / (1 + np.exp(-xv))
    np.testing.assert_allclose(texts(d, "local_x", (3, 2)), np.round(s * (1 - s), 2))
    np.testing.assert_allclose(texts(d, "grad_x", (3, 2)), np.round(s * (1 - s) * dv, 2), atol=1e-9)
    np.testing.assert_allclose(texts(d, "d_out", (3, 2)), dv)
    assert cell_fill(d, ("d_out", 0, 0)) == "#ff9700"
    assert x.grad is None and x.history is not None and x.history.last_fn is None  # caller's tensor untouched
    fwd = draw_op("Sigmoid", x)
    np.testing.assert_allclose(texts(fwd, "out", (3, 2)), np.round(s, 2))
    diagrams.to_svg(d)


def test_zip_backward_sums_a_broadcast_gradient():
    xv = np.array([[0.5, -1.0], [2.0, 0.0], [1.0, 3.0]])
    yv = np.array([[1.0], [2.0], [-1.0]])
    d = draw_op("Mul", tensor(xv.tolist()), tensor(yv.tolist()), backward=True)
    np.testing.assert_allclose(texts(d, "grad_y", (3, 1)), xv.sum(axis=1, keepdims=True))  # d_out = 1
    np.testing.assert_allclose(texts(d, "local_y", (3, 2)), xv)  # d(x*y)/dy = x, at every position
    np.testing.assert_allclose(texts(d, "grad_x", (3, 2)), np.broadcast_to(yv, (3, 2)))
    fwd = draw_op("Add", tensor(xv.tolist()), tensor(yv.tolist()))
    np.testing.assert_allclose(texts(fwd, "out", (3, 2)), xv + yv)
    with pytest.raises(ValueError, match=r"\(3, 2\) and \(3,\)"):
        ops_draw.zip_diagram((3, 2), (3,))
    with pytest.raises(TypeError, match="two tensors or two shapes"):
        ops_draw.zip_diagram(tensor(xv.tolist()), (3, 2), lambda a, b: a + b)


def test_reductions():
    xv = np.array([[0.5, -1.0, 4.0], [2.0, 0.0, 1.0]])
    x = tensor(xv.tolist())
    s = draw_op("Sum", x, dim=1)
    np.testing.assert_allclose(texts(s, "out", (2, 1)), xv.sum(axis=1, keepdims=True))
    sb = draw_op("Sum", x, dim=1, backward=True, d_out=tensor([[2.0], [-1.0]]))
    np.testing.assert_allclose(texts(sb, "grad_x", (2, 3)), [[2.0] * 3, [-1.0] * 3])
    mb = draw_op("Max", x, dim=0, backward=True)
    np.testing.assert_allclose(texts(mb, "grad_x", (2, 3)), (xv == xv.max(axis=0)).astype(float))
    with pytest.raises(ValueError, match=r"dim 2 does not exist in shape \(2, 3\)"):
        ops_draw.reduce_diagram(x, 2)


def test_permute_and_view_ops():
    xv = np.arange(6.0).reshape(2, 3)
    x = tensor(xv.tolist())
    p = draw_op("Permute", x, order=(1, 0))
    np.testing.assert_allclose(texts(p, "out", (3, 2)), xv.T)
    assert cell_fill(p, ("x", 0, 1)) == cell_fill(p, ("out", 1, 0))  # colour follows the number
    dv = np.arange(6.0).reshape(3, 2) + 10
    pb = draw_op("Permute", x, order=(1, 0), backward=True, d_out=tensor(dv.tolist()))
    np.testing.assert_allclose(texts(pb, "grad_x", (2, 3)), dv.T)
    v = draw_op("View", x, shape=(3, 2))
    np.testing.assert_allclose(texts(v, "out", (3, 2)), xv.reshape(3, 2))
    with pytest.raises(ValueError, match="not a permutation"):
        ops_draw.permute_op_diagram((2, 3), (0, 0))
    with pytest.raises(ValueError, match=r"cannot view shape \(2, 3\) as \(4, 2\)"):
        ops_draw.view_op_diagram((2, 3), (4, 2))


def test_matmul_values_and_gradients():
    av = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    bv = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, -1.0]])
    a, b = tensor(av.tolist()), tensor(bv.tolist())
    f = draw_op("MatMul", a, b)
    np.testing.assert_allclose(texts(f, "out", (2, 2)), av @ bv)
    dv = np.array([[1.0, 2.0], [0.0, -1.0]])
    g = draw_op("MatMul", a, b, backward=True, d_out=tensor(dv.tolist()))
    np.testing.assert_allclose(texts(g, "grad_a", (2, 3)), dv @ bv.T)
    np.testing.assert_allclose(texts(g, "grad_b", (3, 2)), av.T @ dv)
    diagrams.to_svg(g)
    with pytest.raises(ValueError, match=r"\(2, 3\) and \(2, 2\)"):
        ops_draw.matmul_diagram((2, 3), (2, 2))


def test_shape_inputs_and_errors():
    d = ops_draw.map_diagram((2, 4))
    assert d.get_subdiagram(("out", 1, 3)) is not None
    with pytest.raises(ValueError, match="fn="):
        ops_draw.map_diagram(tensor([1.0, 2.0]))
    with pytest.raises(ValueError, match=r"\(0, 2\)"):
        ops_draw.map_diagram((0, 2))
    with pytest.raises(TypeError, match="shape tuple or an autograd Tensor"):
        ops_draw.map_diagram("x")
    diagrams.to_svg(ops_draw.broadcast_op_diagram(backward=True))
