"""Module 2: the four primitives every tensor operation is built from, and the backends.

``map`` (one tensor, elementwise), ``zip`` (two tensors, elementwise, with broadcasting),
``reduce`` (fold one dimension) and ``matrix_multiply``. Functions and Tensor only call
these, through a ``TensorBackend``: so a new backend (numba on the CPU, CUDA) is a new set
of kernels and nothing above it changes.

Two halves:

- the *tensor-level* half, written once here in ``TensorOps``: check shapes and dims,
  allocate the output (its shape: the broadcast shape, the reduced shape with a 1 at ``dim``,
  the matmul shape), fill a reduction's output with its start value, view 2-D matmul
  operands as batches of one;
- the *kernels*, which a backend supplies: they get raw ``(storage, shape, strides)``
  triples (numpy arrays: float64 storage, int32 shape and strides) and write into the
  preallocated output. ``SimpleOps`` below has the readable pure-Python ones; read them first.

What a backend supplies: a subclass of ``TensorOps`` with

- ``map_kernel(fn)`` -> ``k(out, out_shape, out_strides, a, a_shape, a_strides)``: writes
  ``fn(a[broadcast i])`` at every index i of the output (``a_shape`` broadcasts to it);
- ``zip_kernel(fn)`` -> ``k(out, out_shape, out_strides, a, a_shape, a_strides, b, b_shape,
  b_strides)``: ``fn(a[i], b[i])`` with both read through broadcasting;
- ``reduce_kernel(fn)`` -> ``k(out, out_shape, out_strides, a, a_shape, a_strides, dim)``:
  ``out`` arrives filled with the start value and has size 1 at ``dim`` (already checked);
  fold ``a`` along ``dim`` into it;
- ``matmul_kernel(out, out_shape, out_strides, a, a_shape, a_strides, b, b_shape, b_strides)``:
  all three 3-D, ``a`` (Da, n, m) @ ``b`` (Db, m, p) -> ``out`` (D, n, p), where a batch of
  size 1 is shared by every d (Da, Db in {D, 1});
- optionally ``cuda = True`` (its kernels run on a GPU).

``fn`` is a scalar function, usually one of the op table's (``op_table.OPS``); a compiled
backend finds its op code with ``op_table.op_codes``. Everything else (the output tensor,
shape checks, the start value, batching) is done here, once, for every backend.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, Optional, Sequence, Tuple, Type

import numpy as np

from . import op_table
from .tensor_data import (
    IndexingError,
    Shape,
    Storage,
    Strides,
    TensorData,
    broadcast_index,
    check_dim,
    index_to_position,
    shape_broadcast,
    to_index,
)

# "Tensor" in the annotations is autograd.tensor.Tensor. It is not imported, not even for type
# checkers: tensor.py sits above this module and imports it (the layers read bottom-up).

Kernel = Callable[..., None]


# ## The pure-Python reference kernels (SimpleOps)
#
# Each one loops over the positions of the OUTPUT, turns the loop counter into an index
# (to_index), finds the matching index of each input (broadcast_index), and turns indices
# into storage positions (index_to_position). Strides make any layout work: permuted,
# broadcast or contiguous.


def tensor_map(fn: Callable[[float], float]) -> Callable[..., None]:
    """Kernel factory: ``out[i] = fn(in[i])`` for every index i of ``out``.

    ``in_shape`` must broadcast to ``out_shape`` (a (3,) input can fill a (2, 3) output).
    """

    def _map(
        out: Storage,
        out_shape: Shape,
        out_strides: Strides,
        in_storage: Storage,
        in_shape: Shape,
        in_strides: Strides,
    ) -> None:
        ### BEGIN SOLUTION task-2.3
        out_index = np.zeros(len(out_shape), dtype=np.int32)
        in_index = np.zeros(len(in_shape), dtype=np.int32)
        for ordinal in range(int(np.prod(out_shape))):
            to_index(ordinal, out_shape, out_index)
            broadcast_index(out_index, out_shape, in_shape, in_index)
            value = in_storage[index_to_position(in_index, in_strides)]
            out[index_to_position(out_index, out_strides)] = fn(value)
        ### END SOLUTION

    return _map


def tensor_zip(fn: Callable[[float, float], float]) -> Callable[..., None]:
    """Kernel factory: ``out[i] = fn(a[i], b[i])`` for every index i of ``out``.

    ``out_shape`` is the broadcast of ``a_shape`` and ``b_shape``; each input is read
    through ``broadcast_index``.
    """

    def _zip(
        out: Storage,
        out_shape: Shape,
        out_strides: Strides,
        a_storage: Storage,
        a_shape: Shape,
        a_strides: Strides,
        b_storage: Storage,
        b_shape: Shape,
        b_strides: Strides,
    ) -> None:
        ### BEGIN SOLUTION task-2.3
        out_index = np.zeros(len(out_shape), dtype=np.int32)
        a_index = np.zeros(len(a_shape), dtype=np.int32)
        b_index = np.zeros(len(b_shape), dtype=np.int32)
        for ordinal in range(int(np.prod(out_shape))):
            to_index(ordinal, out_shape, out_index)
            broadcast_index(out_index, out_shape, a_shape, a_index)
            broadcast_index(out_index, out_shape, b_shape, b_index)
            a = a_storage[index_to_position(a_index, a_strides)]
            b = b_storage[index_to_position(b_index, b_strides)]
            out[index_to_position(out_index, out_strides)] = fn(a, b)
        ### END SOLUTION

    return _zip


def tensor_reduce(fn: Callable[[float, float], float]) -> Callable[..., None]:
    """Kernel factory: fold dimension ``reduce_dim`` of ``a`` with ``fn``.

    ``out_shape`` is ``a_shape`` with a 1 at ``reduce_dim``; ``out`` arrives filled with the
    start value (0 for sum, 1 for product, -inf for max), so the fold is
    ``out[i] = fn(...fn(fn(out[i], a[i with j=0]), a[i with j=1])...)``.
    """

    def _reduce(
        out: Storage,
        out_shape: Shape,
        out_strides: Strides,
        a_storage: Storage,
        a_shape: Shape,
        a_strides: Strides,
        reduce_dim: int,
    ) -> None:
        ### BEGIN SOLUTION task-2.3
        index = np.zeros(len(out_shape), dtype=np.int32)
        for ordinal in range(int(np.prod(out_shape))):
            to_index(ordinal, out_shape, index)
            position = index_to_position(index, out_strides)
            acc = out[position]
            for j in range(a_shape[reduce_dim]):
                index[reduce_dim] = j  # walk along the reduced dimension of a
                acc = fn(acc, a_storage[index_to_position(index, a_strides)])
            out[position] = acc
        ### END SOLUTION

    return _reduce


def tensor_matrix_multiply(
    out: Storage,
    out_shape: Shape,
    out_strides: Strides,
    a_storage: Storage,
    a_shape: Shape,
    a_strides: Strides,
    b_storage: Storage,
    b_shape: Shape,
    b_strides: Strides,
) -> None:
    """Kernel: batched matrix product ``out[d] = a[d] @ b[d]``; all three are 3-D.

    Shapes: a (Da, n, m), b (Db, m, p), out (D, n, p), where Da and Db are D or 1
    (a batch of size 1 is shared by every d: broadcasting over the batch).
    """
    for d in range(out_shape[0]):
        da = d if a_shape[0] > 1 else 0
        db = d if b_shape[0] > 1 else 0
        for i in range(out_shape[1]):
            for j in range(out_shape[2]):
                acc = 0.0
                for k in range(a_shape[2]):
                    a = a_storage[da * a_strides[0] + i * a_strides[1] + k * a_strides[2]]
                    b = b_storage[db * b_strides[0] + k * b_strides[1] + j * b_strides[2]]
                    acc += a * b
                out[d * out_strides[0] + i * out_strides[1] + j * out_strides[2]] = acc


# ## Shape logic shared by every backend's matrix_multiply


def matmul_shape(a_shape: Sequence[int], b_shape: Sequence[int]) -> Tuple[int, ...]:
    """Output shape of ``a @ b`` for 2-D or 3-D shapes, or IndexingError naming both shapes.

    (n, m) @ (m, p) -> (n, p); with a batch dimension the batches broadcast:
    (D, n, m) @ (1, m, p) -> (D, n, p), (n, m) @ (D, m, p) -> (D, n, p).
    """
    a_shape, b_shape = tuple(a_shape), tuple(b_shape)
    if len(a_shape) not in (2, 3) or len(b_shape) not in (2, 3):
        raise IndexingError(
            f"matrix multiply takes 2-D or 3-D tensors (matrices or batches of matrices), "
            f"got shapes {a_shape} and {b_shape}"
        )
    if a_shape[-1] != b_shape[-2]:
        raise IndexingError(
            f"cannot matrix-multiply shapes {a_shape} and {b_shape}: the inner dimensions "
            f"{a_shape[-1]} (last of a) and {b_shape[-2]} (second to last of b) must be equal"
        )
    matrix = (a_shape[-2], b_shape[-1])
    if len(a_shape) == 2 and len(b_shape) == 2:
        return matrix
    a_batch = a_shape[:-2] or (1,)
    b_batch = b_shape[:-2] or (1,)
    if not (a_batch == b_batch or a_batch == (1,) or b_batch == (1,)):
        raise IndexingError(
            f"cannot matrix-multiply shapes {a_shape} and {b_shape}: the batch sizes "
            f"{a_batch[0]} and {b_batch[0]} must be equal or one of them must be 1"
        )
    return (max(a_batch[0], b_batch[0]),) + matrix


def as_batch(t: "Tensor") -> TensorData:
    """``t``'s data as a 3-D batch of matrices: a 2-D (n, m) is read as (1, n, m) (no copy)."""
    data = t._tensor
    if data.dims == 3:
        return data
    return TensorData.trusted(data._storage, (1,) + data.shape, (0,) + data.strides)


