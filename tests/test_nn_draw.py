"""Pictures of Module 4: convolution and training plots; deterministic across processes."""

import subprocess
import sys

import numpy as np
import pytest

from autograd import Adam, datasets, nn
from autograd.train import points, train
from diagrams.conv_draw import conv_diagram
from diagrams.probe import cell_fill, cell_text
from diagrams.train_draw import decision_boundary, loss_curve, misclassified


def test_conv1d_picture_shows_the_library_result():
    d = conv_diagram([0, 1, 2, 3], [1, 2, 3], at=2)
    # output [0*1+1*2+2*3, 1+4+9, 2+6, 3] by hand
    assert [cell_text(d, ("output", 0, j)) for j in range(4)] == ["8", "14", "8", "3"]
    assert [cell_text(d, ("input", 0, j)) for j in range(6)] == ["0", "1", "2", "3", "0", "0"]  # padding
    teal, papaya = "#69bac9", "#ff9700"
    assert [cell_fill(d, ("input", 0, j)) for j in range(2, 5)] == [teal] * 3
    assert cell_fill(d, ("output", 0, 2)) == papaya and cell_fill(d, ("output", 0, 1)) != papaya


def test_conv2d_picture():
    d = conv_diagram([[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[1, 1], [1, 1]], at=(1, 2))
    assert cell_text(d, ("output", 1, 2)) == "13" and cell_text(d, ("output", 0, 0)) == "8"
    with pytest.raises(IndexError, match="outside"):
        conv_diagram([1, 2], [1], at=5)
    with pytest.raises(ValueError, match="both be 1-D or both 2-D"):
        conv_diagram([1, 2], [[1]])


SCRIPT = """
import numpy as np
from diagrams.display import to_svg
from diagrams.conv_draw import conv_diagram
from diagrams.train_draw import loss_curve, decision_boundary, misclassified
from autograd import nn, datasets
from autograd.train import History
h = History(loss=[1.0, 0.5, 0.25], accuracy=[0.5, 0.75, 1.0], test_accuracy=[0.4, 0.7, 0.9], seconds=[1, 1, 1])
m = nn.Sequential(nn.Linear(2, 2, seed=3))
img = nn.Sequential(nn.Flatten(), nn.Linear(4, 3, seed=1))
images = np.arange(3 * 4, dtype=float).reshape(3, 2, 2)
for d in (conv_diagram([1, 2, 3], [1, -1], at=1), loss_curve(h), decision_boundary(m, datasets["Xor"](10), cells=4),
          misclassified(img, images, [0, 1, 2])):
    print(to_svg(d))
"""


def test_pictures_are_byte_identical_in_new_processes():
    runs = [subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True).stdout
            for _ in range(2)]
    assert runs[0] == runs[1] and runs[0].count("<svg") == 4


def test_training_pictures():
    data = datasets["Xor"](40)
    model = nn.Sequential(nn.Linear(2, 8, seed=0), nn.ReLU(), nn.Linear(8, 2, seed=1))
    h = train(model, points(data), Adam(model.parameters(), lr=0.05), epochs=2, batch_size=40, progress=False)
    assert loss_curve(h).get_envelope().width > 0
    assert decision_boundary(model, data, cells=5).get_envelope().width > 0
    with pytest.raises(ValueError, match="empty"):
        loss_curve(type(h)())
    # a model that always says 0 gets the images labelled 1 and 2 wrong: two tiles
    zero = nn.Sequential(nn.Flatten(), nn.Linear(4, 3, seed=0))
    zero.modules()[1].weights.value = nn.Tensor.from_numpy(np.zeros((4, 3)))
    zero.modules()[1].bias.value = nn.Tensor.from_numpy(np.array([1.0, 0.0, 0.0]))
    d = misclassified(zero, np.ones((3, 2, 2)), [0, 1, 2])
    assert d.get_envelope().width > 1.6 * 2  # two tiles side by side
