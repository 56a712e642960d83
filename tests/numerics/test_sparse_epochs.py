"""The lazy sparse engine's epochs (sim.sparse_epochs): bounded tables, same runs.

A run cut into short epochs (so that gaps and drifts cross several boundaries, and some
drifts end inside an epoch) must equal the dense engine as the one-epoch run does (1e-12),
its statistics' ranges must stay upper bounds, and an epoch's tables must give the same
sums as tables built for the whole run.
"""
from __future__ import annotations

import numpy as np
import pytest

from adamlab.numerics import optimizers, problems, simulate
from adamlab.numerics.optimizers.schedules import Beta1Decay, InverseSqrt
from adamlab.numerics.sim import sparse_engine, sparse_epochs
from adamlab.numerics.sim.probe import PROBE_T
from adamlab.numerics.sim.sparse import lazy_family
from interrupt import interrupted_at
from sparse_checks import rel, stats_agree


CASES = [
    ("adam", dict(lr=InverseSqrt(0.1), eps=1e-8)),
    ("adam", dict(lr=InverseSqrt(0.05), betas=(0.99, 0.999))),      # drifts span epochs
    ("adam", dict(lr=0.05, betas=(0.3, 0.99), eps=1e-3)),           # drifts end inside one
    ("adam", dict(lr=[0.01, 0.1], betas=(np.array([0.9, 0.5]), 0.999))),   # two tables
    ("adam", dict(lr=InverseSqrt(0.1), betas=(Beta1Decay(0.9, 0.99), 0.999))),
    ("amsgrad", dict(lr=InverseSqrt(0.1), betas=(Beta1Decay(0.9, 0.9), 0.999),
                     amsgrad_mode="reddi", eps=1e-6)),
    ("amsgrad", dict(lr=InverseSqrt(0.1), amsgrad_mode="optax")),
    ("adagrad", dict(lr=0.1)),
    ("rmsprop", dict(lr=InverseSqrt(0.02), momentum=0.9)),
    ("nag", dict(lr=0.05)),
    ("sgd", dict(lr=[0.2, 0.05], momentum=np.array([0.0, 0.4]))),
]


def _boundaries(monkeypatch, length):
    """Epochs of ``length`` steps; returns the number of coordinates spent after each
    boundary (one entry per boundary)."""
    monkeypatch.setattr(sparse_engine, "EPOCH_STEPS", length)
    seen = []
    real = sparse_engine.close

    def close(fam, ep, fields, theta, last, spent, *rest):
        real(fam, ep, fields, theta, last, spent, *rest)
        seen.append(int(spent.sum()))
    monkeypatch.setattr(sparse_engine, "close", close)
    return seen


@pytest.mark.parametrize("case", range(len(CASES)), ids=[n + str(i) for i, (n, _) in
                                                          enumerate(CASES)])
def test_short_epochs_equal_the_dense_engine(monkeypatch, case):
    name, hp = CASES[case]
    prob = problems.make("logistic-sparse", d=150, density=0.04, radius=0.05)
    opt = optimizers.make(name, **hp)
    T = 250
    dense = simulate.run(prob, opt, T, runs=2, seed=3, engine="dense", progress=False)
    spent = _boundaries(monkeypatch, 41)
    sp = simulate.run(prob, opt, T, runs=2, seed=3, engine="sparse", progress=False)
    assert len(spent) == 6                           # boundaries after 41, 82, ..., 246
    if case == 2:                                    # beta1 = 0.3: drifts of ~40 steps
        assert max(spent) > 0                        # some ended inside an epoch
    for a, b in ((sp.theta_final, dense.theta_final), (sp.losses, dense.losses),
                 (sp.regret, dense.regret)):
        assert rel(a, b) <= 1e-12
    # the ranges stay upper bounds: the far ends of drifts that cross a boundary are
    # added at the boundary
    stats_agree(sp, dense, exact_D=False)


def test_a_drift_across_a_boundary_widens_the_ranges(monkeypatch):
    """A coordinate touched once and then left drifting (Adam, beta1 = 0.99: its drift
    lasts thousands of steps) crosses every boundary: the ranges at each step bound the
    dense engine's, which they would not if a boundary forgot the coming drift."""
    prob = problems.make("logistic-sparse", d=400, density=0.01, radius=5.0)
    opt = optimizers.make("adam", lr=0.05, betas=(0.99, 0.999))
    dense = simulate.run(prob, opt, 200, seed=2, engine="dense", progress=False)
    _boundaries(monkeypatch, 9)
    sp = simulate.run(prob, opt, 200, seed=2, engine="sparse", progress=False)
    assert rel(sp.theta_final, dense.theta_final) <= 1e-12
    for k in ("D", "D_inf"):
        assert np.all(sp.stats[k] >= dense.stats[k] * (1 - 1e-12)), k


def test_interrupted_run_in_a_later_epoch(monkeypatch):
    prob = problems.make("logistic-sparse", d=80, density=0.05, radius=0.1)
    opt = optimizers.make("adam", lr=0.05)
    seen = _boundaries(monkeypatch, 15)
    res = simulate.run(interrupted_at(prob, 40), opt, 100, progress=False)
    assert res.steps_done == 40 and not res.complete
    assert len(seen) == 2                     # after steps 15 and 30; stopped inside the third
    ref = simulate.run(prob, opt, 40, engine="dense", progress=False)
    assert rel(res.theta_final, ref.theta_final) <= 1e-12
    assert rel(res.losses[:40], ref.losses) <= 1e-12


