"""Low-precision storage (optimizers.precision) and the drift report (precision_report)."""
from __future__ import annotations

import sys

import numpy as np
import pytest

from adamlab.numerics import optimizers
from adamlab.numerics.optimizers.precision import low_precision, round_to, storage_dtype
from adamlab.numerics.precision_report import compare

U32 = 2.0 ** -24          # unit roundoff of float32


def _grads(T, d, seed=1):
    return np.random.default_rng(seed).normal(size=(T, d))


def test_float32_storage_float64_accumulate_tracks_float64():
    T, d = 300, 5
    gs = _grads(T, d)
    ref, low = optimizers.make("adam", lr=1e-2), low_precision(
        optimizers.make("adam", lr=1e-2), storage="float32", accumulate="float64")
    p64 = pl = np.linspace(-1, 1, d).astype(np.float32).astype(np.float64)
    s64, sl = ref.init(p64), low.init(pl)
    for g in gs:
        p64, s64 = ref.update(g, s64, p64)
        pl, sl = low.update(g, sl, pl)
        assert np.array_equal(pl, pl.astype(np.float32).astype(np.float64))  # on the grid
    # each step rounds theta (<= u|theta|) and the moments (relative u, step error <=
    # about lr * u per step); gradients do not depend on theta, so errors add up
    tol = 4 * T * U32 * max(np.abs(p64).max(), 1.0)
    assert np.abs(pl - p64).max() <= tol
    assert np.abs(pl - p64).max() > 0       # and float32 storage did round


def test_float16_one_adam_step_is_the_rounded_float64_step():
    p0 = np.array([[1.0, -0.5, 3.140625, 1e-3, 7.0]])
    p0 = p0.astype(np.float16).astype(np.float64)
    g = np.array([[0.3, -1.7, 2e-3, 5.0, -1e-4]])
    ref = optimizers.make("adam", lr=3e-3)
    p64, s64 = ref.update(g, ref.init(p0), p0)
    low = low_precision(optimizers.make("adam", lr=3e-3), storage="float16",
                        accumulate="float64")
    pl, sl = low.update(g, low.init(p0), p0)
    assert np.array_equal(pl, np.float16(p64).astype(np.float64))
    assert np.array_equal(sl.inner.m, np.float16(s64.m).astype(np.float64))
    assert np.array_equal(sl.inner.v, np.float16(s64.v).astype(np.float64))


def test_stochastic_rounding_unbiased_and_exact():
    x = 1.0 + 1e-4                          # between 1 and 1 + 2**-10 in float16
    n = 200_000
    out = round_to(np.full(n, x), np.dtype(np.float16), "stochastic",
                   np.random.default_rng(0))
    lo, hi = 1.0, 1.0 + 2.0 ** -10
    assert set(np.unique(out)) == {lo, hi}
    p = (x - lo) / (hi - lo)
    sd = (hi - lo) * np.sqrt(p * (1 - p) / n)
    assert abs(out.mean() - x) < 5 * sd
    # negative values and bfloat16 too
    y = -3.0e-2 - 1.234e-6
    bf = storage_dtype("bfloat16")
    out = round_to(np.full(n, y), bf, "stochastic", np.random.default_rng(1))
    nb = np.full(1, y).astype(bf).astype(np.float64)[0]
    other = np.nextafter(np.full(1, y).astype(bf), np.full(1, -np.inf).astype(bf) if nb > y
                         else np.full(1, np.inf).astype(bf)).astype(np.float64)[0]
    q = abs(y - nb) / abs(other - nb)
    assert abs(out.mean() - y) < 5 * abs(other - nb) * np.sqrt(q * (1 - q) / n)
    # representable values are kept exactly
    rep = np.array([1.0, -2.5, 0.0, 65504.0, 2.0 ** -24])
    assert np.array_equal(round_to(rep, np.dtype(np.float16), "stochastic",
                                   np.random.default_rng(3)), rep)


def test_stochastic_rounding_deterministic_per_seed():
    gs = _grads(20, 4)

    def play(seed):
        o = low_precision("sgd", storage="float16", rounding="stochastic", seed=seed)
        p = np.full((2, 4), 0.3)
        s = o.init(p)
        for g in gs:
            p, s = o.update(np.vstack([g, g]), s, p)
        return p

    a, b, c = play(7), play(7), play(8)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def _sgd_const(T, kahan, lr=1e-4):
    o = low_precision(optimizers.make("sgd", lr=lr), storage="float16",
                      accumulate="float32", kahan=kahan)
    p = np.array([1.0])
    s = o.init(p)
    for _ in range(T):
        p, s = o.update(np.array([1.0]), s, p)
    return p, s


