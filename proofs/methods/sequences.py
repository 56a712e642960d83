r"""Methods for claims about explicit sequences: limits, bounds over all t, growth.

:class:`SequenceLimit`
    "for every gradient sequence of a class, :math:`\lim_{t\to\infty} a_t(g) = L`"
    (or "is finite"): SymPy computes the limit exactly for each candidate sequence
    :math:`g_i` (e.g. :math:`1`, :math:`1/i`, :math:`1/\sqrt i`, :math:`2^{-i}`); a
    candidate whose limit differs from L (certified at 60 and 90 digits) refutes the
    claim, with the sequence as the witness.  If none does, the verdict is
    "verified" on the candidates (never "proved").
:class:`IntegerSequence`
    statements about one explicit sequence :math:`a_t` with exact constants: "below
    c for every t", "tends to L", "at least c from about :math:`t_0` on".  Every t
    in 1..N is evaluated at 50 digits, the limit by SymPy; a bound over all t is
    "verified" on 1..N plus the limit, not proved.
:class:`Unbounded`
    "the quantity :math:`q` is at most an absolute constant C": a construction
    :math:`n(C)` is played exactly (rationals, or 60/90 digits) for several C and
    each value exceeding C is a certified witness against that C.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Mapping

import mpmath as mp
import sympy as sp

from ..claim import Method
from ..verdict import Verdict, digits
from .rules import TS, Rule, exact_str, g_of

_I = sp.Symbol("i", integer=True, positive=True)


def _as_mp(x, dps=60):
    with mp.workdps(dps + 10):
        return mp.mpf(str(sp.N(x, dps)))


@dataclass(frozen=True)
class SequenceLimit(Method):
    """``expr`` -- :math:`a_t` in :data:`~.rules.TS` and ``g(i)`` (inside sums);
    ``claimed`` -- the limit (a SymPy number) or ``"finite"``; ``candidates`` --
    (label, :math:`g_i` as an expression in ``i``); ``params`` -- exact values of the
    other symbols (name -> rational)."""

    expr: Any
    claimed: Any
    candidates: tuple[tuple[str, Any], ...]
    params: Mapping[str, Any] = field(default_factory=dict)
    kind: str = "symbolic"

    def describe(self) -> str:
        return f"exact limits (SymPy) on {len(self.candidates)} gradient sequences"

    def limit_of(self, gi, params: Mapping[str, Any] | None = None):
        """The exact limit of a_t for the gradient sequence ``gi`` (an expression in i, or
        its text as a witness stores it) at ``params`` (default: the method's)."""
        params = self.params if params is None else params
        gi = sp.sympify(gi, locals={"i": _I}) if isinstance(gi, str) else gi
        sub = {s: sp.Rational(Fraction(params[s.name]).numerator,
                              Fraction(params[s.name]).denominator)
               for s in sp.sympify(self.expr).free_symbols if s.name in params}
        e = sp.sympify(self.expr).xreplace(sub).replace(g_of, sp.Lambda(_I, gi)).doit()
        if isinstance(e, sp.Sum) and e.limits[0][2] == TS:     # a series: convergence
            (j, lo, _), = e.limits
            series = sp.Sum(e.function, (j, lo, sp.oo))
            return series.doit() if series.is_convergent() else sp.oo
        return sp.limit(e, TS, sp.oo)

    def decide(self, claim, thorough: bool = False) -> Verdict:
        rows = []
        for label, gi in self.candidates:
            L = self.limit_of(gi)
            if self.claimed == "finite":
                holds = bool(L.is_finite)
            else:
                gap = _as_mp(sp.Abs(L - self.claimed)) if L.is_finite else mp.inf
                holds = gap <= mp.mpf(10) ** -40
            rows.append({"sequence": label, "g_i": str(gi), "limit": str(L),
                         "limit_60_digits": digits(_as_mp(L), 30) if L.is_finite else str(L),
                         "holds": holds})
        ev: dict[str, Any] = {"a_t": str(self.expr), "claimed_limit": str(self.claimed),
                              "params": {k: exact_str(v) for k, v in self.params.items()},
                              "candidates": rows,
                              "how": "the gradient sequence substituted, the sums done and "
                                     "the limit t -> oo taken by SymPy (exact)"}
        bad = [r for r in rows if not r["holds"]]
        if not bad:
            return Verdict(claim.id, "verified",
                           f"verified on {len(rows)} gradient sequences (exact limits)", ev)
        r = bad[0]
        if self.claimed != "finite" and r["limit"] not in ("oo", "-oo", "zoo", "nan"):
            ev.update({"witness": {"gradients_are": r["g_i"],
                                   "params": {k: exact_str(v) for k, v in self.params.items()},
                                   "rerun": "SequenceLimit.limit_of(witness['gradients_are'], "
                                            "witness['params'])"},
                       "lhs": r["limit_60_digits"], "rhs": digits(_as_mp(self.claimed), 30),
                       "sides": "lhs: the exact limit for the witness sequence; rhs: the "
                                "claimed limit"})
        return Verdict(claim.id, "refuted",
                       f"refuted: for g_i = {r['g_i']} the limit is {r['limit']} "
                       f"(= {r['limit_60_digits'][:12]}), not {self.claimed}", ev)


@dataclass(frozen=True)
class IntegerSequence(Method):
    """``expr`` -- :math:`a_t` with exact constants.  ``below`` -- "a_t < below for every
    t >= 1"; ``limit`` -- "a_t -> limit"; ``at_least`` -- (c, t0, rel): "a_t >= c from
    about t0 on", read as: the first t after which a_t >= c on all of 1..N is within
    ``rel`` of t0.  ``N`` -- how far every t is checked."""

    expr: Any
    below: Any = None
    limit: Any = None
    at_least: tuple[Any, int, float] | None = None
    N: int = 20000
    kind: str = "mixed"

    def describe(self) -> str:
        return f"exact sequence check (every t <= {self.N} at 50 digits, SymPy limit)"

    def decide(self, claim, thorough: bool = False) -> Verdict:
        a = sp.sympify(self.expr)
        f = sp.lambdify(TS, a, modules="mpmath")
        ev: dict[str, Any] = {"a_t": str(a), "N": self.N, "checked": {}}
        ok, lines = True, []
        with mp.workdps(50):
            vals = [f(mp.mpf(t)) for t in range(1, self.N + 1)]
        if self.below is not None:
            c = _as_mp(self.below)
            worst = max(range(self.N), key=lambda k: vals[k])
            holds = vals[worst] < c
            ok &= holds
            ev["checked"]["below"] = {"bound": str(self.below), "max_over_1..N": digits(
                vals[worst], 30), "at_t": worst + 1, "holds": bool(holds)}
            lines.append(f"max over t <= {self.N} is {mp.nstr(vals[worst], 8)} at t = "
                         f"{worst + 1} ({'<' if holds else '>='} {self.below})")
        if self.limit is not None:
            L = sp.limit(a, TS, sp.oo)
            holds = sp.simplify(L - self.limit) == 0
            ok &= holds
            ev["checked"]["limit"] = {"claimed": str(self.limit), "sympy_limit": str(L),
                                      "holds": bool(holds)}
            lines.append(f"limit {L}")
        if self.at_least is not None:
            c, t0, rel = self.at_least
            cm = _as_mp(c)
            first = self.N + 1
            for k in range(self.N - 1, -1, -1):
                if vals[k] < cm:
                    break
                first = k + 1
            holds = first <= self.N and abs(first - t0) <= rel * t0
            ok &= holds
            ev["checked"]["at_least"] = {"c": str(c), "claimed_from_about": t0,
                                         "relative_slack": rel, "first_t": first,
                                         "a_at_first_t": digits(vals[first - 1], 20)
                                         if first <= self.N else None,
                                         "holds": bool(holds)}
            lines.append(f">= {c} exactly from t = {first} on (claimed about {t0})")
        ev["coverage"] = (f"every t in 1..{self.N} at 50 digits; the limit by SymPy; a "
                          f"statement for all t is verified on this range and in the limit, "
                          f"not proved")
        return Verdict(claim.id, "verified" if ok else "pending",
                       ("verified: " if ok else "not as claimed: ") + "; ".join(lines), ev)


@dataclass(frozen=True)
class Unbounded(Method):
    """Refute "``quantity`` <= an absolute constant C" by a construction: ``family(C)``
    returns (exact rule params (name -> rational), oracle coefficient ``lam`` so that the
    gradient at x is ``lam * x``, number of steps); ``quantity(params, lam, x_t, t)`` is
    the claimed-bounded value (mpmath).  Each C of ``constants`` must be exceeded, at 60 and
    90 digits."""

    rule: Rule
    family: Callable[[int], tuple[dict, Any, int]]
    quantity: Callable[[dict, Any, int], Any]
    construction: str
    constants: tuple[int, ...] = (10, 100, 1000)
    kind: str = "witness"

    def describe(self) -> str:
        return f"growth: a construction as a function of C, certified for C in " \
               f"{self.constants}"

    def value(self, C: int, dps: int) -> tuple[Any, dict, int]:
        params, lam, steps = self.family(C)
        with mp.workdps(dps):
            lm = mp.mpf(Fraction(lam).numerator) / Fraction(lam).denominator
        run = self.rule.replay(params, steps, oracle=lambda x: lm * x, dps=dps)
        with mp.workdps(dps):
            q = self.quantity(params, lm, run["output"][steps], steps)
        return q, params, steps

    def decide(self, claim, thorough: bool = False) -> Verdict:
        rows, wit = [], None
        for C in self.constants:
            q60, params, steps = self.value(C, 60)
            q90, _, _ = self.value(C, 90)
            exceeds = q60 > C and q90 > C
            lam = self.family(C)[1]
            rows.append({"C": C, "steps": steps, "params": {k: exact_str(v)
                                                             for k, v in params.items()},
                         "lambda": exact_str(lam), "quantity": digits(q60, 20),
                         "exceeds_C": bool(exceeds)})
            if exceeds:
                wit = {"witness": {"C": str(C), "steps": steps, "lambda": exact_str(lam),
                                   "params": {k: exact_str(v) for k, v in params.items()},
                                   "rerun": "Unbounded.value(C, 60)"},
                       "lhs": digits(q60, 40), "rhs": digits(mp.mpf(C), 40),
                       "sides": "lhs: the claimed-bounded quantity on the construction; "
                                "rhs: the constant C it exceeds"}
        ev: dict[str, Any] = {"construction": self.construction, "rule": self.rule.to_json(),
                              "instances": rows}
        if all(r["exceeds_C"] for r in rows):
            ev.update(wit)
            return Verdict(claim.id, "refuted",
                           f"refuted: the construction exceeds C = "
                           f"{', '.join(str(c) for c in self.constants)} (values "
                           f"{', '.join(r['quantity'][:8] for r in rows)}; certified at 60 "
                           f"and 90 digits)", ev)
        return Verdict(claim.id, "pending", "the construction did not exceed every C", ev)





@dataclass(frozen=True)
class Monotone(Method):
    """Refute "``quantity`` (an expression of ``rule``'s state, :data:`~.rules.TS` and its
    parameters) is non-decreasing in t on every run" by runs of the printed rule:
    ``space(rng)`` draws (exact params, exact gradients) inside the claim's
    hypotheses; the first decrease, certified at 60 and 90 digits, is the witness.
    Without one the verdict is "verified" on the runs tried."""

    rule: Rule
    quantity: Any
    space: Callable[[Any], tuple[dict, list]]
    space_text: str
    tries: int = 40
    kind: str = "witness"

    def describe(self) -> str:
        return f"monotonicity along runs of {self.rule.name} ({self.tries} exact runs)"

    def values(self, params: dict, grads: list, dps: int) -> list:
        """The quantity after each step of the run (mpmath at ``dps`` digits)."""
        names = list(self.rule.state) + [TS] + list(self.rule.params)
        f = sp.lambdify(names, sp.sympify(self.quantity), modules="mpmath")
        exact = {p.name: exact_str(params[p.name]) for p in self.rule.params}
        run = self.rule.replay(exact, len(grads), grads=[exact_str(g) for g in grads], dps=dps)
        with mp.workdps(dps):
            pv = [mp.mpf(sp.Rational(exact[p.name]).p) / sp.Rational(exact[p.name]).q
                  for p in self.rule.params]
            return [f(*[st[s] for s in self.rule.state], mp.mpf(k), *pv)
                    for k, st in enumerate(run["states"], 1)]

    def decide(self, claim, thorough: bool = False) -> Verdict:
        import numpy as np
        rng = np.random.default_rng(0)
        tries = self.tries * (5 if thorough else 1)
        for n in range(tries):
            params, grads = self.space(rng)
            q60 = self.values(params, grads, 60)
            for k in range(1, len(q60)):
                if q60[k] < q60[k - 1]:
                    q90 = self.values(params, grads[:k + 1], 90)
                    if q90[k] < q90[k - 1] and q60[k - 1] - q60[k] > mp.mpf(10) ** -40:
                        ev = {"quantity": str(self.quantity), "rule": self.rule.to_json(),
                              "space": self.space_text, "runs_tried": n + 1,
                              "witness": {"params": {p: exact_str(v) for p, v in params.items()},
                                          "grads": [exact_str(g) for g in grads[:k + 1]],
                                          "step": k + 1,
                                          "rerun": "Monotone.values(params, grads, 60)"},
                              "lhs": digits(q60[k], 40), "rhs": digits(q60[k - 1], 40),
                              "sides": f"lhs: the quantity after step {k + 1}; rhs: after "
                                       f"step {k} (larger: it decreased)"}
                        return Verdict(claim.id, "refuted",
                                       f"refuted: on a run inside the hypotheses the quantity "
                                       f"falls from {mp.nstr(q60[k - 1], 8)} (t = {k}) to "
                                       f"{mp.nstr(q60[k], 8)} (t = {k + 1}); certified at 60 "
                                       f"and 90 digits", ev)
        return Verdict(claim.id, "verified", f"verified: non-decreasing on {tries} exact runs",
                       {"quantity": str(self.quantity), "space": self.space_text,
                        "runs_tried": tries})
__all__ = ["IntegerSequence", "Monotone", "SequenceLimit", "Unbounded"]
