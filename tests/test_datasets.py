"""The data sets: MiniTorch's 2-D rules, seeding, digits, the IDX reader and the text set."""

import gzip
import struct
import subprocess
import sys

import numpy as np
import pytest

import importlib

import autograd

# ``autograd.datasets`` is the dict of generators (MiniTorch's scripts index it), so the module
# itself is reached through the import system.
ds = importlib.import_module("autograd.datasets")

# What each set's label must be at a point, written out independently of the module.
RULES = {
    "Simple": lambda a, b: a < 0.5,
    "Diag": lambda a, b: a + b < 0.5,
    "Split": lambda a, b: a < 0.2 or a > 0.8,
    "Xor": lambda a, b: (a < 0.5 and b > 0.5) or (a > 0.5 and b < 0.5),
    "Circle": lambda a, b: (a - 0.5) ** 2 + (b - 0.5) ** 2 > 0.1,
}


def test_the_six_names():
    assert list(ds.datasets) == ["Simple", "Diag", "Split", "Xor", "Circle", "Spiral"]
    assert autograd.datasets is ds.datasets  # MiniTorch's scripts: autograd.datasets["Xor"](N)


@pytest.mark.parametrize("name", list(RULES))
def test_labels_follow_the_rule(name):
    g = ds.datasets[name](200)
    assert isinstance(g, ds.Graph) and g.N == 200 and len(g.X) == 200 and len(g.y) == 200
    for (a, b), label in zip(g.X, g.y):
        assert 0.0 <= a < 1.0 and 0.0 <= b < 1.0
        assert label == (1 if RULES[name](a, b) else 0)
    assert 0 < sum(g.y) < 200  # both classes present


def test_spiral_two_arms():
    g = ds.datasets["Spiral"](100)
    assert g.N == 100 and g.y == [0] * 50 + [1] * 50
    # the second arm is the first turned a quarter turn clockwise about (0.5, 0.5): (x, y) -> (y, -x)
    for (a1, b1), (a2, b2) in zip(g.X[:50], g.X[50:]):
        assert a2 - 0.5 == pytest.approx(b1 - 0.5) and b2 - 0.5 == pytest.approx(-(a1 - 0.5))


def test_seeded_and_reproducible_across_processes():
    assert ds.xor(50).X == ds.xor(50).X
    assert ds.xor(50, seed=1).X != ds.xor(50, seed=2).X
    code = "from autograd.datasets import xor; print(xor(5, seed=3).X)"
    out = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout for _ in range(2)]
    assert out[0] == out[1] == str(ds.xor(5, seed=3).X) + "\n"


def test_digits():
    pytest.importorskip("sklearn")
    d = ds.digits()
    assert d.shape == (8, 8)
    assert len(d.train_x) + len(d.test_x) == 1797
    assert len(d.test_x) == round(1797 * 0.25) and len(d.train_y) == len(d.train_x)
    assert d.train_x.min() == 0.0 and d.train_x.max() == 1.0
    assert set(np.unique(d.train_y)) == set(range(10))
    again = ds.digits()
    assert np.array_equal(again.test_x, d.test_x) and np.array_equal(again.test_y, d.test_y)


def _write_idx(path, array, code, gz=False):
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    body = array.astype(ds._IDX_TYPES[code]).tobytes()
    opener = gzip.open if gz else open
    with opener(path, "wb") as f:
        f.write(header + body)


def test_read_idx_round_trip(tmp_path):
    a = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    _write_idx(tmp_path / "a.idx", a, 0x08)
    assert np.array_equal(ds.read_idx(str(tmp_path / "a.idx")), a)
    f = np.array([1.5, -2.25, 3.0])
    _write_idx(tmp_path / "f.idx.gz", f, 0x0E, gz=True)
    assert np.array_equal(ds.read_idx(str(tmp_path / "f.idx.gz")), f)


def test_read_idx_rejects_bad_files(tmp_path):
    (tmp_path / "x").write_bytes(b"PK\x03\x04 not idx")
    with pytest.raises(ValueError, match="not an IDX file"):
        ds.read_idx(str(tmp_path / "x"))
    short = bytes([0, 0, 0x08, 1]) + struct.pack(">I", 10) + b"\x01\x02"
    (tmp_path / "y").write_bytes(short)
    with pytest.raises(ValueError, match=r"shape \(10,\).*2 bytes follow"):
        ds.read_idx(str(tmp_path / "y"))


def test_mnist_from_a_tiny_local_copy(tmp_path):
    rng = np.random.default_rng(0)
    train = rng.integers(0, 256, size=(5, 28, 28)).astype(np.uint8)
    test = rng.integers(0, 256, size=(3, 28, 28)).astype(np.uint8)
    _write_idx(tmp_path / "train-images-idx3-ubyte.gz", train, 0x08, gz=True)
    _write_idx(tmp_path / "train-labels-idx1-ubyte", np.array([0, 1, 2, 3, 9], np.uint8), 0x08)
    _write_idx(tmp_path / "t10k-images-idx3-ubyte", test, 0x08)
    _write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.array([7, 8, 9], np.uint8), 0x08)
    m = ds.mnist(str(tmp_path))
    assert m.shape == (28, 28)
    assert np.allclose(m.train_x, train / 255.0) and np.allclose(m.test_x, test / 255.0)
    assert list(m.train_y) == [0, 1, 2, 3, 9] and list(m.test_y) == [7, 8, 9]
    (tmp_path / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(FileNotFoundError, match="t10k-labels-idx1-ubyte"):
        ds.mnist(str(tmp_path))


def test_sentiment_labels_follow_negation():
    t = ds.sentiment(n_train=60, n_test=20, length=10, dim=4)
    assert t.train_x.shape == (60, 10, 4) and t.test_x.shape == (20, 10, 4)
    for text, label, x in zip(t.train_text, t.train_y, t.train_x):
        words = text.split()
        assert len(words) <= 10
        (at,) = [i for i, w in enumerate(words) if w in ds._POSITIVE + ds._NEGATIVE]
        positive = words[at] in ds._POSITIVE
        negated = at > 0 and words[at - 1] == "not"
        assert label == int(positive != negated)
        for j, w in enumerate(words):
            assert np.array_equal(x[j], t.embedding[w])
        assert not x[len(words):].any()  # zero padding on the right
    assert 0 < t.train_y.sum() < 60
    assert np.array_equal(ds.sentiment(n_train=60, n_test=20, dim=4).train_x, t.train_x)


def test_one_hot():
    assert ds.one_hot([2, 0], 3).tolist() == [[0, 0, 1], [1, 0, 0]]
    with pytest.raises(ValueError, match="0..2"):
        ds.one_hot([3], 3)
