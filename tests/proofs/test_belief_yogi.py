"""AdaBelief's regret bound (Theorem 2.1) and Yogi's v_t line: the ledger's machinery
checked against computations written out by hand, and negative controls."""
from __future__ import annotations

import math
from fractions import Fraction

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

from adamlab.numerics import optimizers
from adamlab.numerics.optimizers.yogi import yogi_second_moment
from adamlab.proofs import ledger
from adamlab.proofs.checks import belief_regret as br
from adamlab.proofs.checks import yogi_step
from adamlab.proofs.methods.symbolic import prove
from adamlab.theory.regret import belief as tb


def _by_hand(alpha, beta1, beta2, eps, lam, x, grads):
    """The proof's iteration and Theorem 2.1's right side, written out in plain floats."""
    m = s = loss = mid = 0.0
    ss = []
    for t, g in enumerate(grads, 1):
        loss += g * x
        b1t = beta1 * lam ** (t - 1)
        m = b1t * m + (1 - b1t) * g
        s = beta2 * s + (1 - beta2) * (g - m) ** 2 + eps
        x = min(1.0, max(-1.0, x - alpha / math.sqrt(t) * m / math.sqrt(s)))
        ss.append(s)
        mid += b1t * math.sqrt(s) / (alpha / math.sqrt(t))
    T, c = len(grads), min(ss)
    regret = loss + abs(sum(grads))
    bound = (4 * math.sqrt(T) / (2 * alpha * (1 - beta1)) * math.sqrt(ss[-1])
             + (1 + beta1) * alpha * math.sqrt(1 + math.log(T)) / (2 * math.sqrt(c)
                                                                  * (1 - beta1) ** 3)
             * math.sqrt(sum(g ** 4 for g in grads))
             + 4 / (2 * (1 - beta1)) * mid)
    return regret, bound, all(b >= a for a, b in zip(ss, ss[1:]))


def test_bound_and_run_match_a_hand_computation():
    p = {"alpha": 0.3, "beta_1": 0.6, "beta_2": 0.9, "epsilon": 0.01, "lambda_1": 0.5,
         "theta_0": 0.25}
    grads = [1.5, -0.5, 2.0, 3.0]
    regret, bound, mono = _by_hand(p["alpha"], p["beta_1"], p["beta_2"], p["epsilon"],
                                   p["lambda_1"], p["theta_0"], grads)
    out = br.play("proof", {k: np.array([v]) for k, v in p.items()}, np.array([grads]))
    assert out["R"][0] == pytest.approx(regret, rel=1e-12)
    assert out["bound"][0] == pytest.approx(bound, rel=1e-12)
    assert bool(out["mono"][0]) == mono
    with mp.workdps(40):      # the mpmath replay of the same rule agrees
        exact = br.play("proof", {k: mp.mpf(str(v)) for k, v in p.items()},
                        [mp.mpf(g) for g in grads], "mpmath")
        assert float(exact["bound"]) == pytest.approx(bound, rel=1e-12)


def test_bound_is_tight_at_T1_and_a_halved_bound_is_refuted(monkeypatch):
    # T = 1, beta1 = 0 from a corner: s_1 = eps = c, R = 2|g|, and the bound is
    # 2 sqrt(eps)/alpha + alpha g^2/(2 sqrt(eps)) >= 2|g| with equality at alpha = 2 sqrt(eps)/|g|
    with mp.workdps(50):
        p = {"alpha": mp.mpf(2) / 100, "beta_1": mp.mpf(0), "beta_2": mp.mpf(1) / 2,
             "epsilon": mp.mpf(1) / 10**4, "lambda_1": mp.mpf(1), "theta_0": mp.mpf(-1)}
        out = br.play("proof", p, [mp.mpf(-1)], "mpmath")
        assert out["R"] == 2 and abs(out["bound"] - 2) < mp.mpf(10) ** -45
    real = tb.evaluate
    monkeypatch.setattr(br.tb, "evaluate", lambda vals, module="numpy": real(vals, module) / 2)
    v = br.BeliefRegret("proof").decide(type("C", (), {"id": "negative.control"})())
    assert v.verdict == "refuted"
    assert br.certify(v.evidence["witness"])["violated"]


