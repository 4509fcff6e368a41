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
    Context,
    Variable,
    backpropagate,
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

# --- Module 2 exports (tensor_data.py, tensor_ops.py, tensor_functions.py, tensor.py) go below this line ---
from . import tensor_data, tensor_functions, tensor_ops  # noqa: F401,E402
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
from .tensor_functions import (  # noqa: F401,E402
    Function,
    History,
    grad_central_difference,
    grad_check,
    ones,
    rand,
    tensor,
    zeros,
)
from .tensor_ops import SimpleBackend, SimpleOps, TensorBackend, TensorOps  # noqa: F401,E402

# The tensor Functions (Add, Mul, Neg, ... MatMul) share their names with the Scalar ones
# exported above, so they stay in their module: autograd.tensor_functions.Add.

# --- Module 3 exports (fast_ops.py) go below this line ---
from . import fast_ops  # noqa: F401,E402
from .fast_ops import FastBackend, FastOps  # noqa: F401,E402

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

_BUILTIN_NAMES = {"id", "max", "map", "sum"}
__all__ = sorted(
    name for name in dir() if not name.startswith("_") and name not in _BUILTIN_NAMES
)
