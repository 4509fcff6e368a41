"""TensorData and the index arithmetic: positions, strides, broadcasting rules, printing."""

from __future__ import annotations

import itertools

import numba
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import broadcast_shapes, shapes, tensor_data

from autograd import (
    IndexingError,
    TensorData,
    broadcast_index,
    index_to_position,
    shape_broadcast,
    strides_from_shape,
    to_index,
)


def ints(*values: int) -> np.ndarray:
    return np.array(values, dtype=np.int32)


# ## Free functions


def test_index_to_position_is_the_dot_product_with_strides() -> None:
    assert index_to_position(ints(1, 2), ints(3, 1)) == 5
    assert index_to_position(ints(1, 0, 2), ints(12, 4, 1)) == 14
    assert index_to_position(ints(1, 2), ints(1, 2)) == 5  # a transposed (2, 3): column-major


def test_to_index_counts_in_row_major_order() -> None:
    out = np.zeros(2, dtype=np.int32)
    to_index(4, ints(2, 3), out)
    assert tuple(out) == (1, 1)
    out3 = np.zeros(3, dtype=np.int32)
    to_index(23, ints(2, 3, 4), out3)
    assert tuple(out3) == (1, 2, 3)


@given(shapes())
def test_to_index_enumerates_every_index_once_in_row_major_order(shape) -> None:
    out = np.zeros(len(shape), dtype=np.int32)
    seen = []
    for ordinal in range(int(np.prod(shape))):
        to_index(ordinal, np.array(shape, dtype=np.int32), out)
        seen.append(tuple(int(i) for i in out))
    assert seen == list(itertools.product(*(range(s) for s in shape)))
    # and with contiguous strides, the position of the ordinal-th index is the ordinal
    strides = np.array(strides_from_shape(shape), dtype=np.int32)
    assert [index_to_position(np.array(i, dtype=np.int32), strides) for i in seen] == list(range(len(seen)))


def test_broadcast_index_drops_leading_dims_and_zeroes_size_one_dims() -> None:
    out = np.zeros(2, dtype=np.int32)
    broadcast_index(ints(1, 2, 3), ints(2, 3, 4), ints(3, 1), out)
    assert tuple(out) == (2, 0)
    out1 = np.zeros(1, dtype=np.int32)
    broadcast_index(ints(1, 2), ints(2, 3), ints(1), out1)
    assert tuple(out1) == (0,)


@given(broadcast_shapes(), st.data())
def test_broadcast_index_reads_what_numpy_broadcasting_reads(pair, data) -> None:
    small, _ = pair
    big = shape_broadcast(*pair)
    values = np.arange(int(np.prod(small)), dtype=np.float64).reshape(small)
    expanded = np.broadcast_to(values, big)
    big_index = tuple(data.draw(st.integers(0, s - 1)) for s in big)
    out = np.zeros(len(small), dtype=np.int32)
    broadcast_index(ints(*big_index), ints(*big), ints(*small), out)
    assert values[tuple(out)] == expanded[big_index]


def test_shape_broadcast_examples() -> None:
    assert shape_broadcast((2, 3, 1), (4,)) == (2, 3, 4)
    assert shape_broadcast((1,), (5, 5)) == (5, 5)
    assert shape_broadcast((5, 5), (1,)) == (5, 5)
    assert shape_broadcast((2, 1, 5), (3, 1)) == (2, 3, 5)
    assert shape_broadcast((3,), (3,)) == (3,)


@given(broadcast_shapes())
def test_shape_broadcast_agrees_with_numpy(pair) -> None:
    assert shape_broadcast(*pair) == np.broadcast_shapes(*pair)
    assert shape_broadcast(*pair) == shape_broadcast(*reversed(pair))


def test_strides_from_shape_are_row_major() -> None:
    assert strides_from_shape((2, 3, 4)) == (12, 4, 1)
    assert strides_from_shape((5,)) == (1,)
    assert strides_from_shape((3, 1, 2)) == (2, 2, 1)


