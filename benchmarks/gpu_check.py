"""The CUDA backend on a GPU machine, in one command: its tests on hardware, then its speed.

    python benchmarks/gpu_check.py                  # on a GPU machine: under 5 minutes
    NUMBA_ENABLE_CUDASIM=1 python benchmarks/gpu_check.py --smoke   # anywhere: tiny sizes
    CUDA_HOME=... python benchmarks/gpu_check.py --ptx             # no GPU: compile to PTX only

Run from the repository root (``autograd`` is imported from there; nothing needs installing
on the GPU machine beyond numba/numba-cuda and numpy, and PyTorch for the cuBLAS row).

What it prints, each a ratio measured in this one run:

- map / zip / reduce bandwidth on 1e8 float64 against the device's own device-to-device copy
  (bytes read + written per second; goal: >= 70% of the copy);
- float64 matmul 2048^3, our kernel's time against torch.matmul (cuBLAS) on the same GPU
  (goal: <= 5x);
- the CUDA backend against the fast CPU backend on whole tensor operations (a 1024^2 matmul,
  one epoch of a 2 -> 100 -> 1 MLP on 100 points in batches of 10), copies to and from the
  GPU included: that is what a user of ``CudaBackend`` gets today.

Kernel rows time the kernels on arrays already on the GPU, with CUDA events, best of a few
runs after a warm-up (which also compiles). ``--smoke`` runs every row on tiny sizes, so the
script itself is exercised without a GPU (under the simulator its timings mean nothing).
``--ptx`` needs no GPU and no simulator: it compiles every kernel for sm_90 with libnvvm (the
CUDA toolkit, or the ``nvidia-cuda-nvcc-cu12`` wheel with CUDA_HOME pointing into it) and
reports whether the register tiles of the matmul stayed out of local memory.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, List, Optional, Tuple

import numpy

# numba-cuda on the GPU image predates numpy 2.5, which removed numpy.row_stack; it must
# exist before numba.cuda compiles anything. Only here, only when it is missing.
if not hasattr(numpy, "row_stack"):
    numpy.row_stack = numpy.vstack  # type: ignore[attr-defined]

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
np = numpy

Row = Tuple[str, str, str, str]  # what, measured, ratio, goal


def _ptx(args: argparse.Namespace) -> int:
    """Compile every kernel to PTX without a GPU (numba asks the device for its compute
    capability when it compiles a device function; we tell it sm_90 instead)."""
    import numba
    import numba.cuda.dispatcher as dispatcher
    from numba import cuda, types

    class _Hopper:
        compute_capability = (9, 0)

    dispatcher.get_current_device = lambda: _Hopper()  # type: ignore[assignment]
    from autograd import cuda_kernels as k

    f64, i32, i64, flag = numba.float64[::1], numba.int32[::1], types.int64, types.boolean
    user = cuda.jit(device=True)(lambda x: x * x + 1.0)
    kernels = {
        "map (op code)": (k.map_kernel, (i64, f64, i32, i32, i64, flag, f64, i32, i32)),
        "map (user function)": (k.map_kernel, (types.Dispatcher(user), f64, i32, i32, i64, flag, f64, i32, i32)),
        "zip": (k.zip_kernel, (i64, f64, i32, i32, i64, flag, f64, i32, i32, f64, i32, i32)),
        "reduce": (k.reduce_kernel, (i64, f64, i32, i32, i64, f64, i32, i32, i64, i64, i64, i64)),
        "matmul": (k.matmul_kernel, (f64, i32, i32, f64, i32, i32, f64, i32, i32)),
        "sum_practice": (k.sum_practice_kernel, (f64, f64, i64)),
        "mm_practice": (k.mm_practice_kernel, (f64, f64, f64, i64)),
    }
    failed = 0
    for name, (kernel, signature) in kernels.items():
        try:
            ptx, _ = cuda.compile_ptx(kernel.py_func, signature, cc=(9, 0))
        except Exception as error:  # report every kernel, then fail
            failed += 1
            print(f"{name:22s} FAILED: {str(error).strip().splitlines()[-1]}")
            continue
        local = len(re.findall(r"(?:ld|st)\.local", ptx))
        print(f"{name:22s} ok: {len(ptx):6d} bytes of PTX, {local} local-memory loads/stores")
    return 1 if failed else 0


def _tests(smoke: bool) -> int:
    """The CUDA tests and the backend-parametrised suite's cuda cases, in their own process."""
    # few examples per test (the "cuda" hypothesis profile), to stay within the 5 minutes
    env = dict(os.environ, AUTOGRAD_TEST_CUDA="1", HYPOTHESIS_PROFILE="cuda", PYTHONPATH=str(ROOT))
    files = ["tests/test_cuda.py"]
    selection = ["-k", "practice"] if smoke else ["-k", "cuda"]
    if not smoke:
        files += ["tests/test_tensor.py", "tests/test_tensor_grad.py", "tests/test_tensor_errors.py",
                  "tests/test_tensor_op_table.py", "tests/test_minitorch_compat.py", "tests/test_fast_ops.py"]  # fmt: skip
    arguments = ["-q", "-x", "-p", "no:cacheprovider", *files, *selection]
    # pytest in a child process that gets the same numpy.row_stack alias as this one
    child = (
        "import sys, numpy\n"
        "if not hasattr(numpy, 'row_stack'):\n"
        "    numpy.row_stack = numpy.vstack\n"
        "import pytest\n"
        "sys.exit(pytest.main(sys.argv[1:]))\n"
    )
    print("$ pytest", " ".join(arguments), flush=True)
    return subprocess.run([sys.executable, "-c", child, *arguments], cwd=ROOT, env=env).returncode


