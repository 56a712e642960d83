r"""The published claims that the ledger decides: one :class:`~adamlab.proofs.claim.Claim`
per entry, one module per paper.

Sources: [KB] Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015,
arXiv:1412.6980v9 (:mod:`.kb`).  [RKK] Reddi, Kale & Kumar, "On the Convergence of
Adam and Beyond", ICLR 2018 (:mod:`.rkk`).  [DHS] Duchi, Hazan & Singer, JMLR 2011
(:mod:`.dhs`).  [Z] Zinkevich, ICML 2003 (:mod:`.zinkevich`).  The seed documents'
equations and remarks (:mod:`.seed`, with the printed algorithms they are compared with
in :mod:`.algorithms`).  [TP] Tran & Phong, IEEE Access 2019 (:mod:`.tp`).  Methods after RAdam and low
precision (:mod:`.modern`).  ADOPT's "any beta2" (:mod:`.adopt`).

Adding a published claim is one entry in its paper's module (and a method if none
of :mod:`adamlab.proofs.claim`'s fits).  The statements are transcribed from the
papers; nothing here encodes a verdict.
"""
from __future__ import annotations

import difflib

from ..claim import Claim
from . import adopt, belief, dhs, kb, modern, rkk, seed, tp, zinkevich

#: the ledger, in order
CLAIMS: tuple[Claim, ...] = (kb.CLAIMS + rkk.CLAIMS + dhs.CLAIMS + zinkevich.CLAIMS
                             + seed.CLAIMS + tp.CLAIMS + modern.CLAIMS + belief.CLAIMS
                             + adopt.CLAIMS)


def ids() -> list[str]:
    """The claim IDs in ledger order."""
    return [c.id for c in CLAIMS]


def get(claim_id: str) -> Claim:
    """The published claim with this ID; unknown IDs suggest close ones."""
    if not isinstance(claim_id, str):
        raise TypeError(f"claim_id must be a str, got {type(claim_id).__name__}")
    for c in CLAIMS:
        if c.id == claim_id:
            return c
    close = difflib.get_close_matches(claim_id, ids(), n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise ValueError(f"unknown claim id {claim_id!r}{hint}")


def latex(claim_id: str) -> str:
    """The claim's statement in LaTeX, generated from its SymPy mathematics."""
    return get(claim_id).latex()


if len(set(ids())) != len(CLAIMS):          # pragma: no cover - a data error
    raise RuntimeError("two published claims share an ID")

__all__ = ["CLAIMS", "Claim", "get", "ids", "latex"]
