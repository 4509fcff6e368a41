"""Module 3: the CUDA backend. ``CudaOps`` supplies the four kernels as numba.cuda launches.

``CudaBackend = TensorBackend(CudaOps)`` is a backend like the others: pass it as
``backend=`` or move a tensor with ``t.to(CudaBackend)``; nothing above the backend changes.
As for every backend, ``TensorOps`` does the tensor-level half (output allocation, shape
checks, start values, matmul batching); the kernels are in ``cuda_kernels.py``; this module
moves the raw arrays to the GPU, launches the kernels and copies the result back.

Where the numbers live: a tensor's storage stays a numpy array in host memory, as on every
backend, so printing, indexing and ``to_numpy`` work unchanged. Each primitive copies its
inputs to the GPU, runs one kernel (two for a long reduction) and copies the result back.
That is simple and always right, but the copies cost more than the arithmetic for
elementwise work: the kernels' own speed is what ``benchmarks/gpu_check.py`` measures.

Without a GPU: set ``NUMBA_ENABLE_CUDASIM=1`` before starting Python and the same kernels run
in numba's simulator (slowly: every CUDA thread is a Python thread), which is how the tests
check them on machines without one. Without either, using the backend raises
``CudaUnavailable`` saying why; importing this module never touches the GPU.

Two helpers of MiniTorch's course: ``sum_practice(a)`` (each block of 32 sums its 32 numbers)
and ``mm_practice(a, b)`` (one block multiplies two square matrices of size <= 32).
"""

from __future__ import annotations

import functools
import math
import re
import weakref
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional, Tuple

import numba
import numpy as np
from numba import cuda

from . import cuda_kernels as k
from . import numba_bridge, op_table
from .tensor_data import TensorData
from .tensor_ops import Kernel, TensorBackend, TensorOps

if TYPE_CHECKING:
    from .tensor import Tensor

Triple = Tuple[np.ndarray, np.ndarray, np.ndarray]  # (storage, shape, strides)


class CudaUnavailable(RuntimeError):
    """The CUDA backend cannot run here; the message says why and what to do."""


_checked: Dict[str, Optional[str]] = {}


def unavailable_reason() -> Optional[str]:
    """None when kernels can run (a GPU, or the simulator), else why not (checked once)."""
    if "reason" not in _checked:
        if k.SIMULATOR:
            _checked["reason"] = None
        elif cuda.is_available():
            _checked["reason"] = None
        else:
            detail = ""
            try:
                cuda.current_context()
            except Exception as error:  # numba's own explanation: no driver, no device, ...
                lines = [line.strip() for line in str(error).splitlines() if line.strip() not in ("", ":")]
                detail = " ".join(lines[:2]) or type(error).__name__
            _checked["reason"] = (
                "the CUDA backend needs an NVIDIA GPU with its driver"
                + (f" ({detail})" if detail else " (numba found none)")
                + "; without one, start Python with NUMBA_ENABLE_CUDASIM=1 to run the kernels in "
                "numba's (slow) simulator, or use FastBackend"
            )
    return _checked["reason"]


def require_cuda() -> None:
    """Raise CudaUnavailable (with the reason) unless the kernels can run."""
    reason = unavailable_reason()
    if reason is not None:
        raise CudaUnavailable(reason)


# ## Moving raw arrays and launching


def _check_triple(triple: Triple, what: str) -> Triple:
    storage, shape, strides = triple
    if storage.dtype != np.float64:
        raise TypeError(f"the CUDA backend computes on float64 storage, got {storage.dtype} for the {what}")
    if len(shape) > k.MAX_DIMS:
        raise ValueError(
            f"the CUDA backend handles at most {k.MAX_DIMS} dimensions, got shape {tuple(shape)} for the {what}"
        )
    return triple


def _to_device(triple: Triple) -> Tuple[Any, Any, Any]:
    storage, shape, strides = triple
    return cuda.to_device(np.ascontiguousarray(storage)), cuda.to_device(shape), cuda.to_device(strides)


def _is_contiguous(shape: np.ndarray, strides: np.ndarray) -> bool:
    expected = 1
    for size, stride in zip(shape[::-1], strides[::-1]):
        if size != 1 and stride != expected:
            return False
        expected *= int(size)
    return True


