"""Module 3: the fast CPU backend. The same four primitives as ``SimpleOps``, compiled by numba.

``FastOps`` supplies the kernels of the ``TensorOps`` interface (map, zip, reduce, matrix
multiply) as ``numba.njit(parallel=True)`` kernels whose outer loop is a ``prange``, so they
use every core; ``TensorOps`` does the tensor-level half (outputs, shapes, start values,
batches). ``FastBackend = TensorBackend(FastOps)`` is what you pass as ``backend=`` to train
networks; nothing above the backend changes.

How a scalar function reaches a compiled, *cached* kernel
---------------------------------------------------------
numba can cache a compiled function on disk (``cache=True``) only when it is a top-level
function of a module. The textbook design, a factory ``tensor_map(fn)`` that builds a new
jitted closure per ``fn``, cannot be cached: 16 such kernels cost about 15 s of compiling at
*every* process start (every test run, every notebook kernel). So the backend is three
modules, one job each:

- ``numba_bridge``: compiles the library's own code for the kernels (the op table's formulas
  in ``operators.py``, the index arithmetic of ``tensor_data.py``: one definition of each),
  gives every row of the op table an op code, builds from the table the ``if`` chains over
  the codes that the kernels call, and keeps the disk cache honest (a hash of those files
  and of the table's rows in each kernel's cache stamp);
- ``cpu_kernels``: exactly four kernels (map, zip, reduce, matmul), top-level and cached,
  whose first argument says which scalar function to apply; their fast paths;
- this module: ``FastOps``, thin wrappers that pick the kernel and its first argument for a
  scalar function and run it (small tensors: the kernel's one-thread twin, ``cpu_kernels.ONE_THREAD``).

For a row of the op table the first argument is its op code; the inner loop over a
contiguous run is compiled once per op code with the code as a constant, so the chain folds
away and each op gets its own branch-free, vectorised loop. For any other function (a user's
lambda) the first argument is the function itself, compiled by numba on first use, and an
*uncached twin* of the same kernel runs it (a kernel that takes a function argument cannot
be cached). One kernel source serves both: ``call1(f, x)`` is resolved while numba compiles,
to the op-code chain for an integer and to ``f(x)`` for a function.

Measured alternatives (this machine, map + zip with all the table's ops, 1e6 numbers, one thread):

============================================  ==========  =========  ==========================
design                                        empty cache warm cache speed
============================================  ==========  =========  ==========================
op codes, one loop per op inside 2 kernels    8 s         0.15 s     add 0.29 ms, lt 0.30 ms
one kernel per op, generated from a template  56 s        0.22 s     the same
op codes, one generic loop (no per-op loop)   6 s         0.17 s     lt 4.4 ms: branchy, scalar
the jitted function as a kernel argument      never cached: ~0.2 s per op in every process
``numba.literally(op)`` specialisation         36 s        2.2 s      ~0.1 s dispatch per call
============================================  ==========  =========  ==========================

The chosen design now builds its chains from the op table (``numba_bridge``) instead of
writing them out by hand; benchmarks/README.md has the cold-start figures before and after.
The cache files go to ``__pycache__`` beside ``cpu_kernels.py`` (git-ignored; an editable
install, ``pip install -e .``, writes there too). If that folder is read-only numba falls
back to a per-user cache directory; ``NUMBA_CACHE_DIR`` moves it anywhere.

Debugging a kernel
------------------
Set ``NUMBA_DISABLE_JIT=1`` before starting Python: numba then runs every kernel as plain
Python (``prange`` becomes ``range``), so ``print`` and ``pdb`` work inside them. It is slow
(think seconds for a few thousand numbers), but the results are the same.
"""

from __future__ import annotations

import weakref
from typing import Any, Callable, Dict, List, Tuple

import numba
import numpy as np
from numba import njit

from . import cpu_kernels
from .numba_bridge import frozen_table
from .tensor_ops import Kernel, TensorBackend, TensorOps


_FLOAT64 = np.dtype(np.float64)


def _readable(storage: np.ndarray) -> np.ndarray:
    """``storage`` as the kernels are compiled for: a C-contiguous, writeable float64 array.

    Any other dtype would make numba compile (and cache) new kernels or fail with a typing
    traceback; a clear TypeError is better. A read-only input (possible through
    ``Tensor.make`` of someone's frozen numpy array) is copied, for the same reason: numba
    compiles read-only arrays as another type. (An output is always writeable: ``TensorOps``
    makes it, or checks map's ``out=``.)
    """
    flags = storage.flags
    if storage.dtype is _FLOAT64 and flags.writeable and flags.c_contiguous:
        return storage  # what TensorData makes (1-D, C-contiguous): the usual case, checked first
    if storage.dtype != np.float64:
        raise TypeError(
            f"the fast backend computes on float64 storage, got dtype {storage.dtype}: "
            f"convert it with np.asarray(x, dtype=np.float64)"
        )
    if not (storage.flags.c_contiguous and storage.flags.writeable):
        storage = np.array(storage)
    return storage


# numba-compiled versions of functions that are not in the op table (a user's lambda),
# made on first use and kept while the function lives.
_compiled: "weakref.WeakKeyDictionary[Callable[..., float], Any]" = weakref.WeakKeyDictionary()
_uncached_kernels: Dict[str, Any] = {}


