r"""Printed update rules as data: what the update-rule methods decide claims about.

A claim such as "v_t = mu v_{t-1} + eta grad f(theta_{t-1} - mu v_{t-1}),
theta_t = theta_{t-1} - v_t is Sutskever et al.'s Nesterov momentum" is about an
algorithm *as printed*, not about adamlab's implementation of it.  A :class:`Rule`
holds the printed algorithm box as SymPy:

* ``steps`` -- ordered assignments :math:`s \leftarrow e(\text{state}, g, t,
  \text{params})`, each reading the latest values (like the lines of an
  algorithm box);
* ``init`` -- the state before step 1;
* ``output`` -- the iterate the rule exposes (usually :math:`\theta`, for
  Nesterov's method possibly the look-ahead point);
* ``query`` -- where the gradient of step t is evaluated, in terms of the state
  before the step (default: ``output``).

The symbol :data:`G` is the gradient of the current step and :data:`TS` the step
number.  A rule can be stepped symbolically (:meth:`Rule.advance`), unrolled,
transformed (:meth:`Rule.subs`) and replayed in mpmath at any precision on a
gradient sequence or a gradient oracle (:meth:`Rule.replay`), or in float64 on
many scalar runs at once (:meth:`Rule.replay_float`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Mapping, Sequence

import mpmath as mp
import numpy as np
import sympy as sp

#: the gradient of the current step in a rule's assignments
G = sp.Symbol("g_t", real=True)
#: the step number t = 1, 2, ... in a rule's assignments
TS = sp.Symbol("t", integer=True, positive=True)
#: the gradient sequence g(i) in closed forms
g_of = sp.Function("g", real=True)


def rational(x) -> sp.Rational:
    """``x`` (int, Fraction, "p/q" string, float -- exactly) as a SymPy Rational."""
    if isinstance(x, bool):
        raise TypeError("a rational input must not be a bool")
    if isinstance(x, sp.Rational):
        return x
    if isinstance(x, (int, Fraction, str, float, np.floating)):
        f = Fraction(x) if not isinstance(x, (float, np.floating)) else Fraction(float(x))
        return sp.Rational(f.numerator, f.denominator)
    raise TypeError(f"expected an exact number (int, Fraction, 'p/q' or float); got "
                    f"{type(x).__name__}")


def exact_str(x) -> str:
    """``x`` as the exact rational string the ledger's witnesses use ("p/q" or "p")."""
    r = rational(x)
    return str(r.p) if r.q == 1 else f"{r.p}/{r.q}"


