"""Benchmarks of the fast (numba) backend: ``python benchmarks/run.py`` (``make bench``).

Every figure is a RATIO measured in one process: the fast backend against numpy (or against
the pure-Python backend, or PyTorch's CPU build when it is installed: the optional
``pip install torch==2.13.0``; without it those rows are left out) on the same machine, at
the same moment, so a busy machine slows both sides. Absolute seconds are printed only for the cold-start rows, whose goal is in
seconds.

The speed rows run twice, in fresh subprocesses whose environment is set before numpy and
numba load: single-threaded (NUMBA_NUM_THREADS=1 and every BLAS/OpenMP thread count 1: the
goals are for this column) and with every core. In those subprocesses OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE are removed (some machines set them to work around old OpenBLAS builds;
they would hand numpy a slower kernel), and the table says which kernel numpy's OpenBLAS ran.

Options: ``--quick`` (fewer repetitions, no pure-Python epoch: a smoke test of the script).
"""

from __future__ import annotations

import argparse
import ctypes
import datetime
import glob
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

REPO = Path(__file__).resolve().parent.parent
THREAD_VARIABLES = ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


# ## Helpers used inside the measuring subprocesses


def best_time(f: Callable[[], Any], budget: float = 0.3, repeat: int = 5) -> float:
    """Seconds per call of ``f``: the best of ``repeat`` rounds of about ``budget`` seconds."""
    f()  # warm up: compile or load kernels, fault in memory
    start = time.perf_counter()
    f()
    once = max(time.perf_counter() - start, 1e-7)
    number = max(1, int(budget / once))
    return min(timeit.repeat(f, number=number, repeat=repeat)) / number


def blas_kernel() -> str:
    """Which OpenBLAS core type numpy runs (threadpoolctl if present, else OpenBLAS itself)."""
    try:
        from threadpoolctl import threadpool_info

        found = [f"{i.get('internal_api')} {i.get('version')} {i.get('architecture')}" for i in threadpool_info()
                 if i.get("user_api") == "blas"]  # fmt: skip
        if found:
            return ", ".join(found)
    except ImportError:
        pass
    import numpy as np

    libs = glob.glob(os.path.join(os.path.dirname(np.__file__) + ".libs", "*openblas*"))
    for path in libs:
        lib = ctypes.CDLL(path)
        for symbol in ("scipy_openblas_get_corename64_", "openblas_get_corename64_", "openblas_get_corename"):
            if hasattr(lib, symbol):
                getter = getattr(lib, symbol)
                getter.restype = ctypes.c_char_p
                return f"OpenBLAS ({os.path.basename(path)}) core {getter().decode()}"
    return "unknown (see numpy.show_config())"


def mlp_epoch(backend: Any, seed: int = 0) -> Callable[[], None]:
    """One epoch of a 2-layer MLP (2 -> 100 -> 1, ReLU, sigmoid, log loss, plain SGD) on 100
    points in mini-batches of 10, written with Tensor operations only."""
    import numpy as np

    from autograd import Tensor, no_grad

    rng = np.random.default_rng(seed)
    points = rng.uniform(0, 1, size=(100, 2))
    labels = (points[:, 0] < 0.5).astype(float)[:, None]  # the "split" data set
    batches = [
        (Tensor.from_numpy(points[i : i + 10], backend, False), Tensor.from_numpy(labels[i : i + 10], backend, False))
        for i in range(0, 100, 10)
    ]
    params = [
        Tensor.from_numpy(rng.normal(0, 0.5, size=(2, 100)), backend),
        Tensor.from_numpy(np.zeros(100), backend),
        Tensor.from_numpy(rng.normal(0, 0.1, size=(100, 1)), backend),
        Tensor.from_numpy(np.zeros(1), backend),
    ]

    def epoch() -> None:
        for x, y in batches:
            w1, b1, w2, b2 = params
            hidden = (x @ w1 + b1).relu()
            out = (hidden @ w2 + b2).sigmoid()
            loss = -(y * out.log() + (1.0 - y) * (1.0 - out).log()).sum() / 10.0
            loss.backward()
            with no_grad():
                for i, p in enumerate(params):
                    params[i] = (p - 0.5 * p.grad).detach().requires_grad_(True)

    return epoch


