"""numerics.prefix_regret: R(h) at shorter horizons from one run."""
from __future__ import annotations

import numpy as np
import pytest

from adamlab.numerics import optimizers, problems, simulate
from adamlab.numerics.optimizers.schedules import InverseSqrt
from adamlab.numerics.prefix_regret import horizons, prefix_best_totals, regret_at


def test_horizons_hold_every_power_of_ten_and_T():
    hs = horizons(123456)
    assert hs[-1] == 123456 and np.all(np.diff(hs) > 0)
    assert {10, 100, 1000, 10000, 100000} <= set(hs.tolist())
    assert horizons(7).tolist() == [7]
    with pytest.raises(ValueError, match="per_decade must be an int >= 1"):
        horizons(100, per_decade=0)


@pytest.mark.parametrize("name", ["quadratic", "logistic-dense"])
def test_regret_at_h_equals_a_separate_run_of_horizon_h(name):
    """Metamorphic: the learner does not know T, so R(h) read off a run of T steps is the
    regret of a run of h steps (its own simulation and comparator)."""
    prob = problems.make(name, d=4)
    opt = optimizers.make("adagrad", lr=0.5)
    T, hs = 600, np.array([10, 77, 600])
    long = simulate.run(prob, opt, T=T, runs=2, seed=3, progress=False)
    best = prefix_best_totals(prob, hs, 2, 3)
    R = regret_at(long.losses, hs, best)
    for k, h in enumerate(hs):
        short = simulate.run(prob, opt, T=int(h), runs=2, seed=3, progress=False)
        np.testing.assert_allclose(R[k], short.regret[-1], rtol=1e-9, atol=1e-9)


def test_adaptive_problems_are_refused_and_shapes_checked():
    with pytest.raises(ValueError, match="adaptive"):
        prefix_best_totals(problems.make("linear-adversarial"), [10], 1)
    with pytest.raises(ValueError, match="horizons must lie in"):
        regret_at(np.zeros((5, 1)), [6], np.zeros((1, 1)))
    opt = optimizers.make("sgd", lr=InverseSqrt(0.1))
    res = simulate.run("quadratic", opt, T=50, runs=1, progress=False)
    np.testing.assert_allclose(
        regret_at(res.losses, [50], prefix_best_totals(problems.make("quadratic"), [50], 1)),
        res.regret[-1:], rtol=1e-12)
