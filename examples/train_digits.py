"""Train a LeNet-style convolutional network on handwritten digits; report test accuracy.

    python examples/train_digits.py                       # scikit-learn's 8x8 digits
    python examples/train_digits.py --mnist ~/data/mnist  # real MNIST from its IDX files

Prints a progress bar, a line per epoch with its time, then ``accuracy: 0.XX`` on the held-out
images (a quarter of the 1797 digits, or MNIST's 10000 test images).
"""

import argparse
import time

import numba

from autograd import Adam, nn
from autograd.datasets import digits, mnist
from autograd.fast_ops import FastBackend
from autograd.train import accuracy, train


def lenet(height: int, width: int, seed: int = 0) -> nn.Sequential:
    """conv 3x3 (1 -> 8) - ReLU - conv 3x3 (8 -> 16) - ReLU - max-pool 2x2 - 64 - ReLU - 10 scores."""
    b = FastBackend
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, backend=b, seed=seed),
        nn.ReLU(),
        nn.Conv2d(8, 16, 3, backend=b, seed=seed + 1),
        nn.ReLU(),
        nn.MaxPool2d((2, 2)),
        nn.Flatten(),
        nn.Linear(16 * (height // 2) * (width // 2), 64, backend=b, seed=seed + 2),
        nn.ReLU(),
        nn.Linear(64, 10, backend=b, seed=seed + 3),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist", metavar="FOLDER", help="train on real MNIST IDX files in FOLDER")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.003)
    parser.add_argument("--seed", type=int, default=0)
    # One thread by default: every kernel call here is small (well under a millisecond of work), so
    # a second thread saves little and, on a shared machine, costs a lot: measured on this 2-core
    # machine under load, 2 threads took 3x the wall time and 3x the CPU time of one.
    parser.add_argument("--threads", type=int, default=1, help="numba threads (default 1)")
    args = parser.parse_args()
    numba.set_num_threads(args.threads)
    data = mnist(args.mnist) if args.mnist else digits(seed=args.seed)
    height, width = data.shape
    # (N, H, W) images -> (N, 1, H, W): one input channel
    train_set = (data.train_x.reshape(-1, 1, height, width), data.train_y)
    test_set = (data.test_x.reshape(-1, 1, height, width), data.test_y)
    print(f"{len(train_set[0])} training and {len(test_set[0])} test images of {height}x{width}")
    model = lenet(height, width, args.seed)
    start, cpu = time.perf_counter(), time.process_time()
    train(
        model, train_set, Adam(model.parameters(), lr=args.lr), args.epochs, batch_size=args.batch,
        test=test_set, backend=FastBackend, seed=args.seed, log_every=1, desc="digits",
    )  # fmt: skip
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"time per epoch: {seconds / args.epochs:.2f} s ({seconds:.1f} s in all, {cpu:.1f} s of CPU time)")
    print(f"accuracy: {accuracy(model, test_set, FastBackend):.2f}")


if __name__ == "__main__":
    main()