def _kernel_for(kernel: Any, fn: Callable[..., float], codes: Dict[Any, int]) -> Tuple[Any, Any]:
    """(kernel to run, its first argument) for the scalar function ``fn``.

    A function of the op table gives the cached kernel and its op code. Any other function is
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


# Below this many elements (or multiply-adds) a kernel runs as its one-thread twin. Waking the
# other threads costs tens of microseconds (milliseconds when the machine is busy), more
# than the work itself; the small tensors of a toy network are all below it.
_PARALLEL_MIN = 1 << 16
_ONE_THREAD = cpu_kernels.ONE_THREAD
_NO_JIT = bool(numba.config.DISABLE_JIT)


_TypingError = numba.core.errors.TypingError


def _typing_error(fn: Any, error: Exception) -> TypeError:
    """What to raise when numba cannot compile a user's function ``fn`` (not its traceback)."""
    name = getattr(fn, "__name__", repr(fn))
    first_line = str(error).strip().splitlines()[0]
    return TypeError(
        f"the fast backend could not compile {name!r} with numba ({first_line}). Write it with "
        f"float arithmetic and the math module only, or use the SimpleBackend"
    )


def _call(kernel: Any, fn: Any, *args: Any) -> None:
    """``kernel(*args)``; a user function numba cannot compile becomes a TypeError that says so
    (not a numba typing traceback)."""
    try:
        kernel(*args)
    except _TypingError as error:
        raise _typing_error(fn, error) from error


def _run(kernel: Any, fn: Any, work: int, *args: Any) -> None:
    """``kernel(*args)`` for ``work`` numbers: below ``_PARALLEL_MIN`` by its one-thread twin, or,
    for a parallel kernel without one (``fast_conv``'s), with numba's pool set to one thread."""
    if work >= _PARALLEL_MIN or _NO_JIT:
        _call(kernel, fn, *args)
        return
    twin = _ONE_THREAD.get(kernel)
    if twin is not None:
        _call(twin, fn, *args)
        return
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        _call(kernel, fn, *args)
    finally:
        numba.set_num_threads(threads)


def _elementwise(kernel: Any, fn: Callable[..., float], arity: int) -> Kernel:
    """The ``TensorOps`` kernel for ``fn``: the compiled ``kernel`` run with ``fn``'s op code
    (or with ``fn`` compiled, in the uncached twin).

    The code is looked up at the first call, not now: ``TensorBackend`` builds every
    operation when it is made (FastBackend: when autograd is imported), and the compiled
    kernels read the op table only when they are first needed (``frozen_table``).
    """
    chosen: List[Any] = []  # [kernel, its one-thread twin, the first argument], at the first call

    def choose() -> None:
        table = frozen_table()
        parallel, first = _kernel_for(kernel, fn, table.unary_code if arity == 1 else table.binary_code)
        chosen.extend((parallel, _ONE_THREAD.get(parallel, parallel), first))

    # One wrapper per arity (not one taking *rest), calling the kernel itself (not through
    # _call): on tiny tensors every step here counts.
    def run_map(out, out_shape, out_strides, a, a_shape, a_strides):  # type: ignore[no-untyped-def]
        if not chosen:
            choose()
        kernel = chosen[1] if len(out) < _PARALLEL_MIN else chosen[0]  # the work: one per output
        try:
            kernel(chosen[2], out, out_shape, out_strides, _readable(a), a_shape, a_strides)
        except _TypingError as error:
            raise _typing_error(fn, error) from error

    def run_zip(out, out_shape, out_strides, a, a_shape, a_strides, b, b_shape, b_strides):  # type: ignore[no-untyped-def]
        if not chosen:
            choose()
        kernel = chosen[1] if len(out) < _PARALLEL_MIN else chosen[0]  # the work: one per output
        try:
            kernel(chosen[2], out, out_shape, out_strides, _readable(a), a_shape, a_strides, _readable(b), b_shape, b_strides)
        except _TypingError as error:
            raise _typing_error(fn, error) from error

    def run_reduce(out, out_shape, out_strides, a, a_shape, a_strides, dim):  # type: ignore[no-untyped-def]
        if not chosen:
            choose()
        kernel = chosen[1] if len(a) < _PARALLEL_MIN else chosen[0]
        try:
            kernel(chosen[2], out, out_shape, out_strides, _readable(a), a_shape, a_strides, dim)
        except _TypingError as error:
            raise _typing_error(fn, error) from error

    return run_map if arity == 1 else run_zip if kernel is not cpu_kernels.reduce_kernel else run_reduce


class FastOps(TensorOps):
    """``TensorOps`` with numba-parallel, disk-cached kernels (``cpu_kernels``; see the module docstring)."""

    @staticmethod
    def map_kernel(fn: Callable[[float], float]) -> Kernel:
        return _elementwise(cpu_kernels.map_kernel, fn, 1)

    @staticmethod
    def zip_kernel(fn: Callable[[float, float], float]) -> Kernel:
        return _elementwise(cpu_kernels.zip_kernel, fn, 2)

    @staticmethod
    def reduce_kernel(fn: Callable[[float, float], float]) -> Kernel:
        return _elementwise(cpu_kernels.reduce_kernel, fn, 2)

    @staticmethod
    def matmul_kernel(  # type: ignore[no-untyped-def]
        out, out_shape, out_strides, a, a_shape, a_strides, b, b_shape, b_strides
    ) -> None:
        work = len(out) * int(a_shape[2])
        _run(
            cpu_kernels.matmul_kernel, None, work,
            out, out_shape, out_strides, _readable(a), a_shape, a_strides, _readable(b), b_shape, b_strides,
        )  # fmt: skip


FastBackend = TensorBackend(FastOps)
