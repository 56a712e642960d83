"""The generic asymptotic method: simulations over seeds, fitted limit and slope, rules."""
from __future__ import annotations

import numpy as np
import pytest

from adamlab.numerics.optimizers.schedules import InverseSqrt
from adamlab.proofs import user_claims
from adamlab.proofs.claim import Claim
from adamlab.proofs.methods.asymptotic import Asymptotic, Simulation, fit
from adamlab.proofs.user_asymptotic import StepSchedule

AMS = dict(lr=InverseSqrt(0.5), betas=(0.0, 0.1), eps=0.0, amsgrad_mode="reddi")
ADAM = dict(lr=InverseSqrt(0.5), betas=(0.0, 0.1), eps=0.0)
THM1 = {"C": 3.0}


def _decide(sims, T):
    method = Asymptotic(sims, T=T)
    return method.decide(Claim("t.asym", "test", "a test claim", None, method))


def test_fit_recovers_limit_and_slope_of_exact_curves():
    t = np.unique(np.round(np.logspace(0, 6, 400)))
    f = fit(t, 0.3 * t + 2 * np.sqrt(t))
    assert abs(f["fitted_limit"] - 0.3) < 1e-9 and abs(f["fitted_c"] - 2) < 1e-6
    assert abs(fit(t, 5 * np.sqrt(t))["loglog_slope"] - 0.5) < 1e-9
    with pytest.raises(ValueError, match="same length"):
        fit(t, t[:-1])


def test_linear_and_sublinear_runs_are_told_apart():
    # RKK Thm 1 (C = 3, b2 = 1/10): Adam's regret is linear, AMSGrad's is O(sqrt T)
    sims = (Simulation("rkk-thm1", "adam", ADAM, "linear", problem_params=THM1),
            Simulation("rkk-thm1", "amsgrad", AMS, "sublinear", problem_params=THM1))
    v = _decide(sims, 20_000)
    assert v.verdict == "verified", v.summary
    runs = v.evidence["runs"]
    assert runs[0]["seeds"][0]["fitted_limit"] > 0.5          # R(T)/T -> 2/3 on this game
    assert abs(runs[1]["seeds"][0]["fitted_limit"]) < 0.02
    assert runs[0]["optimizer"] == "adam" and runs[1]["optimizer"] == "amsgrad"


def test_a_claim_the_runs_contradict_stays_pending_and_says_so():
    sim = Simulation("rkk-thm1", "adam", ADAM, "sublinear", problem_params=THM1)
    v = _decide((sim,), 20_000)
    assert v.verdict == "pending"
    assert "opposite rule, linear" in v.summary


def test_theta_rules():
    near = Simulation("rkk-thm1", "adam", ADAM, theta=(1.0, "near", 0.05), problem_params=THM1)
    far = Simulation("rkk-thm1", "adam", ADAM, theta=(1.0, "far", 0.05), problem_params=THM1)
    assert _decide((near,), 5_000).verdict == "verified"
    assert _decide((far,), 5_000).verdict == "pending"


@pytest.mark.parametrize("kw,match", [
    (dict(expect="superlinear"), "expect must be one of"),
    (dict(theta=(0.0, "close", 1.0)), "how in"),
    (dict(), "needs a rule"),
    (dict(expect="linear", seeds=()), "seeds"),
    (dict(expect="linear", seeds=(-1,)), "seeds"),
])
def test_simulation_validates(kw, match):
    with pytest.raises(ValueError, match=match):
        Simulation("rkk-thm1", "adam", {}, **kw)


def test_asymptotic_validates():
    sim = Simulation("rkk-thm1", "adam", {}, "linear")
    with pytest.raises(TypeError, match="tuple of Simulation"):
        Asymptotic([sim])
    with pytest.raises(ValueError, match="T must be an int"):
        Asymptotic((sim,), T=10)


TOML = {"id": "my.ams", "source": "mine", "statement": "AMSGrad's average regret vanishes",
        "method": "asymptotic", "optimizer": "amsgrad", "problem": "rkk-thm1",
        "problem_params": {"C": 3.0}, "expect": "sublinear", "horizon": 20_000,
        "hyperparameters": {"lr": "0.5/sqrt(t)", "betas": [0.0, 0.1], "eps": 0.0,
                            "amsgrad_mode": "reddi"}}


