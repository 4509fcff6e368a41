"""Module 4: what networks are made of: convolution, pooling, softmax, dropout, and layers.

Functions (MiniTorch's names and semantics):

- ``conv1d(input, weight)``: input (B, C, W), weight (O, C, K) -> (B, O, W);
  ``conv2d(input, weight)``: input (B, C, H, W), weight (O, C, KH, KW) -> (B, O, H, W).
  Each output position looks at the window starting there and reaching right (and down);
  the input is padded with zeros on the right (and bottom), so the output keeps the input's
  size. The Functions ``Conv1dFun`` / ``Conv2dFun`` run the backend's convolution kernel
  (``conv_ops``, where the design is explained) forward, and again for the backward pass.
- ``tile(input, kernel)``: (B, C, H, W) -> (B, C, H / kh, W / kw, kh * kw), the pooling
  windows laid out along the last dimension; ``avgpool2d`` reduces it (with ``mean``);
  ``maxpool2d`` gives what ``max`` over it would, with a kernel pair of its own (``MaxPool2dFun``).
- ``max(input, dim)`` (gradient to the argmax), ``argmax(input, dim)`` (one-hot),
  ``softmax``, ``logsoftmax`` (stable for large logits), ``dropout``.

Layers (``Module``s with ``Parameter``s, initialised from a seed): ``Linear``, ``Conv1d``,
``Conv2d``, and ``ReLU``, ``Sigmoid``, ``Dropout``, ``LogSoftmax``, ``MaxPool2d``, ``AvgPool2d``,
``Flatten``, ``Sequential`` to compose them.
"""

from __future__ import annotations

import math
from typing import Any, Optional, Sequence, Tuple, Union

import numpy as np

from . import fast_conv  # noqa: F401 (registers the fast backend's convolution kernel)
from .autodiff import Context
from .conv_ops import conv, maxpool, maxpool_back
from .module import Module, Parameter
from .tensor import Tensor
from .tensor_data import IndexingError
from .tensor_functions import Function
from .tensor_ops import SimpleBackend, TensorBackend

# ## Convolution


def _check_conv(input: Tensor, weight: Tensor, dims: int) -> None:
    """Clear errors for convolution arguments that do not fit (naming both shapes)."""
    name = f"conv{dims}d"
    layout = "(batch, channels, width)" if dims == 1 else "(batch, channels, height, width)"
    if input.dims != dims + 2:
        raise IndexingError(f"{name}: the input must be {dims + 2}-D {layout}, got shape {input.shape}")
    if weight.dims != dims + 2:
        raise IndexingError(
            f"{name}: the weight must be {dims + 2}-D (out_channels, in_channels, "
            f"{'kernel_width' if dims == 1 else 'kernel_height, kernel_width'}), got shape {weight.shape}"
        )
    if input.shape[1] != weight.shape[1]:
        raise IndexingError(
            f"{name}: input of shape {input.shape} has {input.shape[1]} channels but weight of shape "
            f"{weight.shape} expects {weight.shape[1]} (its dimension 1)"
        )
    if any(k > n for k, n in zip(weight.shape[2:], input.shape[2:])):
        raise IndexingError(
            f"{name}: kernel {weight.shape[2:]} (weight shape {weight.shape}) is larger than the "
            f"input {input.shape[2:]} (input shape {input.shape})"
        )


def _swap01(t: Tensor) -> Tensor:
    """Swap dimensions 0 and 1 (a view)."""
    order = (1, 0) + tuple(range(2, t.dims))
    return t._new(t._tensor.permute(*order))


class _ConvFun(Function):
    """conv1d and conv2d share forward and backward; only the checks' wording differs.

    Forward: out = conv(input, weight) of shape (B, O, *input spatial). Saves input and weight.
    Backward (both with the same kernel, see ``conv_ops``):
    grad_input = conv_reversed(grad_out, weight with dims 0 and 1 swapped), of input's shape;
    grad_weight = conv(input with dims 0 and 1 swapped, grad_out with dims 0 and 1 swapped),
    of shape (C, O, *kernel), swapped back to (O, C, *kernel).
    """

    dims = 0

    @classmethod
    def forward(cls, ctx: Context, input: Tensor, weight: Tensor) -> Tensor:  # type: ignore[override]
        ### BEGIN SOLUTION task-4.1
        _check_conv(input, weight, cls.dims)
        ctx.save_for_backward(input, weight)
        return conv(input, weight, (input.shape[0], weight.shape[0]) + input.shape[2:])
        ### END SOLUTION

    @classmethod
    def backward(cls, ctx: Context, grad_output: Tensor) -> Tuple[Tensor, Tensor]:  # type: ignore[override]
        ### BEGIN SOLUTION task-4.1
        input, weight = ctx.saved_values
        grad_input = conv(grad_output, _swap01(weight), input.shape, reverse=True)
        grad_weight = conv(
            _swap01(input), _swap01(grad_output), (weight.shape[1], weight.shape[0]) + weight.shape[2:]
        )
        return grad_input, _swap01(grad_weight)
        ### END SOLUTION


