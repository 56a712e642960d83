"""The proof pieces (regret_pieces), their corrected forms (regret_lemmas), Cor 4.2's asymptotics
(regret_asymptotics) and the exact intervals they are certified with."""
from __future__ import annotations

import json
import math
from fractions import Fraction

import mpmath as mp
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from adamlab.theory import intervals as iv
from adamlab.theory.regret import asymptotics as ra
from adamlab.theory.regret import lemmas as rl
from adamlab.theory.regret import pieces as rp
from adamlab.theory.regret.quantities import SYMBOLS


@pytest.mark.parametrize("result", rl.RESULTS + ra.RESULTS, ids=lambda r: r.name)
def test_corrected_results_check(result):
    rep = result.check()
    assert rep.ok, json.dumps(rep.to_json(), default=str)[:2000]
    assert rep.grids and all(g["dps"] == 50 and g["points"] > 0 for g in rep.grids)
    json.dumps(result.to_json())
    assert result.latex() and result.source


def test_pieces_cover_the_ledger_rows_and_print():
    assert set(rp.PIECES) == {"kb.lemma10.3", "kb.lemma10.4", "kb.proof10.5.telescoping",
                              "kb.proof10.5.vhat-bound", "kb.proof10.5.lambda-sum", "rkk.cor1"}
    for p in rp.PIECES.values():
        assert isinstance(p.statement, sp.core.relational.Relational)
        assert p.latex() and p.source
    with pytest.raises(ValueError, match="claim_id must be one of"):
        rp.piece("kb.lemma10.9")
    with pytest.raises(ValueError, match="mode"):
        rp.piece("kb.lemma10.3").evaluate({"gradients": [1], "G_inf": 1}, mode="float")


fracs = st.fractions(min_value=-3, max_value=3, max_denominator=50)


@given(gs=st.lists(fracs, min_size=1, max_size=8), b1=st.fractions(0, Fraction(9, 10), max_denominator=20),
       b2=st.fractions(Fraction(1, 10), Fraction(99, 100), max_denominator=100))
def test_exact_enclosures_contain_the_50_digit_values(gs, b1, b2):
    if all(x == 0 for x in gs):
        gs = gs + [Fraction(1)]
    inst = {"beta1": b1, "beta2": b2, "gradients": gs}
    p = rp.piece("kb.lemma10.4")
    with mp.workdps(50):
        lhs, rhs = p.evaluate(inst)
        elhs, erhs = p.evaluate(inst, "exact")
        for value, enc in ((lhs, elhs), (rhs, erhs)):
            lo = mp.mpf(enc.lo.numerator) / enc.lo.denominator
            hi = mp.mpf(enc.hi.numerator) / enc.hi.denominator
            assert lo - mp.mpf(10) ** -45 <= value <= hi + mp.mpf(10) ** -45
            assert enc.width < Fraction(1, 10**40)


def test_interval_arithmetic():
    a = iv.isqrt_interval(2)
    assert a.lo ** 2 <= 2 <= a.hi ** 2 and a.width <= Fraction(1, 2**199)
    assert iv.isqrt_interval(Fraction(9, 25)).lo == Fraction(3, 5) == iv.isqrt_interval(Fraction(9, 25)).hi
    b = (1 - a) * (a + 3) / (a - 1)           # = -(a + 3): contains -(sqrt2 + 3)
    with mp.workdps(80):
        exact = -(mp.sqrt(2) + 3)
        assert mp.mpf(b.lo.numerator) / b.lo.denominator <= exact + mp.mpf(10) ** -75
        assert exact - mp.mpf(10) ** -75 <= mp.mpf(b.hi.numerator) / b.hi.denominator
    assert iv.certainly_greater(iv.isqrt_interval(3), a)
    assert not iv.certainly_greater(a, iv.isqrt_interval(2))
    with pytest.raises(ZeroDivisionError):
        1 / iv.Interval(-1, 1)
    with pytest.raises(ValueError, match="sqrt"):
        iv.isqrt_interval(iv.Interval(-1, 1))
    with pytest.raises(TypeError):
        iv.Interval(0.5)
    assert abs(iv.Interval(-2, 1)).lo == 0 and (iv.Interval(1, 2) ** 2).hi == 4


def test_adam_iterates_follow_algorithm_1():
    # one coordinate, written here: theta_{t+1} = theta_t - alpha/sqrt(t) mhat_t/sqrt(vhat_t)
    b1, b2, lam, a = 0.9, 0.999, 0.5, 0.1
    gs = [1.0, -2.0, 0.5, 3.0]
    th, m, v = [0.0], 0.0, 0.0
    for t, g in enumerate(gs[:-1], 1):
        bt = b1 * lam ** (t - 1)
        m = bt * m + (1 - bt) * g
        v = b2 * v + (1 - b2) * g * g
        th.append(th[-1] - a / math.sqrt(t) * (m / (1 - b1**t)) / math.sqrt(v / (1 - b2**t)))
    got = rp.adam_iterates({"beta1": b1, "beta2": b2, "lam": lam, "alpha": a, "gradients": gs,
                            "theta1": 0.0}, math.sqrt)
    assert got == pytest.approx(th, rel=1e-14)


def test_final_display_composition():
    cmp = rp.compare_with_theorem()
    assert set(cmp) == {"distance", "gradient", "momentum decay"}
    # composed by hand from the printed steps (CLAIMS.md), independently of the module
    S = dict(SYMBOLS)
    third = sp.sympify("d*D_inf**2/(2*alpha) * G_inf*sqrt(1-beta2) * 1/((1-beta1)*(1-lam)**2)", S)
    assert sp.simplify(rp.composed_display()["momentum decay"] - third) == 0
    assert cmp["momentum decay"]["equal"] and cmp["distance"]["equal"]
    assert not cmp["gradient"]["equal"]
    ratio = sp.sympify(cmp["gradient"]["ratio"], S)
    assert sp.simplify(ratio - sp.sympify("G_inf/(1 - beta1**2/sqrt(beta2))", S)) == 0


def test_growth_orders():
    T = SYMBOLS["T"]
    assert ra.growth(3 * sp.sqrt(T) * sp.sqrt(1 + sp.log(T))) == (sp.Rational(1, 2), sp.Rational(1, 2), 3)
    assert ra.growth((sp.sqrt(T) - sp.Rational(1, 2)) / T) == (-sp.Rational(1, 2), 0, 1)
    with pytest.raises(ValueError):
        ra.growth(sp.exp(T))
    for case in ("dense", "sparse"):
        c = ra.cor42(case)
        assert [t.order[0] for t in c.terms] == [sp.Rational(1, 2), sp.Rational(1, 2), 0]
        assert all(t.order[1] == 0 for t in c.terms)
        assert c.average_limit == 0 and c.average_order == (-sp.Rational(1, 2), 0)
    sparse = ra.cor42("sparse").terms[0].order[2]
    dense = ra.cor42("dense").terms[0].order[2]
    assert sp.simplify(sparse / dense - ra.P / SYMBOLS["d"]) == 0      # sparsity: d -> P
    assert ra.power_law_P(2) == sp.harmonic(SYMBOLS["d"])
    with pytest.raises(ValueError, match="case"):
        ra.cor42("medium")
