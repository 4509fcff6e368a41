"""Module 2: ``Tensor``, the user-facing multidimensional value with gradients.

A Tensor is a ``TensorData`` (storage, shape, strides), a backend (``.f``: the four
primitives) and an optional ``History`` (which Function made it, from which inputs).
Every operation is one line that applies a Function from ``tensor_functions``, so the
History is recorded in exactly one place, ``Function.apply``.

Tensor satisfies the ``Variable`` protocol of ``autodiff``: ``backward()`` runs the same
``backpropagate`` as ``Scalar.backward()``. Its ``chain_rule`` is also the ONE place where
broadcasting is undone: every gradient is summed back to the shape of its input there.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import operators
from .autodiff import _ids, backpropagate, no_grad
from .tensor_data import (
    IndexingError,
    Storage,
    TensorData,
    UserIndex,
    UserShape,
    check_dim,
    check_shape,
    is_int,
    shape_broadcast,
)
from .tensor_functions import (
    EQ,
    LT,
    Abs,
    Add,
    All,
    Copy,
    Exp,
    History,
    Index,
    Inv,
    IsClose,
    Log,
    MatMul,
    Max,
    Maximum,
    Mul,
    Neg,
    Permute,
    Pow,
    Prod,
    ReLU,
    Reshape,
    Sigmoid,
    Sub,
    Sum,
    Tanh,
    View,
)
from .tensor_ops import SimpleBackend, TensorBackend

Number = Union[int, float, np.number]
_next_id = _ids.__next__  # next_unique_id() without its own call: a Tensor is made per operation
_new_object = object.__new__
_NUMBER_TYPES = (int, float, np.integer, np.floating, np.bool_)  # bool is an int


def _sum_to_shape(grad: "Tensor", shape: Tuple[int, ...], fn: type) -> "Tensor":
    """Sum a gradient of a broadcast shape back to ``shape`` (undo broadcasting).

    Broadcasting lined ``shape`` up on the right of ``grad.shape``: the input was reused
    along every leading dimension it lacks and along every dimension where it has size 1,
    so its gradient is the sum over exactly those dimensions. Example: grad (4, 2, 3),
    shape (1, 3): sum over dim 0 (missing) and dim 1 (size 1 in the input), then read
    the (1, 1, 3) result as (1, 3).
    """
    if not isinstance(grad, Tensor):
        raise RuntimeError(f"{fn.__name__}.backward must return Tensors, got {grad!r} ({type(grad).__name__})")
    grad_shape = grad._tensor.shape
    if grad_shape == shape:
        return grad
    dims = _SUM_DIMS.get((grad_shape, shape))
    if dims is None:
        dims = _sum_dims(grad_shape, shape)
    if dims is False:
        raise RuntimeError(
            f"{fn.__name__}.backward returned a gradient of shape {grad_shape} for an input of "
            f"shape {shape}: it must have the input's shape or the output's (broadcast) shape"
        )
    for dim in dims:
        grad = grad.f.add_reduce(grad, dim)
    if not grad._tensor._contiguous:
        grad = grad.f.id_map(grad)
    return grad._new(TensorData.trusted(grad._tensor._storage, shape))  # same size, contiguous: no checks


# The dimensions to sum, by (gradient shape, input shape), or False where the gradient does not
# fit: a training step meets the same few pairs at every step. Bounded like the layouts.
_SUM_DIMS: Dict[Tuple[Tuple[int, ...], Tuple[int, ...]], Union[Tuple[int, ...], bool]] = {}


def _sum_dims(grad_shape: Tuple[int, ...], shape: Tuple[int, ...]) -> Union[Tuple[int, ...], bool]:
    """For ``_sum_to_shape``: the dims of ``grad_shape`` to sum over (remembered), or False."""
    try:
        fits = len(grad_shape) >= len(shape) and shape_broadcast(grad_shape, shape) == grad_shape
    except IndexingError:
        fits = False
    extra = len(grad_shape) - len(shape)  # leading dims the input does not have
    dims: Union[Tuple[int, ...], bool] = False
    if fits:
        dims = tuple(
            dim for dim in range(len(grad_shape)) if dim < extra or (shape[dim - extra] == 1 and grad_shape[dim] != 1)
        )
    if len(_SUM_DIMS) >= 4096:
        _SUM_DIMS.clear()
    _SUM_DIMS[(grad_shape, shape)] = dims
    return dims


class Tensor:
    """A multidimensional array of floats that can record how it was computed.

    Attributes: ``_tensor`` (TensorData), ``backend`` (also ``f``), ``history`` (History or
    None), ``grad`` (a Tensor of the same shape after ``backward``, else None),
    ``unique_id`` and ``name``.
    """

    # numpy scalars on the left (np.float64(2) * t) must call Tensor's reflected operators
    # instead of turning the tensor into an array.
    __array_ufunc__ = None

    # Slots: every operation makes a Tensor (forward) and another for its gradient (backward);
    # a slotted object is made and read faster than one with a __dict__. (__weakref__: tensors
    # may be weakly referenced, e.g. by a user's cache.)
    __slots__ = ("_tensor", "history", "backend", "grad", "unique_id", "_name", "__weakref__")

    def __init__(
        self,
        v: TensorData,
        back: Optional[History] = None,
        name: Optional[str] = None,
        backend: Optional[TensorBackend] = None,
    ):
        if backend is None:
            backend = SimpleBackend
        elif not isinstance(backend, TensorBackend):
            raise TypeError(
                f"backend must be a TensorBackend such as SimpleBackend, got {backend!r}"
                + (f": wrap it, TensorBackend({backend.__name__})" if isinstance(backend, type) else "")
            )
        self._tensor = v
        self.history = back
        self.backend = backend
        self.grad: Optional[Tensor] = None
        self.unique_id = _next_id()
        self._name = name  # None: the name is the id (made into a string only when read)

    @property
    def name(self) -> str:
        """The tensor's name in graph pictures: the one given, else its ``unique_id`` as a string."""
        return self._name if self._name is not None else str(self.unique_id)

    @name.setter
    def name(self, value: str) -> None:
        self._name = value

    # ## Making tensors

    @staticmethod
    def make(
        storage: Union[Storage, Sequence[float]],
        shape: UserShape,
        strides: Optional[Sequence[int]] = None,
        backend: Optional[TensorBackend] = None,
    ) -> "Tensor":
        """A tensor (no history) over ``storage`` with ``shape`` and ``strides``."""
        return Tensor(TensorData(storage, shape, strides), backend=backend)

    @staticmethod
    def from_numpy(
        array: np.ndarray, backend: Optional[TensorBackend] = None, requires_grad: bool = True
    ) -> "Tensor":
        """A tensor with a copy of ``array``'s numbers and its shape (a 0-d array gives (1,)).

        Floats, ints and bools are converted to float64; other dtypes (complex, strings,
        objects...) raise TypeError naming the dtype. Like every constructor, the result is
        a leaf that receives a gradient unless ``requires_grad=False``.
        """
        array = np.asarray(array)
        if array.dtype.kind not in "biuf":
            raise TypeError(
                f"Tensor.from_numpy: unsupported dtype {array.dtype} (kind {array.dtype.kind!r}); "
                f"tensors hold float64: give an array of floats, ints or bools"
            )
        shape = array.shape if array.ndim > 0 else (1,)
        storage = np.array(array, dtype=np.float64).reshape(-1)  # a copy, in row-major order
        return Tensor.make(storage, shape, backend=backend).requires_grad_(requires_grad)

    def _new(self, tensor_data: TensorData) -> "Tensor":
        """A tensor (no history) over ``tensor_data``, on this tensor's backend."""
        # Tensor() without its checks (the backend is this tensor's): made at every operation.
        t = _new_object(Tensor)
        t._tensor, t.history, t.backend, t.grad, t.unique_id, t._name = tensor_data, None, self.backend, None, _next_id(), None
        return t

    def zeros(self, shape: Optional[UserShape] = None) -> "Tensor":
        """A contiguous tensor of zeros on the same backend (this tensor's shape by default)."""
        shape = self.shape if shape is None else check_shape(shape)
        return self._new(TensorData.empty(shape, fill=0.0))  # checked shape, fresh storage

    def _ensure_tensor(self, b: Any) -> "Tensor":
        """``b`` as a Tensor: numbers become a (1,) tensor on this backend (it broadcasts)."""
        if isinstance(b, Tensor):
            return b
        if isinstance(b, _NUMBER_TYPES):
            return self._new(TensorData.trusted(np.array([float(b)]), (1,)))
        raise TypeError(f"expected a Tensor or a number, got {b!r} ({type(b).__name__})")

    # ## Shape and data

    @property
    def f(self) -> TensorBackend:
        """The backend (MiniTorch's name): ``t.f.add_zip(a, b)``."""
        return self.backend

    @property
    def shape(self) -> Tuple[int, ...]:
        return self._tensor.shape

    @property
    def strides(self) -> Tuple[int, ...]:
        return self._tensor.strides

    @property
    def size(self) -> int:
        return self._tensor.size

    @property
    def dims(self) -> int:
        return self._tensor.dims

    def is_contiguous(self) -> bool:
        """True when the values lie in storage in row-major order with no gaps (``view`` needs it)."""
        return self._tensor.is_contiguous()

    def tuple(self) -> Tuple[Storage, np.ndarray, np.ndarray]:
        """``(storage, shape, strides)`` numpy arrays: what the kernels take."""
        return self._tensor.tuple()

    def item(self) -> float:
        """The value of a one-element tensor, as a Python float."""
        if self.size != 1:
            raise ValueError(f"item() needs a tensor with one element, this one has shape {self.shape}")
        return float(self._tensor._storage[self._tensor.index((0,) * self.dims)])

    def to_numpy(self) -> np.ndarray:
        """A numpy copy of the values with this tensor's shape."""
        storage, _, _ = self.tuple()
        view = np.lib.stride_tricks.as_strided(
            storage, self.shape, tuple(s * storage.itemsize for s in self.strides), writeable=False
        )
        return np.array(view)

    def numpy(self) -> np.ndarray:
        """The same as ``to_numpy()`` (PyTorch's name): a numpy copy of the values."""
        return self.to_numpy()

    def tolist(self) -> Any:
        """The values as nested Python lists of floats (``[[1.0, 2.0], [3.0, 4.0]]``)."""
        return self.to_numpy().tolist()

    def __len__(self) -> int:
        """The size of the first dimension (as ``len`` of a list of rows)."""
        return self.shape[0] if self.dims else 1

    def __float__(self) -> float:
        if self.size != 1:
            raise ValueError(f"float() needs a tensor with one element, this one has shape {self.shape}: use t.item() of a reduction, or t.tolist()")
        return self.item()

    def __int__(self) -> int:
        if self.size != 1:
            raise ValueError(f"int() needs a tensor with one element, this one has shape {self.shape}")
        return int(self.item())

    def __getitem__(self, key: Any) -> Union[float, "Tensor"]:
        """``t[i, j]`` with one int per dimension: that number, as a Python float (MiniTorch's
        rule; negative indexes count from the end). Anything else (fewer ints, slices with
        steps, ``...``: ``t[0]``, ``t[:, 1]``, ``t[1:3]``, ``t[..., 0]``) is a tensor that is a
        view of the same storage, with a gradient that lands in the selected cells.
        """
        entries = tuple(key) if isinstance(key, (tuple, list, np.ndarray)) else (key,)
        if len(entries) == self.dims and all(is_int(k) for k in entries):
            return self._tensor.get(entries)  # a list or array of ints too (MiniTorch's index)
        return Index.apply(self, key)

    def __setitem__(self, key: Union[int, UserIndex], val: float) -> None:
        """``t[i, j] = v``: writes into the storage, seen by every view of it."""
        self._tensor.set(key, val)

    def __iter__(self) -> Any:
        """``t[0], t[1], ...`` over the first dimension: rows (tensors) or, for a 1-D tensor, floats."""
        for i in range(len(self)):
            yield self[i]

    def __bool__(self) -> bool:
        if self.size != 1:
            raise ValueError(
                f"the truth value of a tensor of shape {self.shape} is ambiguous: "
                f"use t.all().item() or t.sum().item()"
            )
        return bool(self.item())

    def __repr__(self) -> str:
        return self._tensor.to_string()

    def __hash__(self) -> int:
        # == is elementwise (it returns a Tensor), so hashing uses the identity.
        return self.unique_id

    # ## Gradient bookkeeping (the Variable protocol)

    def requires_grad_(self, x: bool = True) -> "Tensor":
        """Make this tensor a leaf that receives a gradient (``x=False``: a constant).

        Either way its old history is dropped, as in MiniTorch: an optimizer's
        ``p.update(p.value - lr * p.value.grad)`` relies on the new value becoming a fresh
        leaf, cut off from the computation that produced it. Returns the tensor.
        """
        self.history = History() if x else None
        return self

    def requires_grad(self) -> bool:
        return self.history is not None

    def is_leaf(self) -> bool:
        """Made by the user (no Function) and wanting a gradient."""
        return self.history is not None and self.history.last_fn is None

    def is_constant(self) -> bool:
        """No history at all: takes no gradient."""
        return self.history is None

    @property
    def parents(self) -> Tuple["Tensor", ...]:
        """The tensor inputs of the Function that made this tensor."""
        return self.history.inputs if self.history is not None else ()

    def chain_rule(self, d_output: "Tensor") -> List[Tuple["Tensor", "Tensor"]]:
        """Pairs (input, gradient for that input), each gradient of the input's shape."""
        h = self.history  # the engine calls this only on non-leaves: h.last_fn is a Function
        grads = h.last_fn._backward(h.ctx, d_output)
        if len(grads) != len(h.inputs):
            raise RuntimeError(
                f"{h.last_fn.__name__}.backward returned {len(grads)} gradients for {len(h.inputs)} tensor inputs"
            )
        return [
            (inp, _sum_to_shape(g, inp._tensor.shape, h.last_fn))
            for inp, g in zip(h.inputs, grads)
            if inp.history is not None  # not inp.is_constant()
        ]

    def accumulate_derivative(self, x: "Tensor") -> None:
        """Add ``x`` (of this tensor's shape) to ``grad``. Leaves only."""
        if x.shape != self.shape:
            raise RuntimeError(
                f"a gradient of shape {x.shape} cannot accumulate on a tensor of shape {self.shape}"
            )
        if self.grad is None:
            data = x._tensor
            if data._contiguous and data.size == len(data._storage):
                # A copy (never alias another tensor's gradient); numpy's copy of a contiguous
                # storage costs less than a kernel call on the small tensors of a training step.
                self.grad = x._new(TensorData.trusted(data._storage.copy(), data.shape))
            else:
                self.grad = x.f.id_map(x)
        else:
            self.grad = self.f.add_zip(self.grad, x)

    def zero_grad_(self) -> None:
        """Forget the accumulated gradient."""
        self.grad = None

    def detach(self) -> "Tensor":
        """The same data (shared storage) without history."""
        return self._new(self._tensor)

    def to(self, backend: TensorBackend) -> "Tensor":
        """A copy of this tensor's numbers on ``backend`` (e.g. ``CudaBackend``): a new leaf,
        contiguous, with no history, that requires grad if this tensor does. Tensors only
        combine with tensors of their own backend, so move them explicitly."""
        if not isinstance(backend, TensorBackend):
            raise TypeError(f"to() takes a TensorBackend such as FastBackend, got {backend!r}")
        out = Tensor.make(self.contiguous().to_numpy().reshape(-1).copy(), self.shape, backend=backend)
        return out.requires_grad_(self.requires_grad())

    def _type_(self, backend: TensorBackend) -> None:
        """MiniTorch's in-place move: this tensor now computes on ``backend`` (its storage
        stays a host array on every backend, so nothing is copied)."""
        if not isinstance(backend, TensorBackend):
            raise TypeError(f"_type_() takes a TensorBackend such as FastBackend, got {backend!r}")
        self.backend = backend

    def backward(self, grad_output: Optional[Union["Tensor", Number]] = None, retain_graph: bool = False) -> None:
        """Backpropagate from this tensor; leaves get ``.grad`` (added to any earlier grad).

        Without ``grad_output`` the tensor must have one element (d self / d self = 1).
        Otherwise ``grad_output`` holds d(final)/d(self): this tensor's shape, or one that
        broadcasts to it (a number is fine).

        As in PyTorch, the graph's saved tensors are freed as backward goes (so a training loop
        keeps no old graphs' memory); a second ``backward`` through the same graph then raises
        RuntimeError. Pass ``retain_graph=True`` to keep them for another backward (or for
        ``diagrams.backprop_step`` pictures after it).
        """
        if not self.requires_grad():
            raise RuntimeError(
                "backward() on a tensor that does not require grad: no input of its computation "
                "asked for gradients (use tensor(..., requires_grad=True) or t.requires_grad_())"
            )
        if grad_output is None:
            if self.size != 1:
                raise RuntimeError(
                    f"backward() without grad_output needs a one-element tensor, but this one has "
                    f"shape {self.shape}: call .sum() first, or pass grad_output of shape {self.shape}"
                )
            grad = self._new(TensorData.trusted(np.ones(1), self.shape))  # d self / d self
        else:
            grad = self._ensure_tensor(grad_output)
            if grad.backend is not self.backend:
                raise TypeError(
                    f"backward(): grad_output is on {grad.backend!r} but this tensor is on {self.backend!r}"
                )
            if grad.shape != self.shape:
                if shape_broadcast(grad.shape, self.shape) != self.shape:
                    raise IndexingError(
                        f"backward(): grad_output of shape {grad.shape} does not fit "
                        f"this tensor's shape {self.shape}"
                    )
                grad = self.f.add_zip(self.zeros(), grad)
        # Recording off while gradients are computed (PyTorch's create_graph=False): a backward
        # written with Tensor operations on saved inputs builds no graph of its own.
        with no_grad():
            backpropagate(self, grad, retain_graph=retain_graph)

    # ## Operators (numbers allowed on either side)

    def _operand(self, b: Any) -> Optional["Tensor"]:
        """``b`` as a Tensor, or None for types the operators do not take (-> NotImplemented)."""
        if type(b) is Tensor:  # the usual case, first
            return b
        if isinstance(b, np.ndarray):
            # Otherwise numpy answers, with a message about ufuncs or concatenation.
            raise TypeError(
                f"cannot combine a Tensor of shape {self.shape} with a numpy array of shape {b.shape}: "
                f"convert the array first with tensor(array) or Tensor.from_numpy(array)"
            )
        return self._ensure_tensor(b) if isinstance(b, (Tensor,) + _NUMBER_TYPES) else None

    def __add__(self, b: Any) -> "Tensor":
        other = self._operand(b)
        return NotImplemented if other is None else Add.apply(self, other)

    def __radd__(self, b: Any) -> "Tensor":
        other = self._operand(b)
        return NotImplemented if other is None else Add.apply(other, self)

    def __sub__(self, b: Any) -> "Tensor":
        other = self._operand(b)
        return NotImplemented if other is None else Sub.apply(self, other)

    def __rsub__(self, b: Any) -> "Tensor":
        other = self._operand(b)
        return NotImplemented if other is None else Sub.apply(other, self)

    def __mul__(self, b: Any) -> "Tensor":
        other = self._operand(b)
        return NotImplemented if other is None else Mul.apply(self, other)

    def __rmul__(self, b: Any) -> "Tensor":
        other = self._operand(b)
        return NotImplemented if other is None else Mul.apply(other, self)

    def __truediv__(self, b: Any) -> "Tensor":
        if isinstance(b, _NUMBER_TYPES):
            # t / 10: the reciprocal of a number is one number, worked out here by the same
            # operators.inv the Inv kernel applies (same result, no kernel call for it).
            return Mul.apply(self, self._ensure_tensor(operators.inv(float(b))))
        other = self._operand(b)
        return NotImplemented if other is None else Mul.apply(self, Inv.apply(other))

    def __rtruediv__(self, b: Any) -> "Tensor":
        other = self._operand(b)
        return NotImplemented if other is None else Mul.apply(other, Inv.apply(self))

    def __matmul__(self, b: Any) -> "Tensor":
        if isinstance(b, np.ndarray):
            self._operand(b)  # raises the TypeError that says to convert the array
        return MatMul.apply(self, b) if isinstance(b, Tensor) else NotImplemented

    def __lt__(self, b: Any) -> "Tensor":
        other = self._operand(b)
        return NotImplemented if other is None else LT.apply(self, other)

    def __gt__(self, b: Any) -> "Tensor":
        other = self._operand(b)
        return NotImplemented if other is None else LT.apply(other, self)

    def __eq__(self, b: Any) -> "Tensor":  # type: ignore[override]
        other = self._operand(b)
        return NotImplemented if other is None else EQ.apply(self, other)

    def __ne__(self, b: Any) -> "Tensor":  # type: ignore[override]
        other = self._operand(b)
        return NotImplemented if other is None else 1.0 - EQ.apply(self, other)

    def __neg__(self) -> "Tensor":
        return Neg.apply(self)

    def __pow__(self, p: Any) -> "Tensor":
        """``t ** p`` for a number ``p`` (a tensor exponent is not supported: TypeError)."""
        if isinstance(p, (Tensor, np.ndarray)) or not isinstance(p, _NUMBER_TYPES):
            raise TypeError(
                f"t ** p takes a number p, got {type(p).__name__}: a tensor exponent is not supported "
                f"(write (p * t.log()).exp() for a positive t)"
            )
        return Pow.apply(self, float(p))

    def __rpow__(self, b: Any) -> "Tensor":
        raise TypeError(f"{type(b).__name__} ** Tensor is not supported: the exponent must be a number")

    def pow(self, p: Number) -> "Tensor":
        """``self ** p`` for a number ``p``."""
        return self ** p

    # ## Elementwise functions

    def sigmoid(self) -> "Tensor":
        return Sigmoid.apply(self)

    def relu(self) -> "Tensor":
        return ReLU.apply(self)

    def log(self) -> "Tensor":
        return Log.apply(self)

    def exp(self) -> "Tensor":
        return Exp.apply(self)

    def tanh(self) -> "Tensor":
        return Tanh.apply(self)

    def abs(self) -> "Tensor":
        return Abs.apply(self)

    def __abs__(self) -> "Tensor":
        return Abs.apply(self)

    def sqrt(self) -> "Tensor":
        """The square root, ``self ** 0.5`` (nan for negative values)."""
        return Pow.apply(self, 0.5)

    def maximum(self, b: Union["Tensor", Number]) -> "Tensor":
        """The elementwise larger of self and b (broadcast); ties split the gradient in halves."""
        return Maximum.apply(self, self._ensure_tensor(b))

    def minimum(self, b: Union["Tensor", Number]) -> "Tensor":
        """The elementwise smaller of self and b: -maximum(-self, -b)."""
        return -Maximum.apply(-self, -self._ensure_tensor(b))

    def clamp(self, min: Optional[Number] = None, max: Optional[Number] = None) -> "Tensor":  # noqa: A002
        """Values limited to [min, max] (either may be None); the gradient is 1 inside, 0 outside."""
        out = self
        if min is not None:
            out = out.maximum(min)
        if max is not None:
            out = out.minimum(max)
        return out if out is not self else Copy.apply(self)

    clip = clamp

    def is_close(self, b: Union["Tensor", Number]) -> "Tensor":
        """1.0 where |self - b| < 1e-2, else 0.0."""
        return IsClose.apply(self, self._ensure_tensor(b))

    # ## Reductions: over ``dim`` (kept, with size 1), or over everything (shape (1,))

    def _flat(self) -> "Tensor":
        """All the numbers as one dimension of ``size`` (for full reductions)."""
        flat = self if self._tensor._contiguous else self.contiguous()
        return View.apply(flat, (self.size,))

    def _reduced(self, out: "Tensor", dim: Optional[int], keepdim: bool) -> "Tensor":
        """``out`` (a reduction over ``dim``, which it keeps with size 1) with that dim dropped
        if ``keepdim`` is False. Full reductions (``dim=None``) keep their shape (1,)."""
        if keepdim or dim is None or self.dims == 1:
            return out
        d = check_dim(dim, self.shape)
        return out.view(self.shape[:d] + self.shape[d + 1 :])

    def sum(self, dim: Optional[int] = None, keepdim: bool = True) -> "Tensor":
        """Sum over ``dim`` (kept with size 1; ``keepdim=False`` drops it, as PyTorch does by
        default), or of everything (shape (1,))."""
        if dim is None:
            return Sum.apply(self._flat(), 0)
        return self._reduced(Sum.apply(self, check_dim(dim, self.shape)), dim, keepdim)

    def mean(self, dim: Optional[int] = None, keepdim: bool = True) -> "Tensor":
        """Mean over ``dim`` (kept with size 1 unless ``keepdim=False``), or of everything (shape (1,))."""
        count = self.size if dim is None else self.shape[check_dim(dim, self.shape)]
        return self._reduced(self.sum(dim) * (1.0 / count), dim, keepdim)

    def var(self, dim: Optional[int] = None, keepdim: bool = True, correction: int = 1) -> "Tensor":
        """Variance over ``dim`` (or of everything): sum((x - mean)^2) / (n - correction).
        ``correction=1`` (the default, as in PyTorch) is the unbiased estimate; 0 the plain mean."""
        count = self.size if dim is None else self.shape[check_dim(dim, self.shape)]
        centred = self - self.mean(dim)
        scale = 1.0 / (count - correction) if count > correction else float("nan")  # too few values: nan, as numpy
        return self._reduced((centred * centred).sum(dim) * scale, dim, keepdim)

    def std(self, dim: Optional[int] = None, keepdim: bool = True, correction: int = 1) -> "Tensor":
        """Standard deviation: the square root of ``var`` (same arguments)."""
        return self.var(dim, keepdim, correction).sqrt()

    def prod(self, dim: Optional[int] = None, keepdim: bool = True) -> "Tensor":
        """Product over ``dim`` (kept unless ``keepdim=False``), or of everything (shape (1,)).
        Its gradient is right at zeros too (the product of the other values)."""
        if dim is None:
            return Prod.apply(self._flat(), 0)
        return self._reduced(Prod.apply(self, check_dim(dim, self.shape)), dim, keepdim)

    def max(self, dim: Optional[int] = None, keepdim: bool = True) -> "Tensor":
        """Maximum over ``dim`` (kept with size 1 unless ``keepdim=False``), or of everything
        (shape (1,)). The values only, as in MiniTorch (``argmax`` gives the positions).

        Its gradient goes to the position of the maximum (split equally between ties).
        """
        if dim is None:
            return Max.apply(self._flat(), 0)
        return self._reduced(Max.apply(self, check_dim(dim, self.shape)), dim, keepdim)

    def min(self, dim: Optional[int] = None, keepdim: bool = True) -> "Tensor":
        """Minimum over ``dim`` (or of everything): ``-(-self).max(dim)``."""
        return -((-self).max(dim, keepdim))

    def argmax(self, dim: Optional[int] = None, keepdim: bool = True) -> "Tensor":
        """Position of the (first) maximum along ``dim`` as a float tensor, or in the flattened
        tensor (shape (1,)). A position has no gradient: the result is a constant."""
        values = self.to_numpy()
        if dim is None:
            return Tensor.make([float(np.argmax(values))], (1,), backend=self.backend)
        d = check_dim(dim, self.shape)
        where = np.argmax(values, axis=d)
        out = Tensor.make(where.astype(np.float64).reshape(-1), self.shape[:d] + (1,) + self.shape[d + 1 :], backend=self.backend)
        return self._reduced(out, dim, keepdim)

    def argmin(self, dim: Optional[int] = None, keepdim: bool = True) -> "Tensor":
        """Position of the (first) minimum: ``(-self).argmax(dim)``."""
        return (-self).argmax(dim, keepdim)

    def all(self, dim: Optional[int] = None, keepdim: bool = True) -> "Tensor":
        """1.0 if every value (over ``dim``, or everywhere) is nonzero, else 0.0."""
        if dim is None:
            return All.apply(self._flat(), 0)
        return self._reduced(All.apply(self, check_dim(dim, self.shape)), dim, keepdim)

    # ## Views and copies

    def permute(self, *order: Union[int, Sequence[int]]) -> "Tensor":
        """Reorder the dimensions (a view): ``t.permute(1, 0)`` transposes a matrix."""
        if len(order) == 1 and isinstance(order[0], (tuple, list)):
            order = tuple(order[0])
        return Permute.apply(self, tuple(order))

    def view(self, *shape: Union[int, Sequence[int]]) -> "Tensor":
        """The same numbers read with another shape (a view; needs a contiguous tensor).

        ``t.view(2, 3)`` or ``t.view((2, 3))``; one size may be -1 (worked out from the rest).
        """
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return View.apply(self, self._infer_shape(tuple(shape)))

    def _infer_shape(self, shape: Tuple[Any, ...]) -> Tuple[int, ...]:
        """Replace one -1 in ``shape`` by the size that keeps the number of elements."""
        for s in shape:
            if not is_int(s):
                raise TypeError(f"view{shape}: sizes must be ints, got {s!r} ({type(s).__name__})")
        if list(shape).count(-1) > 1:
            raise IndexingError(f"view{shape}: only one size can be -1")
        if any(s < -1 for s in shape):
            raise IndexingError(f"view{shape}: sizes cannot be negative")
        if -1 in shape:
            known = int(np.prod([s for s in shape if s != -1], dtype=np.int64))
            if known == 0 or self.size % known:
                raise IndexingError(f"cannot view shape {self.shape} ({self.size} elements) as shape {shape}")
            shape = tuple(self.size // known if s == -1 else s for s in shape)
        return tuple(int(s) for s in shape)

    def reshape(self, *shape: Union[int, Sequence[int]]) -> "Tensor":
        """The numbers in row-major order read with another shape: a view when the layout
        allows it, else a copy (never an error about layouts, unlike ``view``). One size may
        be -1. ``t.reshape(2, 3)`` or ``t.reshape((2, 3))``."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return Reshape.apply(self, self._infer_shape(tuple(shape)))

    def flatten(self) -> "Tensor":
        """All the numbers as one dimension (a view when possible): ``reshape(-1)``."""
        return self.reshape(self.size)

    def transpose(self, dim0: int, dim1: int) -> "Tensor":
        """Swap two dimensions (a view)."""
        order = list(range(self.dims))
        d0, d1 = check_dim(dim0, self.shape), check_dim(dim1, self.shape)
        order[d0], order[d1] = order[d1], order[d0]
        return self.permute(*order)

    @property
    def T(self) -> "Tensor":  # noqa: N802 - PyTorch's name
        """The dimensions in reverse order (a view): the transpose of a matrix."""
        return self.permute(*reversed(range(self.dims)))

    def unsqueeze(self, dim: int) -> "Tensor":
        """A view with a new dimension of size 1 at ``dim`` (0..dims; -1 puts it last)."""
        d = check_dim(dim, (1,) * (self.dims + 1))
        return self.reshape(self.shape[:d] + (1,) + self.shape[d:])

    def squeeze(self, dim: Optional[int] = None) -> "Tensor":
        """A view without the dimensions of size 1 (or only ``dim``, if it has size 1).
        A tensor of one element keeps one dimension: shape (1,)."""
        if dim is None:
            shape = tuple(s for s in self.shape if s != 1) or (1,)
        else:
            d = check_dim(dim, self.shape)
            shape = self.shape[:d] + self.shape[d + 1 :] if self.shape[d] == 1 and self.dims > 1 else self.shape
        return self.reshape(shape)

    def contiguous(self) -> "Tensor":
        """A copy with the numbers in row-major order (what ``view`` needs)."""
        return Copy.apply(self)
