"""Module 3: the fast CPU backend. The same four primitives as ``SimpleOps``, compiled by numba.

``FastOps`` implements ``map``, ``zip``, ``reduce`` and ``matrix_multiply`` (the whole
``TensorOps`` interface) with ``numba.njit(parallel=True)`` kernels whose outer loop is a
``prange``, so they use every core. ``FastBackend = TensorBackend(FastOps)`` is what you pass
as ``backend=`` to train networks; nothing above the backend changes.

How a scalar function reaches a compiled, *cached* kernel
---------------------------------------------------------
numba can cache a compiled function on disk (``cache=True``) only when it is a top-level
function of a module. The textbook design, a factory ``tensor_map(fn)`` that builds a new
jitted closure per ``fn``, cannot be cached: 16 such kernels cost about 15 s of compiling at
*every* process start (every test run, every notebook kernel).

So there are exactly four kernels here (``_map_kernel``, ``_zip_kernel``, ``_reduce_kernel``,
``_matmul_kernel``), all top-level and cached. Their first argument says which scalar
function to apply. For the functions of ``autograd.operators`` (``neg``, ``exp``, ``add``,
``relu_back`` ... the ones ``TensorBackend`` passes) it is a small integer *op code*, found by
the function's identity in ``_UNARY`` / ``_BINARY``; inside the kernel ``_apply1(op, x)`` /
``_apply2(op, x, y)`` is an ``if`` chain over the op codes that calls the operators' own code
(compiled inline, so there is one definition of every formula: ``operators.py``). The inner
loop over a contiguous run is written once per op code with the code as a constant, so the
chain folds away and each op gets its own branch-free, vectorised loop (see ``_zip_run``).
For any other function (a user's lambda) the first argument is the function itself, compiled
by numba on first use, and an *uncached* twin of the same kernel runs it (a kernel that takes
a function argument cannot be cached). One kernel source serves both: ``_call1(f, x)`` is
resolved while numba compiles, to ``_apply1`` for an op code and to ``f(x)`` for a function.

Measured alternatives (this machine, map + zip with all 18 ops, 1e6 numbers, one thread):

============================================  ==========  =========  ==========================
design                                        empty cache warm cache speed
============================================  ==========  =========  ==========================
op codes, one loop per op inside 2 kernels    8 s         0.15 s     add 0.29 ms, lt 0.30 ms
one kernel per op, generated from a template  56 s        0.22 s     the same
op codes, one generic loop (no per-op loop)   6 s         0.17 s     lt 4.4 ms: branchy, scalar
the jitted function as a kernel argument      never cached: ~0.2 s per op in every process
``numba.literally(op)`` specialisation         36 s        2.2 s      ~0.1 s dispatch per call
============================================  ==========  =========  ==========================

Cold start with a warm cache (a new interpreter up to the first result of each primitive):
about 0.4 s; the first-ever compile of the four kernels (empty cache, as in a fresh clone)
about 15 s on 2 shared cores (benchmarks/README.md). The cache files go to ``__pycache__``
beside this file (git-ignored; an editable install, ``pip install -e .``, writes there too).
If that folder is read-only numba falls back to a per-user cache directory;
``NUMBA_CACHE_DIR`` moves it anywhere.

numba's cache only watches the kernel's own file. The kernels also compile code from
``operators.py`` and ``tensor_data.py`` (inlined), so editing those must invalidate the cache
too: ``_watch_sources`` adds a hash of both files to each kernel's cache stamp.

Fast paths
----------
- output and input(s) of the same shape, all contiguous: the storages are walked as one long
  row, with no index arithmetic at all;
- otherwise the output is cut into runs along its last dimension: the multi-index of a run's
  start is computed once (``to_index`` / ``broadcast_index`` / ``index_to_position`` from
  ``tensor_data``, compiled inline, into index buffers allocated once per run), and the run
  itself is a loop with constant steps (0 for a broadcast input), vectorised when the steps
  are 0 or 1;
- ``reduce`` over a dimension with stride 1 reads memory in order (a sum may be reordered, so
  it adds several numbers per instruction); over any other dimension it walks the output's
  last dimension in the inner loop, again in memory order;
- ``matrix_multiply`` runs in parallel over blocks of output rows, in i-k-j order: the inner
  loop runs along a row of ``b`` and of four output rows (all contiguous, so it vectorises),
  adding four rows of ``b`` to each per pass; ``b`` is walked in tiles that stay in the L2
  cache. A ``b`` with another layout is first copied to a contiguous buffer (m*p copies for n*m*p
  multiply-adds). Batch dimensions broadcast (a batch of 1 is reused);
- small tensors (under 65,536 elements or multiply-adds) run on one thread: waking the others
  costs more than the work.

Debugging a kernel
------------------
Set ``NUMBA_DISABLE_JIT=1`` before starting Python: numba then runs every kernel as plain
Python (``prange`` becomes ``range``), so ``print`` and ``pdb`` work inside them. It is slow
(think seconds for a few thousand numbers), but the results are the same.
"""

