"""The training helper: history, determinism, progress output, predict/accuracy (tiny runs only)."""

import numpy as np
import pytest

from autograd import SGD, Adam, datasets, nn
from autograd.fast_ops import FastBackend
from autograd.train import History, accuracy, points, predict, train

B = FastBackend


def small_model(seed=0):
    return nn.Sequential(nn.Linear(2, 8, backend=B, seed=seed), nn.ReLU(), nn.Linear(8, 2, backend=B, seed=seed + 1))


def test_points():
    x, y = points(datasets["Simple"](5))
    assert x.shape == (5, 2) and y.tolist() == datasets["Simple"](5).y


def test_history_and_learning():
    data = points(datasets["Simple"](60))
    model = small_model()
    before = accuracy(model, data, B)
    h = train(model, data, Adam(model.parameters(), lr=0.05), epochs=15, batch_size=20, backend=B,
              test=data, progress=False)
    assert isinstance(h, History) and h.epochs == 15
    assert len(h.accuracy) == len(h.test_accuracy) == len(h.seconds) == 15
    assert h.loss[-1] < 0.5 * h.loss[0]
    assert h.test_accuracy[-1] == accuracy(model, data, B) > max(before, 0.9)


def test_same_seed_same_training():
    data = points(datasets["Xor"](40))
    runs = []
    for _ in range(2):
        m = small_model()
        runs.append(train(m, data, SGD(m.parameters(), lr=0.1), epochs=3, batch_size=16, backend=B, progress=False).loss)
    assert runs[0] == runs[1]
    m = small_model()
    other = train(m, data, SGD(m.parameters(), lr=0.1), epochs=3, batch_size=16, backend=B, progress=False, seed=5)
    assert other.loss != runs[0]  # another batch order


def test_predict_is_argmax_and_restores_mode():
    class Fixed(nn.Module):
        def forward(self, x):  # score of class 1 is x0, of class 0 is x1
            return x @ nn.Tensor.from_numpy(np.array([[0.0, 1.0], [1.0, 0.0]]), backend=B, requires_grad=False)

    m = Fixed()
    x = np.array([[3.0, 1.0], [0.0, 2.0]])
    assert predict(m, x, B).tolist() == [1, 0]
    assert m.training
    assert accuracy(m, (x, np.array([1, 1])), B) == 0.5


def test_progress_bar_and_epoch_lines(capsys):
    data = points(datasets["Simple"](20))
    m = small_model()
    lines = []
    train(m, data, SGD(m.parameters(), lr=0.1), epochs=4, batch_size=10, backend=B, log_every=2, log=lines.append,
          desc="demo")
    err = capsys.readouterr().err
    assert "demo" in err and "8/8" in err  # tqdm's text bar in a terminal: 4 epochs x 2 batches
    assert [line.split()[1] for line in lines] == ["2/4", "4/4"]
    assert all("s/epoch" in line and "train accuracy" in line for line in lines)


def test_bad_data():
    m = small_model()
    with pytest.raises(ValueError, match="3 inputs, 2 labels"):
        train(m, (np.zeros((3, 2)), np.zeros(2)), SGD(m.parameters()), 1, progress=False)
