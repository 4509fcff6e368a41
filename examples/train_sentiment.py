"""Train a 1-D convolution on the small made-up sentiment set; report held-out accuracy.

    python examples/train_sentiment.py

The sentences (``autograd.datasets.sentiment``) have one opinion word, negated half the time
("not good"). A window of two words sees the negation; the network is
conv1d (width 2) - ReLU - max over the sentence - 2 scores, MiniTorch's sentiment model in
small. The real experiment uses SST-2 movie reviews and 50-dimensional GloVe vectors.
"""

import argparse
import time

import numba

from autograd import Adam, nn
from autograd.datasets import sentiment
from autograd.fast_ops import FastBackend
from autograd.train import accuracy, train


class WordConv(nn.Module):
    """(B, length, dim) word vectors -> (B, 2) scores."""

    def __init__(self, dim: int, filters: int, width: int, seed: int = 0):
        super().__init__()
        self.conv = nn.Conv1d(dim, filters, width, backend=FastBackend, seed=seed)
        self.out = nn.Linear(filters, 2, backend=FastBackend, seed=seed + 1)

    def forward(self, x):
        h = self.conv(x.permute(0, 2, 1)).relu()  # (B, filters, length)
        pooled = nn.max(h, 2).view(x.shape[0], h.shape[1])  # the strongest match anywhere
        return self.out(pooled)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--width", type=int, default=2, help="conv window in words (1: no context)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1, help="numba threads (default 1, see train_digits.py)")
    args = parser.parse_args()
    numba.set_num_threads(args.threads)
    data = sentiment(seed=args.seed)
    print(f"{len(data.train_x)} training and {len(data.test_x)} test sentences, e.g. {data.train_text[0]!r}")
    model = WordConv(data.train_x.shape[2], 16, args.width, args.seed)
    start, cpu = time.perf_counter(), time.process_time()
    train(
        model, (data.train_x, data.train_y), Adam(model.parameters(), lr=0.02), args.epochs, batch_size=20,
        test=(data.test_x, data.test_y), backend=FastBackend, seed=args.seed, log_every=max(1, args.epochs // 5),
        desc="sentiment",
    )  # fmt: skip
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"time per epoch: {seconds / args.epochs:.3f} s ({seconds:.1f} s in all, {cpu:.1f} s of CPU time)")
    print(f"accuracy: {accuracy(model, (data.test_x, data.test_y), FastBackend):.2f}")


if __name__ == "__main__":
    main()
