"""nn: convolution (values, gradients, layouts, errors), pooling, max/argmax, softmax, dropout, layers.

Gradients are checked against central differences (``grad_check``) on hypothesis-drawn small
shapes, including permuted (non-contiguous) inputs; forward values against a numpy reference
written here independently of the kernels.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Tensor, grad_check, nn, tensor
from autograd.tensor_data import IndexingError

SMALL = settings(max_examples=12)


def t_(array, backend, requires_grad=True):
    return Tensor.from_numpy(np.asarray(array, dtype=np.float64), backend=backend, requires_grad=requires_grad)


def permuted(array, backend):
    """A tensor with ``array``'s values but a reversed-strides (non-contiguous) layout."""
    order = tuple(reversed(range(array.ndim)))
    t = t_(np.ascontiguousarray(array.transpose(order)), backend)
    out = t.permute(*order)
    assert not out.is_contiguous() or array.size <= 1 or max(array.shape) == array.size
    return out


# Reference convolutions with numpy: pad with zeros on the right (and bottom), slide windows.
def conv1d_ref(x, w):
    batch, channels, width = x.shape
    out_channels, _, k = w.shape
    padded = np.concatenate([x, np.zeros((batch, channels, k))], axis=2)
    out = np.zeros((batch, out_channels, width))
    for j in range(k):
        out += np.einsum("oc,bcw->bow", w[:, :, j], padded[:, :, j : j + width])
    return out


def conv2d_ref(x, w):
    batch, channels, height, width = x.shape
    out_channels, _, kh, kw = w.shape
    padded = np.zeros((batch, channels, height + kh, width + kw))
    padded[:, :, :height, :width] = x
    out = np.zeros((batch, out_channels, height, width))
    for i in range(kh):
        for j in range(kw):
            out += np.einsum("oc,bchw->bohw", w[:, :, i, j], padded[:, :, i : i + height, j : j + width])
    return out


# ## Convolution: exact values


def test_conv1d_small_exact(backend):
    # MiniTorch's first example: [0, 1, 2, 3] with kernel [1, 2, 3]
    t = tensor([0, 1, 2, 3], backend=backend).view(1, 1, 4)
    w = tensor([[[1, 2, 3]]], backend=backend)
    out = nn.conv1d(t, w)
    assert out.shape == (1, 1, 4)
    assert out.to_numpy().ravel().tolist() == [0 * 1 + 1 * 2 + 2 * 3, 1 + 4 + 9, 2 + 6, 3]


def test_conv1d_channels_exact(backend):
    x = np.arange(2 * 2 * 3, dtype=float).reshape(2, 2, 3)
    w = np.array([[[1.0, 0.0], [0.0, -1.0]], [[0.5, 0.5], [1.0, 1.0]]])  # (O=2, C=2, K=2)
    out = nn.conv1d(t_(x, backend), t_(w, backend)).to_numpy()
    # out[b, 0, w] = x[b, 0, w] - x[b, 1, w + 1]; by hand for b = 0: x[0] = [[0 1 2] [3 4 5]]
    assert out[0, 0].tolist() == [0 - 4, 1 - 5, 2 - 0]
    assert out[0, 1].tolist() == [0.5 * (0 + 1) + 3 + 4, 0.5 * (1 + 2) + 4 + 5, 0.5 * 2 + 5]


def test_conv2d_small_exact(backend):
    x = tensor([[[[0, 1, 2], [3, 4, 5], [6, 7, 8]]]], backend=backend)
    w = tensor([[[[1, 1], [1, 1]]]], backend=backend)
    out = nn.conv2d(x, w).to_numpy()[0, 0]
    assert out.tolist() == [[0 + 1 + 3 + 4, 1 + 2 + 4 + 5, 2 + 5], [3 + 4 + 6 + 7, 4 + 5 + 7 + 8, 5 + 8], [6 + 7, 7 + 8, 8]]


@st.composite
def conv_shapes(draw, dims):
    batch, channels, out_channels = (draw(st.integers(1, 3)) for _ in range(3))
    size = tuple(draw(st.integers(1, 6)) for _ in range(dims))
    kernel = tuple(draw(st.integers(1, s)) for s in size)
    return (batch, channels) + size, (out_channels, channels) + kernel


