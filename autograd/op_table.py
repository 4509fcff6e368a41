"""Module 2: the op table, every scalar operation the tensor backends run, named once.

A row says: the name, the kind of primitive (``map``: one input; ``zip``: two inputs,
broadcast; ``reduce``: fold one dimension, from ``start``), and the scalar function of
``operators`` that computes one number. Everything that lists operations is derived from
``OPS``:

- ``TensorBackend`` gets one ready-made operation per row, named ``<name>_<kind>``
  (``neg_map``, ``add_zip``, ``add_reduce`` ...): ``backend.exp_map(t)``;
- the compiled backends (numba CPU, CUDA) number the distinct functions of the rows
  (``op_codes``): a kernel receives that small integer and its dispatch chain, built from
  this table, calls the function; so every row has a compiled fast path;
- the tests run every row on every backend (``tests/test_tensor_op_table.py``).

Adding an elementwise operation with its gradient (``tanh``, say) therefore means: the
formula (and its derivative, ``tanh_back``) in ``operators.py``, a row here for each, the
``Function`` in ``tensor_functions.py``, the ``Tensor`` method, and its picture entry in
``diagrams/ops_draw.py``. Nothing else: no backend changes.

What a row's function must be: floats in, a float out, written with arithmetic, ``math``
and other functions of ``operators`` only, so that numba can compile it for the CPU and GPU
kernels (the pure-Python backend simply calls it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, Iterable, Optional, Tuple

from . import operators

MAP, ZIP, REDUCE = "map", "zip", "reduce"


@dataclass(frozen=True)
class Op:
    """One row of the table: ``kind`` is ``"map"``, ``"zip"`` or ``"reduce"``; ``start`` is the
    value a reduction starts from (0 for a sum, 1 for a product, -inf for a maximum)."""

    name: str
    kind: str
    fn: Callable[..., float]
    start: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in (MAP, ZIP, REDUCE):
            raise ValueError(f"op {self.name!r}: kind must be 'map', 'zip' or 'reduce', got {self.kind!r}")

    @property
    def attribute(self) -> str:
        """The TensorBackend attribute of this row: ``neg_map``, ``add_zip``, ``max_reduce``."""
        return f"{self.name}_{self.kind}"

    @property
    def arity(self) -> int:
        """How many numbers ``fn`` takes: 1 for a map, 2 for a zip or a reduce (accumulator, x)."""
        return 1 if self.kind == MAP else 2


OPS: Tuple[Op, ...] = (
    # maps: f(x)
    Op("neg", MAP, operators.neg),
    Op("id", MAP, operators.id),
    Op("sigmoid", MAP, operators.sigmoid),
    Op("relu", MAP, operators.relu),
    Op("log", MAP, operators.log),
    Op("exp", MAP, operators.exp),
    Op("inv", MAP, operators.inv),
    Op("tanh", MAP, operators.tanh),
    Op("abs", MAP, operators.abs),
    # zips: f(x, y), and the derivatives f_back(x, d) = d * f'(x)
    Op("add", ZIP, operators.add),
    Op("sub", ZIP, operators.sub),
    Op("mul", ZIP, operators.mul),
    Op("lt", ZIP, operators.lt),
    Op("eq", ZIP, operators.eq),
    Op("is_close", ZIP, operators.is_close),
    Op("max", ZIP, operators.max),
    Op("pow", ZIP, operators.pow),
    Op("relu_back", ZIP, operators.relu_back),
    Op("log_back", ZIP, operators.log_back),
    Op("inv_back", ZIP, operators.inv_back),
    Op("sigmoid_back", ZIP, operators.sigmoid_back),
    Op("exp_back", ZIP, operators.exp_back),
    # reductions: acc = f(acc, x) along one dimension, from start
    Op("add", REDUCE, operators.add, 0.0),
    Op("mul", REDUCE, operators.mul, 1.0),
    Op("max", REDUCE, operators.max, -float("inf")),
)


def op_codes(table: Optional[Iterable[Op]] = None) -> Tuple[Dict[Callable[..., float], int], Dict[Callable[..., float], int]]:
    """The op codes of the compiled backends: (unary codes, binary codes).

    Each distinct function of the map rows gets the next unary code 0, 1, 2 ...; each distinct
    function of the zip and reduce rows the next binary code (``add`` is both a zip and a
    reduce: one code). Rows keep their codes when rows are added after them.
    """
    unary: Dict[Callable[..., float], int] = {}
    binary: Dict[Callable[..., float], int] = {}
    for op in OPS if table is None else table:
        codes = unary if op.arity == 1 else binary
        codes.setdefault(op.fn, len(codes))
    return unary, binary
