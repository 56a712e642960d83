"""The Result machinery (adamlab.theory.results) and every Result of the catalog."""
from __future__ import annotations

import json

import mpmath as mp
import pytest
import sympy as sp

from adamlab.theory import catalog, sums
from adamlab.theory.results import GridCheck, Result, Step, induction
from adamlab.theory.symbols import beta, g, i, t

RESULTS = catalog.all_results()


@pytest.mark.parametrize("result", RESULTS, ids=[r.name for r in RESULTS])
def test_every_result_checks(result):
    rep = result.check()
    assert rep.ok, json.dumps(rep.to_json(), indent=1, default=str)[:3000]
    assert rep.method in ("symbolic", "induction")
    assert rep.method == ("induction" if any(s["kind"] != "symbolic" for s in rep.steps)
                          else "symbolic")
    assert rep.grids and all(gr["dps"] == 50 and gr["points"] > 0 for gr in rep.grids)
    json.dumps(rep.to_json())                        # JSON-able
    json.dumps(result.to_json())
    assert result.source and result.latex()


def test_names_are_unique_and_lookup_works():
    names = [r.name for r in RESULTS]
    assert len(names) == len(set(names))
    assert catalog.by_name("adam_sup").name == "adam_sup"
    with pytest.raises(ValueError, match="name must be one of"):
        catalog.by_name("nope")


def test_induction_results_say_so():
    assert catalog.by_name("ema_unroll").check().method == "induction"
    assert catalog.by_name("lagrange_identity").check().method == "induction"
    assert catalog.by_name("adagrad_limit").check().method == "symbolic"


def test_latex_shows_statement_and_hypotheses():
    lx = catalog.by_name("weight_sum").latex()
    assert r"\beta^{t}" in lx and r"\beta < 1" in lx


# ---- the machinery can fail: a false step, a false induction step, a wrong closed form ----------
def _mp_grid(fn):
    return GridCheck("demo", tuple({"beta": sp.Rational(b), "t": T}
                                   for b in ("1/2", "9/10") for T in (1, 4)), fn)


def test_a_false_symbolic_step_fails():
    r = Result("false", sp.Eq(beta**2, beta), steps=(Step("b^2 = b", lambda: beta**2 - beta),),
               grid=_mp_grid(lambda p: (mp.mpf(1), mp.mpf(1))))
    rep = r.check()
    assert not rep.ok and not rep.steps[0]["ok"]


def test_a_false_induction_step_fails():
    # claim: sum_{i<=t} g_i = t g_t (false); the step residual does not vanish
    S = sp.Sum(g(i), (i, 1, t))
    base, step = induction("wrong", lambda: S.subs(t, 1).doit() - g(1),
                           lambda: sums.residual_is_zero(S.subs(t, t + 1) - S - (t + 1) * g(t + 1),
                                                         upper=t + 1))
    rep = Result("wrong", sp.Eq(S, t * g(t)), steps=(base, step),
                 grid=_mp_grid(lambda p: (mp.mpf(1), mp.mpf(1)))).check()
    assert rep.steps[0]["ok"] and not rep.steps[1]["ok"] and not rep.ok


def test_a_wrong_closed_form_fails_the_grid():
    # (1-b) sum b^(t-i) vs the wrong 1 - b^(t+1)
    def ev(p):
        b, T = mp.mpf(p["beta"].p) / p["beta"].q, p["t"]
        return mp.fsum((1 - b) * b ** (T - k) for k in range(1, T + 1)), 1 - b ** (T + 1)
    rep = Result("grid", sp.true, steps=(Step("trivial", lambda: sp.Integer(0)),),
                 grid=_mp_grid(ev)).check()
    assert rep.steps[0]["ok"] and not rep.grids[0]["ok"] and rep.grids[0]["failures"]


def test_a_result_without_steps_is_not_ok():
    assert not Result("empty", sp.true).check().ok


def test_step_kind_is_validated():
    with pytest.raises(ValueError, match="Step.kind"):
        Step("x", lambda: 0, kind="guess")


def test_sum_helpers():
    S = sp.Sum(g(i), (i, 1, t + 1))
    assert sums.peel_top(S, t + 1) == sp.Sum(g(i), (i, 1, t)) + g(t + 1)
    ok, res = sums.residual_is_zero(2 * sp.Sum(g(i), (i, 1, t)) - sp.Sum(2 * g(i), (i, 1, t)))
    assert ok and res == 0
    closed, r, first = sums.geometric_sum(beta ** (t - i), i, 1, t, from_top=True)
    assert sp.simplify(r - beta) == 0 and first == 1
    with pytest.raises(ValueError, match="not geometric"):
        sums.geometric_sum(i**2, i, 1, t)
    assert sp.simplify(sums.limit_t_infinity((1 - beta**t) / (1 - beta), t, (beta,))
                       - 1 / (1 - beta)) == 0
    with pytest.raises(ValueError):
        sums.limit_t_infinity(t * beta**t, t, (beta,))
