"""Module 3: the CUDA kernels, as numba.cuda functions on raw ``(storage, shape, strides)`` arrays.

The same four primitives as ``SimpleOps`` (``map``, ``zip``, ``reduce``, ``matrix_multiply``),
each one top-level ``cuda.jit`` kernel, plus the two practice kernels of MiniTorch's course
(``sum_practice``, ``mm_practice``). ``cuda_ops.py`` puts them behind the ``TensorOps``
interface; this module knows nothing about tensors.

How a kernel knows which scalar function to apply
-------------------------------------------------
As in the fast CPU backend, a kernel's first argument ``fn`` is either a small integer, the
*op code* of a row of the op table (``op_table.op_codes``, frozen for the process by
``numba_bridge.frozen_table``), or a device function (a user's lambda, compiled with
``cuda.jit(device=True)``). ``_call1`` / ``_call2`` are resolved while numba compiles the
kernel: an integer selects ``apply1`` / ``apply2``, a chain of ``if op == i`` generated from
the table, so the table alone says which ops exist; a function is simply called. The op code is
the same for every thread of a launch, so the branch costs nothing next to a memory read.

The scalar functions and the index arithmetic are the table's and ``tensor_data.py``'s own
code, compiled as device functions (``_device_copies``, the CUDA twin of the bridge's
``jit_module_functions``): one definition of every formula.

Without a GPU
-------------
``NUMBA_ENABLE_CUDASIM=1`` (set before Python starts) makes numba run these kernels in its
simulator: every CUDA thread is a Python thread, shared memory and ``syncthreads`` behave as on
the device, but nothing is compiled, so the simulator checks the logic, not that numba can
compile it, nor the speed. Blocks are smaller there (``THREADS`` and the matmul tile below),
because each simulated thread is an operating-system thread. Real launches use 256 threads.

Layout rules the kernels rely on (the wrappers in ``cuda_ops`` check them): storage is a 1-D
float64 array, shape and strides are int32 arrays of at most ``MAX_DIMS`` entries, and a
contiguous tensor's element ``i`` (row-major) sits at storage position ``i``.
"""

from __future__ import annotations

import functools
import inspect
import sys
import types as _pytypes
from typing import Any, Callable, Dict, Sequence

import numba
from numba import cuda
from numba.extending import overload

from . import numba_bridge, tensor_data

SIMULATOR = bool(numba.config.ENABLE_CUDASIM)

# Index buffers live in each thread's local memory and need a size known at compile time.
MAX_DIMS = 16

# Threads per block for map, zip and reduce (a power of two: the reduction halves it).
THREADS = 32 if SIMULATOR else 256

# Matrix multiply: a block of TB x TB threads computes a (TB*TM) x (TB*TN) tile of the output,
# each thread a TM x TN patch of it held in registers, reading tiles of BK columns of a and
# BK rows of b from shared memory. Each number read from shared memory is used TM (or TN)
# times, which is what lifts the kernel from the shared-memory limit towards the FMA limit.
TB = 4 if SIMULATOR else 16
TM = 2 if SIMULATOR else 4
TN = TM
BM = TB * TM
BN = TB * TN
BK = 4 if SIMULATOR else 16
_A_LOADS = (BM * BK) // (TB * TB)  # numbers of the a tile each thread copies to shared memory
_B_LOADS = (BK * BN) // (TB * TB)
assert _A_LOADS * TB * TB == BM * BK and _B_LOADS * TB * TB == BK * BN

# The practice kernels of MiniTorch's course work on blocks of 32.
PRACTICE = 32


# ## The shared scalar and index code, as device functions

# cuda.jit under a name of its own: the simulator swaps this module's ``cuda`` for its fake
# one while a kernel runs, and the op chains may be built then (on first need).
_device_jit = functools.partial(cuda.jit, device=True)


def _device_copies(module: _pytypes.ModuleType) -> Dict[str, Any]:
    """``cuda.jit(device=True)`` copies of every function defined in ``module``, by name.

    The CUDA twin of ``numba_bridge.jit_module_functions``: each copy runs the module's own
    code but looks its globals up in a namespace where the module's functions are already
    the device copies (``operators.log_back`` calls ``inv``; a device function can only call
    device functions). numba compiles lazily: a copy no kernel calls is never compiled.
    """
    namespace = dict(vars(module))
    compiled: Dict[str, Any] = {}
    for name, f in vars(module).items():
        if inspect.isfunction(f) and f.__module__ == module.__name__:
            copy = _pytypes.FunctionType(f.__code__, namespace, f.__name__, f.__defaults__, f.__closure__)
            compiled[name] = namespace[name] = _device_jit(copy)
    return compiled


_idx = _device_copies(tensor_data)
_index_to_position = _idx["index_to_position"]
_to_index = _idx["to_index"]
_broadcast_index = _idx["broadcast_index"]


