r"""Ledger checks decided by :mod:`adamlab.theory`: the effective step and the moments.

Every verdict is computed here from the exact suprema of
:mod:`adamlab.theory.step_bounds` (derived by Cauchy--Schwarz / Hölder and
checked by :meth:`~adamlab.theory.results.Result.check`), never written in:

* a bound claim is compared with the exact supremum *symbolically* on its
  whole hypothesis region (the t = 2 and t -> oo gaps as factored SymPy
  expressions) and on a grid of exact rational betas;
* a violation gets a witness -- betas, t and the gradient sequence as exact
  rationals -- certified by running Algorithm 1 (or 2) in
  :class:`fractions.Fraction` arithmetic and comparing *squares of rationals*
  with the claimed bound; :func:`certify_witness` re-runs it from its JSON;
* ``refuted-as-stated`` is returned only when the corrected statement (the
  exact supremum) passes its own check; otherwise ``refuted``.

Sources: Kingma & Ba, ICLR 2015, arXiv:1412.6980v9, §2, §2.1, §3, §5, §7.1, §7.2.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any

import sympy as sp

from adamlab.theory import recursions, step_bounds
from adamlab.theory.adam_step import (ADAM_SUP_B2_ZERO, ADAM_SUP_CASES, ADAM_SUP_LIMIT,
                                      ADAM_SUP_RESULT, ADAM_SUP_SQ_INF, ADAM_T2_GAP)
from adamlab.theory.adamax_step import ADAMAX_SUP_LIMIT, ADAMAX_SUP_RESULT, ADAMAX_T2_EXCESS
from adamlab.theory.scale_invariance import SCALE_INVARIANCE
from adamlab.theory.symbols import beta1 as B1, beta2 as B2

from ..verdict import Verdict, digits

KB = "Kingma & Ba, arXiv:1412.6980v9"
KB_DEFAULTS = (Fraction(9, 10), Fraction(999, 1000))     # KB's defaults (Algorithms 1, 2)
_B1S = ("0", "1/100", "1/10", "1/2", "9/10", "95/100", "99/100")
_B2S = ("1/10", "1/2", "9/10", "99/100", "999/1000", "9999/10000")
_B1S_THOROUGH = _B1S + ("1/3", "2/3", "8/10", "999/1000")
_B2S_THOROUGH = _B2S + ("1/100", "1/4", "3/4", "99999/100000")


def rational_text(x) -> str:
    x = Fraction(x)
    return f"{x.numerator}/{x.denominator}"


def rational(x) -> sp.Rational:
    x = Fraction(x)
    return sp.Rational(x.numerator, x.denominator)


def _bound_sq(claim_bound: str, b1: Fraction, b2: Fraction) -> Fraction:
    """The square of a claimed bound on |Delta_t|/alpha."""
    if claim_bound == "(1-b1)/sqrt(1-b2)":
        return (1 - b1) ** 2 / (1 - b2)
    if claim_bound == "1":
        return Fraction(1)
    raise ValueError(f"unknown bound {claim_bound!r}")


def certify_witness(w: dict[str, Any]) -> dict[str, Any]:
    r"""Re-run a witness from its JSON alone, in exact rational arithmetic.

    ``w`` has ``optimizer`` ("adam" | "adamax"), ``beta1``, ``beta2`` (strings
    'p/q'), ``gradients`` (strings 'p/q'; t = their number) and ``bound`` (the
    claimed bound on :math:`|\Delta_t|/\alpha`, "1" or "(1-b1)/sqrt(1-b2)").
    Runs Algorithm 1 (or 2) with :math:`\epsilon = 0` and returns the exact
    squares and whether the ratio exceeds (or, with ``strict``, reaches) the bound.
    """
    b1, b2 = Fraction(w["beta1"]), Fraction(w["beta2"])
    gs = [Fraction(x) for x in w["gradients"]]
    if w["optimizer"] == "adam":
        ratio_sq = recursions.adam_ratio_squared(b1, b2, gs)
    elif w["optimizer"] == "adamax":
        ratio_sq = recursions.adamax_ratio(b1, b2, gs) ** 2
    else:
        raise ValueError(f"unknown optimizer {w['optimizer']!r}")
    bound_sq = _bound_sq(w["bound"], b1, b2)
    violated = ratio_sq >= bound_sq if w.get("strict") else ratio_sq > bound_sq
    return {"ratio_squared": rational_text(ratio_sq), "bound_squared": rational_text(bound_sq),
            "violated": bool(violated), "ratio": float(ratio_sq) ** 0.5,
            "bound": float(bound_sq) ** 0.5}


def _witness(opt: str, b1: Fraction, b2: Fraction, t: int, bound: str, strict=False):
    """The maximizing sequence at (b1, b2, t) as exact rationals, certified.  When its exact
    entries are long, they are rounded to 15 significant decimal digits (still exact
    rationals, and the ratio is flat at its maximum); the rounded sequence is kept only if it
    certifies, else the exact maximizer is used."""
    maxi = step_bounds.adam_maximizer if opt == "adam" else step_bounds.adamax_maximizer
    exact = [rational_text(Fraction(int(x.p), int(x.q)))
             for x in maxi(rational(b1), rational(b2), t)]
    w = {"optimizer": opt, "beta1": rational_text(b1), "beta2": rational_text(b2), "t": t,
         "eps": "0",
         "gradients": exact, "gradients_are": "the exact maximizer", "bound": bound,
         "strict": strict,
         "rerun": "adamlab.proofs.checks.step_size.certify_witness(evidence['witness'])"}
    if max(len(x) for x in exact) > 40:
        short = dict(w, gradients=[rational_text(Fraction(f"{float(Fraction(x)):.14e}"))
                                   for x in exact],
                     gradients_are="the maximizer rounded to 15 significant digits (exact "
                                   "rationals)")
        if certify_witness(short)["violated"]:
            w = short
    w["certificate"] = certify_witness(w)
    w["sup_squared_exact"] = rational_text(_sup_sq(b1, b2, t)) if opt == "adam" else rational_text(
        Fraction(int(step_bounds.adamax_sup_ratio(rational(b1), rational(b2), t).p),
                 int(step_bounds.adamax_sup_ratio(rational(b1), rational(b2), t).q)) ** 2)
    return w


def _sup_sq(b1, b2, t) -> Fraction:
    x = step_bounds.adam_sup_squared(rational(b1), rational(b2), t)
    return Fraction(int(x.p), int(x.q))


def _sup_sq_fast(b1: Fraction, b2: Fraction, t: int) -> Fraction:
    """The same exact value through the Fraction-lambdified closed form (no validation)."""
    return Fraction(step_bounds.adam_sup_squared_fraction(b1, b2, t))


def _first_t_above(b1, b2, bound_sq: Fraction, t_max: int):
    """Smallest t <= t_max with sup_t^2 > bound_sq (exact), else None."""
    for t in range(1, t_max + 1):
        if _sup_sq_fast(b1, b2, t) > bound_sq:
            return t
    return None


def _sup_inf_sq(b1, b2) -> Fraction | None:
    """lim_t sup_t^2 exactly (None when infinite, b1^2 >= b2)."""
    if b1 * b1 >= b2:
        return None
    x = sp.Rational(ADAM_SUP_SQ_INF.subs({B1: rational(b1), B2: rational(b2)}))
    return Fraction(int(x.p), int(x.q))


def _tail_start(b1, b2, bound_sq: Fraction, t_from: int) -> int | None:
    r"""A T with sup_t^2 > bound_sq for every t >= T, from the gap identity
    sup_t^2 = sup_inf^2 (1-b2^t)(1-gamma^t)/(1-b1^t)^2 >= sup_inf^2 (1-b2^t)(1-gamma^t),
    whose right side increases in t (gamma = b1^2/b2 < 1)."""
    gam = b1 * b1 / b2
    if gam >= 1:
        return None
    inf_sq = _sup_inf_sq(b1, b2)
    for t in range(t_from, t_from + 20000):
        if inf_sq * (1 - b2**t) * (1 - gam**t) > bound_sq:
            return t
    return None


def _grid(thorough, keep):
    b1s, b2s = (_B1S_THOROUGH, _B2S_THOROUGH) if thorough else (_B1S, _B2S)
    return [(Fraction(a), Fraction(b)) for a in b1s for b in b2s if keep(Fraction(a), Fraction(b))]


def _corrected_ok(*results) -> tuple[bool, list[str]]:
    reps = [r.check() for r in results]
    return all(r.ok for r in reps), [r.summary() for r in reps]


def _decide(claim_id, violated, summary, evidence, corrected, *results):
    """refuted-as-stated when a certified witness exists and the corrected statement's own
    results check; refuted when they do not; pending when nothing was certified (a grid
    without a violation proves nothing)."""
    if not violated or not evidence["witness"]["certificate"]["violated"]:
        return Verdict(claim_id, "pending", "no certified violation found (not a proof)",
                       evidence)
    ok, reps = _corrected_ok(*results)
    evidence["corrected_checks"] = reps
    cert = evidence["witness"]["certificate"]      # |Delta_t|/alpha and its bound, exactly
    evidence["lhs"] = digits(sp.sqrt(sp.Rational(cert["ratio_squared"])))
    evidence["rhs"] = digits(sp.sqrt(sp.Rational(cert["bound_squared"])))
    return Verdict(claim_id, "refuted-as-stated" if ok else "refuted", summary, evidence,
                   corrected if ok else None)


_ADAM_SUP_TEXT = ("sup_g |Delta_t|/alpha = (1-b1)/(1-b1^t) * sqrt((1-b2^t)/(1-b2) * "
                  "sum_{k<t} (b1^2/b2)^k) (b2 > 0), attained at g_i = (b1/b2)^(t-i)")


# ---- KB §2.1, case (a) ----------------------------------------------------------------
def check_step_bound_a(thorough: bool = False) -> Verdict:
    region = lambda a, b: (1 - a) ** 2 > 1 - b                      # (1-b1) > sqrt(1-b2)
    ratio = sp.factor(sp.simplify(ADAM_SUP_SQ_INF / ((1 - B1) ** 2 / (1 - B2))))
    # sup_inf^2 / bound^2 = b2/(b2 - b1^2) = 1/(1 - gamma) > 1 iff b1 > 0 (gamma < 1);
    # gamma >= 1: sup_inf = oo.  Confirmed on the grid below, exactly.
    symbolic_ok = sp.simplify(ratio - B2 / (B2 - B1**2)) == 0
    # on the grid: the printed bound fails for some t iff sup_inf > bound (sup_t -> sup_inf
    # from below: gap identity), decided exactly with squares of rationals
    rows = []
    for b1, b2 in _grid(thorough, region):
        bsq = _bound_sq("(1-b1)/sqrt(1-b2)", b1, b2)
        inf_sq = _sup_inf_sq(b1, b2)
        rows.append({"beta1": rational_text(b1), "beta2": rational_text(b2),
                     "sup_inf_sq": rational_text(inf_sq) if inf_sq is not None else "oo",
                     "exceeded_for_large_t": inf_sq is None or inf_sq > bsq})
    b1, b2 = KB_DEFAULTS
    bsq = _bound_sq("(1-b1)/sqrt(1-b2)", b1, b2)
    t_star = _first_t_above(b1, b2, bsq, 5000)
    tail = _tail_start(b1, b2, bsq, t_star) if t_star else None
    all_after = tail is not None and all(_sup_sq_fast(b1, b2, t) > bsq
                                         for t in range(t_star, tail))
    w = _witness("adam", b1, b2, t_star, "(1-b1)/sqrt(1-b2)") if t_star else None
    evidence = {"symbolic": {"sup_inf_sq_over_bound_sq": str(ratio),
                             "equals_b2_over_b2_minus_b1sq": bool(symbolic_ok)},
                "grid": rows,
                "grid_points_exceeded": sum(r["exceeded_for_large_t"] for r in rows),
                "grid_points_exceeded_with_b1_0": sum(r["exceeded_for_large_t"] for r in rows
                                                      if r["beta1"] == "0/1"),
                "witness": w, "default_betas_first_t": t_star,
                "default_betas_fails_for_all_t_from": t_star if all_after else None,
                "tail_from_gap_identity": tail}
    violated = w is not None
    summary = (f"refuted: at the defaults (0.9, 0.999) sup|Delta_t|/alpha first exceeds "
               f"(1-b1)/sqrt(1-b2) = {w['certificate']['bound']:.6g} at t = {t_star} "
               f"({w['certificate']['ratio']:.6g}, exact)"
               + (f", and for every t >= {t_star}" if all_after else "") + "; "
               f"limit {float(step_bounds.adam_sup_ratio(0.9, 0.999, sp.oo)):.6g}"
               if violated else "no violation found")
    corrected = (f"{_ADAM_SUP_TEXT}; for b1^2 < b2 it is <= (1-b1)/sqrt((1-b2)(1-b1^2/b2)) for "
                 f"all t, unbounded in t otherwise. The printed bound holds for every t iff "
                 f"b1 = 0; at (0.9, 0.999) it holds exactly for t < {t_star}"
                 + (f" and fails for every t >= {t_star}." if all_after else "."))
    return _decide("kb.sec2.1.step-bound-a", violated, summary, evidence, corrected,
                   ADAM_SUP_RESULT, ADAM_SUP_LIMIT, ADAM_SUP_CASES)


# ---- KB §2.1, case (b) ----------------------------------------------------------------
def check_step_bound_b(thorough: bool = False) -> Verdict:
    region = lambda a, b: (1 - a) ** 2 <= 1 - b and b > 0            # (1-b1) <= sqrt(1-b2)
    symbolic_ok = sp.simplify(ADAM_T2_GAP - (B1 - B2) ** 2 / (B2 * (1 + B1) ** 2)) == 0
    rows = []
    for b1, b2 in _grid(thorough, region):
        rows.append({"beta1": rational_text(b1), "beta2": rational_text(b2),
                     "sup2_sq_minus_1": rational_text(_sup_sq(b1, b2, 2) - 1),
                     "sup_inf": str(step_bounds.adam_sup_ratio(rational(b1), rational(b2), sp.oo))})
    viol = [(Fraction(r["beta1"]), Fraction(r["beta2"])) for r in rows
            if Fraction(r["sup2_sq_minus_1"]) > 0]
    if viol:   # the strongest witness at t = 2 (largest excess on the grid)
        pick = max(viol, key=lambda ab: _sup_sq(*ab, 2))
    w = _witness("adam", *pick, 2, "1") if viol else None
    evidence = {"symbolic": {"sup_2^2 - 1": str(ADAM_T2_GAP), "is_(b1-b2)^2/(b2(1+b1)^2)":
                             bool(symbolic_ok)},
                "grid": rows, "witness": w,
                "grid_points_violating_at_t2": len(viol), "grid_points": len(rows)}
    common = [r for r in rows if (r["beta1"], r["beta2"]) == ("99/100", "999/1000")]
    summary = (f"refuted: (b1, b2) = ({w['beta1']}, {w['beta2']}) satisfies "
               f"(1-b1) <= sqrt(1-b2), yet at t = 2 sup|Delta_t|/alpha = "
               f"{w['certificate']['ratio']:.10g} > 1 (exact); sup_2^2 - 1 = "
               f"(b1-b2)^2/(b2(1+b1)^2) > 0 whenever b1 != b2 ({len(viol)}/{len(rows)} grid "
               f"points)" + (f"; at (0.99, 0.999) the supremum tends to "
                             f"{float(sp.sympify(common[0]['sup_inf'])):.4g}" if common else "")
               if w else "no violation found")
    corrected = (f"{_ADAM_SUP_TEXT}. |Delta_t| <= alpha for every t and every gradient "
                 f"sequence iff b1 = b2 (then the supremum is exactly 1, attained); "
                 f"beta2 = 0 < b1 gives an unbounded step.")
    return _decide("kb.sec2.1.step-bound-b", bool(w), summary, evidence, corrected,
                   ADAM_SUP_RESULT, ADAM_SUP_CASES, ADAM_SUP_B2_ZERO)


# ---- KB §2.1, the equality case ---------------------------------------------------------
def check_step_bound_equal(thorough: bool = False) -> Verdict:
    on_curve = B1 * (2 - B1)                                 # (1-b1)^2 = 1 - b2
    gap2 = sp.factor(sp.simplify(ADAM_T2_GAP.subs(B2, on_curve)))
    if sp.simplify(gap2 - B1 * (1 - B1) ** 2 / ((2 - B1) * (1 + B1) ** 2)) == 0:
        gap2 = "b1 (1-b1)^2/((2-b1)(1+b1)^2)"          # the same expression, written readably
    inf_sq = sp.factor(sp.simplify(ADAM_SUP_SQ_INF.subs(B2, on_curve)))
    rows, witness = [], None
    for a in (_B1S_THOROUGH if thorough else _B1S):
        b1 = Fraction(a)
        b2 = b1 * (2 - b1)
        if b2 == 0:
            continue
        rows.append({"beta1": rational_text(b1), "beta2": rational_text(b2),
                     "sup2_sq_minus_1": rational_text(_sup_sq(b1, b2, 2) - 1)})
    viol = [r for r in rows if Fraction(r["sup2_sq_minus_1"]) > 0]
    if viol:   # the strict claim fails at t = 2 with ratio > 1 (not merely = 1): the largest excess
        pick = max(viol, key=lambda r: Fraction(r["sup2_sq_minus_1"]))
        witness = _witness("adam", Fraction(pick["beta1"]), Fraction(pick["beta2"]), 2, "1",
                           strict=True)
    t1 = certify_witness({"optimizer": "adam", "beta1": "1/2", "beta2": "3/4", "gradients": ["1"],
                          "bound": "1", "strict": True})
    evidence = {"symbolic": {"on the curve b2 = b1(2-b1): sup_2^2 - 1": str(gap2),
                             "sup_inf^2": str(inf_sq)},
                "t1_equality": t1, "grid": rows, "witness": witness}
    summary = (f"refuted: on (1-b1) = sqrt(1-b2) the ratio is exactly 1 at t = 1 for every g_1 "
               f"(never < 1), and for t >= 2, b1 > 0 it exceeds 1: at (b1, b2) = "
               f"({witness['beta1']}, {witness['beta2']}), t = 2, |mhat/sqrt(vhat)| = "
               f"{witness['certificate']['ratio']:.10g} (exact); sup_2^2 - 1 = {gap2}"
               if witness else "no violation found")
    if sp.simplify(inf_sq - (2 - B1) / (2 * (1 - B1))) == 0:
        inf_sq = "(2-b1)/(2(1-b1))"                    # the same expression, written readably
    corrected = (f"On b2 = b1(2-b1): {_ADAM_SUP_TEXT}; it equals 1 at t = 1, exceeds 1 for every "
                 f"t >= 2 when b1 > 0, and its square tends to {inf_sq} as t -> oo. "
                 f"|mhat_t/sqrt(vhat_t)| <= 1 holds only for t = 1 or b1 = 0.")
    return _decide("kb.sec2.1.step-bound-equal", bool(witness), summary, evidence, corrected,
                   ADAM_SUP_RESULT, ADAM_SUP_CASES, ADAM_SUP_LIMIT)


# ---- KB §2.1, scale invariance -------------------------------------------------------------
def check_scale_invariance(thorough: bool = False) -> Verdict:
    rep = SCALE_INVARIANCE.check()
    return Verdict("kb.sec2.1.scale-invariance", "proved" if rep.ok else "pending",
                   f"{rep.method}: (m_t, v_t)(c g) = (c m_t, c^2 v_t), so "
                   f"Delta_t(c g) = Delta_t(g) "
                   f"for c > 0, eps = 0 (also AdaMax's u_t); with eps > 0 the difference is "
                   f"alpha mhat eps (c-1)/((c sqrt(vhat)+eps)(sqrt(vhat)+eps)) != 0",
                   {"check": rep.to_json()})


# ---- KB §7.1, AdaMax --------------------------------------------------------------------------
def check_adamax_step_bound(thorough: bool = False) -> Verdict:
    symbolic_ok = sp.simplify(ADAMAX_T2_EXCESS - B1 * (1 - B2) / (B2 * (1 + B1))) == 0
    rows = [{"beta1": rational_text(a), "beta2": rational_text(b),
             "sup_2": str(step_bounds.adamax_sup_ratio(rational(a), rational(b), 2)),
             "sup_inf": str(step_bounds.adamax_sup_ratio(rational(a), rational(b), sp.oo))}
            for a, b in _grid(thorough, lambda a, b: True)]
    b1, b2 = KB_DEFAULTS
    excess = step_bounds.adamax_sup_ratio(rational(b1), rational(b2), 2) - 1
    w = _witness("adamax", b1, b2, 2, "1") if excess > 0 else None
    evidence = {"symbolic": {"sup_2 - 1": str(ADAMAX_T2_EXCESS),
                             "is_b1(1-b2)/(b2(1+b1))": bool(symbolic_ok)},
                "grid": rows, "witness": w,
                "grid_points_above_1_at_t2": sum(bool(sp.Rational(r["sup_2"]) > 1) for r in rows)}
    summary = (f"refuted: AdaMax at its defaults (0.9, 0.999), t = 2, g = (1000/999, 1): "
               f"|Delta_2|/alpha = "
               f"{step_bounds.adamax_sup_ratio(rational(b1), rational(b2), 2)} > 1 (exact); "
               f"sup_2 - 1 = b1(1-b2)/(b2(1+b1)) > 0 whenever b1 > 0; limit "
               f"{step_bounds.adamax_sup_ratio(rational(b1), rational(b2), sp.oo)}"
               if w else "no violation")
    corrected = ("sup_g |Delta_t|/alpha = (1-b1)/(1-b1^t) sum_{k<t} (b1/b2)^k (b2 > 0), attained "
                 "at g_i = b2^(i-t); <= (1-b1) b2/(b2-b1) for all t when b1 < b2, unbounded when "
                 "b1 >= b2. |Delta_t| <= alpha holds for every t iff b1 = 0 (or at t = 1).")
    return _decide("kb.sec7.1.adamax-step-bound", bool(w), summary, evidence, corrected,
                   ADAMAX_SUP_RESULT, ADAMAX_SUP_LIMIT)