def new_output(like: "Tensor", shape: Tuple[int, ...], fill: Optional[float] = None) -> "Tensor":
    """A new contiguous tensor of ``shape`` on ``like``'s backend, for a kernel to fill.

    Not zeros (``TensorData.empty``): the kernels write every element anyway (zeroing first
    made a 1e6-element add 1.5x slower). A reduction's output is filled with its start
    value (``fill``). No checks: the shape comes from the library's own shape logic.
    """
    return like._new(TensorData.empty(shape, fill))


# Broadcast shapes by pair of input shapes: a training loop meets the same few pairs at every
# step (bounded like tensor_data's layouts). Errors are not kept: shape_broadcast raises them.
_BROADCASTS: Dict[Tuple[Tuple[int, ...], Tuple[int, ...]], Tuple[int, ...]] = {}


def _broadcast(a_shape: Tuple[int, ...], b_shape: Tuple[int, ...]) -> Tuple[int, ...]:
    """``shape_broadcast(a_shape, b_shape)``, remembered."""
    key = (a_shape, b_shape)
    shape = _BROADCASTS.get(key)
    if shape is None:
        if len(_BROADCASTS) >= 4096:
            _BROADCASTS.clear()
        shape = _BROADCASTS[key] = shape_broadcast(a_shape, b_shape)
    return shape


