"""One definition of Adam's direction: changed in one place, the engines that use it follow.

The direction :math:`\\hat m_t/(\\sqrt{\\hat v_t}+\\epsilon)` (eps outside or inside) is
:func:`adamlab.numerics.optimizers.adam.adam_direction`; the dense engine (the
optimizer's own step) and the loop-free oblivious scan both go through it (so do the
50-digit certificates: tests/numerics/test_optimizers_arith.py).  Halving it in one place must
change both engines, which must still agree with each other (to 1e-12, their contract).
Not covered: the sparse engine's closed-form catch-up over skipped steps, and the
oblivious scan's "efficient" eps placement, which restate the formula.
"""
from __future__ import annotations

import numpy as np
import pytest

from adamlab.numerics import simulate
from adamlab.numerics.optimizers import adam as adam_mod

ENGINES = ("dense", "oblivious")


def _theta(engine, **hyper):
    from adamlab.numerics import optimizers
    opt = optimizers.make("adam", lr=0.05, eps=1e-8, **hyper)
    res = simulate.run("rkk-online", opt, T=200, runs=2, engine=engine)
    return np.asarray(res.losses)           # f_t(theta_t): every step's iterate shows


@pytest.mark.parametrize("hyper", [{}, {"amsgrad": True}, {"eps_mode": "inside"}])
def test_changing_the_direction_once_changes_every_engine(monkeypatch, hyper):
    before = {e: _theta(e, **hyper) for e in ENGINES}
    np.testing.assert_allclose(before["dense"], before["oblivious"], rtol=1e-12)
    real = adam_mod.adam_direction

    def halved(m, v_hat, c1, c2, eps, eps_mode, arith=None):
        return 0.5 * real(m, v_hat, c1, c2, eps, eps_mode, arith)

    monkeypatch.setattr(adam_mod, "adam_direction", halved)
    after = {e: _theta(e, **hyper) for e in ENGINES}
    for e in ENGINES:
        assert not np.array_equal(after[e], before[e]), e      # the engine follows
    np.testing.assert_allclose(after["dense"], after["oblivious"], rtol=1e-12)
