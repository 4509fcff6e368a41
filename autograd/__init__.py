"""autograd: a teaching package for automatic differentiation on scalars and tensors.

Everything in the public API (MiniTorch's names) is importable from here directly::

    from autograd import Scalar, tensor
"""

# Module 0. The scalar operators are importable from here too (``from autograd import sigmoid``);
# `id`, `max`, `map` and `sum` are left out of ``__all__`` below so that ``from autograd import *``
# never hides Python's built-ins of the same names.
from . import operators  # noqa: F401
from .operators import (  # noqa: F401
    add,
    addLists,
    eq,
    exp,
    id,
    inv,
    inv_back,
    is_close,
    log,
    log_back,
    lt,
    map,
    max,
    mul,
    neg,
    negList,
    prod,
    reduce,
    relu,
    relu_back,
    sigmoid,
    sum,
    zipWith,
)

# Module 1: the engine
from .autodiff import (  # noqa: F401
    BackwardStep,
    Context,
    Variable,
    backpropagate,
    backward_steps,
    central_difference,
    is_grad_enabled,
    no_grad,
    topological_sort,
)

# --- Module 0/1 exports (module.py, scalar.py, testing.py) go below this line ---
from . import module, scalar, testing  # noqa: F401,E402
from .module import Module, Parameter  # noqa: F401,E402
# The ScalarFunction subclasses (Add, Mul, ...) stay in autograd.scalar: tensor_functions
# has Functions with the same names.
from .scalar import Scalar, ScalarFunction, ScalarHistory, derivative_check  # noqa: F401,E402
from .testing import MathTest, MathTestVariable, catalogue  # noqa: F401,E402

# --- Module 2 exports (tensor_data.py, op_table.py, tensor_ops.py, tensor_functions.py, tensor.py,
# constructors.py, gradient_check.py) go below this line ---
from . import constructors, gradient_check, op_table, tensor_data, tensor_functions, tensor_ops  # noqa: F401,E402
from .tensor import Tensor  # noqa: F401,E402
from .tensor_data import (  # noqa: F401,E402
    IndexingError,
    TensorData,
    broadcast_index,
    index_to_position,
    shape_broadcast,
    strides_from_shape,
    to_index,
)
from .tensor_functions import Function, History  # noqa: F401,E402
from .constructors import (  # noqa: F401,E402
    arange,
    eye,
    full,
    full_like,
    ones,
    ones_like,
    rand,
    rand_like,
    randn,
    randn_like,
    tensor,
    zeros,
    zeros_like,
)
from .gradient_check import grad_central_difference, grad_check  # noqa: F401,E402
from .op_table import OPS, Op  # noqa: F401,E402
from .tensor_ops import SimpleBackend, SimpleOps, TensorBackend, TensorOps  # noqa: F401,E402

# MiniTorch's code imports the constructors and grad_check from tensor_functions
# (``from minitorch.tensor_functions import rand``). They make Tensors, so they live above
# tensor.py; handing them to tensor_functions here keeps those imports working with no
# import circle (tensor_functions itself never imports them).
for _name in constructors.__all__ + gradient_check.__all__:
    setattr(tensor_functions, _name, getattr(constructors if _name in constructors.__all__ else gradient_check, _name))

# The tensor Functions (Add, Mul, Neg, ... MatMul) share their names with the Scalar ones
# exported above, so they stay in their module: autograd.tensor_functions.Add.

# --- Module 3 exports (numba_bridge.py, cpu_kernels.py, fast_ops.py) go below this line ---
from . import cpu_kernels, fast_ops, numba_bridge  # noqa: F401,E402
from .fast_ops import FastBackend, FastOps  # noqa: F401,E402

del _name

# --- Module 4 exports (nn.py, optim.py, datasets.py) go below this line ---
# ``autograd.datasets`` is the dict of 2-D point generators (MiniTorch's scripts index it:
# ``autograd.datasets["Xor"](N)``); the module itself: ``from autograd.datasets import digits``.
from .datasets import datasets  # noqa: F401,E402
from .optim import SGD, Adam  # noqa: F401,E402
from . import conv_ops, nn  # noqa: F401,E402
# nn.max stays in nn (operators.max has the name here; Tensor.max is the same Function).
from .nn import (  # noqa: F401,E402
    Conv1d,
    Conv1dFun,
    Conv2d,
    Conv2dFun,
    Linear,
    argmax,
    avgpool2d,
    conv1d,
    conv2d,
    dropout,
    logsoftmax,
    maxpool2d,
    softmax,
    tile,
)

# The CUDA backend is imported on first use (``autograd.CudaBackend``): importing numba.cuda
# costs time and must not happen for people without a GPU who never ask for it.
_CUDA_NAMES = ("CudaBackend", "CudaOps", "CudaUnavailable", "sum_practice", "mm_practice")


def __getattr__(name: str):  # noqa: ANN202 - module attribute hook (PEP 562)
    if name in _CUDA_NAMES:
        from . import cuda_ops

        return getattr(cuda_ops, name)
    raise AttributeError(f"module 'autograd' has no attribute {name!r}")


_BUILTIN_NAMES = {"id", "max", "map", "sum"}
__all__ = sorted(
    name for name in dir() if not name.startswith("_") and name not in _BUILTIN_NAMES
)  # the CUDA names stay out: `import *` must not import numba.cuda
