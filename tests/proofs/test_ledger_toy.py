"""Issue 6: the same machinery refutes a deliberately false toy claim and proves a true one.

The toy claims are registered only inside these tests (monkeypatched claim table and
check registry), so the real ledger is untouched.
"""
from __future__ import annotations

from fractions import Fraction

import mpmath as mp
import pytest
import sympy as sp

from adamlab.proofs import Claim, Quantifier, claims, ledger
from adamlab.proofs.checks import oco_search
from adamlab.proofs.methods.search_method import Search
from adamlab.theory.regret import bounds as rb
from adamlab.theory.regret import quantities as rq
from adamlab.proofs.methods.symbolic import Symbolic, certify

t = sp.Symbol("t", positive=True)
TOY_TRUE = Claim("toy.sqrt-increasing", "test", "sqrt(t+1) - sqrt(t) >= 0 for t > 0",
                 sp.Ge(sp.sqrt(t + 1) - sp.sqrt(t), 0), Symbolic())
TOY_FALSE_SYM = Claim("toy.sqrt-decreasing", "test", "sqrt(t) - sqrt(t+1) >= 0",
                      sp.Ge(sp.sqrt(t) - sp.sqrt(t + 1), 0), Symbolic())


@pytest.fixture
def toy_false():
    """A quarter of Zinkevich's bound, decided by the same generic search as z.ogd-regret."""
    quarter = rb.get("z.ogd-regret").expr / 4
    return Claim("toy.ogd-quarter", "test", "OGD regret <= 1/4 of Zinkevich's bound",
                 sp.Le(rq.R, quarter), Search(oco_search.SPACES["ogd"], rq.R, quarter),
                 quantifies=Quantifier("sgd", {"lr": "eta/sqrt(t)"}))


def test_false_toy_claim_is_refuted(toy_false):
    v = ledger.decide(toy_false)
    assert v.verdict == "refuted"
    w = v.evidence["witness"]
    # independent re-evaluation in exact rationals + 50-digit square roots
    gs = [[Fraction(x) for x in row] for row in w["gradients"]]
    eta = Fraction(w["values"]["eta"])
    x1 = [Fraction(z) for z in w["x1"]]
    with mp.workdps(50):
        x = [mp.mpf(z.numerator) / z.denominator for z in x1]
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
    row = toy_false.to_json(v)
    assert row["method"].startswith("search") and row["statement"].startswith("R(T)")


def test_true_toy_claim_is_proved_and_false_one_is_refuted():
    assert ledger.decide(TOY_TRUE).verdict == "proved"
    v = ledger.decide(TOY_FALSE_SYM)
    assert v.verdict == "refuted"
    # the witness is re-checked from the JSON alone: t as an exact rational, 50 digits
    tt = Fraction(v.evidence["witness"]["point"]["t"])
    with mp.workdps(50):
        x = mp.mpf(tt.numerator) / tt.denominator
        assert mp.sqrt(x) - mp.sqrt(x + 1) < 0
    assert certify(TOY_FALSE_SYM.expr(), v.evidence["witness"])
    row = ledger.entry(TOY_TRUE)
    assert row["statement"] == sp.latex(TOY_TRUE.expr())     # generated, never retyped
    assert row["method"].startswith("symbolic")


def test_real_ledger_is_untouched():
    assert "toy.ogd-quarter" not in claims.ids()
    assert "toy.ogd-quarter" not in ledger.registered()
    with pytest.raises(ValueError):
        ledger.decide("toy.sqrt-increasing")
    with pytest.raises(ValueError):
        claims.get("toy.sqrt-increasing")
