"""Train a small network on the 2-D point sets and report held-out accuracy.

    python examples/train_points.py                  # Split, Xor and Circle
    python examples/train_points.py --dataset Spiral --hidden 50 --epochs 400

For each set: a progress bar, a line with the time per epoch every few epochs, then
``accuracy: 0.XX`` on as many fresh points (another seed) the network never saw.
"""

import argparse
import time

import numba

from autograd import Adam, datasets, nn
from autograd.fast_ops import FastBackend
from autograd.train import accuracy, points, train


def network(hidden: int, seed: int) -> nn.Sequential:
    """2 -> hidden -> hidden -> 2 scores, ReLU between the layers."""
    b = FastBackend
    return nn.Sequential(
        nn.Linear(2, hidden, backend=b, seed=seed),
        nn.ReLU(),
        nn.Linear(hidden, hidden, backend=b, seed=seed + 1),
        nn.ReLU(),
        nn.Linear(hidden, 2, backend=b, seed=seed + 2),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", nargs="+", default=["Split", "Xor", "Circle"], choices=list(datasets))
    parser.add_argument("--points", type=int, default=500)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=0)
    # One thread by default: every kernel call here is small (well under a millisecond of work), so
    # a second thread saves little and, on a shared machine, costs a lot: measured on this 2-core
    # machine under load, 2 threads took 3x the wall time and 3x the CPU time of one.
    parser.add_argument("--threads", type=int, default=1, help="numba threads (default 1)")
    args = parser.parse_args()
    numba.set_num_threads(args.threads)
    for name in args.dataset:
        train_set = points(datasets[name](args.points, seed=args.seed))
        test_set = points(datasets[name](args.points, seed=args.seed + 1000))
        model = network(args.hidden, args.seed)
        print(f"{name}: {args.points} points, hidden layers of {args.hidden}")
        start, cpu = time.perf_counter(), time.process_time()
        history = train(
            model, train_set, Adam(model.parameters(), lr=args.lr), args.epochs,
            batch_size=50, backend=FastBackend, seed=args.seed, log_every=max(1, args.epochs // 5), desc=name,
        )  # fmt: skip
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        print(f"time per epoch: {seconds / args.epochs:.3f} s ({seconds:.1f} s in all, {cpu:.1f} s of CPU time)")
        print(f"accuracy: {accuracy(model, test_set, FastBackend):.2f}")


if __name__ == "__main__":
    main()
