"""One definition of Adam's rule: changed in one place, every engine follows or declines.

Adam's moment recurrence is :func:`adamlab.numerics.optimizers.adam.ema_weights` and its
direction :func:`~adamlab.numerics.optimizers.adam.adam_direction`.  The dense engine (the
optimizer's own step), the loop-free oblivious scan and the lazy sparse engine (its touched
coordinates step through the optimizer; its catch-up is a closed form) all read them.

* Changing the recurrence (here: an undamped EMA, ``weight = 1``) changes all three
  engines, which still agree with each other (to 1e-12, their contract): the closed-form
  catch-up only reads the decay, which is unchanged.
* Changing the direction (halving it) changes the dense and oblivious engines; the sparse
  catch-up's closed form cannot follow, and its probe game (:mod:`adamlab.numerics.sim.probe`)
  notices: ``engine="auto"`` runs the dense engine, ``engine="sparse"`` is a ValueError.
The certificates' side of the same contract: tests/proofs/test_proof_replays_one_definition.py.
"""
from __future__ import annotations

import numpy as np
import pytest

from adamlab.numerics import optimizers, problems, simulate
from adamlab.numerics.optimizers import adam as adam_mod

OBLIVIOUS = ("dense", "oblivious")
SPARSE = ("dense", "sparse")


def _losses(problem, engine, **hyper):
    opt = optimizers.make("adam", lr=0.05, eps=1e-8, **hyper)
    res = simulate.run(problem, opt, T=200, runs=2, seed=3, engine=engine, progress=False)
    return np.asarray(res.losses), res.metadata["engine"]   # f_t(theta_t): every iterate shows


def _sparse_problem():
    return problems.make("logistic-sparse", d=60, density=0.1)


def _undamped(monkeypatch):
    monkeypatch.setattr(adam_mod, "ema_weights", lambda beta: (beta, 1))


def _halved(monkeypatch):
    real = adam_mod.adam_direction

    def halved(m, v_hat, c1, c2, eps, eps_mode, arith=None):
        return 0.5 * real(m, v_hat, c1, c2, eps, eps_mode, arith)

    monkeypatch.setattr(adam_mod, "adam_direction", halved)


@pytest.mark.parametrize("hyper", [{}, {"amsgrad": True}, {"eps_mode": "inside"},
                                   {"eps_mode": "efficient"}])
@pytest.mark.parametrize("change", [_undamped, _halved])
def test_a_change_in_one_place_changes_the_oblivious_scan(monkeypatch, hyper, change):
    before = {e: _losses("rkk-online", e, **hyper)[0] for e in OBLIVIOUS}
    np.testing.assert_allclose(before["dense"], before["oblivious"], rtol=1e-12)
    change(monkeypatch)
    after = {e: _losses("rkk-online", e, **hyper)[0] for e in OBLIVIOUS}
    for e in OBLIVIOUS:
        assert not np.array_equal(after[e], before[e]), e      # the engine follows
    np.testing.assert_allclose(after["dense"], after["oblivious"], rtol=1e-12)


@pytest.mark.parametrize("hyper", [{}, {"amsgrad": True}, {"eps_mode": "efficient"}])
def test_a_new_recurrence_changes_the_sparse_engine_too(monkeypatch, hyper):
    prob = _sparse_problem()
    before = {e: _losses(prob, e, **hyper)[0] for e in SPARSE}
    np.testing.assert_allclose(before["dense"], before["sparse"], rtol=1e-12)
    _undamped(monkeypatch)
    after = {e: _losses(prob, e, **hyper)[0] for e in SPARSE}
    for e in SPARSE:
        assert not np.array_equal(after[e], before[e]), e
    np.testing.assert_allclose(after["dense"], after["sparse"], rtol=1e-12)


def test_a_direction_the_catch_up_cannot_follow_stops_the_sparse_engine(monkeypatch):
    prob = _sparse_problem()
    before, chosen = _losses(prob, "auto")
    assert chosen == "sparse"
    _halved(monkeypatch)
    after, chosen = _losses(prob, "auto")
    assert chosen == "dense"                        # the probe game declined the closed form
    assert not np.array_equal(after, before)
    np.testing.assert_array_equal(after, _losses(prob, "dense")[0])
    with pytest.raises(ValueError, match="does not reproduce 'adam''s own step"):
        _losses(prob, "sparse")
