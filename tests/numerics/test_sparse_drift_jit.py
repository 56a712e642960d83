"""The compiled drift sums (sim.compiled.drift) against DriftTables' NumPy methods.

The tables are built as the lazy engine builds them (sim.sparse.lazy_family) for Adam and
AMSGrad (every amsgrad_mode, eps_mode outside/efficient, lr schedules, eps = 0, a slowly
decaying beta1, Kingma & Ba's beta1 schedule) and for the momentum buffers of SGD,
Nesterov and RMSprop, several tables per set.  Each compiled value must equal the NumPy
one to 1e-13 relative (exp and log come from different libraries; the rest is the same
operations in the same order).
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

numba = pytest.importorskip("numba")
# numba compiles these kernels once per process (3-7 s): the full suite runs them, the
# everyday loop does not
pytestmark = pytest.mark.slow

from adamlab.numerics import optimizers                          # noqa: E402
from adamlab.numerics.optimizers.schedules import Beta1Decay, InverseSqrt   # noqa: E402
from adamlab.numerics.sim.compiled import drift as jd             # noqa: E402
from adamlab.numerics.sim.sparse import SHORT_GAP, lazy_family    # noqa: E402

T = 2000
TOL = 1e-13
SETS = [  # (name, hyperparameters, runs)
    ("adam", dict(lr=[0.01, 0.001], betas=(np.array([0.9, 0.95]), 0.999)), 2),
    ("adam", dict(lr=InverseSqrt(0.1), betas=(np.array([0.9, 0.99]), 0.999)), 2),  # slow
    ("adam", dict(eps_mode="efficient", eps=1e-6), 1),
    ("adam", dict(eps=0.0, betas=(np.array([0.9, 0.8]), 0.99)), 2),                # N = 1
    ("adam", dict(lr=InverseSqrt(0.05), betas=(Beta1Decay(0.9, 0.999), 0.999)), 1),  # ln
    ("amsgrad", dict(betas=(np.array([0.9, 0.99]), 0.999)), 2),                    # torch
    ("amsgrad", dict(amsgrad_mode="optax", eps_mode="efficient"), 1),
    ("amsgrad", dict(amsgrad_mode="reddi", lr=InverseSqrt(0.1)), 1),
    ("momentum", dict(momentum=np.array([0.9, 0.99, 0.5])), 3),
    ("nag", dict(lr=InverseSqrt(0.2)), 1),
    ("rmsprop", dict(momentum=np.array([0.5, 0.9])), 2),
]


@numba.njit(cache=False, error_model="numpy")
def _engine_loop(ta, tid, s, t_end, logz, short, e_out, out):
    """As the compiled engine calls them: the window's end, then the drift."""
    for i in range(s.shape[0]):
        e = jd.window_end_one(ta, tid[i], s[i], t_end[i])
        e_out[i] = e
        out[i] = jd.drift_one(ta, tid[i], s[i], e, logz[i], short)


