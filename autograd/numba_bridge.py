"""Module 3: the bridge from the library's Python code to numba-compiled kernels.

The compiled kernels (``cpu_kernels``; the CUDA ones likewise) run the library's own code,
never a copy of it: the scalar formulas of the op table (``operators.exp``, ...) and the
index arithmetic of ``tensor_data`` are compiled from their Python source. This module
does three jobs for them:

1. ``jit_module_functions``: numba copies of a module's functions that call each other's
   compiled copies (``operators.log_back`` calls ``inv``: numba cannot call a plain Python
   function, so inside the copy ``inv`` names the compiled ``inv``).
2. The op codes and their dispatch. A kernel that numba can cache on disk must be a
   top-level function, so it cannot be built per scalar function; it takes a small integer
   instead, the row's op code (``op_table.op_codes``), and calls ``apply1(op, x)`` /
   ``apply2(op, x, y)``: an ``if`` chain over the codes, *built from the op table* when numba
   compiles the kernel. ``unroll_codes`` builds the same chain around a whole inner loop, so
   that each op gets a loop of its own with the code a constant (branch-free, vectorised).
   ``call1`` / ``call2`` / ``code`` / ``is_add`` let one kernel source take either an op code
   or a compiled user function (the choice is made while numba types the kernel).
3. The cache stamp. numba's disk cache watches only the kernel's own file. The kernels also
   compile the op table, ``operators.py`` and ``tensor_data.py``: ``watch`` adds a hash of
   those files (and of the table's rows) to each kernel's stamp, so editing a formula or
   adding a row recompiles instead of silently running a stale kernel.

The table is read once, when the first kernel needs it (``frozen_table``), and fixed for the
life of the process: the compiled chains and the codes the wrappers pass must agree. A row
added to ``op_table.OPS`` before that moment gets a compiled fast path (the tests use this);
a function that is not in the frozen table still runs, as a user function.
"""

from __future__ import annotations

import hashlib
import inspect
import math
import sys
import types as _pytypes
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numba
from llvmlite import ir as llvm_ir
from numba import njit
from numba.extending import intrinsic, overload

from . import fast_math, op_table, operators, tensor_data

# ## 1. Compiling the library's Python functions


