"""Issue 15: the proofs' replays of Adam and AMSGrad are the registry's optimizer, not copies.

Changing the registry's rule in one place must change what the step-checked proof pages
compute, and the Lemma 10.4 search's fast moments must be the registry's:

* Kingma & Ba's per-round coefficient check (:func:`adamlab.proofs.steps.kb.coefficient_sides`)
  and Reddi et al.'s (:func:`adamlab.proofs.steps.rkk_checks.amsgrad_rounds`) replay the
  registry's ``adam`` / ``amsgrad`` on exact SymPy numbers; RKK Lemma 2's sides
  (``rkk_checks._lemma2_sides``) read the registry's ``amsgrad`` step at 50 digits: each
  follows :func:`adamlab.numerics.optimizers.adam.adam_direction`.
* Lemma 10.4's sides (``proofs.checks.regret.lemma104_ratio``, the inner loop of a
  Nelder-Mead search, on plain floats for speed, and its 50-digit recheck) run the
  registry's moment recurrence (``adam.ema_update``) outside the optimizer; checked here
  against the registry's ``adam`` state to 1e-12, and shown to follow a change of it.
* The witness of Kingma & Ba Theorem 4.1 (``adam_exact.bound_mp``) takes v_T from the same
  recurrence in exact rationals.
* Theory's statements of Adam (``theory.recursions``, ``theory.regret.pieces``) are checked
  equal to the registry's by exact replay (``proofs.checks.theory_agreement``); a changed
  rule makes that hypothesis of the lemma certificates fail.
"""
from __future__ import annotations

from fractions import Fraction

import math

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

from adamlab.numerics import optimizers
from adamlab.numerics.optimizers import adam as adam_mod
from adamlab.numerics.sim.stats import second_moment
from adamlab.proofs.checks import regret
from adamlab.proofs.steps import kb, rkk_checks

KB_INST = dict(beta1=Fraction(1, 2), beta2=Fraction(1, 2), lam=Fraction(1, 2),
               alpha=Fraction(1, 10), theta1=Fraction(0), theta_star=Fraction(0),
               gradients=[Fraction(1), Fraction(-1, 2), Fraction(-2)])
RKK_INST = dict(rkk_checks._BASE, gradients=[Fraction(-1), Fraction(1, 2)], theta_star=1)


def _halve(monkeypatch):
    real = adam_mod.adam_direction

    def halved(m, v_hat, c1, c2, eps, eps_mode, arith=None):
        return real(m, v_hat, c1, c2, eps, eps_mode, arith) / 2      # exact on SymPy values

    monkeypatch.setattr(adam_mod, "adam_direction", halved)


def test_kb_replay_is_the_registry_adam():
    rows = kb.coefficient_sides(KB_INST)
    # eps = 0: Adam's first step is alpha_1 sign(g_1), whatever the betas
    assert rows[0]["theta_next"] == -sp.Rational(1, 10)
    assert all(rw["theta"] == prev["theta_next"] for prev, rw in zip(rows, rows[1:]))


def test_kb_proof_page_replay_follows_the_direction(monkeypatch):
    before = kb.coefficient_sides(KB_INST)
    _halve(monkeypatch)
    after = kb.coefficient_sides(KB_INST)
    assert after[0]["theta_next"] == before[0]["theta_next"] / 2
    assert [rw["theta_next"] for rw in after] != [rw["theta_next"] for rw in before]
    assert sum(rw["lhs"] for rw in after) != sum(rw["lhs"] for rw in before)


def test_rkk_replays_follow_the_direction(monkeypatch):
    before = rkk_checks.amsgrad_rounds(RKK_INST)
    with mp.workdps(50):
        gs = [mp.mpf(1), mp.mpf(-1) / 2, mp.mpf(1) / 4]
        l2_before, r2 = rkk_checks._lemma2_sides(mp.mpf(0.9), mp.mpf(0.99), mp.mpf(0.5),
                                                 mp.mpf(1) / 10, gs)
        _halve(monkeypatch)
        l2_after, r2_after = rkk_checks._lemma2_sides(mp.mpf(0.9), mp.mpf(0.99), mp.mpf(0.5),
                                                      mp.mpf(1) / 10, gs)
        assert abs(l2_after - l2_before / 2) < mp.mpf(10) ** -45 and r2_after == r2
    after = rkk_checks.amsgrad_rounds(RKK_INST)
    assert after[0]["theta_next"] == before[0]["theta_next"] / 2


def _registry_lhs(b1, b2, gs):
    """Lemma 10.4's left side sum_t mhat_t^2/sqrt(t vhat_t) from the registry's ``adam``
    (eps = 0): its state's m over 1 - b1^t, and its declared second moment."""
    opt = optimizers.make("adam", lr=1.0, betas=(b1, b2), eps=0.0)
    zero = np.zeros((1, 1))
    state, lhs = opt.init(zero), 0.0
    for t, x in enumerate(gs, 1):
        _, state = opt.update(np.array([[x]]), state, zero)
        vh = float(second_moment(opt, state, 1).vhat[0, 0])
        if vh > 0:
            lhs += (float(state.m[0, 0]) / optimizers.bias_correction(b1, t)) ** 2 \
                / math.sqrt(t * vh)
    return lhs