@SMALL
@given(conv_shapes(1), st.booleans(), st.integers(0, 2**16))
def test_conv1d_matches_reference(backend, shapes, strided, seed):
    rng = np.random.default_rng(seed)
    x, w = rng.normal(size=shapes[0]), rng.normal(size=shapes[1])
    make = permuted if strided else t_
    out = nn.conv1d(make(x, backend), make(w, backend))
    assert out.shape == x.shape[:1] + w.shape[:1] + x.shape[2:]
    assert np.allclose(out.to_numpy(), conv1d_ref(x, w))


@SMALL
@given(conv_shapes(2), st.booleans(), st.integers(0, 2**16))
def test_conv2d_matches_reference(backend, shapes, strided, seed):
    rng = np.random.default_rng(seed)
    x, w = rng.normal(size=shapes[0]), rng.normal(size=shapes[1])
    make = permuted if strided else t_
    assert np.allclose(nn.conv2d(make(x, backend), make(w, backend)).to_numpy(), conv2d_ref(x, w))


def test_fast_conv_larger_than_a_toy():
    """Both loop orders of the fast kernel (long output rows, long kernel rows) on LeNet-ish sizes."""
    from autograd.fast_ops import FastBackend

    rng = np.random.default_rng(1)
    x, w = rng.normal(size=(4, 3, 12, 20)), rng.normal(size=(5, 3, 3, 4))
    xt, wt = t_(x, FastBackend), t_(w, FastBackend)
    out = nn.conv2d(xt, wt)
    assert np.allclose(out.to_numpy(), conv2d_ref(x, w))
    g = rng.normal(size=out.shape)
    out.backward(t_(g, FastBackend, requires_grad=False))
    # d/dw sum(g * conv(x, w)) = sum_{b,h,w} g[b,o,h,w] x[b,c,h+i,w+j]; d/dx likewise, by numpy
    padded = np.zeros((4, 3, 15, 24))
    padded[:, :, :12, :20] = x
    grad_w = np.zeros_like(w)
    for i in range(3):
        for j in range(4):
            grad_w[:, :, i, j] = np.einsum("bohw,bchw->oc", g, padded[:, :, i : i + 12, j : j + 20])
    assert np.allclose(wt.grad.to_numpy(), grad_w)
    grad_x = np.zeros((4, 3, 15, 24))
    for i in range(3):
        for j in range(4):
            grad_x[:, :, i : i + 12, j : j + 20] += np.einsum("bohw,oc->bchw", g, w[:, :, i, j])
    assert np.allclose(xt.grad.to_numpy(), grad_x[:, :, :12, :20])


@settings(max_examples=8, deadline=None)
@given(st.sampled_from([1, 9]), st.sampled_from([2, 5, 33]), st.sampled_from([32, 35]),
       st.sampled_from([5, 60]), st.integers(1, 4), st.integers(0, 2**16))  # fmt: skip
def test_fast_conv1d_with_many_channels(batch, channels, out_channels, width, k, seed):
    """The fast kernel's blocked product (32 or more output channels; for the input's gradient,
    32 or more input channels), with output-channel counts and kernel sizes that are not
    multiples of 4, and batches spread over several tasks, against numpy."""
    from autograd.fast_ops import FastBackend

    rng = np.random.default_rng(seed)
    x, w = rng.normal(size=(batch, channels, width)), rng.normal(size=(out_channels, channels, min(k, width)))
    k = w.shape[2]
    xt, wt = t_(x, FastBackend), t_(w, FastBackend)
    out = nn.conv1d(xt, wt)
    assert np.allclose(out.to_numpy(), conv1d_ref(x, w))
    g = rng.normal(size=out.shape)
    out.backward(t_(g, FastBackend, requires_grad=False))
    padded = np.concatenate([x, np.zeros((batch, channels, k))], axis=2)
    grad_w = np.stack([np.einsum("bow,bcw->oc", g, padded[:, :, j : j + width]) for j in range(k)], axis=2)
    grad_x = np.zeros((batch, channels, width + k))
    for j in range(k):
        grad_x[:, :, j : j + width] += np.einsum("bow,oc->bcw", g, w[:, :, j])
    assert np.allclose(wt.grad.to_numpy(), grad_w)
    assert np.allclose(xt.grad.to_numpy(), grad_x[:, :, :width])


