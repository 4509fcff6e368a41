"""The vectorisable exp and log of the fast CPU kernels (autograd/fast_math.py) against numpy.

Accuracy is measured in units in the last place (ulp): the number of floats between our result
and numpy's. numpy's own exp and log are within about 1 ulp of the true value, so "within 3
ulp of numpy" means within about 4 of the truth. Checked on the compiled kernels (what
``FastBackend`` runs) and on the Python bodies (what NUMBA_DISABLE_JIT=1 runs).
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np
import pytest

from autograd import FastBackend, FastOps, SimpleBackend, Tensor, fast_math, operators

ULPS = 3


def ulp_distance(ours: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Floats between ``ours`` and ``expected`` (0 where both are the same inf or both nan;
    a huge number where only one of them is nan or inf, or the signs differ)."""
    ours, expected = np.asarray(ours, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    same_special = (np.isnan(ours) & np.isnan(expected)) | (np.isinf(ours) & (ours == expected))
    a = ours.view(np.int64).astype(object)  # object: no int64 overflow in the subtraction
    b = expected.view(np.int64).astype(object)
    distance = np.abs(a - b).astype(np.float64)
    distance[np.signbit(ours) != np.signbit(expected)] = np.inf
    distance[(ours == 0) & (expected == 0)] = 0.0  # 0.0 and -0.0
    distance[np.isnan(ours) != np.isnan(expected)] = np.inf
    distance[same_special] = 0.0
    return distance


def fast_map(name: str, x: np.ndarray) -> np.ndarray:
    """``t.exp()`` / ``t.log()`` / ``t.sigmoid()`` on the fast backend (compiled kernels)."""
    t = Tensor.from_numpy(x, backend=FastBackend, requires_grad=False)
    return getattr(t, name)().to_numpy()


EXP_SPECIALS = np.array([
    0.0, -0.0, 1.0, -1.0, 1e-300, -1e-300, 5e-324, 0.5 * math.log(2), -0.5 * math.log(2),
    709.782712893383, 709.782712893384, 709.79, 710.0, 1000.0, 1e300, math.inf,  # overflow to inf
    -708.39, -708.4, -720.0, -745.13, -745.133, -745.14, -746.0, -1e300, -math.inf,  # underflow to 0
    math.nan,
])  # fmt: skip
LOG_SPECIALS = np.array([
    1.0, 2.0, 0.5, math.e, 1.0 + 2**-52, 1.0 - 2**-53, 1.0 + 1e-8, 1.0 - 1e-8, math.sqrt(2), math.sqrt(0.5),
    5e-324, 1e-320, 2.2250738585072014e-308, 2.225073858507201e-308, 1.7976931348623157e308,
    0.0, -0.0, -1.0, -5e-324, -math.inf, math.inf, math.nan,
])  # fmt: skip


def random_exp_inputs(n: int) -> np.ndarray:
    rng = np.random.default_rng(9)
    return np.concatenate([
        rng.uniform(-750.0, 712.0, n // 2),  # the whole range, past both ends
        rng.normal(0.0, 3.0, n // 4),  # where most numbers of a network are
        rng.uniform(-746.0, -708.0, n // 8),  # the results are subnormal
        rng.uniform(-1e-6, 1e-6, n - n // 2 - n // 4 - n // 8),
        EXP_SPECIALS,
    ])  # fmt: skip


def random_log_inputs(n: int) -> np.ndarray:
    rng = np.random.default_rng(10)
    return np.concatenate([
        10.0 ** rng.uniform(-307.0, 308.0, n // 2),  # every exponent
        rng.uniform(0.0, 4.0, n // 4),
        1.0 + rng.uniform(-1e-3, 1e-3, n // 8),  # near 1, where log is near 0
        rng.uniform(0.0, 1e-308, n - n // 2 - n // 4 - n // 8),  # subnormal inputs
        LOG_SPECIALS,
    ])  # fmt: skip


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_compiled_exp_is_within_a_few_ulp_of_numpy_on_a_million_inputs() -> None:
    x = random_exp_inputs(10**6)
    distance = ulp_distance(fast_map("exp", x), np.exp(x))
    assert distance.max() <= ULPS, (x[distance.argmax()], distance.max())


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_compiled_log_is_within_a_few_ulp_of_numpy_on_a_million_inputs() -> None:
    x = random_log_inputs(10**6)
    distance = ulp_distance(fast_map("log", x), np.log(x))
    assert distance.max() <= ULPS, (x[distance.argmax()], distance.max())


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_special_values_are_numpys_exactly() -> None:
    exp = fast_map("exp", EXP_SPECIALS)
    log = fast_map("log", LOG_SPECIALS)
    for ours, expected in ((exp, np.exp(EXP_SPECIALS)), (log, np.log(LOG_SPECIALS))):
        special = ~np.isfinite(expected) | (expected == 0)
        np.testing.assert_array_equal(ours[special], expected[special])  # inf, -inf, 0, nan where numpy has them
        signed = special & ~np.isnan(expected)  # (the sign of a nan means nothing)
        assert np.array_equal(np.signbit(ours[signed]), np.signbit(expected[signed]))
    assert exp[EXP_SPECIALS == 0.0].tolist() == [1.0, 1.0] and log[LOG_SPECIALS == 1.0].tolist() == [0.0]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_the_python_bodies_agree_with_numpy_too() -> None:
    """What runs under NUMBA_DISABLE_JIT=1 (struct for the bit casts; no fused multiply-add)."""
    x = np.concatenate([random_exp_inputs(3000), EXP_SPECIALS])
    assert ulp_distance([fast_math.exp(v) for v in x], np.exp(x)).max() <= ULPS
    y = np.concatenate([random_log_inputs(3000), LOG_SPECIALS])
    assert ulp_distance([fast_math.log(v) for v in y], np.log(y)).max() <= ULPS


def test_the_bit_casts_round_trip() -> None:
    for v in (1.0, -2.5, 5e-324, math.inf):
        assert fast_math.float_from_bits(fast_math.bits_of_float(v)) == v
    assert fast_math.bits_of_float(1.0) == fast_math.ONE_BITS and fast_math.pow2(-1022) == 2.2250738585072014e-308


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_formulas_that_call_math_exp_use_it_and_agree_with_the_simple_backend() -> None:
    """sigmoid (operators.sigmoid calls math.exp) on both backends: the same to a few ulp."""
    x = np.concatenate([np.random.default_rng(11).normal(0.0, 20.0, 2000), [-800.0, -40.0, 0.0, 40.0, 800.0]])
    fast = fast_map("sigmoid", x)
    simple = Tensor.from_numpy(x, backend=SimpleBackend, requires_grad=False).sigmoid().to_numpy()
    assert ulp_distance(fast, simple).max() <= ULPS
    exp_back = FastBackend.exp_back_zip(Tensor.from_numpy(x, FastBackend, False), Tensor.from_numpy(np.ones_like(x), FastBackend, False))
    assert ulp_distance(exp_back.to_numpy(), np.exp(x)).max() <= ULPS


def test_the_economised_polynomials_are_within_their_stated_error_over_their_interval() -> None:
    """exp's 12 coefficients against e^r (40 digits) on |r| <= 0.347, log's 8 against the
    whole series 1/3 + z/5 + z^2/7 + ... on [0, 0.0295]: exact arithmetic on the float
    coefficients, so what is measured is the polynomial's own error, not rounding."""
    exp_terms = [Fraction(c) for c in fast_math.EXP_TERMS]
    log_terms = [Fraction(c) for c in fast_math.LOG_TERMS]
    with localcontext() as context:
        context.prec = 40
        for r in np.linspace(-0.347, 0.347, 301):
            p = sum(c * Fraction(r) ** k for k, c in enumerate(exp_terms))
            true = Decimal(r).exp()
            assert abs(Decimal(p.numerator) / Decimal(p.denominator) / true - 1) < Decimal("2e-17"), r
    for z in np.linspace(0.0, 0.0295, 101):
        q = sum(c * Fraction(z) ** k for k, c in enumerate(log_terms))
        series = sum(Fraction(z) ** k / (2 * k + 3) for k in range(30))
        assert abs(q / series - 1) < Fraction(1, 10**16), z
    # A polynomial already of the degree asked for comes back as it is.
    quadratic = [Fraction(1), Fraction(-2), Fraction(3)]
    assert fast_math.economise(quadratic, Fraction(-1), Fraction(2), 2) == (1.0, -2.0, 3.0)


# ## sigmoid: one exp, one division, no branch (operators.sigmoid), on every backend

# sigmoid's own roundings (1 + z, the division) come on top of exp's: 4 ulp of the true value.
SIGMOID_ULPS = 4
SIGMOID_EDGES = {
    math.inf: 1.0, -math.inf: 0.0, 1000.0: 1.0, -1000.0: 0.0, 800.0: 1.0, -800.0: 0.0,
    746.0: 1.0, -746.0: 0.0, 0.0: 0.5, -0.0: 0.5, 1e-300: 0.5, -1e-300: 0.5, 5e-324: 0.5,
}  # fmt: skip


def sigmoid_reference(x: np.ndarray) -> np.ndarray:
    """sigmoid in numpy's long double where it is wider than float64 (x86: 64-bit mantissa),
    rounded to float64: within about 1 ulp of the true value. Each side in its safe form."""
    wide = np.longdouble if np.finfo(np.longdouble).nmant > 52 else np.float64
    xl = x.astype(wide)
    with np.errstate(all="ignore"):
        return np.where(xl >= 0, 1 / (1 + np.exp(-xl)), np.exp(xl) / (1 + np.exp(xl))).astype(np.float64)


def sigmoid_inputs(n: int) -> np.ndarray:
    rng = np.random.default_rng(12)
    return np.concatenate([
        rng.normal(0.0, 5.0, n // 2),  # where a network's numbers are
        rng.uniform(-40.0, 40.0, n // 4),  # up to where 1 / (1 + e^-x) rounds to 1
        rng.uniform(-750.0, 750.0, n - n // 2 - n // 4),  # e^-|x| down to the subnormals and 0
    ])  # fmt: skip


def sigmoid_everywhere(x: np.ndarray) -> dict:
    """sigmoid of ``x`` by operators.sigmoid itself, the pure-Python backend and the fast one."""
    return {
        "operators.sigmoid": np.array([operators.sigmoid(float(v)) for v in x]),
        "SimpleBackend": Tensor.from_numpy(x, backend=SimpleBackend, requires_grad=False).sigmoid().to_numpy(),
        "FastBackend": fast_map("sigmoid", x),
    }


def test_sigmoid_edge_values_are_exact_on_every_backend() -> None:
    x = np.array(list(SIGMOID_EDGES) + [math.nan])
    expected = np.array(list(SIGMOID_EDGES.values()) + [math.nan])
    for name, got in sigmoid_everywhere(x).items():
        np.testing.assert_array_equal(got, expected, err_msg=name)
        assert not np.signbit(got[expected == 0.0]).any(), name  # 0.0, not -0.0


def test_sigmoid_is_within_a_few_ulp_of_the_true_value_on_a_million_inputs() -> None:
    x = sigmoid_inputs(10**6)
    distance = ulp_distance(fast_map("sigmoid", x), sigmoid_reference(x))
    assert distance.max() <= SIGMOID_ULPS, (x[distance.argmax()], distance.max())


def test_sigmoid_agrees_on_every_backend_and_in_plain_python() -> None:
    x = sigmoid_inputs(3000)
    reference = sigmoid_reference(x)
    for name, got in sigmoid_everywhere(x).items():
        distance = ulp_distance(got, reference)
        assert distance.max() <= SIGMOID_ULPS, (name, x[distance.argmax()], distance.max())
    s = sigmoid_everywhere(x)["FastBackend"]
    assert ((0.0 <= s) & (s <= 1.0)).all()
    np.testing.assert_allclose(fast_map("sigmoid", -x), 1.0 - s, rtol=0, atol=2e-16)  # sigmoid(-x) = 1 - sigmoid(x)


def test_a_users_division_by_zero_still_raises_on_the_fast_backend() -> None:
    """The cached map and zip kernels are compiled with numpy's error model (a ``/`` with no
    zero check, so that sigmoid's division vectorises). The op table's formulas never divide
    by zero; a user's function runs in an uncached twin with Python's model, and raises as
    in plain Python."""
    zero = Tensor.from_numpy(np.array([1.0, 0.0]), backend=FastBackend, requires_grad=False)
    with pytest.raises(ZeroDivisionError):
        FastOps.map(lambda x: 1.0 / x)(zero)
    with pytest.raises(ZeroDivisionError):
        FastOps.zip(lambda x, y: x / y)(zero, zero)
    np.testing.assert_array_equal(FastOps.map(operators.inv)(zero).to_numpy(), [1.0, math.inf])  # the table's 1 / x


def test_wide_vectors_puts_its_hint_on_the_compiled_function_that_calls_it() -> None:
    """The map kernel's loop runs 512-bit vectors only if LLVM sees the attribute on the very
    function that holds the loop (numba_bridge.wide_vectors is inlined into its caller)."""
    from numba import njit

    from autograd import numba_bridge

    def doubled(out, x):  # type: ignore[no-untyped-def]
        numba_bridge.wide_vectors()
        for i in range(len(x)):
            out[i] = 2.0 * x[i]

    compiled = njit(doubled)
    x = np.arange(4.0)
    out = np.empty(4)
    compiled(out, x)
    np.testing.assert_array_equal(out, 2.0 * x)
    ir = compiled.inspect_llvm(compiled.signatures[0]).splitlines()
    # The function itself (not numba's wrappers, @_ZN7cpython... and @cfunc...), and the
    # attribute groups it refers to.
    (define,) = [
        line
        for line in ir
        if line.startswith("define") and "@_ZN" in line and "doubled" in line and "cpython" not in line
    ]
    groups = {line.split(" = ")[0].split()[1]: line for line in ir if line.startswith("attributes #")}
    hints = [groups[g] for g in re.findall(r"#\d+", define.split(")")[-1]) if g in groups]
    assert any('"prefer-vector-width"="512"' in group for group in hints), (define, hints)
    assert numba_bridge.wide_vectors() is None  # in Python: nothing to do
