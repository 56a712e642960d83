r"""The symbolic method: SymPy proves a relation under its hypotheses, or a point refutes it.

For a claim whose mathematics is a relation :math:`\ell \mathrel{R} r` with
:math:`R \in \{=, \le, <, \ge, >\}` over SymPy symbols:

1. **Proof.**  The difference :math:`\delta = \ell - r` (oriented so that the claim
   reads :math:`\delta \ge 0`, :math:`\delta > 0` or :math:`\delta = 0`) is rewritten
   by ``simplify``, ``radsimp``, ``factor`` and the reciprocal
   :math:`1/\mathrm{radsimp}(1/\delta)`; the claim is *proved* when one of the forms is
   0 (equalities) or has the required sign from the symbols' assumptions alone
   (SymPy's ``is_nonnegative`` / ``is_positive``).  Hypotheses of the form
   :math:`x > 0`, :math:`x \ge 0` become assumptions on :math:`x`.
2. **Refutation.**  Otherwise rational points are sampled inside the hypotheses
   (positive symbols log-uniform in :math:`[10^{-3}, 10^3]`, reals uniform in
   :math:`[-10, 10]`, integers half in 1..64, half log-uniform up to :math:`10^6`) and
   :math:`\delta` is evaluated; a point
   where the relation fails is certified at 60 and 90 digits (both must agree on
   the sign and :math:`|\delta| > 10^{-40}`) and returned as the witness, every
   input an exact rational.
3. **Verified.**  If no point fails, the verdict is *verified* with the points
   covered and the smallest margin seen (never *proved*).
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any

import mpmath as mp
import numpy as np
import sympy as sp

from ..claim import Method
from ..verdict import Verdict, digits

_RELATIONS = (sp.Eq, sp.Le, sp.Lt, sp.Ge, sp.Gt)


def orient(rel) -> tuple[sp.Expr, str]:
    """``(delta, kind)`` with the claim reading ``delta >= 0`` ("ge"), ``delta > 0`` ("gt")
    or ``delta = 0`` ("eq")."""
    if isinstance(rel, sp.Eq):
        return rel.lhs - rel.rhs, "eq"
    if isinstance(rel, (sp.Ge, sp.Gt)):
        return rel.lhs - rel.rhs, "ge" if isinstance(rel, sp.Ge) else "gt"
    if isinstance(rel, (sp.Le, sp.Lt)):
        return rel.rhs - rel.lhs, "ge" if isinstance(rel, sp.Le) else "gt"
    raise TypeError(f"the statement must be a SymPy relation (=, <=, <, >=, >); got "
                    f"{type(rel).__name__}")


def _assume(rel, hyps) -> tuple[Any, list]:
    """Replace symbols by ones that carry the sign hypotheses; return (rel, the others)."""
    repl, others = {}, []
    for h in hyps:
        if isinstance(h, (sp.Gt, sp.Ge)) and h.rhs == 0 and isinstance(h.lhs, sp.Symbol) or \
                isinstance(h, (sp.Lt, sp.Le)) and h.lhs == 0 and isinstance(h.rhs, sp.Symbol):
            s = h.lhs if isinstance(h, (sp.Gt, sp.Ge)) else h.rhs
            strict = isinstance(h, (sp.Gt, sp.Lt))
            assumptions = dict(s.assumptions0)
            assumptions.update({"positive": True} if strict else {"nonnegative": True})
            assumptions.pop("commutative", None)
            repl[s] = sp.Symbol(s.name, **{k: v for k, v in assumptions.items()
                                           if k in ("integer", "real", "positive",
                                                    "nonnegative")})
        else:
            others.append(h)
    return rel.xreplace(repl), [o.xreplace(repl) if isinstance(o, sp.Basic) else o
                                for o in others]


def prove(delta: sp.Expr, kind: str) -> dict[str, Any] | None:
    """The first rewriting of ``delta`` whose sign SymPy decides, or None."""
    forms = [("as stated", delta)]
    for name, fn in (("simplify", sp.simplify), ("radsimp", sp.radsimp), ("factor", sp.factor)):
        try:
            forms.append((name, fn(delta)))
        except Exception:          # pragma: no cover - SymPy gives up on exotic input
            continue
    try:
        forms.append(("reciprocal", 1 / sp.radsimp(1 / delta)))
    except Exception:              # pragma: no cover
        pass
    for name, f in forms:
        ok = (f == 0 or f.is_zero) if kind == "eq" else (
            f.is_positive if kind == "gt" else f.is_nonnegative)
        if ok:
            return {"rewriting": name, "form": str(f), "sign": kind}
    return None


def _sample(syms, rng) -> dict[sp.Symbol, Fraction]:
    out = {}
    for s in syms:
        if s.is_integer:
            small = rng.random() < 0.5
            out[s] = Fraction(int(rng.integers(1, 65)) if small
                              else int(10 ** rng.uniform(0, 6)))
        elif s.is_positive or s.is_nonnegative:
            out[s] = Fraction(float(10 ** rng.uniform(-3, 3))).limit_denominator(10**6) or \
                Fraction(1, 10**6)
        else:
            out[s] = Fraction(float(rng.uniform(-10, 10))).limit_denominator(10**6)
    return out


def _holds(h, point) -> bool:
    if isinstance(h, str):
        return True
    val = h.subs({s: sp.Rational(v.numerator, v.denominator) for s, v in point.items()})
    return bool(val) if val in (sp.true, sp.false) else bool(sp.N(val, 30))


def _value(delta, point, dps: int) -> mp.mpf:
    sub = {s: sp.Rational(v.numerator, v.denominator) for s, v in point.items()}
    return mp.mpf(str(sp.N(delta.subs(sub), dps)))


def _fails(value, kind) -> bool:
    return value != 0 if kind == "eq" else (value <= 0 if kind == "gt" else value < 0)


def decide_relation(claim_id: str, rel, hypotheses=(), *, points: int = 400, seed: int = 0
                    ) -> Verdict:
    """Decide ``rel`` (a SymPy relation) under ``hypotheses``: proved, refuted or verified."""
    if not isinstance(rel, _RELATIONS):
        raise TypeError(f"{claim_id}: the statement must be a SymPy relation (=, <=, <, >=, "
                        f">); got {type(rel).__name__}")
    if not isinstance(points, int) or points < 1:
        raise ValueError(f"points must be an int >= 1; got {points!r}")
    rel, others = _assume(rel, hypotheses)
    delta, kind = orient(rel)
    reads = {"ge": ">=", "gt": ">", "eq": "="}[kind]
    derivation = {"delta": str(delta), "claim_reads": f"delta {reads} 0",
                  "hypotheses": [str(h) for h in hypotheses]}
    done = prove(delta, kind)
    if done is not None:
        return Verdict(claim_id, "proved", f"symbolic: delta = {str(delta)[:60]} "
                       f"{'vanishes' if kind == 'eq' else 'has the claimed sign'} "
                       f"({done['rewriting']}: {done['form'][:60]})",
                       {"derivation": dict(derivation, **done)})
    syms = sorted(delta.free_symbols | {s for h in others if isinstance(h, sp.Basic)
                                        for s in h.free_symbols}, key=lambda s: s.name)
    rng = np.random.default_rng(seed)
    tried, worst = 0, None
    f = sp.lambdify(syms, delta, "mpmath")
    with mp.workdps(30):
        for _ in range(points * 20):
            if tried >= points:
                break
            pt = _sample(syms, rng)
            if not all(_holds(h, pt) for h in others):
                continue
            tried += 1
            val = f(*[mp.mpf(pt[s].numerator) / pt[s].denominator for s in syms])
            margin = abs(val) if kind == "eq" else val
            if worst is None or (margin > worst[0] if kind == "eq" else margin < worst[0]):
                worst = (margin, pt)
            if _fails(val, kind):
                v60, v90 = _value(delta, pt, 60), _value(delta, pt, 90)
                with mp.workdps(90):
                    sure = abs(v60) > mp.mpf(10)**-40 and (v60 > 0) == (v90 > 0) and \
                        _fails(v60, kind) and _fails(v90, kind)
                if not sure:
                    continue
                w = {"point": {s.name: f"{pt[s].numerator}/{pt[s].denominator}"
                               if pt[s].denominator != 1 else str(pt[s].numerator)
                               for s in syms},
                     "delta_60_digits": digits(v60, 40),
                     "rerun": "adamlab.proofs.methods.symbolic.certify(statement, witness)"}
                sides = {"lhs": digits(_value(rel.lhs, pt, 60)),
                         "rhs": digits(_value(rel.rhs, pt, 60))}
                return Verdict(claim_id, "refuted",
                               f"refuted: at {w['point']} delta = {digits(v60, 8)} "
                               f"(60 and 90 digits agree)",
                               {"derivation": derivation, "witness": w, **sides,
                                "points_tried": tried})
    if tried == 0:
        return Verdict(claim_id, "pending", "no point satisfied the hypotheses",
                       {"derivation": derivation})
    return Verdict(claim_id, "verified",
                   f"verified (not proved): {tried} rational points inside the hypotheses, "
                   f"smallest margin {mp.nstr(worst[0], 6)}",
                   {"derivation": derivation, "points_tried": tried,
                    "inputs_covered": "positive symbols log-uniform in [1e-3, 1e3], reals "
                                      "in [-10, 10], integers half in 1..64, half "
                                      "log-uniform up to 1e6",
                    "tolerance": "a failure must hold at 60 and 90 digits with |delta| > 1e-40",
                    "smallest_margin": mp.nstr(worst[0], 15)})


def certify(rel, witness: dict) -> bool:
    """True when ``rel`` fails at ``witness['point']`` (exact rationals) at 60 and 90 digits."""
    delta, kind = orient(rel)
    byname = {s.name: s for s in delta.free_symbols}
    pt = {byname[k]: Fraction(v) for k, v in witness["point"].items() if k in byname}
    v60, v90 = _value(delta, pt, 60), _value(delta, pt, 90)
    return bool(_fails(v60, kind) and _fails(v90, kind) and abs(v60) > mp.mpf(10)**-40)


class Symbolic(Method):
    """Method: :func:`decide_relation` on the claim's statement and its SymPy hypotheses
    (hypotheses in words are listed in the evidence but cannot be used), or on
    ``relation`` and ``hypotheses`` when given (one part of a claim, or one reading)."""

    kind = "symbolic"

    def __init__(self, *, points: int = 400, seed: int = 0, relation=None, hypotheses=None):
        if relation is not None and not isinstance(relation, _RELATIONS) \
                and not callable(relation):
            raise TypeError(f"relation must be a SymPy relation or a function building "
                            f"one; got {type(relation).__name__}")
        self.relation, self.hypotheses = relation, hypotheses
        if not isinstance(points, int) or isinstance(points, bool) or points < 1:
            raise ValueError(f"points must be an int >= 1; got {points!r}")
        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            raise ValueError(f"seed must be an int >= 0; got {seed!r}")
        self.points, self.seed = points, seed

    def decide(self, claim, thorough: bool = False) -> Verdict:
        if self.relation is None:
            rel, hyps = claim.expr(), claim.hypothesis_list()
        else:
            rel = self.relation() if callable(self.relation) and not isinstance(
                self.relation, sp.Basic) else self.relation
            hyps = tuple(self.hypotheses or ())
        v = decide_relation(claim.id, rel, [h for h in hyps if not isinstance(h, str)],
                            points=self.points * (10 if thorough else 1), seed=self.seed)
        words = [h for h in hyps if isinstance(h, str)]
        if words:
            v.evidence["hypotheses_not_used"] = words
        return v

    def describe(self) -> str:
        return "symbolic (SymPy sign/zero proof, else certified rational points)"


__all__ = ["Symbolic", "certify", "decide_relation", "orient", "prove"]
