r"""Methods for claims about printed update rules (:class:`~.rules.Rule`).

:class:`Induction`
    "the recurrence has this closed form for every t" (an unrolled EMA, AdaGrad's
    sum, Adam's step with :math:`\epsilon = 0`): proved by induction in SymPy.  Base
    case: one step from the start equals the closed form at t = 1.  Step: one step
    from the closed form at t - 1 equals the closed form at t, where each sum
    :math:`\sum_{i=1}^{t}` is split into :math:`\sum_{i=1}^{t-1}` plus its last term
    and the sums over the same range are merged, so the difference vanishes when
    the merged summand and the rest simplify to 0.  A ``derived`` expression of the
    state (e.g. the step :math:`\eta\hat m_t/\sqrt{\hat v_t}`) is then compared with
    its claimed closed form.  Evidence also holds an exact replay of the first steps
    on rational gradients against the closed form.
:class:`SameIterates`
    "rule B's iterates are rule A's" (up to a change of variables ``state_map``
    expressing B's state in A's): proved when the map sends A's start to B's start,
    A's query point to B's, and commutes with one step from a symbolic state (then
    it holds for every t and every gradient oracle, by induction).  Otherwise the
    outputs of both rules are compared on rational inputs for the first steps; the
    first difference, certified at 60 and 90 digits, refutes the claim.
:class:`Coefficient`
    "some coefficient u makes rule B's iterates equal rule A's" (L2 regularization
    against weight decay): both rules are unrolled on inputs; step 1 is solved for u
    by SymPy; each solution is checked on the later steps.  No solution surviving
    is certified by a rational point (60 and 90 digits).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import mpmath as mp
import numpy as np
import sympy as sp

from ..claim import Method
from ..verdict import Verdict, digits
from .rules import G, TS, Rule, exact_str, g_of, rational


# -- sums: peel the last term, merge equal ranges ------------------------------------------
def peel(expr, t):
    r""":math:`\sum_{i=a}^{t} f(i) \to \sum_{i=a}^{t-1} f(i) + f(t)` for every sum in
    ``expr`` whose upper limit is ``t``."""
    def split(s):
        (i, lo, hi), = s.limits
        if hi != t:
            return s
        return sp.Sum(s.function, (i, lo, t - 1)) + s.function.xreplace({i: t})
    return expr.replace(lambda x: isinstance(x, sp.Sum), split)


def vanishes(expr) -> bool:
    """True when ``expr`` is 0: its sums over equal ranges merged (coefficients moved
    inside), the merged summands and the rest each simplifying to 0."""
    merged: dict[Any, Any] = {}
    rest = sp.Integer(0)
    for term in sp.Add.make_args(sp.expand(expr)):
        sums = [f for f in sp.Mul.make_args(term) if isinstance(f, sp.Sum)]
        if len(sums) != 1:
            rest += term
            continue
        s = sums[0]
        coeff = sp.Mul(*[f for f in sp.Mul.make_args(term) if f is not s])
        key = s.limits
        merged[key] = merged.get(key, 0) + coeff * s.function
    if sp.simplify(rest) != 0:
        return False
    return all(sp.simplify(sp.powsimp(sp.expand(v), force=True)) == 0
               for v in merged.values())


def _opaque_sums(expr):
    """Replace each sum by a symbol (positive when its summand is a square times positive
    constants), so that ``simplify`` can treat :math:`\\sqrt{S^2}` and friends."""
    rep = {}
    for k, s in enumerate(sorted(expr.atoms(sp.Sum), key=str)):
        pos = s.function.is_nonnegative
        rep[s] = sp.Symbol(f"S_{k}", positive=True) if pos else sp.Symbol(f"S_{k}", real=True)
    return expr.xreplace(rep)


def _in_unit(expr, unit):
    r"""``expr`` with each symbol :math:`\rho \in (0, 1)` of ``unit`` written through
    positive symbols: :math:`\rho^t = 1 - P_\rho`, then :math:`\rho = 1 - Q_\rho`, so
    that SymPy knows the signs of :math:`1-\rho^t` and :math:`1-\rho`."""
    for rho in unit:
        P = sp.Symbol(f"P_{rho.name}", positive=True)
        Q = sp.Symbol(f"Q_{rho.name}", positive=True)
        expr = expr.xreplace({rho ** TS: 1 - P}).xreplace({rho: 1 - Q})
    return expr


def _rat_points(symbols, rng, n, positive=()):
    """n points of small rationals for ``symbols`` (those in ``positive`` in (0, 1), other
    positive symbols in (0, 30])."""
    pts = []
    for _ in range(n):
        pt = {}
        for s in symbols:
            if s in positive:
                pt[s] = sp.Rational(int(rng.integers(1, 20)), 21)
            elif s.is_positive:
                pt[s] = sp.Rational(int(rng.integers(1, 31)), int(rng.integers(1, 8)))
            else:
                pt[s] = sp.Rational(int(rng.integers(-30, 31)), int(rng.integers(1, 8)))
        pts.append(pt)
    return pts


def _num(expr, dps: int):
    with mp.workdps(dps + 10):
        return mp.mpf(str(sp.N(expr, dps)))


@dataclass(frozen=True)
class Induction(Method):
    """Decide "``rule`` has the ``closed`` forms (state symbol -> expression in
    :data:`~.rules.TS` and ``g(i)``) for every t" by induction (module docstring);
    ``derived`` = (expression of the state, its claimed closed form) compares a
    quantity computed from the state, e.g. the step; ``unit`` -- parameters in (0, 1)
    (used by the simplification and by the exact replay)."""

    rule: Rule
    closed: Mapping[sp.Symbol, Any]
    derived: tuple[Any, Any] | None = None
    unit: tuple[sp.Symbol, ...] = ()
    kind: str = "induction"

    def describe(self) -> str:
        return f"induction on the printed rule ({self.rule.name})"

    def decide(self, claim, thorough: bool = False) -> Verdict:
        r, t = self.rule, TS
        closed = {s: sp.sympify(e) for s, e in self.closed.items()}
        at = lambda k: {s: e.xreplace({t: k}) for s, e in closed.items()}  # noqa: E731
        # base: one step from the start
        one = r.advance(r.init, g_of(1), 1)
        base = {str(s): vanishes(sp.expand((one[s] - at(1)[s]).doit())) for s in closed}
        # step: one step from the closed form at t-1
        prev = dict(at(t - 1))
        nxt = r.advance(prev, g_of(t), t)
        step = {str(s): vanishes(peel(closed[s], t) - peel(nxt[s], t)) for s in closed}
        ok = all(base.values()) and all(step.values())
        ev: dict[str, Any] = {"rule": r.to_json(),
                              "closed_forms": {str(s): str(e) for s, e in closed.items()},
                              "base_case_t1": base, "induction_step": step,
                              "how": "base: one step from the start equals the closed form "
                                     "at t = 1; step: one step from the closed form at t-1 "
                                     "equals it at t (sums split at their last term and "
                                     "merged, summands simplified by SymPy)"}
        derived_ok = True
        if self.derived is not None:
            expr, claimed = (sp.sympify(x) for x in self.derived)
            lhs = r.value(expr, closed, t)
            diff = _in_unit(_opaque_sums(lhs - claimed), self.unit)
            derived_ok = sp.simplify(diff) == 0
            ev["derived"] = {"expression": str(expr), "claimed": str(claimed),
                             "difference_simplified": str(sp.simplify(diff)),
                             "vanishes": derived_ok}
        ev["exact_replay"] = self._replay(closed)
        ok = ok and derived_ok and ev["exact_replay"]["agree"]
        if ok:
            return Verdict(claim.id, "proved",
                           f"proved by induction on {r.name}: base case and step vanish in "
                           f"SymPy" + (" and the derived quantity equals its closed form"
                                       if self.derived is not None else "")
                           + f"; exact replay of {ev['exact_replay']['steps']} steps agrees",
                           ev)
        return Verdict(claim.id, "pending",
                       f"the induction did not close for {r.name} (base {base}, step "
                       f"{step}, derived {derived_ok}); see the evidence", ev)

    def _replay(self, closed, steps: int = 5) -> dict[str, Any]:
        """Exact: the rule stepped on rational gradients against the closed forms."""
        r = self.rule
        rng = np.random.default_rng(0)
        pt = _rat_points(r.params, rng, 1, positive=set(self.unit) | {
            p for p in r.params if p.is_positive})[0]
        gs = [sp.Rational(int(rng.integers(-9, 10)), int(rng.integers(1, 5)))
              for _ in range(steps)]
        states = r.unroll([g.xreplace(pt) if isinstance(g, sp.Basic) else g for g in gs],
                          {s: sp.sympify(v).xreplace(pt) for s, v in r.init.items()})
        gmap = {g_of(k + 1): gs[k] for k in range(steps)}
        agree = True
        for k, st in enumerate(states, 1):
            for s, e in closed.items():
                want = e.xreplace({TS: k}).doit().xreplace(gmap).xreplace(pt)
                got = st[s].xreplace(pt)
                agree &= sp.simplify(want - got) == 0
        return {"steps": steps, "params": {p.name: exact_str(v) for p, v in pt.items()},
                "grads": [exact_str(g) for g in gs], "agree": bool(agree)}


@dataclass(frozen=True)
class SameIterates(Method):
    """Decide "rule ``b`` computes rule ``a``'s iterates" (module docstring).
    ``state_map``: each of b's state symbols as an expression in a's state (identity
    where omitted and the symbol is shared); ``output_map``: the point of a's run that
    b's output is claimed to be (default: a's output; e.g. the look-ahead point);
    ``point_map``: a ``sympy.Lambda`` sending a point in a's coordinates to b's
    (default: the identity; e.g. :math:`x \\mapsto cx` for a rescaled parameter) -- it is
    applied to a's query point and to ``output_map``; ``unit`` -- parameters
    sampled in (0, 1) for the refutation search; ``steps`` -- how many steps it
    compares."""

    a: Rule
    b: Rule
    state_map: Mapping[sp.Symbol, Any] = field(default_factory=dict)
    output_map: Any = None
    point_map: Any = None
    unit: tuple[sp.Symbol, ...] = ()
    fixed: Mapping[sp.Symbol, Any] = field(default_factory=dict)
    steps: int = 4
    kind: str = "induction"

    def describe(self) -> str:
        return f"same iterates ({self.b.name} vs {self.a.name}): one-step induction, else " \
               f"a certified rational witness"

    def _point(self, x):
        return x if self.point_map is None else self.point_map(x)

    def _map(self, values):
        m = {s: sp.sympify(self.state_map.get(s, s)).xreplace(values) for s in self.b.state}
        return m

    def decide(self, claim, thorough: bool = False) -> Verdict:
        a, b = self.a, self.b
        fixed = {k: sp.sympify(v) for k, v in self.fixed.items()}
        a_state = {s: s for s in a.state}
        # base: the map sends a's start to b's start
        base = {str(s): sp.simplify((self._map(a.init)[s] - b.init[s]).xreplace(fixed)) == 0
                for s in b.state}
        # query points agree
        pm = self._point
        query = sp.simplify((b.value(b.query, self._map(a_state)) - pm(a.query)).xreplace(
            fixed)) == 0
        # one step commutes with the map
        a1 = a.advance(a_state, G, TS)
        b1 = b.advance(self._map(a_state), G, TS)
        step = {str(s): sp.simplify((b1[s] - self._map(a1)[s]).xreplace(fixed)) == 0
                for s in b.state}
        out_a = pm(a.output if self.output_map is None else sp.sympify(self.output_map))
        out_ok = sp.simplify((b.value(b.output, self._map(a_state)) - out_a).xreplace(
            fixed)) == 0
        ev: dict[str, Any] = {"rule_a": a.to_json(), "rule_b": b.to_json(),
                              "state_map": {str(s): str(self.state_map.get(s, s))
                                            for s in b.state},
                              "fixed": {str(k): str(v) for k, v in fixed.items()},
                              "start_maps": base, "query_points_agree": bool(query),
                              "step_commutes": step, "outputs_agree": bool(out_ok)}
        if all(base.values()) and query and all(step.values()) and out_ok:
            ev["how"] = ("the map sends A's start to B's, A's gradient query point to B's, "
                         "A's iterate to B's, and commutes with one step from a symbolic "
                         "state at a symbolic step t: by induction the iterates agree for "
                         "every t and every gradient oracle (SymPy simplify)")
            return Verdict(claim.id, "proved",
                           f"proved: {b.name} and {a.name} give the same iterates (one-step "
                           f"induction under the change of variables, SymPy)", ev)
        w = self._witness(fixed)
        if w is None:
            return Verdict(claim.id, "pending", "the symbolic comparison did not close and "
                           "no rational witness was found in the first steps", ev)
        ev.update(w)
        return Verdict(claim.id, "refuted",
                       f"refuted: at step {w['witness']['step']} on rational inputs "
                       f"{b.name} gives {digits(mp.mpf(w['lhs']), 12)} and {a.name} "
                       f"{digits(mp.mpf(w['rhs']), 12)} (60 and 90 digits agree)", ev)

    def _witness(self, fixed) -> dict[str, Any] | None:
        a, b = self.a, self.b
        free = sorted((set(a.params) | set(b.params)) - set(fixed), key=lambda s: s.name)
        rng = np.random.default_rng(1)
        out_a = self._point(a.output if self.output_map is None
                            else sp.sympify(self.output_map))
        for pt in _rat_points(free, rng, 20, positive=set(self.unit)):
            pt = {**pt, **fixed}
            gs = [sp.Rational(int(rng.integers(-9, 10)) or 1, int(rng.integers(1, 5)))
                  for _ in range(self.steps)]
            sa = a.unroll(gs, {s: v.xreplace(pt) for s, v in a.init.items()})
            sb = b.unroll(gs, {s: v.xreplace(pt) for s, v in b.init.items()})
            for k in range(self.steps):
                va = out_a.xreplace({**sa[k], TS: k + 1, **pt}).xreplace(pt)
                vb = b.output.xreplace({**sb[k], TS: k + 1, **pt}).xreplace(pt)
                d60, d90 = _num(vb - va, 60), _num(vb - va, 90)
                if abs(d60) > mp.mpf(10) ** -40 and (d60 > 0) == (d90 > 0):
                    return {"witness": {"params": {s.name: exact_str(v) for s, v in pt.items()},
                                        "grads": [exact_str(g) for g in gs[:k + 1]],
                                        "step": k + 1,
                                        "rerun": "adamlab.proofs.methods.recurrences."
                                                 "replay_pair(method, witness)"},
                            "lhs": digits(_num(vb, 60), 40), "rhs": digits(_num(va, 60), 40),
                            "sides": f"lhs: {b.name}'s iterate, rhs: {a.name}'s"}
        return None


def replay_pair(method: "SameIterates", witness: Mapping[str, Any], dps: int = 60
                ) -> tuple[Any, Any]:
    """Re-run a :class:`SameIterates` witness from its JSON: (b's iterate, a's iterate
    mapped to b's coordinates) at the witness's step, at ``dps`` digits."""
    a, b = method.a, method.b
    pt = {sp.Symbol(k): rational(v) for k, v in witness["params"].items()}
    byname = {s.name: s for s in set(a.params) | set(b.params)}
    pt = {byname.get(k.name, k): v for k, v in pt.items()}
    gs = [rational(g) for g in witness["grads"]]
    k = int(witness["step"])
    sa = a.unroll(gs, {s: v.xreplace(pt) for s, v in a.init.items()})
    sb = b.unroll(gs, {s: v.xreplace(pt) for s, v in b.init.items()})
    out_a = method._point(a.output if method.output_map is None
                          else sp.sympify(method.output_map))
    va = out_a.xreplace({**sa[k - 1], TS: k}).xreplace(pt)
    vb = b.output.xreplace({**sb[k - 1], TS: k}).xreplace(pt)
    return _num(vb, dps), _num(va, dps)


@dataclass(frozen=True)
class Coefficient(Method):
    """Decide "some value of ``unknown`` (a symbol of rule ``b``) makes ``b``'s iterates
    equal ``a``'s" on the given inputs.  ``inputs``: the start value of the state symbol
    ``theta`` and the gradients (expressions, symbolic or rational); ``configs``: a list
    of {symbol: value} for the other parameters (one symbolic config {} by default).
    ``exists``: True when the claim asserts such a value exists, False when it asserts
    none does.  A config where a value survives every step of ``inputs`` counts as
    "some value works" (proved only when the rules keep no state besides theta and the
    inputs are symbolic)."""

    a: Rule
    b: Rule
    unknown: sp.Symbol
    theta: sp.Symbol
    inputs: tuple[Any, ...]
    exists: bool = True
    configs: tuple[Mapping[sp.Symbol, Any], ...] = ({},)
    memoryless: bool = False
    assume: Mapping[str, Any] = field(default_factory=dict)
    kind: str = "symbolic"

    def describe(self) -> str:
        return f"coefficient matching ({self.b.name} against {self.a.name}, unknown " \
               f"{self.unknown})"

    def _outputs(self, rule, cfg):
        theta0, *gs = [sp.sympify(x) for x in self.inputs]
        start = {s: sp.sympify(v).xreplace(cfg) for s, v in rule.init.items()}
        start[self.theta] = theta0
        states = rule.unroll([g for g in gs], start)
        return [sp.sympify(rule.output).xreplace({**st, TS: k + 1}).xreplace(cfg)
                for k, st in enumerate(states)]

    def _input_symbols(self) -> set:
        return set().union(*(sp.sympify(x).free_symbols for x in self.inputs))

    def _solve(self, eq0):
        sols = []
        for sign in ("positive", "negative"):
            u = sp.Symbol("u_", **{sign: True})
            e = eq0.xreplace({self.unknown: u})
            num = sp.numer(sp.together(e))
            free = num.free_symbols & self._input_symbols()
            if free:      # identity in the inputs: every coefficient must vanish
                poly = sp.Poly(sp.expand(num), *sorted(free, key=str))
                found = sp.solve(poly.coeffs(), u, dict=True)
            else:
                found = [{u: r} for r in sp.solve(num, u)]
            sols += [s[u] for s in found if u in s]
        if sp.simplify(eq0.xreplace({self.unknown: 0})) == 0:
            sols.append(sp.Integer(0))
        return list(dict.fromkeys(sols))

    def decide(self, claim, thorough: bool = False) -> Verdict:
        per_config, found_any, witness = [], False, None
        for cfg in self.configs:
            cfg = {k: sp.sympify(v) for k, v in cfg.items()}
            out_a, out_b = self._outputs(self.a, cfg), self._outputs(self.b, cfg)
            sols = self._solve(sp.simplify(out_b[0] - out_a[0]))
            survivors, killed = [], []
            for u in sols:
                bad = None
                for k in range(1, len(out_a)):
                    d = sp.simplify((out_b[k] - out_a[k]).xreplace({self.unknown: u}))
                    if d != 0:
                        bad = (k, d)
                        break
                if bad is None:
                    survivors.append(u)
                else:
                    killed.append((u, bad))
            row = {"config": {str(k): str(v) for k, v in cfg.items()},
                   "step1_solutions": [str(u) for u in sols],
                   "surviving_all_steps": [str(u) for u in survivors],
                   "eliminated": [{"value": str(u), "step": k + 1, "difference": str(d)}
                                  for u, (k, d) in killed]}
            per_config.append(row)
            found_any |= bool(survivors)
            if not survivors and witness is None:
                witness = self._certify(cfg, killed, out_a, out_b)
        ev: dict[str, Any] = {"rule_a": self.a.to_json(), "rule_b": self.b.to_json(),
                              "unknown": str(self.unknown),
                              "inputs": [str(x) for x in self.inputs], "configs": per_config,
                              "how": "step 1 of both rules solved for the unknown by SymPy "
                                     "(an identity in the symbolic inputs: every coefficient "
                                     "must vanish); each solution checked on the later steps"}
        n = len(self.configs)
        if witness is not None:
            ev.update(witness)
        if self.exists:
            if all(r["surviving_all_steps"] for r in per_config):
                proved = self.memoryless and all(not x.is_number for x in self.inputs)
                return Verdict(claim.id, "proved" if proved else "verified",
                               f"{'proved' if proved else 'verified'}: {self.unknown} = "
                               f"{per_config[0]['surviving_all_steps'][0]} makes the iterates "
                               f"equal" + (" for every state (the rule keeps no other "
                                           "state), hence at every step" if proved else
                                           f" on {len(self.inputs) - 1} steps"), ev)
            if witness is None:
                return Verdict(claim.id, "pending", "no value survives, but no rational "
                               "witness was certified", ev)
            return Verdict(claim.id, "refuted",
                           f"refuted: the only value step 1 allows ({self.unknown} = "
                           f"{per_config[0]['step1_solutions']}) fails at a later step; "
                           f"certified at a rational point", ev)
        if found_any:
            return Verdict(claim.id, "refuted", f"refuted: a value of {self.unknown} makes "
                           f"the iterates equal ({per_config})", ev)
        return Verdict(claim.id, "verified" if n > 1 or self.configs[0] else "proved",
                       f"verified on {n} configurations: in each, the values of "
                       f"{self.unknown} that step 1 allows fail at a later step (exact "
                       f"SymPy solution, difference certified at 60 and 90 digits)", ev)

    def sides(self, witness: Mapping[str, Any], dps: int = 60) -> tuple[Any, Any]:
        """Re-run a witness from its JSON: (b's iterate, a's iterate) at its step, with the
        unknown at ``witness["unknown_value"]``, at ``dps`` digits."""
        byname = {s.name: s for s in set(self.a.params) | set(self.b.params)
                  | self._input_symbols() | {self.unknown}}
        pt = {byname[k]: rational(v) for k, v in witness["params"].items() if k in byname}
        u = sp.sympify(witness["unknown_value"], locals=byname).xreplace(pt)
        k = int(witness["step"]) - 1
        vb = self._outputs(self.b, pt)[k].xreplace({self.unknown: u}).xreplace(pt)
        va = self._outputs(self.a, pt)[k].xreplace({self.unknown: u}).xreplace(pt)
        return _num(vb, dps), _num(va, dps)

    def _certify(self, cfg, killed, out_a, out_b) -> dict[str, Any] | None:
        if not killed:          # no solution at step 1 at all: step 1 itself is the witness
            killed = [(self.unknown, (0, out_b[0] - out_a[0]))]
        u, (k, _) = killed[0]
        rng = np.random.default_rng(2)
        syms = sorted((out_b[k] - out_a[k]).xreplace({self.unknown: u}).free_symbols,
                      key=lambda s: s.name)
        pos = {s for s in syms if s.is_positive}
        for pt in _rat_points(syms, rng, 30, positive=pos):
            vb = out_b[k].xreplace({self.unknown: u}).xreplace(pt)
            va = out_a[k].xreplace({self.unknown: u}).xreplace(pt)
            if vb.free_symbols or va.free_symbols:
                continue
            d60, d90 = _num(vb - va, 60), _num(vb - va, 90)
            if abs(d60) > mp.mpf(10) ** -40 and (d60 > 0) == (d90 > 0):
                return {"witness": {"params": {**{str(s): exact_str(v) for s, v in pt.items()},
                                               **{str(a): exact_str(b) for a, b in cfg.items()
                                                  if b.is_Rational}},
                                    "step": k + 1, "unknown_value": str(u),
                                    "note": f"{self.unknown} = {u}: the value step 1 allows",
                                    "rerun": "Coefficient.sides(witness)"},
                        "lhs": digits(_num(vb, 60), 40), "rhs": digits(_num(va, 60), 40),
                        "sides": f"lhs: {self.b.name}'s iterate, rhs: {self.a.name}'s"}
        return None


__all__ = ["Coefficient", "Induction", "SameIterates", "peel", "replay_pair", "vanishes"]