@given(shapes())
def test_strides_from_shape_agree_with_numpy(shape) -> None:
    assert strides_from_shape(shape) == tuple(s // 8 for s in np.zeros(shape).strides)


def test_index_functions_compile_with_numba_and_agree_with_python() -> None:
    # The numba backend compiles these very functions; a change that numba cannot type
    # must fail here, with the function's name, rather than deep inside a kernel.
    index_to_position_c = numba.njit(index_to_position)
    to_index_c = numba.njit(to_index)
    broadcast_index_c = numba.njit(broadcast_index)
    assert index_to_position_c(ints(1, 2), ints(3, 1)) == 5
    shape = ints(2, 3, 4)
    a, b = np.zeros(3, np.int32), np.zeros(3, np.int32)
    for ordinal in range(24):
        to_index_c(ordinal, shape, a)
        to_index(ordinal, shape, b)
        assert tuple(a) == tuple(b)
    small_a, small_b = np.zeros(2, np.int32), np.zeros(2, np.int32)
    broadcast_index_c(ints(1, 2, 3), shape, ints(3, 1), small_a)
    broadcast_index(ints(1, 2, 3), shape, ints(3, 1), small_b)
    assert tuple(small_a) == tuple(small_b) == (2, 0)


# ## TensorData


def test_layout_attributes() -> None:
    td = TensorData(list(range(24)), (2, 3, 4))
    assert td.shape == (2, 3, 4)
    assert td.strides == (12, 4, 1)
    assert td.size == 24
    assert td.dims == 3
    storage, shape, strides = td.tuple()
    assert storage.dtype == np.float64 and storage.ndim == 1
    assert shape.dtype == np.int32 and tuple(shape) == (2, 3, 4)
    assert strides.dtype == np.int32 and tuple(strides) == (12, 4, 1)


def test_get_set_and_negative_indexes() -> None:
    td = TensorData(list(range(6)), (2, 3))
    assert td.get((1, 2)) == 5.0
    assert isinstance(td.get((1, 2)), float)
    assert td.get((-1, -1)) == 5.0
    assert td.get((0, -3)) == 0.0
    td.set((0, 1), 10.0)
    assert td.get((0, 1)) == 10.0
    assert td.index((1, 0)) == 3
    one_d = TensorData([4.0, 5.0], (2,))
    assert one_d.get(1) == 5.0


def test_permute_is_a_view_with_shuffled_strides() -> None:
    td = TensorData(list(range(6)), (2, 3))
    t = td.permute(1, 0)
    assert t.shape == (3, 2)
    assert t.strides == (1, 3)
    assert t._storage is td._storage
    assert [t.get((j, i)) for i in range(2) for j in range(3)] == [float(v) for v in range(6)]
    t.set((2, 1), 99.0)  # the same storage: the original sees the write
    assert td.get((1, 2)) == 99.0


def test_is_contiguous() -> None:
    td = TensorData(list(range(6)), (2, 3))
    assert td.is_contiguous()
    assert not td.permute(1, 0).is_contiguous()
    # Strides of size-1 dimensions never matter: this permuted view is still row-major.
    assert TensorData([1.0, 2.0, 3.0], (1, 3)).permute(1, 0).is_contiguous()


@given(tensor_data())
def test_indices_and_get_follow_the_strides(td) -> None:
    indices = list(td.indices())
    assert indices == list(itertools.product(*(range(s) for s in td.shape)))
    positions = sorted(td.index(i) for i in indices)
    assert positions == list(range(td.size))  # each storage slot is used exactly once
    for index in indices:
        expected_position = sum(i * s for i, s in zip(index, td.strides))
        assert td.get(index) == td._storage[expected_position]


@given(tensor_data())
def test_sample_gives_a_valid_index(td) -> None:
    index = td.sample()
    assert len(index) == td.dims
    assert all(0 <= i < s for i, s in zip(index, td.shape))


def test_to_string_formats() -> None:
    assert TensorData([1.0, 1.0, 1.0], (3,)).to_string() == "[1.00 1.00 1.00]"
    assert TensorData([1.0, 2.0, 3.0, -4.5], (2, 2)).to_string() == "[[1.00 2.00]\n [3.00 -4.50]]"
    three = TensorData(list(range(8)), (2, 2, 2)).to_string()
    assert three == "[[[0.00 1.00]\n  [2.00 3.00]]\n [[4.00 5.00]\n  [6.00 7.00]]]"
    # a permuted view prints its own (transposed) order
    assert TensorData(list(range(4)), (2, 2)).permute(1, 0).to_string() == "[[0.00 2.00]\n [1.00 3.00]]"


def test_index_errors_name_the_index_and_the_shape() -> None:
    td = TensorData(list(range(6)), (2, 3))
    with pytest.raises(IndexingError, match=r"\(0, 3\).*\(2, 3\)"):
        td.index((0, 3))
    with pytest.raises(IndexingError, match=r"\(1,\).*\(2, 3\)"):
        td.index((1,))
    with pytest.raises(IndexingError, match=r"\(-3, 0\).*\(2, 3\)"):
        td.index((-3, 0))
    with pytest.raises(TypeError, match="integers"):
        td.index((0.5, 1))


def test_permute_errors_name_the_order_and_the_shape() -> None:
    td = TensorData(list(range(6)), (2, 3))
    with pytest.raises(IndexingError, match=r"\(0, 0\).*\(2, 3\)"):
        td.permute(0, 0)
    with pytest.raises(IndexingError, match=r"\(1,\).*\(2, 3\)"):
        td.permute(1)
    with pytest.raises(IndexingError, match=r"\(0, 2\)"):
        td.permute(0, 2)


def test_shapes_that_do_not_fit_the_storage_are_refused() -> None:
    with pytest.raises(IndexingError, match=r"\(2, 3\).*5"):
        TensorData([1.0] * 5, (2, 3))
    with pytest.raises(IndexingError, match="one stride per dimension"):
        TensorData([1.0] * 6, (2, 3), (1,))


def test_shape_broadcast_error_names_both_shapes() -> None:
    with pytest.raises(IndexingError) as info:
        shape_broadcast((2, 3), (4,))
    message = str(info.value)
    assert "(2, 3)" in message and "(4,)" in message
    assert "size of tensor a (3) must match the size of tensor b (4)" in message


def test_index_refuses_negative_entries_as_minitorch_while_get_and_set_accept_them() -> None:
    # MiniTorch's own test_index expects IndexingError for an index with a -1 entry.
    td = TensorData(list(range(6)), (2, 3))
    with pytest.raises(IndexingError, match=r"\(-1, 0\).*negative.*\(2, 3\)"):
        td.index((-1, 0))
    assert td.get((-1, 0)) == 3.0
    td.set((0, -1), 7.0)
    assert td.get((0, 2)) == 7.0