def test_kahan_unfreezes_sgd_with_a_tiny_step_in_float16():
    T, lr = 200, 1e-4
    # independently: below 1 the float16 spacing is 2**-11, so 1 - 1e-4 rounds back to 1
    # at every step (1e-4 < 2**-12): T frozen steps
    frozen = sum(np.float16(1.0 - lr) == np.float16(1.0) for _ in range(T))
    assert frozen == T
    p, s = _sgd_const(T, kahan=False)
    assert p[0] == 1.0 and int(s.flushed.sum()) == frozen
    pk, sk = _sgd_const(T, kahan=True)
    exact = 1.0 - T * lr
    assert abs(pk[0] - exact) <= 2.0 ** -11      # within one float16 ulp of the truth
    assert abs(pk[0] - exact) < abs(p[0] - exact) / 10
    assert int(sk.flushed.sum()) < T


def test_first_nonfinite_step():
    # Adam, float16, eps=1e-8 and a zero gradient at step 1: eps is applied in the
    # accumulator dtype (float32: 1e-8 is representable) and the package's 0/0 = 0
    # convention holds, so the step is 0 and nothing becomes non-finite
    o = low_precision(optimizers.make("adam", eps=1e-8), storage="float16",
                      nonfinite="freeze")
    p, s = o.update(np.zeros(3), o.init(np.ones(3)), np.ones(3))
    assert np.array_equal(p, np.ones(3)) and s.nonfinite[0, 0] == 0
    # overflow: SGD lr=1 with g=-1e4 from 0: theta_t = float16(theta_{t-1} + 1e4),
    # replayed independently with NumPy's float16 cast until it overflows to inf
    xs, x = [0.0], 0.0
    with np.errstate(over="ignore"):
        while np.isfinite(x):
            x = float(np.float16(x + 1e4))
            xs.append(x)
    want = len(xs) - 1
    assert want == 7            # 59968 + 1e4 >= 65520, the midpoint of 65504 and 2**16
    o = low_precision(optimizers.make("sgd", lr=1.0), storage="float16",
                      accumulate="float64", nonfinite="freeze")
    p = np.zeros((2, 1))
    s = o.init(p)
    for _ in range(12):
        p, s = o.update(np.array([[-1e4], [0.0]]), s, p)
    assert s.nonfinite[:, 0].tolist() == [want, 0]
    assert np.all(np.isfinite(p)) and p[0, 0] == xs[want - 1]    # frozen
    raising = low_precision(optimizers.make("sgd", lr=1.0), storage="float16")
    p, s = np.zeros(1), raising.init(np.zeros(1))
    with pytest.raises(ValueError, match="non-finite"):
        for _ in range(12):
            p, s = raising.update(np.array([-1e4]), s, p)


def test_compare_rkk_online_bfloat16():
    T = 3000
    r = compare("rkk-online", "adam", T, storage="bfloat16")
    assert r["first_nonfinite"] is None
    assert 0 <= r["flushed"] <= T
    assert np.isfinite(r["drift"]) and 0 < r["drift"] < 1
    assert r["final_drift"] <= r["drift"]
    assert r["drift_t"][0] == 1 and r["drift_t"][-1] == T
    assert np.all(np.diff(r["drift_series"]) >= 0)
    assert r["drift_series"][-1] <= r["drift"]


@pytest.mark.parametrize("kw,exc,word", [
    (dict(storage="float8"), ValueError, "storage"),
    (dict(accumulate="float16"), ValueError, "accumulate"),
    (dict(rounding="up"), ValueError, "rounding"),
    (dict(kahan=1), TypeError, "kahan"),
    (dict(T=0), ValueError, "T"),
    (dict(runs=1.5), TypeError, "runs"),
    (dict(optimizer=3), TypeError, "optimizer"),
])
def test_compare_validates(kw, exc, word):
    args = dict(problem="rkk-online", optimizer="adam", T=10, runs=1)
    args.update(kw)
    with pytest.raises(exc, match=word):
        compare(**args)


@pytest.mark.parametrize("kw,exc,word", [
    (dict(storage="half"), ValueError, "storage"),
    (dict(seed=-1), ValueError, "seed"),
    (dict(seed=1.0), TypeError, "seed"),
    (dict(kahan="yes"), TypeError, "kahan"),
    (dict(optimizer="adamm"), ValueError, "optimizer"),
])
def test_wrapper_validates(kw, exc, word):
    with pytest.raises(exc, match=word):
        low_precision(**kw) if "optimizer" not in kw else low_precision(kw["optimizer"])


