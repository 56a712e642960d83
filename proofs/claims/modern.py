r"""Claims about the methods after RAdam and about low precision (issue 20).

Sources: [Lion] Chen et al., "Symbolic Discovery of Optimization Algorithms", NeurIPS
2023, Algorithm 2 (the update is a sign, so its entries have one magnitude); the float16
epsilon question of optax issue #1754 and pytorch issue #147437 (Adam's eps = 1e-8 is
below float16's smallest positive number, 2^-24).  The printed rules are transcribed in
:mod:`.algorithms`; nothing here uses adamlab's own optimizers.
"""
from __future__ import annotations

import sympy as sp

from ..claim import Claim, Quantifier
from ..methods.combine import AllOf, Part
from ..methods.precision import EveryStep, LowPrecision
from . import algorithms as al
from .algorithms import eta, lam, theta
from .notation import Tex

_ADAM = {"eta": "1/1000", "rho_1": "9/10", "rho_2": "999/1000", "theta_0": 1}
_GRADS = (0, "1/2", "-3/4", 2, "1/8", 0, -1)
_RANDOM = ("3/4", "-1/3", "5/2", "-2", "1/16", "7/5", "-9/8")


def _adam_runs(eps):
    return (("zero first gradient", dict(_ADAM, epsilon=eps), _GRADS),
            ("nonzero gradients", dict(_ADAM, epsilon=eps), _RANDOM))


def _eps_sides(rounded):
    """The claim's sides: float16(eps) (exact) and 0."""
    return rounded["epsilon"], 0


def _lion_step(before, after, g, params):
    """|theta_t - theta_(t-1) + eta lambda theta_(t-1)| = eta (the update's magnitude)."""
    th0, th1 = before[theta], after[theta]
    return sp.Eq(sp.Abs(th1 - th0 + params[eta] * params[lam] * th0), params[eta],
                 evaluate=False)


_LION = {"eta": "1/10", "rho_1": "9/10", "rho_2": "99/100", "lambda": "1/100", "theta_0": 2}

CLAIMS = (
    Claim("prec.adam-eps-fp16", "optax#1754 / pytorch#147437 (the float16 eps question)",
          "Adam with eps = 1e-8 in float16 never divides by zero.",
          lambda: sp.Gt(Tex("fl16eps", r"\mathrm{fl}_{16}(\epsilon)"), 0),
          AllOf((Part("float16, eps = 1e-8: no floating-point exception on any step",
                      LowPrecision(al.ADAM_TORCH, "float16", _adam_runs("1/100000000"),
                                   _eps_sides)),
                 Part("float16, eps = 1e-4 (representable): no exception",
                      LowPrecision(al.ADAM_TORCH, "float16", _adam_runs("1/10000")),
                      "reading"),
                 Part("float32, eps = 1e-8: no exception",
                      LowPrecision(al.ADAM_TORCH, "float32", _adam_runs("1/100000000")),
                      "reading")),
                reading="torch.optim.Adam's update (eps outside the root) computed in float16, "
                        "every operation rounded to float16; 'divides by zero' read as any "
                        "floating-point exception (x/0 or 0/0) in a step",
                corrected="In float16, eps = 1e-8 rounds to 0 (the smallest positive float16 "
                          "is 2^-24, about 6.0e-8), so a step whose second moment is 0 (a "
                          "zero gradient so far) computes 0/0. With an eps that float16 "
                          "represents (e.g. 1e-4), or in float32, the denominator stays "
                          "positive on the same runs."),
          lambda: ("dtype = float16", "eps = 1e-8", "Adam as torch.optim.Adam"),
          Quantifier("adam", {"eps": 1e-8, "dtype": "float16"},
                     "gradient sequences with a zero first gradient, and nonzero ones")),
    Claim("lion.update-magnitude", "[Lion] Chen et al. 2023, Algorithm 2",
          "Every entry of Lion's update has magnitude exactly lr (plus the decoupled decay "
          "term lr*lambda*theta).",
          lambda: sp.Eq(sp.Abs(Tex("dtheta_lion", r"\Delta\theta_t")
                               + eta * lam * Tex("theta_prev", r"\theta_{t-1}")), eta),
          AllOf((Part("at every step of every run",
                      EveryStep(al.LION_PAPER, _lion_step,
                                (("zero first gradient", _LION, _GRADS),
                                 ("nonzero gradients", _LION, _RANDOM)),
                                "|theta_t - theta_(t-1) + lr lambda theta_(t-1)| = lr")),
                 Part("wherever c_t = b1 m_(t-1) + (1-b1) g_t is not 0",
                      EveryStep(al.LION_PAPER, _lion_step,
                                (("nonzero gradients", _LION, _RANDOM),),
                                "|theta_t - theta_(t-1) + lr lambda theta_(t-1)| = lr"),
                      "reading")),
                reading="the paper's Algorithm 2 with sign(0) = 0 (the paper's code and "
                        "optax.lion use sign functions with sign(0) = 0)",
                corrected="Each entry of Lion's update is lr * sign(c_t) + lr*lambda*theta: "
                          "of magnitude exactly lr where c_t = b1 m_(t-1) + (1-b1) g_t is "
                          "not 0, and 0 where it is (e.g. a coordinate whose gradients so "
                          "far are all 0)."),
          lambda: ("sign(0) = 0",), Quantifier("lion", {}, "exact runs")),
)

__all__ = ["CLAIMS"]
