"""Module 3: the CPU kernels of the fast backend, compiled by numba (``FastOps`` in fast_ops.py).

Four kernels, one per primitive: ``map_kernel``, ``zip_kernel``, ``reduce_kernel`` and
``matmul_kernel``, each a top-level ``njit(parallel=True, cache=True)`` function whose outer
loop is a ``prange``. They take raw ``(storage, shape, strides)`` triples and write into a
preallocated output, as ``TensorOps`` describes. The first argument of map, zip and reduce
says which scalar function to apply: an op code of the op table (then ``numba_bridge``'s
``call1`` / ``call2`` run the table's compiled formula) or a numba-compiled user function
(then an uncached twin of the kernel runs it, see ``fast_ops``). Each kernel is also compiled,
from the same source, as a cached one-thread twin (``ONE_THREAD``, at the end of this file):
tensors below ``fast_ops._PARALLEL_MIN`` numbers run it, without the thread pool's cost.

Fast paths
----------
- output and input(s) of the same shape, all contiguous: the storages are walked as one long
  row, with no index arithmetic at all;
- otherwise the output is cut into runs along its last dimension: the multi-index of a run's
  start is computed once (``to_index`` / ``broadcast_index`` / ``index_to_position`` from
  ``tensor_data``, compiled inline, into index buffers allocated once per run), and the run
  itself is a loop with constant steps (0 for a broadcast input), vectorised when the steps
  are 0 or 1, with one loop per op code;
- ``reduce`` over a dimension with stride 1 reads memory in order (a sum may be reordered, so
  it adds several numbers per instruction); over any other dimension it walks the output's
  last dimension in the inner loop, again in memory order;
- ``matrix_multiply`` runs in parallel over blocks of output rows, in i-k-j order: the inner
  loop runs along a row of ``b`` and of four output rows (all contiguous, so it vectorises),
  adding four rows of ``b`` to each per pass; ``b`` is walked in tiles that stay in the L2
  cache. A ``b`` with another layout is first copied to a contiguous buffer (m*p copies for
  n*m*p multiply-adds). Batch dimensions broadcast (a batch of 1 is reused).
"""

from __future__ import annotations

import types

import numpy as np
from numba import njit, prange

from .numba_bridge import (
    broadcast_index, call1, call2, index_to_position, is_add, per_op_code, to_index, watch, wide_vectors,
)  # fmt: skip

# ## Small layout helpers (compiled inline)

# Length of the runs the output is cut into: long enough that the per-run index arithmetic
# is negligible, short enough that even a 1-D tensor gives every core some runs.
_RUN = 1024
# map's runs when every layout is contiguous: 128 KiB of input and of output (in the L2
# cache); 1e6 numbers still give 62 runs to share among the threads.
_FLAT_RUN = 16384