def small_graph(backend: Any) -> Tuple[Callable[[], None], int]:
    """Forward + backward of a small graph on tiny tensors, and its number of operations."""
    from autograd import tensor

    a = tensor([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]], backend=backend, requires_grad=True)
    b = tensor([0.7, -0.8, 0.9], backend=backend, requires_grad=True)

    def run() -> None:
        y = ((a * b + a).sigmoid() * (b.exp() - a).relu()).sum(1).log().sum()  # 10 ops
        y.backward()

    return run, 10


def torch_small_graph() -> Callable[[], None]:
    """``small_graph``'s expression in PyTorch (float64, CPU), forward + backward."""
    import torch

    a = torch.tensor([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([0.7, -0.8, 0.9], dtype=torch.float64, requires_grad=True)

    def run() -> None:
        y = ((a * b + a).sigmoid() * (b.exp() - a).relu()).sum(1, keepdim=True).log().sum()
        y.backward()

    return run


def torch_mlp_epoch(seed: int = 0) -> Callable[[], None]:
    """``mlp_epoch`` in PyTorch: the same data, initial weights, network, loss and SGD step."""
    import numpy as np
    import torch

    rng = np.random.default_rng(seed)
    points = rng.uniform(0, 1, size=(100, 2))
    labels = (points[:, 0] < 0.5).astype(float)[:, None]
    batches = [(torch.tensor(points[i : i + 10]), torch.tensor(labels[i : i + 10])) for i in range(0, 100, 10)]
    params = [
        torch.tensor(rng.normal(0, 0.5, size=(2, 100)), requires_grad=True),
        torch.zeros(100, dtype=torch.float64, requires_grad=True),
        torch.tensor(rng.normal(0, 0.1, size=(100, 1)), requires_grad=True),
        torch.zeros(1, dtype=torch.float64, requires_grad=True),
    ]

    def epoch() -> None:
        for x, y in batches:
            w1, b1, w2, b2 = params
            hidden = (x @ w1 + b1).relu()
            out = (hidden @ w2 + b2).sigmoid()
            loss = -(y * out.log() + (1.0 - y) * (1.0 - out).log()).sum() / 10.0
            loss.backward()
            with torch.no_grad():
                for i, p in enumerate(params):
                    params[i] = (p - 0.5 * p.grad).detach().requires_grad_(True)

    return epoch


def measure_speed(quick: bool) -> Dict[str, Any]:
    """The speed rows, as {name: value}; runs in a subprocess with its thread settings."""
    import numba
    import numpy as np

    from autograd import FastBackend, SimpleBackend, Tensor

    budget = 0.05 if quick else 0.3
    rng = np.random.default_rng(0)

    def fast(array: Any) -> Tensor:
        return Tensor.from_numpy(array, backend=FastBackend, requires_grad=False)

    rows: Dict[str, Any] = {}

    def ratio(name: str, ours: Callable[[], Any], numpys: Callable[[], Any]) -> None:
        rows[name] = best_time(ours, budget) / best_time(numpys, budget)

    x, y = rng.normal(size=10**6), rng.normal(size=10**6)
    fx, fy = fast(x), fast(y)
    ratio("zip add, 1e6", lambda: fx + fy, lambda: x + y)
    ratio("map exp, 1e6", lambda: fx.exp(), lambda: np.exp(x))
    positive = np.abs(x) + 1e-3
    fpositive = fast(positive)
    ratio("map log, 1e6", lambda: fpositive.log(), lambda: np.log(positive))
    ratio("map sigmoid, 1e6 (numpy: 1/(1+exp(-x)))", lambda: fx.sigmoid(), lambda: 1.0 / (1.0 + np.exp(-x)))
    ratio("map neg, 1e6", lambda: -fx, lambda: -x)
    big, row = rng.normal(size=(1000, 1000)), rng.normal(size=(1, 1000))
    fbig, frow = fast(big), fast(row)
    ratio("broadcast add (1000,1000)+(1,1000)", lambda: fbig + frow, lambda: big + row)
    ratio("sum over dim 1 of (1000,1000)", lambda: fbig.sum(1), lambda: big.sum(axis=1, keepdims=True))
    ratio("sum over dim 0 of (1000,1000)", lambda: fbig.sum(0), lambda: big.sum(axis=0, keepdims=True))
    for n in (256, 512, 1024):
        a, b = rng.normal(size=(n, n)), rng.normal(size=(n, n))
        fa, fb = fast(a), fast(b)
        ratio(f"matmul {n}", lambda: fa @ fb, lambda: a @ b)
    a, b = rng.normal(size=(8, 128, 128)), rng.normal(size=(1, 128, 128))
    fa, fb = fast(a), fast(b)
    ratio("matmul (8,128,128)@(1,128,128)", lambda: fa @ fb, lambda: a @ b)

    graph_fast, ops = small_graph(FastBackend)
    graph_simple, _ = small_graph(SimpleBackend)
    t_fast, t_simple = best_time(graph_fast, budget), best_time(graph_simple, budget)
    rows["small graph fwd+bwd: fast / simple"] = t_fast / t_simple
    rows["small graph: fast us per op"] = t_fast / ops * 1e6
    t_fast = best_time(mlp_epoch(FastBackend), budget, repeat=3)
    if not quick:
        simple_epoch = mlp_epoch(SimpleBackend)
        start = time.perf_counter()
        simple_epoch()  # one epoch: the pure-Python backend is slow enough to time once
        rows["MLP epoch: simple / fast (speed-up)"] = (time.perf_counter() - start) / t_fast
    rows["MLP epoch: fast ms"] = t_fast * 1e3
    try:
        import torch
    except ImportError:  # the PyTorch rows need the optional torch (pip install torch==2.13.0)
        torch = None
    if torch is not None:
        threads = os.environ.get("NUMBA_NUM_THREADS")
        if threads is not None:
            torch.set_num_threads(int(threads))
        tx, tpositive = torch.from_numpy(x), torch.from_numpy(positive)
        rows["map exp, 1e6: fast / PyTorch"] = best_time(lambda: fx.exp(), budget) / best_time(lambda: tx.exp(), budget)
        rows["map log, 1e6: fast / PyTorch"] = best_time(lambda: fpositive.log(), budget) / best_time(lambda: tpositive.log(), budget)
        rows["map sigmoid, 1e6: fast / PyTorch"] = best_time(lambda: fx.sigmoid(), budget) / best_time(lambda: tx.sigmoid(), budget)
        # Per operation of the small graph and per epoch, alternating ours and PyTorch's rounds
        # so that a busy machine slows both alike.
        graph_torch, epoch_torch, epoch_fast = torch_small_graph(), torch_mlp_epoch(), mlp_epoch(FastBackend)
        ours_graph = theirs_graph = ours_epoch = theirs_epoch = float("inf")
        for _ in range(3):
            ours_graph = min(ours_graph, best_time(graph_fast, budget / 3))
            theirs_graph = min(theirs_graph, best_time(graph_torch, budget / 3))
            ours_epoch = min(ours_epoch, best_time(epoch_fast, budget / 3, repeat=3))
            theirs_epoch = min(theirs_epoch, best_time(epoch_torch, budget / 3, repeat=3))
        rows["small graph per op: fast / PyTorch"] = ours_graph / theirs_graph
        rows["small graph: PyTorch us per op"] = theirs_graph / ops * 1e6
        rows["MLP epoch: fast / PyTorch"] = ours_epoch / theirs_epoch
        rows["MLP epoch: PyTorch ms"] = theirs_epoch * 1e3
    else:
        rows["_no_torch"] = True
    rows["_threads"] = numba.get_num_threads()
    rows["_threading_layer"] = numba.threading_layer()
    rows["_blas"] = blas_kernel()
    return rows


# ## Cold start: new interpreters


COLD_START = r"""
import sys, time
from autograd import FastBackend, tensor
stamps = [("import autograd", time.time())]
a = tensor([[1.0, 2.0], [3.0, 4.0]], backend=FastBackend)
for name, run in [("map", lambda: a.exp()), ("zip", lambda: a + a), ("reduce", lambda: a.sum(0)),
                  ("matmul", lambda: a @ a)]:
    run()
    stamps.append((name, time.time()))
print(repr(stamps))
"""


def cold_start(cache_dir: Optional[str]) -> List[Tuple[str, float]]:
    """Seconds from launching a new interpreter to each first result (cumulative)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    if cache_dir is not None:
        env["NUMBA_CACHE_DIR"] = cache_dir
    start = time.time()
    done = subprocess.run([sys.executable, "-c", COLD_START], env=env, cwd=REPO, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    stamps = eval(done.stdout.strip().splitlines()[-1])  # our own child's repr of a list
    return [(name, t - start) for name, t in stamps]


# ## The parent: run everything, print the table


def run_child(threads: Optional[int], quick: bool) -> Dict[str, Any]:
    """``measure_speed`` in a fresh interpreter with ``threads`` threads (None: all cores)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    for variable in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        env.pop(variable, None)
    for variable in THREAD_VARIABLES:
        env.pop(variable, None)
        if threads is not None:
            env[variable] = str(threads)
    command = [sys.executable, __file__, "--child"] + (["--quick"] if quick else [])
    done = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


GOALS = {  # single-threaded goals (issues 6 and 9): fast / numpy (or / PyTorch) at most ...
    "zip add, 1e6": 1.5,
    "map exp, 1e6": 1.5,
    "map neg, 1e6": 1.5,
    "map log, 1e6": 1.5,
    "map sigmoid, 1e6 (numpy: 1/(1+exp(-x)))": 1.5,
    "small graph per op: fast / PyTorch": 2.0,  # issue 9
    "MLP epoch: fast / PyTorch": 2.0,  # issue 9
    "broadcast add (1000,1000)+(1,1000)": 3.0,
    "sum over dim 1 of (1000,1000)": 2.5,
    "matmul 512": 3.0,
}


def machine() -> str:
    """CPU model and core count, as the OS reports them."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores visible"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke test)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure_speed(args.quick)))
        return

    import numba
    import numpy as np

    print(f"# autograd fast backend benchmarks, {datetime.date.today().isoformat()}")
    print(f"# {machine()}; Python {platform.python_version()}, numpy {np.__version__}, numba {numba.__version__}")
    print("# speed rows: time(fast) / time(numpy) in the same process (lower is better; 1.0 = numpy's speed)")
    print()
    started = time.time()
    cold_start(None)  # make sure this checkout's kernel cache is warm
    one = run_child(1, args.quick)
    every = run_child(None, args.quick)
    print(f"numpy's BLAS: {one['_blas']}; numba threading layer: {one['_threading_layer']}")
    if one.get("_no_torch"):
        print("PyTorch is not installed: its rows are left out (pip install torch==2.13.0, the CPU build)")
    print()
    header = f"{'':40} {'1 thread':>10} {str(every['_threads']) + ' threads':>10}   {'goal (1 thread)':<16} met?"
    print(header)
    print("-" * len(header))
    for name, value in one.items():
        if name.startswith("_"):
            continue
        goal = GOALS.get(name)
        goal_text = f"<= {goal:.1f}x" if goal else ""
        met = ("yes" if value <= goal else "NO") if goal else ""
        unit = "" if name.endswith(("ms", "us per op")) else "x"
        other = every.get(name)
        other_text = f"{other:9.2f}{unit}" if other is not None else f"{'-':>10}"
        print(f"{name:40} {value:9.2f}{unit} {other_text}   {goal_text:<16} {met}")

    print()
    warm = min((cold_start(None) for _ in range(3)), key=lambda stamps: stamps[-1][1])
    with tempfile.TemporaryDirectory() as empty:
        first = cold_start(empty)
    print("cold start: seconds from launching python to the first result (cumulative)")
    print(f"{'':40} {'warm cache':>10} {'empty cache':>12}   goal")
    for (name, t_warm), (_, t_first) in zip(warm, first):
        goal = "<= 2 s (warm)" if name == "matmul" else ""
        met = ("yes" if t_warm <= 2.0 else "NO") if goal else ""
        print(f"{'  ' + name:40} {t_warm:9.2f}s {t_first:11.2f}s   {goal} {met}")
    print()
    print(f"# total benchmark time {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
