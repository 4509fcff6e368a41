"""Module 2: the four primitives every tensor operation is built from.

``map`` (one tensor, elementwise), ``zip`` (two tensors, elementwise, with broadcasting),
``reduce`` (fold one dimension) and ``matrix_multiply``. A *backend* is one implementation
of these four; everything above (Functions, Tensor) only calls them, so a new backend
(numba on the CPU, CUDA) is a new ``TensorOps`` and nothing else changes.

Two levels:

- kernels (``tensor_map`` & co.) work on raw ``(storage, shape, strides)`` numpy triples and
  write into a preallocated output; they are the part a faster backend rewrites;
- ``TensorOps`` wraps them for tensors: allocate the output, check shapes, call the kernel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Optional, Sequence, Tuple, Type

import numpy as np

from . import operators
from .tensor_data import (
    IndexingError,
    Shape,
    Storage,
    Strides,
    broadcast_index,
    index_to_position,
    shape_broadcast,
    to_index,
)

if TYPE_CHECKING:
    from .tensor import Tensor


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
        out_index = np.zeros(len(out_shape), dtype=np.int32)
        in_index = np.zeros(len(in_shape), dtype=np.int32)
        for ordinal in range(int(np.prod(out_shape))):
            to_index(ordinal, out_shape, out_index)
            broadcast_index(out_index, out_shape, in_shape, in_index)
            value = in_storage[index_to_position(in_index, in_strides)]
            out[index_to_position(out_index, out_strides)] = fn(value)

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
        index = np.zeros(len(out_shape), dtype=np.int32)
        for ordinal in range(int(np.prod(out_shape))):
            to_index(ordinal, out_shape, index)
            position = index_to_position(index, out_strides)
            acc = out[position]
            for j in range(a_shape[reduce_dim]):
                index[reduce_dim] = j  # walk along the reduced dimension of a
                acc = fn(acc, a_storage[index_to_position(index, a_strides)])
            out[position] = acc

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


def reduce_dim(a: "Tensor", dim: int) -> int:
    """``dim`` checked against ``a``'s dimensions and made non-negative (-1 is the last one).

    Every backend's ``reduce`` calls it, and so do the Tensor's reductions (``sum``, ``mean``,
    ``max``, ``all``): a bad ``dim`` must not reach a kernel, where it would index out of range
    (or, compiled, read the wrong memory).
    """
    if isinstance(dim, (bool, np.bool_)) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"reduce: a dimension must be an int, got {dim!r} ({type(dim).__name__})")
    if not -a.dims <= dim < a.dims:
        raise IndexingError(
            f"dimension {dim} does not exist in a tensor of shape {a.shape}: "
            f"use 0..{a.dims - 1} (or -{a.dims}..-1)"
        )
    return int(dim) % a.dims


def check_map_out(a: "Tensor", out: "Tensor") -> None:
    """IndexingError naming both shapes unless ``a`` broadcasts to ``out``'s shape (map's ``out=``)."""
    if out.shape != a.shape and shape_broadcast(a.shape, out.shape) != out.shape:
        raise IndexingError(f"map: a tensor of shape {a.shape} cannot fill an output of shape {out.shape}")


def as_batch(t: "Tensor") -> "Tensor":
    """``t`` as a 3-D batch of matrices: a 2-D (n, m) becomes a (1, n, m) view (no copy)."""
    if t.dims == 3:
        return t
    storage, _, _ = t.tuple()
    return t.make(storage, (1,) + t.shape, (0,) + t._tensor.strides, backend=t.backend)


# ## TensorOps: the four primitives on tensors


class MapProto:
    """What ``TensorOps.map(fn)`` returns: ``(a, out=None) -> Tensor``."""

    def __call__(self, a: "Tensor", out: Optional["Tensor"] = None) -> "Tensor":
        ...  # pragma: no cover - a typing protocol


class TensorOps:
    """The interface of a backend: four static methods; subclasses implement them."""

    # True for backends whose kernels run on a GPU.
    cuda = False

    @staticmethod
    def map(fn: Callable[[float], float]) -> MapProto:
        """Elementwise ``fn``: returns ``f(a, out=None)``; ``out`` (if given) has a
        shape ``a.shape`` broadcasts to, else a new tensor of ``a.shape`` is made."""
        raise NotImplementedError

    @staticmethod
    def zip(fn: Callable[[float, float], float]) -> Callable[["Tensor", "Tensor"], "Tensor"]:
        """Elementwise ``fn`` of two tensors: returns ``f(a, b)`` whose output has shape
        ``shape_broadcast(a.shape, b.shape)``."""
        raise NotImplementedError

    @staticmethod
    def reduce(fn: Callable[[float, float], float], start: float = 0.0) -> Callable[["Tensor", int], "Tensor"]:
        """Fold with ``fn`` from ``start``: returns ``f(a, dim)``, whose output is
        ``a.shape`` with size 1 at ``dim`` (the dimension is kept)."""
        raise NotImplementedError

    @staticmethod
    def matrix_multiply(a: "Tensor", b: "Tensor") -> "Tensor":
        """``a @ b`` for 2-D or 3-D tensors, batch dimension broadcast (see ``matmul_shape``)."""
        raise NotImplementedError


class SimpleOps(TensorOps):
    """The pure-Python reference backend: readable, correct for any layout, slow."""

    @staticmethod
    def map(fn: Callable[[float], float]) -> MapProto:
        kernel = tensor_map(fn)

        def ret(a: "Tensor", out: Optional["Tensor"] = None) -> "Tensor":
            if out is None:
                out = a.zeros(a.shape)
            else:
                check_map_out(a, out)
            kernel(*out.tuple(), *a.tuple())
            return out

        return ret

    @staticmethod
    def zip(fn: Callable[[float, float], float]) -> Callable[["Tensor", "Tensor"], "Tensor"]:
        kernel = tensor_zip(fn)

        def ret(a: "Tensor", b: "Tensor") -> "Tensor":
            out = a.zeros(shape_broadcast(a.shape, b.shape))
            kernel(*out.tuple(), *a.tuple(), *b.tuple())
            return out

        return ret

    @staticmethod
    def reduce(fn: Callable[[float, float], float], start: float = 0.0) -> Callable[["Tensor", int], "Tensor"]:
        kernel = tensor_reduce(fn)

        def ret(a: "Tensor", dim: int) -> "Tensor":
            dim = reduce_dim(a, dim)
            out_shape = list(a.shape)
            out_shape[dim] = 1
            out = a.zeros(tuple(out_shape))
            out._tensor._storage[:] = start
            kernel(*out.tuple(), *a.tuple(), dim)
            return out

        return ret

    @staticmethod
    def matrix_multiply(a: "Tensor", b: "Tensor") -> "Tensor":
        shape = matmul_shape(a.shape, b.shape)
        a3, b3 = as_batch(a), as_batch(b)
        out = a.zeros((max(a3.shape[0], b3.shape[0]), a3.shape[1], b3.shape[2]))
        tensor_matrix_multiply(*out.tuple(), *a3.tuple(), *b3.tuple())
        storage, _, _ = out.tuple()
        return out.make(storage, shape, backend=out.backend)


# ## TensorBackend: the specialised kernels the Functions call


class TensorBackend:
    """One backend's ready-made operations, built once from its ``TensorOps``.

    Always built from the functions of ``autograd.operators`` themselves: the numba
    backend recognises them by identity to pick its compiled kernels.
    """

    def __init__(self, ops: Type[TensorOps]):
        self.ops = ops
        self.cuda = ops.cuda
        # Maps
        self.neg_map = ops.map(operators.neg)
        self.sigmoid_map = ops.map(operators.sigmoid)
        self.relu_map = ops.map(operators.relu)
        self.log_map = ops.map(operators.log)
        self.exp_map = ops.map(operators.exp)
        self.id_map = ops.map(operators.id)
        self.inv_map = ops.map(operators.inv)
        # Zips
        self.add_zip = ops.zip(operators.add)
        self.mul_zip = ops.zip(operators.mul)
        self.lt_zip = ops.zip(operators.lt)
        self.eq_zip = ops.zip(operators.eq)
        self.is_close_zip = ops.zip(operators.is_close)
        self.relu_back_zip = ops.zip(operators.relu_back)
        self.log_back_zip = ops.zip(operators.log_back)
        self.inv_back_zip = ops.zip(operators.inv_back)
        # Reductions
        self.add_reduce = ops.reduce(operators.add, 0.0)
        self.mul_reduce = ops.reduce(operators.mul, 1.0)
        self.max_reduce = ops.reduce(operators.max, -np.inf)
        # Matrix multiply
        self.matrix_multiply = ops.matrix_multiply

    @property
    def name(self) -> str:
        """"SimpleBackend" for SimpleOps, "FastBackend" for FastOps, ...: used in messages."""
        ops_name = self.ops.__name__
        return (ops_name[: -len("Ops")] if ops_name.endswith("Ops") else ops_name) + "Backend"

    def __repr__(self) -> str:
        return self.name


SimpleBackend = TensorBackend(SimpleOps)