def _check_map_out(a: "Tensor", out: "Tensor") -> None:
    """map's ``out=``: ``a`` must broadcast to its shape, and its storage must take writes."""
    if out.shape != a.shape and shape_broadcast(a.shape, out.shape) != out.shape:
        raise IndexingError(f"map: a tensor of shape {a.shape} cannot fill an output of shape {out.shape}")
    storage, _, _ = out.tuple()
    if not storage.flags.writeable:
        raise TypeError(f"map: the output tensor of shape {out.shape} has read-only storage: results cannot go there")


# ## TensorOps: the tensor-level half of the four primitives, once for every backend


class MapProto:
    """What ``TensorOps.map(fn)`` returns: ``(a, out=None) -> Tensor``."""

    def __call__(self, a: "Tensor", out: Optional["Tensor"] = None) -> "Tensor":
        ...  # pragma: no cover - a typing protocol


class TensorOps:
    """A backend: the kernels (supplied by a subclass, see the module docstring) and the four
    primitives on tensors built from them here."""

    # True for backends whose kernels run on a GPU.
    cuda = False

    # ### The kernels: a subclass supplies these

    @staticmethod
    def map_kernel(fn: Callable[[float], float]) -> Kernel:
        """``k(out, out_shape, out_strides, a, a_shape, a_strides)``: out[i] = fn(a[i])."""
        raise NotImplementedError

    @staticmethod
    def zip_kernel(fn: Callable[[float, float], float]) -> Kernel:
        """``k(out, out_shape, out_strides, a, a_shape, a_strides, b, b_shape, b_strides)``."""
        raise NotImplementedError

    @staticmethod
    def reduce_kernel(fn: Callable[[float, float], float]) -> Kernel:
        """``k(out, out_shape, out_strides, a, a_shape, a_strides, dim)``: fold dim into out."""
        raise NotImplementedError

    @staticmethod
    def matmul_kernel(*args: Any) -> None:
        """``(out, out_shape, out_strides, a, a_shape, a_strides, b, b_shape, b_strides)``, all 3-D."""
        raise NotImplementedError

    @staticmethod
    def conv_kernel(*args: Any) -> None:
        """``(out triple, input triple, weight triple, reverse)``: convolution, see ``conv_ops``
        (which sets SimpleOps' kernel; ``fast_conv`` sets FastOps')."""
        raise NotImplementedError("this backend has no convolution kernel (see autograd.conv_ops)")

    # ### The primitives on tensors (MiniTorch's interface)

    @classmethod
    def map(cls, fn: Callable[[float], float]) -> MapProto:
        """Elementwise ``fn``: returns ``f(a, out=None)``; ``out`` (if given) has a shape
        ``a.shape`` broadcasts to, else a new tensor of ``a.shape`` is made."""
        kernel = cls.map_kernel(fn)

        def ret(a: "Tensor", out: Optional["Tensor"] = None) -> "Tensor":
            x = a._tensor
            if out is None:
                out = new_output(a, x.shape)
            else:
                _check_map_out(a, out)
            o = out._tensor
            # The fields of TensorData.tuple(), read directly: this runs for every operation.
            kernel(o._storage, o._shape, o._strides, x._storage, x._shape, x._strides)
            return out

        return ret

    @classmethod
    def zip(cls, fn: Callable[[float, float], float]) -> Callable[["Tensor", "Tensor"], "Tensor"]:
        """Elementwise ``fn`` of two tensors: returns ``f(a, b)`` whose output has shape
        ``shape_broadcast(a.shape, b.shape)`` (IndexingError naming both shapes if none)."""
        kernel = cls.zip_kernel(fn)

        def ret(a: "Tensor", b: "Tensor") -> "Tensor":
            x, y = a._tensor, b._tensor
            out = new_output(a, x.shape if x.shape == y.shape else _broadcast(x.shape, y.shape))
            o = out._tensor
            kernel(o._storage, o._shape, o._strides, x._storage, x._shape, x._strides, y._storage, y._shape, y._strides)
            return out

        return ret

    @classmethod
    def reduce(cls, fn: Callable[[float, float], float], start: float = 0.0) -> Callable[["Tensor", int], "Tensor"]:
        """Fold with ``fn`` from ``start``: returns ``f(a, dim)``, whose output is
        ``a.shape`` with size 1 at ``dim`` (the dimension is kept)."""
        kernel = cls.reduce_kernel(fn)

        def ret(a: "Tensor", dim: int) -> "Tensor":
            x = a._tensor
            shape = x.shape
            dim = check_dim(dim, shape)
            out = new_output(a, shape[:dim] + (1,) + shape[dim + 1 :], fill=start)
            o = out._tensor
            kernel(o._storage, o._shape, o._strides, x._storage, x._shape, x._strides, dim)
            return out

        return ret

    @classmethod
    def matrix_multiply(cls, a: "Tensor", b: "Tensor") -> "Tensor":
        """``a @ b`` for 2-D or 3-D tensors, batch dimension broadcast (see ``matmul_shape``)."""
        shape = matmul_shape(a.shape, b.shape)
        out = new_output(a, shape)
        # The kernel takes 3-D layouts: 2-D data is read as a batch of one (views, no copies).
        x, y, o = as_batch(a), as_batch(b), as_batch(out)
        cls.matmul_kernel(
            o._storage, o._shape, o._strides, x._storage, x._shape, x._strides, y._storage, y._shape, y._strides
        )
        return out


