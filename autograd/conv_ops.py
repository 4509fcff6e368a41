"""Module 4's own kernels: convolution (the one primitive that is not a map, zip, reduce or
matmul) and, for speed, max pooling's pair.

How convolution fits the backend design
---------------------------------------
A backend supplies kernels; Functions are written with them. Convolution gets ONE kernel of
its own (as MiniTorch does), for 1-D and 2-D inputs::

    out[b, o, w] = sum over i, k of weight[o, i, k] * input[b, i, w + k]     (reverse=False)
    out[b, o, w] = sum over i, k of weight[o, i, k] * input[b, i, w - k]     (reverse=True)

where a position outside ``input`` counts as 0 (so the forward pass pads with zeros on the
right, and the output has the input's width). 2-D is the same with ``(h, w)`` and ``(i, j)``.
Nothing ties the output's width to the input's or the kernel's: the caller chooses it.

The backward pass is the same kernel again (see ``nn.Conv1dFun``):

- ``grad_input[b, i, x] = sum over o, k of grad_out[b, o, x - k] * weight[o, i, k]``: the kernel
  *reversed*, run on ``grad_out`` with the weight's two channel dimensions swapped;
- ``grad_weight[o, i, k] = sum over b, w of grad_out[b, o, w] * input[b, i, w + k]``: the kernel
  forward with the roles moved, batch as the channels (``input.permute(1, 0, 2)`` as the
  input, ``grad_out.permute(1, 0, 2)`` as the weight, an output of width ``k``).

The other classic design, unfold (im2col) + matrix multiply, needs a second kernel for its
backward (folding the columns back, adding where windows overlap): two new primitives instead of
one, and an unfolded copy k times (k*k in 2-D) the size of the input.

What a backend supplies: a kernel ``k(out, out_shape, out_strides, input, input_shape,
input_strides, weight, weight_shape, weight_strides, reverse)`` on raw triples (3-D or 4-D, all
of the same rank) that fills ``out``, beside its map/zip/reduce/matmul kernels. ``SimpleOps``'s
is the readable one below; ``fast_conv`` gives ``FastOps`` a numba one; a CUDA backend defines
its own ``CudaOps.conv_kernel`` (not written yet: this is the hook).

Max pooling has a kernel pair here too (``maxpool_kernel``, ``maxpool_back_kernel``; section
below says why); a backend without them gets a NotImplementedError naming the missing one.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Callable, Tuple, Type

from .tensor_data import Shape, Storage, Strides
from .tensor_ops import SimpleOps, TensorOps

if TYPE_CHECKING:
    from .tensor import Tensor

ConvKernel = Callable[..., None]  # (out, out_shape, out_strides, input, ..., weight, ..., reverse)


# ## The readable reference kernels (SimpleOps): loops over raw (storage, shape, strides)


def tensor_conv1d(
    out: Storage,
    out_shape: Shape,
    out_strides: Strides,
    input: Storage,
    input_shape: Shape,
    input_strides: Strides,
    weight: Storage,
    weight_shape: Shape,
    weight_strides: Strides,
    reverse: bool,
) -> None:
    """1-D kernel. Shapes: out (B, O, OW), input (B, I, W), weight (O, I, K).

    ``out[b, o, w] = sum_{i, k} weight[o, i, k] * input[b, i, w + k]`` (``w - k`` if
    ``reverse``), positions outside the input counting as 0.
    """
    ### BEGIN SOLUTION task-4.1
    batch, out_channels, out_width = out_shape
    _, in_channels, width = input_shape
    kw = weight_shape[2]
    os, xs, ws = out_strides, input_strides, weight_strides
    for b in range(batch):
        for o in range(out_channels):
            for w in range(out_width):
                acc = 0.0
                for i in range(in_channels):
                    for k in range(kw):
                        x = w - k if reverse else w + k
                        if 0 <= x < width:
                            acc += weight[o * ws[0] + i * ws[1] + k * ws[2]] * input[b * xs[0] + i * xs[1] + x * xs[2]]
                out[b * os[0] + o * os[1] + w * os[2]] = acc
    ### END SOLUTION


def tensor_conv2d(
    out: Storage,
    out_shape: Shape,
    out_strides: Strides,
    input: Storage,
    input_shape: Shape,
    input_strides: Strides,
    weight: Storage,
    weight_shape: Shape,
    weight_strides: Strides,
    reverse: bool,
) -> None:
    """2-D kernel. Shapes: out (B, O, OH, OW), input (B, C, H, W), weight (O, C, KH, KW).

    ``out[b, o, h, w] = sum_{c, i, j} weight[o, c, i, j] * input[b, c, h + i, w + j]``
    (``h - i, w - j`` if ``reverse``), positions outside the input counting as 0.
    """
    ### BEGIN SOLUTION task-4.2
    batch, out_channels, out_height, out_width = out_shape
    _, in_channels, height, width = input_shape
    kh, kw = weight_shape[2], weight_shape[3]
    os, xs, ws = out_strides, input_strides, weight_strides
    for b in range(batch):
        for o in range(out_channels):
            for h in range(out_height):
                for w in range(out_width):
                    acc = 0.0
                    for c in range(in_channels):
                        for i in range(kh):
                            y = h - i if reverse else h + i
                            if not 0 <= y < height:
                                continue
                            for j in range(kw):
                                x = w - j if reverse else w + j
                                if 0 <= x < width:
                                    acc += (
                                        weight[o * ws[0] + c * ws[1] + i * ws[2] + j * ws[3]]
                                        * input[b * xs[0] + c * xs[1] + y * xs[2] + x * xs[3]]
                                    )
                    out[b * os[0] + o * os[1] + h * os[2] + w * os[3]] = acc
    ### END SOLUTION


def simple_conv_kernel(
    out: Storage,
    out_shape: Shape,
    out_strides: Strides,
    input: Storage,
    input_shape: Shape,
    input_strides: Strides,
    weight: Storage,
    weight_shape: Shape,
    weight_strides: Strides,
    reverse: bool,
) -> None:
    """SimpleOps' convolution kernel: ``tensor_conv1d`` or ``tensor_conv2d`` by rank."""
    kernel = tensor_conv1d if len(out_shape) == 3 else tensor_conv2d
    kernel(out, out_shape, out_strides, input, input_shape, input_strides, weight, weight_shape, weight_strides, reverse)


