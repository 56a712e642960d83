r"""Certified witnesses against Kingma & Ba's Theorem 4.1 and Corollary 4.2.

Kingma & Ba, ICLR 2015, arXiv:1412.6980v9, Theorem 4.1 (= Theorem 10.5) and
Corollary 4.2; the instance is Reddi, Kale & Kumar, ICLR 2018, Theorem 1:
on :math:`F = [-1, 1]`, :math:`f_t(x) = Cx` for :math:`t \bmod p = 1` and
:math:`-bx` otherwise.  Reading (stated in every witness): Kingma & Ba's
Algorithm 1 with :math:`\epsilon = 0`, bias-corrected :math:`\hat m_t = m_t/(1-\beta_1^t)`,
:math:`\hat v_t = v_t/(1-\beta_2^t)`, :math:`\beta_{1,t} = \beta_1\lambda^{t-1}`,
:math:`\alpha_t = \alpha/\sqrt t`, followed by the Euclidean projection onto F
(so that the theorem's bounded-iterates hypothesis holds with :math:`D = D_\infty = 2`,
the diameter of F, which also bounds every :math:`|\theta_t - \theta^*|`).

:func:`certify` recomputes everything from the witness JSON alone: the
iterates, by replaying the registry's ``adam`` (:data:`ADAM_KB`) on mpmath values,
and :math:`R(T) = \sum_t f_t(\theta_t) + |S_T|`, at 60 and at 90 digits (both must
agree to 40 digits, so rounding -- including a
projection decided near the boundary -- cannot be the cause), and the bound
as the SymPy expression of :func:`adamlab.theory.regret.bounds.get` at exact
inputs (:math:`\hat v_T` and :math:`\lVert g_{1:T}\rVert_2^2` are rationals),
evaluated to 60 digits.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any

import mpmath as mp
import numpy as np
import sympy as sp

from adamlab.numerics.optimizers import adam, arith

from adamlab.theory.regret import bounds as rb
from adamlab.theory.regret import quantities as rq

from ..methods import games
from ..verdict import digits

RERUN = "adamlab.proofs.checks.adam_exact.certify(evidence['witness'])"
_KEYS = ("C", "period", "slope_other", "beta1", "beta2", "alpha", "lam", "T", "D", "D_inf")


def gradients(C: Fraction, period: int, b: Fraction, T: int) -> list[Fraction]:
    """g_t = C for t = 1 (mod period), -b otherwise, t = 1..T (exact)."""
    return [C if (t - 1) % period == 0 else -b for t in range(1, T + 1)]


#: Kingma & Ba's Algorithm 1 as the ledger reads it, played by the registry's ``adam``:
#: eps = 0, alpha_t = alpha/sqrt(t), beta1_t = beta1 lam^(t-1), bias correction 1 - beta1^t
#: (the "power" reading of the proof of Theorem 10.5)
ADAM_KB = {"fixed": {"eps": 0.0, "eps_mode": "outside", "beta1_correction": "power"},
           "hyper": {"lr": rq.alpha / sp.sqrt(games.t),
                     "betas": (rq.beta1 * rq.lam ** (games.t - 1), rq.beta2)}}


def _play(w: dict, dps: int):
    """(R(T), max_t |theta_t - theta*|, iterate spread) at ``dps`` digits: the registry's
    ``adam`` (:data:`ADAM_KB`) replayed on mpmath values, projected onto [-1, 1]."""
    C, b = Fraction(w["C"]), Fraction(w["slope_other"])
    p, T = int(w["period"]), int(w["T"])
    gs = gradients(C, p, b, T)
    S = sum(gs, Fraction(0))
    star = -1 if S > 0 else 1
    with mp.workdps(dps):
        A = arith.mpmath_arith()
        vals = {k: A.const(Fraction(w[k])) for k in ("alpha", "beta1", "beta2", "lam")}
        opt = games.build("adam", ADAM_KB["fixed"], ADAM_KB["hyper"], vals, A, 1)
        one = A.const(1)
        x = arith.to_mpmath([[Fraction(0)]])
        state = opt.init(x)
        loss, far, lo, hi = mp.mpf(0), mp.mpf(0), mp.mpf(0), mp.mpf(0)
        for g in gs:
            xv = x[0, 0]
            loss += A.const(g) * xv
            far = max(far, abs(xv - star))
            lo, hi = min(lo, xv), max(hi, xv)
            x, state = opt.update(arith.to_mpmath([[g]]), state, x)
            x = np.where(x > one, one, np.where(x < -one, -one, x))
        return loss + abs(A.const(S)), far, hi - lo


def bound_mp(w: dict) -> mp.mpf:
    """The claimed bound at the witness: the SymPy expression of
    :func:`adamlab.theory.regret.bounds.get` lambdified with mpmath, at the current
    precision; its inputs are exact rationals (vhat_T, ||g_(1:T)||_2^2, the parameters)
    rounded once, and two square roots."""
    C, b = Fraction(w["C"]), Fraction(w["slope_other"])
    T = int(w["T"])
    gs = gradients(C, int(w["period"]), b, T)
    b2 = Fraction(w["beta2"])
    v = Fraction(0)
    # v_T by the registry's moment recurrence (adam.ema_update), in exact rationals: the
    # whole step cannot run on Fractions (sqrt(vhat_t) is irrational) and on SymPy numbers
    # each exact sqrt of a t-digit rational costs seconds by t = 300
    for g in gs:
        v = adam.ema_update(v, b2, g, g)
    vh = v / (1 - b2 ** T)
    q = lambda f: mp.mpf(Fraction(f).numerator) / Fraction(f).denominator    # noqa: E731
    Ginf = max(abs(g) for g in gs)
    vals = {rq.T: mp.mpf(T), rq.d: mp.mpf(1), rq.alpha: q(w["alpha"]), rq.beta1: q(w["beta1"]),
            rq.beta2: q(b2), rq.lam: q(w["lam"]), rq.D: q(w["D"]), rq.D_inf: q(w["D_inf"]),
            rq.G_inf: q(Ginf), rq.G: q(Ginf),
            rq.sum_g_norm: mp.sqrt(q(sum((g * g for g in gs), Fraction(0)))),
            rq.sum_sqrt_t_vhat: mp.sqrt(T * q(vh))}
    expr = rb.get(w["claim"]).expr
    syms = sorted(expr.free_symbols, key=lambda s: s.name)
    return sp.lambdify(syms, expr, modules="mpmath")(*[vals[s] for s in syms])


def certify(w: dict[str, Any]) -> dict[str, Any]:
    r"""Re-run a witness from its JSON alone; see the module docs.

    ``w["claim"]`` is "kb.thm4.1" (left side R(T)) or "kb.cor4.2" (left side R(T)/T).
    Returns both sides to 30 digits, the hypotheses and ``violated``.
    """
    if w.get("claim") not in ("kb.thm4.1", "kb.cor4.2"):
        raise ValueError(f"w['claim'] must be 'kb.thm4.1' or 'kb.cor4.2'; got {w.get('claim')!r}")
    for k in _KEYS:
        if k not in w:
            raise ValueError(f"witness lacks {k!r}")
    T = int(w["T"])
    lo_r, far, spread = _play(w, 60)
    hi_r, _, _ = _play(w, 90)
    with mp.workdps(90):
        agree = abs(lo_r - hi_r) < mp.mpf(10) ** -40
        lhs = hi_r / T if w["claim"] == "kb.cor4.2" else hi_r
        rhs = bound_mp(w)
        b1, b2, lam = (Fraction(w[k]) for k in ("beta1", "beta2", "lam"))
        C, b = Fraction(w["C"]), Fraction(w["slope_other"])
        hyps = {"0 <= beta1 < 1, 0 <= beta2 < 1": 0 <= b1 < 1 and 0 <= b2 < 1,
                "gamma = b1^2/sqrt(b2) < 1": b1 ** 4 < b2,
                "lambda in (0, 1)": 0 < lam < 1, "alpha > 0": Fraction(w["alpha"]) > 0,
                "|g_t| <= G_inf = G (d = 1)": True,
                "|theta_t - theta*| <= D = D_inf and |theta_n - theta_m| <= D": bool(
                    far <= int(w["D"].split("/")[0]) / mp.mpf(int(w["D"].split("/")[1]))
                    and spread <= int(w["D"].split("/")[0]) / mp.mpf(int(w["D"].split("/")[1]))
                    and Fraction(w["D"]) == Fraction(w["D_inf"])),
                "60- and 90-digit runs agree to 40 digits": bool(agree),
                "RKK Thm 1's instance: C > 2, period 3, b = 1": C > 2 and int(w["period"]) == 3
                and b == 1}
        ok = all(hyps.values())
        return {"lhs": digits(lhs), "rhs": digits(rhs), "hypotheses": hyps,
                "hypotheses_hold": ok, "violated": bool(ok and lhs - rhs > mp.mpf(10) ** -30)}


def witness(claim: str, C: Fraction, beta2: Fraction, alpha: Fraction, lam: Fraction,
            T: int) -> dict[str, Any]:
    """A certified witness dict for ``claim`` on RKK Thm 1's instance (beta1 = 0)."""
    s = lambda f: f"{Fraction(f).numerator}/{Fraction(f).denominator}"    # noqa: E731
    w = {"claim": claim, "C": s(C), "period": 3, "slope_other": "1/1", "beta1": "0/1",
         "beta2": s(beta2), "alpha": s(alpha), "lam": s(lam), "T": int(T), "theta1": "0/1",
         "D": "2/1", "D_inf": "2/1",
         "reading": "Kingma & Ba's Algorithm 1 (bias-corrected, eps = 0, b1_t = b1 lam^(t-1), "
                    "alpha_t = alpha/sqrt(t)) with Euclidean projection onto F = [-1, 1], "
                    "theta_1 = 0; d = 1, G = G_inf = max|g_t|",
         "rerun": RERUN}
    w["certificate"] = certify(w)
    return w


__all__ = ["bound_mp", "certify", "gradients", "witness"]
