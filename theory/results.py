r"""The shape of a result: a SymPy statement, its hypotheses, and its check.

A :class:`Result` states something exactly (``statement``: a SymPy
``Eq``/``Le``/... or Boolean), under ``hypotheses`` (SymPy relations), with
its ``source`` (paper, section, equation).  :meth:`Result.check` re-derives
it and reports *how* it was established:

``"symbolic"``
    every step is a SymPy expression that simplifies to 0 (or a Boolean that
    simplifies to True), in symbolic t where t occurs;
``"induction"``
    at least one step is an induction in t (or in the number of terms):
    a base case and a step :math:`P(t)\Rightarrow P(t+1)`, each checked
    symbolically (SymPy leaves differences of sums with a symbolic upper limit
    alone, so these are peeled and merged by :mod:`adamlab.theory.sums`);

and, in either case, a **50-digit mpmath grid check**: at each point of a
grid of :math:`(\beta_1, \beta_2, t)` (exact rationals, converted at 50
digits) the quantity is computed from its *definition* (the recursions of
:mod:`adamlab.theory.recursions`, or a brute-force sum/maximum) and from the
closed form, and the two must agree to a relative :math:`10^{-40}` (or the
stated inequality must hold).  The report says which method was used, every
step's residual, and the grid's largest error.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import mpmath as mp
import sympy as sp

from .sums import simplify_zero

DPS = 50
REL_TOL = mp.mpf(10) ** -40
METHODS = ("symbolic", "induction")
STEP_KINDS = ("symbolic", "induction-base", "induction-step")


@dataclass(frozen=True)
class Step:
    """One checked step: ``residual()`` returns a SymPy expression that must be 0.

    ``zero_test`` (default :func:`~adamlab.theory.sums.simplify_zero`) decides
    whether the residual vanishes; a step may instead return a Boolean
    (e.g. a relation that SymPy decides), which must be True.
    """

    description: str
    residual: Callable[[], Any]
    kind: str = "symbolic"
    zero_test: Callable[[Any], bool] | None = None

    def __post_init__(self):
        if self.kind not in STEP_KINDS:
            raise ValueError(f"Step.kind must be one of {STEP_KINDS}; got {self.kind!r}")

    def run(self) -> dict[str, Any]:
        res = self.residual()
        if isinstance(res, tuple):  # (ok, residual) from a custom procedure
            ok, shown = bool(res[0]), res[1]
        else:
            ok = (self.zero_test or simplify_zero)(res)
            shown = res
        return {"description": self.description, "kind": self.kind, "ok": ok,
                "residual": str(shown)}


def induction(description: str, base: Callable[[], Any], step: Callable[[], Any],
              zero_test=None) -> tuple[Step, Step]:
    """The two steps of an induction: its base case and its step P(t) => P(t+1)."""
    return (Step(f"{description} [base case]", base, "induction-base", zero_test),
            Step(f"{description} [step t -> t+1]", step, "induction-step", zero_test))


@dataclass(frozen=True)
class GridCheck:
    r"""A 50-digit check on a grid.

    ``points`` are mappings of names to exact numbers (ints or Rationals);
    ``evaluate(point)`` runs at 50 digits and returns ``(by_definition,
    closed_form)`` as mpmath numbers; ``relation`` is ``"eq"`` (relative
    agreement to :data:`REL_TOL`), ``"le"`` (:math:`a \le b(1+10^{-40})`) or
    ``"lt"`` (strict).  ``tol`` (a decimal string) replaces :math:`10^{-40}` where
    the statement is a limit checked at a point near it (say so in ``description``).
    """

    description: str
    points: tuple[Mapping[str, Any], ...]
    evaluate: Callable[[Mapping[str, Any]], tuple[Any, Any]]
    relation: str = "eq"
    tol: str = "1e-40"

    def run(self) -> dict[str, Any]:
        worst = mp.mpf(0)
        failures = []
        with mp.workdps(DPS):
            tol = mp.mpf(self.tol)
            for pt in self.points:
                a, b = self.evaluate(pt)
                a, b = mp.mpf(a) if not isinstance(a, mp.mpf) else a, \
                    mp.mpf(b) if not isinstance(b, mp.mpf) else b
                scale = max(mp.mpf(1), abs(b))
                if self.relation == "eq":
                    err = abs(a - b) / scale
                    ok = err <= tol
                elif self.relation == "le":
                    err = max(mp.mpf(0), (a - b) / scale)
                    ok = err <= tol
                elif self.relation == "lt":
                    err = max(mp.mpf(0), (a - b) / scale)
                    ok = a < b
                else:
                    raise ValueError(f"GridCheck.relation: unknown {self.relation!r}")
                worst = max(worst, err)
                if not ok:
                    failures.append({k: str(v) for k, v in pt.items()})
            worst_s = mp.nstr(worst, 5)
        return {"description": self.description, "dps": DPS, "relation": self.relation,
                "points": len(self.points), "tolerance": f"{self.tol} (relative)",
                "max_error": worst_s, "failures": failures[:5], "ok": not failures}


@dataclass(frozen=True)
class CheckReport:
    """What :meth:`Result.check` found: the method, each step, the grid."""

    name: str
    method: str
    steps: tuple[dict[str, Any], ...]
    grids: tuple[dict[str, Any], ...]
    ok: bool

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "method": self.method, "ok": self.ok,
                "steps": list(self.steps), "grids": list(self.grids)}

    def summary(self) -> str:
        n = len(self.steps)
        pts = sum(g["points"] for g in self.grids)
        grid = (f"; {pts} points on {len(self.grids)} {DPS}-digit grid(s), max error "
                f"{max((mp.mpf(g['max_error']) for g in self.grids), default=0)}"
                if self.grids else "")
        return (f"{self.name}: {'ok' if self.ok else 'FAILED'} by {self.method} "
                f"({n} step{'s' if n != 1 else ''} checked{grid})")


@dataclass(eq=False)
class Result:
    r"""An exact statement with its hypotheses, source and derivation.

    ``statement`` is a SymPy relation or Boolean (or a tuple of them);
    ``hypotheses`` a tuple of SymPy relations; ``steps`` the derivation as
    :class:`Step` objects; ``grid`` a :class:`GridCheck` (or a tuple of them); ``exprs`` the named
    closed forms the result provides (for :meth:`numpy` and callers).
    """

    name: str
    statement: Any
    hypotheses: tuple = ()
    source: str = ""
    steps: tuple[Step, ...] = ()
    grid: GridCheck | tuple[GridCheck, ...] | None = None
    note: str = ""
    exprs: dict[str, sp.Expr] = field(default_factory=dict)
    _report: CheckReport | None = field(default=None, init=False, repr=False)

    @property
    def method(self) -> str:
        """``"induction"`` if any step is part of an induction, else ``"symbolic"``."""
        return ("induction" if any(s.kind.startswith("induction") for s in self.steps)
                else "symbolic")

    def latex(self) -> str:
        r"""The statement and its hypotheses in LaTeX."""
        stmts = self.statement if isinstance(self.statement, tuple) else (self.statement,)
        body = r",\quad ".join(sp.latex(s) for s in stmts)
        if self.hypotheses:
            hyp = r",\ ".join(sp.latex(h) for h in self.hypotheses)
            return body + r"\qquad\text{for } " + hyp
        return body

    def check(self) -> CheckReport:
        """Run every step and the grid (once; the report is cached)."""
        if self._report is None:
            steps = tuple(s.run() for s in self.steps)
            grids = self.grid if isinstance(self.grid, tuple) else (
                () if self.grid is None else (self.grid,))
            grids = tuple(gc.run() for gc in grids)
            ok = all(s["ok"] for s in steps) and all(gr["ok"] for gr in grids) and bool(steps)
            self._report = CheckReport(self.name, self.method, steps, grids, ok)
        return self._report

    def numpy(self, name: str, args: Sequence[sp.Symbol]):
        """A NumPy function lambdified from the closed form ``exprs[name]``."""
        return sp.lambdify(tuple(args), self.exprs[name], modules="numpy")

    def to_json(self) -> dict[str, Any]:
        stmts = self.statement if isinstance(self.statement, tuple) else (self.statement,)
        return {"name": self.name, "statement": [str(s) for s in stmts],
                "latex": self.latex(), "hypotheses": [str(h) for h in self.hypotheses],
                "source": self.source, "method": self.method}


def mpf(x) -> mp.mpf:
    """An exact number (int, Rational, Fraction, str 'p/q') as an mpmath number."""
    if isinstance(x, sp.Rational):
        return mp.mpf(int(x.p)) / int(x.q)
    if isinstance(x, str) and "/" in x:
        a, b = x.split("/")
        return mp.mpf(int(a)) / int(b)
    if hasattr(x, "numerator") and hasattr(x, "denominator"):
        return mp.mpf(int(x.numerator)) / int(x.denominator)
    return mp.mpf(x)


def mp_lambdify(args: Sequence[sp.Symbol], expr: sp.Expr):
    """An mpmath function from a SymPy closed form (evaluate inside ``mp.workdps``)."""
    return sp.lambdify(tuple(args), expr, modules="mpmath")


def rational_grid(betas1: Sequence, betas2: Sequence, ts: Sequence[int],
                  keep: Callable[[sp.Rational, sp.Rational], bool] = lambda a, b: True):
    """Grid points ``{'beta1', 'beta2', 't'}`` from exact values (strings 'p/q' or ints)."""
    pts = []
    for a in betas1:
        for b in betas2:
            A, B = sp.Rational(a), sp.Rational(b)
            if keep(A, B):
                pts.extend({"beta1": A, "beta2": B, "t": int(tt)} for tt in ts)
    return tuple(pts)


__all__ = ["CheckReport", "DPS", "GridCheck", "METHODS", "REL_TOL", "Result", "Step",
           "induction", "mp_lambdify", "mpf", "rational_grid"]