def _aligned(*triples: Triple) -> bool:
    """All of the same shape and contiguous: element i is at position i in each."""
    shape = tuple(triples[0][1])
    return all(tuple(t[1]) == shape and _is_contiguous(t[1], t[2]) for t in triples)


_TODO = re.compile(r"^Task \d+\.\d+: ")


@functools.lru_cache(maxsize=None)
def _unwritten(kernel: Any) -> Optional[str]:
    """The message of a kernel whose body is a course stub, ``raise NotImplementedError("Task
    3.3: ...")`` (the student edition, see course/README.md); None for a written kernel.

    A GPU ignores a ``raise`` in a kernel (numba checks for exceptions only with debug=True),
    and the simulator prefixes it with the thread's coordinates: so the launch says it here.
    """
    code = getattr(getattr(kernel, "py_func", None) or getattr(kernel, "fn", None), "__code__", None)
    if code is None or "NotImplementedError" not in code.co_names:
        return None
    return next((c for c in code.co_consts if isinstance(c, str) and _TODO.match(c)), None)


def _launch(kernel: Any) -> Any:
    """``kernel``, ready for ``kernel[grid, block](...)``, unless its body is still a course stub."""
    message = _unwritten(kernel)
    if message is not None:
        raise NotImplementedError(message)
    return kernel


# The map and zip kernels loop (grid-stride), so any number of blocks covers any size. In the
# simulator, where each thread is an OS thread, two blocks still test the loop.
MAX_BLOCKS = 2 if k.SIMULATOR else 65535


def _blocks(size: int) -> int:
    return max(1, min(math.ceil(size / k.THREADS), MAX_BLOCKS))


# Device versions of functions that are not in the op lists (a user's lambda), made on first
# use, and an uncached twin of each kernel to run them (a kernel that takes a function is
# compiled for that function, and such a kernel cannot be cached on disk).
_compiled: "weakref.WeakKeyDictionary[Callable[..., float], Any]" = weakref.WeakKeyDictionary()
_twins: Dict[str, Any] = {}


def _kernel_for(kernel: Any, fn: Callable[..., float], arity: int) -> Tuple[Any, Any]:
    """(kernel to launch, its ``fn`` argument) for the scalar function ``fn``: its op code
    in the frozen op table, or, for any other function, its device version."""
    table = numba_bridge.frozen_table()
    code = (table.unary_code if arity == 1 else table.binary_code).get(fn)
    if code is not None:
        return kernel, code
    if k.SIMULATOR:
        return kernel, fn  # the simulator calls the Python function as it is
    compiled = _compiled.get(fn)
    if compiled is None:
        compiled = _compiled[fn] = cuda.jit(device=True)(fn)
    twin = _twins.get(kernel.__name__)
    if twin is None:
        twin = _twins[kernel.__name__] = cuda.jit(kernel.py_func)
    return twin, compiled


def cuda_map(fn: Callable[[float], float], out: Triple, a: Triple) -> None:
    """Kernel call: ``out[i] = fn(a[i])`` for every index i of ``out`` (raw triples, host arrays).

    ``a``'s shape broadcasts to ``out``'s; the result is copied back into ``out``'s storage.
    """
    require_cuda()
    _check_triple(out, "output")
    _check_triple(a, "input")
    size = int(np.prod(out[1]))
    if size == 0:
        return
    kernel, f = _kernel_for(k.map_kernel, fn, 1)
    d_out, d_a = _to_device(out), _to_device(a)
    _launch(kernel)[_blocks(size), k.THREADS](f, *d_out, size, _aligned(out, a), *d_a)
    d_out[0].copy_to_host(out[0])


def cuda_zip(fn: Callable[[float, float], float], out: Triple, a: Triple, b: Triple) -> None:
    """Kernel call: ``out[i] = fn(a[i], b[i])`` for every index i of ``out`` (the broadcast shape)."""
    require_cuda()
    for triple, what in ((out, "output"), (a, "first input"), (b, "second input")):
        _check_triple(triple, what)
    size = int(np.prod(out[1]))
    if size == 0:
        return
    kernel, f = _kernel_for(k.zip_kernel, fn, 2)
    d_out, d_a, d_b = _to_device(out), _to_device(a), _to_device(b)
    _launch(kernel)[_blocks(size), k.THREADS](f, *d_out, size, _aligned(out, a, b), *d_a, *d_b)
    d_out[0].copy_to_host(out[0])