def _device_copy(f: Callable[..., float], modules: Dict[str, Dict[str, Any]]) -> Any:
    """The device version of the scalar function ``f`` of an op-table row."""
    module = sys.modules.get(f.__module__)
    if module is not None and getattr(module, f.__name__, None) is f:
        if f.__module__ not in modules:
            modules[f.__module__] = _device_copies(module)
        return modules[f.__module__][f.__name__]
    return _device_jit(f)


def _op_chain(name: str, functions: Sequence[Any], arity: int) -> Any:
    """A device function ``name(op, x[, y])`` that applies ``functions[op]``, written out as
    ``if op == 0: return f0(x) ...`` (numba cannot index a tuple of functions at run time)."""
    args = ", ".join("xy"[:arity])
    lines = [f"def {name}(op, {args}):"]
    for i in range(len(functions) - 1):
        lines += [f"    if op == {i}:", f"        return f{i}({args})"]
    lines.append(f"    return f{len(functions) - 1}({args})")
    namespace = {f"f{i}": f for i, f in enumerate(functions)}
    exec(compile("\n".join(lines) + "\n", f"<op table, CUDA: {name}>", "exec"), namespace)  # noqa: S102
    return _device_jit(namespace[name])


_chains: Dict[int, Any] = {}


def apply_chain(arity: int) -> Any:
    """``apply1(op, x)`` (arity 1) or ``apply2(op, x, y)`` for the op table as the kernels of
    this process see it (``numba_bridge.frozen_table``), built on first need: the op codes
    the wrappers pass come from the same frozen table."""
    if arity not in _chains:
        table = numba_bridge.frozen_table()
        modules: Dict[str, Dict[str, Any]] = {}
        functions = table.unary if arity == 1 else table.binary
        _chains[arity] = _op_chain(f"apply{arity}", [_device_copy(f, modules) for f in functions], arity)
    return _chains[arity]


def _call1(fn: Any, x: float) -> float:
    """``fn(x)`` for an op code or a function (this Python body runs in the simulator)."""
    return apply_chain(1)(fn, x) if isinstance(fn, int) else fn(x)


def _call2(fn: Any, x: float, y: float) -> float:
    """``fn(x, y)`` for an op code or a function (this Python body runs in the simulator)."""
    return apply_chain(2)(fn, x, y) if isinstance(fn, int) else fn(x, y)


# Compiled for the device, the choice is made while numba types the kernel.
if not SIMULATOR:

    @overload(_call1, target="cuda")
    def _call1_cuda(fn, x):  # type: ignore[no-untyped-def]
        if isinstance(fn, numba.types.Integer):
            apply1 = apply_chain(1)
            return lambda fn, x: apply1(fn, x)
        return lambda fn, x: fn(x)

    @overload(_call2, target="cuda")
    def _call2_cuda(fn, x, y):  # type: ignore[no-untyped-def]
        if isinstance(fn, numba.types.Integer):
            apply2 = apply_chain(2)
            return lambda fn, x, y: apply2(fn, x, y)
        return lambda fn, x, y: fn(x, y)


# ## map and zip: one thread per output position, in a grid-stride loop


@cuda.jit(cache=True)
def map_kernel(fn, out, out_shape, out_strides, size, aligned, a, a_shape, a_strides):  # type: ignore[no-untyped-def]
    """``out[i] = fn(a[i])`` for every index i of ``out`` (``a_shape`` broadcasts to it).

    ``aligned``: both contiguous with the same shape, so position = ordinal (no index math).
    """
    ### BEGIN SOLUTION task-3.3
    i = cuda.grid(1)
    step = cuda.gridsize(1)
    if aligned:
        while i < size:
            out[i] = _call1(fn, a[i])
            i += step
        return
    out_index = cuda.local.array(MAX_DIMS, numba.int32)[: len(out_shape)]
    a_index = cuda.local.array(MAX_DIMS, numba.int32)[: len(a_shape)]
    while i < size:
        _to_index(i, out_shape, out_index)
        _broadcast_index(out_index, out_shape, a_shape, a_index)
        value = a[_index_to_position(a_index, a_strides)]
        out[_index_to_position(out_index, out_strides)] = _call1(fn, value)
        i += step
    ### END SOLUTION