# ## Convolution: gradients against central differences


@SMALL
@given(conv_shapes(1), st.booleans(), st.integers(0, 2**16))
def test_conv1d_gradients(backend, shapes, strided, seed):
    rng = np.random.default_rng(seed)
    make = permuted if strided else t_
    x, w = make(rng.normal(size=shapes[0]), backend), make(rng.normal(size=shapes[1]), backend)
    grad_check(nn.conv1d, x, w)


@SMALL
@given(conv_shapes(2), st.booleans(), st.integers(0, 2**16))
def test_conv2d_gradients(backend, shapes, strided, seed):
    rng = np.random.default_rng(seed)
    make = permuted if strided else t_
    x, w = make(rng.normal(size=shapes[0]), backend), make(rng.normal(size=shapes[1]), backend)
    grad_check(nn.conv2d, x, w)


# ## Convolution: bad input


def test_conv_errors_name_the_shapes(backend):
    x = t_(np.zeros((2, 3, 5)), backend)
    with pytest.raises(IndexingError, match=r"\(2, 3, 5\).*3 channels.*\(4, 2, 2\).*expects 2"):
        nn.conv1d(x, t_(np.zeros((4, 2, 2)), backend))
    with pytest.raises(IndexingError, match=r"kernel \(6,\).*larger than the input \(5,\)"):
        nn.conv1d(x, t_(np.zeros((4, 3, 6)), backend))
    with pytest.raises(IndexingError, match=r"input must be 3-D.*\(2, 3\)"):
        nn.conv1d(t_(np.zeros((2, 3)), backend), t_(np.zeros((4, 3, 2)), backend))
    with pytest.raises(IndexingError, match=r"weight must be 4-D"):
        nn.conv2d(t_(np.zeros((1, 1, 3, 3)), backend), t_(np.zeros((1, 1, 3)), backend))
    with pytest.raises(IndexingError, match=r"kernel \(4, 1\).*larger.*\(3, 3\)"):
        nn.conv2d(t_(np.zeros((1, 1, 3, 3)), backend), t_(np.zeros((1, 1, 4, 1)), backend))


# ## Pooling


def test_tile_layout(backend):
    x = t_(np.arange(16.0).reshape(1, 1, 4, 4), backend)
    tiled, h, w = nn.tile(x, (2, 2))
    assert (h, w) == (2, 2) and tiled.shape == (1, 1, 2, 2, 4)
    assert tiled.to_numpy()[0, 0, 0, 1].tolist() == [2, 3, 6, 7]  # the top-right 2x2 block


def test_pooling_values(backend):
    x = np.random.default_rng(0).normal(size=(2, 3, 4, 6))
    xt = t_(x, backend)
    blocks = x.reshape(2, 3, 2, 2, 3, 2)  # (b, c, h, kh, w, kw)
    assert np.allclose(nn.avgpool2d(xt, (2, 2)).to_numpy(), blocks.mean(axis=(3, 5)))
    assert np.allclose(nn.maxpool2d(xt, (2, 2)).to_numpy(), blocks.max(axis=(3, 5)))
    assert nn.maxpool2d(xt, (1, 3)).shape == (2, 3, 4, 2)


@SMALL
@given(st.integers(1, 2), st.integers(1, 2), st.integers(1, 3), st.integers(1, 3), st.integers(0, 2**16))
def test_pooling_gradients(backend, kh, kw, nh, nw, seed):
    x = np.random.default_rng(seed).permutation(2 * 2 * kh * nh * kw * nw).reshape(2, 2, kh * nh, kw * nw) * 0.1
    grad_check(lambda t: nn.avgpool2d(t, (kh, kw)), permuted(x, backend))
    # distinct values (a permutation): no ties, so the max is differentiable everywhere here
    grad_check(lambda t: nn.maxpool2d(t, (kh, kw)), t_(x, backend))


@SMALL
@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(0, 2**16))
def test_maxpool_gradient_on_a_permuted_layout(backend, kh, kw, nh, nw, seed):
    x = np.random.default_rng(seed).permutation(2 * 3 * kh * nh * kw * nw).reshape(2, 3, kh * nh, kw * nw) * 0.1
    grad_check(lambda t: nn.maxpool2d(t, (kh, kw)), permuted(x, backend))


