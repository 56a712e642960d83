"""Issue 15: the generic adversarial search on made-up claims, through search_bound.

A false bound refutable only from a corner start must come back refuted with a
certified witness whose x_1 is a corner (re-checked here by an independent
Fraction/mpmath loop); a true bound (Zinkevich's) must come back not refuted.
"""
from __future__ import annotations

import json
from fractions import Fraction

import mpmath as mp
import pytest
import sympy as sp

from adamlab.proofs.methods import search
from adamlab.proofs.methods.games import t
from adamlab.theory.regret.quantities import SYMBOLS as S

ZINK = S["D"] ** 2 * sp.sqrt(S["T"]) / (2 * S["eta"]) + \
    (sp.sqrt(S["T"]) - sp.Rational(1, 2)) * S["eta"] * S["G"] ** 2


def _space():
    game = {"domain": "box", "dims": [1, 2], "horizons": [1, 2, 3, 5, 10, 30]}
    sp_ = {"optimizer": "sgd", "hyper": {"lr": S["eta"] / sp.sqrt(t)},
           "free": {"eta": {"range": [1e-2, 10.0], "scale": "log"}}, "game": game}
    return sp_


def _ogd_regret(w):
    """Independent: projected OGD, eta_t = eta/sqrt(t), from the witness's exact inputs."""
    gs = [[Fraction(x) for x in row] for row in w["gradients"]]
    eta = Fraction(w["values"]["eta"])
    q = lambda f: mp.mpf(f.numerator) / f.denominator     # noqa: E731
    x = [q(Fraction(z)) for z in w["x1"]]
    loss = mp.mpf(0)
    for k, row in enumerate(gs, 1):
        loss += mp.fsum(q(g) * xi for g, xi in zip(row, x))
        x = [min(mp.mpf(1), max(mp.mpf(-1), xi - q(eta) / mp.sqrt(k) * q(g)))
             for g, xi in zip(row, x)]
    return loss + mp.fsum(abs(q(sum(col))) for col in zip(*gs)), gs, q(eta)


def test_false_bound_refuted_only_from_a_corner():
    """0.9 x Zinkevich: from x_1 = 0 the regret at T = 1 is ||g||_1 <= sqrt(d) G, at most
    half the bound; from the corner sign(g_1) it is 2 ||g||_1, and with eta = 2 sqrt(d)/G the
    full bound equals 2 sqrt(d) G -- so R(1)/(0.9 bound) = 1/0.9 > 1."""
    rhs = sp.Rational(9, 10) * ZINK
    out = search.search_bound(_space(), "R", rhs, seed=1)
    assert out["refuted"]
    w = json.loads(json.dumps(out["witness"]))               # re-run from the JSON alone
    assert all(Fraction(z) in (-1, 1) for z in w["x1"])      # a corner
    cert = search.certify(w)
    assert cert["violated"] and cert["precisions_agree"]
    with mp.workdps(60):
        R, gs, eta = _ogd_regret(w)
        T, d = len(gs), len(gs[0])
        G2 = max(sum(g * g for g in row) for row in gs)
        bound = sp.Rational(9, 10) * (4 * d * mp.sqrt(T) / (2 * eta)
                                      + (mp.sqrt(T) - mp.mpf(1) / 2) * eta * mp.mpf(G2.numerator) / G2.denominator)
        bound = mp.mpf(str(bound))
        assert R > bound
        assert abs(R - mp.mpf(cert["lhs"])) < mp.mpf(10) ** -25
        assert abs(bound - mp.mpf(cert["rhs"])) < mp.mpf(10) ** -25


def test_true_bound_not_refuted_with_coverage():
    out = search.search_bound(_space(), S["R"], ZINK, seed=0)
    assert not out["refuted"] and "witness" not in out
    assert mp.mpf(out["best_ratio_50_digits"]) <= 1
    assert mp.mpf(out["best_ratio_50_digits"]) > mp.mpf("0.99")   # tight at T = 1 (corner)
    assert out["games"] > 10000 and out["short_horizons"]["T"] == [1, 2, 3]
    assert out["dims"] == [1, 2] and "corner" in out["starts"]
    assert out["hyper_ranges"] == {"eta": {"range": [0.01, 10.0], "scale": "log"}}
    assert out["local_searches"]


def test_space_validation_names_the_key():
    with pytest.raises(ValueError, match="optimizer"):
        search.search_bound({"optimizer": "nope"}, "R", ZINK)
    with pytest.raises(ValueError, match="unknown keys"):
        search.search_bound(dict(_space(), colour=1), "R", ZINK)
    with pytest.raises(ValueError, match=r"space\['free'\]\['eta'\]"):
        search.search_bound(dict(_space(), free={"eta": {"range": [0, 1], "scale": "log"}}),
                            "R", ZINK)
    with pytest.raises(TypeError, match="seed"):
        search.search_bound(_space(), "R", ZINK, seed=1.5)


@pytest.mark.slow
def test_thorough_search_never_reports_a_smaller_worst_case():
    """--thorough runs besides the default search: its worst case is at least the default's,
    and its coverage counts both."""
    from adamlab.proofs import Claim, ledger
    from adamlab.proofs.checks import oco_search
    from adamlab.proofs.methods.search_method import Search
    from adamlab.theory.regret import bounds as rb
    from adamlab.theory.regret import quantities as rq

    space = dict(oco_search.SPACES["adagrad"],
                 game={"domain": "box", "dims": [1], "horizons": [1, 2, 3, 5]})
    claim = Claim("toy.adagrad", "test", "DHS's bound", sp.Le(rq.R, rb.get(
        "dhs.adagrad-regret").expr), Search(space, rq.R, rb.get("dhs.adagrad-regret").expr,
                                           thorough_game={"horizons": [1, 2, 3, 5, 10]}))
    quick, slow = ledger.decide(claim), ledger.decide(claim, thorough=True)
    q, s = quick.evidence["search"], slow.evidence["search"]
    assert mp.mpf(s["best_ratio_50_digits"]) >= mp.mpf(q["best_ratio_50_digits"])
    assert s["games"] > q["games"] and 10 in s["horizons"]