def _queries(tables, rng, n=500):
    """(tid, s, t_end, logz): gaps of 1, <= SHORT_GAP, medium and long (several blocks,
    cut at J(s)), early and late s, z = 0, tiny and large z."""
    n_tab = tables.ga.shape[0]
    tid = rng.integers(0, n_tab, n)
    s = np.concatenate([rng.integers(0, 20, n // 5), rng.integers(0, T - 1, n - n // 5)])
    kind = rng.integers(0, 5, n)
    gap = np.select([kind == 0, kind == 1, kind == 2, kind == 3],
                    [np.ones(n, dtype=np.int64), rng.integers(2, SHORT_GAP + 1, n),
                     rng.integers(SHORT_GAP + 1, 80, n), rng.integers(80, T, n)],
                    np.full(n, T))                                # kind 4: up to J(s)
    t_end = np.minimum(s + gap, T)
    logz = np.log(10.0) * rng.uniform(-30, 12, n)
    huge = rng.random(n) < 0.1
    logz[huge] = rng.uniform(50.0, 300.0, n)[huge]                  # huge z
    if np.all(tables.eps > 0):
        logz[rng.random(n) < 0.15] = -np.inf                       # z = 0
        logz[rng.random(n) < 0.05] = -700.0
    return tid, s, t_end, logz


def _close(got, ref):
    """Largest relative difference (absolute where the reference is 0)."""
    scale = np.where(ref == 0, 1.0, np.abs(ref))
    return float(np.max(np.abs(got - ref) / scale, initial=0.0))


@pytest.fixture(scope="module")
def built():
    out = []
    for name, hp, R in SETS:
        tables = lazy_family(optimizers.make(name, **hp), T, R).tables_for(0, T)
        out.append((f"{name}{hp}", tables, jd.table_arrays(tables)))
    return out


def test_the_sets_cover_the_cases(built):
    tabs = [tb for _, tb, _ in built]
    assert any(tb.slow for tb in tabs) and not all(tb.slow for tb in tabs)
    assert any(tb.slow_tab.any() and not tb.slow_tab.all() for tb in tabs)   # mixed
    assert any(tb.N == 1 for tb in tabs) and any(tb.N > 1 for tb in tabs)
    assert any(tb.ga.shape[0] == 1 for tb in tabs) and any(tb.ga.shape[0] > 1 for tb in tabs)
    assert any(np.any(tb.ln != 0) for tb in tabs) and any(np.all(tb.eps == 0) for tb in tabs)


def test_table_arrays_round_trip(built):
    for _, tables, ta in built:
        assert (ta.W, ta.T, ta.N) == (tables.W, tables.T, tables.N)
        assert all(type(v) is int for v in (ta.W, ta.T, ta.N))
        for field in ta._fields[3:]:
            arr, src = getattr(ta, field), getattr(tables, field)
            assert arr.flags.c_contiguous and arr.shape == src.shape, field
            assert arr.dtype == (np.int64 if field in ("block_of", "bounds", "J") else
                                 np.bool_ if field == "slow_tab" else np.float64), field
            assert np.array_equal(arr, src), field


def test_drift_and_window_end_equal_numpy(built):
    rng = np.random.default_rng(2024)
    worst, most_pieces = 0.0, 0
    for label, tables, ta in built:
        tid, s, t_end, logz = _queries(tables, rng)
        e, got = np.empty_like(s), np.empty(s.shape[0])
        _engine_loop(ta, tid, s, t_end, logz, SHORT_GAP, e, got)
        assert np.array_equal(e, tables.window_end(tid, s, t_end)), label
        assert np.all(e >= s + 1) and np.any(e < t_end)     # some sums cut at J(s)
        base = tid * tables.W
        pieces = tables.block_of[base + e] - tables.block_of[base + s + 1] + 1
        most_pieces = max(most_pieces, int(pieces.max()))
        ref = tables.drift(tid, s, e, logz, SHORT_GAP)
        assert np.all(np.isfinite(ref)) and np.any(ref > 0), label
        err = _close(got, ref)
        assert err <= TOL, (label, err)
        worst = max(worst, err)
        # beyond the truncation (the tables cover every e <= T), and e < s + 1
        e_full = np.maximum(t_end, s + 1)
        full = np.array([jd.evaluate_one(ta, a, b, c, d)
                         for a, b, c, d in zip(tid[:100], s[:100], e_full[:100], logz[:100])])
        assert _close(full, tables.evaluate(tid[:100], s[:100], e_full[:100], logz[:100])) <= TOL
        assert jd.drift_one(ta, int(tid[0]), int(s[0]), int(s[0]), 0.0, SHORT_GAP) == 0.0
    assert most_pieces >= 4                         # sums over several blocks
    print(f"max relative difference of drift_one: {worst:.3g}")


def test_reach_factor_equals_evaluate_common(built):
    rng = np.random.default_rng(7)
    logz = np.concatenate([np.log(10.0) * rng.uniform(-30, 12, 12), [-700.0, 300.0]])
    for label, tables, ta in built:
        lz = np.concatenate([logz, [-np.inf]]) if np.all(tables.eps > 0) else logz
        for j in range(tables.ga.shape[0]):
            for t in np.concatenate([[1, 2, 5, T - 2, T - 1, T], rng.integers(1, T, 10)]):
                t = int(t)
                e = min(T, int(tables.J[j * tables.W + t]))
                ref = tables.evaluate_common(j, t, e, lz)
                got = np.array([jd.reach_factor(ta, j, t, x) for x in lz])
                assert _close(got, ref) <= TOL, (label, j, t)


def test_no_numpy_warnings_and_no_leaked_fp_flags(built):
    """z = 0, overflowing z, and the undefined eps = 0 with z = 0 (NaN) stay inside numba:
    nothing warns, and NumPy's next operation under errstate(all='raise') is clean."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _, tables, ta in built:
            for logz in (-math.inf, 800.0, -800.0):
                for gap in (1, SHORT_GAP, 50, T):
                    e = jd.window_end_one(ta, 0, 3, min(T, 3 + gap))
                    value = jd.drift_one(ta, 0, 3, e, logz, SHORT_GAP)
                    reach = jd.reach_factor(ta, 0, 3, logz)
                    if logz == 800.0:
                        assert value == 0.0 and reach == 0.0
            with np.errstate(all="raise"):
                np.add(np.ones(3), 1.0)
                np.multiply(np.full(3, 2.0), 3.0)
