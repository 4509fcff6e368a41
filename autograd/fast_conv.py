"""Module 4: the convolution and max-pooling kernels of the fast CPU backend (numba):
``FastOps.conv_kernel``, ``FastOps.maxpool_kernel`` and ``FastOps.maxpool_back_kernel``.

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

The max-pooling pair (contract: ``conv_ops.tensor_maxpool2d`` and ``tensor_maxpool2d_back``)
is one pass over the input each, in parallel over (batch, channel).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .fast_ops import FastOps, _run


# Output channels from which the kernel takes the blocked product (``_many_channels``):
# measured on one thread, conv1d B16 50 -> 100 channels, width 60: forward 2.5 -> 1.4 ms, input
# gradient 2.4-3.2 -> 1.8-2.3 ms; with LeNet's 8 or 16 channels it was 10-20 % slower (four
# passes or fewer over the columns: the blocking's set-up is not repaid).
_MANY_CHANNELS = 32


@njit(cache=True, fastmath=True)
def _many_channels(out, inp, w2, n0, n1, kh, kw, step):  # type: ignore[no-untyped-def]
    """``out[n] = w2 (O x K) @ cols_n`` for the batch entries n0 <= n < n1 at once.

    Their columns side by side in one matrix (K x N, N = (n1 - n0) x P: rows of hundreds of
    numbers, a whole number of vector widths whatever P is), then four output channels x four
    kernel positions per pass over it: 16 multiply-adds per column for 8 loads and 4 stores,
    the 16 weights held in registers.
    """
    ### BEGIN SOLUTION task-4.2
    out_channels, out_h, out_w = out.shape[1], out.shape[2], out.shape[3]
    channels, height, width = inp.shape[1], inp.shape[2], inp.shape[3]
    K, P = w2.shape[1], out_h * out_w
    N = (n1 - n0) * P
    cols = np.zeros((K, N))
    for n in range(n0, n1):
        for c in range(channels):
            for i in range(kh):
                for h in range(out_h):
                    y = h + step * i
                    if y < 0 or y >= height:
                        continue
                    for j in range(kw):
                        row = cols[(c * kh + i) * kw + j]
                        start = (n - n0) * P + h * out_w
                        for w in range(out_w):
                            x = w + step * j
                            if 0 <= x < width:
                                row[start + w] = inp[n, c, y, x]
    acc = np.empty((4, N))
    for o0 in range(0, out_channels, 4):
        rows = min(4, out_channels - o0)
        acc[:] = 0.0
        blocked = K - K % 4 if rows == 4 else 0
        for k0 in range(0, blocked, 4):
            w00, w01, w02, w03 = w2[o0, k0], w2[o0, k0 + 1], w2[o0, k0 + 2], w2[o0, k0 + 3]
            w10, w11, w12, w13 = w2[o0 + 1, k0], w2[o0 + 1, k0 + 1], w2[o0 + 1, k0 + 2], w2[o0 + 1, k0 + 3]
            w20, w21, w22, w23 = w2[o0 + 2, k0], w2[o0 + 2, k0 + 1], w2[o0 + 2, k0 + 2], w2[o0 + 2, k0 + 3]
            w30, w31, w32, w33 = w2[o0 + 3, k0], w2[o0 + 3, k0 + 1], w2[o0 + 3, k0 + 2], w2[o0 + 3, k0 + 3]
            c0, c1, c2, c3 = cols[k0], cols[k0 + 1], cols[k0 + 2], cols[k0 + 3]
            a0, a1, a2, a3 = acc[0], acc[1], acc[2], acc[3]
            for p in range(N):
                x0, x1, x2, x3 = c0[p], c1[p], c2[p], c3[p]
                a0[p] += w00 * x0 + w01 * x1 + w02 * x2 + w03 * x3
                a1[p] += w10 * x0 + w11 * x1 + w12 * x2 + w13 * x3
                a2[p] += w20 * x0 + w21 * x1 + w22 * x2 + w23 * x3
                a3[p] += w30 * x0 + w31 * x1 + w32 * x2 + w33 * x3
        for k in range(blocked, K):  # the last K % 4 positions (all of them for fewer than 4 rows)
            ck = cols[k]
            for r in range(rows):
                wk = w2[o0 + r, k]
                ar = acc[r]
                for p in range(N):
                    ar[p] += wk * ck[p]
        for n in range(n0, n1):
            for r in range(rows):
                out[n, o0 + r].reshape(P)[:] = acc[r, (n - n0) * P : (n - n0 + 1) * P]
    ### END SOLUTION


@njit(parallel=True, cache=True, fastmath=True)
def _conv2d_kernel(out, inp, wt, reverse):  # type: ignore[no-untyped-def]
    """Fill ``out`` (B, O, OH, OW) from ``inp`` (B, C, H, W) and ``wt`` (O, C, KH, KW), all
    C-contiguous float64; ``reverse`` reads ``inp[h - i, w - j]`` instead of ``[h + i, w + j]``.

    Per batch entry n (in parallel): gather the windows into a matrix ``cols`` with one row
    per kernel position k = (c, i, j) and one column per output position p = (h, w) (zero
    where a window leaves the input), then ``out[n] = wt (O x K) @ cols (K x P)``. That
    product's inner loop runs over contiguous memory, so it vectorises: along P (output
    positions) in the forward pass and for the input's gradient, along K in the weight's
    gradient, where the "kernel" is a whole image and P is only kh x kw. With many output
    channels (``_MANY_CHANNELS``) the product is blocked further: ``_many_channels``.
    """
    ### BEGIN SOLUTION task-4.2
    batch, out_channels, out_h, out_w = out.shape
    _, channels, height, width = inp.shape
    kh, kw = wt.shape[2], wt.shape[3]
    step = -1 if reverse else 1
    K = channels * kh * kw
    P = out_h * out_w
    w2 = wt.reshape((out_channels, K))
    if out_channels >= _MANY_CHANNELS and (P >= 16 or P >= K):
        group = max(1, 512 // P)  # batch entries per task: columns of about 512 positions
        for task in prange((batch + group - 1) // group):
            _many_channels(out, inp, w2, task * group, min(batch, task * group + group), kh, kw, step)
        return
    for n in prange(batch):
        o2 = out[n].reshape((out_channels, P))
        # the product runs along P when its rows are long enough to vectorise (the forward pass
        # and the input's gradient), else along K (the weight's gradient: P is kh x kw)
        long_rows = P >= 16 or P >= K
        # cols[k, p] (or cols[p, k] when K is the longer side): input under kernel position k
        # when the window sits at output position p
        # (the gathering loops write along cols' rows: its last index innermost)
        cols = np.zeros((K, P)) if long_rows else np.zeros((P, K))
        for c in range(channels):
            for i in range(kh):
                for h in range(out_h):
                    y = h + step * i
                    if y < 0 or y >= height:
                        continue
                    if long_rows:
                        for j in range(kw):
                            k = (c * kh + i) * kw + j
                            for w in range(out_w):
                                x = w + step * j
                                if 0 <= x < width:
                                    cols[k, h * out_w + w] = inp[n, c, y, x]
                    else:
                        for w in range(out_w):
                            row = cols[h * out_w + w]
                            for j in range(kw):
                                x = w + step * j
                                if 0 <= x < width:
                                    row[(c * kh + i) * kw + j] = inp[n, c, y, x]
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
            # dot products along K, four output channels at a time (each number of cols read
            # once for four of them)
            for o0 in range(0, out_channels, 4):
                rows = min(4, out_channels - o0)
                for p in range(P):
                    cp = cols[p]
                    if rows == 4:
                        a0 = a1 = a2 = a3 = 0.0
                        r0, r1, r2, r3 = w2[o0], w2[o0 + 1], w2[o0 + 2], w2[o0 + 3]
                        for k in range(K):
                            x = cp[k]
                            a0 += r0[k] * x
                            a1 += r1[k] * x
                            a2 += r2[k] * x
                            a3 += r3[k] * x
                        o2[o0, p], o2[o0 + 1, p], o2[o0 + 2, p], o2[o0 + 3, p] = a0, a1, a2, a3
                    else:
                        for r in range(rows):
                            weights = w2[o0 + r]
                            total = 0.0
                            for k in range(K):
                                total += weights[k] * cp[k]
                            o2[o0 + r, p] = total
    ### END SOLUTION


def _as_4d(storage: np.ndarray, shape: np.ndarray, strides: np.ndarray) -> np.ndarray:
    """A tensor's numbers as a C-contiguous float64 4-D array (1-D convolution: height 1).

    No copy when the tensor is contiguous already (the usual case: kernel outputs). Always C
    layout and float64: each other layout or dtype would be one more compiled (and cached)
    variant of the kernel, 10-20 s each on an empty cache.
    """
    shape = tuple(int(s) for s in shape)
    itemsize = storage.itemsize
    # np.ndarray over the storage: a view, as writeable as the storage (numba compiles read-only
    # arrays as another type); np.lib.stride_tricks.as_strided did the same in 20-30 us a call
    view = np.ndarray(shape, storage.dtype, storage, 0, tuple(int(s) * itemsize for s in strides))
    array = np.ascontiguousarray(view, dtype=np.float64)
    if not array.flags.writeable:
        array = np.array(array)
    return array.reshape((shape[0], shape[1], 1, shape[2])) if len(shape) == 3 else array


def fast_conv_kernel(
    out, out_shape, out_strides, input, input_shape, input_strides, weight, weight_shape, weight_strides, reverse
):  # type: ignore[no-untyped-def]
    """FastOps' convolution kernel (the raw-triple signature of ``conv_ops``): the numba
    kernel on 4-D arrays. ``out`` must be contiguous (``conv_ops.conv`` makes it so)."""
    out4 = out.reshape((int(out_shape[0]), int(out_shape[1]), -1, int(out_shape[-1])))
    w = _as_4d(weight, weight_shape, weight_strides)
    work = out.size * (w.size // max(1, w.shape[0]))
    _run(_conv2d_kernel, None, work, out4, _as_4d(input, input_shape, input_strides), w, bool(reverse))


# ## Max pooling (the contract of conv_ops.tensor_maxpool2d and tensor_maxpool2d_back)


@njit(parallel=True, cache=True)
def _maxpool2d_kernel(out, inp):  # type: ignore[no-untyped-def]
    """out (B, C, OH, OW) = the max of each (kh, kw) block of inp (B, C, OH * kh, OW * kw), both
    C-contiguous float64. One pass over inp; a NaN in a block makes its maximum NaN."""
    batch, channels, out_h, out_w = out.shape
    kh, kw = inp.shape[2] // out_h, inp.shape[3] // out_w
    for bc in prange(batch * channels):
        b, c = bc // channels, bc % channels
        for y in range(out_h):
            for x in range(out_w):
                best = -np.inf
                for i in range(kh):
                    for j in range(kw):
                        v = inp[b, c, y * kh + i, x * kw + j]
                        if v > best or v != v:
                            best = v
                out[b, c, y, x] = best


@njit(parallel=True, cache=True)
def _maxpool2d_back_kernel(grad_in, inp, out, grad_out):  # type: ignore[no-untyped-def]
    """grad_in (B, C, H, W): each block's grad_out shared by the block's maxima (where inp equals
    out), 0 elsewhere. grad_in and inp (B, C, H, W), out and grad_out (B, C, OH, OW)."""
    batch, channels, out_h, out_w = out.shape
    kh, kw = inp.shape[2] // out_h, inp.shape[3] // out_w
    for bc in prange(batch * channels):
        b, c = bc // channels, bc % channels
        for y in range(out_h):
            for x in range(out_w):
                best = out[b, c, y, x]
                ties = 0
                for i in range(kh):
                    for j in range(kw):
                        if inp[b, c, y * kh + i, x * kw + j] == best:
                            ties += 1
                share = grad_out[b, c, y, x] / ties if ties else 0.0
                for i in range(kh):
                    for j in range(kw):
                        at_max = inp[b, c, y * kh + i, x * kw + j] == best
                        grad_in[b, c, y * kh + i, x * kw + j] = share if at_max else 0.0


def fast_maxpool_kernel(out, out_shape, out_strides, input, input_shape, input_strides):  # type: ignore[no-untyped-def]
    """FastOps' max-pooling kernel (raw triples; ``out`` contiguous, as ``conv_ops.maxpool`` makes it)."""
    out4 = out.reshape(tuple(int(s) for s in out_shape))
    _run(_maxpool2d_kernel, None, input.size, out4, _as_4d(input, input_shape, input_strides))


def fast_maxpool_back_kernel(  # type: ignore[no-untyped-def]
    grad_in, grad_in_shape, grad_in_strides, input, input_shape, input_strides,
    out, out_shape, out_strides, grad_out, grad_out_shape, grad_out_strides,
):  # fmt: skip
    """FastOps' max-pooling gradient kernel (raw triples; ``grad_in`` contiguous)."""
    _run(
        _maxpool2d_back_kernel, None, grad_in.size,
        grad_in.reshape(tuple(int(s) for s in grad_in_shape)), _as_4d(input, input_shape, input_strides),
        _as_4d(out, out_shape, out_strides), _as_4d(grad_out, grad_out_shape, grad_out_strides),
    )  # fmt: skip


FastOps.conv_kernel = staticmethod(fast_conv_kernel)  # the slot of TensorOps (tensor_ops)
FastOps.maxpool_kernel = staticmethod(fast_maxpool_kernel)  # conv_ops' pooling slots
FastOps.maxpool_back_kernel = staticmethod(fast_maxpool_back_kernel)