@njit(inline="always")
def _group(run, last, runs):  # type: ignore[no-untyped-def]
    """How many runs one task of the parallel loop takes: 1 for long rows (each row is cut
    into ``runs`` runs), else enough short rows for about ``run`` numbers. A task allocates
    its index buffers once: per row of 2 numbers (2x2 pooling) they cost 100x the arithmetic."""
    return 1 if runs > 1 else max(1, run // max(last, 1))


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


@njit(inline="always")
def _aligned_strides(out_shape, shape, strides, result):  # type: ignore[no-untyped-def]
    """``result[d]``: how far the input's position moves when the output's index moves by one
    at dimension d: the input's stride there, 0 where the input is broadcast (a size-1 or a
    missing leading dimension)."""
    offset = len(out_shape) - len(shape)
    for d in range(len(out_shape)):
        i = d - offset
        result[d] = 0 if i < 0 or shape[i] == 1 else strides[i]


# ## The inner loops: one run of elements with constant steps


@njit(inline="always")
def _map_loop(fn, runs):  # type: ignore[no-untyped-def]
    """out_run[j] = fn(a_run[j]) for ``runs = (out_run, a_run)``: the whole inner loop."""
    out_run, a_run = runs
    wide_vectors()  # exp, log, sigmoid: 512-bit vectors where the CPU has them (numpy uses them)
    for j in range(len(out_run)):
        out_run[j] = call1(fn, a_run[j])


@njit(inline="always")
def _zip_loop(fn, runs):  # type: ignore[no-untyped-def]
    """out_run[j] = fn(a_run[j], b_run[j]) for ``runs = (out_run, a_run, b_run)``."""
    out_run, a_run, b_run = runs
    for j in range(len(out_run)):
        out_run[j] = call2(fn, a_run[j], b_run[j])


# The inner loops. The compiler vectorises a loop (4-8 numbers per instruction) only when
# its steps are known, its indices cannot be negative (numba wraps negative indices) and
# its body has no branches. A loop over ``apply2(op, ...)`` has a branch per op code, and
# inside ``lt``, ``max``, ``relu_back``... a branch on the data that the CPU mispredicts half
# the time (measured: lt 15x slower than numpy). So runs with steps of 1 (or 0) go through
# ``_zip_loop_per_op``: one copy of the loop per op code, each compiled with its code as a
# constant, so the chain folds away and ``mul``'s loop is a branch-free vector loop. Other
# steps take the general loop.
_map_loop_per_op = per_op_code(_map_loop, 1)
_zip_loop_per_op = per_op_code(_zip_loop, 2)


# Below this many numbers a run takes the general loop: the per-op loop's slices and its
# buffer for a broadcast number (an allocation) cost more than a few numbers' work (rows of
# 2 in 2x2 pooling: 100 ns a number through the per-op loop, 10 ns through the general one).
_SHORT_RUN = 16


@njit(inline="always")
def _run_of(storage, start, step, j0, j1):  # type: ignore[no-untyped-def]
    """storage[start + j*step] for j in [j0, j1) as a contiguous array: a slice when step is
    1, else (step 0: one broadcast number) a small buffer filled with that number."""
    if step == 1:
        return storage[start + j0 : start + j1]
    return np.full(j1 - j0, storage[start])


@njit(inline="always")
def _map_run(fn, out, o, o_step, a, pa, a_step, j0, j1):  # type: ignore[no-untyped-def]
    """out[o + j*o_step] = fn(a[pa + j*a_step]) for j in [j0, j1)."""
    if j1 - j0 >= _SHORT_RUN and o_step == 1 and (a_step == 1 or a_step == 0):
        out_run = out[o + j0 : o + j1]
        a_run = _run_of(a, pa, a_step, j0, j1)
        _map_loop_per_op(fn, (out_run, a_run))
    else:
        for j in range(j0, j1):
            out[o + j * o_step] = call1(fn, a[pa + j * a_step])


@njit(inline="always")
def _zip_run(fn, out, o, o_step, a, pa, a_step, b, pb, b_step, j0, j1):  # type: ignore[no-untyped-def]
    """out[o + j*o_step] = fn(a[pa + j*a_step], b[pb + j*b_step]) for j in [j0, j1)."""
    if j1 - j0 >= _SHORT_RUN and o_step == 1 and (a_step == 1 or a_step == 0) and (b_step == 1 or b_step == 0):
        out_run = out[o + j0 : o + j1]
        a_run = _run_of(a, pa, a_step, j0, j1)
        b_run = _run_of(b, pb, b_step, j0, j1)
        _zip_loop_per_op(fn, (out_run, a_run, b_run))
    else:
        for j in range(j0, j1):
            out[o + j * o_step] = call2(fn, a[pa + j * a_step], b[pb + j * b_step])


@njit(fastmath={"reassoc"}, cache=True)
def sum_run(storage, start, n, acc):  # type: ignore[no-untyped-def]
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
# layout is contiguous and the same). Where a run starts is worked out once per run; short
# rows are grouped, several runs to a task (``_group``).


# error_model="numpy": a division by zero gives inf or nan instead of raising. Python's model
# checks every ``/`` for a zero divisor, a branch that keeps the loop from being vectorised
# (sigmoid's 1 / (1 + z) can never divide by zero, but the compiler cannot know). The op
# table's formulas never divide by zero (``operators.inv`` handles 0 itself), and a user's
# function runs in an uncached twin with numba's default model (``fast_ops``), so nothing
# that raised before gives a number now.
@njit(parallel=True, cache=True, error_model="numpy")
def map_kernel(fn, out, out_shape, out_strides, in_storage, in_shape, in_strides):  # type: ignore[no-untyped-def]
    """out[i] = fn(in[broadcast i]) for every index i of ``out_shape``.

    ``in_shape`` broadcasts to ``out_shape``. ``fn`` is a unary op code or a
    numba-compiled function.
    """
    ### BEGIN SOLUTION task-3.1
    size = _size(out_shape)
    dims = len(out_shape)
    flat = (
        _same_shape(out_shape, in_shape)
        and _is_contiguous(out_shape, out_strides)
        and _is_contiguous(in_shape, in_strides)
    )
    run = _RUN
    if flat or dims == 0:
        # One long row: element i sits at position i in both storages. Longer runs: each
        # costs some setup (measured: 10% of an exp of 1e6 numbers in runs of _RUN).
        last, out_step, in_step, run = size, 1, 1, _FLAT_RUN
    else:
        last = out_shape[dims - 1]
        out_step = _last_step(out_shape, out_strides)
        in_step = _last_step(in_shape, in_strides)
    if size == 0:
        return
    runs = (last + run - 1) // run
    tasks = (size // last) * runs
    group = _group(run, last, runs)
    for chunk in prange((tasks + group - 1) // group):
        first, end = chunk * group, min(chunk * group + group, tasks)
        if flat:
            for task in range(first, end):
                j0 = task * run
                _map_run(fn, out, 0, 1, in_storage, 0, 1, j0, min(j0 + run, last))
        elif runs > 1:  # long rows, cut into runs: one run per task
            out_index = np.empty(dims, np.int32)
            in_index = np.empty(len(in_shape), np.int32)
            row = first // runs
            j0 = (first % runs) * run
            to_index(row * last, out_shape, out_index)
            broadcast_index(out_index, out_shape, in_shape, in_index)
            o = index_to_position(out_index, out_strides)
            p = index_to_position(in_index, in_strides)
            _map_run(fn, out, o, out_step, in_storage, p, in_step, j0, min(j0 + run, last))
        else:  # short rows, a group of them per task: the first one's positions, then step
            out_index = np.empty(dims, np.int32)
            in_index = np.empty(len(in_shape), np.int32)
            in_steps = np.empty(dims, np.int32)
            _aligned_strides(out_shape, in_shape, in_strides, in_steps)
            to_index(first * last, out_shape, out_index)
            broadcast_index(out_index, out_shape, in_shape, in_index)
            o = index_to_position(out_index, out_strides)
            p = index_to_position(in_index, in_strides)
            for row in range(first, end):
                _map_run(fn, out, o, out_step, in_storage, p, in_step, 0, last)
                # The next row: one more at the dimension before the last, carrying as an odometer.
                d = dims - 2
                while d >= 0:
                    out_index[d] += 1
                    o += out_strides[d]
                    p += in_steps[d]
                    if out_index[d] < out_shape[d]:
                        break
                    o -= out_strides[d] * out_shape[d]
                    p -= in_steps[d] * out_shape[d]
                    out_index[d] = 0
                    d -= 1
    ### END SOLUTION


@njit(parallel=True, cache=True)
def zip_kernel(  # type: ignore[no-untyped-def]
    fn, out, out_shape, out_strides, a_storage, a_shape, a_strides, b_storage, b_shape, b_strides
):
    """out[i] = fn(a[broadcast i], b[broadcast i]) for every index i of ``out_shape``.

    ``a_shape`` and ``b_shape`` broadcast to ``out_shape``. ``fn`` is a binary op code
    or a numba-compiled function.
    """
    ### BEGIN SOLUTION task-3.1
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
    tasks = (size // last) * runs
    group = _group(_RUN, last, runs)
    for chunk in prange((tasks + group - 1) // group):
        first, end = chunk * group, min(chunk * group + group, tasks)
        if flat:
            for task in range(first, end):
                j0 = task * _RUN
                _zip_run(fn, out, 0, 1, a_storage, 0, 1, b_storage, 0, 1, j0, min(j0 + _RUN, last))
        elif runs > 1:  # long rows, cut into runs: one run per task
            out_index = np.empty(dims, np.int32)
            a_index = np.empty(len(a_shape), np.int32)
            b_index = np.empty(len(b_shape), np.int32)
            row = first // runs
            j0 = (first % runs) * _RUN
            to_index(row * last, out_shape, out_index)
            broadcast_index(out_index, out_shape, a_shape, a_index)
            broadcast_index(out_index, out_shape, b_shape, b_index)
            o = index_to_position(out_index, out_strides)
            pa = index_to_position(a_index, a_strides)
            pb = index_to_position(b_index, b_strides)
            _zip_run(fn, out, o, out_step, a_storage, pa, a_step, b_storage, pb, b_step, j0, min(j0 + _RUN, last))
        else:  # short rows, a group of them per task: the first one's positions, then step
            out_index = np.empty(dims, np.int32)
            a_index = np.empty(len(a_shape), np.int32)
            b_index = np.empty(len(b_shape), np.int32)
            a_steps = np.empty(dims, np.int32)
            b_steps = np.empty(dims, np.int32)
            _aligned_strides(out_shape, a_shape, a_strides, a_steps)
            _aligned_strides(out_shape, b_shape, b_strides, b_steps)
            to_index(first * last, out_shape, out_index)
            broadcast_index(out_index, out_shape, a_shape, a_index)
            broadcast_index(out_index, out_shape, b_shape, b_index)
            o = index_to_position(out_index, out_strides)
            pa = index_to_position(a_index, a_strides)
            pb = index_to_position(b_index, b_strides)
            for row in range(first, end):
                _zip_run(fn, out, o, out_step, a_storage, pa, a_step, b_storage, pb, b_step, 0, last)
                # The next row: one more at the dimension before the last, carrying as an odometer.
                d = dims - 2
                while d >= 0:
                    out_index[d] += 1
                    o += out_strides[d]
                    pa += a_steps[d]
                    pb += b_steps[d]
                    if out_index[d] < out_shape[d]:
                        break
                    o -= out_strides[d] * out_shape[d]
                    pa -= a_steps[d] * out_shape[d]
                    pb -= b_steps[d] * out_shape[d]
                    out_index[d] = 0
                    d -= 1
    ### END SOLUTION


@njit(parallel=True, cache=True)
def reduce_kernel(  # type: ignore[no-untyped-def]
    fn, out, out_shape, out_strides, a_storage, a_shape, a_strides, reduce_dim
):
    """out[i] = fn(...fn(fn(out[i], a[i with k=0]), a[i with k=1])..., a[i with k=n-1]).

    ``out_shape`` is ``a_shape`` with size 1 at ``reduce_dim``; ``out`` is pre-filled with
    the start value. ``fn`` is a binary op code or a numba-compiled function.
    """
    ### BEGIN SOLUTION task-3.1
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
                if step == 1 and is_add(fn):
                    acc = sum_run(a_storage, p, n, acc)
                else:
                    for k in range(n):
                        acc = call2(fn, acc, a_storage[p + k * step])
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
    ### END SOLUTION


# matrix_multiply works on blocks: _ROWS rows of the output at a time (one parallel task),
# and within them on tiles of rows of b of about _TILE numbers (256 KiB), small enough to
# stay in a core's L2 cache while every output row of the block uses them.
_ROWS = 64
_TILE = 32768


@njit(parallel=True, cache=True, fastmath={"contract"})
def matmul_kernel(  # type: ignore[no-untyped-def]
    out, out_shape, out_strides, a_storage, a_shape, a_strides, b_storage, b_shape, b_strides
):
    """out[z, i, j] = sum_k a[z, i, k] * b[z, k, j], all three 3-D.

    ``out_shape`` is (batch, n, p); a is (batch or 1, n, m); b is (batch or 1, m, p).
    A batch size of 1 broadcasts. Each sum runs over k in order, in groups of four with
    fused multiply-adds (one at a time for a tile's last m % 4, and for the last n % 4 rows
    of a block): equal to ``SimpleOps`` up to the last bits.
    """
    ### BEGIN SOLUTION task-3.2
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
    ### END SOLUTION


# ## One-thread twins, for small tensors
#
# A parallel kernel pays for its thread pool at every call, even when it runs on one thread:
# on a (2, 3) tensor a call took about 3x as long as the same source compiled without
# ``parallel=True`` (measured: 8.6 us against 3.0 us), and switching the pool to one thread
# and back (``numba.set_num_threads``) cost as much again. The course's tensors are that small,
# so below a size (``fast_ops._PARALLEL_MIN``) the backend runs these twins: the same four
# kernels' source, compiled without ``parallel`` (``prange`` is then ``range``) and cached on
# disk under their own names. Nothing is written twice.


def _one_thread_twin(kernel):  # type: ignore[no-untyped-def]
    """``kernel``'s own Python source compiled with the same options but ``parallel=False``,
    disk-cached as ``<name>_one_thread`` (numba names a cache file after the function's
    qualified name, so the twin and the parallel kernel keep separate files)."""
    source = getattr(kernel, "py_func", None)
    if source is None:  # NUMBA_DISABLE_JIT=1: the kernel is plain Python already
        return kernel
    twin = types.FunctionType(source.__code__, source.__globals__, source.__name__ + "_one_thread",
                              source.__defaults__, source.__closure__)  # fmt: skip
    twin.__qualname__ = source.__qualname__ + "_one_thread"
    options = {k: v for k, v in kernel.targetoptions.items() if k not in ("parallel", "nopython", "boundscheck")}
    return njit(cache=True, **options)(twin)


ONE_THREAD = {kernel: _one_thread_twin(kernel) for kernel in (map_kernel, zip_kernel, reduce_kernel, matmul_kernel)}

# numba's cache watches only this file: also the op table and the files it compiles from.
KERNELS = (map_kernel, zip_kernel, reduce_kernel, matmul_kernel, sum_run) + tuple(ONE_THREAD.values())
watch(KERNELS)