from __future__ import annotations

import hashlib
import types as _pytypes
import weakref
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional, Tuple

import numba
import numpy as np
from numba import njit, prange
from numba.extending import overload

from . import operators, tensor_data
from .tensor_data import shape_broadcast
from .tensor_ops import MapProto, TensorBackend, TensorOps, as_batch, check_map_out, matmul_shape, reduce_dim

if TYPE_CHECKING:
    from .tensor import Tensor

# ## Compiling the shared scalar and index code for the kernels


def _jit_inline(module: _pytypes.ModuleType, names: Tuple[str, ...]) -> Dict[str, Any]:
    """numba versions (``njit(inline="always")``) of the functions ``names`` of ``module``.

    Each copy runs the module's own code, but looks its globals up in a shared namespace in
    which those names are already the compiled copies: so ``operators.log_back``, which calls
    ``inv``, calls the compiled ``inv`` (numba cannot call a plain Python function).
    """
    namespace = dict(vars(module))
    compiled = {}
    for name in names:
        f = getattr(module, name)
        copy = _pytypes.FunctionType(f.__code__, namespace, f.__name__, f.__defaults__, f.__closure__)
        compiled[name] = namespace[name] = njit(inline="always")(copy)
    return compiled


# The op codes: a function's position in these tuples. ``_apply1`` / ``_apply2`` below
# follow the same order.
_UNARY = (
    operators.neg,
    operators.id,
    operators.sigmoid,
    operators.relu,
    operators.log,
    operators.exp,
    operators.inv,
)
_BINARY = (
    operators.add,
    operators.mul,
    operators.lt,
    operators.eq,
    operators.is_close,
    operators.max,
    operators.relu_back,
    operators.log_back,
    operators.inv_back,
    operators.sigmoid_back,
    operators.exp_back,
)
_UNARY_CODE = {f: i for i, f in enumerate(_UNARY)}
_BINARY_CODE = {f: i for i, f in enumerate(_BINARY)}
_ADD = 0  # its position in _BINARY: the sum along a stride-1 dimension has a loop of its own

_ops = _jit_inline(operators, tuple(f.__name__ for f in _UNARY + _BINARY))
_neg, _id, _sigmoid, _relu, _log, _exp, _inv = (_ops[f.__name__] for f in _UNARY)
_add, _mul, _lt, _eq, _is_close, _max = (_ops[f.__name__] for f in _BINARY[:6])
_relu_back, _log_back, _inv_back, _sigmoid_back, _exp_back = (_ops[f.__name__] for f in _BINARY[6:])

_idx = _jit_inline(tensor_data, ("index_to_position", "to_index", "broadcast_index"))
index_to_position = _idx["index_to_position"]
to_index = _idx["to_index"]
broadcast_index = _idx["broadcast_index"]


@njit(inline="always")
def _apply1(op, x):  # type: ignore[no-untyped-def]
    """The unary function with op code ``op`` (its position in ``_UNARY``) applied to ``x``."""
    if op == 0:
        return _neg(x)
    elif op == 1:
        return _id(x)
    elif op == 2:
        return _sigmoid(x)
    elif op == 3:
        return _relu(x)
    elif op == 4:
        return _log(x)
    elif op == 5:
        return _exp(x)
    else:
        return _inv(x)


@njit(inline="always")
def _apply2(op, x, y):  # type: ignore[no-untyped-def]
    """The binary function with op code ``op`` (its position in ``_BINARY``) applied to ``x, y``."""
    if op == 0:
        return _add(x, y)
    elif op == 1:
        return _mul(x, y)
    elif op == 2:
        return _lt(x, y)
    elif op == 3:
        return _eq(x, y)
    elif op == 4:
        return _is_close(x, y)
    elif op == 5:
        return _max(x, y)
    elif op == 6:
        return _relu_back(x, y)
    elif op == 7:
        return _log_back(x, y)
    elif op == 8:
        return _inv_back(x, y)
    elif op == 9:
        return _sigmoid_back(x, y)
    else:
        return _exp_back(x, y)


def _call1(f: Any, x: float) -> float:
    """``f(x)`` where ``f`` is an op code or a function (this Python body runs without the JIT)."""
    if isinstance(f, int):
        return _UNARY[f](x)
    return f(x)


def _call2(f: Any, x: float, y: float) -> float:
    """``f(x, y)`` where ``f`` is an op code or a function (this Python body runs without the JIT)."""
    if isinstance(f, int):
        return _BINARY[f](x, y)
    return f(x, y)