@cuda.jit(cache=True)
def zip_kernel(  # type: ignore[no-untyped-def]
    fn, out, out_shape, out_strides, size, aligned, a, a_shape, a_strides, b, b_shape, b_strides
):
    """``out[i] = fn(a[i], b[i])`` for every index i of ``out``, the broadcast of both shapes."""
    ### BEGIN SOLUTION task-3.3
    i = cuda.grid(1)
    step = cuda.gridsize(1)
    if aligned:
        while i < size:
            out[i] = _call2(fn, a[i], b[i])
            i += step
        return
    out_index = cuda.local.array(MAX_DIMS, numba.int32)[: len(out_shape)]
    a_index = cuda.local.array(MAX_DIMS, numba.int32)[: len(a_shape)]
    b_index = cuda.local.array(MAX_DIMS, numba.int32)[: len(b_shape)]
    while i < size:
        _to_index(i, out_shape, out_index)
        _broadcast_index(out_index, out_shape, a_shape, a_index)
        _broadcast_index(out_index, out_shape, b_shape, b_index)
        x = a[_index_to_position(a_index, a_strides)]
        y = b[_index_to_position(b_index, b_strides)]
        out[_index_to_position(out_index, out_strides)] = _call2(fn, x, y)
        i += step
    ### END SOLUTION


# ## reduce: groups of threads fold one output each, through shared memory