@dataclass(frozen=True)
class Rule:
    """A printed update rule (see the module docstring).  ``name`` and ``source`` say
    whose algorithm it is (paper, algorithm/equation, or "as printed in ...")."""

    name: str
    source: str
    steps: tuple[tuple[sp.Symbol, sp.Expr], ...]
    init: Mapping[sp.Symbol, Any]
    output: Any
    query: Any = None
    _fns: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise TypeError("Rule.name must be a non-empty str")
        if not self.steps or not all(isinstance(s, sp.Symbol) and len(a) == 2
                                     for a in self.steps for s in (a[0],)):
            raise TypeError(f"Rule.steps of {self.name} must be (symbol, expression) pairs")
        missing = [s for s in self.state if s not in self.init]
        if missing:
            raise ValueError(f"Rule.init of {self.name} lacks {missing}")
        object.__setattr__(self, "steps", tuple((s, sp.sympify(e)) for s, e in self.steps))
        object.__setattr__(self, "init", {s: sp.sympify(v) for s, v in self.init.items()})
        object.__setattr__(self, "output", sp.sympify(self.output))
        object.__setattr__(self, "query", sp.sympify(
            self.output if self.query is None else self.query))

    # -- structure ------------------------------------------------------------------------
    @property
    def state(self) -> tuple[sp.Symbol, ...]:
        """The state symbols, in the order they are first assigned."""
        return tuple(dict.fromkeys(s for s, _ in self.steps))

    @property
    def params(self) -> tuple[sp.Symbol, ...]:
        """The hyperparameters: the free symbols that are neither state, g nor t."""
        exprs = [e for _, e in self.steps] + list(self.init.values()) + [self.output,
                                                                        self.query]
        free = set().union(*(sp.sympify(e).free_symbols for e in exprs))
        return tuple(sorted(free - set(self.state) - {G, TS}, key=lambda s: s.name))

    def subs(self, mapping: Mapping, *, name: str | None = None,
             init: Mapping | None = None) -> "Rule":
        """This rule with ``mapping`` substituted everywhere (e.g. ``{G: G/c}`` for the
        gradient of a rescaled parameter), ``init`` values replaced where given."""
        m = {sp.sympify(k): sp.sympify(v) for k, v in mapping.items()}
        new_init = {s: sp.sympify(v).xreplace(m) for s, v in self.init.items()}
        new_init.update({s: sp.sympify(v) for s, v in (init or {}).items()})
        return Rule(name or self.name, self.source,
                    tuple((s, e.xreplace(m)) for s, e in self.steps), new_init,
                    self.output.xreplace(m), self.query.xreplace(m))

    # -- symbolic stepping --------------------------------------------------------------
    def advance(self, values: Mapping[sp.Symbol, Any], g, t) -> dict[sp.Symbol, sp.Expr]:
        """The state after one step from ``values`` (state symbol -> expression) with
        gradient ``g`` at step ``t`` (exact, no simplification)."""
        cur = dict(values)
        for s, e in self.steps:
            cur[s] = e.xreplace({**cur, G: sp.sympify(g), TS: sp.sympify(t)})
        return cur

    def value(self, expr, values: Mapping[sp.Symbol, Any], t=None) -> sp.Expr:
        """``expr`` (e.g. :attr:`output`) at the state ``values`` (and step t)."""
        rep = dict(values)
        if t is not None:
            rep[TS] = sp.sympify(t)
        return sp.sympify(expr).xreplace(rep)

    def unroll(self, gs: Sequence, start: Mapping | None = None) -> list[dict]:
        """States after steps 1..len(gs) from ``start`` (default :attr:`init`) with the
        gradients ``gs`` (expressions): exact SymPy, no simplification."""
        cur = dict(self.init if start is None else start)
        out = []
        for k, g in enumerate(gs, 1):
            cur = self.advance(cur, g, k)
            out.append(cur)
        return out

    # -- numeric replays --------------------------------------------------------------------
    def _lambdas(self, module: str):
        key = module
        if key not in self._fns:
            args = list(self.state) + [G, TS] + list(self.params)
            self._fns[key] = (
                [(s, sp.lambdify(args, e, modules=module)) for s, e in self.steps],
                sp.lambdify(args, self.output, modules=module),
                sp.lambdify(args, self.query, modules=module),
                {s: sp.lambdify(list(self.params), v, modules=module)
                 for s, v in self.init.items()})
        return self._fns[key]

    def replay(self, params: Mapping[str, Any], steps: int, *, grads: Sequence | None = None,
               oracle: Callable | None = None, dps: int = 60) -> dict[str, list]:
        """Play ``steps`` steps at ``dps`` digits (mpmath) with exact ``params`` (name ->
        rational).  The gradient of step t is ``grads[t-1]`` or ``oracle(point)`` at the
        :attr:`query` point.  Returns ``{"output": [x_0, ..., x_steps], "query": [...],
        "grads": [...], "states": [state after step 1, ...]}`` as mpf values (x_0 from
        :attr:`init`; states as dicts keyed by the state symbols)."""
        if (grads is None) == (oracle is None):
            raise ValueError("give exactly one of grads and oracle")
        if grads is not None and len(grads) < steps:
            raise ValueError(f"grads has {len(grads)} entries; steps = {steps}")
        names = {p.name for p in self.params}
        if set(params) != names:
            raise ValueError(f"params of {self.name} must be exactly {sorted(names)}; got "
                             f"{sorted(params)}")
        with mp.workdps(dps):
            pv = [mp.mpf(rational(params[p.name]).p) / rational(params[p.name]).q
                  for p in self.params]
            assign, out_fn, q_fn, init = self._lambdas("mpmath")
            cur = {s: init[s](*pv) for s in self.state}
            outs, queries, used, states = [], [], [], []

            def args(g, t):
                return [cur[s] for s in self.state] + [g, mp.mpf(t)] + pv
            outs.append(out_fn(*args(mp.mpf(0), 0)))
            for k in range(1, steps + 1):
                q = q_fn(*args(mp.mpf(0), k))
                g = oracle(q) if oracle is not None else mp.mpf(
                    rational(grads[k - 1]).p) / rational(grads[k - 1]).q
                queries.append(q)
                used.append(g)
                for s, f in assign:
                    cur[s] = f(*args(g, k))
                outs.append(out_fn(*args(g, k)))
                states.append(dict(cur))
        return {"output": outs, "query": queries, "grads": used, "states": states}

    def replay_float(self, params: Mapping[str, float], grads: np.ndarray,
                     theta0: np.ndarray, theta: sp.Symbol) -> np.ndarray:
        """float64 replay of many scalar runs at once: ``grads`` (T, n) the gradient of
        each step, ``theta0`` (n,) the starting value of the state symbol ``theta`` (the
        other state starts at :attr:`init`; a parameter used only in theta's start may be
        left out of ``params``).  Returns the outputs (T+1, n)."""
        grads = np.asarray(grads, dtype=np.float64)
        assign, out_fn, _, init = self._lambdas("numpy")
        only_start = set(self.init[theta].free_symbols) - set().union(
            *(e.free_symbols for _, e in self.steps), self.output.free_symbols)
        missing = [p.name for p in self.params if p.name not in params]
        if any(m not in {q.name for q in only_start} for m in missing):
            raise ValueError(f"params of {self.name} lack {missing}")
        pv = [float(params[p.name]) if p.name in params else 0.0 for p in self.params]
        n = grads.shape[1]
        cur = {s: np.broadcast_to(np.asarray(init[s](*pv), dtype=np.float64), (n,)).copy()
               for s in self.state}
        cur[theta] = np.asarray(theta0, dtype=np.float64).copy()
        outs = np.empty((grads.shape[0] + 1, n))

        def args(g, t):
            return [cur[s] for s in self.state] + [g, float(t)] + pv
        with np.errstate(divide="ignore", invalid="ignore"):
            outs[0] = out_fn(*args(np.zeros(n), 0))
            for k in range(1, grads.shape[0] + 1):
                for s, f in assign:
                    cur[s] = np.broadcast_to(np.asarray(f(*args(grads[k - 1], k)),
                                                        dtype=np.float64), (n,))
                outs[k] = out_fn(*args(grads[k - 1], k))
        return outs

    def to_json(self) -> dict[str, Any]:
        """The rule as text: its assignments, start, output and query point."""
        return {"name": self.name, "source": self.source,
                "steps": [f"{s} <- {e}" for s, e in self.steps],
                "init": {str(s): str(v) for s, v in self.init.items()},
                "output": str(self.output), "query": str(self.query)}


__all__ = ["G", "Rule", "TS", "exact_str", "g_of", "rational"]
