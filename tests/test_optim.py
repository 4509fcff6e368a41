"""Optimizers: exact first steps, and convergence to a known minimum on Scalars and Tensors."""

import numpy as np
import pytest

import autograd
from autograd import Module, Parameter, Scalar, tensor
from autograd.fast_ops import FastBackend
from autograd.optim import SGD, Adam

TARGET = [[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]]


class Bowl(Module):
    """loss = sum(c * (w - TARGET)^2) for a (2, 3) tensor w: the minimum is w = TARGET."""

    def __init__(self, backend=autograd.SimpleBackend):
        super().__init__()
        self.w = Parameter(tensor([[0.0] * 3] * 2, backend=backend))
        self.target = tensor(TARGET, backend=backend, requires_grad=False)
        # different curvatures per number, so a single step size does not fit all
        self.c = tensor([[1.0, 4.0, 0.5], [2.0, 1.0, 8.0]], backend=backend, requires_grad=False)

    def forward(self):
        d = self.w.value - self.target
        return (self.c * d * d).sum()


class Parabola(Module):
    """loss = (x - 3)^2 + 1 on a Scalar: minimum at x = 3."""

    def __init__(self):
        super().__init__()
        self.x = Parameter(Scalar(0.0))

    def forward(self):
        d = self.x.value - 3.0
        return d * d + 1.0


def run(model, optim, steps):
    for _ in range(steps):
        optim.zero_grad()
        model().backward()
        optim.step()


def test_sgd_exported_at_top_level():
    assert autograd.SGD is SGD and autograd.Adam is Adam


def test_sgd_one_exact_step_scalar_and_tensor():
    m = Parabola()
    opt = SGD(m.parameters(), lr=0.1)
    run(m, opt, 1)
    assert m.x.value.data == pytest.approx(0.0 - 0.1 * 2 * (0.0 - 3.0))  # 0.6
    assert m.x.value.derivative is None and m.x.value.is_leaf()  # a fresh leaf
    b = Bowl()
    run(b, SGD(b.parameters(), lr=0.1), 1)
    expected = 0.1 * 2 * np.array([[1.0, 4.0, 0.5], [2.0, 1.0, 8.0]]) * np.array(TARGET)
    assert np.allclose(b.w.value.to_numpy(), expected)
    assert b.w.value.is_leaf()


@pytest.mark.parametrize("backend", [autograd.SimpleBackend, FastBackend], ids=["simple", "fast"])
def test_sgd_converges_on_tensors(backend):
    b = Bowl(backend)
    run(b, SGD(b.parameters(), lr=0.05), 150)
    assert np.allclose(b.w.value.to_numpy(), TARGET, atol=1e-3)
    assert b.w.value.backend is backend


def test_sgd_converges_on_scalars():
    m = Parabola()
    run(m, SGD(m.parameters(), lr=0.2), 50)
    assert m.x.value.data == pytest.approx(3.0, abs=1e-6)


def test_momentum_exact_steps_and_speed():
    m = Parabola()
    opt = SGD(m.parameters(), lr=0.1, momentum=0.9)
    run(m, opt, 2)
    # step 1: g = -6, v = -6, x = 0.6; step 2: g = 2 * (0.6 - 3) = -4.8, v = 0.9 * -6 - 4.8 = -10.2
    assert m.x.value.data == pytest.approx(0.6 + 1.02)
    # on a badly conditioned bowl momentum gets closer than plain SGD in the same steps
    far = {}
    for mom in (0.0, 0.9):
        b = Bowl()
        b.c = tensor([[0.01, 1.0, 0.01], [1.0, 0.01, 1.0]], requires_grad=False)
        run(b, SGD(b.parameters(), lr=0.4, momentum=mom), 100)
        far[mom] = np.abs(b.w.value.to_numpy() - TARGET).max()
    assert far[0.9] < 0.1 * far[0.0]


def test_adam_first_step_is_lr_per_number():
    b = Bowl()
    run(b, Adam(b.parameters(), lr=0.01), 1)
    # after bias correction m_hat / sqrt(v_hat) = g / |g|: each number moves lr against its gradient
    sign = np.sign(np.array(TARGET))
    assert np.allclose(b.w.value.to_numpy(), 0.01 * sign, atol=1e-6)


@pytest.mark.parametrize("backend", [autograd.SimpleBackend, FastBackend], ids=["simple", "fast"])
def test_adam_converges(backend):
    b = Bowl(backend)
    run(b, Adam(b.parameters(), lr=0.1), 300)
    assert np.allclose(b.w.value.to_numpy(), TARGET, atol=1e-2)
    m = Parabola()
    run(m, Adam(m.parameters(), lr=0.1), 300)
    assert m.x.value.data == pytest.approx(3.0, abs=1e-2)


def test_zero_grad_and_untouched_parameters():
    b = Bowl()
    b.unused = Parameter(tensor([5.0]))
    opt = SGD(b.parameters(), lr=0.1)
    b().backward()
    assert b.w.value.grad is not None
    opt.zero_grad()
    assert b.w.value.grad is None
    b().backward()
    opt.step()  # `unused` has no gradient: left as it was
    assert b.unused.value.to_numpy().tolist() == [5.0]


def test_bad_arguments():
    with pytest.raises(TypeError, match="Parameters"):
        SGD([tensor([1.0])], lr=0.1)
    with pytest.raises(ValueError, match="lr"):
        SGD([], lr=0.0)
    with pytest.raises(ValueError, match="betas"):
        Adam([], betas=(0.9, 1.0))