@pytest.mark.parametrize("corrected", [True, False])
def test_lemma_10_4_fast_sides_are_the_registry_moments(corrected):
    """The search's plain-float moments (``lemma104_ratio``, its inner loop) equal the
    registry optimizer's, on random sequences and betas: lhs/rhs with the lemma's printed
    (or corrected) right side."""
    rng = np.random.default_rng(3)
    for _ in range(20):
        b1 = rng.uniform(0, 0.95)
        b2 = rng.uniform(b1 ** 2 + 0.01, 1.0) if b1 ** 2 + 0.01 < 0.999 else 0.999
        gs = list(rng.normal(size=int(rng.integers(1, 40))) * 10 ** rng.uniform(-2, 2))
        norm, T = math.sqrt(sum(x * x for x in gs)), len(gs)
        if corrected:
            rhs = math.sqrt(sum(1 / n for n in range(1, T + 1))) / (
                (1 - b1 / math.sqrt(b2)) * math.sqrt(1 - b2)) * norm
        else:
            rhs = 2 / (1 - b1 * b1 / math.sqrt(b2)) / math.sqrt(1 - b2) * norm
        want = _registry_lhs(b1, b2, gs) / rhs
        assert abs(regret.lemma104_ratio(b1, b2, gs, corrected) - want) <= 1e-12 * abs(want)


def test_lemma_10_4_sides_match_the_definition():
    """An independent evaluation of sum_t mhat_t^2/sqrt(t vhat_t) (exact rationals, then one
    square root per term) agrees with the registry-based float sides."""
    b1, b2, gs = Fraction(3, 10), Fraction(3, 5), [Fraction(1), Fraction(-1, 2), Fraction(2)]
    m = v = Fraction(0)
    lhs = mp.mpf(0)
    for t, g in enumerate(gs, 1):
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        mh, vh = m / (1 - b1 ** t), v / (1 - b2 ** t)
        lhs += mp.mpf(mh.numerator) ** 2 / mh.denominator ** 2 / mp.sqrt(
            t * mp.mpf(vh.numerator) / vh.denominator)
    norm = mp.sqrt(sum(float(g) ** 2 for g in gs))
    rhs = mp.sqrt(1 + mp.mpf(1) / 2 + mp.mpf(1) / 3) / (
        (1 - float(b1) / mp.sqrt(float(b2))) * mp.sqrt(1 - float(b2))) * norm
    got = regret.lemma104_ratio(float(b1), float(b2), [float(g) for g in gs], True)
    assert abs(got - float(lhs / rhs)) < 1e-13


def _undamped(monkeypatch):
    monkeypatch.setattr(adam_mod, "ema_weights", lambda beta: (beta, 1))


def test_lemma_10_4_ratio_follows_the_recurrence(monkeypatch):
    gs = [1.0, -0.5, 2.0]
    before = regret.lemma104_ratio(0.3, 0.6, gs, True)
    with mp.workdps(50):
        before_mp = regret.lemma104_ratio(mp.mpf("0.3"), mp.mpf("0.6"), [mp.mpf(g) for g in gs],
                                          True, mp.sqrt)
    assert abs(before_mp - before) < 1e-13
    _undamped(monkeypatch)
    assert abs(regret.lemma104_ratio(0.3, 0.6, gs, True) - before) > 1e-3


def test_kb_witness_bound_follows_the_recurrence(monkeypatch):
    from adamlab.proofs.checks import adam_exact
    w = adam_exact.witness("kb.thm4.1", Fraction(3), Fraction(1, 2), Fraction(1, 10),
                           Fraction(1, 2), 30)
    before = adam_exact.bound_mp(w)
    _undamped(monkeypatch)
    assert adam_exact.bound_mp(w) != before


def test_theory_is_the_registry_and_a_change_is_caught(monkeypatch):
    from adamlab.proofs.checks import theory_agreement
    theory_agreement.clear_cache()
    ok = theory_agreement.agreement()
    assert ok["agrees"] and ok["compared"] >= 50 and not ok["mismatches"]
    _undamped(monkeypatch)
    theory_agreement.clear_cache()
    try:
        bad = theory_agreement.agreement()
        assert not bad["agrees"]
        names = {m["quantity"].split(" ")[0] for m in bad["mismatches"]}
        assert {"m_T", "v_T", "mhat_T", "vhat_T"} <= names and "theta_2" in names
        # the lemma certificates that read theory's moments stop certifying
        w = regret.certify({"claim": "kb.proof10.5.vhat-bound", "instance": {
            "beta2": "999/1000", "gradients": ["1/1"], "G_inf": "1/1"}})
        assert w["hypotheses"][regret.AGREEMENT] is False
    finally:
        monkeypatch.undo()
        theory_agreement.clear_cache()
