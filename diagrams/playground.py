"""The training playground (Module 4): pick a data set, a hidden size, a learning rate and a
number of epochs; the playground trains a small network and draws its decision boundary and
loss curve.

``playground()`` in a notebook gives the live widget (an ``Explorer`` of ``diagrams.widgets``:
every change of a control trains again and redraws; bad input gets a message saying what is
wrong, and the last picture is hidden). Saved notebooks keep its first picture, as the other
explorers do.

The network is ``Linear(2, hidden) - ReLU - Linear(hidden, 2)`` trained with plain ``SGD`` on the
whole set at once (one step per epoch) by ``autograd.train.train``: the same loop as the
notebooks, seeded, so the same settings always draw the same picture. Pictures come from
``diagrams.train_draw`` (``decision_boundary``, ``loss_curve``).
"""

from __future__ import annotations

import math
from typing import Any, Optional, Tuple

import ipywidgets as w
from chalk import Diagram, hcat, vcat

from autograd import SGD, datasets, nn
from autograd.train import History, accuracy, points, train
from diagrams.drawing import value_text
from diagrams.train_draw import decision_boundary, loss_curve
from diagrams.widgets import Explorer, _observe

__all__ = ["Playground", "playground", "train_points", "MAX_HIDDEN", "MAX_EPOCHS"]

#: the largest hidden layer and the most epochs the playground trains (a redraw stays under ~2 s)
MAX_HIDDEN = 50
MAX_EPOCHS = 500
#: how many points each data set has in the playground
POINTS = 60


def _backend() -> Any:
    # the numba backend: the pure-Python one takes ~10x longer per epoch, too slow to play with
    from autograd.fast_ops import FastBackend

    return FastBackend


def parse_number(text: str, what: str, low: float, high: float, whole: bool = False) -> float:
    """``"0.5"`` -> 0.5 (``whole``: an int); ValueError naming ``what`` and the allowed range."""
    kind = "a whole number" if whole else "a number"
    cleaned = str(text).strip()
    try:
        value = int(cleaned) if whole else float(cleaned)
    except ValueError:
        raise ValueError(f"{what} {cleaned!r}: type {kind} between {low:g} and {high:g}") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{what} {cleaned}: must be between {low:g} and {high:g}")
    return value


def train_points(name: str, hidden: int, lr: float, epochs: int, seed: int = 0) -> Tuple[nn.Module, Any, History]:
    """Train the playground's network on ``datasets[name](POINTS)``: (model, data, history)."""
    backend = _backend()
    data = datasets[name](POINTS, seed=seed)
    model = nn.Sequential(
        nn.Linear(2, hidden, backend=backend, seed=seed),
        nn.ReLU(),
        nn.Linear(hidden, 2, backend=backend, seed=seed + 1),
    )
    history = train(model, points(data), SGD(model.parameters(), lr=lr), epochs, batch_size=None,
                    backend=backend, seed=seed, progress=False)
    return model, data, history


class Playground(Explorer):
    """Data set, hidden size, learning rate, epochs -> decision boundary and loss curve."""

    kind = "training playground"

    def __init__(self, dataset: str = "Xor", hidden: int = 10, lr: float = 1.0, epochs: int = 300) -> None:
        if dataset not in datasets:
            raise ValueError(f"playground: no data set {dataset!r}; choose one of {', '.join(datasets)}")
        self.dataset_box = w.Dropdown(options=list(datasets), value=dataset, description="data set")
        self.hidden_box = w.IntSlider(value=hidden, min=1, max=MAX_HIDDEN, description="hidden size",
                                      continuous_update=False)
        self.lr_box = w.Text(value=f"{lr:g}", description="learning rate", continuous_update=False)
        self.epochs_box = w.Text(value=str(epochs), description="epochs", continuous_update=False)
        self.history: Optional[History] = None
        controls = [w.HBox([self.dataset_box, self.hidden_box]), w.HBox([self.lr_box, self.epochs_box])]
        super().__init__(controls)
        _observe([self.dataset_box, self.hidden_box, self.lr_box, self.epochs_box], self.redraw)

    def settings(self) -> Tuple[str, int, float, int]:
        """(data set, hidden size, learning rate, epochs) from the controls; ValueError if bad."""
        lr = parse_number(self.lr_box.value, "learning rate", 1e-6, 100.0)
        epochs = int(parse_number(self.epochs_box.value, "epochs", 1, MAX_EPOCHS, whole=True))
        return self.dataset_box.value, int(self.hidden_box.value), lr, epochs

    def draw(self) -> Tuple[Diagram, str]:
        name, hidden, lr, epochs = self.settings()
        model, data, history = train_points(name, hidden, lr, epochs)
        if not all(math.isfinite(v) for v in history.loss):
            raise ValueError(f"learning rate {lr:g}: the loss blew up (it is not a finite number any more); "
                             "try a smaller learning rate")
        self.history = history
        backend = _backend()
        right = accuracy(model, points(data), backend)
        board = vcat([value_text(f"{name}, {hidden} hidden units", 0.35).center_xy(),
                      decision_boundary(model, data, backend=backend).center_xy()], 0.3)
        curve = loss_curve(history, width=7.0, height=4.5)
        picture = hcat([board.center_xy(), curve.center_xy()], 1.0).center_xy()
        text = (f"{name}: {hidden} hidden units, learning rate {lr:g}, {epochs} epochs: "
                f"loss {history.loss[0]:.3f} \u2192 {history.loss[-1]:.3f}, {right:.0%} of the points right")
        return picture, text

    def summary(self) -> str:
        return (f"<training playground: {self.dataset_box.value}, hidden {self.hidden_box.value}, "
                f"lr {self.lr_box.value.strip()}, {self.epochs_box.value.strip()} epochs>")


def playground(dataset: str = "Xor", hidden: int = 10, lr: float = 1.0, epochs: int = 300) -> Playground:
    """A `Playground` starting with these settings (its first picture is trained at once)."""
    return Playground(dataset, hidden, lr, epochs)