def test_maxpool_is_max_over_the_tile(backend):
    # maxpool2d is its own Function (MaxPool2dFun); its numbers and its gradient must be those of
    # max over tile's last dimension, the composition it replaces
    x = np.random.default_rng(3).normal(size=(2, 3, 6, 4))
    a, b = t_(x, backend), t_(x, backend)
    pooled = nn.maxpool2d(a, (3, 2))
    tiled, h, w = nn.tile(b, (3, 2))
    reference = nn.max(tiled, 4).view(2, 3, h, w)
    assert np.array_equal(pooled.to_numpy(), reference.to_numpy())
    g = np.random.default_rng(4).normal(size=(2, 3, h, w))
    pooled.backward(t_(g, backend, requires_grad=False))
    reference.backward(t_(g, backend, requires_grad=False))
    assert np.allclose(a.grad.to_numpy(), b.grad.to_numpy())


def test_maxpool_ties_share_and_nan_propagates(backend):
    x = t_([[[[1.0, 3.0, 0.0, 2.0], [3.0, 3.0, 2.0, -1.0]]]], backend)
    out = nn.maxpool2d(x, (2, 2))
    assert out.to_numpy().tolist() == [[[[3.0, 2.0]]]]
    out.backward(t_([[[[6.0, 1.0]]]], backend, requires_grad=False))
    # three numbers tie for the first block's maximum: each gets a third of its gradient
    assert x.grad.to_numpy().tolist() == [[[[0.0, 2.0, 0.0, 0.5], [2.0, 2.0, 0.5, 0.0]]]]
    nan = t_([[[[1.0, np.nan], [0.0, 5.0]]]], backend)
    assert np.isnan(nn.maxpool2d(nan, (2, 2)).to_numpy()).all()
    assert np.isnan(nn.maxpool2d(t_([[[[np.nan, 1.0]]]], backend), (1, 2)).to_numpy()).all()


def test_pooling_errors(backend):
    x = t_(np.zeros((1, 2, 4, 6)), backend)
    with pytest.raises(IndexingError, match=r"kernel \(3, 2\) does not divide.*\(4, 6\).*\(1, 2, 4, 6\)"):
        nn.avgpool2d(x, (3, 2))
    with pytest.raises(TypeError, match=r"pair of positive ints.*1\.5"):
        nn.maxpool2d(x, (1.5, 2))
    with pytest.raises(IndexingError, match=r"maxpool2d: kernel \(4, 4\) does not divide.*\(4, 6\)"):
        nn.maxpool2d(x, (4, 4))
    with pytest.raises(IndexingError, match=r"maxpool2d: the input must be 4-D.*\(2, 4, 6\)"):
        nn.maxpool2d(t_(np.zeros((2, 4, 6)), backend), (2, 2))
    with pytest.raises(TypeError, match="pair of positive ints"):
        nn.tile(x, 2)
    with pytest.raises(IndexingError, match=r"4-D.*\(4, 6\)"):
        nn.tile(t_(np.zeros((4, 6)), backend), (2, 2))


# ## max, argmax, softmax, logsoftmax


def test_max_and_argmax(backend):
    x = t_([[1.0, 5.0, 2.0], [7.0, 0.0, 7.0]], backend)
    assert nn.max(x, 1).to_numpy().tolist() == [[5.0], [7.0]]
    assert nn.argmax(x, 1).to_numpy().tolist() == [[0, 1, 0], [1, 0, 1]]  # both tied maxima
    assert nn.argmax(x, 0).to_numpy().tolist() == [[0, 1, 0], [1, 0, 1]]
    nn.max(x, 1).sum().backward()
    assert x.grad.to_numpy().tolist() == [[0, 1, 0], [0.5, 0, 0.5]]  # a tie shares the gradient


@SMALL
@given(st.integers(0, 2**16), st.integers(0, 2))
def test_max_gradient(backend, seed, dim):
    x = np.random.default_rng(seed).permutation(24).reshape(2, 3, 4) * 0.5
    grad_check(lambda t: nn.max(t, dim), permuted(x, backend))


