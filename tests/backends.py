"""The backends the tensor test matrix runs on: every tensor test takes the ``backend`` fixture.

A new backend joins every tensor test by adding one entry here.
"""

import os

from autograd.fast_ops import FastBackend
from autograd.tensor_ops import SimpleBackend

BACKENDS = {"simple": SimpleBackend, "fast": FastBackend}

# CUDA joins where its kernels can run: numba's simulator (`make test-cuda`, its own process)
# or a GPU machine that asks for it (AUTOGRAD_TEST_CUDA=1, as benchmarks/gpu_check.py does).
if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1" or os.environ.get("AUTOGRAD_TEST_CUDA") == "1":
    from autograd.cuda_ops import CudaBackend

    BACKENDS["cuda"] = CudaBackend