# Inside compiled code the choice is made once, while numba types the kernel: an integer
# ``f`` selects the op-code chain, anything else is called.
@overload(_call1)
def _call1_jit(f, x):  # type: ignore[no-untyped-def]
    if isinstance(f, numba.types.Integer):
        return lambda f, x: _apply1(f, x)
    return lambda f, x: f(x)


@overload(_call2)
def _call2_jit(f, x, y):  # type: ignore[no-untyped-def]
    if isinstance(f, numba.types.Integer):
        return lambda f, x, y: _apply2(f, x, y)
    return lambda f, x, y: f(x, y)


def _code(f: Any) -> int:
    """The op code ``f`` itself, or -1 for a function (this Python body runs without the JIT)."""
    return f if isinstance(f, int) else -1


@overload(_code)
def _code_jit(f):  # type: ignore[no-untyped-def]
    if isinstance(f, numba.types.Integer):
        return lambda f: f
    return lambda f: -1


# ## Small layout helpers (compiled inline)

# Length of the runs the output is cut into: long enough that the per-run index arithmetic
# is negligible, short enough that even a 1-D tensor gives every core some runs.
_RUN = 1024


@njit(inline="always")
def _size(shape):  # type: ignore[no-untyped-def]
    n = 1
    for s in shape:
        n *= s
    return n


@njit(inline="always")
def _is_contiguous(shape, strides):  # type: ignore[no-untyped-def]
    """Row-major at positions 0..size-1 (the stride of a size-1 dimension never matters)."""
    expected = 1
    for d in range(len(shape) - 1, -1, -1):
        if shape[d] != 1 and strides[d] != expected:
            return False
        expected *= shape[d]
    return True


@njit(inline="always")
def _same_shape(shape1, shape2):  # type: ignore[no-untyped-def]
    if len(shape1) != len(shape2):
        return False
    for d in range(len(shape1)):
        if shape1[d] != shape2[d]:
            return False
    return True


@njit(inline="always")
def _last_step(shape, strides):  # type: ignore[no-untyped-def]
    """Storage step along the last dimension (0 when absent or broadcast: size 1)."""
    d = len(shape) - 1
    if d < 0 or shape[d] == 1:
        return 0
    return strides[d]


# ## The inner loops: one run of elements with constant steps


@njit(inline="always")
def _map_loop(fn, out_run, a_run):  # type: ignore[no-untyped-def]
    """out_run[j] = fn(a_run[j]): the whole inner loop, for contiguous runs."""
    for j in range(len(out_run)):
        out_run[j] = _call1(fn, a_run[j])


@njit(inline="always")
def _zip_loop(fn, out_run, a_run, b_run):  # type: ignore[no-untyped-def]
    """out_run[j] = fn(a_run[j], b_run[j]): the whole inner loop, for contiguous runs."""
    for j in range(len(out_run)):
        out_run[j] = _call2(fn, a_run[j], b_run[j])


@njit(inline="always")
def _run_of(storage, start, step, j0, j1):  # type: ignore[no-untyped-def]
    """storage[start + j*step] for j in [j0, j1) as a contiguous array: a slice when step is
    1, else (step 0: one broadcast number) a small buffer filled with that number."""
    if step == 1:
        return storage[start + j0 : start + j1]
    return np.full(j1 - j0, storage[start])


# The inner loops. The compiler vectorises a loop (4-8 numbers per instruction) only when
# its steps are known, its indices cannot be negative (numba wraps negative indices) and
# its body has no branches. A loop over ``_apply2(op, ...)`` has eleven branches, and inside
# ``lt``, ``max``, ``relu_back``... a branch on the data that the CPU mispredicts half the
# time (measured: lt 15x slower than numpy). So runs with steps of 1 (or 0) get one loop per
# op code: ``_zip_loop(1, ...)`` is compiled with the constant 1 for ``op``, the chain folds
# away and ``mul``'s loop is a branch-free vector loop. Other steps take the general loop.


@njit(inline="always")
def _map_run(fn, out, o, o_step, a, pa, a_step, j0, j1):  # type: ignore[no-untyped-def]
    """out[o + j*o_step] = fn(a[pa + j*a_step]) for j in [j0, j1)."""
    if o_step == 1 and (a_step == 1 or a_step == 0):
        out_run = out[o + j0 : o + j1]
        a_run = _run_of(a, pa, a_step, j0, j1)
        code = _code(fn)
        if code == 0:
            _map_loop(0, out_run, a_run)
        elif code == 1:
            _map_loop(1, out_run, a_run)
        elif code == 2:
            _map_loop(2, out_run, a_run)
        elif code == 3:
            _map_loop(3, out_run, a_run)
        elif code == 4:
            _map_loop(4, out_run, a_run)
        elif code == 5:
            _map_loop(5, out_run, a_run)
        elif code == 6:
            _map_loop(6, out_run, a_run)
        else:
            _map_loop(fn, out_run, a_run)  # a user's function
    else:
        for j in range(j0, j1):
            out[o + j * o_step] = _call1(fn, a[pa + j * a_step])