@SMALL
@given(st.integers(0, 2**16), st.integers(0, 1))
def test_softmax_and_logsoftmax(backend, seed, dim):
    x = np.random.default_rng(seed).normal(size=(3, 4)) * 3
    sm = nn.softmax(t_(x, backend), dim).to_numpy()
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    assert np.allclose(sm, e / e.sum(axis=dim, keepdims=True))
    assert np.allclose(sm.sum(axis=dim), 1.0)
    assert np.allclose(nn.logsoftmax(t_(x, backend), dim).to_numpy(), np.log(e / e.sum(axis=dim, keepdims=True)))
    grad_check(lambda t: nn.softmax(t, dim) * t_(np.arange(12.0).reshape(3, 4), backend, False), permuted(x, backend))
    grad_check(lambda t: nn.logsoftmax(t, dim), t_(x, backend))


def test_logsoftmax_is_stable_at_large_logits(backend):
    x = t_([[1000.0, 0.0, -1000.0], [1000.0, 1000.0, 999.0]], backend)
    out = nn.logsoftmax(x, 1).to_numpy()
    assert np.isfinite(out).all()
    assert np.allclose(out[0], [0.0, -1000.0, -2000.0])
    log_z = 1000 + np.log(2 + np.exp(-1.0))
    assert np.allclose(out[1], [1000 - log_z, 1000 - log_z, 999 - log_z])
    assert np.isfinite(nn.softmax(x, 1).to_numpy()).all()
    nn.logsoftmax(x, 1).sum().backward()
    assert np.isfinite(x.grad.to_numpy()).all()


# ## dropout


def test_dropout(backend):
    x = t_(np.arange(1.0, 101.0).reshape(10, 10), backend)
    assert nn.dropout(x, 0.0).to_numpy().tolist() == x.to_numpy().tolist()
    assert (nn.dropout(x, 1.0).to_numpy() == 0).all()
    assert nn.dropout(x, 1.0, ignore=True) is x
    half = nn.dropout(x, 0.5, seed=3).to_numpy()
    kept = half != 0
    assert 30 < kept.sum() < 70
    assert np.array_equal(half[kept], x.to_numpy()[kept])  # kept values unchanged (MiniTorch)
    assert np.array_equal(nn.dropout(x, 0.5, seed=3).to_numpy(), half)  # seeded
    scaled = nn.dropout(x, 0.5, seed=3, scale=True).to_numpy()
    assert np.array_equal(scaled, half * 2)
    nn.manual_seed(7)
    first = nn.dropout(x, 0.5).to_numpy()
    nn.manual_seed(7)
    assert np.array_equal(nn.dropout(x, 0.5).to_numpy(), first)
    nn.dropout(x, 0.5, seed=3).sum().backward()
    assert np.array_equal(x.grad.to_numpy(), kept.astype(float))  # gradient only where kept
    with pytest.raises(ValueError, match="rate"):
        nn.dropout(x, 1.5)


# ## Layers


def test_linear(backend):
    layer = nn.Linear(3, 2, backend=backend, seed=0)
    assert [name for name, _ in layer.named_parameters()] == ["weights", "bias"]
    w, b = layer.weights.value.to_numpy(), layer.bias.value.to_numpy()
    assert w.shape == (3, 2) and b.shape == (2,) and np.abs(w).max() <= 1 / np.sqrt(3)
    x = np.random.default_rng(0).normal(size=(4, 3))
    assert np.allclose(layer(t_(x, backend)).to_numpy(), x @ w + b)
    assert np.array_equal(nn.Linear(3, 2, seed=0).weights.value.to_numpy(), w)  # seeded
    assert not np.array_equal(nn.Linear(3, 2, seed=1).weights.value.to_numpy(), w)
    with pytest.raises(IndexingError, match=r"expected input \(batch, 3\), got shape \(4, 2\)"):
        layer(t_(np.zeros((4, 2)), backend))