def test_algorithm2_witness_is_certified_and_the_registry_optimizer_agrees():
    v = ledger.decide("adabelief.thm2.1")
    part = next(p for p in v.evidence["parts"] if p["label"].startswith("Algorithm 2 (bias"))
    assert part["verdict"] == "refuted"
    w = part["evidence"]["witness"]
    cert = br.certify(w)
    assert cert["violated"] and cert["inside_hypotheses"]
    assert Fraction(cert["lhs"]) > Fraction(cert["rhs"])
    # the registry's AdaBelief (eps_mode='paper', its own definition) on the same game
    p = {k: float(Fraction(x)) for k, x in w["params"].items()}
    grads = [float(Fraction(g)) for g in w["gradients"]]
    opt = optimizers.make("adabelief", lr=lambda t: p["alpha"] / math.sqrt(t),
                          betas=(p["beta_1"], p["beta_2"]), eps=p["epsilon"], eps_mode="paper",
                          weight_decay=0.0)
    x = np.array([[p["theta_0"]]])
    state, loss = opt.init(x), 0.0
    for g in grads:
        loss += g * x[0, 0]
        x, state = opt.update(np.array([[g]]), state, x)
        x = np.clip(x, -1.0, 1.0)
    assert loss + abs(sum(grads)) == pytest.approx(float(Fraction(cert["lhs"])), rel=1e-9)


def test_the_proof_reading_holds_where_it_was_searched():
    v = ledger.decide("adabelief.thm2.1")
    assert v.verdict == "verified"
    part = v.evidence["parts"][0]
    assert part["verdict"] == "verified" and part["evidence"]["search"][
        "games_inside_hypotheses"] > 5000
    with mp.workdps(30):
        assert mp.mpf(part["evidence"]["best_game_certificate"]["ratio"]) <= 1


def test_yogi_rule_is_the_registry_step_and_the_claim_is_proved():
    rng = np.random.default_rng(0)
    v, g, b2 = sp.symbols("v g b2")
    for _ in range(50):
        vv = Fraction(int(rng.integers(0, 40)), int(rng.integers(1, 9)))
        gg = Fraction(int(rng.integers(-20, 21)), int(rng.integers(1, 5)))
        bb = Fraction(int(rng.integers(0, 99)), 100)
        printed = yogi_step.YOGI_V.advance({yogi_step.v: sp.Rational(vv)}, sp.Rational(gg), 1)
        got = yogi_second_moment(np.array([vv], dtype=object), bb, np.array([gg], dtype=object))
        assert sp.Rational(got[0]) == printed[yogi_step.v].subs(yogi_step.beta2, sp.Rational(bb))
        step = abs(got[0] - vv)
        assert step == ((1 - bb) * gg * gg if vv != gg * gg else 0)
        assert got[0] >= 0
    assert ledger.decide("yogi.alg2.v-step").verdict == "proved"


def test_a_wrong_step_size_is_not_proved():
    """Negative control: half the step is not what the rule does; SymPy does not prove it
    and a rational point shows the difference."""
    k, w = sp.Symbol("k", nonnegative=True), sp.Symbol("w", positive=True)
    g = sp.Symbol("g", real=True)
    b2 = k / (1 + k)
    prev = g**2 + w
    new = yogi_step.YOGI_V.advance({yogi_step.v: prev}, g, 1)[yogi_step.v].xreplace(
        {yogi_step.beta2: b2})
    delta = sp.Abs(new - prev) - (1 - b2) * g**2 / 2
    assert prove(delta, "eq") is None
    assert delta.subs({k: 1, w: 1, g: 2}) == 1
