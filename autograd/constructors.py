"""Module 2: making tensors: ``tensor``, ``zeros``, ``ones``, ``rand`` and PyTorch's others
(``randn``, ``full``, ``arange``, ``eye``, ``*_like``).

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


def _shape_and_backend(args: Tuple[Any, ...], backend: Optional[TensorBackend], what: str) -> Tuple[Tuple[int, ...], TensorBackend]:
    """The shape and backend of ``zeros(2, 3)``, ``zeros((2, 3))``, ``zeros([2, 3])`` and
    MiniTorch's ``zeros((2, 3), backend)`` (the backend second, by position)."""
    if args and isinstance(args[-1], TensorBackend):
        if backend is not None:
            raise TypeError(f"{what}(): the backend is given twice")
        args, backend = args[:-1], args[-1]
    if not args:
        raise TypeError(f"{what}() needs a shape, such as {what}(2, 3) or {what}((2, 3))")
    shape = args[0] if len(args) == 1 else args
    return _shape_arg(shape), backend if backend is not None else SimpleBackend


def _leaf(values: np.ndarray, shape: Tuple[int, ...], backend: TensorBackend, requires_grad: bool) -> Tensor:
    return Tensor.make(np.asarray(values, dtype=np.float64).reshape(-1), shape, backend=backend).requires_grad_(requires_grad)


def _size(shape: Tuple[int, ...]) -> int:
    return int(np.prod(shape, dtype=np.int64))


def full(
    shape: Union[int, Sequence[int]], fill_value: float, backend: Optional[TensorBackend] = None, requires_grad: bool = True
) -> Tensor:
    """A tensor of ``shape`` with every value ``fill_value``."""
    size, chosen = _shape_and_backend((shape,), backend, "full")
    return _leaf(np.full(_size(size), float(fill_value)), size, chosen, requires_grad)


def zeros(*shape: Any, backend: Optional[TensorBackend] = None, requires_grad: bool = True) -> Tensor:
    """A tensor of zeros: ``zeros(2, 3)`` or ``zeros((2, 3))``."""
    size, chosen = _shape_and_backend(shape, backend, "zeros")
    return full(size, 0.0, chosen, requires_grad)


def ones(*shape: Any, backend: Optional[TensorBackend] = None, requires_grad: bool = True) -> Tensor:
    """A tensor of ones: ``ones(2, 3)`` or ``ones((2, 3))``."""
    size, chosen = _shape_and_backend(shape, backend, "ones")
    return full(size, 1.0, chosen, requires_grad)


def _generator(seed: Optional[int], generator: Optional[np.random.Generator], what: str) -> np.random.Generator:
    if seed is not None and generator is not None:
        raise ValueError(f"{what}(): give seed or generator, not both")
    return generator if generator is not None else np.random.default_rng(seed)


def rand(
    *shape: Any,
    backend: Optional[TensorBackend] = None,
    requires_grad: bool = True,
    seed: Optional[int] = None,
    generator: Optional[np.random.Generator] = None,
) -> Tensor:
    """Uniform random numbers in [0, 1): ``rand(2, 3)`` or ``rand((2, 3))``.

    Give ``seed`` (same numbers every run) or a numpy ``generator``
    (``np.random.default_rng(0)``, shared by several calls) for reproducible notebooks.
    """
    size, backend = _shape_and_backend(shape, backend, "rand")
    return _leaf(_generator(seed, generator, "rand").random(_size(size)), size, backend, requires_grad)


def randn(
    *shape: Any,
    backend: Optional[TensorBackend] = None,
    requires_grad: bool = True,
    seed: Optional[int] = None,
    generator: Optional[np.random.Generator] = None,
) -> Tensor:
    """Normally distributed random numbers (mean 0, standard deviation 1); arguments as ``rand``."""
    size, backend = _shape_and_backend(shape, backend, "randn")
    return _leaf(_generator(seed, generator, "randn").standard_normal(_size(size)), size, backend, requires_grad)


def arange(
    start: float, end: Optional[float] = None, step: float = 1.0, backend: Optional[TensorBackend] = None,
    requires_grad: bool = True,
) -> Tensor:  # fmt: skip
    """``start, start + step, ...`` below ``end`` (``arange(5)``: 0, 1, 2, 3, 4), as a 1-D tensor."""
    if end is None:
        start, end = 0.0, start
    if step == 0:
        raise ValueError("arange(): step must not be 0")
    values = np.arange(float(start), float(end), float(step))
    return _leaf(values, (len(values),), backend if backend is not None else SimpleBackend, requires_grad)


def eye(n: int, m: Optional[int] = None, backend: Optional[TensorBackend] = None, requires_grad: bool = True) -> Tensor:
    """The (n, m) identity matrix (m = n by default): ones on the diagonal."""
    shape = _shape_arg((n, n if m is None else m))
    return _leaf(np.eye(*shape), shape, backend if backend is not None else SimpleBackend, requires_grad)


def zeros_like(t: Tensor, requires_grad: bool = True) -> Tensor:
    """Zeros of ``t``'s shape, on ``t``'s backend."""
    return zeros(t.shape, backend=t.backend, requires_grad=requires_grad)


def ones_like(t: Tensor, requires_grad: bool = True) -> Tensor:
    """Ones of ``t``'s shape, on ``t``'s backend."""
    return ones(t.shape, backend=t.backend, requires_grad=requires_grad)


def full_like(t: Tensor, fill_value: float, requires_grad: bool = True) -> Tensor:
    """``fill_value`` everywhere, in ``t``'s shape and on its backend."""
    return full(t.shape, fill_value, backend=t.backend, requires_grad=requires_grad)


def rand_like(t: Tensor, requires_grad: bool = True, seed: Optional[int] = None) -> Tensor:
    """``rand`` of ``t``'s shape, on ``t``'s backend."""
    return rand(t.shape, backend=t.backend, requires_grad=requires_grad, seed=seed)


def randn_like(t: Tensor, requires_grad: bool = True, seed: Optional[int] = None) -> Tensor:
    """``randn`` of ``t``'s shape, on ``t``'s backend."""
    return randn(t.shape, backend=t.backend, requires_grad=requires_grad, seed=seed)


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


__all__ = [
    "arange", "eye", "full", "full_like", "ones", "ones_like", "rand", "rand_like", "randn", "randn_like",
    "tensor", "zeros", "zeros_like",
]  # fmt: skip