# ## The kernel is a backend slot, beside map/zip/reduce/matmul
#
# ``TensorOps.conv_kernel`` (declared in tensor_ops) takes the raw triples of out, input and
# weight and ``reverse``, like the other kernels. It is set here for SimpleOps and in
# ``fast_conv`` for FastOps, so that the convolution code stays in this Module 4 file; a CUDA
# backend defines ``conv_kernel`` in its class (not written yet: this is the hook).

SimpleOps.conv_kernel = staticmethod(simple_conv_kernel)  # type: ignore[assignment]


# ## Max pooling: a kernel pair of its own
#
# ``maxpool2d`` could be written with the primitives (``tile``, then ``max`` over its last
# dimension), and ``avgpool2d`` still is. But a pooled image is small (4 x 4 numbers for 8 x 8
# digits) and every tensor on that way has a last dimension of the window's width (2): the
# map/zip/reduce kernels work in runs along the last dimension and pay their index arithmetic
# once per run, so on a digits LeNet the pooling's copies and its gradient's broadcast zips took
# half of a training epoch (benchmarks/README.md). Two small kernels, one pass each:
#
#     out[b, c, y, x] = max over i < kh, j < kw of input[b, c, y * kh + i, x * kw + j]
#     grad_input[b, c, y * kh + i, x * kw + j] = grad_out[b, c, y, x] / n  where input there
#         equals out[b, c, y, x] (n: how many numbers of the window do), else 0
#
# with kh = H // OH and kw = W // OW read from the shapes. A tie shares the gradient equally, as
# ``Max``'s backward does. A backend supplies both on raw triples, beside ``conv_kernel``.