# A reduction with few outputs is split along its dimension into chunks of at least
# REDUCE_CHUNK numbers, at most REDUCE_PARTIALS partial results in all, which a second launch
# folds: one block per output would leave most of the GPU idle on a full sum of 1e8 numbers.
REDUCE_CHUNK = 8 * k.THREADS
REDUCE_PARTIALS = 4096


def _width(count: int) -> int:
    """Threads per output: the power of two >= count, at most a block."""
    width = 1
    while width < count and width < k.THREADS:
        width *= 2
    return width


def _reduce_launch(kernel: Any, f: Any, d_out: Any, out_shape: np.ndarray, out_strides: np.ndarray,
                   d_a: Any, a_shape: np.ndarray, a_strides: Any, dim: int, chunk: int, fold: int,
                   in_order: bool = False) -> None:  # fmt: skip
    out_size = int(np.prod(out_shape))
    width = 1 if in_order else _width(min(chunk, int(a_shape[dim])))
    groups = k.THREADS // width
    blocks = math.ceil(out_size / groups)
    _launch(kernel)[blocks, k.THREADS](
        f, d_out, cuda.to_device(out_shape), cuda.to_device(out_strides), out_size,
        d_a, cuda.to_device(a_shape), a_strides, dim, chunk, width, fold,
    )  # fmt: skip


