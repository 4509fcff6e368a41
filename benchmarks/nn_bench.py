"""Module 4 speed: convolutions and a digits epoch on the fast backend, as ratios against PyTorch.

    python benchmarks/nn_bench.py           (needs torch: pip install torch==2.13.0, CPU build)

Single-threaded on both sides (NUMBA_NUM_THREADS, OMP/MKL/OpenBLAS threads and torch's all set
to 1 before anything loads), float64 on both sides (our tensors are float64), measured in one
process, timed in CPU seconds of this process (the machine may be shared). Each row: our time / PyTorch's time (goal <= 3x).
PyTorch gets the same zero padding on the right and bottom (``F.pad`` then ``F.conv2d``) and
the results are checked equal before timing. Without torch the script says so and exits 0.
"""

from __future__ import annotations

import os
import sys
import time
import timeit
from pathlib import Path
from typing import Any, Callable, List, Tuple

for _var in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "examples"))


# CPU time of this process, not wall-clock time: both sides run on one thread, and on a shared
# machine (this one runs several jobs at once) the wall clock also counts the time other
# processes held the core.
clock = time.process_time


def best_time(f: Callable[[], Any], budget: float = 0.5, repeat: int = 5) -> float:
    """CPU seconds per call: the best of ``repeat`` rounds of about ``budget`` seconds each."""
    f()
    start = clock()
    f()
    once = max(clock() - start, 1e-6)
    number = max(1, int(budget / once))
    return min(timeit.repeat(f, number=number, repeat=repeat, timer=clock)) / number


def conv_case(dims: int, batch: int, cin: int, cout: int, size: Tuple[int, ...], kernel: Tuple[int, ...]) -> Tuple[float, float]:
    """(ours, torch) seconds for one forward + backward of a convolution."""
    import torch
    import torch.nn.functional as F

    from autograd import Tensor, nn
    from autograd.fast_ops import FastBackend

    rng = np.random.default_rng(0)
    x = rng.normal(size=(batch, cin) + size)
    w = rng.normal(size=(cout, cin) + kernel)
    g = rng.normal(size=(batch, cout) + size)
    ours_conv = nn.conv1d if dims == 1 else nn.conv2d
    xt = Tensor.from_numpy(x, backend=FastBackend)
    wt = Tensor.from_numpy(w, backend=FastBackend)
    gt = Tensor.from_numpy(g, backend=FastBackend, requires_grad=False)

    def ours() -> None:
        xt.zero_grad_()
        wt.zero_grad_()
        ours_conv(xt, wt).backward(gt)

    pad = sum(((0, k - 1) for k in reversed(kernel)), ())  # F.pad: last dimension first
    torch_conv = F.conv1d if dims == 1 else F.conv2d
    xp = torch.tensor(x, requires_grad=True)
    wp = torch.tensor(w, requires_grad=True)
    gp = torch.tensor(g)

    def theirs() -> None:
        xp.grad = wp.grad = None
        torch_conv(F.pad(xp, pad), wp).backward(gp)

    ours()
    theirs()
    assert np.allclose(ours_conv(xt, wt).to_numpy(), torch_conv(F.pad(xp, pad), wp).detach().numpy())
    assert np.allclose(xt.grad.to_numpy(), xp.grad.numpy()) and np.allclose(wt.grad.to_numpy(), wp.grad.numpy())
    return best_time(ours), best_time(theirs)


EPOCHS = 3


