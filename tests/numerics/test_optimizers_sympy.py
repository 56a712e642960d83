"""Issue 15: the registry's update rules replayed exactly on SymPy numbers (the SYMPY backend).

References are independent: first steps worked out by hand, and the 50-digit mpmath
replay of the same optimizer.
"""
from __future__ import annotations

from fractions import Fraction

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

from adamlab.numerics import optimizers
from adamlab.numerics.optimizers import arith


def test_backend_is_picked_from_the_elements_and_converts_exactly():
    x = arith.to_sympy([0.1, Fraction(1, 3), 2])
    assert arith.arith_of(x) is arith.sympy_arith()
    assert repr(arith.arith_of(x)) == "SYMPY"
    assert x[0] == sp.Rational(0.1) and x[0] != sp.Rational(1, 10)     # the binary value
    assert x[1] == sp.Rational(1, 3) and x[2] == sp.Integer(2)
    assert arith.arith_of(sp.sqrt(2)) is arith.sympy_arith()
    with pytest.raises(TypeError, match="real number"):
        arith.to_sympy([sp.I])
    with pytest.raises(TypeError, match="bool"):
        arith.to_sympy([True])


def test_operations_are_exact():
    A = arith.sympy_arith()
    assert A.sqrt(arith.to_sympy([2]))[0] == sp.sqrt(2)
    assert A.one_minus_power(sp.Rational(9, 10), 3) == 1 - sp.Rational(9, 10) ** 3
    assert A.safe_div(sp.Integer(0), sp.Integer(0)) == 0
    assert A.neg_expm1(A.log0(sp.Rational(1, 4)) + A.log0(sp.Rational(1, 2))) == \
        sp.Rational(7, 8)
    assert A.neg_expm1(A.log0(sp.Integer(0))) == 1
    assert not A.all_finite(np.array([sp.oo], dtype=object))


@pytest.mark.parametrize("name", ["adam", "amsgrad", "adamw", "adagrad", "sgd", "momentum",
                                  "nag"])
def test_registry_declares_the_sympy_backend(name):
    assert "sympy" in optimizers.make(name).arithmetics


def test_an_optimizer_without_it_refuses():
    with pytest.raises(TypeError, match="sympy arithmetic are not supported"):
        optimizers.make("rmsprop").init(arith.to_sympy([0]))


def test_adam_first_steps_by_hand():
    """eps = 0: the first step is alpha sign(g); the second, worked out with sqrt kept."""
    b1, b2, a = Fraction(1, 2), Fraction(3, 4), Fraction(1, 10)
    opt = optimizers.make("adam", lr=a, betas=(b1, b2), eps=0.0)
    x = arith.to_sympy([0])
    s = opt.init(x)
    x, s = opt.update(arith.to_sympy([3]), s, x)
    assert x[0] == -sp.Rational(1, 10)
    x, s = opt.update(arith.to_sympy([-1]), s, x)
    m = sp.Rational(1, 2) * sp.Rational(3, 2) - sp.Rational(1, 2)            # m_2
    v = sp.Rational(3, 4) * sp.Rational(9, 4) + sp.Rational(1, 4)            # v_2
    mh, vh = m / (1 - sp.Rational(1, 4)), v / (1 - sp.Rational(9, 16))
    assert sp.simplify(x[0] - (-sp.Rational(1, 10) - sp.Rational(1, 10) * mh / sp.sqrt(vh))) == 0
    assert s.m[0, 0] == m and s.v[0, 0] == v


class _InvSqrt:
    """alpha_t = 1/(10 sqrt(t)), exact in any backend through ``at(t, arith)``."""

    def __call__(self, t):
        return 0.1 / t ** 0.5

    @staticmethod
    def at(t, A):
        return A.const(Fraction(1, 10)) / A.scalar_sqrt(A.const(t))


def _b1(t):
    return Fraction(9, 10) * Fraction(1, 2) ** (t - 1)


@pytest.mark.parametrize("kw", [
    dict(lr=_InvSqrt(), eps=0.0, betas=(_b1, Fraction(99, 100))),
    dict(lr=Fraction(1, 10), eps=0.0, beta1_correction="power", betas=(_b1, Fraction(99, 100))),
    dict(lr=Fraction(1, 10), eps=0.0, amsgrad=True, amsgrad_mode="reddi",
         betas=(Fraction(4, 5), Fraction(9, 10))),
])
def test_sympy_replay_agrees_with_the_mpmath_replay(kw):
    """Scheduled beta1 with the product correction goes through the exact log0/neg_expm1."""
    opt = optimizers.make("adam", **kw)
    gs = [Fraction(1), Fraction(-1, 2), Fraction(3, 2), Fraction(-2)]
    xs, ss = arith.to_sympy([[0, 1]]), None
    ss = opt.init(xs)
    with mp.workdps(50):
        xm = arith.to_mpmath([[0, 1]])
        sm = opt.init(xm)
        for g in gs:
            xs, ss = opt.update(arith.to_sympy([[g, -g]]), ss, xs)
            xm, sm = opt.update(arith.to_mpmath([[g, -g]]), sm, xm)
        for a, b in zip(xs.flat, xm.flat):
            assert abs(mp.mpf(sp.N(a, 60)) - b) < mp.mpf(10) ** -45