class SimpleOps(TensorOps):
    """The pure-Python reference backend: the kernels above, readable, correct for any layout, slow."""

    map_kernel = staticmethod(tensor_map)
    zip_kernel = staticmethod(tensor_zip)
    reduce_kernel = staticmethod(tensor_reduce)
    matmul_kernel = staticmethod(tensor_matrix_multiply)


# ## TensorBackend: one ready-made operation per row of the op table


class TensorBackend:
    """One backend's ready-made operations, built once from its ``TensorOps``.

    For every row of the op table (``op_table.OPS``, or ``table``) an attribute named
    ``<name>_<kind>``: ``neg_map``, ``sigmoid_map`` ... ``add_zip``, ``mul_zip``, ``lt_zip``
    ... ``add_reduce``, ``mul_reduce``, ``max_reduce``; plus ``matrix_multiply``. They are
    built from the table's functions of ``operators`` themselves: the compiled backends
    recognise them to pick their op codes.
    """

    def __init__(self, ops: Type[TensorOps], table: Optional[Iterable[op_table.Op]] = None):
        self.ops = ops
        self.cuda = ops.cuda
        self.table = tuple(op_table.OPS if table is None else table)
        for op in self.table:
            if op.kind == op_table.MAP:
                made: Any = ops.map(op.fn)
            elif op.kind == op_table.ZIP:
                made = ops.zip(op.fn)
            else:
                made = ops.reduce(op.fn, op.start)
            setattr(self, op.attribute, made)
        self.matrix_multiply = ops.matrix_multiply

    @property
    def name(self) -> str:
        """"SimpleBackend" for SimpleOps, "FastBackend" for FastOps, ...: used in messages."""
        ops_name = self.ops.__name__
        return (ops_name[: -len("Ops")] if ops_name.endswith("Ops") else ops_name) + "Backend"

    def __repr__(self) -> str:
        return self.name


SimpleBackend = TensorBackend(SimpleOps)
