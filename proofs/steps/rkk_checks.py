r"""Local checks of Reddi, Kale & Kumar's proof of Theorem 4 (AMSGrad).

Source: S. J. Reddi, S. Kale and S. Kumar, "On the Convergence of Adam and
Beyond", ICLR 2018, Appendix (proof of Theorem 4, Lemma 2, Lemma 4).  AMSGrad
is their Algorithm 2 (no bias correction):
:math:`m_t=\beta_{1t}m_{t-1}+(1-\beta_{1t})g_t`, :math:`v_t=\beta_2v_{t-1}+(1-\beta_2)g_t^2`,
:math:`\hat v_t=\max(\hat v_{t-1},v_t)`,
:math:`\theta_{t+1}=\Pi_{\mathcal F,\sqrt{\hat V_t}}(\theta_t-\alpha_t m_t/\sqrt{\hat v_t})`,
played here by the registry's ``amsgrad`` (:data:`AMSGRAD_RKK`), exactly on SymPy numbers
(:func:`amsgrad_rounds`) and at 50 digits on mpmath values (Lemma 2).

* :func:`check_projection` -- Lemma 4 for a box and a diagonal weight: the weighted
  projection is clipping and :math:`|\mathrm{clip}(z)-\theta^*|\le|z-\theta^*|` (SymPy,
  by cases);
* :func:`check_expand` -- the square expanded and rearranged (SymPy identity);
* :func:`check_coefficient` -- :math:`\frac{1}{1-\beta_{1t}}X_t\le\frac{1}{1-\beta_1}X_t`
  searched for a violation on exact AMSGrad runs;
* :func:`check_lemma2` -- Lemma 2 at 50 digits on stated runs;
* :func:`check_gamma_amsgrad` -- :math:`\sqrt{t\hat v_t}\ge\sqrt{(t-1)\hat v_{t-1}}` (SymPy).
"""
from __future__ import annotations

import random
from fractions import Fraction

import mpmath as mp
import sympy as sp

from adamlab.numerics.optimizers import arith

from ..checks.adam_exact import ADAM_KB
from ..methods import games
from . import local as pl
from .proof import Outcome

RERUN = ("sum over the rows of adamlab.proofs.steps.rkk_checks.amsgrad_rounds("
         "witness['instance']) of 'lhs' and of 'rhs'")

#: Reddi et al.'s Algorithm 2 as the proof reads it, played by the registry's ``amsgrad``:
#: no bias correction (``amsgrad_mode="reddi"``), eps = 0, and the schedules of Theorem 4,
#: alpha_t = alpha/sqrt(t) and beta1_t = beta1 lam^(t-1) (those of Kingma & Ba's Theorem 4.1)
AMSGRAD_RKK = {"fixed": {"eps": 0.0, "amsgrad_mode": "reddi"}, "hyper": ADAM_KB["hyper"]}


def check_projection(thorough: bool = False) -> Outcome:
    hi, lo = sp.symbols("hi lo", real=True)
    p, r, w = sp.symbols("p r w", nonnegative=True)
    rp_ = sp.Symbol("r", positive=True)
    above = sp.expand(w * ((hi + rp_ - (hi - p)) ** 2 - (hi - (hi - p)) ** 2))  # z = hi + r
    below = sp.expand(w * ((lo - rp_ - (lo + p)) ** 2 - (lo - (lo + p)) ** 2))  # z = lo - r
    ok = bool(above.is_nonnegative) and bool(below.is_nonnegative)
    detail = (f"SymPy, per coordinate with weight w >= 0 (a diagonal sqrt(V_t) makes the "
              f"weighted projection onto a box coordinatewise clipping), theta* in [lo, hi]: "
              f"z = hi + r gives w((z-theta*)^2 - (hi-theta*)^2) = {above} >= 0; z = lo - r "
              f"gives {below} >= 0; z inside the box is left unchanged")
    return Outcome("proved" if ok else "unproved", detail)


def check_expand(thorough: bool = False) -> Outcome:
    x, g, mprev, b1t = sp.symbols("x g m_prev b1t", real=True)
    s, a = sp.symbols("s a", positive=True)
    m = b1t * mprev + (1 - b1t) * g
    rhs = (s * x**2 - s * (x - a * m / s) ** 2) / (2 * a) + a * m**2 / (2 * s) - b1t * mprev * x
    return pl.identity((1 - b1t) * g * x - rhs,
                       "(1-b1t) g x = [s x^2 - s (x - a m/s)^2]/(2a) + a m^2/(2s) - b1t m_prev x "
                       "with m = b1t m_prev + (1-b1t) g, s = sqrt(vhat_t), a = alpha_t")


def check_young(thorough: bool = False) -> Outcome:
    return pl.young(thorough)


