"""Issue 15: one update rule, run in float64, in 50-digit mpmath and in exact rationals.

The references here are independent: exact rationals computed by hand in the test, and
the float64 engine itself for the mpmath comparison.
"""
from __future__ import annotations

from fractions import Fraction

import mpmath as mp
import numpy as np
import pytest

from adamlab.numerics import optimizers
from adamlab.numerics.optimizers import adam as adam_mod
from adamlab.numerics.optimizers import arith
from adamlab.proofs.checks import oco_search

CONFIGS = [
    ("amsgrad", dict(lr=0.1, betas=(0.8, 0.9), eps=0.0, amsgrad_mode="reddi")),
    ("amsgrad", dict(lr=0.1, betas=(0.8, 0.9), eps=0.0, amsgrad_mode="torch")),
    ("amsgrad", dict(lr=0.1, betas=(0.8, 0.9), eps=1e-6, amsgrad_mode="optax")),
    ("adam", dict(lr=0.1, eps=1e-3, eps_mode="efficient")),
    ("adam", dict(lr=0.1, eps=1e-3, eps_mode="inside")),
    ("adam", dict(lr=lambda t: 0.1 / t ** 0.5, eps=0.0,
                  betas=(lambda t: 0.9 * 0.5 ** (t - 1), 0.99))),
    ("adam", dict(lr=0.1, eps=0.0, betas=(lambda t: 0.9 * 0.5 ** (t - 1), 0.99),
                  beta1_correction="power")),
    ("adagrad", dict(lr=0.5, eps=0.0)), ("adagrad", dict(lr=0.5, eps=1e-3, eps_mode="inside")),
    ("sgd", dict(lr=0.1)), ("momentum", dict(lr=0.1, dampening=0.2)), ("nag", dict(lr=0.1)),
]


@pytest.mark.parametrize("name,kw", CONFIGS)
def test_mpmath_replay_matches_float(name, kw):
    rng = np.random.default_rng(3)
    opt = optimizers.make(name, **kw)
    p = rng.normal(size=(2, 3))
    s = opt.init(p)
    with mp.workdps(50):
        pm = arith.to_mpmath(p)
        sm = opt.init(pm)
        for _ in range(5):
            g = rng.normal(size=(2, 3))
            p, s = opt.update(g, s, p)
            pm, sm = opt.update(arith.to_mpmath(g), sm, pm)
            assert pm.dtype == object and isinstance(pm[0, 0], mp.mpf)
            for a, b in zip(pm.flat, p.flat):
                assert abs(float(a) - b) <= 1e-14 * max(1.0, abs(b))


def test_amsgrad_reddi_first_steps_exact():
    """Reddi's Algorithm 2 by hand: m = b1 m + (1-b1) g, v = b2 v + (1-b2) g^2, vhat = max,
    x -= alpha m / sqrt(vhat); gradients chosen so every sqrt is rational."""
    b1, b2, a = Fraction(1, 2), Fraction(3, 4), Fraction(1, 10)
    opt = optimizers.make("amsgrad", lr=a, betas=(b1, b2), eps=0.0, amsgrad_mode="reddi")
    gs = [Fraction(2), Fraction(0), Fraction(2)]          # vhat = 1, 1, 25/16
    x, m, v, vh = Fraction(1, 3), Fraction(0), Fraction(0), Fraction(0)
    with mp.workdps(60):
        p = arith.to_mpmath([x])
        s = opt.init(p)
        pf = arith.to_fractions([x])
        sf = opt.init(pf)
        for g in gs:
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            vh = max(vh, v)
            root = Fraction(int(mp.sqrt(vh.numerator)), int(mp.sqrt(vh.denominator)))
            assert root * root == vh
            x = x - a * m / root
            p, s = opt.update(arith.to_mpmath([g]), s, p)
            pf, sf = opt.update(arith.to_fractions([g]), sf, pf)
            assert pf[0] == x                                     # exact rationals
            assert abs(p[0] - mp.mpf(x.numerator) / x.denominator) < mp.mpf(10) ** -55


def test_sgd_momentum_exact_rationals():
    opt = optimizers.make("momentum", lr=Fraction(1, 10), momentum=Fraction(1, 2))
    p = arith.to_fractions([1, 2])
    s = opt.init(p)
    x, buf = [Fraction(1), Fraction(2)], None
    for t in range(3):
        g = [Fraction(1, 3), Fraction(-1)]
        buf = g if buf is None else [Fraction(1, 2) * b + gi for b, gi in zip(buf, g)]
        x = [xi - Fraction(1, 10) * b for xi, b in zip(x, buf)]
        p, s = opt.update(arith.to_fractions(g), s, p)
        assert list(p) == x


def test_fraction_refuses_irrational_sqrt_and_unsupported_optimizer():
    opt = optimizers.make("adagrad", lr=Fraction(1, 10), eps=0.0)
    p = arith.to_fractions([0])
    s = opt.init(p)
    p, s = opt.update(arith.to_fractions([1]), s, p)          # sqrt(1): fine
    assert p[0] == Fraction(-1, 10)
    with pytest.raises(TypeError, match="not rational"):
        opt.update(arith.to_fractions([1]), s, p)             # sqrt(2)
    with pytest.raises(TypeError, match="mpmath arithmetic are not supported"):
        optimizers.make("rmsprop").init(arith.to_mpmath([0.0]))


def test_one_convention_changes_engine_and_certificate(monkeypatch):
    """Move epsilon (Adam's direction) in ONE place: the float engine and the 50-digit
    certificate of the searches (oco_search.play_mp) change identically."""
    g = [["1/1"], ["-1/2"], ["3/1"]]
    hp = {"alpha": "1/2", "beta1": "1/2", "beta2": "9/10", "lam": "1/2"}
    opt = optimizers.make("amsgrad", lr=0.5, betas=(0.5, 0.9), eps=0.0, amsgrad_mode="reddi")

    def run_float():
        x = np.zeros((1, 1))
        s = opt.init(x)
        for row in g:
            x, s = opt.update(np.array([[float(Fraction(row[0]))]]), s, x)
        return x[0, 0]

    base_float = run_float()
    base_cert = oco_search.play_mp("amsgrad-rkk", g, hp, dps=50, beta1_t=["1/2"] * 3)[0]
    real = adam_mod.adam_direction

    def doubled(m, v_hat, c1, c2, eps, eps_mode, arith=None):
        return 2 * real(m, v_hat, c1, c2, eps, eps_mode, arith)

    monkeypatch.setattr(adam_mod, "adam_direction", doubled)
    new_float = run_float()
    new_cert = oco_search.play_mp("amsgrad-rkk", g, hp, dps=50, beta1_t=["1/2"] * 3)[0]
    assert new_float != base_float and new_cert != base_cert
    # the certificate replays the float game exactly (lr = alpha / sqrt(t) there, constant
    # here, so compare each against its own float twin instead)
    x = oco_search.play("amsgrad-rkk", np.array([[[1.0], [-0.5], [3.0]]]),
                        {"alpha": [0.5], "beta1": [0.5], "beta2": [0.9], "lam": [1.0]})["R"][0]
    assert abs(float(new_cert) - x) < 1e-12 * max(1.0, abs(x))
    monkeypatch.setattr(adam_mod, "adam_direction", real)
    x0 = oco_search.play("amsgrad-rkk", np.array([[[1.0], [-0.5], [3.0]]]),
                         {"alpha": [0.5], "beta1": [0.5], "beta2": [0.9], "lam": [1.0]})["R"][0]
    assert abs(float(base_cert) - x0) < 1e-12 * max(1.0, abs(x0)) and x0 != x
