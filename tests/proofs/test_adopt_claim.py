"""adopt.any-beta2: the simulator's ADOPT runs are ADOPT's equations, and the claim's rules
tell a converging optimizer from one that does not.

The replays below are written from the update rule (v_0 = g_0^2; m_s = b1 m_(s-1) +
(1-b1) clip(g_s/max(sqrt(v_(s-1)), eps), s^(1/4)); theta_(s+1) = Pi(theta_s - alpha_s
m_s); v_s = b2 v_(s-1) + (1-b2) g_s^2) in plain Python floats, with no adamlab code; the
games' data are read from the problems as the simulator draws them.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from adamlab.numerics import problems
from adamlab.numerics.optimizers.schedules import InverseSqrt
from adamlab.proofs import claims
from adamlab.proofs.checks import adopt_rkk, rkk_family
from adamlab.proofs.methods.combine import AllOf


def replay(grads, alpha, b1, b2, eps, clip, x1):
    """ADOPT with alpha_t = alpha/sqrt(t) on F = [-1, 1]: (theta_(T+1), sum_t g_t theta_t)."""
    x, m, v, total = x1, 0.0, 0.0, 0.0
    for t, g in enumerate(grads, start=1):
        total += g * x
        if t == 1:
            v = g * g                                  # the first call only sets v_0
            continue
        s = t - 1
        u = g / max(math.sqrt(v), eps)
        if clip:
            c = s ** 0.25
            u = min(max(u, -c), c)
        m = b1 * m + (1 - b1) * u
        x = min(1.0, max(-1.0, x - alpha / math.sqrt(t) * m))
        v = b2 * v + (1 - b2) * g * g
    return x, total


def regret(grads, total):
    """R(T) for linear losses g_t x on [-1, 1]: the best fixed point is -sign(sum g)."""
    return total + abs(math.fsum(grads))


def _point(sims, b2):
    return next(s for s in sims if s.meta["b2"] == b2)


@pytest.mark.parametrize("clip", [False, True])
def test_the_stochastic_runs_are_adopts_equations(clip):
    T = 4000
    sim = _point(adopt_rkk.stochastic(False, clip=clip), 0.9)
    cur = sim.play(T)
    b1, b2 = sim.hyper["betas"]
    for row in cur["seeds"]:
        game = problems.make(sim.problem, **sim.problem_params).sample(T, 1, row["seed"])
        grads = [float(a) for a in np.asarray(game.linear_coefficients(0, T)).ravel()]
        assert set(grads) == {sim.problem_params["C"], -1.0}     # the RKK Thm 3 game
        x, total = replay(grads, 0.5, b1, b2, sim.hyper["eps"], clip, 0.0)
        assert row["theta_T"] == pytest.approx(x, abs=1e-9)
        assert row["avg_regret_T"] * T == pytest.approx(regret(grads, total), abs=1e-7)


def test_the_online_runs_are_adopts_equations():
    sim = _point(adopt_rkk.online(False), 0.5)
    C, s = sim.meta["C"], sim.meta["scale"]
    T = 50 * C
    grads = [s * C if t % C == 1 else -s for t in range(1, T + 1)]   # RKK Thm 2, times s
    cur = sim.play(T)
    x, total = replay(grads, 0.5, *sim.hyper["betas"], sim.hyper["eps"], False, 1.0)
    assert cur["seeds"][0]["theta_T"] == pytest.approx(x, abs=1e-9)
    assert cur["seeds"][0]["avg_regret_T"] * T == pytest.approx(regret(grads, total),
                                                                abs=1e-6 * s)


def test_the_scaled_online_game_has_the_papers_iterates():
    """The online part plays RKK's game times s (a power of 2) so that its rules read on
    Adam's scale; ADOPT's iterates do not change (eps is far below sqrt(v))."""
    C = rkk_family.thm2_period(0.0, 0.9)
    s = rkk_family.thm2_problem(0.0, 0.9, 0.5)["scale"]
    T = 20 * C
    plain = [float(C) if t % C == 1 else -1.0 for t in range(1, T + 1)]
    x1, tot1 = replay(plain, 0.5, 0.9, 0.9, adopt_rkk.EPS, False, 1.0)
    x2, tot2 = replay([s * g for g in plain], 0.5, 0.9, 0.9, adopt_rkk.EPS, False, 1.0)
    assert x1 == x2 and tot2 == pytest.approx(s * tot1, rel=1e-12)


def _as_adam(sim):
    """The same problem, horizon and rule, played by Adam at the construction's (0, b2)."""
    b2 = sim.hyper["betas"][1]
    return dataclasses.replace(sim, optimizer="adam", hyper=dict(
        lr=InverseSqrt(0.5), betas=(0.0, b2), eps=adopt_rkk.EPS), label="adam")


def test_the_rules_refuse_adam_where_it_fails():
    """Negative control: the claim's own rules, at its own horizons, are not met by Adam
    with (0, b2) on the problems built for (0, b2) (RKK: Adam fails there)."""
    for part, sims in (("stochastic", adopt_rkk.stochastic(False)),
                       ("online", adopt_rkk.online(False))):
        T = adopt_rkk.HORIZONS[part][0]
        ok, cur, line = _as_adam(_point(sims, 0.9)).judge(T)
        assert not ok, line
        if part == "stochastic":                    # the iterate ends at the wrong end
            assert min(s["theta_T"] for s in cur["seeds"]) > 0.5
        else:                                       # Adam's limit 2s/C of R(T)/T
            assert cur["seeds"][0]["fitted_limit"] > 0.5


def test_the_claim_counts_only_adopt_and_reads_its_parts():
    claim = claims.get("adopt.any-beta2")
    assert isinstance(claim.method, AllOf)
    counted = [p for p in claim.method.parts if p.role == "claim"]
    assert len(counted) == 2
    for p in counted:
        sims = p.method.simulations + p.method.thorough
        assert {s.optimizer for s in sims} == {"adopt"}
        assert all(s.hyper["clip"] is False and s.hyper["eps"] > 0 for s in sims)
        assert {s.hyper["betas"][1] for s in p.method.simulations} == set(adopt_rkk.B2S)
        assert {s.hyper["betas"][0] for s in p.method.simulations} == {0.9}
    others = {p.role for p in claim.method.parts} - {"claim"}
    assert others == {"reading", "report"}
    # the problems are the ones built for Adam at (0, b2): RKK's b1 < sqrt(b2) holds
    for b2 in adopt_rkk.THOROUGH_B2S:
        assert adopt_rkk.CONSTRUCTION_B1 < math.sqrt(b2)