def digits_epoch() -> Tuple[float, float, float, float]:
    """(ours, torch) CPU seconds for one epoch (the best of three) of the LeNet of
    examples/train_digits.py (batch 32, Adam), and each side's test accuracy after the three."""
    import torch
    import torch.nn.functional as F

    from autograd import Adam
    from autograd.datasets import digits
    from autograd.fast_ops import FastBackend
    from autograd.train import accuracy, train
    from train_digits import lenet

    data = digits()
    x = data.train_x.reshape(-1, 1, 8, 8)
    test = (data.test_x.reshape(-1, 1, 8, 8), data.test_y)
    model = lenet(8, 8)
    optim = Adam(model.parameters(), lr=0.003)
    train(model, (x[:64], data.train_y[:64]), optim, 1, backend=FastBackend, progress=False)  # warm up
    model = lenet(8, 8)
    optim = Adam(model.parameters(), lr=0.003)
    ours = float("inf")
    for epoch in range(EPOCHS):  # the best of three epochs, as for the other rows
        start = clock()
        train(model, (x, data.train_y), optim, 1, backend=FastBackend, progress=False, seed=epoch)
        ours = min(ours, clock() - start)
    ours_acc = accuracy(model, test, FastBackend)

    torch.manual_seed(0)
    tnet = torch.nn.ModuleDict(
        {
            "c1": torch.nn.Conv2d(1, 8, 3, dtype=torch.float64),
            "c2": torch.nn.Conv2d(8, 16, 3, dtype=torch.float64),
            "l1": torch.nn.Linear(16 * 4 * 4, 64, dtype=torch.float64),
            "l2": torch.nn.Linear(64, 10, dtype=torch.float64),
        }
    )

    def forward(xb: Any) -> Any:
        h = F.relu(tnet["c1"](F.pad(xb, (0, 2, 0, 2))))
        h = F.relu(tnet["c2"](F.pad(h, (0, 2, 0, 2))))
        h = F.max_pool2d(h, 2).flatten(1)
        return tnet["l2"](F.relu(tnet["l1"](h)))

    topt = torch.optim.Adam(tnet.parameters(), lr=0.003)
    xs, ys = torch.tensor(x), torch.tensor(data.train_y)
    theirs = float("inf")
    for epoch in range(EPOCHS):
        order = np.random.default_rng(epoch).permutation(len(x))
        start = clock()
        for b in range(0, len(x), 32):
            idx = torch.tensor(order[b : b + 32])
            topt.zero_grad()
            loss = F.cross_entropy(forward(xs[idx]), ys[idx])
            loss.backward()
            topt.step()
        theirs = min(theirs, clock() - start)
    with torch.no_grad():
        pred = forward(torch.tensor(test[0])).argmax(1).numpy()
    return ours, theirs, ours_acc, float(np.mean(pred == test[1]))


def main() -> None:
    try:
        import torch
    except ImportError:
        print("nn_bench: PyTorch is not installed (pip install torch==2.13.0 for the CPU build); nothing to compare")
        return
    torch.set_num_threads(1)
    import numba

    rows: List[Tuple[str, float, float]] = []
    cases = [
        ("conv1d fwd+bwd  B16  50->100 ch  width 60  k3 (sentiment)", 1, 16, 50, 100, (60,), (3,)),
        ("conv2d fwd+bwd  B16  4->8 ch  28x28  3x3 (MiniTorch MNIST)", 2, 16, 4, 8, (28, 28), (3, 3)),
        ("conv2d fwd+bwd  B32  8->16 ch  8x8  3x3 (digits LeNet)", 2, 32, 8, 16, (8, 8), (3, 3)),
    ]
    for name, *args in cases:
        ours, theirs = conv_case(*args)  # type: ignore[arg-type]
        rows.append((name, ours, theirs))
    ours, theirs, ours_acc, torch_acc = digits_epoch()
    rows.append((f"digits LeNet epoch (1347 images, B32, Adam); test accuracy after 3 epochs {ours_acc:.2f} vs {torch_acc:.2f}", ours, theirs))
    print(f"numba {numba.__version__}, torch {torch.__version__}, numpy {np.__version__}; one thread; float64; CPU time")
    print("| case | ours | PyTorch | ratio |")
    print("|---|---|---|---|")
    for name, ours, theirs in rows:
        print(f"| {name} | {ours * 1e3:.2f} ms | {theirs * 1e3:.2f} ms | {ours / theirs:.1f}x |")


if __name__ == "__main__":
    main()
