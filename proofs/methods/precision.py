r"""Methods for claims about every step of a printed rule, exactly or in low precision.

:class:`EveryStep`
    "at every step, relation(state before, state after, g)" -- the printed
    :class:`~.rules.Rule` is stepped in exact SymPy arithmetic on the listed runs (edge
    cases such as a zero gradient first, then random rational gradients); the first
    step where the relation fails is the witness (exact, no rounding involved).
:class:`LowPrecision`
    "run in dtype D, the rule never divides by zero / never leaves the finite
    numbers" -- the rule is stepped with every value rounded to D after each operation
    (NumPy's float16 is IEEE binary16; ``ml_dtypes.bfloat16`` when installed), under
    ``numpy.errstate(all="raise")``.  A floating-point exception is the witness; its
    certificate is the exact rational value of every D-rounded input (e.g. that
    ``float16(1e-8)`` is exactly 0).
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable, Sequence

import numpy as np
import sympy as sp

from ..claim import Method
from ..verdict import Verdict
from .rules import G, TS, Rule, exact_str, rational


@dataclass(frozen=True)
class EveryStep(Method):
    """``relation(before, after, g, params)`` -> a SymPy relation (True when it holds),
    checked at every step of each run of ``runs``: (label, params, gradients)."""

    rule: Rule
    relation: Callable[[dict, dict, Any, dict], Any]
    runs: tuple[tuple[str, dict, tuple], ...]
    text: str
    kind: str = "witness"

    def describe(self) -> str:
        return f"every step of {len(self.runs)} exact runs of {self.rule.name}"

    def decide(self, claim, thorough: bool = False) -> Verdict:
        checked = 0
        for label, params, grads in self.runs:
            pt = {p: rational(params[p.name]) for p in self.rule.params}
            cur = {s: sp.sympify(v).xreplace(pt) for s, v in self.rule.init.items()}
            for k, g in enumerate(grads, 1):
                nxt = self.rule.advance(cur, rational(g), k)
                nxt = {s: sp.nsimplify(v.xreplace(pt)) for s, v in nxt.items()}
                rel = self.relation(cur, nxt, rational(g), pt)
                checked += 1
                if not bool(sp.simplify(rel)):
                    ev = {"property": self.text, "rule": self.rule.to_json(), "run": label,
                          "witness": {"params": {p.name: exact_str(v) for p, v in pt.items()},
                                      "grads": [exact_str(x) for x in grads[:k]], "step": k,
                                      "note": f"run '{label}'; the relation at this step: "
                                              f"{sp.sstr(rel)}",
                                      "rerun": "EveryStep on these params and grads"},
                          "lhs": _side(rel, "lhs"), "rhs": _side(rel, "rhs"),
                          "sides": "the two sides of the relation at the failing step "
                                   "(exact)"}
                    return Verdict(claim.id, "refuted",
                                   f"refuted: run '{label}', step {k}: {sp.sstr(rel)} "
                                   f"(exact arithmetic)", ev)
                cur = nxt
        return Verdict(claim.id, "verified", f"verified at {checked} steps of "
                       f"{len(self.runs)} exact runs ({self.text})",
                       {"property": self.text, "runs": [r[0] for r in self.runs],
                        "steps_checked": checked})


def _side(rel, which: str) -> str:
    from ..verdict import digits
    value = getattr(rel, which, None)
    return digits(sp.N(value, 50), 40) if value is not None else "0"


def dtype_named(name: str):
    """The NumPy dtype called ``name`` ("float16", "float32", "float64", "bfloat16")."""
    if name == "bfloat16":
        try:
            import ml_dtypes
        except ImportError:
            raise ValueError("bfloat16 needs the ml_dtypes package (pip install ml_dtypes)")
        return np.dtype(ml_dtypes.bfloat16)
    if name not in ("float16", "float32", "float64"):
        raise ValueError(f"dtype must be float16, float32, float64 or bfloat16; got {name!r}")
    return np.dtype(name)


@dataclass(frozen=True)
class LowPrecision(Method):
    """Replay ``rule`` in the dtype ``dtype`` on ``runs`` ((label, params, gradients));
    the claim is that no step raises a floating-point exception (division by zero,
    invalid operation such as 0/0, overflow) or leaves the finite numbers.  ``sides``
    (rounded params as exact rationals -> (lhs, rhs)) gives the claim's two sides at a
    witness, for the ledger's JSON."""

    rule: Rule
    dtype: str
    runs: tuple[tuple[str, dict, tuple], ...]
    sides: Callable[[dict], tuple[Any, Any]] | None = None
    kind: str = "witness"

    def describe(self) -> str:
        return f"{self.dtype} replay of {self.rule.name} with floating-point exceptions " \
               f"raised ({len(self.runs)} runs)"

    def replay(self, params: dict, grads: Sequence) -> dict[str, Any]:
        """The run in the dtype: each assignment computed by NumPy on dtype scalars (every
        operation rounds to the dtype); returns the step and error of the first
        exception, or None, and the rounded inputs as exact rationals."""
        dt = dtype_named(self.dtype)
        names = list(self.rule.state) + [G, TS] + list(self.rule.params)
        fns = [(s, sp.lambdify(names, e, modules="numpy")) for s, e in self.rule.steps]
        pv = [dt.type(float(Fraction(params[p.name]))) for p in self.rule.params]
        init = {s: sp.lambdify(list(self.rule.params), v, modules="numpy")
                for s, v in self.rule.init.items()}
        cur = {s: dt.type(init[s](*pv)) for s in self.rule.state}
        rounded = {p.name: exact_str(float(v)) for p, v in zip(self.rule.params, pv)}
        with np.errstate(divide="raise", invalid="raise", over="raise", under="ignore"):
            for k, g in enumerate(grads, 1):
                gv = dt.type(float(Fraction(g)))
                for s, f in fns:
                    try:
                        val = dt.type(f(*[cur[x] for x in self.rule.state], gv, dt.type(k), *pv))
                    except FloatingPointError as exc:
                        return {"step": k, "assignment": str(s), "error": str(exc),
                                "rounded_params": rounded}
                    if not np.isfinite(float(val)):
                        return {"step": k, "assignment": str(s), "error": "non-finite result",
                                "rounded_params": rounded}
                    cur[s] = val
        return {"step": None, "rounded_params": rounded}

    def decide(self, claim, thorough: bool = False) -> Verdict:
        for label, params, grads in self.runs:
            out = self.replay(params, grads)
            if out["step"] is not None:
                k = out["step"]
                ev = {"dtype": self.dtype, "rule": self.rule.to_json(), "run": label,
                      "witness": {"params": {n: exact_str(Fraction(v)) for n, v in params.items()},
                                  "grads": [exact_str(Fraction(x)) for x in grads[:k]],
                                  "step": k, "dtype": self.dtype,
                                  "note": f"in {self.dtype} the parameters round to "
                                          f"{out['rounded_params']} (exact values); at step "
                                          f"{k} computing {out['assignment']} raises: "
                                          f"{out['error']}",
                                  "rerun": "LowPrecision.replay(params, grads)"},
                      "certificate": out["rounded_params"]}
                if self.sides is not None:
                    from ..verdict import digits
                    lhs, rhs = self.sides({n: Fraction(v) for n, v in
                                           out["rounded_params"].items()})
                    ev.update(lhs=digits(lhs, 40), rhs=digits(rhs, 40))
                return Verdict(claim.id, "refuted",
                               f"refuted: in {self.dtype}, run '{label}' step {k}: "
                               f"{out['assignment']} raises '{out['error']}'; the parameters "
                               f"round to {out['rounded_params']}", ev)
        return Verdict(claim.id, "verified", f"verified: {len(self.runs)} {self.dtype} runs "
                       f"without a floating-point exception",
                       {"dtype": self.dtype, "runs": [r[0] for r in self.runs]})


__all__ = ["EveryStep", "LowPrecision", "dtype_named"]