def cuda_reduce(fn: Callable[[float, float], float], out: Triple, a: Triple, dim: int) -> None:
    """Kernel call: fold dimension ``dim`` of ``a`` into ``out`` (``a``'s shape with 1 at ``dim``),
    which arrives holding the start value.

    The functions of the op table's reduce rows (``add``, ``mul``, ``max``: associative and
    commutative) are folded in a tree by groups of threads, in two passes when the dimension
    is long and the outputs few; any other function in order, from the start value, by one
    thread per output, since nothing says it may be regrouped."""
    require_cuda()
    _check_triple(out, "output")
    _check_triple(a, "input")
    out_size = int(np.prod(out[1]))
    n = int(a[1][dim])
    if out_size == 0 or n == 0:
        return
    kernel, f = _kernel_for(k.reduce_kernel, fn, 2)
    d_out, d_a = _to_device(out), _to_device(a)
    # the reduce rows of the op table (add, mul, max) may be regrouped: a tree
    in_order = fn not in {op.fn for op in numba_bridge.frozen_table().rows if op.kind == op_table.REDUCE}
    chunks = 1
    if n > REDUCE_CHUNK and not in_order:
        chunks = min(math.ceil(n / REDUCE_CHUNK), max(1, REDUCE_PARTIALS // out_size))
    if chunks == 1:
        _reduce_launch(kernel, f, d_out[0], out[1], out[2], d_a[0], a[1], d_a[2], dim, n, 1, in_order)
    else:
        chunk = math.ceil(n / chunks)
        chunks = math.ceil(n / chunk)
        part_shape = np.array(a[1], dtype=np.int32)
        part_shape[dim] = chunks
        part_strides = np.array(_row_major(part_shape), dtype=np.int32)
        d_part = cuda.device_array(int(np.prod(part_shape)), dtype=np.float64)
        _reduce_launch(kernel, f, d_part, part_shape, part_strides, d_a[0], a[1], d_a[2], dim, chunk, 0)
        _reduce_launch(
            kernel, f, d_out[0], out[1], out[2], d_part, part_shape, cuda.to_device(part_strides), dim, chunks, 1
        )
    d_out[0].copy_to_host(out[0])


def _row_major(shape: np.ndarray) -> Tuple[int, ...]:
    strides, step = [], 1
    for size in reversed([int(s) for s in shape]):
        strides.append(step)
        step *= size
    return tuple(reversed(strides))


def cuda_matrix_multiply(out: Triple, a: Triple, b: Triple) -> None:
    """Kernel call: batched ``out[d] = a[d] @ b[d]`` for 3-D triples (a batch of 1 is shared)."""
    require_cuda()
    for triple, what in ((out, "output"), (a, "first input"), (b, "second input")):
        _check_triple(triple, what)
    d, n, p = (int(s) for s in out[1])
    if d * n * p == 0:
        return
    d_out, d_a, d_b = _to_device(out), _to_device(a), _to_device(b)
    grid = (math.ceil(p / k.BN), math.ceil(n / k.BM), d)
    _launch(k.matmul_kernel)[grid, (k.TB, k.TB)](*d_out, *d_a, *d_b)
    d_out[0].copy_to_host(out[0])


# ## The practice kernels, on tensors (MiniTorch's sum_practice / mm_practice)


def sum_practice(a: "Tensor") -> TensorData:
    """Block sums of a 1-D tensor: entry b is the sum of ``a[32b : 32b + 32]``.

    For up to 32 numbers, entry 0 is the whole sum; for 64, entries 0 and 1 add up to it.
    """
    require_cuda()
    if a.dims != 1:
        raise ValueError(f"sum_practice takes a 1-D tensor, got shape {a.shape}")
    size = a.shape[0]
    blocks = max(1, math.ceil(size / k.PRACTICE))
    storage = np.ascontiguousarray(a.contiguous()._tensor._storage[:size])
    d_out = cuda.device_array(blocks, dtype=np.float64)
    _launch(k.sum_practice_kernel)[blocks, k.PRACTICE](d_out, cuda.to_device(storage), size)
    return TensorData(d_out.copy_to_host(), (blocks,))


def mm_practice(a: "Tensor", b: "Tensor") -> TensorData:
    """``a @ b`` for two square matrices of the same size, at most 32, in one block."""
    require_cuda()
    if a.dims != 2 or b.dims != 2 or a.shape[0] != a.shape[1] or a.shape != b.shape:
        raise ValueError(f"mm_practice takes two square matrices of one size, got shapes {a.shape} and {b.shape}")
    size = a.shape[0]
    if size > k.PRACTICE:
        raise ValueError(f"mm_practice runs in one block of {k.PRACTICE}x{k.PRACTICE} threads: size {size} is too big")
    flat = [np.ascontiguousarray(t.contiguous()._tensor._storage[: size * size]) for t in (a, b)]
    d_out = cuda.device_array(size * size, dtype=np.float64)
    _launch(k.mm_practice_kernel)[1, (size, size)](d_out, cuda.to_device(flat[0]), cuda.to_device(flat[1]), size)
    return TensorData(d_out.copy_to_host(), (size, size))


# ## CudaOps: the kernels behind the TensorOps interface (which does everything else)


def _map(fn: Callable[[float], float], out, out_shape, out_strides, a, a_shape, a_strides) -> None:  # type: ignore[no-untyped-def]
    cuda_map(fn, (out, out_shape, out_strides), (a, a_shape, a_strides))


def _zip(fn: Callable[[float, float], float], out, out_shape, out_strides, a, a_shape, a_strides, b, b_shape, b_strides) -> None:  # type: ignore[no-untyped-def]  # noqa: E501
    cuda_zip(fn, (out, out_shape, out_strides), (a, a_shape, a_strides), (b, b_shape, b_strides))


def _reduce(fn: Callable[[float, float], float], out, out_shape, out_strides, a, a_shape, a_strides, dim) -> None:  # type: ignore[no-untyped-def]  # noqa: E501
    cuda_reduce(fn, (out, out_shape, out_strides), (a, a_shape, a_strides), int(dim))


class CudaOps(TensorOps):
    """The CUDA kernels, in ``TensorOps``' kernel interface (raw host triples in, the output
    written in place); ``TensorOps`` allocates, checks shapes and batches matmul."""

    cuda = True

    @staticmethod
    def map_kernel(fn: Callable[[float], float]) -> Kernel:
        return functools.partial(_map, fn)

    @staticmethod
    def zip_kernel(fn: Callable[[float, float], float]) -> Kernel:
        return functools.partial(_zip, fn)

    @staticmethod
    def reduce_kernel(fn: Callable[[float, float], float]) -> Kernel:
        return functools.partial(_reduce, fn)

    @staticmethod
    def matmul_kernel(out, out_shape, out_strides, a, a_shape, a_strides, b, b_shape, b_strides) -> None:  # type: ignore[no-untyped-def]  # noqa: E501
        cuda_matrix_multiply((out, out_shape, out_strides), (a, a_shape, a_strides), (b, b_shape, b_strides))


CudaBackend = TensorBackend(CudaOps)

__all__ = [
    "CudaBackend", "CudaOps", "CudaUnavailable", "cuda_map", "cuda_matrix_multiply", "cuda_reduce",
    "cuda_zip", "mm_practice", "require_cuda", "sum_practice", "unavailable_reason",
]  # fmt: skip
