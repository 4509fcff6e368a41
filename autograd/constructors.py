"""Module 2: making tensors: ``tensor``, ``zeros``, ``ones``, ``rand``.

They build on ``Tensor`` (``tensor.py``), so they sit above it; everything here is also
importable from ``autograd`` and, as in MiniTorch, from ``autograd.tensor_functions``.
"""

from __future__ import annotations

from typing import Any, List, Optional, Sequence, Tuple, Union

import numpy as np

from .tensor import Tensor
from .tensor_data import check_shape, is_int
from .tensor_ops import SimpleBackend, TensorBackend

# ## Constructors
#
# A tensor made by a constructor is a leaf that receives a gradient unless you pass
# requires_grad=False. That is MiniTorch's rule, and the course relies on it: the seed page
# runs ``tensor([1, 2, 3]).sum().backward()`` and reads the gradient. Use
# requires_grad=False (or ``no_grad()``) for data that never needs a gradient: it saves the
# bookkeeping. Tensors made inside operations (``Tensor.make``, ``t.zeros()``) are constants.


def _shape_arg(shape: Union[int, Sequence[int]]) -> Tuple[int, ...]:
    """Accept ``3`` or ``(2, 3)`` or ``[2, 3]`` as a shape; anything else is a clear error."""
    if is_int(shape):
        shape = (shape,)  # type: ignore[assignment]
    if not isinstance(shape, (tuple, list)) or not all(is_int(s) for s in shape):
        raise TypeError(f"a shape must be an int or a tuple of ints such as (2, 3), got {shape!r}")
    return check_shape(shape)


def zeros(
    shape: Union[int, Sequence[int]], backend: TensorBackend = SimpleBackend, requires_grad: bool = True
) -> Tensor:
    """A tensor of zeros of ``shape``."""
    shape = _shape_arg(shape)
    out = Tensor.make(np.zeros(int(np.prod(shape, dtype=np.int64))), shape, backend=backend)
    return out.requires_grad_(requires_grad)


def ones(
    shape: Union[int, Sequence[int]], backend: TensorBackend = SimpleBackend, requires_grad: bool = True
) -> Tensor:
    """A tensor of ones of ``shape``."""
    shape = _shape_arg(shape)
    out = Tensor.make(np.ones(int(np.prod(shape, dtype=np.int64))), shape, backend=backend)
    return out.requires_grad_(requires_grad)


def rand(
    shape: Union[int, Sequence[int]],
    backend: TensorBackend = SimpleBackend,
    requires_grad: bool = True,
    seed: Optional[int] = None,
    generator: Optional[np.random.Generator] = None,
) -> Tensor:
    """Uniform random numbers in [0, 1) of ``shape``.

    Give ``seed`` (same numbers every run) or a numpy ``generator``
    (``np.random.default_rng(0)``, shared by several calls) for reproducible notebooks.
    """
    if seed is not None and generator is not None:
        raise ValueError("rand(): give seed or generator, not both")
    rng = generator if generator is not None else np.random.default_rng(seed)
    shape = _shape_arg(shape)
    out = Tensor.make(rng.random(int(np.prod(shape, dtype=np.int64))), shape, backend=backend)
    return out.requires_grad_(requires_grad)


def _flatten(ls: Any) -> Tuple[Tuple[int, ...], List[float]]:
    """Shape and row-major values of a nested list of numbers; clear errors with positions."""

    def where(path: Tuple[int, ...]) -> str:
        return "".join(f"[{i}]" for i in path) or "the value"

    def is_list(x: Any) -> bool:
        return isinstance(x, (list, tuple))

    def shape_of(x: Any) -> Tuple[int, ...]:
        shape = []
        while is_list(x):
            shape.append(len(x))
            if not x:
                break
            x = x[0]
        return tuple(shape)

    shape = shape_of(ls)
    values: List[float] = []
    # An explicit stack of (path, item): no recursion, and each path names a position.
    stack = [((), ls)]
    while stack:
        path, item = stack.pop()
        depth = len(path)
        if depth < len(shape):
            if not is_list(item) or len(item) != shape[depth]:
                found = f"length {len(item)}" if is_list(item) else f"the number {item!r}"
                raise ValueError(
                    f"tensor(): ragged nested list: element {where(path)} has {found}, but "
                    f"the first element at that depth has length {shape[depth]}"
                )
            stack.extend(((path + (i,), x) for i, x in reversed(list(enumerate(item)))))
        elif is_list(item):
            raise ValueError(
                f"tensor(): ragged nested list: element {where(path)} is a list, but the first "
                f"element at that depth is a number"
            )
        elif isinstance(item, (bool, int, float, np.bool_, np.integer, np.floating)):
            values.append(float(item))
        else:
            raise TypeError(
                f"tensor(): element {where(path)} is {item!r} ({type(item).__name__}), expected a number"
            )
    return shape, values


def tensor(ls: Any, backend: TensorBackend = SimpleBackend, requires_grad: bool = True) -> Tensor:
    """A tensor from a number or a nested list of numbers: ``tensor([[1, 2], [3, 4]])``.

    A single number gives shape (1,). Ragged lists raise ValueError and non-numbers
    TypeError, naming the position (``[1][0]``). A numpy array goes through
    ``Tensor.from_numpy``.
    """
    if isinstance(ls, np.ndarray):
        return Tensor.from_numpy(ls, backend=backend, requires_grad=requires_grad)
    if isinstance(ls, Tensor):
        raise TypeError("tensor() takes numbers or nested lists; to copy a Tensor use t.detach().contiguous()")
    shape, values = _flatten(ls)
    if shape == ():
        shape = (1,)
    out = Tensor.make(np.array(values, dtype=np.float64), shape, backend=backend)
    return out.requires_grad_(requires_grad)


__all__ = ["ones", "rand", "tensor", "zeros"]