class Conv1dFun(_ConvFun):
    """1-D convolution as a Function: input (B, C, W), weight (O, C, K) -> (B, O, W)."""

    dims = 1


class Conv2dFun(_ConvFun):
    """2-D convolution as a Function: input (B, C, H, W), weight (O, C, KH, KW) -> (B, O, H, W)."""

    dims = 2


def conv1d(input: Tensor, weight: Tensor) -> Tensor:
    """out[b, o, w] = sum over c, k of weight[o, c, k] * input[b, c, w + k] (0 past the end).

    Shapes: input (B, C, W), weight (O, C, K) with K <= W; output (B, O, W).
    """
    return Conv1dFun.apply(input, weight)


def conv2d(input: Tensor, weight: Tensor) -> Tensor:
    """out[b, o, h, w] = sum over c, i, j of weight[o, c, i, j] * input[b, c, h + i, w + j].

    Shapes: input (B, C, H, W), weight (O, C, KH, KW) with KH <= H, KW <= W; output
    (B, O, H, W). Positions past the bottom or right edge count as 0.
    """
    return Conv2dFun.apply(input, weight)


# ## Pooling


def _kernel_arg(kernel: Any) -> Tuple[int, int]:
    if (
        not isinstance(kernel, (tuple, list))
        or len(kernel) != 2
        or any(isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)) or k < 1 for k in kernel)
    ):
        raise TypeError(f"a pooling kernel is a pair of positive ints (kh, kw), got {kernel!r}")
    return int(kernel[0]), int(kernel[1])


def _check_pool(input: Tensor, kernel: Tuple[int, int], name: str) -> None:
    if input.dims != 4:
        raise IndexingError(f"{name}: the input must be 4-D (batch, channels, height, width), got shape {input.shape}")
    if input.shape[2] % kernel[0] or input.shape[3] % kernel[1]:
        raise IndexingError(
            f"{name}: kernel {kernel} does not divide the image size {input.shape[2:]} of input shape {input.shape}"
        )


def tile(input: Tensor, kernel: Tuple[int, int]) -> Tuple[Tensor, int, int]:
    """Cut each image into (kh, kw) blocks, laid out along a new last dimension.

    Shapes: input (B, C, H, W) -> (B, C, H // kh, W // kw, kh * kw); returns that tensor and
    ``new_height``, ``new_width``. Made of a view, a permute and a contiguous copy, so the
    gradient flows back through the ordinary Functions. H and W must be multiples of kh, kw.
    """
    ### BEGIN SOLUTION task-4.3
    kh, kw = _kernel_arg(kernel)
    _check_pool(input, (kh, kw), "tile")
    batch, channel, height, width = input.shape
    new_height, new_width = height // kh, width // kw
    blocks = input.contiguous().view(batch, channel, new_height, kh, new_width, kw)
    tiled = blocks.permute(0, 1, 2, 4, 3, 5).contiguous().view(batch, channel, new_height, new_width, kh * kw)
    return tiled, new_height, new_width
    ### END SOLUTION


