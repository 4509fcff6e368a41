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
from typing import Dict, Iterable, Iterator, NamedTuple, Sequence, Tuple, Union

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


def is_int(value: object) -> bool:
    """True for a Python or numpy integer that is not a bool (``True`` is an int in Python,
    but a dimension, size or index written as ``True`` is a mistake)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def view_strides(shape: UserShape, strides: UserStrides, new_shape: UserShape) -> Union[Tuple[int, ...], None]:
    """Strides that read the numbers of ``(shape, strides)`` in row-major order as ``new_shape``
    without moving any, or None when no strides can (then a reshape must copy).

    The dimensions are matched in groups of equal size (old (6,) and new (2, 3); old (2, 3)
    and new (6,)); a group of old dimensions can be read as another shape only if it lies in
    memory as one row-major block (each stride = the next stride * the next size). Sizes of
    1 are free. Example: a permuted (3, 2) with strides (1, 3) has no strides as (6,).
    """
    shape, strides, new_shape = tuple(shape), tuple(strides), tuple(new_shape)
    size = int(np.prod(shape, dtype=np.int64))
    if size != int(np.prod(new_shape, dtype=np.int64)):
        return None
    if size == 0:
        return strides_from_shape(new_shape)
    old = [(s, st) for s, st in zip(shape, strides) if s != 1]
    out = [1] * len(new_shape)
    oi = ni = 0
    while ni < len(new_shape):
        if new_shape[ni] == 1:
            ni += 1
            continue
        nj, oj = ni + 1, oi + 1
        new_size, old_size = new_shape[ni], old[oi][0]
        while new_size != old_size:  # grow the smaller side until both cover the same numbers
            if new_size < old_size:
                new_size *= new_shape[nj]
                nj += 1
            else:
                old_size *= old[oj][0]
                oj += 1
        if any(old[k][1] != old[k + 1][1] * old[k + 1][0] for k in range(oi, oj - 1)):
            return None
        step = old[oj - 1][1]
        for k in range(nj - 1, ni - 1, -1):
            out[k] = step
            step *= new_shape[k]
        ni, oi = nj, oj
    return tuple(out)


def index_view(shape: UserShape, strides: UserStrides, key: object) -> Tuple[int, Tuple[int, ...], Tuple[int, ...]]:
    """``(offset, shape, strides)`` of the view ``t[key]``: the same storage from position
    ``offset`` on, read with the new shape and strides. No number moves.

    ``key``: an int, a slice, ``...``, or a tuple of them (one entry per dimension at most;
    ``...`` stands for as many ``:`` as needed). An int picks one position and drops its
    dimension; a slice ``start:stop:step`` keeps it (step > 0; start and stop count from the
    end when negative and, as in Python, a stop past the end means the end). Errors name the
    index and the shape: an int out of range, a slice starting past the end, a step <= 0.
    """
    shape, strides = tuple(shape), tuple(strides)
    entries = key if isinstance(key, tuple) else (key,)
    if sum(k is Ellipsis for k in entries) > 1:
        raise IndexingError(f"an index can have only one '...', got {key!r}")
    explicit = len(entries) - (1 if Ellipsis in entries else 0)
    if explicit > len(shape):
        raise IndexingError(f"too many indices {key!r} for a tensor of shape {shape} ({len(shape)} dimensions)")
    fill = (slice(None),) * (len(shape) - explicit)
    if Ellipsis in entries:
        at = entries.index(Ellipsis)
        entries = entries[:at] + fill + entries[at + 1 :]
    else:
        entries = entries + fill
    offset, out_shape, out_strides = 0, [], []
    for dim, (k, size, stride) in enumerate(zip(entries, shape, strides)):
        if is_int(k):
            if not -size <= k < size:  # type: ignore[operator]
                raise IndexingError(
                    f"index {k} is out of range for dimension {dim} of shape {shape}: it must be in [{-size}, {size - 1}]"
                )
            offset += (int(k) % size) * stride  # type: ignore[call-overload]
        elif isinstance(k, slice):
            for part in (k.start, k.stop, k.step):
                if part is not None and not is_int(part):
                    raise TypeError(f"slice {k} of shape {shape}: start, stop and step must be ints or None")
            if k.step is not None and k.step <= 0:
                raise IndexingError(f"slice {k} of shape {shape}: the step must be positive, got {k.step}")
            if k.start is not None and k.start > size:
                raise IndexingError(
                    f"slice {k} is out of range for dimension {dim} of shape {shape}: it starts past "
                    f"the end (at most {size}; a stop past the end is fine and means the end)"
                )
            start, stop, step = k.indices(size)
            n = max(0, (stop - start + step - 1) // step)
            if n:
                offset += start * stride
            out_shape.append(n)
            out_strides.append(stride * step)
        else:
            raise TypeError(
                f"a tensor index holds ints, slices and '...', got {k!r} ({type(k).__name__}) for shape {shape}"
            )
    return offset, tuple(out_shape), tuple(out_strides)


def _as_ints(values: Iterable[int], what: str) -> Tuple[int, ...]:
    """A tuple of Python ints, or TypeError naming ``what`` (ints, numpy ints are fine)."""
    if type(values) is tuple and all(type(v) is int for v in values):
        return values  # the common case, already right (``type(v) is int`` excludes bools)
    out = []
    for v in values:
        if not is_int(v):
            raise TypeError(f"{what} must contain integers, got {v!r} ({type(v).__name__})")
        out.append(int(v))
    return tuple(out)


def check_shape(shape: Iterable[int]) -> Tuple[int, ...]:
    """``shape`` as a tuple of ints: TypeError for a size that is not an int, IndexingError
    for a negative size. The one check behind TensorData, the constructors and reshapes."""
    sizes = _as_ints(shape, "a shape")
    if any(s < 0 for s in sizes):
        raise IndexingError(f"a shape cannot have negative sizes, got {sizes}")
    return sizes


def check_dim(dim: object, shape: Sequence[int]) -> int:
    """``dim`` checked against ``shape`` and made non-negative (-1 is the last dimension).

    Every reduction calls it before a kernel runs: a bad ``dim`` must not reach a kernel, where
    it would index out of range (or, compiled, read the wrong memory).
    """
    dims = len(shape)
    if not is_int(dim):
        raise TypeError(f"a dimension must be an int, got {dim!r} ({type(dim).__name__})")
    if not -dims <= dim < dims:  # type: ignore[operator]
        raise IndexingError(
            f"dimension {dim} does not exist in a tensor of shape {tuple(shape)}: "
            f"use 0..{dims - 1} (or -{dims}..-1)"
        )
    return int(dim) % dims  # type: ignore[call-overload]


class _Layout(NamedTuple):
    """What a (shape, strides) pair implies, worked out once (``_layout``)."""

    shape_array: Shape  # int32, for the kernels
    strides_array: Strides
    size: int
    last: int  # the largest storage position reached (-1 for an empty shape)
    negative: bool  # some dimension of size > 1 has a negative stride
    contiguous: bool


# Layouts by (shape, strides). A training loop makes the same few shapes over and over; making
# two int32 arrays and the products anew for each of its tensors cost more than the kernels on
# small tensors. Bounded: cleared when it grows past _LAYOUT_LIMIT entries.
_LAYOUTS: Dict[Tuple[Tuple[int, ...], Tuple[int, ...]], _Layout] = {}
# Row-major layouts by shape alone, as (strides, layout): most tensors are new kernel outputs.
_CONTIGUOUS: Dict[Tuple[int, ...], Tuple[Tuple[int, ...], "_Layout"]] = {}
_LAYOUT_LIMIT = 4096


def _layout(shape: Tuple[int, ...], strides: Tuple[int, ...]) -> _Layout:
    """The ``_Layout`` of ``shape`` with ``strides`` (both tuples of ints of the same length)."""
    key = (shape, strides)
    layout = _LAYOUTS.get(key)
    if layout is None:
        if len(_LAYOUTS) >= _LAYOUT_LIMIT:
            _LAYOUTS.clear()
            _CONTIGUOUS.clear()
        size = 1
        for s in shape:
            size *= s
        expected = strides_from_shape(shape)
        layout = _LAYOUTS[key] = _Layout(
            np.array(shape, dtype=np.int32),
            np.array(strides, dtype=np.int32),
            size,
            sum((s - 1) * st for s, st in zip(shape, strides)) if size else -1,
            any(st < 0 for s, st in zip(shape, strides) if s > 1),
            all(s == 1 or st == e for s, st, e in zip(shape, strides, expected)),
        )
        if layout.contiguous and strides == expected:
            _CONTIGUOUS[shape] = (strides, layout)
    return layout


def _row_major(shape: Tuple[int, ...]) -> Tuple[Tuple[int, ...], _Layout]:
    """(strides, layout) of ``shape`` read in row-major order, worked out and remembered."""
    _layout(shape, strides_from_shape(shape))
    return _CONTIGUOUS[shape]


_new_object = object.__new__  # (TensorData.trusted makes one per operation)


class TensorData:
    """Storage + shape + strides: everything about where a tensor's numbers live.

    Attributes (MiniTorch's layout, read directly by the backends):

    - ``_storage``: 1-D float64 numpy array (shared by all views of the same data);
    - ``_shape``, ``_strides``: 1-D int32 numpy arrays (for the kernels);
    - ``shape``, ``strides``: the same as tuples of ints (for people);
    - ``size`` (number of elements) and ``dims`` (number of dimensions).
    """

    # Slots: a tensor operation makes a few TensorData objects, and a slotted object is made
    # faster (and smaller) than one with a __dict__.
    __slots__ = ("_storage", "shape", "strides", "_shape", "_strides", "dims", "size", "_contiguous")

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
            storage = storage  # shared, not copied: views must see the same numbers
        else:
            storage = np.array(storage, dtype=np.float64).reshape(-1)
        shape = check_shape(shape)
        strides = strides_from_shape(shape) if strides is None else _as_ints(strides, "strides")
        if len(strides) != len(shape):
            raise IndexingError(f"strides {strides} do not fit shape {shape}: they need one stride per dimension")
        layout = _layout(shape, strides)
        if layout.size > 0 and (layout.last >= len(storage) or layout.negative):
            raise IndexingError(
                f"shape {shape} with strides {strides} reaches position {layout.last}, "
                f"but the storage has only {len(storage)} numbers"
            )
        self._fill(storage, shape, strides, layout)

    @classmethod
    def trusted(cls, storage: Storage, shape: Tuple[int, ...], strides: Union[Tuple[int, ...], None] = None) -> "TensorData":
        """A TensorData made WITHOUT the checks of ``__init__``: for the library's own calls
        (kernel outputs, views it has already checked), never for what a user passes.

        ``storage`` must be a 1-D C-contiguous float64 array, ``shape`` and ``strides``
        tuples of Python ints (``strides=None``: contiguous) that stay inside the storage.
        On tiny tensors the checks cost more than the kernel itself, and the library's own
        tensors pass them by construction.
        """
        self = _new_object(cls)
        if strides is None:
            strides, layout = _CONTIGUOUS.get(shape) or _row_major(shape)  # one lookup: the usual case
        else:
            layout = _LAYOUTS.get((shape, strides)) or _layout(shape, strides)
        # (_fill's lines, written out: this runs for every kernel output)
        self._storage, self.shape, self.strides = storage, shape, strides
        self._shape, self._strides = layout.shape_array, layout.strides_array
        self.dims, self.size, self._contiguous = len(shape), layout.size, layout.contiguous
        return self

    @classmethod
    def empty(cls, shape: Tuple[int, ...], fill: Union[float, None] = None) -> "TensorData":
        """New contiguous data of ``shape`` (a tuple of ints the library has checked) for a kernel
        to fill. Not zeroed (``fill=None``): the kernels write every number anyway, and zeroing
        a big output first is one more pass over memory; ``fill``: every number set to it (a
        reduction's start value)."""
        strides, layout = _CONTIGUOUS.get(shape) or _row_major(shape)
        self = _new_object(cls)
        self._fill(np.empty(layout.size) if fill is None else np.full(layout.size, fill), shape, strides, layout)
        return self

    def _fill(self, storage: Storage, shape: Tuple[int, ...], strides: Tuple[int, ...], layout: "_Layout") -> None:
        self._storage = storage
        self.shape: Tuple[int, ...] = shape
        self.strides: Tuple[int, ...] = strides
        # The int32 arrays the kernels take are shared by every TensorData of this layout
        # (see _layout): nothing may write into them.
        self._shape = layout.shape_array
        self._strides = layout.strides_array
        self.dims = len(shape)
        self.size = layout.size
        self._contiguous = layout.contiguous

    # ## Layout

    def is_contiguous(self) -> bool:
        """True when the elements sit in storage in row-major order at positions 0, 1, 2, ...

        Strides of size-1 dimensions never matter (the index there is always 0), so
        ``(1, 3)`` permuted to ``(3, 1)`` is still contiguous.
        """
        return self._contiguous  # worked out once per layout (_layout)

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

    def expand(self, shape: UserShape) -> "TensorData":
        """A view of ``shape``, which this shape broadcasts to: a missing leading dimension, or
        one of size 1, is read again and again through stride 0. No number moves.

        Example: shape (1, 3), strides (3, 1) expanded to (4, 2, 3): strides (0, 0, 1).
        """
        shape = check_shape(shape)
        extra = len(shape) - self.dims  # missing leading dimensions
        strides = [0] * extra
        for size, stride, new in zip(self.shape, self.strides, shape[max(extra, 0) :]):
            if size == new:
                strides.append(stride)
            elif size == 1:
                strides.append(0)  # this one number, again and again
            else:
                break
        if extra < 0 or len(strides) != len(shape):
            raise IndexingError(
                f"cannot expand shape {self.shape} to shape {shape}: only size-1 dimensions and missing "
                f"leading ones can grow, every other size must stay"
            )
        return TensorData.trusted(self._storage, shape, tuple(strides))  # the same positions, read again

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
        if is_int(index):
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
        """The numbers in nested brackets, one innermost row per line (MiniTorch's format).

        Each value prints as ``f"{v:3.2f}"``: a 1-D tensor is one line, ``[1.00 1.00 1.00]``;
        a (2, 2) tensor is::

            [[1.00 2.00]
             [3.00 4.00]]

        Two rules keep big or unusual tensors readable (numpy's habits):

        - values that ``3.2f`` would hide or drown, some nonzero ``|v|`` below ``0.01`` (1e-5
          would print as 0.00) or from ``1e5`` up, print all in scientific notation with four
          digits, ``1.000e-05``; nan and inf print as such and do not count;
        - a tensor of more than 1000 numbers is summarised: along each dimension longer
          than 6, only the first 3 and last 3 entries are shown, with ``...`` between.
        """
        if self.dims == 0:
            return f"{float(self._storage[0]):3.2f}" if self.size else "[]"
        if self.size == 0:
            return "[" * self.dims + "]" * self.dims
        values = np.lib.stride_tricks.as_strided(
            self._storage, self.shape, tuple(st * self._storage.itemsize for st in self.strides), writeable=False
        )
        shown = np.abs(values[np.isfinite(values) & (values != 0)])
        scientific = shown.size > 0 and (shown.min() < 1e-2 or shown.max() >= 1e5)
        form = "{:.3e}" if scientific else "{:3.2f}"
        edge = 3 if self.size > 1000 else None

        def entries(n: int) -> list:
            """Which positions of a dimension of size n are printed (None: the ``...``)."""
            if edge is None or n <= 2 * edge:
                return list(range(n))
            return list(range(edge)) + [None] + list(range(n - edge, n))

        def block(index: Tuple[int, ...]) -> str:
            depth = len(index)
            if depth == self.dims - 1:
                row = values[index]
                return "[" + " ".join("..." if i is None else form.format(float(row[i])) for i in entries(len(row))) + "]"
            parts = ["..." if i is None else block(index + (i,)) for i in entries(self.shape[depth])]
            return "[" + ("\n" + " " * (depth + 1)).join(parts) + "]"

        return block(())

    def __repr__(self) -> str:
        return f"TensorData(shape={self.shape}, strides={self.strides})"
