"""Hypothesis strategies for tensors: small shapes, permuted layouts, broadcast and matmul pairs.

Sizes stay small (1-4 dimensions of size 1-3, at most 81 numbers) so the pure-Python backend
runs hundreds of examples in seconds, while every layout question (size-1 dimensions,
permuted strides, dropped leading dimensions) still comes up.
"""

from __future__ import annotations

from typing import Optional, Tuple

import numpy as np
from hypothesis import strategies as st

from autograd import Tensor, TensorBackend, TensorData

Shape = Tuple[int, ...]


def shapes(min_dims: int = 1, max_dims: int = 4, max_size: int = 3) -> st.SearchStrategy[Shape]:
    """Shapes with ``min_dims``..``max_dims`` dimensions, each of size 1..``max_size``."""
    return st.lists(st.integers(1, max_size), min_size=min_dims, max_size=max_dims).map(tuple)


def floats(low: float = -100.0, high: float = 100.0) -> st.SearchStrategy[float]:
    """Finite floats in [low, high]."""
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


@st.composite
def tensor_data(
    draw: st.DrawFn,
    shape: Optional[Shape] = None,
    values: Optional[st.SearchStrategy[float]] = None,
    permute: bool = True,
    unique: bool = False,
) -> TensorData:
    """TensorData of ``shape`` (drawn if None) whose strides are a random permutation.

    The numbers are laid out contiguously for some shape B and then viewed through
    ``permute(order)``, so the result has the wanted shape but, for most orders, strides
    that are not row-major: kernels must follow the strides, not assume a layout.
    ``unique=True`` draws no value twice.
    """
    shape = draw(shapes()) if shape is None else tuple(shape)
    values = floats() if values is None else values
    size = int(np.prod(shape))
    data = draw(st.lists(values, min_size=size, max_size=size, unique=unique))
    order = list(range(len(shape)))
    if permute:
        order = draw(st.permutations(order))
        if draw(st.booleans()):
            order.reverse()  # hypothesis favours the identity; half the time, flip it
    base = [0] * len(shape)
    for new_dim, old_dim in enumerate(order):
        base[old_dim] = shape[new_dim]  # after permute(order), new dim i is base dim order[i]
    out = TensorData(data, tuple(base)).permute(*order)
    assert out.shape == shape  # a broken strategy, not a library failure
    return out


@st.composite
def tensors(
    draw: st.DrawFn,
    backend: TensorBackend,
    shape: Optional[Shape] = None,
    values: Optional[st.SearchStrategy[float]] = None,
    permute: bool = True,
    requires_grad: bool = True,
    unique: bool = False,
) -> Tensor:
    """A Tensor on ``backend`` (see ``tensor_data`` for the layout and ``unique``)."""
    t = Tensor(draw(tensor_data(shape, values, permute, unique)), backend=backend)
    return t.requires_grad_(requires_grad)


@st.composite
def broadcast_shapes(draw: st.DrawFn) -> Tuple[Shape, Shape]:
    """Two shapes that broadcast together, derived from one full shape.

    Each one keeps a random number of trailing dimensions (dropping leading ones) and
    replaces random sizes by 1: (2, 3, 2) can give (3, 1) and (2, 1, 2).
    """
    full = draw(shapes())

    def derive() -> Shape:
        kept = list(full[draw(st.integers(0, len(full) - 1)) :])
        ones = draw(st.lists(st.booleans(), min_size=len(kept), max_size=len(kept)))
        return tuple(1 if one else size for size, one in zip(kept, ones))

    return derive(), derive()


@st.composite
def matmul_shapes(draw: st.DrawFn) -> Tuple[Shape, Shape]:
    """Shapes a, b with a @ b defined: (n, m) @ (m, p), or batched with batch D or 1 on
    either side ((D, n, m) @ (1, m, p), (n, m) @ (D, m, p), ...)."""
    n, m, p, batch = (draw(st.integers(1, 3)) for _ in range(4))

    def lead() -> Tuple[int, ...]:
        return draw(st.sampled_from([(), (1,), (batch,)]))

    return lead() + (n, m), lead() + (m, p)


def as_numpy(t: Tensor) -> np.ndarray:
    """The tensor's values as an array, read one index at a time through ``t[index]``.

    Independent of ``Tensor.to_numpy``: tests use it as the reference reading of a tensor.
    """
    out = np.zeros(t.shape)
    for index in np.ndindex(*t.shape):
        out[index] = t[index]
    return out


def tensor_from(array: np.ndarray, backend: TensorBackend, requires_grad: bool = True) -> Tensor:
    """A contiguous Tensor holding ``array`` (built from the flat values, not from_numpy)."""
    array = np.asarray(array, dtype=np.float64)
    t = Tensor.make(array.reshape(-1).copy(), array.shape, backend=backend)
    return t.requires_grad_(requires_grad)


def hundredths(low: float = -100.0, high: float = 100.0) -> st.SearchStrategy[float]:
    """Multiples of 0.01 in [low, high]: with ``unique=True``, values at least 0.01 apart."""
    return st.integers(round(low * 100), round(high * 100)).map(lambda i: i / 100)


@st.composite
def index_keys(draw: st.DrawFn, shape: Shape) -> Tuple[object, ...]:
    """A tensor index for ``shape`` as numpy reads it: per dimension an int (negative too) or a
    slice with any start, a stop that may run past the end and a step of 1 to 3; sometimes
    fewer entries than dimensions, or a ``...`` standing for some of them."""
    entries: list = []
    for size in shape:
        if draw(st.booleans()):
            entries.append(draw(st.integers(-size, size - 1)))
        else:
            start = draw(st.none() | st.integers(-size - 2, size))
            stop = draw(st.none() | st.integers(-size - 2, size + 2))
            step = draw(st.none() | st.integers(1, 3))
            entries.append(slice(start, stop, step))
    if draw(st.booleans()):  # a run of dimensions i..j-1 written as ...
        i = draw(st.integers(0, len(entries)))
        j = draw(st.integers(i, len(entries)))
        return tuple(entries[:i]) + (Ellipsis,) + tuple(entries[j:])
    return tuple(entries[: draw(st.integers(0, len(entries)))])  # the last dimensions left out