@cuda.jit(cache=True)
def reduce_kernel(  # type: ignore[no-untyped-def]
    fn, out, out_shape, out_strides, out_size, a, a_shape, a_strides, dim, chunk, width, fold
):
    """Fold dimension ``dim`` of ``a`` with ``fn``: in a tree for ``width`` > 1 (``fn`` must be
    associative and commutative), in order by one thread per output for ``width`` 1.

    ``out_shape`` is ``a_shape`` with ``dim`` of size ``ceil(a_shape[dim] / chunk)``: output
    position with index c at ``dim`` folds ``a``'s numbers c*chunk .. (c+1)*chunk - 1 along
    ``dim``. With one chunk that is the whole reduction; with several it is a first pass
    whose partial results another launch folds (so one long reduction still fills the GPU).

    A block of ``THREADS`` threads is cut into groups of ``width`` (a power of two): each
    group computes one output position. Each thread folds every ``width``-th number of the
    chunk, then the group combines its partial results in shared memory, halving the number
    of active threads at each step. ``fold``: 1 folds the result into what ``out`` holds
    (the start value), 0 overwrites it (a first pass, whose chunks must not each count it).
    """
    ### BEGIN SOLUTION task-3.3
    cache = cuda.shared.array(THREADS, numba.float64)
    t = cuda.threadIdx.x
    lane = t % width
    o = cuda.blockIdx.x * (cuda.blockDim.x // width) + t // width
    index = cuda.local.array(MAX_DIMS, numba.int32)[: len(out_shape)]
    count = 0
    out_pos = 0
    if o < out_size:
        _to_index(o, out_shape, index)
        out_pos = _index_to_position(index, out_strides)
        begin = index[dim] * chunk
        end = begin + chunk
        if end > a_shape[dim]:  # (no min(): numba's CUDA target has only its one-argument form)
            end = a_shape[dim]
        count = end - begin  # numbers in this chunk (> 0): slots 0..count-1 will hold values
        index[dim] = 0
        base = _index_to_position(index, a_strides)
        step = a_strides[dim]
        j = begin + lane
        if width == 1 and fold:
            # one thread folds its chunk in order from the start value: the only way for a
            # function that is not associative (a user's); nothing is left to combine
            acc = out[out_pos]
            while j < end:
                acc = _call2(fn, acc, a[base + j * step])
                j += 1
            out[out_pos] = acc
            count = 0
        elif j < end:
            acc = a[base + j * step]
            j += width
            while j < end:
                acc = _call2(fn, acc, a[base + j * step])
                j += width
            cache[t] = acc
    cuda.syncthreads()
    s = width // 2
    while s > 0:
        # slot lane + s holds a value only if it got a number: lane + s < count
        if lane < s and lane + s < count:
            cache[t] = _call2(fn, cache[t], cache[t + s])
        cuda.syncthreads()  # outside the if: every thread of the block must reach it
        s //= 2
    if lane == 0 and count > 0:
        if fold:
            out[out_pos] = _call2(fn, out[out_pos], cache[t])
        else:
            out[out_pos] = cache[t]
    ### END SOLUTION


# ## matrix multiply: shared-memory tiles, a register patch per thread


@cuda.jit(cache=True)
def matmul_kernel(out, out_shape, out_strides, a, a_shape, a_strides, b, b_shape, b_strides):  # type: ignore[no-untyped-def]
    """Batched ``out[d] = a[d] @ b[d]``, all three 3-D: a (Da, n, m), b (Db, m, p), out (D, n, p),
    with Da and Db equal to D or 1 (a batch of 1 is shared).

    Block (x, y, z) computes rows y*BM.., columns x*BN.. of batch z. For each slice of BK
    along m, the block copies an BM x BK tile of a (transposed) and a BK x BN tile of b into
    shared memory, zeros past the edges; then each thread multiplies its rows of the a tile
    by its columns of the b tile into a TM x TN patch of sums kept in registers. A thread's
    rows and columns are TB apart, so that neighbouring threads read neighbouring numbers
    (from global memory when copying, from shared memory when multiplying).
    """
    ### BEGIN SOLUTION task-3.4
    a_tile = cuda.shared.array((BK, BM), numba.float64)
    b_tile = cuda.shared.array((BK, BN), numba.float64)
    acc = cuda.local.array((TM, TN), numba.float64)
    a_reg = cuda.local.array(TM, numba.float64)
    b_reg = cuda.local.array(TN, numba.float64)
    tx = cuda.threadIdx.x
    ty = cuda.threadIdx.y
    tid = ty * TB + tx
    d = cuda.blockIdx.z
    row0 = cuda.blockIdx.y * BM
    col0 = cuda.blockIdx.x * BN
    n = out_shape[1]
    p = out_shape[2]
    m = a_shape[2]
    a_base = 0 if a_shape[0] == 1 else d * a_strides[0]
    b_base = 0 if b_shape[0] == 1 else d * b_strides[0]
    for r in range(TM):
        for c in range(TN):
            acc[r, c] = 0.0
    for k0 in range(0, m, BK):
        for load in range(_A_LOADS):
            e = tid + load * TB * TB
            i = row0 + e // BK
            k = k0 + e % BK
            value = 0.0
            if i < n and k < m:
                value = a[a_base + i * a_strides[1] + k * a_strides[2]]
            a_tile[e % BK, e // BK] = value
        for load in range(_B_LOADS):
            e = tid + load * TB * TB
            k = k0 + e // BN
            j = col0 + e % BN
            value = 0.0
            if k < m and j < p:
                value = b[b_base + k * b_strides[1] + j * b_strides[2]]
            b_tile[e // BN, e % BN] = value
        cuda.syncthreads()
        for k in range(BK):
            for r in range(TM):
                a_reg[r] = a_tile[k, ty + r * TB]
            for c in range(TN):
                b_reg[c] = b_tile[k, tx + c * TB]
            for r in range(TM):
                for c in range(TN):
                    acc[r, c] += a_reg[r] * b_reg[c]
        cuda.syncthreads()  # the tiles are overwritten next: everyone must be done with them
    for r in range(TM):
        i = row0 + ty + r * TB
        for c in range(TN):
            j = col0 + tx + c * TB
            if i < n and j < p:
                out[d * out_strides[0] + i * out_strides[1] + j * out_strides[2]] = acc[r, c]
    ### END SOLUTION


# ## The practice kernels of MiniTorch's course (Module 3)


@cuda.jit(cache=True)
def sum_practice_kernel(out, a, size):  # type: ignore[no-untyped-def]
    """Block ``b`` (of ``PRACTICE`` threads) writes ``out[b] = a[32b] + ... + a[32b + 31]``
    (missing numbers past ``size`` count as 0): each thread copies one number to shared
    memory, then the block adds pairs, halving the active threads at each step."""
    ### BEGIN SOLUTION task-3.3
    cache = cuda.shared.array(PRACTICE, numba.float64)
    t = cuda.threadIdx.x
    i = cuda.blockIdx.x * PRACTICE + t
    cache[t] = a[i] if i < size else 0.0
    cuda.syncthreads()
    s = PRACTICE // 2
    while s > 0:
        if t < s:
            cache[t] += cache[t + s]
        cuda.syncthreads()
        s //= 2
    if t == 0:
        out[cuda.blockIdx.x] = cache[0]
    ### END SOLUTION


@cuda.jit(cache=True)
def mm_practice_kernel(out, a, b, size):  # type: ignore[no-untyped-def]
    """One block: ``out = a @ b`` for contiguous ``size`` x ``size`` matrices, ``size <= 32``.
    Thread (i, j) copies a[i, j] and b[i, j] into shared memory once; after the barrier every
    product reads shared memory only, and thread (i, j) writes out[i, j]."""
    ### BEGIN SOLUTION task-3.4
    a_shared = cuda.shared.array((PRACTICE, PRACTICE), numba.float64)
    b_shared = cuda.shared.array((PRACTICE, PRACTICE), numba.float64)
    i = cuda.threadIdx.x
    j = cuda.threadIdx.y
    if i < size and j < size:
        a_shared[i, j] = a[i * size + j]
        b_shared[i, j] = b[i * size + j]
    cuda.syncthreads()
    if i < size and j < size:
        acc = 0.0
        for k in range(size):
            acc += a_shared[i, k] * b_shared[k, j]
        out[i * size + j] = acc
    ### END SOLUTION


# numba's disk cache watches only this file, but the kernels also compile the op table,
# operators.py and tensor_data.py: the bridge adds their hash to each kernel's cache stamp.
numba_bridge.watch(
    (map_kernel, zip_kernel, reduce_kernel, matmul_kernel, sum_practice_kernel, mm_practice_kernel)
)