def test_conv_layers_and_sequential(backend):
    model = nn.Sequential(
        nn.Conv2d(1, 2, 3, backend=backend, seed=0),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(2 * 4 * 4, 3, backend=backend),
        nn.LogSoftmax(),
    )
    names = [name for name, _ in model.named_parameters()]
    assert names == ["0.weights", "0.bias", "3.weights", "3.bias"]
    x = t_(np.random.default_rng(0).normal(size=(5, 1, 4, 4)), backend, requires_grad=False)
    out = model(x)
    assert out.shape == (5, 3) and np.allclose(np.exp(out.to_numpy()).sum(axis=1), 1.0)
    out.sum().backward()
    assert all(p.value.grad is not None and p.value.grad.shape == p.value.shape for p in model.parameters())
    conv = model.modules()[0]
    ref = conv2d_ref(x.to_numpy(), conv.weights.value.to_numpy()) + conv.bias.value.to_numpy()
    assert np.allclose(conv(x).to_numpy(), ref)
    c1 = nn.Conv1d(3, 4, 2, backend=backend)
    assert c1(t_(np.zeros((2, 3, 5)), backend)).shape == (2, 4, 5)
    assert "Conv2d(1, 2, (3, 3))" in repr(model)
    with pytest.raises(TypeError, match="Modules"):
        nn.Sequential(nn.ReLU(), 3)


@SMALL
@given(st.integers(1, 3), st.integers(1, 3), st.integers(2, 4), st.integers(2, 4), st.integers(0, 2**16))
def test_conv2d_layer_gradients(backend, cin, cout, h, w, seed):
    # the layer adds its bias on a (B, O, H * W) view: the gradients of input, weights and bias
    # against central differences
    layer = nn.Conv2d(cin, cout, 2, backend=backend, seed=seed)
    x = np.random.default_rng(seed).normal(size=(2, cin, h, w))
    weights, bias = layer.weights.value, layer.bias.value

    def as_function(x, weights, bias):
        layer.weights.value, layer.bias.value = weights, bias
        return layer(x)

    grad_check(as_function, permuted(x, backend), weights, bias)


def test_flatten_contiguous_and_permuted(backend):
    x = np.random.default_rng(5).normal(size=(2, 3, 2, 2))
    stored = t_(np.ascontiguousarray(x.transpose(3, 2, 1, 0)), backend)  # x's numbers, reversed strides
    for leaf, t in ((t_(x, backend), None), (stored, stored.permute(3, 2, 1, 0))):
        out = nn.Flatten()(leaf if t is None else t)
        assert out.shape == (2, 12) and np.array_equal(out.to_numpy(), x.reshape(2, 12))
        g = np.arange(24.0).reshape(2, 12)
        out.backward(t_(g, backend, requires_grad=False))
        expected = g.reshape(2, 3, 2, 2)
        assert np.array_equal(leaf.grad.to_numpy(), expected if t is None else expected.transpose(3, 2, 1, 0))


def test_dropout_layer_follows_train_and_eval(backend):
    model = nn.Sequential(nn.Dropout(0.5))
    x = t_(np.ones((4, 25)), backend)
    assert (model(x).to_numpy() == 0).any()
    model.eval()
    assert model(x) is x


def test_exports():
    for name in ["conv1d", "conv2d", "Conv1dFun", "Conv2dFun", "tile", "avgpool2d", "maxpool2d", "argmax",
                 "softmax", "logsoftmax", "dropout", "Linear", "Conv2d"]:
        assert getattr(autograd, name) is getattr(nn, name)
    assert autograd.nn is nn


def test_conv_is_a_backend_kernel():
    from autograd.conv_ops import simple_conv_kernel
    from autograd.fast_conv import fast_conv_kernel
    from autograd.fast_ops import FastOps
    from autograd.tensor_ops import SimpleOps, TensorOps

    assert SimpleOps.conv_kernel is simple_conv_kernel and FastOps.conv_kernel is fast_conv_kernel
    with pytest.raises(NotImplementedError, match="no convolution kernel"):
        TensorOps.conv_kernel()


def test_max_pooling_is_a_backend_kernel_pair():
    from autograd import conv_ops, fast_conv
    from autograd.fast_ops import FastOps
    from autograd.tensor_ops import SimpleOps, TensorOps

    assert SimpleOps.maxpool_kernel is conv_ops.tensor_maxpool2d
    assert SimpleOps.maxpool_back_kernel is conv_ops.tensor_maxpool2d_back
    assert FastOps.maxpool_kernel is fast_conv.fast_maxpool_kernel
    assert FastOps.maxpool_back_kernel is fast_conv.fast_maxpool_back_kernel

    class Bare(TensorOps):
        pass

    with pytest.raises(NotImplementedError, match="Bare has no maxpool_kernel"):
        conv_ops._pool_kernel(Bare, "maxpool_kernel")