def test_bfloat16_without_ml_dtypes(monkeypatch):
    monkeypatch.setitem(sys.modules, "ml_dtypes", None)
    with pytest.raises(ValueError, match="ml_dtypes"):
        low_precision("adam", storage="bfloat16")


def test_simulate_run_accepts_the_wrapper():
    from adamlab.numerics import simulate
    r = simulate.run("rkk-online", low_precision("adam"), 50, progress=False)
    assert r.metadata["engine"] == "dense"
    assert np.all(np.isfinite(r.theta_final))


def test_the_wrapper_is_declared_not_listed_and_its_statistics_are_the_inner_ones():
    """Declared as a wrapper (optimizers.declare), not listed: the run statistics the
    bounds need are read through ``inner``, so a float32 run records the same ones as
    the float64 run, and their values agree to float32 accuracy."""
    from adamlab.numerics import optimizers, simulate
    from adamlab.numerics.optimizers.precision import low_precision
    opt = optimizers.make("amsgrad", lr=0.05)
    low = low_precision(opt, storage="float32", accumulate="float64")
    assert "lowp" not in optimizers.names() and low.entry.caps.wraps
    ref = simulate.run("rkk-online", opt, 200, engine="dense", progress=False)
    res = simulate.run("rkk-online", low, 200, engine="dense", progress=False)
    assert set(res.stats) == set(ref.stats) and "sum_sqrt_t_vhat" in res.stats
    np.testing.assert_allclose(res.stats["sum_sqrt_t_vhat"], ref.stats["sum_sqrt_t_vhat"],
                               rtol=1e-4)


@pytest.mark.parametrize("storage, stalls", [("bfloat16", True), ("float16", False)])
def test_stalled_counts_the_second_moment_that_rounds_back(storage, stalls):
    """Adam, g_1 = 1 then g = 0: v_t = beta2 v_(t-1) with 1 - beta2 = 1e-3.  Stored in
    bfloat16 (u/2 = 2^-9 > 1e-3) fl(beta2 v) = v, so v stalls at every step after the
    first; in float16 (u/2 = 2^-12 < 1e-3) it decays.  The prediction is computed here from
    the dtype alone, independently of the wrapper."""
    import ml_dtypes
    from adamlab.numerics import optimizers
    from adamlab.numerics.optimizers.precision import low_precision
    dt = ml_dtypes.bfloat16 if storage == "bfloat16" else np.float16
    opt = low_precision(optimizers.make("adam", lr=1e-3, betas=(0.9, 0.999), eps=1e-8),
                        storage=storage, accumulate="float32")
    p = np.zeros((1, 2))
    s = opt.init(p)
    p, s = opt.update(np.ones((1, 2)), s, p)
    v = np.float32(s.inner.v[0, 0])
    T, expected = 12, 0
    for _ in range(T - 1):
        p, s = opt.update(np.zeros((1, 2)), s, p)
        nxt = np.float32(np.float32(0.999) * v)
        expected += int(float(np.asarray(nxt).astype(dt)) == float(v))
        v = np.float32(np.asarray(nxt).astype(dt))
    assert (expected == T - 1) == stalls and (expected == 0) == (not stalls)
    assert s.stalled.tolist() == [[expected, expected]]


def test_drift_report_without_iterates_compares_the_final_points():
    """Runs too large to record every iterate (``adamlab regret --dtype`` on big d) get the
    relative drift of the final point only, computed here by hand."""
    from adamlab.numerics import simulate
    from adamlab.numerics.optimizers.precision import low_precision
    from adamlab.numerics.precision_report import drift_report
    from adamlab.proofs.regret.experiment import precision_line
    kw = dict(engine="dense", progress=False, stats=False)
    ref = simulate.run("rkk-online", "adam", 300, 2, 0, **kw)
    low = simulate.run("rkk-online", low_precision("adam", storage="bfloat16",
                                                    nonfinite="freeze"), 300, 2, 0, **kw)
    rep = drift_report(ref, low)
    want = np.max(np.abs(low.theta_final - ref.theta_final)
                  / np.maximum(np.abs(ref.theta_final), 1.0))
    assert rep["drift"] is None and rep["drift_series"] is None
    assert rep["final_drift"] == want and rep["storage"] == "bfloat16"
    rep.update(regret_T=low.final_regret, regret_T_float64=ref.final_regret)
    assert "drift of the final point" in precision_line(rep)
    with pytest.raises(ValueError, match="low_precision optimizer"):
        drift_report(ref, ref)
