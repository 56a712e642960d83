r"""Ledger checks for the published regret theorems.

* ``kb.thm4.1`` -- Kingma & Ba, ICLR 2015 (arXiv:1412.6980v9), Theorem 4.1.
  Structured candidate from the theory: Reddi et al.'s Theorem 1 instance
  (:math:`\beta_1 = 0` satisfies every hypothesis, :math:`\gamma = 0`); its regret
  grows like T while the bound grows like :math:`\sqrt T`.  The first horizon
  on a grid where the exact certificate (:mod:`.adam_exact`) shows
  R(T) > bound is reported.

The searched regret theorems (``rkk.thm4``, ``dhs.adagrad-regret``,
``z.ogd-regret``) are decided by the generic
:class:`~adamlab.proofs.methods.search_method.Search` method on the spaces of
:mod:`.oco_search`, named by their claim entries.
"""
from __future__ import annotations

from fractions import Fraction

from ..verdict import Verdict
from . import adam_exact


def check_kb_thm41(thorough: bool = False) -> Verdict:
    C, b2, a, lam = Fraction(3), Fraction(1, 10), Fraction(1, 2), Fraction(1, 2)
    tried, w = [], None
    for T in (3, 10, 30, 100, 150, 200, 300, 600):
        w = adam_exact.witness("kb.thm4.1", C, b2, a, lam, T)
        tried.append({"T": T, "lhs": w["certificate"]["lhs"][:10],
                      "rhs": w["certificate"]["rhs"][:10]})
        if w["certificate"]["violated"]:
            break
    ev = {"structured_candidate": "Reddi et al.'s Theorem 1 instance, C = 3, b2 = 1/(1+C^2) = "
                                  "1/10, b1 = 0 (gamma = 0), alpha = 1/2 < sqrt(1-b2), lambda = 1/2",
          "horizons_tried": tried, "reading": w["reading"],
          "note": "no corrected statement is proved here; for a bound that holds see rkk.thm4 "
                  "(AMSGrad, Gamma_t PSD), verified by search"}
    if not w["certificate"]["violated"]:
        return Verdict("kb.thm4.1", "pending", "no certified violation found (not a proof)", ev)
    ev.update(witness=w, lhs=w["certificate"]["lhs"], rhs=w["certificate"]["rhs"])
    return Verdict("kb.thm4.1", "refuted",
                   f"refuted: RKK Thm 1's instance (C = 3, b1 = 0, b2 = 1/10, alpha = 1/2, "
                   f"lambda = 1/2, D = D_inf = 2), T = {w['T']}: R(T) = "
                   f"{w['certificate']['lhs'][:10]} > bound {w['certificate']['rhs'][:10]} "
                   f"(R(T) and the bound at 60 and 90 digits, mpmath); R(T) grows like T, the "
                   f"bound like sqrt(T)",
                   ev, None)


__all__ = ["check_kb_thm41"]