@pytest.mark.parametrize("name,hp", [("adam", dict(lr=InverseSqrt(0.1))),
                                     ("adam", dict(betas=(Beta1Decay(0.9, 0.99), 0.999))),
                                     ("rmsprop", dict(lr=0.01, momentum=0.8))])
def test_an_epochs_tables_give_the_whole_runs_sums(name, hp):
    """Tables of steps a..b (indexed from a) sum any gap inside (a, b] as the tables of
    the whole run do (their blocks are cut elsewhere: rounding only), and an epoch's
    powers are the powers; their size depends on b - a, not on T."""
    T, R, a, b = 3000, 2, 1200, 1700
    fam = lazy_family(optimizers.make(name, **hp), T, R)
    whole, part = fam.tables_for(0, T), fam.tables_for(a, b)
    assert part.mom.shape[0] == len(fam.specs) * (b - a + 2)
    rng = np.random.default_rng(1)
    n = 400
    s = rng.integers(a, b, n)
    e = np.minimum(b, s + 1 + rng.integers(0, 300, n))
    logz = np.log(10.0 ** rng.uniform(-8, 0, n))
    tid = np.zeros(n, dtype=np.int64)
    got = part.evaluate(tid, s - a, e - a, logz)
    want = whole.evaluate(tid, s, e, logz)
    # a scheduled beta1 puts L_s (|L_s| ~ 10^4 here) into the exponents: each term is then
    # rounded to |L_s| 2^-53 relative, whichever blocks the tables cut (DriftTables' docs)
    ln = fam.specs[0].get("ln")
    big = 1.0 if ln is None else max(1.0, float(np.max(np.abs(ln[a:b + 1]))))
    assert np.max(np.abs(got - want) / np.abs(want)) <= 1e-13 + 8 * big * 2.0 ** -53
    decaying = [f for f in fam.fields if f in fam.decay]
    ep = sparse_epochs.Epoch(fam, decaying, a, b, R)
    assert ep.P.shape == (len(decaying), R * (b - a + 1))
    for q, f in enumerate(decaying):
        n_ = np.arange(b - a + 1, dtype=np.float64)
        assert np.array_equal(ep.P[q].reshape(R, -1),
                              np.power(fam.decay[f][:, None], n_[None, :]))


def test_epochs_cover_the_run_and_check_their_input():
    assert sparse_epochs.epochs(10, 4) == [(0, 4), (4, 8), (8, 10)]
    assert sparse_epochs.epochs(3, 1 << 16) == [(0, 3)]
    for bad in (0, 2.5, True):
        with pytest.raises(ValueError, match="length must be an int >= 1"):
            sparse_epochs.epochs(10, bad)
    fam = lazy_family(optimizers.make("adam"), 10, 1)
    with pytest.raises(ValueError, match="0 <= a < b"):
        sparse_epochs.Epoch(fam, ["v"], 5, 5, 1)


@pytest.mark.slow          # compiles the sparse step (numba, a few seconds per process)
@pytest.mark.parametrize("case", [2, 5, 10])        # spent drifts, a schedule, momenta
def test_short_epochs_compiled_equal_numpy(monkeypatch, case):
    """The compiled step reads an epoch's tables and powers from its origin, and skips
    spent coordinates, as the NumPy step does: whole runs agree to 1e-12."""
    pytest.importorskip("numba")
    from adamlab.numerics.optimizers import kernels
    name, hp = CASES[case]
    prob = problems.make("logistic-sparse", d=150, density=0.04, radius=0.05)
    opt = optimizers.make(name, **hp)
    _boundaries(monkeypatch, 41)
    runs = {}
    for mode in ("off", "auto"):
        monkeypatch.setattr(sparse_engine, "MIN_COMPILED_STEPS", 1)
        monkeypatch.setenv(kernels.ENV, mode)
        runs[mode] = simulate.run(prob, opt, 250, runs=2, seed=3, engine="sparse",
                                  progress=False)
    ref, fast = runs["off"], runs["auto"]
    assert fast.metadata["sparse_step"] == "compiled (numba)"
    for a, b in ((fast.losses, ref.losses), (fast.theta_final, ref.theta_final)):
        assert rel(a, b) <= 1e-12
    for key in ref.stats:
        assert rel(fast.stats[key], ref.stats[key]) <= 1e-12, key


@pytest.mark.parametrize("length", [1, 2, 59, 60])
def test_any_epoch_length_gives_the_same_run(monkeypatch, length):
    """Epochs of one step (a boundary after every step), of two, and ending one step
    before the run or with it."""
    prob = problems.make("logistic-sparse", d=60, density=0.05, radius=0.2)
    opt = optimizers.make("amsgrad", betas=(Beta1Decay(0.9, 0.99), 0.99),
                          amsgrad_mode="reddi", eps=1e-6)
    dense = simulate.run(prob, opt, 60, runs=2, seed=1, engine="dense", progress=False)
    seen = _boundaries(monkeypatch, length)
    sp = simulate.run(prob, opt, 60, runs=2, seed=1, engine="sparse", progress=False)
    # (the probe game of PROBE_T steps plays the sparse engine first, with its own)
    assert len(seen) == (60 - 1) // length + (PROBE_T - 1) // length
    assert rel(sp.theta_final, dense.theta_final) <= 1e-12
    assert rel(sp.losses, dense.losses) <= 1e-12
    for k in ("D", "D_inf"):
        assert np.all(sp.stats[k] >= dense.stats[k] * (1 - 1e-12)), k