def amsgrad_rounds(instance: dict) -> list[dict]:
    r"""One coordinate of AMSGrad on F = [lo, hi], exactly (SymPy), with
    :math:`\alpha_t=\alpha/\sqrt t`, :math:`\beta_{1t}=\beta_1\lambda^{t-1}`.  ``instance``:
    ``beta1, beta2, lam, alpha, lo, hi, theta1, theta_star, gradients``.  Per round: the
    per-round term :math:`\frac{\sqrt{\hat v_t}X_t}{2\alpha_t(1-\beta_{1t})}` (lhs) and the
    same with :math:`1-\beta_1` (rhs), :math:`X_t=(\theta_t-\theta^*)^2-(\theta_{t+1}-\theta^*)^2`.
    The iterates are the registry's ``amsgrad`` (:data:`AMSGRAD_RKK`) replayed on SymPy numbers,
    each clipped to [lo, hi] (the weighted projection onto a box); :math:`\alpha_t`,
    :math:`\beta_{1t}` are its hyperparameters at step t and :math:`\hat v_t` its ``vmax``."""
    r = {k: sp.Rational(str(Fraction(v))) for k, v in instance.items() if k != "gradients"}
    gs = [sp.Rational(str(Fraction(v))) for v in instance["gradients"]]
    b1, b2, lam, alpha, lo, hi = (r[k] for k in ("beta1", "beta2", "lam", "alpha", "lo", "hi"))
    if not (0 <= b1 < 1 and 0 < b2 < 1 and 0 < lam <= 1 and alpha > 0 and lo < hi
            and b1**2 < b2):
        raise ValueError("instance: need 0 <= beta1 < sqrt(beta2) < 1, 0 < lam <= 1, "
                         "alpha > 0, lo < hi")
    A = arith.sympy_arith()
    opt = games.build("amsgrad", AMSGRAD_RKK["fixed"], AMSGRAD_RKK["hyper"],
                      {"alpha": alpha, "beta1": b1, "beta2": b2, "lam": lam}, A, 1)
    out = []
    for t, h, (th,), (nxt,), state in games.replay_exact(opt, [r["theta1"]],
                                                         [[g] for g in gs], clip=(lo, hi)):
        at, b1t = h["lr"], h["betas"][0]
        vh = state.vmax[0, 0]
        if vh == 0:
            raise ValueError(f"vhat_{t} = 0: the step is undefined")
        X = (th - r["theta_star"]) ** 2 - (nxt - r["theta_star"]) ** 2
        base = sp.sqrt(vh) * X / (2 * at)
        out.append({"t": t, "theta": th, "theta_next": nxt, "lhs": base / (1 - b1t),
                    "rhs": base / (1 - b1)})
    return out


_BASE = {"beta1": Fraction(9, 10), "beta2": Fraction(99, 100), "lam": Fraction(1, 2),
         "alpha": Fraction(1, 100), "lo": -1, "hi": 1, "theta1": 0}
_CANDIDATES = ((-1, Fraction(1, 2)), (1, Fraction(-1, 2)), (-1, 1, -1), (-1, Fraction(1, 2), -1))


def check_coefficient(thorough: bool = False) -> Outcome:
    r"""Search structured AMSGrad runs for :math:`\sum_t B_tX_t/(1-\beta_{1t}) >
    \sum_t B_tX_t/(1-\beta_1)` (:math:`B_t=\sqrt{\hat v_t}/(2\alpha_t)`), summed over T rounds."""
    tried = 0
    for gs in _CANDIDATES[: None if thorough else 2]:
        gs = [Fraction(v) for v in gs]
        tot = sum(gs)
        if tot == 0:
            continue
        inst = dict(_BASE, gradients=gs, theta_star=_BASE["lo"] if tot > 0 else _BASE["hi"])
        rows = amsgrad_rounds(inst)
        tried += 1
        lhs, rhs = sum(rw["lhs"] for rw in rows), sum(rw["rhs"] for rw in rows)
        if pl.certify_gt(lhs, rhs):
            away = pl.moving_away(rows)
            w = pl.witness(inst, len(gs), lhs, rhs,
                           "f_t(theta) = g_t theta on F = [-1, 1]; theta* = the best fixed point; "
                           f"both sides summed over t = 1..T; in round(s) {away} the iterate moves "
                           "away from theta* (X_t < 0), where 1/(1-b1t) < 1/(1-b1)", RERUN)
            return Outcome("refuted", f"AMSGrad with (b1, b2, lambda, alpha) = (9/10, 99/100, "
                           f"1/2, 1/100) on [-1, 1], T = {len(gs)}, g = "
                           f"({', '.join(pl.q(v) for v in gs)}), theta* = {inst['theta_star']}: "
                           f"summed left {w['lhs'][:12]} > summed right {w['rhs'][:12]} (exact, "
                           f"certified at {pl.DIGITS} digits); X_t < 0 in round(s) {away}", w)
    return Outcome("unproved", f"no violation among {tried} structured runs (this is not "
                               "a proof)")


