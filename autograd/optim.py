"""Module 4: optimizers, the rule that turns gradients into a training step.

An optimizer holds a model's ``Parameter``s. After ``loss.backward()`` each parameter's value
carries a gradient: ``.derivative`` (a float) on a Scalar, ``.grad`` (a Tensor of the same
shape) on a Tensor. ``step()`` computes a new value from the old one and its gradient and
hands it to ``Parameter.update``, which makes it a fresh leaf (no history, gradient tracking
on); ``zero_grad()`` forgets the gradients before the next backward pass (they add up
otherwise). The loop every example runs::

    optim = SGD(model.parameters(), lr=0.5)
    for x, y in batches:
        optim.zero_grad()
        loss = ...model(x)...
        loss.backward()
        optim.step()

- ``SGD(parameters, lr, momentum=0.0)``: ``p <- p - lr * v`` with ``v <- momentum * v + grad``
  (``v = grad`` without momentum: MiniTorch's plain SGD).
- ``Adam(parameters, lr, betas, eps)``: per-number step sizes from running averages of the
  gradient and of its square (Kingma & Ba, 2015).

The arithmetic of a step is done on numpy copies of the numbers (a step is not part of any
graph, and one formula then serves Scalars and Tensors alike); the result goes back as a new
Scalar or a new Tensor on the parameter's backend.
"""

from __future__ import annotations

from typing import Dict, Iterable, List, Optional, Tuple

import numpy as np

from .module import Parameter
from .scalar import Scalar
from .tensor import Tensor


def _has_value(p: Parameter) -> bool:
    return p.value is not None


def _gradient(p: Parameter) -> Optional[np.ndarray]:
    """The gradient of ``p``'s value as a numpy array (None if backward never reached it)."""
    v = p.value
    if isinstance(v, Scalar):
        return None if v.derivative is None else np.asarray(v.derivative, dtype=np.float64)
    if isinstance(v, Tensor):
        return None if v.grad is None else v.grad.to_numpy()
    raise TypeError(f"an optimizer updates Scalar or Tensor parameters, got {type(v).__name__} in {p.name!r}")


def _numbers(p: Parameter) -> np.ndarray:
    v = p.value
    return np.asarray(v.data, dtype=np.float64) if isinstance(v, Scalar) else v.to_numpy()


def _put(p: Parameter, new: np.ndarray) -> None:
    """Give ``p`` the new numbers as a fresh leaf of the same kind (and backend)."""
    v = p.value
    if isinstance(v, Scalar):
        p.update(Scalar(float(new)))
    else:
        p.update(Tensor.from_numpy(new, backend=v.backend))


class Optimizer:
    """Base class: keeps the parameter list; ``zero_grad`` is the same for every rule."""

    def __init__(self, parameters: Iterable[Parameter]):
        self.parameters: List[Parameter] = list(parameters)
        for p in self.parameters:
            if not isinstance(p, Parameter):
                raise TypeError(
                    f"an optimizer takes Parameters (model.parameters()), got {type(p).__name__}"
                )

    def zero_grad(self) -> None:
        """Forget every parameter's gradient (``.derivative`` / ``.grad`` become None)."""
        for p in self.parameters:
            v = p.value
            if hasattr(v, "derivative"):
                v.derivative = None
            if hasattr(v, "grad"):
                v.grad = None

    def _with_grads(self) -> Iterable[Tuple[int, Parameter, np.ndarray]]:
        """(position, parameter, gradient) for the parameters that have a gradient now."""
        for i, p in enumerate(self.parameters):
            if _has_value(p):
                g = _gradient(p)
                if g is not None:
                    yield i, p, g

    def step(self) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent: ``p <- p - lr * grad`` (MiniTorch's SGD).

    With ``momentum`` m > 0 it keeps a velocity per parameter, ``v <- m * v + grad``, and steps
    ``p <- p - lr * v`` (PyTorch's convention): steps grow along directions the gradient keeps
    pointing to. Parameters without a gradient (not reached by backward) are left alone.
    """

    def __init__(self, parameters: Iterable[Parameter], lr: float = 1.0, momentum: float = 0.0):
        super().__init__(parameters)
        if lr <= 0 or momentum < 0:
            raise ValueError(f"SGD: lr must be > 0 and momentum >= 0, got lr={lr}, momentum={momentum}")
        self.lr = lr
        self.momentum = momentum
        self._velocity: Dict[int, np.ndarray] = {}

    def step(self) -> None:
        for i, p, g in self._with_grads():
            if self.momentum:
                v = self._velocity.get(i)
                g = g if v is None else self.momentum * v + g
                self._velocity[i] = g
            _put(p, _numbers(p) - self.lr * g)


class Adam(Optimizer):
    """Adam: steps of about ``lr`` per number, scaled by how steady its gradient has been.

    Keeps, per number, running averages of the gradient ``m`` (weight ``betas[0]``) and of its
    square ``v`` (weight ``betas[1]``), corrects both for starting at zero, and steps
    ``p <- p - lr * m_hat / (sqrt(v_hat) + eps)``.
    """

    def __init__(
        self,
        parameters: Iterable[Parameter],
        lr: float = 1e-3,
        betas: Tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ):
        super().__init__(parameters)
        if lr <= 0 or not all(0.0 <= b < 1.0 for b in betas) or eps < 0:
            raise ValueError(f"Adam: need lr > 0, 0 <= betas < 1, eps >= 0; got lr={lr}, betas={betas}, eps={eps}")
        self.lr = lr
        self.betas = tuple(betas)
        self.eps = eps
        self._state: Dict[int, Tuple[int, np.ndarray, np.ndarray]] = {}

    def step(self) -> None:
        b1, b2 = self.betas
        for i, p, g in self._with_grads():
            t, m, v = self._state.get(i, (0, np.zeros_like(g), np.zeros_like(g)))
            t += 1
            m = b1 * m + (1.0 - b1) * g
            v = b2 * v + (1.0 - b2) * g * g
            self._state[i] = (t, m, v)
            m_hat = m / (1.0 - b1**t)
            v_hat = v / (1.0 - b2**t)
            _put(p, _numbers(p) - self.lr * m_hat / (np.sqrt(v_hat) + self.eps))


__all__ = ["Adam", "Optimizer", "SGD"]
