"""Module 2: checking a Function's backward against central differences: ``grad_check``.

The tensor twin of ``scalar.derivative_check``; the tests call it on random inputs, on
permuted (non-contiguous) and broadcast layouts.
"""

from __future__ import annotations

import math
import random
from typing import Callable, Tuple

import numpy as np

from .autodiff import no_grad
from .tensor import Tensor


def grad_central_difference(
    f: Callable[..., Tensor], *vals: Tensor, arg: int = 0, epsilon: float = 1e-6, ind: Tuple[int, ...]
) -> float:
    """Central difference of sum(f(*vals)) in the single number ``vals[arg][ind]``.

    (f(..., x + eps at ind, ...) - f(..., x - eps at ind, ...)) / (2 eps), summed over the
    output: the number ``vals[arg].grad[ind]`` should hold after ``f(*vals).sum().backward()``.
    """
    index = tuple(ind)

    def output(shift: float) -> np.ndarray:
        inputs = list(vals)
        x = vals[arg]
        storage, _, _ = x.tuple()
        moved = Tensor.make(storage.copy(), x.shape, x.strides, backend=x.backend)
        moved[index] = x[index] + shift
        inputs[arg] = moved
        with no_grad():
            return f(*inputs).to_numpy()

    # Subtract elementwise before summing (with numpy, independent of our sum): summing first
    # would lose the tiny difference in the rounding of a large total.
    return float(np.sum(output(epsilon) - output(-epsilon))) / (2.0 * epsilon)


def grad_check(
    f: Callable[..., Tensor],
    *vals: Tensor,
    positions: int = 10,
    epsilon: float = 1e-6,
    rtol: float = 1e-2,
    atol: float = 1e-2,
) -> None:
    """Check the gradients backward computes for ``sum(f(*vals))`` against central differences.

    For each input: its gradient must have the input's shape, and at up to ``positions``
    positions (all of them for small tensors, else a fixed random sample) it must be close
    to the central difference. Raises AssertionError saying which input and position differ.
    Marks the inputs ``requires_grad_()`` and clears their old gradients first.
    """
    for x in vals:
        x.requires_grad_(True)
        x.zero_grad_()
    out = f(*vals)
    out.sum().backward()
    rng = random.Random(10)  # a fixed sample: a failing check fails the same way again
    for i, x in enumerate(vals):
        if x.grad is None:
            raise AssertionError(f"grad_check: input {i} (shape {x.shape}) received no gradient")
        if x.grad.shape != x.shape:
            raise AssertionError(
                f"grad_check: input {i} has shape {x.shape} but its gradient has shape {x.grad.shape}"
            )
        indices = [tuple(int(i) for i in index) for index in np.ndindex(*x.shape)]
        if len(indices) > positions:
            indices = rng.sample(indices, positions)
        for index in indices:
            numeric = grad_central_difference(f, *vals, arg=i, epsilon=epsilon, ind=index)
            got = x.grad[index]
            if not math.isclose(got, numeric, rel_tol=rtol, abs_tol=atol):
                raise AssertionError(
                    f"grad_check: wrong gradient for input {i} (shape {x.shape}) at index {index}: "
                    f"backward gives {got:.6g}, central difference gives {numeric:.6g}"
                )


__all__ = ["grad_central_difference", "grad_check"]