def _best(run: Callable[[], None], repeat: int, sync: Callable[[], None]) -> float:
    """Best wall time of ``run`` (seconds) over ``repeat`` runs after one warm-up."""
    run()
    sync()
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        sync()
        best = min(best, time.perf_counter() - start)
    return best


def _measure(smoke: bool) -> List[Row]:
    from numba import cuda

    from autograd import FastBackend, operators
    from autograd import cuda_kernels as k
    from autograd import cuda_ops

    simulated = k.SIMULATOR
    n = 4096 if smoke else 10**8
    size = 16 if smoke else 2048
    repeat = 1 if smoke else 5
    rows: List[Row] = []

    def gpu_time(run: Callable[[], None]) -> float:
        run()  # warm-up: compiles
        cuda.synchronize()
        best = float("inf")
        for _ in range(repeat):
            start, stop = cuda.event(), cuda.event()
            start.record()
            run()
            stop.record()
            stop.synchronize()
            elapsed = cuda.event_elapsed_time(start, stop) / 1e3 if not simulated else 0.0
            best = min(best, elapsed)
        return best if best > 0 else float("nan")

    x = np.random.default_rng(0).random(n)
    d_x, d_y, d_out = cuda.to_device(x), cuda.to_device(x[::-1].copy()), cuda.device_array(n)
    shape, strides = cuda.to_device(np.array([n], np.int32)), cuda.to_device(np.array([1], np.int32))
    blocks = cuda_ops._blocks(n)

    copy = gpu_time(lambda: d_out.copy_to_device(d_x))
    copy_bw = 2 * 8 * n / copy
    rows.append(("device-to-device copy, 1e8 float64" if not smoke else "copy", f"{copy_bw / 1e9:.0f} GB/s", "1.00", "reference"))

    def bandwidth_row(what: str, seconds: float, arrays: int) -> None:
        bw = arrays * 8 * n / seconds
        rows.append((what, f"{bw / 1e9:.0f} GB/s", f"{bw / copy_bw:.2f}", ">= 0.70 of copy"))

    from autograd.numba_bridge import frozen_table

    table = frozen_table()
    neg, exp = table.unary_code[operators.neg], table.unary_code[operators.exp]
    add = table.binary_code[operators.add]
    for name, code in (("neg", neg), ("exp", exp)):
        t = gpu_time(lambda code=code: k.map_kernel[blocks, k.THREADS](code, d_out, shape, strides, n, True, d_x, shape, strides))
        bandwidth_row(f"map {name}, contiguous", t, 2)
    t = gpu_time(lambda: k.zip_kernel[blocks, k.THREADS](add, d_out, shape, strides, n, True, d_x, shape, strides, d_y, shape, strides))
    bandwidth_row("zip add, contiguous", t, 3)
    # the index path: a (rows, cols) view read transposed
    side = int(np.sqrt(n))
    m = side * side
    s2, st_out, st_t = (cuda.to_device(np.array(v, np.int32)) for v in ([side, side], [side, 1], [1, side]))
    t = gpu_time(lambda: k.map_kernel[cuda_ops._blocks(m), k.THREADS](neg, d_out, s2, st_out, m, False, d_x, s2, st_t))
    rows.append(("map neg, transposed input (index path)", f"{2 * 8 * m / t / 1e9:.0f} GB/s", f"{2 * 8 * m / t / copy_bw:.2f}", "(no goal)"))

    # reduce: a full sum (two passes) and row sums
    out1 = np.zeros(1)

    def full_sum() -> None:
        cuda_ops.cuda_reduce(operators.add, (out1, np.array([1], np.int32), np.array([1], np.int32)), (x, np.array([n], np.int32), np.array([1], np.int32)), 0)

    # the kernel alone, on device arrays: the same two launches cuda_reduce makes
    chunks = min(-(-n // cuda_ops.REDUCE_CHUNK), cuda_ops.REDUCE_PARTIALS)
    chunk = -(-n // chunks)
    chunks = -(-n // chunk)
    d_part = cuda.device_array(chunks)
    d_one = cuda.to_device(np.zeros(1))
    pshape, one = cuda.to_device(np.array([chunks], np.int32)), cuda.to_device(np.array([1], np.int32))

    def sum_kernels() -> None:
        w1 = cuda_ops._width(chunk)
        k.reduce_kernel[-(-chunks // (k.THREADS // w1)), k.THREADS](add, d_part, pshape, strides, chunks, d_x, shape, strides, 0, chunk, w1, 0)
        k.reduce_kernel[1, k.THREADS](add, d_one, one, one, 1, d_part, pshape, strides, 0, chunks, cuda_ops._width(chunks), 1)

    t = gpu_time(sum_kernels)
    bandwidth_row("reduce sum, all 1e8 to one number" if not smoke else "reduce sum, all", t, 1)
    full_sum()
    assert abs(out1[0] - x.sum()) <= 1e-6 * abs(x.sum()), (out1[0], x.sum())
    d_rows = cuda.device_array(side)
    rshape, rstrides = cuda.to_device(np.array([side, 1], np.int32)), cuda.to_device(np.array([1, 1], np.int32))
    w = cuda_ops._width(side)
    t = gpu_time(lambda: k.reduce_kernel[-(-side // (k.THREADS // w)), k.THREADS](add, d_rows, rshape, rstrides, side, d_x, s2, st_out, 1, side, w, 0))
    bw = 8 * m / t
    rows.append(("reduce sum over each row of (1e4, 1e4)" if not smoke else "reduce rows", f"{bw / 1e9:.0f} GB/s", f"{bw / copy_bw:.2f}", ">= 0.70 of copy"))

    # matmul against cuBLAS
    a = np.random.default_rng(1).standard_normal((1, size, size))
    b = np.random.default_rng(2).standard_normal((1, size, size))
    d_a, d_b, d_c = cuda.to_device(a.ravel()), cuda.to_device(b.ravel()), cuda.device_array(size * size)
    s3 = cuda.to_device(np.array([1, size, size], np.int32))
    st3 = cuda.to_device(np.array([size * size, size, 1], np.int32))
    grid = (-(-size // k.BN), -(-size // k.BM), 1)
    t_ours = gpu_time(lambda: k.matmul_kernel[grid, (k.TB, k.TB)](d_c, s3, st3, d_a, s3, st3, d_b, s3, st3))
    np.testing.assert_allclose(d_c.copy_to_host().reshape(size, size), a[0] @ b[0], rtol=1e-9, atol=1e-9)
    flops = 2 * size**3
    try:
        import torch

        if not torch.cuda.is_available():
            raise ImportError("torch sees no GPU")
        ta, tb = torch.from_numpy(a[0]).cuda(), torch.from_numpy(b[0]).cuda()
        t_torch = _best(lambda: torch.matmul(ta, tb), repeat, torch.cuda.synchronize)
        rows.append((f"matmul float64 {size}^3 vs torch (cuBLAS)", f"{flops / t_ours / 1e12:.2f} TFLOP/s (torch {flops / t_torch / 1e12:.2f})", f"{t_ours / t_torch:.1f}x", "<= 5x"))
    except ImportError as why:
        rows.append((f"matmul float64 {size}^3", f"{flops / t_ours / 1e12:.2f} TFLOP/s", "n/a", f"<= 5x torch ({why})"))

    # whole tensor operations, copies included, against the fast CPU backend
    from autograd import Tensor

    big = 16 if smoke else 1024
    m1 = np.random.default_rng(3).standard_normal((big, big))
    on = {name: Tensor.from_numpy(m1, backend=be, requires_grad=False) for name, be in (("fast", FastBackend), ("cuda", cuda_ops.CudaBackend))}
    t_fast = _best(lambda: on["fast"] @ on["fast"], repeat, lambda: None)
    t_cuda = _best(lambda: on["cuda"] @ on["cuda"], repeat, cuda.synchronize)
    rows.append((f"Tensor @ {big}^2, CudaBackend vs FastBackend", f"{t_cuda * 1e3:.1f} ms vs {t_fast * 1e3:.1f} ms", f"{t_fast / t_cuda:.2f}x faster", "(copies included)"))
    points = 10 if smoke else 100
    t_fast = _best(lambda: _mlp_epoch(FastBackend, points), 1 if smoke else 2, lambda: None)
    t_cuda = _best(lambda: _mlp_epoch(cuda_ops.CudaBackend, points), 1 if smoke else 2, cuda.synchronize)
    rows.append((f"MLP 2-100-1 epoch, {points} points, batch 10", f"{t_cuda * 1e3:.0f} ms vs {t_fast * 1e3:.0f} ms", f"{t_fast / t_cuda:.2f}x faster", "(copies included)"))
    return rows


def _mlp_epoch(backend, points: int) -> None:
    """One epoch of SGD on a 2 -> 100 -> 1 MLP with a sigmoid output, on ``backend``."""
    from autograd import Tensor

    rng = np.random.default_rng(4)
    x = rng.random((points, 2))
    y = (x[:, :1] > x[:, 1:]).astype(float)
    params = [Tensor.from_numpy(v, backend=backend) for v in (rng.standard_normal((2, 100)) * 0.5, np.zeros((1, 100)), rng.standard_normal((100, 1)) * 0.1, np.zeros((1, 1)))]
    for start in range(0, points, 10):
        xb = Tensor.from_numpy(x[start : start + 10], backend=backend, requires_grad=False)
        yb = Tensor.from_numpy(y[start : start + 10], backend=backend, requires_grad=False)
        w1, b1, w2, b2 = params
        out = ((xb @ w1 + b1).relu() @ w2 + b2).sigmoid()
        loss = -(yb * out.log() + (-yb + 1.0) * (-out + 1.0).log()).mean()
        for p in params:
            p.zero_grad_()
        loss.backward()
        for p in params:
            storage = p._tensor._storage
            storage -= 0.5 * p.grad.contiguous().to_numpy().reshape(-1)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: exercises the script (simulator ok)")
    parser.add_argument("--ptx", action="store_true", help="only compile every kernel to PTX (no GPU needed)")
    parser.add_argument("--no-tests", action="store_true", help="skip the tests, measure only")
    args = parser.parse_args(argv)
    if args.ptx:
        return _ptx(args)
    from autograd.cuda_ops import unavailable_reason

    reason = unavailable_reason()
    if reason is not None:
        print(f"gpu_check: {reason}")
        return 2
    started = time.perf_counter()
    if not args.no_tests and _tests(args.smoke) != 0:
        print("gpu_check: the CUDA tests failed; no measurements")
        return 1
    rows = _measure(args.smoke)
    print()
    print(f"device: {_device_name()}")
    header = ("what", "measured", "ratio", "goal")
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(4)]
    for row in [header, tuple("-" * w for w in widths)] + rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)))
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    return 0


def _device_name() -> str:
    from autograd import cuda_kernels as k

    if k.SIMULATOR:
        return "numba's CUDA simulator: the timings above mean nothing"
    from numba import cuda

    device = cuda.get_current_device()
    return f"{device.name.decode() if isinstance(device.name, bytes) else device.name}, compute capability {device.compute_capability}"


if __name__ == "__main__":
    sys.exit(main())
