"""Module 4: data to train on, all of it made or read locally (no network at run time).

- The six 2-D point sets of the course (MiniTorch's names and rules): ``datasets["Xor"](N)``
  gives a ``Graph(N, X, y)`` with N points ``X[i] = (x_1, x_2)`` in the unit square and labels
  ``y[i]`` in {0, 1}. Each generator takes a ``seed`` (default 0): the same call gives the same
  points in every process; another seed gives a fresh sample (a held-out set).
- Images: ``digits()`` is scikit-learn's bundled set of 1797 handwritten digits, 8x8 pixels
  (the course's MNIST stand-in, shipped inside scikit-learn, an optional extra:
  ``pip install -e '.[nn]'``); ``mnist(path)`` reads the real MNIST IDX files from a folder you
  downloaded them to, and ``read_idx(file)`` reads any IDX file (gzipped or not).
- Text: ``sentiment()`` is a small sentence set made here, for the 1-D convolution model (see
  its docstring for what it is and what the real experiment uses).

Images come as numpy arrays (``ImageSet``): turn a batch into a tensor with
``tensor(array)`` / ``Tensor.from_numpy``.
"""

from __future__ import annotations

import gzip
import math
import os
import random
import struct
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

# ## The 2-D point sets


@dataclass
class Graph:
    """A labelled point set: ``N`` points ``X`` (pairs of floats) with labels ``y`` (0 or 1)."""

    N: int
    X: List[Tuple[float, float]]
    y: List[int]


def make_pts(N: int, seed: Optional[int] = 0) -> List[Tuple[float, float]]:
    """``N`` points drawn uniformly from the unit square (reproducible for a given ``seed``)."""
    rng = random.Random(seed)
    return [(rng.random(), rng.random()) for _ in range(N)]


def _labelled(N: int, seed: Optional[int], rule: Callable[[float, float], bool]) -> Graph:
    X = make_pts(N, seed)
    return Graph(N, X, [1 if rule(x_1, x_2) else 0 for x_1, x_2 in X])


def simple(N: int, seed: Optional[int] = 0) -> Graph:
    """Label 1 left of the vertical line x_1 = 0.5: one straight boundary."""
    return _labelled(N, seed, lambda x_1, x_2: x_1 < 0.5)


def diag(N: int, seed: Optional[int] = 0) -> Graph:
    """Label 1 below the diagonal x_1 + x_2 = 0.5 (a small corner triangle)."""
    return _labelled(N, seed, lambda x_1, x_2: x_1 + x_2 < 0.5)


def split(N: int, seed: Optional[int] = 0) -> Graph:
    """Label 1 in the two outer bands x_1 < 0.2 and x_1 > 0.8: needs two boundaries."""
    return _labelled(N, seed, lambda x_1, x_2: x_1 < 0.2 or x_1 > 0.8)


def xor(N: int, seed: Optional[int] = 0) -> Graph:
    """Label 1 in the top-left and bottom-right quadrants: no single line separates it."""
    return _labelled(N, seed, lambda x_1, x_2: (x_1 < 0.5) != (x_2 < 0.5))


def circle(N: int, seed: Optional[int] = 0) -> Graph:
    """Label 1 outside the circle of squared radius 0.1 around the centre (0.5, 0.5)."""
    return _labelled(N, seed, lambda x_1, x_2: (x_1 - 0.5) ** 2 + (x_2 - 0.5) ** 2 > 0.1)


def spiral(N: int, seed: Optional[int] = 0) -> Graph:
    """Two interleaved spiral arms, N // 2 points each (class 0 then class 1).

    The points are a fixed curve, not random, so ``seed`` changes nothing here; it is accepted
    so that every generator can be called the same way. An odd N gives N - 1 points.
    """
    half = N // 2

    def arm(t: float) -> Tuple[float, float]:
        return t * math.cos(t) / 20.0, t * math.sin(t) / 20.0

    first, second = [], []
    for i in range(5, 5 + half):
        cx, cy = arm(10.0 * i / half)
        first.append((cx + 0.5, cy + 0.5))
        # the second arm: t -> -t with the coordinates swapped, i.e. the first arm turned a
        # quarter turn clockwise about the centre
        sx, sy = arm(-10.0 * i / half)
        second.append((sy + 0.5, sx + 0.5))
    return Graph(2 * half, first + second, [0] * half + [1] * half)