@njit(inline="always")
def _zip_run(fn, out, o, o_step, a, pa, a_step, b, pb, b_step, j0, j1):  # type: ignore[no-untyped-def]
    """out[o + j*o_step] = fn(a[pa + j*a_step], b[pb + j*b_step]) for j in [j0, j1)."""
    if o_step == 1 and (a_step == 1 or a_step == 0) and (b_step == 1 or b_step == 0):
        out_run = out[o + j0 : o + j1]
        a_run = _run_of(a, pa, a_step, j0, j1)
        b_run = _run_of(b, pb, b_step, j0, j1)
        code = _code(fn)
        if code == 0:
            _zip_loop(0, out_run, a_run, b_run)
        elif code == 1:
            _zip_loop(1, out_run, a_run, b_run)
        elif code == 2:
            _zip_loop(2, out_run, a_run, b_run)
        elif code == 3:
            _zip_loop(3, out_run, a_run, b_run)
        elif code == 4:
            _zip_loop(4, out_run, a_run, b_run)
        elif code == 5:
            _zip_loop(5, out_run, a_run, b_run)
        elif code == 6:
            _zip_loop(6, out_run, a_run, b_run)
        elif code == 7:
            _zip_loop(7, out_run, a_run, b_run)
        elif code == 8:
            _zip_loop(8, out_run, a_run, b_run)
        elif code == 9:
            _zip_loop(9, out_run, a_run, b_run)
        elif code == 10:
            _zip_loop(10, out_run, a_run, b_run)
        else:
            _zip_loop(fn, out_run, a_run, b_run)  # a user's function
    else:
        for j in range(j0, j1):
            out[o + j * o_step] = _call2(fn, a[pa + j * a_step], b[pb + j * b_step])


@njit(fastmath={"reassoc"}, cache=True)
def _sum_run(storage, start, n, acc):  # type: ignore[no-untyped-def]
    """acc + storage[start] + ... + storage[start + n - 1], in any order.

    ``reassoc`` lets the compiler keep several partial sums in vector registers (a sum in
    strict left-to-right order waits for each addition to finish). The result can differ
    from the strict order in the last bits, as numpy's pairwise sum does.
    """
    for j in range(n):
        acc += storage[start + j]
    return acc


# ## The kernels
#
# Each kernel has one parallel loop (``prange``) over *runs*: pieces of at most ``_RUN``
# elements along the output's last dimension (or along the whole storage, when every
# layout is contiguous and the same). Where a run starts is worked out once per run.


