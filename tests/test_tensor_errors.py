"""Bad input gets a clear error that says what was wrong; never an AssertionError or KeyError.

Each test checks the error's type and that its message names the shapes, index or value
involved.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograd import IndexingError, Tensor, TensorBackend, rand, tensor
from autograd.tensor_ops import SimpleOps


def test_shapes_that_do_not_broadcast(backend) -> None:
    a = tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], backend=backend)
    b = tensor([1.0, 2.0], backend=backend)
    for op in (lambda: a + b, lambda: a * b, lambda: a < b, lambda: a == b, lambda: a - b, lambda: a / b):
        with pytest.raises(IndexingError) as info:
            op()
        assert "(2, 3)" in str(info.value) and "(2,)" in str(info.value)
        assert "size of tensor a (3) must match the size of tensor b (2)" in str(info.value)


def test_matmul_inner_dimension_mismatch(backend) -> None:
    a = rand((2, 3), backend=backend, seed=0)
    b = rand((4, 5), backend=backend, seed=1)
    with pytest.raises(IndexingError, match=r"\(2, 3\) and \(4, 5\).*inner dimensions 3.*4"):
        a @ b


def test_matmul_batch_mismatch_and_wrong_dims(backend) -> None:
    with pytest.raises(IndexingError, match=r"\(2, 2, 3\) and \(3, 3, 2\).*batch"):
        rand((2, 2, 3), backend=backend) @ rand((3, 3, 2), backend=backend)
    with pytest.raises(IndexingError, match=r"2-D or 3-D.*\(3,\) and \(3, 2\)"):
        rand(3, backend=backend) @ rand((3, 2), backend=backend)
    with pytest.raises(TypeError):
        rand((2, 2), backend=backend) @ 2.0


def test_index_out_of_range(backend) -> None:
    t = tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], backend=backend)
    with pytest.raises(IndexingError, match=r"index \(2, 0\) is out of range for shape \(2, 3\)"):
        t[2, 0]
    with pytest.raises(IndexingError, match=r"\(0, -4\).*\(2, 3\)"):
        t[0, -4] = 1.0


def test_index_with_the_wrong_number_of_dims(backend) -> None:
    t = tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], backend=backend)
    assert t[1].tolist() == [4.0, 5.0, 6.0]  # fewer ints than dims: a view (issue 9), not an error
    assert t[0:1, 0].tolist() == [1.0]
    with pytest.raises(IndexingError, match=r"\(0, 0, 0\).*\(2, 3\)"):
        t[0, 0, 0]
    with pytest.raises(IndexingError, match=r"has 1 entries but the tensor has shape \(2, 3\)"):
        t._tensor.get((1,))  # TensorData still takes only full indices


def test_view_to_the_wrong_size(backend) -> None:
    t = tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], backend=backend)
    with pytest.raises(IndexingError, match=r"\(2, 3\) \(6 elements\) as shape \(4,\) \(4 elements\)"):
        t.view(4)
    with pytest.raises(IndexingError, match=r"\(2, 3\).*\(4, -1\)"):
        t.view(4, -1)


def test_view_of_a_non_contiguous_tensor_says_to_call_contiguous(backend) -> None:
    t = tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], backend=backend)
    with pytest.raises(IndexingError, match=r"contiguous.*call \.contiguous\(\) first"):
        t.permute(1, 0).view(6)
    assert t.permute(1, 0).contiguous().view(6).shape == (6,)


def test_permute_with_a_repeated_or_missing_dim(backend) -> None:
    t = rand((2, 3, 4), backend=backend)
    with pytest.raises(IndexingError, match=r"permute\(0, 0, 1\).*\(2, 3, 4\)"):
        t.permute(0, 0, 1)
    with pytest.raises(IndexingError, match=r"permute\(1, 0\).*\(2, 3, 4\)"):
        t.permute(1, 0)
    with pytest.raises(IndexingError, match=r"permute\(0, 1, 3\)"):
        t.permute(0, 1, 3)


@pytest.mark.parametrize("method", ["sum", "mean", "max", "all"])
def test_reduction_over_a_dim_that_does_not_exist(backend, method) -> None:
    t = rand((2, 3), backend=backend)
    with pytest.raises(IndexingError, match=r"dimension 2 does not exist in a tensor of shape \(2, 3\)"):
        getattr(t, method)(2)
    with pytest.raises(IndexingError, match=r"dimension -3 does not exist"):
        getattr(t, method)(-3)
    with pytest.raises(TypeError, match="dimension must be an int"):
        getattr(t, method)(0.5)


def test_backward_of_many_elements_needs_grad_output(backend) -> None:
    t = tensor([1.0, 2.0, 3.0], backend=backend)
    with pytest.raises(RuntimeError, match=r"one-element tensor.*shape \(3,\).*\.sum\(\)"):
        (t * 2).backward()
    with pytest.raises(IndexingError, match=r"\(2,\).*\(3,\)"):
        (t * 2).backward(tensor([1.0, 1.0], backend=backend))


def test_backward_of_a_constant(backend) -> None:
    t = tensor([1.0], backend=backend, requires_grad=False)
    with pytest.raises(RuntimeError, match="does not require grad"):
        (t * 2).backward()


def test_item_of_many_elements(backend) -> None:
    with pytest.raises(ValueError, match=r"one element.*\(2,\)"):
        tensor([1.0, 2.0], backend=backend).item()


def test_mixing_backends_names_both() -> None:
    class OtherOps(SimpleOps):
        pass

    other = TensorBackend(OtherOps)
    a = tensor([1.0, 2.0])
    b = tensor([1.0, 2.0], backend=other)
    with pytest.raises(TypeError, match="SimpleBackend and OtherBackend"):
        a + b
    with pytest.raises(TypeError, match="OtherBackend and SimpleBackend"):
        b * a


def test_an_ops_class_is_not_a_backend() -> None:
    with pytest.raises(TypeError, match=r"TensorBackend\(SimpleOps\)"):
        tensor([1.0], backend=SimpleOps)


@pytest.mark.parametrize(
    "array",
    [np.array([1 + 2j]), np.array(["a", "b"]), np.array([object()], dtype=object)],
    ids=["complex", "str", "object"],
)
def test_from_numpy_of_an_unsupported_dtype(backend, array) -> None:
    with pytest.raises(TypeError, match=f"unsupported dtype {array.dtype}"):
        Tensor.from_numpy(array, backend=backend)


def test_tensor_of_ragged_or_non_numeric_lists(backend) -> None:
    with pytest.raises(ValueError, match=r"ragged.*\[1\] has length 2.*length 3"):
        tensor([[1, 2, 3], [4, 5]], backend=backend)
    with pytest.raises(ValueError, match=r"ragged.*\[1\] has the number 3"):
        tensor([[1, 2], 3], backend=backend)
    with pytest.raises(ValueError, match=r"ragged.*\[0\]\[1\] is a list"):
        tensor([[1, [2]], [3, 4]], backend=backend)
    with pytest.raises(TypeError, match=r"\[1\]\[0\] is 'x' \(str\)"):
        tensor([[1, 2], ["x", 4]], backend=backend)
    with pytest.raises(TypeError, match=r"is None \(NoneType\)"):
        tensor([None], backend=backend)


def test_operators_refuse_other_types(backend) -> None:
    t = tensor([1.0], backend=backend)
    with pytest.raises(TypeError):
        t + "1"
    with pytest.raises(TypeError):
        [1.0] * t
    with pytest.raises(TypeError, match="expected a Tensor or a number"):
        t.is_close("x")


def test_numpy_arrays_in_operators_say_to_convert_them(backend) -> None:
    t = tensor([1.0, 2.0], backend=backend)
    array = np.array([1.0, 2.0])
    for op in (lambda: t + array, lambda: array + t, lambda: array * t, lambda: t < array, lambda: t @ array):
        with pytest.raises(TypeError, match=r"numpy array of shape \(2,\).*Tensor.from_numpy"):
            op()


@pytest.mark.parametrize(
    "shape, error", [("ab", TypeError), (None, TypeError), ((2.0, 3), TypeError), ((-1, 2), IndexingError)]
)
def test_constructors_name_a_bad_shape(backend, shape, error) -> None:
    from autograd import ones, zeros

    for make in (rand, zeros, ones):
        with pytest.raises(error, match="shape"):
            make(shape, backend=backend)


def test_backend_map_into_an_out_it_cannot_fill_and_reduce_over_a_missing_dim(backend) -> None:
    # The low-level backend calls, on every backend: the pure-Python one once wrote a
    # (2, 2) map into a (2,) out without complaint (silently wrong numbers).
    a = tensor([[1.0, 2.0], [3.0, 4.0]], backend=backend)
    with pytest.raises(IndexingError, match=r"\(2, 2\).*\(2,\)"):
        a.f.neg_map(a, a.zeros((2,)))
    with pytest.raises(IndexingError, match=r"dimension 2.*\(2, 2\)"):
        a.f.add_reduce(a, 2)
    with pytest.raises(TypeError, match="dimension must be an int"):
        a.f.add_reduce(a, 0.0)
    assert a.f.add_reduce(a, -1).to_numpy().tolist() == [[3.0], [7.0]]
