"""Module 4: one training loop for every example and notebook.

``train(model, data, optimizer, epochs)`` runs minibatch gradient descent on a classifier and
returns a ``History`` of loss and accuracy per epoch::

    from autograd import SGD, nn
    from autograd.train import train, points

    x, y = points(datasets["Xor"](200))
    model = nn.Sequential(nn.Linear(2, 20, backend=FastBackend), nn.ReLU(), nn.Linear(20, 2, backend=FastBackend))
    history = train(model, (x, y), SGD(model.parameters(), lr=0.5), epochs=100, backend=FastBackend)

- ``data`` is ``(x, y)``: ``x`` a numpy array (N, ...) of inputs, ``y`` (N,) integer class labels.
  The model maps a batch (B, ...) to one score per class (B, classes) (logits: any real
  numbers); the loss is ``nn.cross_entropy`` unless you pass ``loss=``.
- Batches are drawn in a new order each epoch from ``seed``: the same call trains the same way.
- Progress: a ``tqdm`` bar over all batches (``tqdm.auto``: a widget in Jupyter, text in a
  terminal), with the epoch's loss and accuracy; ``log_every=k`` also writes one line every k
  epochs with the time per epoch. ``progress=False`` for silence (saved notebook outputs: a
  progress bar's timings differ in every run).
- ``History`` keeps ``loss``, ``accuracy`` (training) and ``test_accuracy`` (on ``test=`` data,
  measured after each epoch in ``eval()`` mode) and ``seconds`` per epoch; pictures of it are
  in ``diagrams.train_draw`` (loss curve, decision boundary, misclassified digits).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, List, Optional, Tuple

import numpy as np

from .autodiff import no_grad
from .datasets import Graph, one_hot
from .module import Module
from .nn import cross_entropy
from .optim import Optimizer
from .tensor import Tensor
from .tensor_ops import SimpleBackend, TensorBackend

Data = Tuple[np.ndarray, np.ndarray]


@dataclass
class History:
    """Per epoch: mean training ``loss``, training ``accuracy``, ``test_accuracy`` (empty when
    no test data was given), and wall-clock ``seconds``."""

    loss: List[float] = field(default_factory=list)
    accuracy: List[float] = field(default_factory=list)
    test_accuracy: List[float] = field(default_factory=list)
    seconds: List[float] = field(default_factory=list)

    @property
    def epochs(self) -> int:
        return len(self.loss)


def points(graph: Graph) -> Data:
    """A 2-D point set as ``(x, y)``: x (N, 2) floats, y (N,) labels."""
    return np.asarray(graph.X, dtype=np.float64).reshape(-1, 2), np.asarray(graph.y, dtype=np.int64)


def _tensor(array: np.ndarray, backend: TensorBackend) -> Tensor:
    return Tensor.from_numpy(array, backend=backend, requires_grad=False)


def predict(model: Module, x: np.ndarray, backend: TensorBackend = SimpleBackend, batch_size: int = 256) -> np.ndarray:
    """Class index (argmax of the scores) for each input, in ``eval()`` mode without gradients.

    The model's training/eval mode is restored afterwards.
    """
    was_training = model.training
    model.eval()
    out = []
    try:
        with no_grad():
            for start in range(0, len(x), batch_size):
                scores = model(_tensor(x[start : start + batch_size], backend)).to_numpy()
                out.append(np.argmax(scores, axis=1))
    finally:
        if was_training:
            model.train()
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def accuracy(model: Module, data: Data, backend: TensorBackend = SimpleBackend) -> float:
    """Fraction of ``data``'s inputs whose predicted class is the label."""
    x, y = data
    return float(np.mean(predict(model, x, backend) == np.asarray(y)))


def _progress_bar(total: int, enabled: bool, desc: str) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, disable=not enabled, desc=desc, unit="batch", leave=True, dynamic_ncols=True)


def train(
    model: Module,
    data: Data,
    optimizer: Optimizer,
    epochs: int,
    batch_size: Optional[int] = 32,
    test: Optional[Data] = None,
    classes: Optional[int] = None,
    loss: Callable[[Tensor, Tensor], Tensor] = cross_entropy,
    backend: TensorBackend = SimpleBackend,
    seed: Optional[int] = 0,
    progress: bool = True,
    log_every: int = 0,
    log: Optional[Callable[[str], None]] = None,
    desc: str = "training",
) -> History:
    """Train ``model`` on ``data = (x, y)`` for ``epochs`` passes; returns the ``History``.

    Each step: ``optimizer.zero_grad()``, ``loss(model(x_batch), one_hot(y_batch)).backward()``,
    ``optimizer.step()``. ``batch_size=None`` uses the whole set as one batch. ``classes``
    defaults to ``max(y) + 1``. Inputs become tensors on ``backend`` (the model's backend).
    ``log`` receives the per-epoch lines (default: written above the progress bar).
    """
    x, y = np.asarray(data[0], dtype=np.float64), np.asarray(data[1], dtype=np.int64)
    if len(x) != len(y) or len(x) == 0:
        raise ValueError(f"train: need as many labels as inputs (and at least one), got {len(x)} inputs, {len(y)} labels")
    classes = int(y.max()) + 1 if classes is None else classes
    targets = one_hot(y, classes)
    size = len(x) if batch_size is None else batch_size
    batches = (len(x) + size - 1) // size
    rng = np.random.default_rng(seed)
    history = History()
    bar = _progress_bar(epochs * batches, progress, desc)
    write = log or (bar.write if progress else print)
    try:
        for epoch in range(1, epochs + 1):
            start = time.perf_counter()
            model.train()
            order = rng.permutation(len(x))
            total_loss, correct = 0.0, 0
            for b in range(batches):
                idx = order[b * size : (b + 1) * size]
                optimizer.zero_grad()
                out = model(_tensor(x[idx], backend))
                batch_loss = loss(out, _tensor(targets[idx], backend))
                batch_loss.backward()
                optimizer.step()
                total_loss += batch_loss.item() * len(idx)
                correct += int(np.sum(np.argmax(out.to_numpy(), axis=1) == y[idx]))
                bar.update(1)
            history.loss.append(total_loss / len(x))
            history.accuracy.append(correct / len(x))
            if test is not None:
                history.test_accuracy.append(accuracy(model, test, backend))
            history.seconds.append(time.perf_counter() - start)
            shown = {"epoch": epoch, "loss": f"{history.loss[-1]:.3f}", "acc": f"{history.accuracy[-1]:.2f}"}
            if test is not None:
                shown["test"] = f"{history.test_accuracy[-1]:.2f}"
            bar.set_postfix(shown, refresh=False)
            if log_every and (epoch % log_every == 0 or epoch == epochs):
                write(_epoch_line(history, epochs))
    finally:
        bar.close()
    return history


def _epoch_line(history: History, epochs: int) -> str:
    e = history.epochs
    line = f"epoch {e:>3}/{epochs}  loss {history.loss[-1]:.4f}  train accuracy {history.accuracy[-1]:.3f}"
    if history.test_accuracy:
        line += f"  test accuracy {history.test_accuracy[-1]:.3f}"
    return line + f"  {history.seconds[-1]:.2f} s/epoch"


__all__ = ["History", "accuracy", "points", "predict", "train"]