def jit_module_functions(module: _pytypes.ModuleType, given: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """``njit(inline="always")`` copies of every function defined in ``module``, by name.

    Each copy runs the module's own code, but looks its globals up in a namespace in which
    the module's functions are already the compiled copies, ``math`` is ``VECTOR_MATH`` (its
    ``exp`` and ``log`` vectorise, see ``fast_math``), and the names in ``given`` are what it
    says (their Python functions are not compiled). numba compiles lazily: a copy that no
    kernel calls (``operators.map``, say) is never compiled.
    """
    namespace = dict(vars(module))
    if namespace.get("math") is math and VECTOR_MATH is not None:
        namespace["math"] = VECTOR_MATH
    namespace.update(given or {})
    compiled: Dict[str, Any] = {}
    for name, f in vars(module).items():
        if inspect.isfunction(f) and f.__module__ == module.__name__ and name not in (given or {}):
            copy = _pytypes.FunctionType(f.__code__, namespace, f.__name__, f.__defaults__, f.__closure__)
            compiled[name] = namespace[name] = njit(inline="always")(copy)
    return compiled


# ## The vector exp and log (fast_math): a bit cast each way, then the module compiled


@intrinsic
def _float_from_bits(typingctx, bits):  # type: ignore[no-untyped-def]
    """``fast_math.float_from_bits`` compiled: the 64 bits read as a float (one instruction)."""
    if not isinstance(bits, numba.types.Integer):
        return None

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        return builder.bitcast(args[0], llvm_ir.DoubleType())

    return numba.types.float64(numba.types.int64), codegen


@intrinsic
def _bits_of_float(typingctx, x):  # type: ignore[no-untyped-def]
    """``fast_math.bits_of_float`` compiled: the float's 64 bits as an integer."""
    if not isinstance(x, numba.types.Float):
        return None

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        return builder.bitcast(args[0], llvm_ir.IntType(64))

    return numba.types.int64(numba.types.float64), codegen


@intrinsic
def _multiply_add(typingctx, a, b, c):  # type: ignore[no-untyped-def]
    """``fast_math.multiply_add`` compiled: LLVM's fma, one instruction (rounded once)."""
    if not all(isinstance(t, numba.types.Float) for t in (a, b, c)):
        return None

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        return builder.fma(*args)

    return numba.types.float64(numba.types.float64, numba.types.float64, numba.types.float64), codegen


def wide_vectors() -> None:
    """In a compiled kernel: let LLVM vectorise this function's loops with the widest vectors
    the CPU has (512 bits with AVX-512). Does nothing in Python.

    Why: for CPUs with AVX-512 LLVM prefers 256-bit vectors by default (on early AVX-512 chips
    the wide instructions lowered the clock). numpy's exp and log use 512 bits; with 256 ours
    were 1.5-1.9x slower than numpy in a bare loop, with 512 1.2-1.4x. On a CPU without
    AVX-512 the hint changes nothing.
    """


@intrinsic
def _wide_vectors(typingctx):  # type: ignore[no-untyped-def]
    """``wide_vectors`` compiled: the LLVM function attribute ``"prefer-vector-width"="512"``
    on the function being compiled (the kernel, or the parallel loop's body), no instruction.
    llvmlite's ``FunctionAttributes`` only takes a fixed list of names, so the string
    attribute goes into the set itself; llvmlite writes it into the IR as given. (Should a
    later llvmlite store attributes otherwise, the hint is left out: slower, still right.)"""

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        attributes = builder.function.attributes
        if isinstance(attributes, set):
            set.add(attributes, '"prefer-vector-width"="512"')
        return context.get_dummy_value()

    return numba.types.none(), codegen


@overload(wide_vectors, inline="always")  # inlined: the attribute must land on the caller
def _wide_vectors_jit():  # type: ignore[no-untyped-def]
    return lambda: _wide_vectors()


VECTOR_MATH: Optional[_pytypes.ModuleType] = None  # set just below (jit_module_functions reads it)
_bit_casts = {"float_from_bits": _float_from_bits, "bits_of_float": _bits_of_float, "multiply_add": _multiply_add}
# (With NUMBA_DISABLE_JIT=1 the kernels run as Python: they call fast_math's Python bodies.)
_vector = jit_module_functions(fast_math, {} if numba.config.DISABLE_JIT else _bit_casts)
# The ``math`` that the kernels' formulas see: Python's, with the vectorisable exp and log.
VECTOR_MATH = _pytypes.ModuleType("math", "math with fast_math's exp and log, for the compiled CPU kernels")
VECTOR_MATH.__dict__.update({k: v for k, v in vars(math).items() if not k.startswith("__")})
VECTOR_MATH.exp = _vector["exp"]
VECTOR_MATH.log = _vector["log"]


def _compiled_copy(f: Callable[..., float], modules: Dict[str, Dict[str, Any]]) -> Any:
    """The compiled copy of the scalar function ``f`` (from its module's copies when it is a
    module-level function, else ``f`` itself compiled)."""
    module = sys.modules.get(f.__module__)
    if module is not None and getattr(module, f.__name__, None) is f:
        if f.__module__ not in modules:
            modules[f.__module__] = jit_module_functions(module)
        return modules[f.__module__][f.__name__]
    return njit(inline="always")(f)


_index = jit_module_functions(tensor_data)
index_to_position = _index["index_to_position"]
to_index = _index["to_index"]
broadcast_index = _index["broadcast_index"]


# ## 2. The op table, frozen for the compiled kernels


@dataclass(frozen=True)
class FrozenTable:
    """The op table as the kernels of this process are compiled: the rows, the functions in
    op-code order (Python and compiled), and the codes by function."""

    rows: Tuple[op_table.Op, ...]
    unary: Tuple[Callable[..., float], ...]
    binary: Tuple[Callable[..., float], ...]
    unary_code: Dict[Callable[..., float], int]
    binary_code: Dict[Callable[..., float], int]
    compiled_unary: Tuple[Any, ...]
    compiled_binary: Tuple[Any, ...]


_frozen: Optional[FrozenTable] = None
_watched: List[Any] = []


def frozen_table() -> FrozenTable:
    """The op table the kernels use, read from ``op_table.OPS`` on first call."""
    global _frozen
    if _frozen is None:
        rows = tuple(op_table.OPS)
        unary_code, binary_code = op_table.op_codes(rows)
        modules: Dict[str, Dict[str, Any]] = {}
        _frozen = FrozenTable(
            rows, tuple(unary_code), tuple(binary_code), unary_code, binary_code,
            tuple(_compiled_copy(f, modules) for f in unary_code),
            tuple(_compiled_copy(f, modules) for f in binary_code),
        )  # fmt: skip
        _stamp(_watched)
    return _frozen


def _generated(name: str, params: str, branch: str, last: str, count: int, namespace: Dict[str, Any]) -> Any:
    """Compile (``njit(inline="always")``) a function written from the table, an ``if`` chain::

        def name(op, params):
            if op == 0:
                branch with k = 0
            elif op == 1:
                branch with k = 1
            ...
            else:
                last

    One function with ``count`` branches, as one would write it by hand. (Closures nested
    one per code do the same, but numba re-inlines every level at every use: the first
    compile took minutes instead of seconds.)
    """
    lines = [f"def {name}(op, {params}):"]
    for k in range(count):
        lines += [f"    {'if' if k == 0 else 'elif'} op == {k}:", f"        {branch.format(k=k)}"]
    lines += ["    else:", f"        {last}"] if count else [f"    {last}"]
    scope = dict(namespace)
    exec(compile("\n".join(lines) + "\n", f"<op table: {name}>", "exec"), scope)  # noqa: S102
    return njit(inline="always")(scope[name])


def _chain(fns: Sequence[Any], arity: int) -> Any:
    """``c(op, x)`` (arity 1) or ``c(op, x, y)`` = ``fns[op](...)``, as an if chain; the
    last function also takes any other code (there is none: the wrappers pass table codes)."""
    params = "x" if arity == 1 else "x, y"
    namespace = {f"f{k}": f for k, f in enumerate(fns)}
    branch = "return f{k}(" + params + ")"
    last = f"return f{len(fns) - 1}({params})"
    return _generated(f"apply{arity}_chain", params, branch, last, len(fns) - 1, namespace)


def unroll_codes(loop: Any, count: int) -> Any:
    """``u(code, runs)``: calls ``loop(k, runs)`` with ``k`` a literal constant when
    ``code == k`` (k < count), else ``loop(code, runs)``.

    ``loop`` is an inlined inner loop over ``apply1``/``apply2``: with a constant code the
    chain folds away and the compiler sees one operation, branch-free and vectorisable.
    """
    return _generated("unrolled", "runs", "loop({k}, runs)", "loop(op, runs)", count, {"loop": loop})


def per_op_code(loop: Any, arity: int) -> Callable[[Any, Tuple[Any, ...]], None]:
    """``g(fn, runs)``, the same as ``loop(fn, runs)``, compiled for an op code ``fn`` as one
    copy of ``loop`` per code of the table (``unroll_codes``); for a function, plainly."""

    def per_op(fn: Any, runs: Tuple[Any, ...]) -> None:
        loop(fn, runs)

    @overload(per_op)
    def _per_op_jit(fn, runs):  # type: ignore[no-untyped-def]
        if isinstance(fn, numba.types.Integer):
            table = frozen_table()
            unrolled = unroll_codes(loop, len(table.unary if arity == 1 else table.binary))
            return lambda fn, runs: unrolled(fn, runs)
        return lambda fn, runs: loop(fn, runs)

    return per_op


# The Python bodies below run when the JIT is off (NUMBA_DISABLE_JIT=1); compiled kernels use
# the overloads, whose implementation numba chooses from the argument types.


def apply1(op: int, x: float) -> float:
    """The unary function with op code ``op``, applied to ``x``."""
    return frozen_table().unary[op](x)


def apply2(op: int, x: float, y: float) -> float:
    """The binary function with op code ``op``, applied to ``x, y``."""
    return frozen_table().binary[op](x, y)


@overload(apply1)
def _apply1_jit(op, x):  # type: ignore[no-untyped-def]
    chain = _chain(frozen_table().compiled_unary, 1)
    return lambda op, x: chain(op, x)


@overload(apply2)
def _apply2_jit(op, x, y):  # type: ignore[no-untyped-def]
    chain = _chain(frozen_table().compiled_binary, 2)
    return lambda op, x, y: chain(op, x, y)


def call1(f: Any, x: float) -> float:
    """``f(x)`` where ``f`` is a unary op code or a function."""
    return apply1(f, x) if isinstance(f, int) else f(x)


def call2(f: Any, x: float, y: float) -> float:
    """``f(x, y)`` where ``f`` is a binary op code or a function."""
    return apply2(f, x, y) if isinstance(f, int) else f(x, y)


@overload(call1)
def _call1_jit(f, x):  # type: ignore[no-untyped-def]
    if isinstance(f, numba.types.Integer):
        return lambda f, x: apply1(f, x)
    return lambda f, x: f(x)


@overload(call2)
def _call2_jit(f, x, y):  # type: ignore[no-untyped-def]
    if isinstance(f, numba.types.Integer):
        return lambda f, x, y: apply2(f, x, y)
    return lambda f, x, y: f(x, y)


def code(f: Any) -> int:
    """The op code ``f`` itself, or -1 for a function."""
    return f if isinstance(f, int) else -1


@overload(code)
def _code_jit(f):  # type: ignore[no-untyped-def]
    if isinstance(f, numba.types.Integer):
        return lambda f: f
    return lambda f: -1


def is_add(f: Any) -> bool:
    """True when ``f`` is the binary op code of ``operators.add`` (a sum has a loop of its own)."""
    return isinstance(f, int) and f == frozen_table().binary_code.get(operators.add)


@overload(is_add)
def _is_add_jit(f):  # type: ignore[no-untyped-def]
    add = frozen_table().binary_code.get(operators.add, -2)
    if isinstance(f, numba.types.Integer):
        return lambda f: f == add
    return lambda f: False


# ## 3. Keeping the disk cache honest


def watch(kernels: Sequence[Any]) -> None:
    """Make each kernel's disk cache stale whenever the op table, the files it compiles from
    (``op_table.py``, ``operators.py``, ``tensor_data.py``, this bridge, the module of any
    other row's function) or the table's rows change.

    numba stamps a cache with the modification time and size of the kernel's own file only.
    This touches numba internals (``Dispatcher._cache._cache_file._source_stamp``); if they
    change, we only lose the guard (numba then behaves as documented: delete ``__pycache__``
    after editing those files).
    """
    _watched.extend(kernels)
    if _frozen is not None:
        _stamp(kernels)


def _table_digest(table: FrozenTable) -> str:
    digest = hashlib.sha256()
    files = {op_table.__file__, operators.__file__, tensor_data.__file__, fast_math.__file__, __file__}
    for op in table.rows:
        module = sys.modules.get(op.fn.__module__)
        if getattr(module, "__file__", None):
            files.add(module.__file__)  # type: ignore[union-attr]
        digest.update(f"{op.name}/{op.kind}/{op.start!r}/{op.fn.__module__}.{op.fn.__qualname__};".encode())
    for path in sorted(files):
        with open(path, "rb") as source:
            digest.update(source.read())
    return digest.hexdigest()


def _stamp(kernels: Sequence[Any]) -> None:
    digest = _table_digest(frozen_table())
    for kernel in kernels:
        cache_file = getattr(getattr(kernel, "_cache", None), "_cache_file", None)
        if cache_file is not None and hasattr(cache_file, "_source_stamp"):
            stamp = cache_file._source_stamp
            base = stamp[0] if isinstance(stamp, tuple) and len(stamp) == 2 and isinstance(stamp[1], str) else stamp
            cache_file._source_stamp = (base, digest)
