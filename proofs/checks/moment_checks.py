r"""Ledger checks decided by the moment and limit results of :mod:`adamlab.theory`.

The EMA unrolling, bias correction, the AdaGrad and AdaMax limits, the §7.2
iterate average (each decided by its :class:`~adamlab.theory.results.Result`'s
own check) and the §2 "efficient" reordering (decided by the derivation of the
epshat it needs, with an exact witness for a constant epshat).

Sources: Kingma & Ba, ICLR 2015, arXiv:1412.6980v9, §2, §3, §5, §7.1, §7.2.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any

import sympy as sp

from adamlab.theory import limits, moments, recursions

from ..verdict import Verdict, digits
from .step_size import KB_DEFAULTS, rational, rational_text


# ---- claims decided by the moment and limit results ------------------------------------------
def _by_result(claim_id: str, result, summary: str) -> Verdict:
    rep = result.check()
    return Verdict(claim_id, "proved" if rep.ok else "pending",
                   f"{rep.method}: {summary}" if rep.ok else f"check failed: {rep.summary()}",
                   {"result": result.to_json(), "check": rep.to_json()})


def check_ema_unroll(thorough: bool = False) -> Verdict:
    return _by_result("kb.sec3.ema-unroll", moments.EMA_UNROLL,
                      "e_t = (1-b) sum_i b^(t-i) x_i (weights from rsolve) solves the EMA "
                      "recursion, by induction in t; m_t: x = g, b = b1; v_t: x = g^2, b = b2")


def check_bias_correction(thorough: bool = False) -> Verdict:
    return _by_result("kb.sec3.bias-correction", moments.BIAS_CORRECTION,
                      "E[e_t] = E[x_t](1-b^t) + zeta_t exactly, zeta_t = sum_i w_i (E[x_i] - "
                      "E[x_t]) = 0 for stationary means (|zeta_t| <= delta b/(1-b) under a "
                      "drift delta per step: moments.ZETA_DRIFT_BOUND)")


def check_adagrad_limit(thorough: bool = False) -> Verdict:
    return _by_result("kb.sec5.adagrad-limit", limits.ADAGRAD_LIMIT,
                      "b1 = 0: mhat_t = g_t; each weight of g_i^2 in vhat_t -> 1/t as b2 -> 1-; "
                      "alpha/sqrt(t) * g_t/sqrt(vhat_t) -> alpha g_t/sqrt(sum g_i^2) (AdaGrad), "
                      "pointwise in t")


def check_adamax_limit(thorough: bool = False) -> Verdict:
    return _by_result("kb.sec7.1.adamax-limit", limits.ADAMAX_LIMIT,
                      "(1-b2^p)^(1/p) -> 1, t^(1/p) -> 1 (sandwich), and max_i b2^(t-i)|g_i| "
                      "= max(b2 u_(t-1), |g_t|) by induction")


def check_averaging_bias(thorough: bool = False) -> Verdict:
    return _by_result("kb.sec7.2.averaging-bias", moments.ITERATE_AVERAGE,
                      "the weights (1-b2) b2^(t-i)/(1-b2^t) sum to 1, so the corrected EMA of "
                      "the iterates returns a constant sequence exactly and is unbiased")


def certify_efficient_witness(w: dict[str, Any]) -> dict[str, Any]:
    r"""Re-run the efficient-order witness from JSON: Algorithm 1's step
    :math:`\hat m_t/(\sqrt{\hat v_t}+\epsilon)` and the reordered
    :math:`\sqrt{1-\beta_2^t}/(1-\beta_1^t)\, m_t/(\sqrt{v_t}+\hat\epsilon)`, exactly
    (SymPy algebraic numbers); they differ iff the exact difference is nonzero."""
    b1, b2 = rational(Fraction(w["beta1"])), rational(Fraction(w["beta2"]))
    e, eh = rational(Fraction(w["eps"])), rational(Fraction(w["epshat"]))
    gs = [rational(Fraction(x)) for x in w["gradients"]]
    m, v, mh, vh = recursions.adam_moments(b1, b2, gs)
    t = len(gs)
    alg1 = mh / (sp.sqrt(vh) + e)
    eff = sp.sqrt(1 - b2**t) / (1 - b1**t) * m / (sp.sqrt(v) + eh)
    diff = sp.nsimplify(sp.radsimp(alg1 - eff))
    return {"alg1": str(sp.N(alg1, 30)), "efficient": str(sp.N(eff, 30)),
            "differ": bool(diff != 0 and sp.N(diff, 50) != 0)}


def check_efficient_order(thorough: bool = False) -> Verdict:
    rep = moments.EFFICIENT_ORDER.check()
    b1, b2 = KB_DEFAULTS
    w = {"beta1": rational_text(b1), "beta2": rational_text(b2), "eps": "1/100000000",
         "epshat": "1/100000000",
         "gradients": ["1/100000000"],
         "rerun": "adamlab.proofs.checks.moment_checks.certify_efficient_witness(evidence['witness'])"}
    w["certificate"] = certify_efficient_witness(w)
    evidence = {"derivation": rep.to_json(), "witness": w,
                "required_epshat": str(moments.EFFICIENT_EPSHAT),
                "lhs": digits(w["certificate"]["alg1"]),
                "rhs": digits(w["certificate"]["efficient"])}
    if not w["certificate"]["differ"]:
        return Verdict("kb.alg1.efficient-order", "pending", "witness did not certify", evidence)
    summary = (f"refuted for a constant epshat: the orders agree iff epshat = eps sqrt(1-b2^t), "
               f"which varies with t; with eps = epshat = 1e-8 (the paper's default), defaults "
               f"(0.9, 0.999), g_1 = 1e-8: Algorithm 1 steps {float(w['certificate']['alg1']):.6g} "
               f"alpha, the reordering {float(w['certificate']['efficient']):.6g} alpha (exact)")
    return Verdict("kb.alg1.efficient-order", "refuted-as-stated" if rep.ok else "refuted",
                   summary, evidence,
                   "The reordering equals Algorithm 1 for every gradient sequence iff "
                   "epshat_t = eps * sqrt(1 - b2^t) at every t (in particular when eps = epshat "
                   "= 0); a constant epshat > 0 gives a different algorithm." if rep.ok else None)