def _lemma2_sides(b1, b2, lam, alpha, grads):
    r"""Both sides of RKK Lemma 2 for one coordinate at the current mpmath precision.

    The left side :math:`\sum_t\alpha_t m_t^2/\sqrt{\hat v_t}` is read off the registry's
    ``amsgrad`` (:data:`AMSGRAD_RKK`) replayed on mpmath values: its step from
    :math:`\theta = 0` is :math:`-\alpha_t m_t/\sqrt{\hat v_t}` (0 while
    :math:`\hat v_t = 0`), times its first moment :math:`m_t`."""
    A = arith.mpmath_arith()
    opt = games.build("amsgrad", AMSGRAD_RKK["fixed"], AMSGRAD_RKK["hyper"],
                      {"alpha": alpha, "beta1": b1, "beta2": b2, "lam": lam}, A, 1)
    zero = arith.to_mpmath([[0]])
    state, lhs = opt.init(zero), mp.mpf(0)
    for g in grads:
        step, state = opt.update(arith.to_mpmath([[g]]), state, zero)
        lhs += -step[0, 0] * state.m[0, 0]
    T = len(grads)
    gam = b1 / mp.sqrt(b2)
    rhs = (alpha * mp.sqrt(1 + mp.log(T)) / ((1 - b1) * (1 - gam) * mp.sqrt(1 - b2))
           * mp.sqrt(mp.fsum(g * g for g in grads)))
    return lhs, rhs


def _sequences(T: int, seed: int):
    rng = random.Random(seed)
    yield "t^(-1/2)", [1 / mp.sqrt(n) for n in range(1, T + 1)]
    yield "random rationals in [-1, 1]", [mp.mpf(rng.randint(-1000, 1000)) / 1000
                                          for _ in range(T)]
    yield "one spike then 1/100", [mp.mpf(1)] + [mp.mpf(1) / 100] * (T - 1)


def check_lemma2(thorough: bool = False) -> Outcome:
    params = (("0", "1/2", "1"), ("9/10", "999/1000", "1"), ("9/10", "999/1000", "1/2"),
              ("1/2", "1/2", "99/100"), ("3/10", "1/10", "1"))
    Ts = (1, 2, 10, 100, 1000) if thorough else (1, 2, 10, 60)
    worst, n, where = mp.mpf(0), 0, ""
    with mp.workdps(50):
        for b1s, b2s, ls in params:
            b1, b2, lam = (mp.mpf(Fraction(s).numerator) / Fraction(s).denominator
                           for s in (b1s, b2s, ls))
            for T in Ts:
                for name, gs in _sequences(T, seed=T):
                    lhs, rhs = _lemma2_sides(b1, b2, lam, mp.mpf(1) / 10, gs)
                    n += 1
                    ratio = lhs / rhs if rhs > 0 else mp.mpf(0)
                    if ratio > worst:
                        worst = ratio
                        where = f"(b1, b2, lambda) = ({b1s}, {b2s}, {ls}), T = {T}, {name}"
                    if lhs > rhs * (1 + mp.mpf(10) ** -40):
                        return Outcome("refuted", f"Lemma 2 fails at {where}: left "
                                       f"{mp.nstr(lhs, 20)} > right {mp.nstr(rhs, 20)} (50 digits)",
                                       {"instance": {"beta1": b1s, "beta2": b2s, "lam": ls,
                                                     "alpha": "1/10", "T": T, "sequence": name},
                                        "lhs": mp.nstr(lhs, 30), "rhs": mp.nstr(rhs, 30)})
        worst_s = mp.nstr(worst, 8)
    grid = ", ".join(f"({a}, {b}, {c})" for a, b, c in params)
    return Outcome("verified", f"both sides at 50 digits on {n} AMSGrad runs (alpha = 1/10; "
                               f"(b1, b2, lambda) in {{{grid}}}; T in {list(Ts)}; g_t = "
                               "t^(-1/2), random rationals in [-1, 1] (seed T), one spike then "
                               "1/100): left <= right (1 + 1e-40) everywhere; largest ratio "
                               f"left/right {worst_s}, at {where}")


def check_gamma_amsgrad(thorough: bool = False) -> Outcome:
    w, u, n = sp.symbols("w u n", nonnegative=True)      # vhat_(t-1) = w, vhat_t = w + u, t = n+1
    diff = sp.expand((n + 1) * (w + u) - n * w)
    ok = bool(diff.is_nonnegative)
    return Outcome("proved" if ok else "unproved",
                   f"SymPy: vhat_t = max(vhat_(t-1), v_t) = w + u with u >= 0, t = n + 1: "
                   f"(t vhat_t) - ((t-1) vhat_(t-1)) = {diff} >= 0, so sqrt(vhat_t)/alpha_t = "
                   "sqrt(t vhat_t)/alpha is non-decreasing (sqrt is increasing): Gamma_t >= 0")


__all__ = ["amsgrad_rounds", "check_coefficient", "check_expand", "check_gamma_amsgrad",
           "check_lemma2", "check_projection", "check_young"]
