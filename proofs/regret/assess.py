r"""Which published regret bound analyses which algorithm, and whether a run meets it.

Part of :mod:`adamlab.proofs.regret.experiment` (see its docs for the table of
optimizers and bounds, and the meaning of the statuses ``applies``, ``not
met`` and ``not applicable``).  The bounds themselves -- SymPy expressions,
lambdified, and their hypotheses -- are :mod:`adamlab.theory.regret.bounds`;
what is decided here -- from the claims' own declarations
(:attr:`adamlab.proofs.claim.Quantifier.family`, ``selects``, ``assumes``) -- is which
theorem is *about* the run's algorithm (:func:`bound_ids_for`) and whether the
conditions on the algorithm the theorems take for granted hold
(:func:`algorithm_conditions`).

Kingma & Ba, ICLR 2015 (arXiv:1412.6980v9), Thm 4.1 / Cor 4.2; Reddi, Kale &
Kumar, ICLR 2018, Thm 4 / Cor 1; Duchi, Hazan & Singer, JMLR 12 (2011);
Zinkevich, ICML 2003, Thm 1.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from adamlab.numerics.optimizers import caps_of, schedule_of
from adamlab.numerics.sim.result import RunResult
from adamlab.theory.regret import bounds as rb

from .. import claims
from ..claim import Assumption

STATUSES = ("applies", "not met", "not applicable")


def distinct(a: float, b: float, digits: int = 4) -> tuple[str, str]:
    """``a`` and ``b`` with the fewest significant digits (at least ``digits``, at most 17)
    that print them differently, so that "R > bound" never reads "241.3 > 241.3"."""
    for p in range(digits, 18):
        sa, sb = f"{a:.{p}g}", f"{b:.{p}g}"
        if sa != sb or a == b:
            return sa, sb
    return repr(a), repr(b)


def json_float(x) -> float | str:
    """``x`` as a float for JSON, or its repr ('inf', 'nan') when not finite."""
    x = float(x)
    return x if math.isfinite(x) else repr(x)


_f = json_float


@dataclass
class BoundAssessment:
    """A published bound held against one series: status, reasons, and its values
    (T, R) in regret units (None when it cannot be evaluated; a bound on the average
    regret, ``quantity = "R(T)/T"``, is multiplied by t)."""

    claim_id: str
    title: str
    source: str
    status: str
    reasons: list[str]
    values: np.ndarray | None = None
    failed: list[str] = field(default_factory=list)
    quantity: str = "R(T)"
    proof_only: list[str] = field(default_factory=list)

    def outcome(self, regret: np.ndarray | None, t: np.ndarray | None = None) -> dict:
        """What the bound says about this series, the one answer every output shows:
        ``{"kind": "holds" | "violated" | "does not apply", "text": ..., "first_t",
        "regret", "bound"}`` -- violated at the first step where some run's regret is
        above it (with that run's regret and bound there), holds when never, and does
        not apply when a hypothesis *of the statement* (or a condition on the algorithm
        the theorem is about) fails or the bound cannot be evaluated.  A condition only
        the proof needs (``proof_only``) does not stop the statement from applying."""
        if self.status != "applies" or regret is None or self.values is None:
            why = "; ".join(self.reasons) or "not evaluated on this series"
            return {"kind": "does not apply", "text": f"does not apply: {why}",
                    "first_t": None, "regret": None, "bound": None}
        regret = np.asarray(regret, dtype=np.float64)
        t = np.arange(1, regret.shape[0] + 1) if t is None else np.asarray(t)
        first = self.exceeded_at(regret, t)
        if first is None:
            k = -1
            r = int(np.argmax(regret[k] - self.values[t[k] - 1]))
            return {"kind": "holds", "first_t": None,
                    "text": f"holds (at T = {int(t[k]):,}: R = {regret[k, r]:.4g} <= bound "
                            f"{self.values[t[k] - 1, r]:.4g})",
                    "regret": float(regret[k, r]), "bound": float(self.values[t[k] - 1, r])}
        k = int(np.searchsorted(t, first))
        r = int(np.nanargmax(regret[k] - self.values[first - 1]))
        R, B = float(regret[k, r]), float(self.values[first - 1, r])
        rs, bs = distinct(R, B)
        return {"kind": "violated", "first_t": first, "regret": R, "bound": B,
                "text": f"VIOLATED at t = {first:,} (R = {rs} > bound {bs})"}

    def exceeded_at(self, regret: np.ndarray, t: np.ndarray | None = None) -> int | None:
        """The first step t at which some run's regret is above the bound (None if never);
        ``regret`` (n, R) is known at the steps ``t`` (n,) (default 1..n)."""
        if self.values is None:
            return None
        t = np.arange(1, regret.shape[0] + 1) if t is None else np.asarray(t)
        with np.errstate(invalid="ignore"):
            over = np.any(regret > self.values[t - 1], axis=1)
        idx = np.flatnonzero(over)
        return int(t[idx[0]]) if idx.size else None

    def to_json(self, regret: np.ndarray | None = None, t: np.ndarray | None = None) -> dict:
        out = {"claim_id": self.claim_id, "title": self.title, "source": self.source,
               "status": self.status, "reasons": list(self.reasons),
               "failed_hypotheses": list(self.failed), "quantity": self.quantity,
               "proof_only_failures": list(self.proof_only),
               "values_in": "R(T) units (an R(T)/T bound is multiplied by T)"}
        oc = self.outcome(regret, t)
        out["outcome"] = oc["kind"]
        out["outcome_text"] = oc["text"]
        if oc["kind"] == "violated":
            out["violated"] = {"first_t": oc["first_t"], "regret": _f(oc["regret"]),
                               "bound": _f(oc["bound"])}
        if self.values is not None:
            final = self.values[-1]
            out["value_at_T"] = {"median": _f(np.median(final)), "min": _f(np.min(final)),
                                 "max": _f(np.max(final))}
            if regret is not None:
                out["regret_exceeds_bound_first_at_t"] = self.exceeded_at(regret, t)
        return out


# ---- which bounds belong to which algorithm ---------------------------------------------------
def _bound_claims():
    """The published claims that carry a regret bound drawn on runs, in ledger order."""
    return [c for c in claims.CLAIMS if c.id in rb.CLAIM_IDS and c.quantifies.family]


def bound_ids_for(opt) -> tuple[str, ...]:
    """The regret bounds of :mod:`adamlab.theory.regret.bounds` that analyse ``opt``'s
    algorithm: the published claims (:mod:`adamlab.proofs.claims`) whose quantifier
    names the recurrence family ``opt``'s registry entry declares and whose selecting
    hyperparameters ``opt`` has; () for the others (an unregistered optimizer declares
    no family)."""
    family = caps_of(opt).family
    return tuple(c.id for c in _bound_claims() if c.quantifies.family == family and all(
        opt.hyper.get(k) == v for k, v in c.quantifies.selects.items()))


def _holds(a: Assumption, h) -> bool:
    if a.when_scheduled is not None:
        name, _, idx = a.when_scheduled.partition("[")
        value = h.get(name)
        value = value[int(idx.rstrip("]"))] if idx and value is not None else value
        if schedule_of(value) is None:
            return True
    value = h.get(a.key, a.value)
    if isinstance(a.value, (int, float)) and not isinstance(a.value, bool):
        return bool(np.all(np.asarray(value) == a.value))
    return value == a.value


def algorithm_conditions(claim_id: str, opt) -> list[tuple[str, bool]]:
    """The conditions on the algorithm that ``claim_id``'s theorem takes for granted, as
    its claim declares them (:class:`~adamlab.proofs.claim.Assumption`): (text, holds)
    pairs."""
    return [(a.text, _holds(a, opt.hyper)) for a in claims.get(claim_id).quantifies.assumes]


def assess_bounds(result: RunResult, opt) -> list[BoundAssessment]:
    """Evaluate and judge every bound of :func:`bound_ids_for` on ``result``."""
    constants = dict(result.constants)      # the run records its schedules itself
    out = []
    for cid in bound_ids_for(opt):
        bound = rb.get(cid)
        try:
            values = bound.evaluate(result.stats, constants)
            app = bound.applies(result.stats, constants)
        except ValueError as exc:
            reason = str(exc)
            if "constants['lam']" in reason:
                reason = ("needs beta1_t = beta1 lambda^(t-1) with lambda in (0, 1); this run's "
                          "beta1 is constant (set lam < 1)")
            out.append(BoundAssessment(cid, bound.title, bound.source, "not applicable",
                                       [reason]))
            continue
        values = np.asarray(values, dtype=np.float64)
        if values.ndim == 1:
            values = values[:, None]
        if bound.quantity == "R(T)/T":
            values = values * np.asarray(result.stats["t"], dtype=np.float64)[:, None]
        reasons, failed = [], []
        for text, holds in algorithm_conditions(cid, opt):
            if not holds:
                reasons.append(f"algorithm: {text} fails")
                failed.append(text)
        proof_only = []
        for name in app.failed():
            if name in app.printed:
                reasons.append(f"statement: {app.texts[name]} fails")
                failed.append(name)
            else:       # the proof needs it, the statement does not: the bound still applies
                proof_only.append(f"{app.texts[name]} fails")
        for name in app.unknown:
            reasons.append(f"not recorded by the run: {app.texts[name]}")
            failed.append(f"{name} (not recorded)")
        if not np.any(np.isfinite(values)):
            reasons.append("the bound is infinite")
        status = "not met" if reasons else "applies"
        out.append(BoundAssessment(cid, bound.title, bound.source, status, reasons, values,
                                   failed, bound.quantity, proof_only))
    return out


__all__ = ["BoundAssessment", "STATUSES", "algorithm_conditions", "distinct",
           "assess_bounds", "bound_ids_for", "json_float"]
