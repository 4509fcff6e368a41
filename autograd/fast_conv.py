"""Module 4: the convolution kernel of the fast CPU backend (numba), registered for ``FastOps``.

Same contract as ``conv_ops.tensor_conv2d`` (read that first): ``out[b, o, h, w] = sum of
weight[o, c, i, j] * input[b, c, h +- i, w +- j]``, zero outside the input. 1-D convolution
runs as 2-D with a height of 1, so there is one compiled kernel, top-level and cached.

The inputs are first made C-contiguous numpy arrays of rank 4 (a view when they already are;
a copy for a permuted tensor, which the backward pass passes: it costs one pass over the data,
the convolution several). Inside, each batch entry's windows are gathered into a small matrix
(im2col, private to the kernel: nothing of it reaches the autodiff graph) and multiplied by the
weight, along its longer side (see the kernel's docstring). Measured on LeNet's second layer
for 8x8 digits (batch 32, 8 -> 16 channels, 3x3), one thread: looping over each output row
for every kernel position took 2.3 ms (1 GMAC/s), the gathered product takes the time in
benchmarks/README.md.
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
    C-contiguous float64; ``reverse`` reads ``inp[h - i, w - j]`` instead of ``[h + i, w + j]``.

    Per batch entry n (in parallel): gather the windows into a matrix ``cols`` with one row
    per kernel position k = (c, i, j) and one column per output position p = (h, w) (zero
    where a window leaves the input), then ``out[n] = wt (O x K) @ cols (K x P)``. That
    product's inner loop runs along whichever of P and K is longer, over contiguous memory,
    so it vectorises: P (output positions) in the forward pass and for the input's gradient,
    K in the weight's gradient, where the "kernel" is a whole image and P is k x k.
    """
    batch, out_channels, out_h, out_w = out.shape
    _, channels, height, width = inp.shape
    kh, kw = wt.shape[2], wt.shape[3]
    step = -1 if reverse else 1
    K = channels * kh * kw
    P = out_h * out_w
    w2 = wt.reshape((out_channels, K))
    for n in prange(batch):
        o2 = out[n].reshape((out_channels, P))
        long_rows = P >= K
        # cols[k, p] (or cols[p, k] when K is the longer side): input under kernel position k
        # when the window sits at output position p
        cols = np.zeros((K, P)) if long_rows else np.zeros((P, K))
        for c in range(channels):
            for i in range(kh):
                for h in range(out_h):
                    y = h + step * i
                    if y < 0 or y >= height:
                        continue
                    for j in range(kw):
                        k = (c * kh + i) * kw + j
                        for w in range(out_w):
                            x = w + step * j
                            if 0 <= x < width:
                                if long_rows:
                                    cols[k, h * out_w + w] = inp[n, c, y, x]
                                else:
                                    cols[h * out_w + w, k] = inp[n, c, y, x]
        if long_rows:
            # four output channels per pass over cols: each number of cols loaded serves four
            # rows (the loop is limited by memory traffic, not by multiply-adds)
            acc = np.empty((4, P))
            for o0 in range(0, out_channels, 4):
                rows = min(4, out_channels - o0)
                acc[:] = 0.0
                for k in range(K):
                    ck = cols[k]
                    if rows == 4:
                        w0, w1, w2_, w3 = w2[o0, k], w2[o0 + 1, k], w2[o0 + 2, k], w2[o0 + 3, k]
                        for p in range(P):
                            x = ck[p]
                            acc[0, p] += w0 * x
                            acc[1, p] += w1 * x
                            acc[2, p] += w2_ * x
                            acc[3, p] += w3 * x
                    else:
                        for r in range(rows):
                            wk = w2[o0 + r, k]
                            for p in range(P):
                                acc[r, p] += wk * ck[p]
                for r in range(rows):
                    o2[o0 + r, :] = acc[r]
        else:
            for o in range(out_channels):
                weights = w2[o]
                for p in range(P):
                    cp = cols[p]
                    total = 0.0
                    for k in range(K):
                        total += weights[k] * cp[k]
                    o2[o, p] = total


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
