"""Issue 6: the same machinery refutes a deliberately false toy claim and proves a true one.

The toy claims are registered only inside these tests (monkeypatched claim table and
check registry), so the real ledger is untouched.
"""
from __future__ import annotations

from fractions import Fraction

import mpmath as mp
import pytest
import sympy as sp

from adamlab.proofs import claims, ledger
from adamlab.proofs.checks import gamma_psd, oco_search, theorems

TOY_FALSE = claims.ClaimSpec("toy.ogd-quarter", "test", "OGD regret <= 1/4 of Zinkevich's bound")
TOY_TRUE = claims.ClaimSpec("toy.sqrt-increasing", "test", "sqrt(t+1) - sqrt(t) >= 0 for t > 0")
TOY_FALSE_SYM = claims.ClaimSpec("toy.sqrt-decreasing", "test", "sqrt(t) - sqrt(t+1) >= 0")


@pytest.fixture
def toy_ledger(monkeypatch):
    monkeypatch.setattr(claims, "CLAIMS", claims.CLAIMS + (TOY_FALSE, TOY_TRUE, TOY_FALSE_SYM))
    monkeypatch.setattr(claims, "LATEX", dict(claims.LATEX, **{
        TOY_FALSE.id: r"R(T) \le \frac14\Bigl(\frac{D^2\sqrt T}{2\eta} + (\sqrt T - \tfrac12)\eta G^2\Bigr)",
        TOY_TRUE.id: r"\sqrt{t+1} - \sqrt t \ge 0", TOY_FALSE_SYM.id: r"\sqrt t - \sqrt{t+1} \ge 0"}))
    ledger._load_checks()
    monkeypatch.setattr(ledger, "_CHECKS", dict(ledger._CHECKS))
    real = oco_search.bound_expr

    @ledger.check_for(TOY_FALSE.id)
    def false_check(thorough=False):
        # the same search and certificate as z.ogd-regret, against a bound 4x too small
        monkeypatch.setattr(oco_search, "bound_expr",
                            lambda kind: real(kind) / 4 if kind == "ogd" else real(kind))
        try:
            return theorems._searched(TOY_FALSE.id, "ogd", False, "toy")
        finally:
            monkeypatch.setattr(oco_search, "bound_expr", real)

    t = sp.Symbol("t", positive=True)

    def psd_check(cid, expr, parts):
        d = gamma_psd._psd(cid, expr, parts)
        return ledger.Verdict(cid, "proved" if d["ok"] else "pending", str(d), {"derivation": d})

    ledger.check_for(TOY_TRUE.id)(lambda thorough=False: psd_check(
        TOY_TRUE.id, sp.sqrt(t + 1) - sp.sqrt(t), [1 / (sp.sqrt(t + 1) + sp.sqrt(t))]))
    ledger.check_for(TOY_FALSE_SYM.id)(lambda thorough=False: psd_check(
        TOY_FALSE_SYM.id, sp.sqrt(t) - sp.sqrt(t + 1), [-1 / (sp.sqrt(t + 1) + sp.sqrt(t))]))
    yield


def test_false_toy_claim_is_refuted(toy_ledger):
    v = ledger.decide(TOY_FALSE.id)
    assert v.verdict == "refuted"
    w = v.evidence["witness"]
    # independent re-evaluation in exact rationals + 50-digit square roots
    gs = [[Fraction(x) for x in row] for row in w["gradients"]]
    eta = Fraction(w["hp"]["eta"])
    with mp.workdps(50):
        x = [mp.mpf(0)] * len(gs[0])
        loss = mp.mpf(0)
        for t, row in enumerate(gs, 1):
            loss += mp.fsum(mp.mpf(g.numerator) / g.denominator * xi for g, xi in zip(row, x))
            x = [min(mp.mpf(1), max(mp.mpf(-1), xi - mp.mpf(eta.numerator) / eta.denominator
                                    / mp.sqrt(t) * mp.mpf(g.numerator) / g.denominator))
                 for g, xi in zip(row, x)]
        S = [sum(col) for col in zip(*gs)]
        R = loss + mp.fsum(abs(mp.mpf(s.numerator) / s.denominator) for s in S)
        T, d = len(gs), len(gs[0])
        G2 = max(sum(g * g for g in row) for row in gs)
        e = mp.mpf(eta.numerator) / eta.denominator
        zink = (4 * d) * mp.sqrt(T) / (2 * e) + (mp.sqrt(T) - mp.mpf(1) / 2) * e * (
            mp.mpf(G2.numerator) / G2.denominator)
        assert R > zink / 4
        assert R <= zink                      # the real Zinkevich bound still holds there
        assert abs(R - mp.mpf(v.evidence["lhs"])) < mp.mpf(10) ** -25
        assert abs(zink / 4 - mp.mpf(v.evidence["rhs"])) < mp.mpf(10) ** -25
    # the real ledger never saw the toy
    assert TOY_FALSE.id in ledger._CHECKS


def test_true_toy_claim_is_proved_and_false_one_is_not(toy_ledger):
    assert ledger.decide(TOY_TRUE.id).verdict == "proved"
    assert ledger.decide(TOY_FALSE_SYM.id).verdict != "proved"
    row = ledger.decide(TOY_TRUE.id).to_json()
    assert row["statement"] == r"\sqrt{t+1} - \sqrt t \ge 0"


def test_real_ledger_is_untouched():
    assert "toy.ogd-quarter" not in claims.ids()
    assert "toy.ogd-quarter" not in ledger.registered()
    with pytest.raises(ValueError):
        claims.get("toy.sqrt-increasing")