datasets: Dict[str, Callable[..., Graph]] = {
    "Simple": simple,
    "Diag": diag,
    "Split": split,
    "Xor": xor,
    "Circle": circle,
    "Spiral": spiral,
}


# ## Images


@dataclass
class ImageSet:
    """Images split into a training and a held-out part.

    ``train_x`` (n, H, W) floats in [0, 1], ``train_y`` (n,) integer labels 0..9; the same
    for ``test_x`` / ``test_y``.
    """

    train_x: np.ndarray
    train_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray

    @property
    def shape(self) -> Tuple[int, int]:
        """(H, W) of one image."""
        return self.train_x.shape[1], self.train_x.shape[2]


def split_train_test(
    images: np.ndarray, labels: np.ndarray, test_fraction: float, seed: Optional[int]
) -> ImageSet:
    """Shuffle (reproducibly) and cut off the last ``test_fraction`` as the held-out set."""
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction}")
    order = np.random.default_rng(seed).permutation(len(images))
    n_test = max(1, int(round(len(images) * test_fraction)))
    train, test = order[:-n_test], order[-n_test:]
    return ImageSet(images[train], labels[train], images[test], labels[test])


def digits(test_fraction: float = 0.25, seed: Optional[int] = 0) -> ImageSet:
    """scikit-learn's 1797 handwritten digits, 8x8 pixels scaled to [0, 1], split for testing.

    The pixels are counts 0..16 in the original; they are divided by 16. The file ships inside
    scikit-learn, so nothing is downloaded. Needs the optional extra: ``pip install -e '.[nn]'``.
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError(
            "digits() needs scikit-learn, which ships the 8x8 digits: pip install -e '.[nn]' "
            "(or pip install scikit-learn)"
        ) from error
    bunch = load_digits()
    images = np.asarray(bunch.images, dtype=np.float64) / 16.0
    return split_train_test(images, np.asarray(bunch.target, dtype=np.int64), test_fraction, seed)


# IDX: MNIST's file format. Two zero bytes, a type code, the number of dimensions, then each
# size as a big-endian uint32, then the numbers (big-endian) in row-major order.
_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(filename: str) -> np.ndarray:
    """The array stored in an IDX file (``.gz`` files are decompressed), with its shape."""
    opener = gzip.open if filename.endswith(".gz") else open
    with opener(filename, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_TYPES:
        raise ValueError(f"{filename} is not an IDX file (its first bytes are {data[:4]!r})")
    dims = data[3]
    header = 4 + 4 * dims
    shape = struct.unpack(f">{dims}I", data[4:header])
    dtype = np.dtype(_IDX_TYPES[data[2]])
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(data) - header != expected:
        raise ValueError(
            f"{filename}: the header says shape {shape} of {dtype} ({expected} bytes), "
            f"but {len(data) - header} bytes follow it"
        )
    return np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)


_MNIST_FILES = {
    "train_x": "train-images-idx3-ubyte",
    "train_y": "train-labels-idx1-ubyte",
    "test_x": "t10k-images-idx3-ubyte",
    "test_y": "t10k-labels-idx1-ubyte",
}


def mnist(path: str) -> ImageSet:
    """Real MNIST from the four IDX files in folder ``path`` (as distributed, ``.gz`` or not).

    Images are 28x28, scaled from 0..255 to [0, 1]; the split is MNIST's own (60000 / 10000).
    """
    arrays = {}
    for key, name in _MNIST_FILES.items():
        candidates = [os.path.join(path, name), os.path.join(path, name + ".gz")]
        found = next((c for c in candidates if os.path.exists(c)), None)
        if found is None:
            raise FileNotFoundError(f"mnist(): no {name} (or {name}.gz) in {path!r}")
        arrays[key] = read_idx(found)
    for part in ("train", "test"):
        n_x, n_y = len(arrays[f"{part}_x"]), len(arrays[f"{part}_y"])
        if n_x != n_y:
            raise ValueError(f"mnist(): {n_x} {part} images but {n_y} {part} labels")
    return ImageSet(
        arrays["train_x"].astype(np.float64) / 255.0,
        arrays["train_y"].astype(np.int64),
        arrays["test_x"].astype(np.float64) / 255.0,
        arrays["test_y"].astype(np.int64),
    )


# ## Text: a small sentiment set for the 1-D convolution


_POSITIVE = ("good", "great", "fun", "lovely", "clever", "moving")
_NEGATIVE = ("bad", "dull", "boring", "awful", "silly", "flat")
_NEUTRAL = ("the", "film", "plot", "was", "a", "story", "really", "and", "cast", "ending")
_NEGATION = "not"
VOCABULARY: Tuple[str, ...] = _POSITIVE + _NEGATIVE + _NEUTRAL + (_NEGATION, "<pad>")


@dataclass
class TextSet:
    """Sentences as word-vector sequences: ``train_x`` (n, length, dim), ``train_y`` (n,) 0/1.

    ``train_text`` / ``test_text`` hold the sentences themselves; ``embedding`` maps each word
    of ``VOCABULARY`` to its vector (``<pad>`` is all zeros).
    """

    train_x: np.ndarray
    train_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray
    train_text: List[str]
    test_text: List[str]
    embedding: Dict[str, np.ndarray]


def _sentence(rng: random.Random, length: int) -> Tuple[List[str], int]:
    """A sentence of neutral words with one opinion word, negated half the time."""
    positive = rng.random() < 0.5
    negated = rng.random() < 0.5
    opinion = rng.choice(_POSITIVE if positive else _NEGATIVE)
    words = [rng.choice(_NEUTRAL) for _ in range(rng.randint(3, length - 2))]
    at = rng.randint(0, len(words))
    words[at:at] = [_NEGATION, opinion] if negated else [opinion]
    return words, int(positive != negated)


def sentiment(
    n_train: int = 400, n_test: int = 100, length: int = 10, dim: int = 8, seed: Optional[int] = 0
) -> TextSet:
    """A small, made-up sentiment task: is the sentence positive (1) or negative (0)?

    Each sentence has a few neutral words and one opinion word ("good", "dull", ...), and half
    the time a "not" just before it, which flips the label ("not good" is negative). So a model
    that looks at single words cannot pass 50% on the negated half: it needs to see two
    neighbouring words together, which is what a 1-D convolution of width >= 2 does.

    Words become fixed random vectors of size ``dim`` (seeded); sentences are padded with zero
    vectors on the right to ``length`` words. Honest about its size: this is a toy that trains
    in seconds. The real experiment (MiniTorch's Module 4) uses the SST-2 movie reviews with
    pretrained 50-dimensional GloVe vectors, both downloads we do not make here.
    """
    if length < 5:
        raise ValueError(f"sentiment(): length must be at least 5 words, got {length}")
    rng = random.Random(seed)
    vectors = np.random.default_rng(seed).normal(size=(len(VOCABULARY), dim))
    embedding = {w: vectors[i] for i, w in enumerate(VOCABULARY)}
    embedding["<pad>"] = np.zeros(dim)

    def make(n: int) -> Tuple[np.ndarray, np.ndarray, List[str]]:
        x = np.zeros((n, length, dim))
        y = np.zeros(n, dtype=np.int64)
        text = []
        for i in range(n):
            words, y[i] = _sentence(rng, length)
            for j, w in enumerate(words):
                x[i, j] = embedding[w]
            text.append(" ".join(words))
        return x, y, text

    train_x, train_y, train_text = make(n_train)
    test_x, test_y, test_text = make(n_test)
    return TextSet(train_x, train_y, test_x, test_y, train_text, test_text, embedding)


def one_hot(labels: Sequence[int], classes: int) -> np.ndarray:
    """(n, classes) array with a 1.0 at each label's column (what the loss compares with)."""
    labels = np.asarray(labels, dtype=np.int64)
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(f"one_hot: labels must be in 0..{classes - 1}, got {labels.min()}..{labels.max()}")
    out = np.zeros((len(labels), classes))
    out[np.arange(len(labels)), labels] = 1.0
    return out