def test_a_user_asymptotic_claim_end_to_end():
    [c] = user_claims.from_tables({"claim": [TOML]})
    lr = c.method.simulations[0].hyper["lr"]
    assert isinstance(lr, InverseSqrt) and lr.alpha == 0.5     # the declared fast schedule
    assert r"\lim" in c.latex() and "= 0" in c.latex()
    v = c.method.decide(c)
    assert v.verdict == "verified", v.summary


def test_a_user_schedule_other_than_inverse_sqrt_is_a_step_function():
    table = dict(TOML, hyperparameters=dict(TOML["hyperparameters"], lr="1/(t + 1)"))
    [c] = user_claims.from_tables({"claim": [table]})
    lr = c.method.simulations[0].hyper["lr"]
    assert isinstance(lr, StepSchedule) and lr(3) == 0.25


@pytest.mark.parametrize("change,match", [
    (dict(expect=None), "needs field 'expect' or 'theta'"),
    (dict(problem="nope"), "field 'problem'"),
    (dict(problem_params={"perod": 3}), "field 'problem_params'"),
    (dict(theta={"x": 1.0, "how": "close", "tol": 0.1}), "field 'theta'"),
    (dict(seeds=[]), "field 'seeds'"),
    (dict(horizon=10), "field 'horizon'"),
    (dict(hyperparameters={"lr": "alpha/sqrt(t)"}), "only t may vary"),
    (dict(hyperparameters={"lr": -1.0}), "field 'hyperparameters'"),
    (dict(hyperparameters={"momentum": 0.9}), "has no 'momentum'"),
])
def test_bad_asymptotic_tables_name_the_claim_and_field(change, match):
    table = {k: v for k, v in dict(TOML, **change).items() if v is not None}
    with pytest.raises(user_claims.ClaimFileError, match=match) as info:
        user_claims.from_tables({"claim": [table]})
    assert "my.ams" in str(info.value)


def test_sqrt_rate_rule_reads_the_slope_and_the_decrease():
    """Rule "sqrt-rate": every seed's log-log slope of R at most 0.55 and R(T)/T below
    its value near T/10; either failing leaves it unmet."""
    from adamlab.proofs.methods.asymptotic import RULES, SQRT_RATE, sqrt_rate

    def cur(*seeds):
        return {"seeds": [{"loglog_slope": s, "curve": {"R_over_t": r}} for s, r in seeds]}
    down, up = [0.3, 0.2, 0.1], [0.1, 0.2, 0.3]
    assert RULES["sqrt-rate"] is SQRT_RATE and SQRT_RATE["slope_at_most"] == 0.55
    assert sqrt_rate(cur((0.5, down), (0.55, down)))
    assert not sqrt_rate(cur((0.5, down), (0.56, down)))       # one seed too steep
    assert not sqrt_rate(cur((0.4, up)))                         # R(T)/T not decreasing


def test_the_same_runs_judged_by_two_rules_are_played_once_and_not_shared():
    """Two Simulations that differ only in their rule replay nothing: the second gets the
    first's curves (equal to a fresh play), as its own copy."""
    from adamlab.proofs.methods import asymptotic as am
    a = Simulation("rkk-online", "adagrad", {"lr": 0.5}, "decreasing", seeds=(0,))
    b = Simulation("rkk-online", "adagrad", {"lr": 0.5}, "sqrt-rate", seeds=(0,))
    first = a.play(400)
    n = len(am._PLAYED)
    second = b.play(400)
    assert len(am._PLAYED) == n                                  # no new simulation
    assert second["seeds"][0]["loglog_slope"] == first["seeds"][0]["loglog_slope"]
    second["seeds"][0]["loglog_slope"] = -1.0                   # a copy: nothing leaks
    assert a.play(400)["seeds"][0]["loglog_slope"] == first["seeds"][0]["loglog_slope"]
    am._PLAYED.clear()
    assert a.play(400)["seeds"][0]["loglog_slope"] == first["seeds"][0]["loglog_slope"]
