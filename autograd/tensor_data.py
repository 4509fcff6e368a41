"""Module 2: how a tensor's numbers are laid out in memory.

A tensor is a flat *storage* (a 1-D float64 numpy array) plus a *shape* and *strides*.
The number at multi-index ``(i, j, k)`` lives at storage position
``i * strides[0] + j * strides[1] + k * strides[2]``. Changing only the shape and strides
(never the storage) gives views such as ``permute`` for free.

The free functions below are the index arithmetic every backend uses. They are written
as plain loops over numpy int arrays, with no Python objects and no exceptions inside, so
that the numba backend can compile these very functions (``njit(inline="always")``)
instead of keeping a second copy. Checking is done once, outside, in Python.

Names used for types (MiniTorch's):

- ``Storage``: 1-D float64 array; ``Index``, ``Shape``, ``Strides``: 1-D int32 arrays;
- ``UserIndex``, ``UserShape``, ``UserStrides``: tuples of Python ints.
"""

from __future__ import annotations

import random
from typing import Iterable, Iterator, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

Storage = npt.NDArray[np.float64]
OutIndex = npt.NDArray[np.int32]
Index = npt.NDArray[np.int32]
Shape = npt.NDArray[np.int32]
Strides = npt.NDArray[np.int32]

UserIndex = Sequence[int]
UserShape = Sequence[int]
UserStrides = Sequence[int]


class IndexingError(RuntimeError):
    """A bad index, a bad permutation, or shapes that do not fit together.

    The message always names the index and the shape, or both shapes, involved.
    """


# ## Task 2.1: index arithmetic (numba-compilable: loops over int arrays only)


def index_to_position(index: Index, strides: Strides) -> int:
    """Storage position of a multi-index: the dot product of ``index`` and ``strides``.

    Example: index (1, 2) with strides (3, 1) is position 1*3 + 2*1 = 5.
    """
    ### BEGIN SOLUTION task-2.1
    position = 0
    for i in range(len(index)):
        position += index[i] * strides[i]
    return position
    ### END SOLUTION


def to_index(ordinal: int, shape: Shape, out_index: OutIndex) -> None:
    """Write into ``out_index`` the multi-index of the ``ordinal``-th element of ``shape``.

    Elements are counted in row-major order (the last dimension changes fastest), so for
    shape (2, 3) ordinal 4 is index (1, 1). Works for every ``ordinal < prod(shape)``
    whatever the strides are: it is the bridge from "loop over 0..size-1" to an index.
    """
    ### BEGIN SOLUTION task-2.1
    rest = ordinal + 0  # a local copy (numba: never write to an argument)
    for i in range(len(shape) - 1, -1, -1):
        out_index[i] = rest % shape[i]
        rest = rest // shape[i]
    ### END SOLUTION


def broadcast_index(big_index: Index, big_shape: Shape, shape: Shape, out_index: OutIndex) -> None:
    """Map an index of the broadcast (big) shape to the index of the smaller ``shape``.

    Broadcasting lines the shapes up on the right: ``shape`` may have fewer dimensions
    (missing leading ones are dropped) and dimensions of size 1 (always index 0 there).
    Example: big shape (2, 3, 4), shape (3, 1), big index (1, 2, 3) -> index (2, 0).
    """
    ### BEGIN SOLUTION task-2.2
    offset = len(big_shape) - len(shape)
    for i in range(len(shape)):
        if shape[i] == 1:
            out_index[i] = 0
        else:
            out_index[i] = big_index[i + offset]
    ### END SOLUTION


# ## Task 2.2: shape rules (Python level; these may raise)


def shape_broadcast(shape1: UserShape, shape2: UserShape) -> Tuple[int, ...]:
    """The shape two shapes broadcast to, or IndexingError naming both.

    Line the shapes up on the right; in each place the sizes must be equal or one of them
    must be 1 (the bigger wins); the shorter shape is padded with 1s on the left.
    Example: (2, 3, 1) and (4,) -> (2, 3, 4).
    """
    ### BEGIN SOLUTION task-2.2
    a, b = tuple(int(s) for s in shape1), tuple(int(s) for s in shape2)
    n = max(len(a), len(b))
    a_pad = (1,) * (n - len(a)) + a
    b_pad = (1,) * (n - len(b)) + b
    out = []
    for i, (x, y) in enumerate(zip(a_pad, b_pad)):
        if x == y or y == 1:
            out.append(x)
        elif x == 1:
            out.append(y)
        else:
            # Count the dimension from the right as the user sees it in each shape.
            raise IndexingError(
                f"shapes {a} and {b} do not broadcast: the size of tensor a ({x}) must match "
                f"the size of tensor b ({y}) at dimension {i - n} (counting from the right), "
                f"or one of them must be 1"
            )
    return tuple(out)
    ### END SOLUTION