@njit(parallel=True, cache=True)
def _map_kernel(fn, out, out_shape, out_strides, in_storage, in_shape, in_strides):  # type: ignore[no-untyped-def]
    """out[i] = fn(in[broadcast i]) for every index i of ``out_shape``.

    ``in_shape`` broadcasts to ``out_shape``. ``fn`` is an op code of ``_UNARY`` or a
    numba-compiled function.
    """
    size = _size(out_shape)
    dims = len(out_shape)
    flat = (
        _same_shape(out_shape, in_shape)
        and _is_contiguous(out_shape, out_strides)
        and _is_contiguous(in_shape, in_strides)
    )
    if flat or dims == 0:
        # One long row: element i sits at position i in both storages.
        last, out_step, in_step = size, 1, 1
    else:
        last = out_shape[dims - 1]
        out_step = _last_step(out_shape, out_strides)
        in_step = _last_step(in_shape, in_strides)
    if size == 0:
        return
    runs = (last + _RUN - 1) // _RUN
    for task in prange((size // last) * runs):
        row = task // runs
        j0 = (task % runs) * _RUN
        j1 = min(j0 + _RUN, last)
        o = 0
        p = 0
        if not flat:
            out_index = np.empty(dims, np.int32)
            in_index = np.empty(len(in_shape), np.int32)
            to_index(row * last, out_shape, out_index)
            broadcast_index(out_index, out_shape, in_shape, in_index)
            o = index_to_position(out_index, out_strides)
            p = index_to_position(in_index, in_strides)
        _map_run(fn, out, o, out_step, in_storage, p, in_step, j0, j1)


@njit(parallel=True, cache=True)
def _zip_kernel(  # type: ignore[no-untyped-def]
    fn, out, out_shape, out_strides, a_storage, a_shape, a_strides, b_storage, b_shape, b_strides
):
    """out[i] = fn(a[broadcast i], b[broadcast i]) for every index i of ``out_shape``.

    ``a_shape`` and ``b_shape`` broadcast to ``out_shape``. ``fn`` is an op code of
    ``_BINARY`` or a numba-compiled function.
    """
    size = _size(out_shape)
    dims = len(out_shape)
    flat = (
        _same_shape(out_shape, a_shape)
        and _same_shape(out_shape, b_shape)
        and _is_contiguous(out_shape, out_strides)
        and _is_contiguous(a_shape, a_strides)
        and _is_contiguous(b_shape, b_strides)
    )
    if flat or dims == 0:
        last, out_step, a_step, b_step = size, 1, 1, 1
    else:
        last = out_shape[dims - 1]
        out_step = _last_step(out_shape, out_strides)
        a_step = _last_step(a_shape, a_strides)
        b_step = _last_step(b_shape, b_strides)
    if size == 0:
        return
    runs = (last + _RUN - 1) // _RUN
    for task in prange((size // last) * runs):
        row = task // runs
        j0 = (task % runs) * _RUN
        j1 = min(j0 + _RUN, last)
        o = 0
        pa = 0
        pb = 0
        if not flat:
            out_index = np.empty(dims, np.int32)
            a_index = np.empty(len(a_shape), np.int32)
            b_index = np.empty(len(b_shape), np.int32)
            to_index(row * last, out_shape, out_index)
            broadcast_index(out_index, out_shape, a_shape, a_index)
            broadcast_index(out_index, out_shape, b_shape, b_index)
            o = index_to_position(out_index, out_strides)
            pa = index_to_position(a_index, a_strides)
            pb = index_to_position(b_index, b_strides)
        _zip_run(fn, out, o, out_step, a_storage, pa, a_step, b_storage, pb, b_step, j0, j1)


@njit(parallel=True, cache=True)
def _reduce_kernel(  # type: ignore[no-untyped-def]
    fn, out, out_shape, out_strides, a_storage, a_shape, a_strides, reduce_dim
):
    """out[i] = fn(...fn(fn(out[i], a[i with k=0]), a[i with k=1])..., a[i with k=n-1]).

    ``out_shape`` is ``a_shape`` with size 1 at ``reduce_dim``; ``out`` is pre-filled with
    the start value. ``fn`` is an op code of ``_BINARY`` or a numba-compiled function.
    """
    size = _size(out_shape)
    dims = len(out_shape)
    n = a_shape[reduce_dim]
    step = a_strides[reduce_dim] if n > 1 else 0
    last = out_shape[dims - 1]
    # Along the reduced dimension (when it is the last one, or has stride 1): each output
    # reads its n inputs in a row. Otherwise along the output's last dimension: a run of
    # outputs is updated once per k, reading a row of a each time.
    along_reduced = reduce_dim == dims - 1 or step == 1 or last == 1
    if size == 0:
        return
    # Cut the work into tasks small enough that every thread gets some even when there are
    # few outputs (a sum over dim 0 of (1000, 1000) is a single row of 1000 outputs): about
    # _RUN inputs per task along the reduced dimension; up to 8 runs of 256+ outputs otherwise.
    if along_reduced:
        per_task = max(1, _RUN // max(n, 1))  # outputs per task
        runs = 1
        tasks = (size + per_task - 1) // per_task
    else:
        per_task = max(256, min(_RUN, (last + 7) // 8))  # length of a run
        runs = (last + per_task - 1) // per_task
        tasks = (size // last) * runs
    out_step = _last_step(out_shape, out_strides)
    a_step = _last_step(a_shape, a_strides)
    for task in prange(tasks):
        index = np.empty(dims, np.int32)
        if along_reduced:
            for ordinal in range(task * per_task, min(task * per_task + per_task, size)):
                to_index(ordinal, out_shape, index)
                o = index_to_position(index, out_strides)
                p = index_to_position(index, a_strides)  # index[reduce_dim] == 0
                acc = out[o]
                if step == 1 and _code(fn) == _ADD:
                    acc = _sum_run(a_storage, p, n, acc)
                else:
                    for k in range(n):
                        acc = _call2(fn, acc, a_storage[p + k * step])
                out[o] = acc
        else:
            row = task // runs
            j0 = (task % runs) * per_task
            j1 = min(j0 + per_task, last)
            to_index(row * last, out_shape, index)
            o = index_to_position(index, out_strides)
            p = index_to_position(index, a_strides)
            for k in range(n):
                # out = fn(out, a[.., k, ..]) elementwise along the run (in place is safe:
                # each element is read before it is written).
                _zip_run(fn, out, o, out_step, out, o, out_step, a_storage, p + k * step, a_step, j0, j1)


# matrix_multiply works on blocks: _ROWS rows of the output at a time (one parallel task),
# and within them on tiles of rows of b of about _TILE numbers (256 KiB), small enough to
# stay in a core's L2 cache while every output row of the block uses them.
_ROWS = 64
_TILE = 32768


@njit(parallel=True, cache=True, fastmath={"contract"})
def _matmul_kernel(  # type: ignore[no-untyped-def]
    out, out_shape, out_strides, a_storage, a_shape, a_strides, b_storage, b_shape, b_strides
):
    """out[z, i, j] = sum_k a[z, i, k] * b[z, k, j], all three 3-D.

    ``out_shape`` is (batch, n, p); a is (batch or 1, n, m); b is (batch or 1, m, p).
    A batch size of 1 broadcasts. Each sum runs over k in order, in groups of four with
    fused multiply-adds (one at a time for a tile's last m % 4, and for the last n % 4 rows
    of a block): equal to ``SimpleOps`` up to the last bits.
    """
    batch, n, p = out_shape[0], out_shape[1], out_shape[2]
    m = a_shape[2]
    a_bstep = a_strides[0] if a_shape[0] > 1 else 0
    a_rstep, a_kstep = a_strides[1], a_strides[2]
    # The inner loop runs along rows of b: give b rows of stride 1 (a copy if it has other
    # strides, e.g. a transposed view; the copy costs m*p, the product n*m*p).
    if b_strides[2] == 1 or p == 1:
        bb = b_storage
        b_bstep = b_strides[0] if b_shape[0] > 1 else 0
        b_kstep = b_strides[1]
    else:
        b_batches = b_shape[0]
        bb = np.empty(b_batches * m * p)
        for t in prange(b_batches * m):
            src = (t // m) * b_strides[0] + (t % m) * b_strides[1]
            row = bb[t * p : t * p + p]
            for j in range(p):
                row[j] = b_storage[src + j * b_strides[2]]
        b_bstep = m * p if b_batches > 1 else 0
        b_kstep = p
    if batch * n * p == 0:
        return
    tile = max(4, _TILE // p)
    blocks = (n + _ROWS - 1) // _ROWS
    for task in prange(batch * blocks):
        z = task // blocks
        i0 = (task % blocks) * _ROWS
        rows = min(_ROWS, n - i0)
        a0 = z * a_bstep + i0 * a_rstep  # a[z, i0, 0]
        acc = np.zeros((rows, p))
        x = np.empty((4, 4))
        for k0 in range(0, m, tile):
            k1 = min(k0 + tile, m)
            k4 = k1 - (k1 - k0) % 4
            # i-k-j on four output rows at once, adding four rows of b per pass: per output
            # column 16 multiply-adds for 8 loads and 4 stores (each number of b read serves
            # four rows). Memory traffic, not arithmetic, limits this loop: one output row at
            # a time (4 multiply-adds for 5 loads and 1 store) was 2-3x slower. The loops over
            # rr and kk have constant lengths, so the compiler unrolls them and keeps x in
            # registers (benchmarks/README.md has the variants measured).
            for r in range(0, rows - 3, 4):
                c = acc[r : r + 4]
                for k in range(k0, k4, 4):
                    for rr in range(4):
                        for kk in range(4):
                            x[rr, kk] = a_storage[a0 + (r + rr) * a_rstep + (k + kk) * a_kstep]
                    s0 = z * b_bstep + k * b_kstep
                    b0 = bb[s0 : s0 + p]
                    b1 = bb[s0 + b_kstep : s0 + b_kstep + p]
                    b2 = bb[s0 + 2 * b_kstep : s0 + 2 * b_kstep + p]
                    b3 = bb[s0 + 3 * b_kstep : s0 + 3 * b_kstep + p]
                    for j in range(p):
                        y0, y1, y2, y3 = b0[j], b1[j], b2[j], b3[j]
                        for rr in range(4):
                            c[rr, j] += x[rr, 0] * y0 + x[rr, 1] * y1 + x[rr, 2] * y2 + x[rr, 3] * y3
                for k in range(k4, k1):  # the last (k1 - k0) % 4 rows of b in this tile
                    for rr in range(4):
                        x[rr, 0] = a_storage[a0 + (r + rr) * a_rstep + k * a_kstep]
                    s0 = z * b_bstep + k * b_kstep
                    b_row = bb[s0 : s0 + p]
                    for j in range(p):
                        for rr in range(4):
                            c[rr, j] += x[rr, 0] * b_row[j]
            for r in range(rows - rows % 4, rows):  # the last rows % 4 rows, one at a time
                acc_row = acc[r]
                for k in range(k0, k1):
                    xk = a_storage[a0 + r * a_rstep + k * a_kstep]
                    s0 = z * b_bstep + k * b_kstep
                    b_row = bb[s0 : s0 + p]
                    for j in range(p):
                        acc_row[j] += xk * b_row[j]
        for r in range(rows):
            o = z * out_strides[0] + (i0 + r) * out_strides[1]
            for j in range(p):
                out[o + j * out_strides[2]] = acc[r, j]


# ## Keeping the cache honest


def _watch_sources(kernels: Tuple[Any, ...], modules: Tuple[_pytypes.ModuleType, ...]) -> None:
    """Make each kernel's disk cache stale whenever one of ``modules``' files changes.

    numba stamps a cache with the modification time and size of the kernel's own file only,
    but these kernels inline code from ``operators.py`` and ``tensor_data.py``: after a
    student edits ``operators.exp``, a stale kernel would silently keep the old formula. We
    add a hash of those files to the stamp. This touches numba internals
    (``Dispatcher._cache._cache_file._source_stamp``); if they change, we only lose the
    guard (numba then behaves as documented: delete ``__pycache__`` after editing them).
    """
    digest = hashlib.sha256()
    for module in modules:
        with open(module.__file__, "rb") as source:
            digest.update(source.read())
    for kernel in kernels:
        cache_file = getattr(getattr(kernel, "_cache", None), "_cache_file", None)
        if cache_file is not None and hasattr(cache_file, "_source_stamp"):
            cache_file._source_stamp = (cache_file._source_stamp, digest.hexdigest())


_KERNELS = (_map_kernel, _zip_kernel, _reduce_kernel, _matmul_kernel, _sum_run)
_watch_sources(_KERNELS, (operators, tensor_data))


# ## FastOps: the kernels behind the TensorOps interface


def _storage(t: "Tensor", output: bool = False) -> np.ndarray:
    """``t``'s storage, checked: the kernels are compiled for 1-D float64 arrays only.

    Any other dtype would make numba compile (and cache) new kernels or fail with a typing
    traceback; a clear TypeError is better. A non-contiguous or read-only float64 input
    (possible through ``Tensor.make`` of someone's numpy view) is copied, for the same
    reason; an output like that cannot be copied (the results would land in the copy).
    """
    storage = t._tensor._storage
    if storage.dtype != np.float64:
        raise TypeError(
            f"the fast backend computes on float64 storage, got dtype {storage.dtype} "
            f"for a tensor of shape {t.shape}: convert it with np.asarray(x, dtype=np.float64)"
        )
    if not (storage.flags.c_contiguous and storage.flags.writeable):
        if output:
            raise TypeError(
                f"the fast backend writes only into contiguous, writeable storage; the output "
                f"tensor of shape {t.shape} has a strided or read-only numpy array as storage"
            )
        storage = np.array(storage)
    return storage


def _empty(like: "Tensor", shape: Tuple[int, ...], fill: Optional[float] = None) -> "Tensor":
    """A new contiguous tensor of ``shape`` on ``like``'s backend, for a kernel to fill.

    Not ``like.zeros(shape)``: the kernels write every element anyway, and zeroing a big
    output first is one more pass over memory (it made a 1e6-element add 1.5x slower).
    """
    size = 1
    for s in shape:
        size *= s
    storage = np.empty(size) if fill is None else np.full(size, fill)
    return like.make(storage, shape, backend=like.backend)


# numba-compiled versions of functions that are not in ``operators`` (a user's lambda),
# made on first use and kept while the function lives.
_compiled: "weakref.WeakKeyDictionary[Callable[..., float], Any]" = weakref.WeakKeyDictionary()
_uncached_kernels: Dict[str, Any] = {}


def _kernel_for(kernel: Any, fn: Callable[..., float], codes: Dict[Any, int]) -> Tuple[Any, Any]:
    """(kernel to run, its first argument) for the scalar function ``fn``.

    An ``operators`` function gives the cached kernel and its op code. Any other function is
    compiled by numba (``njit``) and runs in an uncached twin of the kernel, compiled again
    for each new function (1-2 s: the price of a function the cache cannot know). The twin
    is compiled without ``parallel=True`` (it runs on one thread), which halves that time.
    """
    code = codes.get(fn)
    if code is not None:
        return kernel, code
    if isinstance(fn, numba.core.registry.CPUDispatcher):
        compiled = fn
    elif getattr(numba.config, "DISABLE_JIT", False):
        compiled = fn  # no compiler: the kernels run as Python and call fn as it is
    else:
        compiled = _compiled.get(fn)
        if compiled is None:
            compiled = _compiled[fn] = njit(fn)
    name = getattr(kernel, "__name__", str(kernel))
    twin = _uncached_kernels.get(name)
    if twin is None:
        python_kernel = getattr(kernel, "py_func", kernel)
        twin = python_kernel if python_kernel is kernel else njit(python_kernel)
        _uncached_kernels[name] = twin
    return twin, compiled


# Below this many elements (or multiply-adds) a kernel runs on one thread. Waking the
# other threads costs tens of microseconds (milliseconds when the machine is busy), more
# than the work itself; the small tensors of a toy network are all below it.
_PARALLEL_MIN = 1 << 16
_NO_JIT = bool(numba.config.DISABLE_JIT)


def _run(kernel: Any, fn: Any, work: int, *args: Any) -> None:
    """``kernel(*args)``: on one thread if ``work`` is small; a user function numba cannot
    compile becomes a TypeError that says so (not a numba typing traceback)."""
    one_thread = work < _PARALLEL_MIN and not _NO_JIT
    if one_thread:
        threads = numba.get_num_threads()
        numba.set_num_threads(1)
    try:
        kernel(*args)
    except numba.core.errors.TypingError as error:
        name = getattr(fn, "__name__", repr(fn))
        first_line = str(error).strip().splitlines()[0]
        raise TypeError(
            f"the fast backend could not compile {name!r} with numba ({first_line}). Write it with "
            f"float arithmetic and the math module only, or use the SimpleBackend"
        ) from error
    finally:
        if one_thread:
            numba.set_num_threads(threads)


class FastOps(TensorOps):
    """``TensorOps`` with numba-parallel, disk-cached kernels (see the module docstring)."""

    @staticmethod
    def map(fn: Callable[[float], float]) -> MapProto:
        """Elementwise ``fn``: ``f(a, out=None)``; ``a.shape`` must broadcast to ``out.shape``."""

        def ret(a: "Tensor", out: Optional["Tensor"] = None) -> "Tensor":
            if out is None:
                out = _empty(a, a.shape)
            else:
                check_map_out(a, out)
            kernel, f = _kernel_for(_map_kernel, fn, _UNARY_CODE)
            _, a_shape, a_strides = a.tuple()
            _, out_shape, out_strides = out.tuple()
            _run(kernel, fn, out.size, f, _storage(out, True), out_shape, out_strides, _storage(a), a_shape, a_strides)
            return out

        return ret

    @staticmethod
    def zip(fn: Callable[[float, float], float]) -> Callable[["Tensor", "Tensor"], "Tensor"]:
        """Elementwise ``fn`` of two tensors: ``f(a, b)`` of shape ``shape_broadcast(a.shape, b.shape)``."""

        def ret(a: "Tensor", b: "Tensor") -> "Tensor":
            shape = a.shape if a.shape == b.shape else shape_broadcast(a.shape, b.shape)
            out = _empty(a, shape)
            kernel, f = _kernel_for(_zip_kernel, fn, _BINARY_CODE)
            _, a_shape, a_strides = a.tuple()
            _, b_shape, b_strides = b.tuple()
            _, out_shape, out_strides = out.tuple()
            _run(
                kernel, fn, out.size, f, _storage(out), out_shape, out_strides,
                _storage(a), a_shape, a_strides, _storage(b), b_shape, b_strides,
            )  # fmt: skip
            return out

        return ret

    @staticmethod
    def reduce(fn: Callable[[float, float], float], start: float = 0.0) -> Callable[["Tensor", int], "Tensor"]:
        """Fold dimension ``dim`` with ``fn`` from ``start``: ``f(a, dim)`` keeps ``dim`` with size 1."""

        def ret(a: "Tensor", dim: int) -> "Tensor":
            dim = reduce_dim(a, dim)
            out_shape = list(a.shape)
            out_shape[dim] = 1
            out = _empty(a, tuple(out_shape), fill=start)
            kernel, f = _kernel_for(_reduce_kernel, fn, _BINARY_CODE)
            _, a_shape, a_strides = a.tuple()
            _, o_shape, o_strides = out.tuple()
            _run(kernel, fn, a.size, f, _storage(out), o_shape, o_strides, _storage(a), a_shape, a_strides, dim)
            return out

        return ret

    @staticmethod
    def matrix_multiply(a: "Tensor", b: "Tensor") -> "Tensor":
        """``a @ b``: (n, m) @ (m, p) -> (n, p), or batches (D or 1, n, m) @ (D or 1, m, p) -> (D, n, p)."""
        shape = matmul_shape(a.shape, b.shape)
        a3, b3 = as_batch(a), as_batch(b)
        out = _empty(a, (max(a3.shape[0], b3.shape[0]), a3.shape[1], b3.shape[2]))
        _, a_shape, a_strides = a3.tuple()
        _, b_shape, b_strides = b3.tuple()
        storage, o_shape, o_strides = out.tuple()
        work = out.size * a3.shape[2]
        _run(
            _matmul_kernel, None, work,
            storage, o_shape, o_strides, _storage(a3), a_shape, a_strides, _storage(b3), b_shape, b_strides,
        )  # fmt: skip
        return out.make(storage, shape, backend=out.backend)


FastBackend = TensorBackend(FastOps)
