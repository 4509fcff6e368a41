"""The CUDA backend where it cannot run (the main test run: no GPU, no simulator).

Importing ``autograd`` must stay fast and quiet (numba.cuda is imported only when the CUDA
backend is asked for), and using the backend must say why it cannot run, not fail inside
numba. Each check runs in a fresh interpreter without ``NUMBA_ENABLE_CUDASIM``, so whatever
the surrounding pytest process has imported does not matter.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def run(code: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)


def test_import_autograd_does_not_import_numba_cuda_and_is_quiet():
    done = run("import sys, autograd; print('numba.cuda' in sys.modules)")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
    assert done.stderr == ""


def test_cuda_names_are_importable_from_autograd_on_demand():
    done = run(
        "import autograd\n"
        "from autograd import CudaBackend, CudaOps, CudaUnavailable, mm_practice, sum_practice\n"
        "from autograd.cuda_ops import CudaBackend as B\n"
        "assert CudaBackend is B and CudaBackend.cuda and CudaOps.cuda\n"
        "print(CudaBackend)"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "CudaBackend"
    assert done.stderr == ""


def test_using_the_backend_without_a_gpu_says_why():
    done = run(
        "from autograd import tensor, CudaBackend, CudaUnavailable\n"
        "from autograd.cuda_ops import unavailable_reason\n"
        "t = tensor([1.0, 2.0], backend=CudaBackend)  # making a tensor needs no GPU\n"
        "if unavailable_reason() is None:\n"
        "    print('gpu', (t + t).to_numpy().tolist())\n"
        "else:\n"
        "    try:\n"
        "        t + t\n"
        "    except CudaUnavailable as error:\n"
        "        print('unavailable', error)\n"
    )
    assert done.returncode == 0, done.stderr
    if done.stdout.startswith("gpu"):
        assert done.stdout.strip() == "gpu [2.0, 4.0]"
    else:
        message = done.stdout
        assert message.startswith("unavailable the CUDA backend needs an NVIDIA GPU")
        assert "NUMBA_ENABLE_CUDASIM=1" in message and "FastBackend" in message


@pytest.mark.parametrize("name", ["CudaBackend", "nonsense"])
def test_unknown_names_still_raise_attribute_error(name):
    import autograd

    if name == "nonsense":
        with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
            getattr(autograd, name)
    else:
        assert getattr(autograd, name).cuda


def test_to_moves_between_cpu_backends_and_checks_its_argument():
    import numpy as np

    from autograd import FastBackend, SimpleBackend, tensor

    t = tensor([[1.0, 2.0], [3.0, 4.0]], backend=SimpleBackend).permute(1, 0)
    fast = t.to(FastBackend)
    assert fast.backend is FastBackend and fast.requires_grad()
    np.testing.assert_array_equal(fast.to_numpy(), [[1.0, 3.0], [2.0, 4.0]])
    assert tensor([1.0], requires_grad=False).to(FastBackend).requires_grad() is False
    with pytest.raises(TypeError, match="TensorBackend such as FastBackend, got 'cuda'"):
        t.to("cuda")
    with pytest.raises(TypeError, match="_type_"):
        t._type_(None)
