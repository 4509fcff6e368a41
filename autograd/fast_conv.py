"""Module 4: the convolution kernel of the fast CPU backend (numba), registered for ``FastOps``.

Same contract as ``conv_ops.tensor_conv2d`` (read that first): ``out[b, o, h, w] = sum of
weight[o, c, i, j] * input[b, c, h +- i, w +- j]``, zero outside the input. 1-D convolution
runs as 2-D with a height of 1, so there is one compiled kernel, top-level and cached.

The inputs are first made C-contiguous numpy arrays of rank 4 (a view when they already are;
a copy for a permuted tensor, which the backward pass passes: it costs one pass over the data,
the convolution several). Two loop orders, chosen by shape:

- output rows longer than the kernel rows (the forward pass, and the gradient of the input):
  for each (batch, out channel) and output row, add ``weight[o, c, i, j] * input row`` into a
  row accumulator, for every (c, i, j). The inner loop runs along both rows, contiguous, so it
  vectorises; the accumulator stays in L1.
- kernel rows longer than the output rows (the gradient of the weight, whose "kernel" is a
  whole image of gradients and whose output is a k x k patch): each output number is a dot
  product along contiguous rows of the "kernel" and the input.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numba import njit, prange

from .conv_ops import register_conv_kernel
from .fast_ops import FastOps, _run, _storage

if TYPE_CHECKING:
    from .tensor import Tensor


@njit(parallel=True, cache=True, fastmath=True)
def _conv2d_kernel(out, inp, wt, reverse):  # type: ignore[no-untyped-def]
    """Fill ``out`` (B, O, OH, OW) from ``inp`` (B, C, H, W) and ``wt`` (O, C, KH, KW), all
    C-contiguous float64; ``reverse`` reads ``inp[h - i, w - j]`` instead of ``[h + i, w + j]``."""
    batch, out_channels, out_h, out_w = out.shape
    _, channels, height, width = inp.shape
    kh, kw = wt.shape[2], wt.shape[3]
    step = -1 if reverse else 1
    if out_w >= kw:
        for task in prange(batch * out_channels):
            b = task // out_channels
            o = task % out_channels
            acc = np.empty(out_w)
            for h in range(out_h):
                acc[:] = 0.0
                for c in range(channels):
                    for i in range(kh):
                        y = h + step * i
                        if y < 0 or y >= height:
                            continue
                        row = inp[b, c, y]
                        for j in range(kw):
                            # the output positions w whose input w + step*j lies inside the row
                            if reverse:
                                w0, w1 = j, min(out_w, width + j)
                            else:
                                w0, w1 = 0, min(out_w, width - j)
                            if w1 <= w0:
                                continue
                            weight = wt[o, c, i, j]
                            dst = acc[w0:w1]
                            src = row[w0 + step * j : w1 + step * j]
                            for t in range(w1 - w0):
                                dst[t] += weight * src[t]
                out[b, o, h, :] = acc
    else:
        for task in prange(batch * out_channels * out_h):
            b = task // (out_channels * out_h)
            o = (task // out_h) % out_channels
            h = task % out_h
            for w in range(out_w):
                acc = 0.0
                for c in range(channels):
                    for i in range(kh):
                        y = h + step * i
                        if y < 0 or y >= height:
                            continue
                        # the kernel positions j whose input w + step*j lies inside the row
                        if reverse:
                            j0, j1 = 0, min(kw, w + 1)
                        else:
                            j0, j1 = 0, min(kw, width - w)
                        wrow = wt[o, c, i]
                        row = inp[b, c, y]
                        if reverse:
                            for j in range(j0, j1):
                                acc += wrow[j] * row[w - j]
                        else:
                            src = row[w : w + j1]
                            for j in range(j1):
                                acc += wrow[j] * src[j]
                out[b, o, h, w] = acc


def _as_4d(t: "Tensor") -> np.ndarray:
    """``t``'s numbers as a C-contiguous 4-D array (1-D convolution: height 1). No copy when
    ``t`` is contiguous already. Always C layout: each other layout would be one more compiled
    (and cached) variant of the kernel, 10-20 s each on an empty cache."""
    storage = _storage(t)
    array = storage.reshape(t.shape) if t.is_contiguous() else np.ascontiguousarray(t.to_numpy())
    return array.reshape((t.shape[0], t.shape[1], 1, t.shape[2])) if t.dims == 3 else array


def fast_conv(out: "Tensor", input: "Tensor", weight: "Tensor", reverse: bool) -> None:
    """FastOps' conv: the numba kernel on 4-D views (``out`` is new and contiguous)."""
    out4 = _as_4d(out)
    work = out.size * weight.size // max(1, weight.shape[0])
    _run(_conv2d_kernel, None, work, out4, _as_4d(input), _as_4d(weight), bool(reverse))


register_conv_kernel(FastOps, fast_conv)