def _pool(input: Tensor, kernel: Tuple[int, int], reduce: Any) -> Tensor:
    """Reduce each (kh, kw) block with ``reduce(t, dim)`` (mean or max), in two steps.

    Equal to reducing the last dimension of ``tile(input, kernel)``, without its copy:
    (B, C, H, W) viewed as (B, C, nh, kh, W) (no copy) is reduced over kh, giving
    (B, C, nh, 1, W), viewed as (B, C, nh, nw, kw), reduced over kw. ``tile``'s permuted copy
    moves the numbers in runs of kw (2 for the usual 2x2 pooling) and so does its gradient;
    here every step keeps the layout (measured: half the time of a digits LeNet epoch went to
    those two copies). ``avgpool2d`` is this with the mean; ``maxpool2d`` gives the same numbers
    as this with ``max`` but runs its own kernel pair (``MaxPool2dFun``), faster still.
    """
    ### BEGIN SOLUTION task-4.3
    kh, kw = _kernel_arg(kernel)
    _check_pool(input, (kh, kw), "pool")
    batch, channel, height, width = input.shape
    rows = reduce(input.contiguous().view(batch, channel, height // kh, kh, width), 3)
    blocks = rows.view(batch, channel, height // kh, width // kw, kw)
    return reduce(blocks, 4).view(batch, channel, height // kh, width // kw)
    ### END SOLUTION


def avgpool2d(input: Tensor, kernel: Tuple[int, int]) -> Tensor:
    """Mean of each (kh, kw) block: (B, C, H, W) -> (B, C, H // kh, W // kw)."""
    ### BEGIN SOLUTION task-4.3
    return _pool(input, kernel, lambda t, dim: t.mean(dim))
    ### END SOLUTION


class MaxPool2dFun(Function):
    """Max pooling as one Function: input (B, C, H, W), kernel (kh, kw) -> (B, C, H // kh, W // kw).

    The same numbers as ``max`` over the last dimension of ``tile(input, kernel)``, with one
    backend kernel each way instead of a copy and five elementwise kernels on tensors whose last
    dimension is kw (``conv_ops`` says why that is slow). Saves input and the output (the block
    maxima); backward sends each block's gradient to its maximum (shared by ties).
    """

    @staticmethod
    def forward(ctx: Context, input: Tensor, kernel: Tuple[int, int]) -> Tensor:  # type: ignore[override]
        ### BEGIN SOLUTION task-4.4
        batch, channel, height, width = input.shape
        out = maxpool(input, (batch, channel, height // kernel[0], width // kernel[1]))
        ctx.save_for_backward(input, out)
        return out
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad_output: Tensor) -> Tensor:  # type: ignore[override]
        ### BEGIN SOLUTION task-4.4
        input, out = ctx.saved_values
        return maxpool_back(input, out, grad_output)
        ### END SOLUTION


def maxpool2d(input: Tensor, kernel: Tuple[int, int]) -> Tensor:
    """Maximum of each (kh, kw) block: (B, C, H, W) -> (B, C, H // kh, W // kw).

    The gradient goes to the block's maximum; when several numbers of a block tie for it (rare
    with real data), they share it equally. ``MaxPool2dFun`` (one kernel each way).
    """
    ### BEGIN SOLUTION task-4.4
    kh, kw = _kernel_arg(kernel)
    _check_pool(input, (kh, kw), "maxpool2d")
    if getattr(input.backend.ops, "maxpool_kernel", None) is None:
        return _pool(input, (kh, kw), max)  # a backend without the pooling kernels (CUDA's, today)
    return MaxPool2dFun.apply(input, (kh, kw))
    ### END SOLUTION


# ## Max, argmax, softmax


def max(input: Tensor, dim: int) -> Tensor:
    """Maximum over ``dim`` (kept with size 1). Backward: the gradient goes to the argmax
    (split equally where several positions tie). The library's one ``Max`` Function."""
    ### BEGIN SOLUTION task-4.4
    return input.max(dim)
    ### END SOLUTION


def argmax(input: Tensor, dim: int) -> Tensor:
    """One-hot of the maximum along ``dim``: 1.0 where ``input`` equals its max, else 0.0.

    Same shape as ``input``; every tied maximum gets a 1. A constant (no gradient).
    """
    ### BEGIN SOLUTION task-4.4
    x = input.detach()
    return x == x.max(dim)
    ### END SOLUTION


def softmax(input: Tensor, dim: int) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim``: positive, summing to 1 along ``dim``.

    Computed as exp(x - m) / sum(exp(x - m)) with m the max along ``dim`` (the same value
    for any m; with the max no exp overflows). m is taken as a constant: the result does not
    depend on it, so neither does the gradient.
    """
    ### BEGIN SOLUTION task-4.4
    e = (input - input.detach().max(dim)).exp()
    return e / e.sum(dim)
    ### END SOLUTION


def logsoftmax(input: Tensor, dim: int) -> Tensor:
    """log(softmax(x)) along ``dim``, computed stably: x - m - log(sum(exp(x - m))).

    m is the max along ``dim`` (a constant for the gradient, as in ``softmax``), so exp
    never overflows and logits of 1000 give finite results.
    """
    ### BEGIN SOLUTION task-4.4
    shifted = input - input.detach().max(dim)
    return shifted - shifted.exp().sum(dim).log()
    ### END SOLUTION


# ## Dropout

_dropout_rng = np.random.default_rng(0)


def manual_seed(seed: int) -> None:
    """Restart the random numbers ``dropout`` (without its own seed) draws from."""
    global _dropout_rng
    _dropout_rng = np.random.default_rng(seed)


def dropout(
    input: Tensor,
    rate: float,
    ignore: bool = False,
    seed: Optional[int] = None,
    scale: bool = False,
) -> Tensor:
    """Zero each number with probability ``rate`` (MiniTorch's semantics: the kept ones
    unchanged; ``scale=True`` divides them by 1 - rate, as PyTorch does, so the expected
    value stays the same). ``ignore=True`` (evaluation) returns ``input`` itself.

    The mask comes from ``seed`` if given, else from the module's generator (seeded 0 at
    import, ``manual_seed`` restarts it): runs are reproducible.
    """
    ### BEGIN SOLUTION task-4.4
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"dropout: rate must be between 0 and 1, got {rate}")
    if ignore or rate == 0.0:
        return input
    if rate == 1.0:
        return input * 0.0
    rng = np.random.default_rng(seed) if seed is not None else _dropout_rng
    keep = (rng.random(input.shape) >= rate).astype(np.float64)
    if scale:
        keep /= 1.0 - rate
    return input * Tensor.from_numpy(keep, backend=input.backend, requires_grad=False)
    ### END SOLUTION


# ## Losses


def nll_loss(log_probs: Tensor, target: Tensor) -> Tensor:
    """Mean negative log-likelihood: log_probs (B, classes) from ``logsoftmax``, target
    (B, classes) one-hot. Shape (1,)."""
    if log_probs.shape != target.shape:
        raise IndexingError(f"nll_loss: log_probs of shape {log_probs.shape} but target of shape {target.shape}")
    return -(log_probs * target).sum() / log_probs.shape[0]


def cross_entropy(logits: Tensor, target: Tensor) -> Tensor:
    """``nll_loss(logsoftmax(logits, 1), target)``: logits (B, classes), target one-hot."""
    return nll_loss(logsoftmax(logits, 1), target)


# ## Layers


def _uniform(shape: Sequence[int], bound: float, rng: np.random.Generator, backend: TensorBackend) -> Tensor:
    return Tensor.from_numpy(rng.uniform(-bound, bound, size=tuple(shape)), backend=backend)


class Linear(Module):
    """x (B, in_size) -> x @ weights + bias, (B, out_size).

    ``weights`` (in_size, out_size) and ``bias`` (out_size,) start uniform in
    +-1/sqrt(in_size) (PyTorch's default), drawn from ``seed``.
    """

    def __init__(
        self, in_size: int, out_size: int, backend: TensorBackend = SimpleBackend, seed: Optional[int] = 0
    ):
        super().__init__()
        rng = np.random.default_rng(seed)
        bound = 1.0 / math.sqrt(in_size)
        self.weights = Parameter(_uniform((in_size, out_size), bound, rng, backend), "weights")
        self.bias = Parameter(_uniform((out_size,), bound, rng, backend), "bias")
        self.in_size, self.out_size = in_size, out_size

    def forward(self, x: Tensor) -> Tensor:
        if x.dims != 2 or x.shape[1] != self.in_size:
            raise IndexingError(f"Linear({self.in_size}, {self.out_size}): expected input (batch, {self.in_size}), got shape {x.shape}")
        return x @ self.weights.value + self.bias.value

    def extra_repr(self) -> str:
        return f"{self.in_size}, {self.out_size}"


class Conv1d(Module):
    """(B, in_channels, W) -> (B, out_channels, W): ``conv1d`` with a learned weight and bias.

    ``weights`` (out_channels, in_channels, kernel_width), ``bias`` (1, out_channels, 1),
    uniform in +-1/sqrt(in_channels * kernel_width), drawn from ``seed``.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_width: int,
        backend: TensorBackend = SimpleBackend,
        seed: Optional[int] = 0,
    ):
        super().__init__()
        rng = np.random.default_rng(seed)
        bound = 1.0 / math.sqrt(in_channels * kernel_width)
        self.weights = Parameter(_uniform((out_channels, in_channels, kernel_width), bound, rng, backend), "weights")
        self.bias = Parameter(_uniform((1, out_channels, 1), bound, rng, backend), "bias")

    def forward(self, x: Tensor) -> Tensor:
        return conv1d(x, self.weights.value) + self.bias.value

    def extra_repr(self) -> str:
        o, i, k = self.weights.value.shape
        return f"{i}, {o}, {k}"


class Conv2d(Module):
    """(B, in_channels, H, W) -> (B, out_channels, H, W): ``conv2d`` with weight and bias.

    ``kernel`` is (kh, kw) (or one int for a square); ``weights`` (out, in, kh, kw), ``bias``
    (out, 1, 1), uniform in +-1/sqrt(in * kh * kw), drawn from ``seed``.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel: Union[int, Tuple[int, int]],
        backend: TensorBackend = SimpleBackend,
        seed: Optional[int] = 0,
    ):
        super().__init__()
        kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
        rng = np.random.default_rng(seed)
        bound = 1.0 / math.sqrt(in_channels * kh * kw)
        self.weights = Parameter(_uniform((out_channels, in_channels, kh, kw), bound, rng, backend), "weights")
        self.bias = Parameter(_uniform((out_channels, 1, 1), bound, rng, backend), "bias")

    def forward(self, x: Tensor) -> Tensor:
        out = conv2d(x, self.weights.value)
        batch, channels, height, width = out.shape
        # The bias added on a (B, O, H * W) view, (O, 1) against rows of H * W numbers: the same
        # sum, but the elementwise kernel and the gradient's sum over the batch work in runs of
        # H * W numbers instead of W (measured on the digits LeNet: 2 ms -> 0.25 ms per layer).
        flat = out.view(batch, channels, height * width) + self.bias.value.view(channels, 1)
        return flat.view(batch, channels, height, width)

    def extra_repr(self) -> str:
        o, i, kh, kw = self.weights.value.shape
        return f"{i}, {o}, ({kh}, {kw})"


class ReLU(Module):
    def forward(self, x: Tensor) -> Tensor:
        return x.relu()


class Sigmoid(Module):
    def forward(self, x: Tensor) -> Tensor:
        return x.sigmoid()


class LogSoftmax(Module):
    """``logsoftmax`` over dimension ``dim`` (default 1: the classes of a batch)."""

    def __init__(self, dim: int = 1):
        super().__init__()
        self.dim = dim

    def forward(self, x: Tensor) -> Tensor:
        return logsoftmax(x, self.dim)


class Dropout(Module):
    """``dropout`` at ``rate`` while training; nothing after ``eval()``."""

    def __init__(self, rate: float):
        super().__init__()
        self.rate = rate

    def forward(self, x: Tensor) -> Tensor:
        return dropout(x, self.rate, ignore=not self.training)


class MaxPool2d(Module):
    """``maxpool2d`` with a fixed ``kernel`` (kh, kw)."""

    def __init__(self, kernel: Tuple[int, int]):
        super().__init__()
        self.kernel = _kernel_arg(kernel)

    def forward(self, x: Tensor) -> Tensor:
        return maxpool2d(x, self.kernel)


class AvgPool2d(Module):
    """``avgpool2d`` with a fixed ``kernel`` (kh, kw)."""

    def __init__(self, kernel: Tuple[int, int]):
        super().__init__()
        self.kernel = _kernel_arg(kernel)

    def forward(self, x: Tensor) -> Tensor:
        return avgpool2d(x, self.kernel)


class Flatten(Module):
    """(B, ...) -> (B, everything else): between convolutions and ``Linear`` layers."""

    def forward(self, x: Tensor) -> Tensor:
        x = x if x.is_contiguous() else x.contiguous()  # view needs row-major order; a copy only if not
        return x.view(x.shape[0], x.size // x.shape[0])


class Sequential(Module):
    """Layers applied in order; their parameters are named ``"0.weights"``, ``"1.bias"``..."""

    def __init__(self, *layers: Module):
        super().__init__()
        for i, layer in enumerate(layers):
            if not isinstance(layer, Module):
                raise TypeError(f"Sequential takes Modules, got {type(layer).__name__} at position {i}")
            setattr(self, str(i), layer)

    def forward(self, x: Tensor) -> Tensor:
        for layer in self.modules():
            x = layer(x)
        return x


__all__ = [
    "AvgPool2d", "Conv1d", "Conv1dFun", "Conv2d", "Conv2dFun", "Dropout", "Flatten", "Linear", "LogSoftmax",
    "MaxPool2d", "MaxPool2dFun", "ReLU",
    "Sequential", "Sigmoid", "argmax", "avgpool2d", "conv1d", "conv2d", "cross_entropy", "dropout",
    "logsoftmax", "manual_seed", "max", "maxpool2d", "nll_loss", "softmax", "tile",
]  # fmt: skip
