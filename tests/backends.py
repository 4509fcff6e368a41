"""The backends the tensor test matrix runs on: every tensor test takes the ``backend`` fixture.

A new backend joins every tensor test by adding one entry here.
"""

from autograd.fast_ops import FastBackend
from autograd.tensor_ops import SimpleBackend

BACKENDS = {"simple": SimpleBackend, "fast": FastBackend}