def strides_from_shape(shape: UserShape) -> Tuple[int, ...]:
    """Row-major (contiguous) strides: each stride is the product of the sizes to its right.

    Example: shape (2, 3, 4) -> strides (12, 4, 1).
    """
    strides = []
    step = 1
    for size in reversed(tuple(shape)):
        strides.append(step)
        step *= int(size)
    return tuple(reversed(strides))


def _as_ints(values: Iterable[int], what: str) -> Tuple[int, ...]:
    """A tuple of Python ints, or TypeError naming ``what`` (ints, numpy ints are fine)."""
    out = []
    for v in values:
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"{what} must contain integers, got {v!r} ({type(v).__name__})")
        out.append(int(v))
    return tuple(out)


class TensorData:
    """Storage + shape + strides: everything about where a tensor's numbers live.

    Attributes (MiniTorch's layout, read directly by the backends):

    - ``_storage``: 1-D float64 numpy array (shared by all views of the same data);
    - ``_shape``, ``_strides``: 1-D int32 numpy arrays (for the kernels);
    - ``shape``, ``strides``: the same as tuples of ints (for people);
    - ``size`` (number of elements) and ``dims`` (number of dimensions).
    """

    _storage: Storage
    _shape: Shape
    _strides: Strides

    def __init__(
        self,
        storage: Union[Sequence[float], Storage],
        shape: UserShape,
        strides: Union[UserStrides, None] = None,
    ):
        if (
            isinstance(storage, np.ndarray)
            and storage.dtype == np.float64
            and storage.ndim == 1
            and storage.flags.c_contiguous
        ):
            self._storage = storage  # shared, not copied: views must see the same numbers
        else:
            self._storage = np.array(storage, dtype=np.float64).reshape(-1)
        shape = _as_ints(shape, "a shape")
        if any(s < 0 for s in shape):
            raise IndexingError(f"a shape cannot have negative sizes, got {shape}")
        strides = strides_from_shape(shape) if strides is None else _as_ints(strides, "strides")
        if len(strides) != len(shape):
            raise IndexingError(f"strides {strides} do not fit shape {shape}: they need one stride per dimension")
        self.shape: Tuple[int, ...] = shape
        self.strides: Tuple[int, ...] = strides
        self._shape = np.array(shape, dtype=np.int32)
        self._strides = np.array(strides, dtype=np.int32)
        self.dims = len(shape)
        self.size = int(np.prod(shape, dtype=np.int64))
        if self.size > 0:
            last = sum((s - 1) * st for s, st in zip(shape, strides))
            if last >= len(self._storage) or min([0] + [st for s, st in zip(shape, strides) if s > 1]) < 0:
                raise IndexingError(
                    f"shape {shape} with strides {strides} reaches position {last}, "
                    f"but the storage has only {len(self._storage)} numbers"
                )

    # ## Layout

    def is_contiguous(self) -> bool:
        """True when the elements sit in storage in row-major order at positions 0, 1, 2, ...

        Strides of size-1 dimensions never matter (the index there is always 0), so
        ``(1, 3)`` permuted to ``(3, 1)`` is still contiguous.
        """
        expected = strides_from_shape(self.shape)
        return all(s == 1 or st == e for s, st, e in zip(self.shape, self.strides, expected))

    def permute(self, *order: int) -> "TensorData":
        """A view with the dimensions reordered: new dim i is old dim ``order[i]``.

        Same storage, shape and strides shuffled; no number moves. ``order`` must name
        every dimension exactly once.
        """
        ### BEGIN SOLUTION task-2.1
        if len(order) == 1 and isinstance(order[0], (tuple, list)):
            order = tuple(order[0])
        order = _as_ints(order, "a permutation")
        if sorted(order) != list(range(self.dims)):
            raise IndexingError(
                f"permute{order} is not a reordering of the {self.dims} dimensions of shape {self.shape}: "
                f"it must name each of {tuple(range(self.dims))} exactly once"
            )
        return TensorData(
            self._storage,
            tuple(self.shape[i] for i in order),
            tuple(self.strides[i] for i in order),
        )
        ### END SOLUTION

    # ## Indexing

    def index(self, index: Union[int, UserIndex, Index]) -> int:
        """Storage position of ``index`` (an int for 1-D data, else one int per dim).

        Each entry must be in ``[0, size)`` as in MiniTorch, whose own tests expect a negative
        entry to raise (``get``, ``set`` and ``t[i, j]`` accept negative ones). A wrong number
        of entries or an entry out of range raises IndexingError naming the index and the shape.
        """
        return self._position(index, negative_ok=False)

    def _position(self, index: Union[int, UserIndex, Index], negative_ok: bool) -> int:
        """``index``'s storage position; with ``negative_ok``, negative entries count from the end."""
        if isinstance(index, (int, np.integer)) and not isinstance(index, (bool, np.bool_)):
            index = (int(index),)
        try:
            idx = _as_ints(index, "an index")
        except TypeError as error:
            raise TypeError(f"{error} (indexing shape {self.shape})") from None
        if len(idx) != self.dims:
            raise IndexingError(
                f"index {idx} has {len(idx)} entries but the tensor has shape {self.shape} "
                f"({self.dims} dimensions): give one index per dimension"
            )
        fixed = []
        for i, (k, size) in enumerate(zip(idx, self.shape)):
            if k < 0 and not negative_ok:
                raise IndexingError(
                    f"index {idx} has a negative entry; TensorData.index takes entries in [0, size) "
                    f"for shape {self.shape} (get, set and t[i, j] count negative entries from the end)"
                )
            if not -size <= k < size:
                raise IndexingError(
                    f"index {idx} is out of range for shape {self.shape}: "
                    f"dimension {i} has size {size}, so its index must be in [{-size}, {size - 1}]"
                )
            fixed.append(k + size if k < 0 else k)
        return int(index_to_position(np.array(fixed, dtype=np.int32), self._strides))

    def indices(self) -> Iterator[Tuple[int, ...]]:
        """Every index of the shape, in row-major order."""
        out_index = np.zeros(self.dims, dtype=np.int32)
        for ordinal in range(self.size):
            to_index(ordinal, self._shape, out_index)
            yield tuple(int(i) for i in out_index)

    def sample(self) -> Tuple[int, ...]:
        """A random valid index (uses the ``random`` module, so ``random.seed`` fixes it)."""
        return tuple(random.randrange(s) for s in self.shape)

    def get(self, key: Union[int, UserIndex]) -> float:
        """The number at ``key``, as a Python float."""
        return float(self._storage[self._position(key, negative_ok=True)])

    def set(self, key: Union[int, UserIndex], val: float) -> None:
        """Store ``val`` at ``key`` (in the shared storage: every view sees it)."""
        self._storage[self._position(key, negative_ok=True)] = float(val)

    def tuple(self) -> Tuple[Storage, Shape, Strides]:
        """``(storage, shape, strides)`` as numpy arrays: what the kernels take."""
        return (self._storage, self._shape, self._strides)

    # ## Printing

    def to_string(self) -> str:
        """The numbers as ``f"{v:3.2f}"`` in nested brackets, one innermost row per line.

        A 1-D tensor is one line, ``[1.00 1.00 1.00]``; a (2, 2) tensor is::

            [[1.00 2.00]
             [3.00 4.00]]
        """
        if self.dims == 0:
            return f"{float(self._storage[0]):3.2f}" if self.size else "[]"
        if self.size == 0:
            return "[" * self.dims + "]" * self.dims
        text = ""
        for index in self.indices():
            # Brackets open where trailing indices restart at 0 ...
            opening = 0
            for i in range(self.dims - 1, -1, -1):
                if index[i] != 0:
                    break
                opening += 1
            if opening and index != (0,) * self.dims:
                text += "\n" + " " * (self.dims - opening)
            text += "[" * opening
            text += f"{self.get(index):3.2f}"
            # ... and close where they reach their last value.
            closing = 0
            for i in range(self.dims - 1, -1, -1):
                if index[i] != self.shape[i] - 1:
                    break
                closing += 1
            text += "]" * closing if closing else " "
        return text

    def __repr__(self) -> str:
        return f"TensorData(shape={self.shape}, strides={self.strides})"
