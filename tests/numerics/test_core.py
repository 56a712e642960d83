"""The shared numerics of the optimizers, against 50-digit mpmath."""
from __future__ import annotations

import mpmath
import numpy as np
import pytest
from hypothesis import given, strategies as st

from adamlab.numerics.optimizers import bias_correction, schedules

mpmath.mp.dps = 50


def _exact_one_minus_power(beta: float, t: int):
    return 1 - mpmath.mpf(beta) ** t


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.999, 1 - 1e-9, 1 - 2.0 ** -52])
@pytest.mark.parametrize("t", [1, 2, 10, 1000, 10**6, 10**12, 10**18, 10**30])
def test_bias_correction_is_accurate_for_all_t(beta, t):
    got = bias_correction(beta, t)
    want = _exact_one_minus_power(beta, t)
    assert np.isfinite(got) and 0 < got <= 1
    assert abs(mpmath.mpf(got) - want) <= 4 * 2.0 ** -52 * want


def test_naive_formula_loses_what_ours_keeps():
    # the reason for expm1: 1 - beta**t cancels when beta is close to 1
    beta = 1 - 1e-10
    naive_err, ours_err = [], []
    for t in range(2, 30):
        want = _exact_one_minus_power(beta, t)
        naive_err.append(abs(mpmath.mpf(1 - beta ** t) - want) / want)
        ours_err.append(abs(mpmath.mpf(bias_correction(beta, t)) - want) / want)
    assert max(ours_err) <= 4 * 2.0 ** -52
    assert max(naive_err) > 1e-9  # the naive form loses about 7 of 16 digits here


@given(beta=st.floats(0.0, 1.0, exclude_max=True), t=st.integers(1, 10**9))
def test_bias_correction_per_run_arrays_equal_scalars(beta, t):
    arr = np.array([[beta], [0.5], [beta]])
    got = bias_correction(arr, t)
    assert got.shape == (3, 1) and got.dtype == np.float64
    assert got[0, 0] == bias_correction(beta, t) == got[2, 0]
    assert got[1, 0] == bias_correction(0.5, t)


def test_schedules_against_mpmath():
    sched = schedules.InverseSqrt(0.3)
    for t in [1, 2, 3, 10**6, 10**15]:
        assert abs(sched(t) - 0.3 / mpmath.sqrt(t)) <= 2 ** -52 * 0.3 / mpmath.sqrt(t) * 2
    dec = schedules.Beta1Decay(0.9, 0.99)
    for t in [1, 2, 50, 10**4, 10**7]:
        want = mpmath.mpf(0.9) * mpmath.mpf(0.99) ** (t - 1)
        assert abs(dec(t) - want) <= 1e-12 * want + mpmath.mpf(10) ** -300
    assert dec(1) == 0.9


def test_schedules_round_trip_json():
    for s in [schedules.InverseSqrt(0.25), schedules.Beta1Decay(0.9, 0.5)]:
        again = schedules.from_json(s.to_json())
        assert repr(again) == repr(s) and again(7) == s(7)
    with pytest.raises(ValueError, match="schedule"):
        schedules.from_json({"schedule": "cosine"})
