"""Shared test set-up: hypothesis profiles and the ``backend`` fixture.

Profiles: "dev" (the default) and "ci" (chosen when the environment has CI set, e.g.
``CI=1 pytest``): as many examples, but derandomised, so that a red CI run is repeatable;
"cuda" and "check" (fewer examples) for the simulator and for a student's self-check.
``HYPOTHESIS_PROFILE=dev`` (or ``ci``) picks one explicitly. No deadline anywhere: the numba
backend compiles its kernels on first call, which would trip hypothesis' per-example timer.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from backends import BACKENDS  # tests/ is on sys.path (pytest rootdir conftest)

settings.register_profile(
    "dev",
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "ci",
    max_examples=50,
    deadline=None,
    derandomize=True,  # the same examples on every run: a red CI is reproducible
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
# "cuda": `make test-cuda` (numba's CUDA simulator, where every GPU thread is a Python thread)
# and benchmarks/gpu_check.py take the same tests with fewer examples (derandomised: a
# failure repeats).
settings.register_profile(
    "cuda",
    max_examples=5,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
# "check": a student's `check("2.3")` in a notebook (course/checker.py) runs the task's tests
# with fewer examples, for an answer in seconds; the grader and `make test` run the full ones.
settings.register_profile(
    "check",
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


@pytest.fixture(scope="session", params=list(BACKENDS.values()), ids=list(BACKENDS))
def backend(request: pytest.FixtureRequest):
    """Each tensor backend in turn (session-scoped, so hypothesis tests may use it)."""
    return request.param