def tensor_maxpool2d(
    out: Storage, out_shape: Shape, out_strides: Strides, input: Storage, input_shape: Shape, input_strides: Strides
) -> None:
    """Max of each (kh, kw) block. Shapes: out (B, C, OH, OW), input (B, C, OH * kh, OW * kw).

    A NaN in a block makes that block's maximum NaN.
    """
    batch, channels, out_height, out_width = out_shape
    kh, kw = input_shape[2] // out_height, input_shape[3] // out_width
    os, xs = out_strides, input_strides
    for b in range(batch):
        for c in range(channels):
            for y in range(out_height):
                for x in range(out_width):
                    best = -math.inf
                    for i in range(kh):
                        for j in range(kw):
                            v = input[b * xs[0] + c * xs[1] + (y * kh + i) * xs[2] + (x * kw + j) * xs[3]]
                            if v > best or v != v:  # v != v: a NaN wins, and stays
                                best = v
                    out[b * os[0] + c * os[1] + y * os[2] + x * os[3]] = best


def tensor_maxpool2d_back(
    grad_in: Storage,
    grad_in_shape: Shape,
    grad_in_strides: Strides,
    input: Storage,
    input_shape: Shape,
    input_strides: Strides,
    out: Storage,
    out_shape: Shape,
    out_strides: Strides,
    grad_out: Storage,
    grad_out_shape: Shape,
    grad_out_strides: Strides,
) -> None:
    """The gradient of ``tensor_maxpool2d``: grad_in and input (B, C, H, W), out and grad_out
    (B, C, OH, OW). Each block's gradient goes to its maximum (shared equally by ties)."""
    batch, channels, out_height, out_width = out_shape
    kh, kw = input_shape[2] // out_height, input_shape[3] // out_width
    gs, xs, os, ds = grad_in_strides, input_strides, out_strides, grad_out_strides
    for b in range(batch):
        for c in range(channels):
            for y in range(out_height):
                for x in range(out_width):
                    best = out[b * os[0] + c * os[1] + y * os[2] + x * os[3]]
                    window = [
                        (y * kh + i, x * kw + j)
                        for i in range(kh)
                        for j in range(kw)
                        if input[b * xs[0] + c * xs[1] + (y * kh + i) * xs[2] + (x * kw + j) * xs[3]] == best
                    ]  # the (row, column) of each maximum of the block
                    share = grad_out[b * ds[0] + c * ds[1] + y * ds[2] + x * ds[3]] / len(window) if window else 0.0
                    for h, w in window:
                        grad_in[b * gs[0] + c * gs[1] + h * gs[2] + w * gs[3]] = share


SimpleOps.maxpool_kernel = staticmethod(tensor_maxpool2d)  # type: ignore[attr-defined]
SimpleOps.maxpool_back_kernel = staticmethod(tensor_maxpool2d_back)  # type: ignore[attr-defined]


def maxpool(input: "Tensor", out_shape: Tuple[int, ...]) -> "Tensor":
    """A new (B, C, OH, OW) tensor: the max of each block of ``input`` (see above)."""
    out = input.zeros(out_shape)
    _pool_kernel(input.backend.ops, "maxpool_kernel")(*out.tuple(), *input.tuple())
    return out


def maxpool_back(input: "Tensor", out: "Tensor", grad_out: "Tensor") -> "Tensor":
    """A new tensor of ``input``'s shape: ``grad_out`` sent back to each block's maximum."""
    grad_in = input.zeros(input.shape)
    _pool_kernel(input.backend.ops, "maxpool_back_kernel")(
        *grad_in.tuple(), *input.tuple(), *out.tuple(), *grad_out.tuple()
    )
    return grad_in


def _pool_kernel(ops: Type[TensorOps], name: str) -> ConvKernel:
    kernel = getattr(ops, name, None)
    if kernel is None:
        raise NotImplementedError(f"the backend {ops.__name__} has no {name} (see autograd.conv_ops)")
    return kernel


def conv_kernel(ops: Type[TensorOps]) -> ConvKernel:
    """The convolution kernel of backend ``ops``."""
    return ops.conv_kernel


def conv(input: "Tensor", weight: "Tensor", out_shape: Tuple[int, ...], reverse: bool = False) -> "Tensor":
    """A new tensor of ``out_shape`` filled by the backend's convolution kernel (see above).

    ``input`` and ``weight`` are both 3-D (1-D convolution) or both 4-D (2-D); the shapes are
    checked by the callers (``nn.conv1d`` / ``nn.conv2d``), which know what they mean.
    """
    out = input.zeros(out_shape)
    conv_kernel(input.backend.ops)(*out.tuple(), *input.tuple(), *weight.tuple(), bool(reverse))
    return out
